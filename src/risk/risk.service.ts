import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service.js';
import type { Actor } from '../auth/actor.js';
import { Clock } from '../common/clock.js';
import { NotFoundProblem } from '../common/problem.js';
import { APP_CONFIG, type AppConfig } from '../config/config.js';
import { assessRisk, type RiskAssessment, type RiskFacts } from './assess-risk.js';
import { type RiskResponse, RiskSummary } from './dto/risk.dto.js';
import { RiskFactsRepository } from './risk-facts.repository.js';

const NO_RISK: RiskAssessment = { level: 'none', score: 0, dependencyTrap: false, signals: [] };

@Injectable()
export class RiskService {
  constructor(
    private readonly facts: RiskFactsRepository,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  assess(facts: RiskFacts, asOf: string = this.clock.today()): RiskAssessment {
    return assessRisk(facts, asOf, this.config.risk);
  }

  async forEngagement(
    engagementId: string,
    asOf: string = this.clock.today(),
  ): Promise<RiskResponse> {
    const facts = (await this.facts.forEngagements([engagementId])).get(engagementId);
    if (!facts) throw new NotFoundProblem('Engagement', engagementId);
    return { engagementId, asOf, ...this.assess(facts, asOf) };
  }

  /** Today's risk summaries of several engagements, in one query. */
  async summaries(
    manager: EntityManager,
    engagementIds: string[],
  ): Promise<Map<string, RiskSummary>> {
    const facts = await this.facts.forEngagements(engagementIds, manager);
    return new Map(
      engagementIds.map((id) => [id, RiskSummary.from(this.assessOrNone(facts.get(id)))]),
    );
  }

  /**
   * Notes an engagement's risk level before a change; the returned function, called after the
   * change in the same transaction, records `risk.level_changed` when the level moved and
   * returns the risk after the change.
   */
  async trackLevel(
    manager: EntityManager,
    engagementId: string,
  ): Promise<(actor: Actor) => Promise<RiskAssessment>> {
    const before = this.assessOrNone(
      (await this.facts.forEngagements([engagementId], manager)).get(engagementId),
    );
    return async (actor) => {
      const after = this.assessOrNone(
        (await this.facts.forEngagements([engagementId], manager)).get(engagementId),
      );
      if (after.level === before.level) return after;
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
      return after;
    };
  }

  private assessOrNone(facts: RiskFacts | undefined): RiskAssessment {
    return facts ? this.assess(facts) : NO_RISK;
  }
}
