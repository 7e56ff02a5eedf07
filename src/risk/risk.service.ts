import { Inject, Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service.js';
import type { Actor } from '../auth/actor.js';
import { Clock } from '../common/clock.js';
import { Keyset, keysetPage, type Page, type PageQuery } from '../common/pagination.js';
import { APP_CONFIG, type AppConfig } from '../config/config.js';
import { assertEngagementExists } from '../engagements/engagement-access.js';
import { EngagementNotFoundError } from '../engagements/engagements.errors.js';
import {
  assessRisk,
  independentOperators,
  type RiskAssessment,
  type RiskFacts,
  type SignalCode,
} from './assess-risk.js';
import { RiskHistoryResponse, type RiskResponse } from './dto/risk.dto.js';
import { RiskHistoryEntry } from './risk-facts.entity.js';
import { RiskFactsRepository } from './risk-facts.repository.js';
import { forecastRisk, signalChanges } from './risk-timeline.js';
import { writeTimelines } from './risk-timeline.repository.js';

/** A move of today's level by a write: before and after, and the signals it raised and cleared. */
export interface LevelChange {
  before: RiskAssessment;
  after: RiskAssessment;
  raised: SignalCode[];
  cleared: SignalCode[];
}

/** The change of level between two judgements, or undefined when the level stayed. */
export function levelChange(
  before: RiskAssessment | undefined,
  after: RiskAssessment,
): LevelChange | undefined {
  if (!before || before.level === after.level) return undefined;
  return { before, after, ...signalChanges(before, after) };
}

const NO_RISK: RiskAssessment = {
  level: 'none',
  score: 0,
  dependencyTrap: false,
  signals: [],
};

/** Entries one clock run writes share their `at`: the day they tell of orders them. */
const NEWEST_CHANGE_FIRST = new Keyset<RiskHistoryEntry>(
  [
    { sql: 'entry.at', kind: 'timestamptz', cursorValue: (entry) => entry.at.toISOString() },
    { sql: 'entry.changedOn', kind: 'date', cursorValue: (entry) => entry.changedOn },
    { sql: 'entry.id', kind: 'uuid', cursorValue: (entry) => entry.id },
  ],
  'DESC',
);

@Injectable()
export class RiskService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly facts: RiskFactsRepository,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  assess(facts: RiskFacts | undefined, asOf: string = this.clock.today()): RiskAssessment {
    return facts ? assessRisk(facts, asOf, this.config.risk) : NO_RISK;
  }

  /** Who counts as an independent operator on `asOf` (SPEC §8). */
  independentOperators(facts: RiskFacts, asOf: string = this.clock.today()): string[] {
    return independentOperators(facts, asOf, this.config.risk);
  }

  async forEngagement(
    engagementId: string,
    asOf: string = this.clock.today(),
  ): Promise<RiskResponse> {
    const facts = (await this.facts.forEngagements([engagementId])).get(engagementId);
    if (!facts) throw new EngagementNotFoundError(engagementId);
    return {
      engagementId,
      asOf,
      ...this.assess(facts, asOf),
      forecast: forecastRisk(facts, asOf, this.config.risk, this.config.riskForecastDays),
    };
  }

  /** After a change, in its transaction: recomputes the engagement's facts and timeline. */
  async refreshAfterChange(
    manager: EntityManager,
    engagement: { id: string; createdAt: Date },
  ): Promise<RiskAssessment> {
    const facts = await this.facts.refresh(manager, engagement.id);
    await writeTimelines(
      manager,
      [{ engagementId: engagement.id, createdAt: engagement.createdAt, facts }],
      this.config.risk,
      this.clock.today(),
    );
    return this.assess(facts);
  }

  /** After a creation of one or many engagements, in its transaction: their facts and timelines. */
  async refreshAfterCreation(
    manager: EntityManager,
    engagements: { id: string; createdAt: Date }[],
  ): Promise<void> {
    const facts = await this.facts.refreshMany(
      manager,
      engagements.map((engagement) => engagement.id),
    );
    await writeTimelines(
      manager,
      engagements.map((engagement) => ({
        engagementId: engagement.id,
        createdAt: engagement.createdAt,
        facts: facts.get(engagement.id) as RiskFacts,
      })),
      this.config.risk,
      this.clock.today(),
    );
  }

  /** What a write that moved today's level records: the audit event and the history entry. */
  async recordLevelChange(
    manager: EntityManager,
    actor: Actor,
    engagementId: string,
    change: LevelChange,
    eventId: string | null,
  ): Promise<void> {
    const { before, after } = change;
    await this.audit.record(manager, actor, {
      action: 'risk.level_changed',
      entityType: 'engagement',
      entityId: engagementId,
      engagementId,
      changes: {
        level: { from: before.level, to: after.level },
        signals: {
          from: before.signals.map((signal) => signal.code),
          to: after.signals.map((signal) => ({ code: signal.code, severity: signal.severity })),
        },
      },
    });
    await manager.insert(RiskHistoryEntry, {
      engagementId,
      changedOn: this.clock.today(),
      fromLevel: before.level,
      fromScore: before.score,
      toLevel: after.level,
      toScore: after.score,
      raised: change.raised,
      cleared: change.cleared,
      cause: 'change',
      eventId,
    });
  }

  /** The engagement's level changes, newest first. */
  async history(engagementId: string, query: PageQuery): Promise<Page<RiskHistoryResponse>> {
    await assertEngagementExists(this.dataSource.manager, engagementId);
    const builder = this.dataSource
      .getRepository(RiskHistoryEntry)
      .createQueryBuilder('entry')
      .where('entry.engagementId = :engagementId', { engagementId });
    return keysetPage(builder, NEWEST_CHANGE_FIRST, query, RiskHistoryResponse.from);
  }
}
