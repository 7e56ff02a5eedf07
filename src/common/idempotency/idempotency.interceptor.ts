import {
  type CallHandler,
  type ExecutionContext,
  Injectable,
  type NestInterceptor,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { HTTP_CODE_METADATA } from '@nestjs/common/constants.js';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { catchError, from, mergeMap, type Observable, of } from 'rxjs';
import { ValidationProblem } from '../problem.js';
import { IdempotencyService, requestHash } from './idempotency.service.js';

const KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;

/** Makes a POST with an `Idempotency-Key` header safe to repeat (SPEC §3). */
@Injectable()
export class IdempotencyInterceptor implements NestInterceptor {
  constructor(
    private readonly idempotency: IdempotencyService,
    private readonly reflector: Reflector,
  ) {}

  async intercept(context: ExecutionContext, next: CallHandler): Promise<Observable<unknown>> {
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const header = request.headers['idempotency-key'];
    if (request.method !== 'POST' || header === undefined || !request.actor) return next.handle();
    if (typeof header !== 'string' || !KEY_PATTERN.test(header)) {
      throw new ValidationProblem([
        {
          field: 'Idempotency-Key',
          message: 'Idempotency-Key must be 1 to 255 visible ASCII characters',
        },
      ]);
    }
    const apiKeyId = request.actor.apiKeyId;
    const path = request.url;
    const claim = await this.idempotency.claim(
      apiKeyId,
      header,
      path,
      requestHash('POST', path, request.body),
    );
    const reply = context.switchToHttp().getResponse<FastifyReply>();
    if (claim.state === 'replay') {
      reply.header('Idempotent-Replayed', 'true');
      return of(claim.body);
    }
    const status =
      this.reflector.get<number | undefined>(HTTP_CODE_METADATA, context.getHandler()) ?? 201;
    return next.handle().pipe(
      mergeMap((body) =>
        from(this.idempotency.complete(apiKeyId, header, status, body).then(() => body)),
      ),
      catchError((error: unknown) =>
        from(
          this.idempotency.release(apiKeyId, header).then(() => {
            throw error;
          }),
        ),
      ),
    );
  }
}
