import { ConflictProblem, NotFoundProblem } from '../common/problem.js';

export class ArtifactNotFoundError extends NotFoundProblem {
  constructor(id: string) {
    super('Artifact', id);
  }
}

/** The artifact's status does not allow the action; `refusal` says which status it needs. */
export class InvalidArtifactStatusError extends ConflictProblem {
  static readonly code = 'INVALID_ARTIFACT_STATUS';

  constructor(refusal: string) {
    super(refusal, [{ code: InvalidArtifactStatusError.code, message: refusal }]);
  }
}
