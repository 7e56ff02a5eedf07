import { Injectable } from '@nestjs/common';
import { diffChanges } from '../audit/changes.js';
import type { Actor } from '../auth/actor.js';
import { updateVersioned } from '../common/versioned-update.js';
import { MilestoneResponse } from '../milestones/dto/milestone.dto.js';
import { Milestone } from '../milestones/milestone.entity.js';
import type { RiskFacts } from '../risk/assess-risk.js';
import { RiskService } from '../risk/risk.service.js';
import type { CancelEngagementDto } from './dto/engagement.dto.js';
import type { EngagementResponse } from './dto/engagement.response.js';
import { EngagementResponses } from './engagement-responses.js';
import { EngagementWriter, type WriteContext } from './engagement-writer.js';
import { Engagement } from './engagement.entity.js';
import { PreconditionsUnmetError } from './engagements.errors.js';
import { recipientsOf, snapshot } from './engagements.service.js';
import {
  type EngagementAction,
  type EngagementFacts,
  TRANSITIONS,
  unmetPreconditions,
} from './transitions.js';

const PAST_TENSE: Record<EngagementAction, 'activated' | 'completed' | 'cancelled'> = {
  activate: 'activated',
  complete: 'completed',
  cancel: 'cancelled',
};

/** What the lifecycle rules need, from the stored risk facts (kept current by every write). */
function lifecycleFacts(
  engagement: Engagement,
  facts: RiskFacts | undefined,
  independentOperatorCount: number,
): EngagementFacts {
  return {
    status: engagement.status,
    finalHandoverCount: facts?.finalHandover ? 1 : 0,
    finalHandoverCompleted: !!facts?.finalHandover?.completedOn,
    artifactCount: facts?.artifactCount ?? 0,
    unacceptedArtifactCount: (facts?.artifactCount ?? 0) - (facts?.acceptedArtifactCount ?? 0),
    knowledgeRecipientCount: facts?.knowledgeRecipientCount ?? 0,
    independentOperatorCount,
    minIndependentOperators: engagement.minIndependentOperators,
  };
}

/** The lifecycle actions: activate, complete, cancel (SPEC §2). */
@Injectable()
export class EngagementLifecycleService {
  constructor(
    private readonly writer: EngagementWriter,
    private readonly responses: EngagementResponses,
    private readonly risk: RiskService,
  ) {}

  activate(actor: Actor, id: string, ifMatch: number | undefined): Promise<EngagementResponse> {
    return this.transition(actor, id, ifMatch, 'activate', async ({ manager, audit, emit }) => {
      // Activation freezes the plan: each milestone's due date becomes its baseline, a change
      // of the milestone like any other (a new version, so a new ETag, and an audit event).
      const milestones = await manager.find(Milestone, { where: { engagementId: id } });
      await manager.query(
        `UPDATE milestones SET baseline_due_date = due_date, version = version + 1, updated_at = now()
          WHERE engagement_id = $1`,
        [id],
      );
      const baselined = new Map(
        (await manager.find(Milestone, { where: { engagementId: id } })).map((milestone) => [
          milestone.id,
          milestone,
        ]),
      );
      for (const milestone of milestones) {
        emit('milestone.updated', {
          ...MilestoneResponse.from(baselined.get(milestone.id) as Milestone),
        });
        audit({
          action: 'milestone.baselined',
          entityType: 'milestone',
          entityId: milestone.id,
          changes: diffChanges(
            { baselineDueDate: milestone.baselineDueDate },
            { baselineDueDate: milestone.dueDate },
          ),
        });
      }
      return { activatedAt: new Date() };
    });
  }

  complete(actor: Actor, id: string, ifMatch: number | undefined): Promise<EngagementResponse> {
    return this.transition(actor, id, ifMatch, 'complete', async () => ({
      completedAt: new Date(),
    }));
  }

  cancel(
    actor: Actor,
    id: string,
    input: CancelEngagementDto,
    ifMatch: number | undefined,
  ): Promise<EngagementResponse> {
    return this.transition(actor, id, ifMatch, 'cancel', async () => ({
      cancelledAt: new Date(),
      cancelReason: input.reason,
    }));
  }

  /**
   * Runs a lifecycle action: checks every precondition of the transition table at once (409
   * listing the unmet ones), then moves the status and applies the action's own changes.
   */
  private async transition(
    actor: Actor,
    id: string,
    ifMatch: number | undefined,
    action: EngagementAction,
    apply: (context: WriteContext) => Promise<Partial<Engagement>>,
  ): Promise<EngagementResponse> {
    await this.writer.change(
      actor,
      id,
      async (context) => {
        const { manager, engagement: current, facts, audit, emitEngagement } = context;
        const operators = facts ? this.risk.independentOperators(facts).length : 0;
        const unmet = unmetPreconditions(action, lifecycleFacts(current, facts, operators));
        if (unmet.length > 0) throw new PreconditionsUnmetError(action, unmet);
        const changes = await apply(context);
        const updated = await updateVersioned(manager, Engagement, current, ifMatch, {
          ...changes,
          status: TRANSITIONS[action].to,
        });
        const recipients = await recipientsOf(manager, id);
        audit({
          action: `engagement.${PAST_TENSE[action]}`,
          entityType: 'engagement',
          entityId: id,
          changes: diffChanges(snapshot(current, recipients), snapshot(updated, recipients)),
        });
        emitEngagement(`engagement.${PAST_TENSE[action]}`);
      },
      { ifMatch, allowClosed: true },
    );
    return this.responses.one(id);
  }
}
