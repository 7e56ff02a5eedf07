import { randomUUID } from 'node:crypto';
import { maxHeaderSize, STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { PROBLEM_CONTENT_TYPE, type ProblemInit, problemBody, sendProblem } from './problem.js';
import { ESSENTIAL_SECURITY_HEADERS } from './security-headers.js';

/** Longest path parameter the router accepts; ids and weeks are far shorter. */
export const MAX_PARAM_LENGTH = 100;

/** The problem for an error the router raises before any route, hook or filter runs. */
export function frameworkErrorProblem(error: FastifyError): ProblemInit {
  if (error.code === 'FST_ERR_MAX_PARAM_LENGTH') {
    return {
      status: 400,
      type: 'validation',
      detail: `A path parameter is longer than ${MAX_PARAM_LENGTH} characters.`,
      errors: [
        {
          field: 'path',
          message: `path parameters must be at most ${MAX_PARAM_LENGTH} characters`,
        },
      ],
    };
  }
  if (error.code === 'FST_ERR_BAD_URL') {
    return {
      status: 400,
      type: 'bad-request',
      detail: 'The URL is malformed (for example an invalid percent-encoding).',
    };
  }
  return { status: 400, type: 'bad-request', detail: 'The request cannot be routed.' };
}

/** Fastify's `frameworkErrors`: the router's own 400s as problem+json, like every other error. */
export function sendFrameworkError(
  error: FastifyError,
  request: FastifyRequest,
  reply: FastifyReply,
): void {
  void sendProblem(request, reply, frameworkErrorProblem(error));
}

/**
 * Fastify's `clientErrorHandler`: requests Node's HTTP parser refuses (headers over its limit,
 * malformed request lines, a client too slow to send its headers) answered as problem+json.
 * No request object exists yet, hence a fresh request id.
 */
export function answerClientError(error: NodeJS.ErrnoException, socket: Socket): void {
  // After a connection reset there is nobody to answer.
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  let problem: ProblemInit;
  if (error.code === 'HPE_HEADER_OVERFLOW') {
    problem = {
      status: 431,
      type: 'headers-too-large',
      detail: `The request line and headers are larger than the server accepts (${maxHeaderSize} bytes).`,
    };
  } else if (error.code === 'ERR_HTTP_REQUEST_TIMEOUT') {
    problem = {
      status: 408,
      type: 'request-timeout',
      detail: 'The request was not received in time.',
    };
  } else {
    problem = { status: 400, type: 'bad-request', detail: 'The request is not valid HTTP.' };
  }
  const requestId = randomUUID();
  const body = JSON.stringify(problemBody(problem, '', requestId));
  if (socket.writable) {
    const headers = {
      'Content-Type': PROBLEM_CONTENT_TYPE,
      'Content-Length': String(Buffer.byteLength(body)),
      'X-Request-Id': requestId,
      ...ESSENTIAL_SECURITY_HEADERS,
      Connection: 'close',
    };
    socket.write(
      `HTTP/1.1 ${problem.status} ${STATUS_CODES[problem.status]}\r\n` +
        Object.entries(headers)
          .map(([name, value]) => `${name}: ${value}\r\n`)
          .join('') +
        `\r\n${body}`,
    );
  }
  socket.destroy(error);
}
