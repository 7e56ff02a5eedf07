import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager, type ObjectLiteral } from 'typeorm';
import { type AuditRecord, AuditService } from '../audit/audit.service.js';
import type { Actor } from '../auth/actor.js';
import { Clock } from '../common/clock.js';
import { assertVersion } from '../common/concurrency.js';
import { isEscalationLevel } from '../escalations/escalation-rules.js';
import { resolveSettledEscalations } from '../escalations/escalation-store.js';
import type { NotFoundProblem } from '../common/problem.js';
import { CLOCK_ACTOR, ClockJob, type TimeCausedChanges } from '../events/clock-job.js';
import type { EventType } from '../events/event-types.js';
import { actorOf, EventsService, type NewEvent } from '../events/events.service.js';
import type { RiskAssessment, RiskFacts } from '../risk/assess-risk.js';
import { RiskHistoryEntry } from '../risk/risk-facts.entity.js';
import { RiskFactsRepository } from '../risk/risk-facts.repository.js';
import { type LevelChange, levelChange, RiskService } from '../risk/risk.service.js';
import { assertMayChange } from './engagement-access.js';
import type { EngagementResponse } from './dto/engagement.response.js';
import { EngagementResponses } from './engagement-responses.js';
import { isClosed } from './engagement-status.js';
import { Engagement } from './engagement.entity.js';
import { EngagementClosedError, EngagementNotFoundError } from './engagements.errors.js';

/** What a write sees: its transaction, who writes, and the locked engagement. */
export interface WriteContext {
  manager: EntityManager;
  actor: Actor;
  engagement: Engagement;
  /** The engagement's stored risk facts before the change (absent while it is created). */
  facts: RiskFacts | undefined;
  /** Queues an audit event of this engagement, written in the same transaction. */
  audit(record: Omit<AuditRecord, 'engagementId'>): void;
  /** Queues an event about this engagement (SPEC §6), written last in the same transaction. */
  emit(type: EventType, data: Record<string, unknown>): void;
  /** Queues an event whose data is the engagement as GET returns it after the change. */
  emitEngagement(type: EventType, extra?: Record<string, unknown>): void;
  /**
   * Locks a milestone, artifact or other row of this engagement for the change: 404 when it
   * is not the engagement's, 412 when `ifMatch` is stale.
   */
  lockChild<T extends Child>(
    entity: new () => T,
    id: string,
    notFound: new (id: string) => NotFoundProblem,
    ifMatch: number | undefined,
  ): Promise<T>;
}

/** What a creation sees: its transaction, who writes, and the new engagements. */
export interface CreationContext {
  manager: EntityManager;
  actor: Actor;
  engagements: Engagement[];
  /** Queues an audit event, written in the same transaction. */
  audit(record: AuditRecord & { engagementId: string }): void;
  /** Queues an event about one of the new engagements, written last in the same transaction. */
  emit(engagementId: string, type: EventType, data: Record<string, unknown>): void;
  /** Queues an event whose data is the engagement as GET returns it after the creation. */
  emitEngagement(engagementId: string, type: EventType): void;
}

interface Child extends ObjectLiteral {
  id: string;
  engagementId: string;
  version: number;
}

export interface WriteOptions {
  /** The engagement's own version the caller expects (writes to the engagement itself). */
  ifMatch?: number;
  /** Lifecycle actions judge a closed engagement by their own preconditions. */
  allowClosed?: boolean;
}

export interface WriteResult<T> {
  result: T;
  /** Today's risk after the change. */
  risk: RiskAssessment;
}

type QueuedEvent =
  | { type: EventType; data: Record<string, unknown> }
  | { type: EventType; engagement: true; extra: Record<string, unknown> };

/**
 * The one way an engagement or anything in it changes (SPEC §5, §6): in one transaction it
 * locks the engagement, checks access and versions, applies the change, recomputes the risk
 * facts and timeline, writes the audit events, records a change of level (settling an open
 * escalation when it falls below high) and writes the events. A service method states only its own change.
 */
@Injectable()
export class EngagementWriter {
  constructor(
    private readonly dataSource: DataSource,
    private readonly auditService: AuditService,
    private readonly events: EventsService,
    private readonly risk: RiskService,
    private readonly riskFacts: RiskFactsRepository,
    private readonly responses: EngagementResponses,
    private readonly clockJob: ClockJob,
    private readonly clock: Clock,
  ) {}

  change<T>(
    actor: Actor,
    engagementId: string,
    apply: (context: WriteContext) => Promise<T>,
    options: WriteOptions = {},
  ): Promise<WriteResult<T>> {
    return this.dataSource.transaction(async (manager) => {
      const engagement = await manager.findOne(Engagement, {
        where: { id: engagementId },
        lock: { mode: 'pessimistic_write' },
      });
      if (!engagement) throw new EngagementNotFoundError(engagementId);
      assertMayChange(actor, engagement);
      if (!options.allowClosed && isClosed(engagement.status))
        throw new EngagementClosedError(engagement);
      assertVersion(options.ifMatch, engagement.version);
      const facts = (await this.riskFacts.forEngagements([engagementId], manager)).get(
        engagementId,
      );
      // What time changed since the timeline was derived is told before this write re-derives it.
      const timeCaused = await this.clockJob.catchUpEngagement(manager, engagementId);
      return this.applyAndRecord(manager, actor, engagement, facts, apply, timeCaused);
    });
  }

  /**
   * New engagements, one or thousands in one transaction: `insert` creates them, `apply` adds
   * what belongs to them; audit, facts, timelines and events follow as for a change, in a few
   * statements whatever the number.
   */
  create<T>(
    actor: Actor,
    insert: (manager: EntityManager) => Promise<Engagement[]>,
    apply: (context: CreationContext) => Promise<T>,
  ): Promise<T> {
    return this.dataSource.transaction(async (manager) => {
      const engagements = await insert(manager);
      const audits: AuditRecord[] = [];
      const queued: (QueuedEvent & { engagementId: string })[] = [];
      const result = await apply({
        manager,
        actor,
        engagements,
        audit: (record) => audits.push(record),
        emit: (engagementId, type, data) => queued.push({ engagementId, type, data }),
        emitEngagement: (engagementId, type) =>
          queued.push({ engagementId, type, engagement: true, extra: {} }),
      });
      await this.auditService.recordMany(manager, actor, audits);
      // Written: released before the events are built.
      audits.length = 0;
      await this.risk.refreshAfterCreation(manager, engagements);
      const ids = engagements.map((engagement) => engagement.id);
      const responses = queued.some((event) => 'engagement' in event)
        ? new Map((await this.responses.load(ids, manager)).map((one) => [one.id, one]))
        : new Map<string, EngagementResponse>();
      const vendorOf = new Map(engagements.map((one) => [one.id, one.vendorId]));
      await this.events.record(
        manager,
        actorOf(actor),
        queued.map((event) => ({
          type: event.type,
          engagementId: event.engagementId,
          vendorId: vendorOf.get(event.engagementId),
          data: 'engagement' in event ? { ...responses.get(event.engagementId) } : event.data,
        })),
      );
      return result;
    });
  }

  private async applyAndRecord<T>(
    manager: EntityManager,
    actor: Actor,
    engagement: Engagement,
    facts: RiskFacts | undefined,
    apply: (context: WriteContext) => Promise<T>,
    timeCaused: TimeCausedChanges = { events: [], history: [] },
  ): Promise<WriteResult<T>> {
    const audits: Omit<AuditRecord, 'engagementId'>[] = [];
    const queued: QueuedEvent[] = [];
    const result = await apply({
      manager,
      actor,
      engagement,
      facts,
      audit: (record) => audits.push(record),
      emit: (type, data) => queued.push({ type, data }),
      emitEngagement: (type, extra = {}) => queued.push({ type, engagement: true, extra }),
      lockChild: async (entity, id, notFound, ifMatch) => {
        const child = await manager.findOne(entity, {
          where: { id, engagementId: engagement.id } as never,
          lock: { mode: 'pessimistic_write' },
        });
        if (!child) throw new notFound(id);
        assertVersion(ifMatch, child.version);
        return child;
      },
    });
    for (const record of audits) {
      await this.auditService.record(manager, actor, { ...record, engagementId: engagement.id });
    }
    // A new engagement has no level to change from.
    const before = facts && this.risk.assess(facts);
    const risk = await this.risk.refreshAfterChange(manager, engagement);
    const change = levelChange(before, risk);
    const events = await this.resolveEvents(manager, engagement, queued, change);
    if (timeCaused.events.length > 0) {
      const ids = await this.events.record(manager, CLOCK_ACTOR, timeCaused.events);
      await manager.insert(
        RiskHistoryEntry,
        timeCaused.history.map((entry, index) => ({ ...entry, eventId: ids[index] })),
      );
    }
    const eventIds = await this.events.record(manager, actorOf(actor), events);
    if (change) {
      await this.risk.recordLevelChange(
        manager,
        actor,
        engagement.id,
        change,
        eventIds.at(-1) ?? null,
      );
      // A fall below high, or a close, settles an open escalation (SPEC §7).
      if (!isEscalationLevel(change.after.level)) {
        const resolved = await resolveSettledEscalations(
          manager,
          this.clock.today(),
          engagement.id,
        );
        await this.events.record(manager, actorOf(actor), resolved);
      }
    }
    return { result, risk };
  }

  /** The queued events with their data, engagement and vendor, and the level change last. */
  private async resolveEvents(
    manager: EntityManager,
    engagement: Engagement,
    queued: QueuedEvent[],
    change: LevelChange | undefined,
  ): Promise<NewEvent[]> {
    const needsResponse = queued.some((event) => 'engagement' in event);
    const response = needsResponse ? await this.responses.one(engagement.id, manager) : undefined;
    // An update may have moved the engagement to another vendor: its events say the new one.
    const vendorId = response?.vendorId ?? engagement.vendorId;
    const events: NewEvent[] = queued.map((event) => ({
      type: event.type,
      engagementId: engagement.id,
      vendorId,
      data: 'engagement' in event ? { ...response, ...event.extra } : event.data,
    }));
    if (change) {
      events.push({
        type: 'risk.level_changed',
        engagementId: engagement.id,
        vendorId,
        data: {
          from: { level: change.before.level, score: change.before.score },
          to: { level: change.after.level, score: change.after.score },
          raised: change.raised,
          cleared: change.cleared,
          cause: 'change',
        },
      });
    }
    return events;
  }
}
