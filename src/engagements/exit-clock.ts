import { addDays } from '../common/dates.js';

/**
 * The last date the company can still leave the vendor in an orderly way: the contract end
 * minus the notice period. Null without a contract end date.
 */
export function lastSafeHandoverDate(
  contractEndDate: string | null,
  noticePeriodDays: number,
): string | null {
  return contractEndDate === null ? null : addDays(contractEndDate, -noticePeriodDays);
}

/** The same rule in SQL, for the engagements row `alias` (the risk facts compute it there). */
export const lastSafeHandoverDateSql = (alias: string): string =>
  `CASE WHEN ${alias}.contract_end_date IS NULL THEN NULL
            ELSE (${alias}.contract_end_date - ${alias}.notice_period_days)::date END`;
