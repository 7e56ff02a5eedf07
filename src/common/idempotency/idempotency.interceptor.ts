import {
  type CallHandler,
  type ExecutionContext,
  Injectable,
  type NestInterceptor,
} from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { catchError, from, mergeMap, type Observable, of } from 'rxjs';
import { ValidationProblem } from '../problem.js';
import { IdempotencyService, requestHash } from './idempotency.service.js';

const KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;

/**
 * Fault tests only: holds every idempotent response after its write committed and before it
 * is stored, so that a test can kill the process at the worst moment.
 */
const HOLD_AFTER_COMMIT = process.env.HANDOVER_FAULT_HOLD_IDEMPOTENT_RESPONSE === 'true';

/** Makes a POST with an `Idempotency-Key` header safe to repeat (SPEC §3). */
@Injectable()
export class IdempotencyInterceptor implements NestInterceptor {
  constructor(private readonly idempotency: IdempotencyService) {}

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
      reply.status(claim.status).header('Idempotent-Replayed', 'true');
      // The ETag interceptor runs inside this one, so a replay sets the ETag itself.
      const version = (claim.body as { version?: unknown } | null)?.version;
      if (typeof version === 'number') reply.header('ETag', `"${version}"`);
      return of(claim.body);
    }
    return next.handle().pipe(
      mergeMap((body) =>
        // The router set the status before the handler ran; a handler may have changed it.
        from(
          (HOLD_AFTER_COMMIT ? new Promise<void>(() => undefined) : Promise.resolve())
            .then(() => this.idempotency.complete(apiKeyId, header, reply.statusCode, body))
            .then(() => body),
        ),
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
