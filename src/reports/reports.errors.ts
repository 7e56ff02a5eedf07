import { NotFoundProblem, ProblemException } from '../common/problem.js';

export class ReportNotFoundError extends NotFoundProblem {
  constructor(id: string) {
    super('Report', id);
  }
}

export class ReportOfWeekNotFoundError extends NotFoundProblem {
  constructor(week: string) {
    super('The report of week', week);
  }
}

/** A report is a snapshot of now: only the current ISO week is generated. */
export class WeekNotCurrentError extends ProblemException {
  constructor(currentWeek: string) {
    super({
      status: 422,
      type: 'week-not-current',
      detail: `Only the current week (${currentWeek}) can be generated: a report is a snapshot of now, never back-dated or ahead of time.`,
    });
  }
}
