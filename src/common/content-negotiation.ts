import {
  type CallHandler,
  type ExecutionContext,
  Injectable,
  type NestInterceptor,
  SetMetadata,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import type { Observable } from 'rxjs';
import { ProblemException } from './problem.js';

export const PRODUCES_KEY = 'handover:produces';

/** The media types a route can answer with; JSON when not declared. */
export const Produces = (...mediaTypes: string[]) => SetMetadata(PRODUCES_KEY, mediaTypes);

/**
 * The first of `available` that an Accept header allows (quality above zero), honouring
 * `type/*` and `*\/*`; undefined when none is acceptable. No header accepts anything.
 */
export function negotiate(accept: string | undefined, available: string[]): string | undefined {
  if (!accept || accept.trim() === '') return available[0];
  const ranges = accept.split(',').map((part) => {
    const [range, ...parameters] = part.trim().toLowerCase().split(';');
    const quality = parameters.map((p) => p.trim()).find((p) => p.startsWith('q='));
    return { range: range.trim(), q: quality ? Number(quality.slice(2)) : 1 };
  });
  const matches = (range: string, type: string) =>
    range === '*/*' ||
    range === type ||
    (range.endsWith('/*') && type.startsWith(range.slice(0, -1)));
  let best: { type: string; q: number } | undefined;
  for (const type of available) {
    const q = Math.max(0, ...ranges.filter(({ range }) => matches(range, type)).map(({ q }) => q));
    if (q > 0 && !Number.isNaN(q) && (!best || q > best.q)) best = { type, q };
  }
  return best?.type;
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
      throw new ProblemException({
        status: 406,
        type: 'not-acceptable',
        detail: `This resource is available as ${available.join(', ')}; the Accept header allows none of them.`,
      });
    }
    return next.handle();
  }
}
