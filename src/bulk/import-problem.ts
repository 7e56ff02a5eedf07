import { ApiPropertyOptional } from '@nestjs/swagger';
import { ProblemDetails, ProblemItem } from '../common/problem.js';

/** How many problems an import's 422 lists; its detail counts them all. */
export const IMPORT_ERROR_LIMIT = 10_000;

/** The 422 of an import: a problem document that lists up to 10,000 problems, each with its row. */
export class ImportProblemDetails extends ProblemDetails {
  @ApiPropertyOptional({
    maxItems: IMPORT_ERROR_LIMIT,
    description: 'Every problem of every row, by row (at most 10,000)',
    type: [ProblemItem],
  })
  declare errors?: ProblemItem[];
}
