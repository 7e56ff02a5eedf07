import type { ProblemItem } from '../common/problem.js';
import { daysBetween } from '../common/dates.js';
import type { SprintLength } from '../config/policies.js';

/** A mentor teaches at most this many distinct learners at a time (SPEC §9). */
export const MENTOR_MAX_LEARNERS = 3;

export interface DateRange {
  startsOn: string;
  endsOn: string;
}

/**
 * What is wrong with a sprint's dates: `endsOn − startsOn` outside the allowed length, or an
 * end after the milestone it prepares for is due.
 */
export function sprintDateProblems(
  sprint: DateRange,
  milestoneDueDate: string | undefined,
  length: SprintLength,
): ProblemItem[] {
  const problems: ProblemItem[] = [];
  const days = daysBetween(sprint.startsOn, sprint.endsOn);
  if (days < length.minDays || days > length.maxDays) {
    problems.push({
      field: 'endsOn',
      message: `endsOn must be ${length.minDays} to ${length.maxDays} days after startsOn, not ${days}`,
    });
  }
  if (milestoneDueDate !== undefined && sprint.endsOn > milestoneDueDate) {
    problems.push({
      field: 'endsOn',
      message: `endsOn must be on or before the milestone's due date (${milestoneDueDate})`,
    });
  }
  return problems;
}

/** Learners must be knowledge recipients, and the mentor is not one of the learners. */
export function peopleProblems(
  sprint: { mentorId: string; learnerIds: string[] },
  recipientIds: string[],
): ProblemItem[] {
  const recipients = new Set(recipientIds);
  const problems: ProblemItem[] = sprint.learnerIds.flatMap((id, index) =>
    recipients.has(id)
      ? []
      : [
          {
            field: `learnerIds[${index}]`,
            message: 'learnerIds must name knowledge recipients of the engagement',
          },
        ],
  );
  if (sprint.learnerIds.includes(sprint.mentorId)) {
    problems.push({ field: 'mentorId', message: 'mentorId must not be one of the learners' });
  }
  return problems;
}

/** Two date ranges overlap when they share a day: one ending on the day the other starts does. */
export const overlaps = (a: DateRange, b: DateRange): boolean =>
  a.startsOn <= b.endsOn && b.startsOn <= a.endsOn;

/**
 * The distinct learners a mentor would teach during the new sprint: its own and those of every
 * sprint of theirs that overlaps it.
 */
export function mentorLearners(
  sprint: DateRange & { learnerIds: string[] },
  mentorSprints: (DateRange & { learnerIds: string[] })[],
): string[] {
  const learners = new Set(sprint.learnerIds);
  for (const other of mentorSprints) {
    if (overlaps(sprint, other)) for (const id of other.learnerIds) learners.add(id);
  }
  return [...learners].sort();
}
