import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { creationChanges, diffChanges } from '../audit/changes.js';
import type { Actor } from '../auth/actor.js';
import { type Page, pageByCreation } from '../common/pagination.js';
import { ValidationProblem } from '../common/problem.js';
import { definedFields } from '../common/query-helpers.js';
import { updateVersioned } from '../common/versioned-update.js';
import { assertEngagementExists } from '../engagements/engagement-access.js';
import { EngagementWriter } from '../engagements/engagement-writer.js';
import { type Engagement, EngagementKnowledgeRecipient } from '../engagements/engagement.entity.js';
import { Milestone } from '../milestones/milestone.entity.js';
import {
  type ArtifactAction,
  ARTIFACT_TRANSITIONS,
  artifactActionRefusal,
  mayAccept,
} from './artifact-rules.js';
import { Artifact } from './artifact.entity.js';
import { ArtifactNotFoundError, InvalidArtifactStatusError } from './artifacts.errors.js';
import {
  type AcceptArtifactDto,
  ArtifactResponse,
  type CreateArtifactDto,
  type DeliverArtifactDto,
  type ListArtifactsQuery,
  type RejectArtifactDto,
  type UpdateArtifactDto,
} from './dto/artifact.dto.js';

/** The audited view of a new or changed row. */
export const artifactSnapshot = (artifact: Artifact) => ({
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
    private readonly writer: EngagementWriter,
  ) {}

  async create(
    actor: Actor,
    engagementId: string,
    input: CreateArtifactDto,
  ): Promise<ArtifactResponse> {
    const { result } = await this.writer.change(
      actor,
      engagementId,
      async ({ manager, audit, emit }) => {
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
        audit({
          action: 'artifact.created',
          entityType: 'artifact',
          entityId: artifact.id,
          changes: creationChanges(artifactSnapshot(artifact)),
        });
        const response = ArtifactResponse.from(artifact);
        emit('artifact.created', { ...response });
        return response;
      },
    );
    return result;
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

  /** One change to an artifact: the action computes the patch from the locked artifact. */
  private async change(
    actor: Actor,
    engagementId: string,
    id: string,
    ifMatch: number | undefined,
    action: 'artifact.updated' | 'artifact.delivered' | 'artifact.accepted' | 'artifact.rejected',
    decide: (changeSet: ChangeSet) => Promise<{ patch: Partial<Artifact>; notes?: string }>,
  ): Promise<ArtifactResponse> {
    // An edit of an artifact's description is audited, but not an event integrations hear of.
    const event = action === 'artifact.updated' ? undefined : action;
    const { result } = await this.writer.change(
      actor,
      engagementId,
      async ({ manager, engagement, audit, emit, lockChild }) => {
        const current = await lockChild(Artifact, id, ArtifactNotFoundError, ifMatch);
        const { patch, notes } = await decide({ engagement, current, manager });
        const updated = await updateVersioned(manager, Artifact, current, ifMatch, patch);
        audit({
          action,
          entityType: 'artifact',
          entityId: id,
          changes: {
            ...diffChanges(artifactSnapshot(current), artifactSnapshot(updated)),
            ...(notes ? { notes: { from: null, to: notes } } : {}),
          },
        });
        const response = ArtifactResponse.from(updated);
        if (event) emit(event, { ...response });
        return response;
      },
    );
    return result;
  }

  private async find(manager: EntityManager, engagementId: string, id: string): Promise<Artifact> {
    const artifact = await manager.findOne(Artifact, { where: { id, engagementId } });
    if (artifact) return artifact;
    await assertEngagementExists(manager, engagementId);
    throw new ArtifactNotFoundError(id);
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
  if (refusal) throw new InvalidArtifactStatusError(refusal);
}
