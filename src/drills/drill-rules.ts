import type { ProblemItem } from '../common/problem.js';

/** Participants must be knowledge recipients of the engagement (SPEC §8). */
export function participantProblems(
  participantIds: string[],
  recipientIds: string[],
): ProblemItem[] {
  const recipients = new Set(recipientIds);
  return participantIds.flatMap((id, index) =>
    recipients.has(id)
      ? []
      : [
          {
            field: `participantIds[${index}]`,
            message: 'participantIds must name knowledge recipients of the engagement',
          },
        ],
  );
}

/**
 * The observer sees the drill from outside: the product owner, or a knowledge recipient who
 * does not take part (SPEC §8).
 */
export function observerProblems(
  observedById: string,
  drill: { participantIds: string[] },
  engagement: { productOwnerId: string; recipientIds: string[] },
): ProblemItem[] {
  if (drill.participantIds.includes(observedById)) {
    return [
      { field: 'observedById', message: 'observedById must not be a participant of the drill' },
    ];
  }
  if (
    observedById !== engagement.productOwnerId &&
    !engagement.recipientIds.includes(observedById)
  ) {
    return [
      {
        field: 'observedById',
        message:
          'observedById must be the product owner or a knowledge recipient of the engagement',
      },
    ];
  }
  return [];
}
