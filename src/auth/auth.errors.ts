import { ForbiddenProblem, NotFoundProblem, ProblemException } from '../common/problem.js';
import type { AuthenticationResult } from './api-keys.service.js';
import type { RateLimitDecision } from './rate-limiter.js';
import type { Role } from './role.js';

export class ApiKeyNotFoundError extends NotFoundProblem {
  constructor(id: string) {
    super('API key', id);
  }
}

/** Why a request has no valid API key. */
type Unauthenticated = Exclude<AuthenticationResult['outcome'], 'ok'> | 'missing';

const UNAUTHENTICATED_DETAIL: Record<Unauthenticated, string> = {
  missing: 'Send an API key as "Authorization: Bearer <key>".',
  unknown: 'The API key is not valid.',
  revoked: 'The API key has been revoked.',
  expired: 'The API key has expired.',
};

export class UnauthenticatedError extends ProblemException {
  constructor(outcome: Unauthenticated) {
    super({
      status: 401,
      type: 'unauthenticated',
      detail: UNAUTHENTICATED_DETAIL[outcome],
      headers: { 'WWW-Authenticate': 'Bearer' },
    });
  }
}

/** The API key used its window; `headers` are the RateLimit-* headers of every answer. */
export class ApiKeyRateLimitedError extends ProblemException {
  constructor(decision: RateLimitDecision, headers: Record<string, string>) {
    super({
      status: 429,
      type: 'rate-limited',
      detail: `This API key made more than ${decision.limit} requests in the current window; retry in ${decision.resetSeconds} s.`,
      headers: { ...headers, 'Retry-After': String(decision.resetSeconds) },
    });
  }
}

/** The client address used its window of requests without a valid API key. */
export class AddressRateLimitedError extends ProblemException {
  constructor(decision: RateLimitDecision) {
    super({
      status: 429,
      type: 'rate-limited',
      detail: `This client address made more than ${decision.limit} requests without a valid API key in the current window; retry in ${decision.resetSeconds} s.`,
      headers: { 'Retry-After': String(decision.resetSeconds) },
    });
  }
}

export class RoleForbiddenError extends ForbiddenProblem {
  constructor(role: Role) {
    super(`The role ${role} may not perform this action.`);
  }
}
