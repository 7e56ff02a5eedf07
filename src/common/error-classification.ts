import { QueryRunnerAlreadyReleasedError } from 'typeorm';
import { errorCodeOf, errorMessagesOf } from './database-errors.js';
import type { ProblemInit } from './problem.js';

const CONNECTION_ERROR_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  '57P01', // admin_shutdown
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now
  '53300', // too_many_connections
  '08000',
  '08001',
  '08003',
  '08004',
  '08006',
]);

const CONNECTION_ERROR_MESSAGES = [
  'Connection terminated',
  'timeout exceeded when trying to connect',
  'Client has encountered a connection error',
  'Connection is not established',
  'connection timeout',
];

export const DATABASE_RETRY_AFTER_SECONDS = 5;

/** Raised by the JSON body parser for a body nested deeper than the API ever needs. */
export class BodyTooDeepError extends Error {
  readonly statusCode = 400;
  readonly code = 'HOV_BODY_TOO_DEEP';

  constructor(maxDepth: number) {
    super(`body must not nest objects or arrays more than ${maxDepth} levels deep`);
  }
}

/** True when the error means the database cannot be reached right now (worth retrying). */
export function isDatabaseUnavailable(error: unknown): boolean {
  // TypeORM releases a transaction's query runner when its connection fails between two
  // statements (PostgreSQL stopping): the transaction's next statement or COMMIT throws this.
  if (error instanceof QueryRunnerAlreadyReleasedError) return true;
  const code = errorCodeOf(error);
  if (code !== undefined && CONNECTION_ERROR_CODES.has(code)) return true;
  const message = errorMessagesOf(error);
  return CONNECTION_ERROR_MESSAGES.some((fragment) => message.includes(fragment));
}

/** Maps errors of the database and the HTTP layer to problems; undefined when unexpected. */
export function classifyError(error: unknown): ProblemInit | undefined {
  if (isDatabaseUnavailable(error)) {
    return {
      status: 503,
      type: 'database-unavailable',
      detail: 'The database is unreachable at the moment; retry shortly.',
      headers: { 'Retry-After': String(DATABASE_RETRY_AFTER_SECONDS) },
    };
  }
  const code = errorCodeOf(error);
  if (code === '57014') {
    return {
      status: 503,
      type: 'statement-timeout',
      detail: 'The database took too long to answer; retry shortly.',
      headers: { 'Retry-After': String(DATABASE_RETRY_AFTER_SECONDS) },
    };
  }
  // Data exceptions (class 22) come from values PostgreSQL refuses: bad input, not a fault.
  if (code !== undefined && code.startsWith('22') && code.length === 5) {
    return {
      status: 400,
      type: 'invalid-value',
      detail: 'A value in the request is not acceptable (out of range or malformed).',
    };
  }
  return classifyHttpLayerError(error);
}

function classifyHttpLayerError(error: unknown): ProblemInit | undefined {
  const candidate = error as { statusCode?: unknown; code?: unknown; message?: unknown };
  const status = candidate?.statusCode;
  // Errors raised by Fastify before a route runs (body parsing, limits) carry a 4xx statusCode.
  if (typeof status !== 'number' || status < 400 || status > 499) return undefined;
  const code = typeof candidate.code === 'string' ? candidate.code : '';
  switch (status) {
    case 413:
      return {
        status,
        type: 'payload-too-large',
        detail: 'The request body is larger than the server accepts.',
      };
    case 415:
      return {
        status,
        type: 'unsupported-media-type',
        detail: 'Send request bodies as application/json (or text/csv to the import).',
      };
    case 400:
      if (error instanceof BodyTooDeepError) {
        return {
          status,
          type: 'validation',
          detail: 'The body nests objects or arrays too deeply.',
          errors: [{ field: 'body', message: error.message }],
        };
      }
      if (code === 'FST_ERR_CTP_EMPTY_JSON_BODY') {
        return {
          status,
          type: 'malformed-body',
          detail: 'The body is empty although Content-Type is application/json.',
          errors: [{ field: 'body', message: 'empty' }],
        };
      }
      if (error instanceof SyntaxError || code === 'FST_ERR_CTP_INVALID_JSON_BODY') {
        // The parser's message says where: "… at position 12 (line 1 column 13)".
        const where = error instanceof SyntaxError ? error.message : String(candidate.message);
        return {
          status,
          type: 'malformed-body',
          detail: 'The request body is not valid JSON.',
          errors: [{ field: 'body', message: where }],
        };
      }
      return { status, type: 'bad-request', detail: String(candidate.message ?? 'Bad request.') };
    default:
      return { status, type: 'bad-request', detail: String(candidate.message ?? 'Bad request.') };
  }
}
