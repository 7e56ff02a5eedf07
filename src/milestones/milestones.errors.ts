import { ConflictProblem, NotFoundProblem } from '../common/problem.js';

export class MilestoneNotFoundError extends NotFoundProblem {
  constructor(id: string) {
    super('Milestone', id);
  }
}

export class FinalHandoverExistsError extends ConflictProblem {
  static readonly code = 'FINAL_HANDOVER_EXISTS';

  constructor() {
    super('The engagement already has a final handover milestone.', [
      {
        code: FinalHandoverExistsError.code,
        message: 'An engagement has at most one final_handover milestone.',
      },
    ]);
  }
}

/** After activation the kinds are part of the agreed plan. */
export class KindFrozenError extends ConflictProblem {
  static readonly code = 'KIND_FROZEN';

  constructor() {
    super("A milestone's kind changes only before activation.", [
      {
        code: KindFrozenError.code,
        message: 'The engagement is active: milestone kinds are part of the agreed plan.',
      },
    ]);
  }
}

/** A completed milestone's due date no longer changes. */
export class MilestoneCompletedError extends ConflictProblem {
  static readonly code = 'MILESTONE_COMPLETED';

  constructor() {
    const message = 'The milestone is completed; its due date no longer changes.';
    super(message, [{ code: MilestoneCompletedError.code, message }]);
  }
}

/** Completion refused: `unmet` lists every precondition not met. */
export class MilestoneNotCompletableError extends ConflictProblem {
  constructor(unmet: { code: string; message: string }[]) {
    super(`The milestone cannot be completed: ${unmet.length} precondition(s) unmet.`, unmet);
  }
}
