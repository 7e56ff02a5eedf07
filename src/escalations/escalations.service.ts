import { Inject, Injectable } from '@nestjs/common';
import { DataSource, IsNull } from 'typeorm';
import type { Actor } from '../auth/actor.js';
import { Clock } from '../common/clock.js';
import { addDays } from '../common/dates.js';
import { Keyset, keysetPage, type Page, timeThenId } from '../common/pagination.js';
import { ValidationProblem } from '../common/problem.js';
import { APP_CONFIG, type AppConfig } from '../config/config.js';
import { assertEngagementExists } from '../engagements/engagement-access.js';
import { EngagementWriter } from '../engagements/engagement-writer.js';
import { actorOf } from '../events/events.service.js';
import { assessRisk } from '../risk/assess-risk.js';
import {
  type AcknowledgeRiskDto,
  AcknowledgementResponse,
  DEFAULT_ACKNOWLEDGE_DAYS,
  EscalationResponse,
  type EscalationStateResponse,
  type ListEscalationsQuery,
  MAX_ACKNOWLEDGE_DAYS,
} from './dto/escalation.dto.js';
import { Escalation, RiskAcknowledgement } from './escalation.entity.js';
import { escalatesOn } from './escalation-rules.js';
import { escalationCandidate } from './escalation-store.js';

const NEWEST_FIRST = new Keyset<Escalation>(
  timeThenId('escalation.raisedAt', (row) => row.raisedAt, 'escalation.id'),
  'DESC',
);

@Injectable()
export class EscalationsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly writer: EngagementWriter,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /**
   * "We see it and act" (SPEC §7): records who acknowledged what until when, marks the open
   * escalation acknowledged, and restarts the grace period from `until`. Allowed at any level.
   */
  async acknowledge(
    actor: Actor,
    engagementId: string,
    input: AcknowledgeRiskDto,
  ): Promise<EscalationStateResponse> {
    const today = this.clock.today();
    const latest = addDays(today, MAX_ACKNOWLEDGE_DAYS);
    const until = input.until ?? addDays(today, DEFAULT_ACKNOWLEDGE_DAYS);
    if (until < today || until > latest) {
      throw new ValidationProblem([
        {
          field: 'until',
          message: `until must be from today (${today}) to ${MAX_ACKNOWLEDGE_DAYS} days ahead (${latest})`,
        },
      ]);
    }
    const { result } = await this.writer.change(actor, engagementId, async (context) => {
      const { manager } = context;
      const level = context.facts
        ? assessRisk(context.facts, today, this.config.risk).level
        : 'none';
      const open = await manager.findOne(Escalation, {
        where: { engagementId, resolvedAt: IsNull() },
        lock: { mode: 'pessimistic_write' },
      });
      if (open) {
        await manager.update(Escalation, { id: open.id }, { acknowledgedAt: () => 'now()' });
      }
      const acknowledgement = await manager.save(
        manager.create(RiskAcknowledgement, {
          engagementId,
          level,
          note: input.note,
          until,
          acknowledgedBy: actorOf(actor),
          escalationId: open?.id ?? null,
        }),
      );
      context.audit({
        action: 'risk.acknowledged',
        entityType: 'engagement',
        entityId: engagementId,
        changes: {
          acknowledgement: {
            from: null,
            to: { level, note: input.note, until, escalationId: open?.id ?? null },
          },
        },
      });
      const candidate = await escalationCandidate(manager, engagementId, today);
      const reread = open ? await manager.findOneByOrFail(Escalation, { id: open.id }) : undefined;
      return {
        engagementId,
        level,
        acknowledgement: AcknowledgementResponse.from(acknowledgement),
        ...(reread ? { openEscalation: EscalationResponse.from(reread) } : {}),
        escalatesOn: candidate
          ? escalatesOn({
              since: candidate.since,
              acknowledgedUntil: candidate.acknowledged_until,
              graceDays: this.config.escalationGraceDays,
            })
          : null,
      };
    });
    return result;
  }

  async forEngagement(
    engagementId: string,
    query: ListEscalationsQuery,
  ): Promise<Page<EscalationResponse>> {
    await assertEngagementExists(this.dataSource.manager, engagementId);
    return this.list(query, engagementId);
  }

  /** Newest first; `status=open` is what needs attention now. */
  async list(
    query: ListEscalationsQuery,
    engagementId?: string,
  ): Promise<Page<EscalationResponse>> {
    const builder = this.dataSource.getRepository(Escalation).createQueryBuilder('escalation');
    if (engagementId) builder.andWhere('escalation.engagementId = :engagementId', { engagementId });
    if (query.status === 'open') builder.andWhere('escalation.resolvedAt IS NULL');
    if (query.status === 'resolved') builder.andWhere('escalation.resolvedAt IS NOT NULL');
    return keysetPage(builder, NEWEST_FIRST, query, EscalationResponse.from);
  }
}
