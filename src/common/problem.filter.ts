import { STATUS_CODES } from 'node:http';
import {
  type ArgumentsHost,
  Catch,
  type ExceptionFilter,
  HttpException,
  Logger,
} from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { classifyError } from './error-classification.js';
import { type ProblemInit, ProblemException, sendProblem } from './problem.js';

/** Answers every error as RFC 9457 problem+json; unexpected errors reveal no internals. */
@Catch()
export class ProblemFilter implements ExceptionFilter {
  private readonly logger = new Logger('Errors');

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    sendProblem(request, reply, this.toProblem(exception, request));
  }

  private toProblem(exception: unknown, request: FastifyRequest): ProblemInit {
    if (exception instanceof ProblemException) return exception.problem;
    if (exception instanceof HttpException) {
      // Nest wraps Fastify's own 4xx errors (body parsing, limits): classify the original.
      return classifyError(exception.cause) ?? fromHttpException(exception);
    }
    const classified = classifyError(exception);
    if (classified) {
      if (classified.status >= 500) {
        this.logger.warn(
          `${classified.type} on ${request.method} ${request.url}: ${String(exception)}`,
        );
      }
      return classified;
    }
    this.logger.error(
      { err: exception, requestId: request.id },
      `Unexpected error on ${request.method} ${request.routeOptions.url ?? request.url}`,
    );
    return {
      status: 500,
      type: 'internal',
      detail: `An unexpected error occurred. Quote request id ${String(request.id)} when reporting it.`,
    };
  }
}

function fromHttpException(exception: HttpException): ProblemInit {
  const status = exception.getStatus();
  const response = exception.getResponse();
  const message =
    typeof response === 'object' && response !== null && 'message' in response
      ? (response as { message: unknown }).message
      : response;
  const detail = Array.isArray(message) ? message.join('; ') : String(message);
  if (status === 404 && /^Cannot (GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS)/.test(detail)) {
    return { status, type: 'route-not-found', detail: `${detail}: no such route.` };
  }
  return {
    status,
    type: (STATUS_CODES[status] ?? 'error').toLowerCase().replace(/[^a-z]+/g, '-'),
    detail,
  };
}
