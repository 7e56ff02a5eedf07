import { Inject, Injectable } from '@nestjs/common';
import { todayUtc } from '../common/dates.js';
import { NotFoundProblem } from '../common/problem.js';
import { APP_CONFIG, type AppConfig } from '../config/config.js';
import { assessRisk, type RiskAssessment, type RiskFacts } from './assess-risk.js';
import type { RiskResponse } from './dto/risk.dto.js';
import { RiskFactsRepository } from './risk-facts.repository.js';

@Injectable()
export class RiskService {
  constructor(
    private readonly facts: RiskFactsRepository,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  assess(facts: RiskFacts, asOf: string = todayUtc()): RiskAssessment {
    return assessRisk(facts, asOf, this.config.risk);
  }

  async forEngagement(engagementId: string, asOf: string = todayUtc()): Promise<RiskResponse> {
    const facts = (await this.facts.forEngagements([engagementId])).get(engagementId);
    if (!facts) throw new NotFoundProblem('Engagement', engagementId);
    return { engagementId, asOf, ...this.assess(facts, asOf) };
  }
}
