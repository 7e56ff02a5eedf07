import { ConflictProblem, NotFoundProblem } from '../common/problem.js';
import type { LearningSprint } from './learning-sprint.entity.js';
import { MENTOR_MAX_LEARNERS } from './learning-rules.js';

export class LearningSprintNotFoundError extends NotFoundProblem {
  constructor(id: string) {
    super('Learning sprint', id);
  }
}

export class MentorOverloadedError extends ConflictProblem {
  static readonly code = 'MENTOR_OVERLOADED';

  /** `learners`: the distinct learners the mentor would teach in overlapping sprints. */
  constructor(learners: string[]) {
    super(`The mentor would teach ${learners.length} distinct learners in overlapping sprints.`, [
      {
        code: MentorOverloadedError.code,
        message: `A mentor has at most ${MENTOR_MAX_LEARNERS} distinct learners across overlapping sprints.`,
      },
    ]);
  }
}

export class SprintNotStartedError extends ConflictProblem {
  static readonly code = 'SPRINT_NOT_STARTED';

  constructor(sprint: Pick<LearningSprint, 'startsOn'>) {
    super(`The sprint starts on ${sprint.startsOn}.`, [
      {
        code: SprintNotStartedError.code,
        message: 'A sprint is completed on or after its first day.',
      },
    ]);
  }
}

export class SprintAlreadyCompletedError extends ConflictProblem {
  static readonly code = 'SPRINT_ALREADY_COMPLETED';

  constructor() {
    super('The sprint is completed.', [
      { code: SprintAlreadyCompletedError.code, message: 'A sprint is completed once.' },
    ]);
  }
}
