import { ConflictProblem, NotFoundProblem } from '../common/problem.js';

export class PersonNotFoundError extends NotFoundProblem {
  constructor(id: string) {
    super('Person', id);
  }
}

export class PersonEmailTakenError extends ConflictProblem {
  static readonly code = 'PERSON_EMAIL_TAKEN';

  constructor(email: string) {
    super(`A person with e-mail ${email} already exists.`, [
      { code: PersonEmailTakenError.code, message: 'E-mail addresses are unique, ignoring case.' },
    ]);
  }
}
