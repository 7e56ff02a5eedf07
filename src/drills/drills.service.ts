import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager, In } from 'typeorm';
import { Artifact } from '../artifacts/artifact.entity.js';
import { auditedView, creationChanges, diffChanges } from '../audit/changes.js';
import type { Actor } from '../auth/actor.js';
import { Clock } from '../common/clock.js';
import { type Page, type PageQuery, pageByCreation } from '../common/pagination.js';
import { ValidationProblem } from '../common/problem.js';
import { updateVersioned } from '../common/versioned-update.js';
import { assertEngagementExists } from '../engagements/engagement-access.js';
import { EngagementWriter } from '../engagements/engagement-writer.js';
import { recipientsOf } from '../engagements/engagements.service.js';
import { Drill, DrillArtifact, DrillParticipant } from './drill.entity.js';
import { observerProblems, participantProblems } from './drill-rules.js';
import { DrillAlreadyRecordedError, DrillNotFoundError } from './drills.errors.js';
import { type CreateDrillDto, DrillResponse, type RecordDrillDto } from './dto/drill.dto.js';

/** The audited view of a drill: what the API shows, but for identity and bookkeeping. */
const snapshot = (drill: DrillResponse) =>
  auditedView(drill, ['id', 'engagementId', 'recordedAt', 'createdAt', 'updatedAt', 'version']);

interface DrillLinks {
  participantIds: string[];
  artifactIds: string[];
}

/** Participants and artifacts of the given drills, sorted: a lookup by drill id. */
async function linksOf(
  manager: EntityManager,
  drillIds: string[],
): Promise<(drillId: string) => DrillLinks> {
  const links = new Map<string, DrillLinks>(
    drillIds.map((id) => [id, { participantIds: [], artifactIds: [] }]),
  );
  if (drillIds.length > 0) {
    const where = { drillId: In(drillIds) };
    for (const row of await manager.find(DrillParticipant, { where, order: { personId: 'ASC' } }))
      links.get(row.drillId)?.participantIds.push(row.personId);
    for (const row of await manager.find(DrillArtifact, { where, order: { artifactId: 'ASC' } }))
      links.get(row.drillId)?.artifactIds.push(row.artifactId);
  }
  return (drillId) => links.get(drillId) ?? { participantIds: [], artifactIds: [] };
}

/** Drills (SPEC §8): planned, then recorded once as evidence of who can operate the system. */
@Injectable()
export class DrillsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly writer: EngagementWriter,
    private readonly clock: Clock,
  ) {}

  async create(actor: Actor, engagementId: string, input: CreateDrillDto): Promise<DrillResponse> {
    const artifactIds = [...(input.artifactIds ?? [])].sort();
    const participantIds = [...input.participantIds].sort();
    const { result } = await this.writer.change(
      actor,
      engagementId,
      async ({ manager, audit, emit }) => {
        const problems = [
          ...participantProblems(input.participantIds, await recipientsOf(manager, engagementId)),
          ...(await this.artifactProblems(manager, engagementId, input.artifactIds ?? [])),
        ];
        if (problems.length > 0) throw new ValidationProblem(problems);
        const drill = await manager.save(
          manager.create(Drill, {
            engagementId,
            kind: input.kind,
            title: input.title,
            scenario: input.scenario,
            scheduledOn: input.scheduledOn ?? null,
          }),
        );
        await manager.insert(
          DrillParticipant,
          participantIds.map((personId) => ({ drillId: drill.id, personId })),
        );
        if (artifactIds.length > 0) {
          await manager.insert(
            DrillArtifact,
            artifactIds.map((artifactId) => ({ drillId: drill.id, artifactId })),
          );
        }
        const response = DrillResponse.from(drill, participantIds, artifactIds);
        audit({
          action: 'drill.created',
          entityType: 'drill',
          entityId: drill.id,
          changes: creationChanges(snapshot(response)),
        });
        emit('drill.created', { ...response });
        return response;
      },
    );
    return result;
  }

  async record(
    actor: Actor,
    engagementId: string,
    id: string,
    input: RecordDrillDto,
    ifMatch: number | undefined,
  ): Promise<DrillResponse> {
    if (input.performedOn > this.clock.today()) {
      throw new ValidationProblem([
        { field: 'performedOn', message: 'performedOn must not be in the future' },
      ]);
    }
    const { result } = await this.writer.change(
      actor,
      engagementId,
      async ({ manager, engagement, audit, emit, lockChild }) => {
        const current = await lockChild(Drill, id, DrillNotFoundError, ifMatch);
        if (current.status === 'recorded') throw new DrillAlreadyRecordedError(current);
        const { participantIds, artifactIds } = (await linksOf(manager, [id]))(id);
        const problems = observerProblems(
          input.observedById,
          { participantIds },
          {
            productOwnerId: engagement.productOwnerId,
            recipientIds: await recipientsOf(manager, engagementId),
          },
        );
        if (problems.length > 0) throw new ValidationProblem(problems);
        const recorded = await updateVersioned(manager, Drill, current, ifMatch, {
          status: 'recorded',
          outcome: input.outcome,
          performedOn: input.performedOn,
          vendorAssistance: input.vendorAssistance,
          durationMinutes: input.durationMinutes ?? null,
          evidenceUrl: input.evidenceUrl,
          observedById: input.observedById,
          notes: input.notes || null,
          recordedAt: new Date(),
        });
        const response = DrillResponse.from(recorded, participantIds, artifactIds);
        audit({
          action: 'drill.recorded',
          entityType: 'drill',
          entityId: id,
          changes: diffChanges(
            snapshot(DrillResponse.from(current, participantIds, artifactIds)),
            snapshot(response),
          ),
        });
        emit('drill.recorded', { ...response });
        return response;
      },
    );
    return result;
  }

  async list(engagementId: string, query: PageQuery): Promise<Page<DrillResponse>> {
    const manager = this.dataSource.manager;
    await assertEngagementExists(manager, engagementId);
    const builder = manager
      .getRepository(Drill)
      .createQueryBuilder('drill')
      .where('drill.engagementId = :engagementId', { engagementId });
    const page = await pageByCreation(builder, query, (drill) => drill);
    const links = await linksOf(
      manager,
      page.items.map((drill) => drill.id),
    );
    return {
      ...page,
      items: page.items.map((drill) => {
        const { participantIds, artifactIds } = links(drill.id);
        return DrillResponse.from(drill, participantIds, artifactIds);
      }),
    };
  }

  async get(engagementId: string, id: string): Promise<DrillResponse> {
    const manager = this.dataSource.manager;
    const drill = await manager.findOneBy(Drill, { id, engagementId });
    if (!drill) {
      await assertEngagementExists(manager, engagementId);
      throw new DrillNotFoundError(id);
    }
    const { participantIds, artifactIds } = (await linksOf(manager, [id]))(id);
    return DrillResponse.from(drill, participantIds, artifactIds);
  }

  /** Linked artifacts must be the engagement's own. */
  private async artifactProblems(
    manager: EntityManager,
    engagementId: string,
    artifactIds: string[],
  ) {
    if (artifactIds.length === 0) return [];
    const own = new Set(
      (
        await manager.find(Artifact, {
          select: { id: true },
          where: { id: In(artifactIds), engagementId },
        })
      ).map((artifact) => artifact.id),
    );
    return artifactIds.flatMap((id, index) =>
      own.has(id)
        ? []
        : [
            {
              field: `artifactIds[${index}]`,
              message: 'artifactIds must name artifacts of this engagement',
            },
          ],
    );
  }
}
