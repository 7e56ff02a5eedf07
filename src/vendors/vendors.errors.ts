import { ConflictProblem, NotFoundProblem } from '../common/problem.js';

export class VendorNotFoundError extends NotFoundProblem {
  constructor(id: string) {
    super('Vendor', id);
  }
}

export class VendorNameTakenError extends ConflictProblem {
  static readonly code = 'VENDOR_NAME_TAKEN';

  constructor(name: string) {
    super(`A vendor named "${name}" already exists.`, [
      { code: VendorNameTakenError.code, message: 'Vendor names are unique, ignoring case.' },
    ]);
  }
}

/** A vendor's engagements keep their history attributable: it is not deleted while it has any. */
export class VendorHasEngagementsError extends ConflictProblem {
  static readonly code = 'VENDOR_HAS_ENGAGEMENTS';

  constructor(engagements: number) {
    super(`The vendor has ${engagements} engagement(s) and cannot be deleted.`, [
      {
        code: VendorHasEngagementsError.code,
        message: 'Only a vendor without engagements can be deleted.',
      },
    ]);
  }
}
