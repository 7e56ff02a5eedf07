import {
  type CallHandler,
  createParamDecorator,
  type ExecutionContext,
  Injectable,
  type NestInterceptor,
} from '@nestjs/common';
import { ApiHeader } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { map, type Observable } from 'rxjs';
import { PreconditionFailedProblem, ValidationProblem } from './problem.js';

/**
 * The version an `If-Match` header expects: `"3"` or `W/"3"`; undefined when absent or `*`.
 * Anything else is a 400 naming the header.
 */
export function parseIfMatch(header: string | undefined): number | undefined {
  if (header === undefined || header.trim() === '*') return undefined;
  const match = /^\s*(?:(?:W\/)?"(\d{1,9})"|(\d{1,9}))\s*$/.exec(header);
  if (!match) {
    throw new ValidationProblem([
      { field: 'If-Match', message: 'If-Match must be an ETag of this resource, such as "3"' },
    ]);
  }
  return Number(match[1] ?? match[2]);
}

/** Throws 412 when the caller expected another version than the current one. */
export function assertVersion(expected: number | undefined, current: number): void {
  if (expected !== undefined && expected !== current) throw new PreconditionFailedProblem(current);
}

/** The version the request's If-Match header expects, if any. */
export const IfMatch = createParamDecorator((_: unknown, context: ExecutionContext) =>
  parseIfMatch(
    context.switchToHttp().getRequest<FastifyRequest>().headers['if-match'] as string | undefined,
  ),
);

export const ApiIfMatch = () =>
  ApiHeader({
    name: 'If-Match',
    required: false,
    description: 'The ETag last read; when stale the answer is 412 and nothing is written',
    example: '"3"',
    schema: { type: 'string', maxLength: 64 },
  });

/** Sends `ETag: "<version>"` for every response body that carries a version. */
@Injectable()
export class ETagInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const reply = context.switchToHttp().getResponse<FastifyReply>();
    return next.handle().pipe(
      map((body: unknown) => {
        const version = (body as { version?: unknown } | null)?.version;
        if (typeof version === 'number') reply.header('ETag', `"${version}"`);
        return body;
      }),
    );
  }
}
