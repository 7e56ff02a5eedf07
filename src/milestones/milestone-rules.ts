import type { ProblemItem } from '../common/problem.js';
import type { EngagementStatus } from '../engagements/engagement-status.js';

export interface DueDateChangeInput {
  engagementStatus: EngagementStatus;
  currentDueDate: string;
  completedOn: string | null;
  newDueDate: string | undefined;
  reason: string | undefined;
}

export type DueDateChangeDecision =
  | { kind: 'none' }
  | { kind: 'plan' }
  | { kind: 'ledger'; slip: boolean }
  | { kind: 'invalid'; problems: ProblemItem[] }
  | { kind: 'completed' };

/**
 * How a due-date change is treated: before activation dates are plans and change freely;
 * from activation on every change needs a reason and goes to the ledger (a later date is a
 * slip); a completed milestone's date no longer changes.
 */
export function decideDueDateChange(input: DueDateChangeInput): DueDateChangeDecision {
  if (input.newDueDate === undefined || input.newDueDate === input.currentDueDate)
    return { kind: 'none' };
  if (input.completedOn !== null) return { kind: 'completed' };
  if (input.engagementStatus === 'draft') return { kind: 'plan' };
  if (!input.reason || input.reason.trim() === '') {
    return {
      kind: 'invalid',
      problems: [
        { field: 'reason', message: 'reason is required to change a due date after activation' },
      ],
    };
  }
  return { kind: 'ledger', slip: input.newDueDate > input.currentDueDate };
}
