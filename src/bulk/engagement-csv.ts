import { joinList, joinPairs, splitList, splitPairs, unneutralized } from '../common/csv.js';
import type { ProblemItem } from '../common/problem.js';
import type { EngagementResponse } from '../engagements/dto/engagement.response.js';

/** The columns an import reads (SPEC §10); empty cells are absent values. */
export const IMPORT_COLUMNS = [
  'title',
  'vendorName',
  'vendorId',
  'contractRef',
  'productOwnerEmail',
  'productOwnerId',
  'problem',
  'successMetrics',
  'constraints',
  'tradeOffOwnerEmail',
  'tradeOffOwnerId',
  'tradeOffRule',
  'knowledgeRecipientEmails',
  'startDate',
  'contractEndDate',
  'noticePeriodDays',
  'finalHandoverDate',
  'criticality',
] as const;

type ImportColumn = (typeof IMPORT_COLUMNS)[number];

/** What an export adds and an import ignores. */
export const READ_ONLY_COLUMNS = [
  'id',
  'status',
  'riskLevel',
  'riskScore',
  'dependencyTrap',
  'lastSafeHandoverDate',
  'createdAt',
] as const;

type ReadOnlyColumn = (typeof READ_ONLY_COLUMNS)[number];

/** The export's columns: by natural keys, so that the file imports into another instance. */
export const EXPORT_COLUMNS = [
  'id',
  'title',
  'vendorName',
  'contractRef',
  'productOwnerEmail',
  'problem',
  'successMetrics',
  'constraints',
  'tradeOffOwnerEmail',
  'tradeOffRule',
  'knowledgeRecipientEmails',
  'startDate',
  'contractEndDate',
  'noticePeriodDays',
  'finalHandoverDate',
  'criticality',
  'status',
  'riskLevel',
  'riskScore',
  'dependencyTrap',
  'lastSafeHandoverDate',
  'createdAt',
] as const satisfies readonly (ImportColumn | ReadOnlyColumn)[];

type ExportColumn = (typeof EXPORT_COLUMNS)[number];

const KNOWN_COLUMNS = new Set<string>([...IMPORT_COLUMNS, ...READ_ONLY_COLUMNS]);

/** Columns inside `spec` of the JSON body. */
const SPEC_COLUMNS = new Set<ImportColumn>([
  'problem',
  'successMetrics',
  'constraints',
  'tradeOffOwnerEmail',
  'tradeOffOwnerId',
  'tradeOffRule',
]);

/** Problems of a header row: unknown and repeated columns. */
export function headerProblems(header: string[]): ProblemItem[] {
  const seen = new Set<string>();
  return header.flatMap((column, index) => {
    const problems: ProblemItem[] = [];
    if (!KNOWN_COLUMNS.has(column)) {
      problems.push({
        row: 0,
        field: column,
        code: 'UNKNOWN_COLUMN',
        message: `column ${index + 1} (${JSON.stringify(column)}) is not one of ${IMPORT_COLUMNS.join(', ')}`,
      });
    } else if (seen.has(column)) {
      problems.push({
        row: 0,
        field: column,
        code: 'REPEATED_COLUMN',
        message: `column ${column} appears more than once`,
      });
    }
    seen.add(column);
    return problems;
  });
}

/**
 * The JSON import body of one CSV data row (`row` as SPEC §10 counts), and the problems of
 * cells that do not follow the column's format. Read-only columns are ignored.
 */
export function bodyOfCsvRow(
  header: string[],
  cells: string[],
  row: number,
): { body: Record<string, unknown>; problems: ProblemItem[] } {
  const body: Record<string, unknown> = {};
  const spec: Record<string, unknown> = {};
  const problems: ProblemItem[] = [];
  header.forEach((column, index) => {
    const cell = unneutralized(cells[index] ?? '');
    if (cell === '' || !(IMPORT_COLUMNS as readonly string[]).includes(column)) return;
    const target = SPEC_COLUMNS.has(column as ImportColumn) ? spec : body;
    switch (column as ImportColumn) {
      case 'successMetrics': {
        const metrics = splitPairs(cell);
        if (metrics) target.successMetrics = metrics;
        else
          problems.push({
            row,
            field: 'spec.successMetrics',
            code: 'INVALID_FORMAT',
            message: 'successMetrics must be "name: target" pairs separated by ";"',
          });
        return;
      }
      case 'constraints':
      case 'knowledgeRecipientEmails':
        target[column] = splitList(cell, ';');
        return;
      case 'noticePeriodDays':
        // Anything but digits is left as text, for validation to name.
        target[column] = /^\d{1,9}$/.test(cell) ? Number(cell) : cell;
        return;
      default:
        target[column] = cell;
    }
  });
  if (Object.keys(spec).length > 0) body.spec = spec;
  return { body, problems };
}

/** A JSON body path as the CSV column that holds it (`spec.problem` is `problem`). */
export function csvField(field: string | undefined): string | undefined {
  return field?.replace(/^spec\./, '');
}

/** What an export row needs beyond the engagement response: names for its references. */
export interface ExportNames {
  vendorName: string;
  emails: Map<string, string>;
  finalHandoverDate: string | null;
}

/** The export row of an engagement, column by column. */
export function exportRecord(
  engagement: EngagementResponse,
  names: ExportNames,
): Record<ExportColumn, unknown> {
  const email = (id: string) => names.emails.get(id) ?? '';
  return {
    id: engagement.id,
    title: engagement.title,
    vendorName: names.vendorName,
    contractRef: engagement.contractRef,
    productOwnerEmail: email(engagement.productOwnerId),
    problem: engagement.spec.problem,
    successMetrics: joinPairs(engagement.spec.successMetrics),
    constraints: joinList(engagement.spec.constraints, ';'),
    tradeOffOwnerEmail: email(engagement.spec.tradeOffOwnerId),
    tradeOffRule: engagement.spec.tradeOffRule,
    knowledgeRecipientEmails: joinList(engagement.knowledgeRecipientIds.map(email).sort(), ';'),
    startDate: engagement.startDate,
    contractEndDate: engagement.contractEndDate,
    noticePeriodDays: engagement.noticePeriodDays,
    finalHandoverDate: names.finalHandoverDate,
    criticality: engagement.criticality,
    status: engagement.status,
    riskLevel: engagement.risk.level,
    riskScore: engagement.risk.score,
    dependencyTrap: engagement.risk.dependencyTrap,
    lastSafeHandoverDate: engagement.lastSafeHandoverDate,
    createdAt: engagement.createdAt,
  };
}
