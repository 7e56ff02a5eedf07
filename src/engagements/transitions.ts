import { type EngagementStatus, OPEN_STATUSES } from './engagement-status.js';

/** What the lifecycle rules need to know about an engagement. */
export interface EngagementFacts {
  status: EngagementStatus;
  finalHandoverCount: number;
  finalHandoverCompleted: boolean;
  artifactCount: number;
  unacceptedArtifactCount: number;
  knowledgeRecipientCount: number;
  /** Independent operators today, and how many completion requires (SPEC §8). */
  independentOperatorCount: number;
  minIndependentOperators: number;
}

export type EngagementAction = 'activate' | 'complete' | 'cancel';

export interface UnmetPrecondition {
  code: string;
  message: string;
}

interface Precondition {
  code: string;
  holds: (facts: EngagementFacts) => boolean;
  message: (facts: EngagementFacts) => string;
}

interface Transition {
  from: readonly EngagementStatus[];
  to: EngagementStatus;
  requires: Precondition[];
}

/** The lifecycle as data: which action leads where, from where, under which conditions. */
export const TRANSITIONS: Record<EngagementAction, Transition> = {
  activate: {
    from: ['draft'],
    to: 'active',
    requires: [
      {
        code: 'NO_FINAL_HANDOVER',
        holds: (facts) => facts.finalHandoverCount === 1,
        message: () => 'A final_handover milestone with a due date is required.',
      },
      {
        code: 'NO_KT_ARTIFACTS',
        holds: (facts) => facts.artifactCount > 0,
        message: () => 'At least one knowledge-transfer artifact is required.',
      },
      {
        code: 'NO_KNOWLEDGE_RECIPIENTS',
        holds: (facts) => facts.knowledgeRecipientCount > 0,
        message: () => 'At least one knowledge recipient is required.',
      },
    ],
  },
  complete: {
    from: ['active'],
    to: 'completed',
    requires: [
      {
        code: 'FINAL_HANDOVER_NOT_COMPLETED',
        holds: (facts) => facts.finalHandoverCompleted,
        message: () => 'The final handover milestone must be completed first.',
      },
      {
        code: 'ARTIFACTS_NOT_ACCEPTED',
        holds: (facts) => facts.unacceptedArtifactCount === 0,
        message: (facts) =>
          `${facts.unacceptedArtifactCount} knowledge-transfer artifact(s) are not accepted yet.`,
      },
      {
        code: 'INDEPENDENT_OPERATORS_MISSING',
        holds: (facts) => facts.independentOperatorCount >= facts.minIndependentOperators,
        message: (facts) =>
          `${facts.minIndependentOperators} independent operator(s) are required and ${facts.independentOperatorCount} have passed a drill without vendor help.`,
      },
    ],
  },
  cancel: { from: OPEN_STATUSES, to: 'cancelled', requires: [] },
};

/** Every unmet precondition of an action; empty when it may proceed. */
export function unmetPreconditions(
  action: EngagementAction,
  facts: EngagementFacts,
): UnmetPrecondition[] {
  const transition = TRANSITIONS[action];
  const unmet: UnmetPrecondition[] = [];
  if (!transition.from.includes(facts.status)) {
    unmet.push({
      code: 'INVALID_STATUS',
      message: `The engagement is ${facts.status}; ${action} needs status ${transition.from.join(' or ')}.`,
    });
  }
  for (const precondition of transition.requires) {
    if (!precondition.holds(facts))
      unmet.push({ code: precondition.code, message: precondition.message(facts) });
  }
  return unmet;
}
