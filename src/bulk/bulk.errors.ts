import {
  ConflictProblem,
  ForbiddenProblem,
  ProblemException,
  type ProblemItem,
} from '../common/problem.js';
import { ContractRefTakenError } from '../engagements/engagements.errors.js';
import { IMPORT_ERROR_LIMIT } from './import-problem.js';

/** The 422 of an import: every problem of every row; nothing was written. */
export class ImportInvalidError extends ProblemException {
  constructor(problems: ProblemItem[], rows: number) {
    const sorted = [...problems].sort((a, b) => (a.row ?? 0) - (b.row ?? 0));
    const faulty = new Set(sorted.map((problem) => problem.row)).size;
    super({
      status: 422,
      type: 'import-invalid',
      detail: `${sorted.length} problem${sorted.length === 1 ? '' : 's'} in ${faulty} of ${rows} rows; nothing was imported.`,
      errors: sorted,
      errorLimit: IMPORT_ERROR_LIMIT,
    });
  }
}

export class ImportTooLargeError extends ProblemException {
  static readonly code = 'TOO_MANY_ROWS';

  constructor(rows: number, maxRows: number) {
    super({
      status: 422,
      type: 'import-too-large',
      detail: `The import has ${rows} rows; at most ${maxRows} (IMPORT_MAX_ROWS) are accepted at once. Nothing was imported.`,
      errors: [
        { field: 'body', code: ImportTooLargeError.code, message: `at most ${maxRows} rows` },
      ],
    });
  }
}

/** A vendor or person the import creates was created by another request meanwhile. */
export class ReferenceCreatedConcurrentlyError extends ConflictProblem {
  static readonly code = 'REFERENCE_CREATED_CONCURRENTLY';

  constructor() {
    super(
      'Another request created one of the vendors or people this import creates; nothing was imported. Retry: the import then finds them.',
      [
        {
          code: ReferenceCreatedConcurrentlyError.code,
          message: 'Vendor names and e-mails are unique.',
        },
      ],
    );
  }
}

/** A contract reference of the import was taken by another request meanwhile. */
export class ImportContractRefTakenError extends ConflictProblem {
  static readonly code = ContractRefTakenError.code;

  constructor() {
    super(
      'Another request took one of the contract references during the import; nothing was imported.',
      [{ code: ImportContractRefTakenError.code, message: 'Contract references are unique.' }],
    );
  }
}

export class ExportBeyondOwnEngagementsError extends ForbiddenProblem {
  constructor() {
    super('A product owner may export only the engagements they own.');
  }
}
