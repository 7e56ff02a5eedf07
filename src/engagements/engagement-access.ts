import type { EntityManager } from 'typeorm';
import type { Actor } from '../auth/actor.js';
import { Engagement } from './engagement.entity.js';
import { EngagementNotFoundError, NotEngagementOwnerError } from './engagements.errors.js';

/** A product owner key changes only the engagements whose product owner is its person. */
export function assertMayChange(
  actor: Actor,
  engagement: Pick<Engagement, 'productOwnerId'>,
): void {
  if (actor.role === 'product_owner' && engagement.productOwnerId !== actor.personId) {
    throw new NotEngagementOwnerError();
  }
}

/** 404 unless the engagement exists (for reads of its milestones and artifacts). */
export async function assertEngagementExists(manager: EntityManager, id: string): Promise<void> {
  if (!(await manager.existsBy(Engagement, { id }))) throw new EngagementNotFoundError(id);
}
