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
