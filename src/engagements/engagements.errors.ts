import { ConflictProblem, ForbiddenProblem, NotFoundProblem } from '../common/problem.js';
import type { Engagement } from './engagement.entity.js';
import type { EngagementAction, UnmetPrecondition } from './transitions.js';

export class EngagementNotFoundError extends NotFoundProblem {
  constructor(id: string) {
    super('Engagement', id);
  }
}

export class NotEngagementOwnerError extends ForbiddenProblem {
  constructor() {
    super('A product owner may change only the engagements they own.');
  }
}

export class ContractRefTakenError extends ConflictProblem {
  static readonly code = 'CONTRACT_REF_TAKEN';

  constructor(contractRef: string | null | undefined) {
    super(`Another engagement has contract reference ${contractRef}.`, [
      { code: ContractRefTakenError.code, message: 'Contract references are unique.' },
    ]);
  }
}

export class EngagementClosedError extends ConflictProblem {
  static readonly code = 'ENGAGEMENT_CLOSED';

  constructor(engagement: Pick<Engagement, 'status'>) {
    super(`The engagement is ${engagement.status} and can no longer change.`, [
      {
        code: EngagementClosedError.code,
        message: 'Completed and cancelled engagements are read-only.',
      },
    ]);
  }
}

/** A lifecycle action refused: `unmet` lists every precondition of the transition not met. */
export class PreconditionsUnmetError extends ConflictProblem {
  constructor(action: EngagementAction, unmet: UnmetPrecondition[]) {
    super(`The engagement cannot ${action}: ${unmet.length} precondition(s) unmet.`, unmet);
  }
}
