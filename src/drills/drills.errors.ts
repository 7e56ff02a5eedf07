import { ConflictProblem, NotFoundProblem } from '../common/problem.js';
import type { Drill } from './drill.entity.js';

export class DrillNotFoundError extends NotFoundProblem {
  constructor(id: string) {
    super('Drill', id);
  }
}

export class DrillAlreadyRecordedError extends ConflictProblem {
  static readonly code = 'DRILL_ALREADY_RECORDED';

  constructor(drill: Pick<Drill, 'recordedAt'>) {
    super(`The drill was recorded on ${drill.recordedAt?.toISOString()}.`, [
      {
        code: DrillAlreadyRecordedError.code,
        message: 'A recorded drill is evidence and never changes.',
      },
    ]);
  }
}
