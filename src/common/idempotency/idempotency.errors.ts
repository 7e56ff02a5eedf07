import { ConflictProblem, ProblemException } from '../problem.js';

/** The key was used for another request: `otherPath` when it was another path, else another body. */
export class IdempotencyKeyReusedError extends ProblemException {
  constructor(otherPath?: string) {
    super({
      status: 422,
      type: 'idempotency-key-reused',
      detail:
        otherPath === undefined
          ? 'This Idempotency-Key was used with another request body; use a new key for a new request.'
          : `This Idempotency-Key was used for ${otherPath}; use a new key for a new request.`,
    });
  }
}

/** The first request committed, but its instance stopped before the answer was stored. */
export class IdempotentResponseLostError extends ConflictProblem {
  static readonly code = 'IDEMPOTENT_RESPONSE_LOST';

  constructor() {
    super(
      'The first request with this Idempotency-Key was carried out, but its answer was lost (its instance stopped); it is not repeated. Look the resource up instead.',
      [
        {
          code: IdempotentResponseLostError.code,
          message: 'The first request with this key took effect; its response was not stored.',
        },
      ],
    );
  }
}

export class IdempotentRequestInProgressError extends ConflictProblem {
  static readonly code = 'IDEMPOTENT_REQUEST_IN_PROGRESS';

  constructor() {
    super('A request with this Idempotency-Key is still being processed; retry shortly.', [
      {
        code: IdempotentRequestInProgressError.code,
        message: 'The first request with this key has not finished.',
      },
    ]);
  }
}
