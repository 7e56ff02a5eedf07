import { DATABASE_RETRY_AFTER_SECONDS } from '../common/error-classification.js';
import { ProblemException } from '../common/problem.js';

/** The readiness probe's answer while the database does not answer a query. */
export class DatabaseNotReadyError extends ProblemException {
  constructor() {
    super({
      status: 503,
      type: 'not-ready',
      detail: 'The database does not answer.',
      headers: { 'Retry-After': String(DATABASE_RETRY_AFTER_SECONDS) },
    });
  }
}
