import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { Artifact } from '../artifacts/artifact.entity.js';
import { creationChanges, diffChanges } from '../audit/changes.js';
import type { Actor } from '../auth/actor.js';
import { isUniqueViolation } from '../common/database-errors.js';
import { Clock } from '../common/clock.js';
import { daysBetween } from '../common/dates.js';
import { Keyset, keysetPage, type Page, type PageQuery, timeThenId } from '../common/pagination.js';
import { ValidationProblem } from '../common/problem.js';
import { definedFields } from '../common/query-helpers.js';
import { updateVersioned } from '../common/versioned-update.js';
import { assertEngagementExists } from '../engagements/engagement-access.js';
import { EngagementWriter } from '../engagements/engagement-writer.js';
import type { Engagement } from '../engagements/engagement.entity.js';
import {
  type CompleteMilestoneDto,
  type CreateMilestoneDto,
  DateChangeResponse,
  MilestoneResponse,
  type UpdateMilestoneDto,
} from './dto/milestone.dto.js';
import { decideDueDateChange } from './milestone-rules.js';
import { Milestone, MilestoneDateChange } from './milestone.entity.js';
import {
  FinalHandoverExistsError,
  KindFrozenError,
  MilestoneCompletedError,
  MilestoneNotCompletableError,
  MilestoneNotFoundError,
} from './milestones.errors.js';

const FINAL_HANDOVER_INDEX = 'uq_milestones_final_handover';

/** The audited view of a new or changed row. */
export const milestoneSnapshot = (milestone: Milestone) => ({
  name: milestone.name,
  kind: milestone.kind,
  dueDate: milestone.dueDate,
  baselineDueDate: milestone.baselineDueDate,
  completedOn: milestone.completedOn,
});

const BY_DUE_DATE = new Keyset<Milestone>([
  { sql: 'milestone.dueDate', kind: 'date', cursorValue: (milestone) => milestone.dueDate },
  { sql: 'milestone.id', kind: 'uuid', cursorValue: (milestone) => milestone.id },
]);

const OLDEST_CHANGE_FIRST = new Keyset(
  timeThenId<MilestoneDateChange>('change.changedAt', (change) => change.changedAt, 'change.id'),
);

@Injectable()
export class MilestonesService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly writer: EngagementWriter,
    private readonly clock: Clock,
  ) {}

  async create(
    actor: Actor,
    engagementId: string,
    input: CreateMilestoneDto,
  ): Promise<MilestoneResponse> {
    const { result } = await this.withFinalHandoverGuard(() =>
      this.writer.change(actor, engagementId, async ({ manager, engagement, audit, emit }) => {
        if (input.kind === 'final_handover')
          await this.assertNoFinalHandover(manager, engagementId);
        const milestone = await manager.save(
          manager.create(Milestone, {
            engagementId,
            name: input.name,
            kind: input.kind,
            dueDate: input.dueDate,
            // Added after activation: its plan is what it was created with.
            baselineDueDate: engagement.status === 'active' ? input.dueDate : null,
          }),
        );
        audit({
          action: 'milestone.created',
          entityType: 'milestone',
          entityId: milestone.id,
          changes: creationChanges(milestoneSnapshot(milestone)),
        });
        const response = MilestoneResponse.from(milestone);
        emit('milestone.created', { ...response });
        return response;
      }),
    );
    return result;
  }

  async list(engagementId: string, query: PageQuery): Promise<Page<MilestoneResponse>> {
    await assertEngagementExists(this.dataSource.manager, engagementId);
    const builder = this.dataSource
      .getRepository(Milestone)
      .createQueryBuilder('milestone')
      .where('milestone.engagementId = :engagementId', { engagementId });
    return keysetPage(builder, BY_DUE_DATE, query, MilestoneResponse.from);
  }

  async get(engagementId: string, id: string): Promise<MilestoneResponse> {
    return MilestoneResponse.from(await this.find(this.dataSource.manager, engagementId, id));
  }

  async update(
    actor: Actor,
    engagementId: string,
    id: string,
    input: UpdateMilestoneDto,
    ifMatch: number | undefined,
  ): Promise<MilestoneResponse> {
    const { result } = await this.withFinalHandoverGuard(() =>
      this.writer.change(
        actor,
        engagementId,
        async ({ manager, engagement, audit, emit, lockChild }) => {
          const current = await lockChild(Milestone, id, MilestoneNotFoundError, ifMatch);
          if (input.kind !== undefined && input.kind !== current.kind) {
            this.assertKindMayChange(engagement);
            if (input.kind === 'final_handover')
              await this.assertNoFinalHandover(manager, engagementId);
          }
          const decision = decideDueDateChange({
            engagementStatus: engagement.status,
            currentDueDate: current.dueDate,
            completedOn: current.completedOn,
            newDueDate: input.dueDate,
            reason: input.reason,
          });
          if (decision.kind === 'invalid') throw new ValidationProblem(decision.problems);
          if (decision.kind === 'completed') throw new MilestoneCompletedError();
          const updated = await updateVersioned(
            manager,
            Milestone,
            current,
            ifMatch,
            definedFields(input, ['name', 'kind', 'dueDate']),
          );
          if (decision.kind === 'ledger') {
            await manager.insert(MilestoneDateChange, {
              milestoneId: id,
              engagementId,
              fromDate: current.dueDate,
              toDate: updated.dueDate,
              reason: input.reason as string,
              changedByApiKeyId: actor.apiKeyId,
              changedByName: actor.name,
            });
          }
          const changes = diffChanges(milestoneSnapshot(current), milestoneSnapshot(updated));
          audit({
            action:
              decision.kind === 'ledger' && decision.slip
                ? 'milestone.slipped'
                : 'milestone.updated',
            entityType: 'milestone',
            entityId: id,
            changes: {
              ...changes,
              ...(decision.kind === 'ledger' ? { reason: { from: null, to: input.reason } } : {}),
            },
          });
          const response = MilestoneResponse.from(updated);
          if (Object.keys(changes).length > 0) emit('milestone.updated', { ...response });
          if (updated.dueDate !== current.dueDate) {
            const slipDays = Math.max(0, daysBetween(current.dueDate, updated.dueDate));
            emit('milestone.date_changed', {
              milestone: response,
              fromDate: current.dueDate,
              toDate: updated.dueDate,
              reason: input.reason ?? null,
              slip: slipDays > 0,
              slipDays,
            });
          }
          return response;
        },
      ),
    );
    return result;
  }

  async complete(
    actor: Actor,
    engagementId: string,
    id: string,
    input: CompleteMilestoneDto,
    ifMatch: number | undefined,
  ): Promise<MilestoneResponse> {
    const today = this.clock.today();
    const completedOn = input.completedOn ?? today;
    if (completedOn > today) {
      throw new ValidationProblem([
        { field: 'completedOn', message: 'completedOn must not be in the future' },
      ]);
    }
    const { result } = await this.writer.change(
      actor,
      engagementId,
      async ({ manager, engagement, audit, emit, lockChild }) => {
        const current = await lockChild(Milestone, id, MilestoneNotFoundError, ifMatch);
        const unmet: { code: string; message: string }[] = [];
        if (engagement.status !== 'active') {
          unmet.push({
            code: 'INVALID_STATUS',
            message: `The engagement is ${engagement.status}; completing a milestone needs an active engagement.`,
          });
        }
        if (current.completedOn !== null) {
          unmet.push({
            code: 'MILESTONE_ALREADY_COMPLETED',
            message: `The milestone was completed on ${current.completedOn}.`,
          });
        }
        const pending = await manager.find(Artifact, {
          where: { milestoneId: id },
          order: { createdAt: 'ASC' },
        });
        for (const artifact of pending.filter((candidate) => candidate.status !== 'accepted')) {
          unmet.push({
            code: 'ARTIFACT_NOT_ACCEPTED',
            message: `Artifact "${artifact.title}" (${artifact.id}) is ${artifact.status}, not accepted.`,
          });
        }
        if (unmet.length > 0) throw new MilestoneNotCompletableError(unmet);
        const updated = await updateVersioned(manager, Milestone, current, ifMatch, {
          completedOn,
        });
        audit({
          action: 'milestone.completed',
          entityType: 'milestone',
          entityId: id,
          changes: diffChanges(milestoneSnapshot(current), milestoneSnapshot(updated)),
        });
        const response = MilestoneResponse.from(updated);
        emit('milestone.completed', { ...response });
        return response;
      },
    );
    return result;
  }

  async dateChanges(
    engagementId: string,
    id: string,
    query: PageQuery,
  ): Promise<Page<DateChangeResponse>> {
    await this.find(this.dataSource.manager, engagementId, id);
    const builder = this.dataSource
      .getRepository(MilestoneDateChange)
      .createQueryBuilder('change')
      .where('change.milestoneId = :id', { id });
    return keysetPage(builder, OLDEST_CHANGE_FIRST, query, DateChangeResponse.from);
  }

  private async find(manager: EntityManager, engagementId: string, id: string): Promise<Milestone> {
    const milestone = await manager.findOne(Milestone, { where: { id, engagementId } });
    if (milestone) return milestone;
    await assertEngagementExists(manager, engagementId);
    throw new MilestoneNotFoundError(id);
  }

  private async assertNoFinalHandover(manager: EntityManager, engagementId: string): Promise<void> {
    if (await manager.existsBy(Milestone, { engagementId, kind: 'final_handover' }))
      throw new FinalHandoverExistsError();
  }

  private assertKindMayChange(engagement: Engagement): void {
    if (engagement.status !== 'draft') throw new KindFrozenError();
  }

  /** The unique index backs the check against any race the engagement lock does not cover. */
  private async withFinalHandoverGuard<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      if (isUniqueViolation(error, FINAL_HANDOVER_INDEX)) throw new FinalHandoverExistsError();
      throw error;
    }
  }
}
