import type { ArtifactStatus } from './artifact.entity.js';

export type ArtifactAction = 'deliver' | 'accept' | 'reject';

/** The review cycle as data: required → delivered → accepted, or delivered → rejected → delivered. */
export const ARTIFACT_TRANSITIONS: Record<
  ArtifactAction,
  { from: ArtifactStatus[]; to: ArtifactStatus }
> = {
  deliver: { from: ['required', 'rejected'], to: 'delivered' },
  accept: { from: ['delivered'], to: 'accepted' },
  reject: { from: ['delivered'], to: 'rejected' },
};

/** Why the action is not possible from this status, or undefined when it is. */
export function artifactActionRefusal(
  action: ArtifactAction,
  status: ArtifactStatus,
): string | undefined {
  const transition = ARTIFACT_TRANSITIONS[action];
  return transition.from.includes(status)
    ? undefined
    : `The artifact is ${status}; ${action} needs status ${transition.from.join(' or ')}.`;
}

/** Only the engagement's product owner or one of its knowledge recipients accepts knowledge. */
export function mayAccept(
  acceptorId: string,
  engagement: { productOwnerId: string; knowledgeRecipientIds: string[] },
): boolean {
  return (
    acceptorId === engagement.productOwnerId ||
    engagement.knowledgeRecipientIds.includes(acceptorId)
  );
}
