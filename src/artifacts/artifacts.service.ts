import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service.js';
import { creationChanges, diffChanges } from '../audit/changes.js';
import type { Actor } from '../auth/actor.js';
import { assertVersion } from '../common/concurrency.js';
import { type Page, pageByCreation } from '../common/pagination.js';
import { ConflictProblem, NotFoundProblem, ValidationProblem } from '../common/problem.js';
import { definedFields } from '../common/query-helpers.js';
import { updateVersioned } from '../common/versioned-update.js';
import {
  assertEngagementExists,
  lockEngagementForChange,
} from '../engagements/engagement-access.js';
import { type Engagement, EngagementKnowledgeRecipient } from '../engagements/engagement.entity.js';
import { Milestone } from '../milestones/milestone.entity.js';
import {
  type ArtifactAction,
  ARTIFACT_TRANSITIONS,
  artifactActionRefusal,
  mayAccept,
} from './artifact-rules.js';
import { RiskService } from '../risk/risk.service.js';
import { Artifact } from './artifact.entity.js';
import {
  type AcceptArtifactDto,
  ArtifactResponse,
  type CreateArtifactDto,
  type DeliverArtifactDto,
  type ListArtifactsQuery,
  type RejectArtifactDto,
  type UpdateArtifactDto,
} from './dto/artifact.dto.js';

const snapshot = (artifact: Artifact) => ({
  milestoneId: artifact.milestoneId,
  kind: artifact.kind,
  title: artifact.title,
  description: artifact.description,
  status: artifact.status,
  evidenceUrl: artifact.evidenceUrl,
  acceptedById: artifact.acceptedById,
  rejectionReason: artifact.rejectionReason,
});

type ChangeSet = {
  engagement: Engagement;
  current: Artifact;
  manager: EntityManager;
};

@Injectable()
export class ArtifactsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly audit: AuditService,
    private readonly risk: RiskService,
  ) {}

  async create(
    actor: Actor,
    engagementId: string,
    input: CreateArtifactDto,
  ): Promise<ArtifactResponse> {
    return this.dataSource.transaction(async (manager) => {
      await lockEngagementForChange(manager, actor, engagementId);
      const recordRiskChange = await this.risk.trackLevel(manager, engagementId);
      await this.assertMilestoneOf(manager, engagementId, input.milestoneId);
      const artifact = await manager.save(
        manager.create(Artifact, {
          engagementId,
          milestoneId: input.milestoneId,
          kind: input.kind,
          title: input.title,
          description: input.description ?? null,
        }),
      );
      await this.audit.record(manager, actor, {
        action: 'artifact.created',
        entityType: 'artifact',
        entityId: artifact.id,
        engagementId,
        changes: creationChanges(snapshot(artifact)),
      });
      await recordRiskChange(actor);
      return ArtifactResponse.from(artifact);
    });
  }

  async list(engagementId: string, query: ListArtifactsQuery): Promise<Page<ArtifactResponse>> {
    await assertEngagementExists(this.dataSource.manager, engagementId);
    const builder = this.dataSource
      .getRepository(Artifact)
      .createQueryBuilder('artifact')
      .where('artifact.engagementId = :engagementId', { engagementId });
    if (query.status) builder.andWhere('artifact.status = :status', { status: query.status });
    if (query.milestoneId)
      builder.andWhere('artifact.milestoneId = :milestoneId', { milestoneId: query.milestoneId });
    return pageByCreation(builder, query, ArtifactResponse.from);
  }

  async get(engagementId: string, id: string): Promise<ArtifactResponse> {
    return ArtifactResponse.from(await this.find(this.dataSource.manager, engagementId, id));
  }

  update(
    actor: Actor,
    engagementId: string,
    id: string,
    input: UpdateArtifactDto,
    ifMatch: number | undefined,
  ): Promise<ArtifactResponse> {
    return this.change(
      actor,
      engagementId,
      id,
      ifMatch,
      'artifact.updated',
      async ({ manager }) => {
        if (input.milestoneId !== undefined)
          await this.assertMilestoneOf(manager, engagementId, input.milestoneId);
        return { patch: definedFields(input, ['milestoneId', 'kind', 'title', 'description']) };
      },
    );
  }

  deliver(
    actor: Actor,
    engagementId: string,
    id: string,
    input: DeliverArtifactDto,
    ifMatch: number | undefined,
  ): Promise<ArtifactResponse> {
    return this.change(
      actor,
      engagementId,
      id,
      ifMatch,
      'artifact.delivered',
      async ({ current }) => {
        assertActionAllowed('deliver', current);
        return {
          patch: {
            status: ARTIFACT_TRANSITIONS.deliver.to,
            evidenceUrl: input.evidenceUrl,
            deliveredAt: new Date(),
            rejectionReason: null,
          },
          notes: input.notes,
        };
      },
    );
  }

  accept(
    actor: Actor,
    engagementId: string,
    id: string,
    input: AcceptArtifactDto,
    ifMatch: number | undefined,
  ): Promise<ArtifactResponse> {
    return this.change(
      actor,
      engagementId,
      id,
      ifMatch,
      'artifact.accepted',
      async ({ manager, engagement, current }) => {
        const recipients = await manager.find(EngagementKnowledgeRecipient, {
          where: { engagementId },
        });
        const eligible = {
          productOwnerId: engagement.productOwnerId,
          knowledgeRecipientIds: recipients.map((recipient) => recipient.personId),
        };
        if (!mayAccept(input.acceptedById, eligible)) {
          throw new ValidationProblem([
            {
              field: 'acceptedById',
              message:
                "acceptedById must be the engagement's product owner or one of its knowledge recipients",
            },
          ]);
        }
        assertActionAllowed('accept', current);
        return {
          patch: {
            status: ARTIFACT_TRANSITIONS.accept.to,
            acceptedAt: new Date(),
            acceptedById: input.acceptedById,
          },
          notes: input.notes,
        };
      },
    );
  }

  reject(
    actor: Actor,
    engagementId: string,
    id: string,
    input: RejectArtifactDto,
    ifMatch: number | undefined,
  ): Promise<ArtifactResponse> {
    return this.change(
      actor,
      engagementId,
      id,
      ifMatch,
      'artifact.rejected',
      async ({ current }) => {
        assertActionAllowed('reject', current);
        return {
          patch: {
            status: ARTIFACT_TRANSITIONS.reject.to,
            rejectionReason: input.reason,
            rejectionCount: current.rejectionCount + 1,
          },
        };
      },
    );
  }

  /**
   * One change to an artifact: locks its engagement (404/403/409 closed), reads the artifact,
   * checks If-Match, applies the patch the action computes, audits it.
   */
  private async change(
    actor: Actor,
    engagementId: string,
    id: string,
    ifMatch: number | undefined,
    action: string,
    decide: (changeSet: ChangeSet) => Promise<{ patch: Partial<Artifact>; notes?: string }>,
  ): Promise<ArtifactResponse> {
    return this.dataSource.transaction(async (manager) => {
      const engagement = await lockEngagementForChange(manager, actor, engagementId);
      const recordRiskChange = await this.risk.trackLevel(manager, engagementId);
      const current = await this.find(manager, engagementId, id, true);
      assertVersion(ifMatch, current.version);
      const { patch, notes } = await decide({ engagement, current, manager });
      const updated = await updateVersioned(manager, Artifact, current, ifMatch, patch);
      await this.audit.record(manager, actor, {
        action,
        entityType: 'artifact',
        entityId: id,
        engagementId,
        changes: {
          ...diffChanges(snapshot(current), snapshot(updated)),
          ...(notes ? { notes: { from: null, to: notes } } : {}),
        },
      });
      await recordRiskChange(actor);
      return ArtifactResponse.from(updated);
    });
  }

  private async find(
    manager: EntityManager,
    engagementId: string,
    id: string,
    lock = false,
  ): Promise<Artifact> {
    const artifact = await manager.findOne(Artifact, {
      where: { id, engagementId },
      ...(lock ? { lock: { mode: 'pessimistic_write' as const } } : {}),
    });
    if (artifact) return artifact;
    await assertEngagementExists(manager, engagementId);
    throw new NotFoundProblem('Artifact', id);
  }

  private async assertMilestoneOf(
    manager: EntityManager,
    engagementId: string,
    milestoneId: string,
  ): Promise<void> {
    if (!(await manager.existsBy(Milestone, { id: milestoneId, engagementId }))) {
      throw new ValidationProblem([
        { field: 'milestoneId', message: 'milestoneId must be a milestone of this engagement' },
      ]);
    }
  }
}

function assertActionAllowed(action: ArtifactAction, artifact: Artifact): void {
  const refusal = artifactActionRefusal(action, artifact.status);
  if (refusal)
    throw new ConflictProblem(refusal, [{ code: 'INVALID_ARTIFACT_STATUS', message: refusal }]);
}
