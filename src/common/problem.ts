import { STATUS_CODES } from 'node:http';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';

/** A request id the API accepts from X-Request-Id (else it makes its own) and reports back. */
export const REQUEST_ID_PATTERN = /^[A-Za-z0-9._:-]{1,128}$/;

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';
const PROBLEM_TYPE_BASE = 'urn:handover:problem:';

/**
 * Bounds on every problem document, documented in openapi.json: client input (an unknown
 * property's name, a long path) can reach a problem, but never makes it unbounded.
 */
export const PROBLEM_LIMITS = {
  items: 100,
  field: 500,
  code: 100,
  title: 200,
  text: 2000,
  instance: 2048,
};

const clip = (text: string, max: number) =>
  text.length <= max ? text : `${text.slice(0, max - 1)}…`;

function clipItem(item: ProblemItem): ProblemItem {
  return {
    ...(item.row === undefined ? {} : { row: item.row }),
    ...(item.field === undefined ? {} : { field: clip(item.field, PROBLEM_LIMITS.field) }),
    ...(item.code === undefined ? {} : { code: clip(item.code, PROBLEM_LIMITS.code) }),
    message: clip(item.message, PROBLEM_LIMITS.text),
  };
}

export class ProblemItem {
  @ApiPropertyOptional({
    type: 'integer',
    format: 'int32',
    minimum: 0,
    maximum: 1_000_000,
    description:
      'In an import: the row at fault, the array index + 1 or the CSV data row (the header is 0)',
    example: 3,
  })
  row?: number;

  @ApiPropertyOptional({
    maxLength: PROBLEM_LIMITS.field,
    description: 'The input field at fault, as a path (`spec.successMetrics[0].name`)',
    example: 'name',
  })
  field?: string;

  @ApiPropertyOptional({
    maxLength: PROBLEM_LIMITS.code,
    description: 'A stable code for an unmet precondition',
    example: 'NO_FINAL_HANDOVER',
  })
  code?: string;

  @ApiProperty({
    maxLength: PROBLEM_LIMITS.text,
    example: 'name must be shorter than or equal to 100 characters',
  })
  message!: string;
}

/** RFC 9457 problem details: the body of every error response. */
export class ProblemDetails {
  @ApiProperty({
    maxLength: 100,
    pattern: '^urn:handover:problem:[a-z0-9-]+$',
    example: 'urn:handover:problem:validation',
    description: 'Identifies the kind of problem',
  })
  type!: string;

  @ApiProperty({ maxLength: PROBLEM_LIMITS.title, example: 'Bad Request' })
  title!: string;

  @ApiProperty({ type: 'integer', format: 'int32', minimum: 400, maximum: 599, example: 400 })
  status!: number;

  @ApiProperty({ maxLength: PROBLEM_LIMITS.text, example: 'The request has 1 invalid field.' })
  detail!: string;

  @ApiProperty({
    maxLength: PROBLEM_LIMITS.instance,
    example: '/v1/api-keys',
    description: 'The request path',
  })
  instance!: string;

  @ApiProperty({
    maxLength: 128,
    pattern: REQUEST_ID_PATTERN.source,
    example: '5d0f9a1e-3c2b-4a8e-9f7d-2b6c1e0a4d3f',
    description: 'Also sent as the X-Request-Id header; quote it when reporting a problem',
  })
  requestId!: string;

  @ApiPropertyOptional({
    maxItems: PROBLEM_LIMITS.items,
    description: 'At most 100: the first ones when there are more',
    type: [ProblemItem],
  })
  errors?: ProblemItem[];
}

export interface ProblemInit {
  status: number;
  /** Short kebab-case name of the problem type, e.g. `validation`. */
  type: string;
  detail: string;
  title?: string;
  errors?: ProblemItem[];
  /** How many of `errors` the body lists (default PROBLEM_LIMITS.items). */
  errorLimit?: number;
  headers?: Record<string, string>;
}

/** An error that is answered as the given problem. Domain errors extend it. */
export class ProblemException extends Error {
  constructor(readonly problem: ProblemInit) {
    super(problem.detail);
    this.name = new.target.name;
  }
}

export function problemBody(
  init: ProblemInit,
  instance: string,
  requestId: string,
): ProblemDetails {
  return {
    type: PROBLEM_TYPE_BASE + init.type,
    title: clip(init.title ?? STATUS_CODES[init.status] ?? 'Error', PROBLEM_LIMITS.title),
    status: init.status,
    detail: clip(init.detail, PROBLEM_LIMITS.text),
    instance: clip(instance, PROBLEM_LIMITS.instance),
    requestId,
    ...(init.errors && init.errors.length > 0
      ? { errors: init.errors.slice(0, init.errorLimit ?? PROBLEM_LIMITS.items).map(clipItem) }
      : {}),
  };
}

/**
 * Answers `request` with `problem` as problem+json: the one place a problem is written to a
 * reply, whether by the exception filter, a hook that answers early, or the router's own errors.
 */
export function sendProblem(
  request: FastifyRequest,
  reply: FastifyReply,
  problem: ProblemInit,
): FastifyReply {
  const requestId = String(request.id);
  return reply
    .status(problem.status)
    .headers({
      ...problem.headers,
      'content-type': PROBLEM_CONTENT_TYPE,
      'X-Request-Id': requestId,
    })
    .send(JSON.stringify(problemBody(problem, request.url.split('?')[0], requestId)));
}

export class ValidationProblem extends ProblemException {
  constructor(errors: ProblemItem[]) {
    super({
      status: 400,
      type: 'validation',
      detail:
        errors.length === 1
          ? `Invalid ${errors[0].field ?? 'input'}: ${errors[0].message}`
          : `The request has ${errors.length} invalid fields.`,
      errors,
    });
  }
}

export class NotFoundProblem extends ProblemException {
  constructor(what: string, id: string) {
    super({ status: 404, type: 'not-found', detail: `${what} ${id} does not exist.` });
  }
}

export class ForbiddenProblem extends ProblemException {
  constructor(detail: string) {
    super({ status: 403, type: 'forbidden', detail });
  }
}

/** The current state does not allow the change; `errors` lists every unmet precondition. */
export class ConflictProblem extends ProblemException {
  constructor(detail: string, errors: { code: string; message: string }[] = []) {
    super({ status: 409, type: 'conflict', detail, errors });
  }
}

export class PreconditionFailedProblem extends ProblemException {
  constructor(currentVersion: number) {
    super({
      status: 412,
      type: 'precondition-failed',
      detail: `If-Match does not match the current version ${currentVersion}; read the resource again and retry. Nothing was written.`,
      headers: { ETag: `"${currentVersion}"` },
    });
  }
}
