import {
  type CallHandler,
  type ExecutionContext,
  Injectable,
  type NestInterceptor,
  SetMetadata,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import Negotiator from 'negotiator';
import type { Observable } from 'rxjs';
import { ProblemException } from './problem.js';

export const PRODUCES_KEY = 'handover:produces';

/** The media types a route can answer with; JSON when not declared. */
export const Produces = (...mediaTypes: string[]) => SetMetadata(PRODUCES_KEY, mediaTypes);

/**
 * The type of `available` that an Accept header prefers, by RFC 9110's rules (negotiator):
 * `q=0` excludes a type and the most specific range decides its quality. Undefined when none
 * is acceptable; a missing or empty header accepts the first.
 */
export function negotiate(accept: string | undefined, available: string[]): string | undefined {
  if (!accept || accept.trim() === '') return available[0];
  return new Negotiator({ headers: { accept } }).mediaType(available);
}

/** The Accept header allows none of the formats a route produces. */
export class NotAcceptableError extends ProblemException {
  constructor(available: string[]) {
    super({
      status: 406,
      type: 'not-acceptable',
      detail: `This resource is available as ${available.join(', ')}; the Accept header allows none of them.`,
    });
  }
}

/** 406 when the Accept header allows none of the formats the route produces. */
@Injectable()
export class ContentNegotiationInterceptor implements NestInterceptor {
  constructor(private readonly reflector: Reflector) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const available = this.reflector.get<string[] | undefined>(
      PRODUCES_KEY,
      context.getHandler(),
    ) ?? ['application/json'];
    const accept = context.switchToHttp().getRequest<FastifyRequest>().headers.accept;
    if (!negotiate(accept, available)) {
      throw new NotAcceptableError(available);
    }
    return next.handle();
  }
}
