import {
  type CallHandler,
  type ExecutionContext,
  Injectable,
  type NestInterceptor,
} from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { catchError, type Observable } from 'rxjs';
import { ValidationProblem } from '../common/problem.js';
import { unnamedSpecProblems } from './spec-validation.js';

const isObject = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

/**
 * The spec is judged whole and at once (SPEC §2): when the body of a creation already fails its
 * field validation, the 400 also names what is wrong with the spec (missing fields,
 * placeholders, a short problem) instead of leaving that for the next attempt.
 */
@Injectable()
export class SpecProblemsInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const body = context.switchToHttp().getRequest<FastifyRequest>().body;
    return next.handle().pipe(
      catchError((error: unknown) => {
        if (!(error instanceof ValidationProblem) || !isObject(body)) throw error;
        const problems = error.problem.errors ?? [];
        const specProblems = unnamedSpecProblems(problems, body.spec);
        if (specProblems.length === 0) throw error;
        throw new ValidationProblem([...problems, ...specProblems]);
      }),
    );
  }
}
