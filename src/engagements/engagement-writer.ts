import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager, type ObjectLiteral } from 'typeorm';
import { type AuditRecord, AuditService } from '../audit/audit.service.js';
import type { Actor } from '../auth/actor.js';
import { assertVersion } from '../common/concurrency.js';
import { NotFoundProblem } from '../common/problem.js';
import type { RiskAssessment, RiskFacts } from '../risk/assess-risk.js';
import { RiskFactsRepository } from '../risk/risk-facts.repository.js';
import { RiskService } from '../risk/risk.service.js';
import { assertMayChange, closedEngagement } from './engagement-access.js';
import { isClosed } from './engagement-status.js';
import { Engagement } from './engagement.entity.js';

/** What a write sees: its transaction, who writes, and the locked engagement. */
export interface WriteContext {
  manager: EntityManager;
  actor: Actor;
  engagement: Engagement;
  /** The engagement's stored risk facts before the change (absent while it is created). */
  facts: RiskFacts | undefined;
  /** Queues an audit event of this engagement, written in the same transaction. */
  audit(record: Omit<AuditRecord, 'engagementId'>): void;
  /**
   * Locks a milestone, artifact or other row of this engagement for the change: 404 when it
   * is not the engagement's, 412 when `ifMatch` is stale.
   */
  lockChild<T extends Child>(
    entity: new () => T,
    id: string,
    label: string,
    ifMatch: number | undefined,
  ): Promise<T>;
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

/**
 * The one way an engagement or anything in it changes (SPEC §5): in one transaction it locks
 * the engagement, checks access and versions, applies the change, recomputes the risk facts
 * and timeline, writes the audit events and records a change of level. A service method
 * states only its own change.
 */
@Injectable()
export class EngagementWriter {
  constructor(
    private readonly dataSource: DataSource,
    private readonly auditService: AuditService,
    private readonly risk: RiskService,
    private readonly riskFacts: RiskFactsRepository,
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
      if (!engagement) throw new NotFoundProblem('Engagement', engagementId);
      assertMayChange(actor, engagement);
      if (!options.allowClosed && isClosed(engagement.status)) throw closedEngagement(engagement);
      assertVersion(options.ifMatch, engagement.version);
      const facts = (await this.riskFacts.forEngagements([engagementId], manager)).get(
        engagementId,
      );
      return this.applyAndRecord(manager, actor, engagement, facts, apply);
    });
  }

  /**
   * A new engagement: `insert` creates it, `apply` adds what belongs to it; facts, timeline
   * and audit follow as for a change.
   */
  create<T>(
    actor: Actor,
    insert: (manager: EntityManager) => Promise<Engagement>,
    apply: (context: WriteContext) => Promise<T>,
  ): Promise<WriteResult<T>> {
    return this.dataSource.transaction(async (manager) => {
      const engagement = await insert(manager);
      return this.applyAndRecord(manager, actor, engagement, undefined, apply);
    });
  }

  private async applyAndRecord<T>(
    manager: EntityManager,
    actor: Actor,
    engagement: Engagement,
    facts: RiskFacts | undefined,
    apply: (context: WriteContext) => Promise<T>,
  ): Promise<WriteResult<T>> {
    const audits: Omit<AuditRecord, 'engagementId'>[] = [];
    const result = await apply({
      manager,
      actor,
      engagement,
      facts,
      audit: (record) => audits.push(record),
      lockChild: async (entity, id, label, ifMatch) => {
        const child = await manager.findOne(entity, {
          where: { id, engagementId: engagement.id } as never,
          lock: { mode: 'pessimistic_write' },
        });
        if (!child) throw new NotFoundProblem(label, id);
        assertVersion(ifMatch, child.version);
        return child;
      },
    });
    for (const record of audits) {
      await this.auditService.record(manager, actor, { ...record, engagementId: engagement.id });
    }
    // A new engagement has no level to change from.
    const before = facts && this.risk.assess(facts);
    const risk = await this.risk.refreshAfterChange(manager, actor, engagement, before);
    return { result, risk };
  }
}
