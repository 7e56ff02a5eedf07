import type { EntityManager } from 'typeorm';
import type { Actor } from '../auth/actor.js';
import { ConflictProblem, ForbiddenProblem, NotFoundProblem } from '../common/problem.js';
import { Engagement } from './engagement.entity.js';

/** A product owner key changes only the engagements whose product owner is its person. */
export function assertMayChange(
  actor: Actor,
  engagement: Pick<Engagement, 'productOwnerId'>,
): void {
  if (actor.role === 'product_owner' && engagement.productOwnerId !== actor.personId) {
    throw new ForbiddenProblem('A product owner may change only the engagements they own.');
  }
}

export function closedEngagement(engagement: Pick<Engagement, 'status'>): ConflictProblem {
  return new ConflictProblem(`The engagement is ${engagement.status} and can no longer change.`, [
    { code: 'ENGAGEMENT_CLOSED', message: 'Completed and cancelled engagements are read-only.' },
  ]);
}

/** 404 unless the engagement exists (for reads of its milestones and artifacts). */
export async function assertEngagementExists(manager: EntityManager, id: string): Promise<void> {
  if (!(await manager.existsBy(Engagement, { id }))) throw new NotFoundProblem('Engagement', id);
}
