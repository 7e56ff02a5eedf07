import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager, In, type SelectQueryBuilder } from 'typeorm';
import { AuditService } from '../audit/audit.service.js';
import { creationChanges, diffChanges } from '../audit/changes.js';
import type { Actor } from '../auth/actor.js';
import { assertVersion } from '../common/concurrency.js';
import { isUniqueViolation } from '../common/database-errors.js';
import {
  type CursorPosition,
  decodeCursor,
  encodeCursor,
  type Page,
} from '../common/pagination.js';
import {
  ConflictProblem,
  NotFoundProblem,
  type ProblemItem,
  ValidationProblem,
} from '../common/problem.js';
import { definedFields, escapeLike } from '../common/query-helpers.js';
import { updateVersioned } from '../common/versioned-update.js';
import { Milestone } from '../milestones/milestone.entity.js';
import { missingPeople } from '../people/people.service.js';
import { levelsAtLeast } from '../risk/assess-risk.js';
import { RiskSummary } from '../risk/dto/risk.dto.js';
import { RiskFactsRepository } from '../risk/risk-facts.repository.js';
import { RiskService } from '../risk/risk.service.js';
import { Vendor } from '../vendors/vendor.entity.js';
import type {
  CancelEngagementDto,
  CreateEngagementDto,
  ListEngagementsQuery,
  SpecDto,
  UpdateEngagementDto,
} from './dto/engagement.dto.js';
import { EngagementResponse } from './dto/engagement.response.js';
import { assertMayChange, lockEngagementForChange } from './engagement-access.js';
import {
  Engagement,
  EngagementKnowledgeRecipient,
  type SuccessMetric,
} from './engagement.entity.js';
import { validateSpec } from './spec-validation.js';
import {
  type EngagementAction,
  type EngagementFacts,
  TRANSITIONS,
  unmetPreconditions,
} from './transitions.js';

const CONTRACT_REF_INDEX = 'uq_engagements_contract_ref';

function contractRefTaken(contractRef: string | null | undefined): ConflictProblem {
  return new ConflictProblem(`Another engagement has contract reference ${contractRef}.`, [
    { code: 'CONTRACT_REF_TAKEN', message: 'Contract references are unique.' },
  ]);
}

/** The audited view of an engagement: what the API shows, spec fields one by one. */
function snapshot(
  engagement: Engagement,
  knowledgeRecipientIds: string[],
): Record<string, unknown> {
  return {
    title: engagement.title,
    vendorId: engagement.vendorId,
    contractRef: engagement.contractRef,
    status: engagement.status,
    productOwnerId: engagement.productOwnerId,
    'spec.problem': engagement.specProblem,
    'spec.successMetrics': engagement.specSuccessMetrics,
    'spec.constraints': engagement.specConstraints,
    'spec.tradeOffOwnerId': engagement.specTradeOffOwnerId,
    'spec.tradeOffRule': engagement.specTradeOffRule,
    knowledgeRecipientIds,
    startDate: engagement.startDate,
    contractEndDate: engagement.contractEndDate,
    noticePeriodDays: engagement.noticePeriodDays,
    cancelReason: engagement.cancelReason,
  };
}

/** The spec as stored, from an input the caller has validated with validateSpec. */
function specColumns(
  spec: SpecDto,
): Pick<
  Engagement,
  | 'specProblem'
  | 'specSuccessMetrics'
  | 'specConstraints'
  | 'specTradeOffOwnerId'
  | 'specTradeOffRule'
> {
  return {
    specProblem: (spec.problem as string).trim(),
    specSuccessMetrics: (spec.successMetrics as SuccessMetric[]).map((metric) => ({
      name: metric.name.trim(),
      target: metric.target.trim(),
      ...(metric.measurement !== undefined ? { measurement: metric.measurement.trim() } : {}),
    })),
    specConstraints: (spec.constraints as string[]).map((constraint) => constraint.trim()),
    specTradeOffOwnerId: spec.tradeOffOwnerId as string,
    specTradeOffRule: spec.tradeOffRule?.trim() ?? null,
  };
}

@Injectable()
export class EngagementsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly audit: AuditService,
    private readonly risk: RiskService,
    private readonly riskFacts: RiskFactsRepository,
  ) {}

  async create(actor: Actor, input: CreateEngagementDto): Promise<EngagementResponse> {
    try {
      return await this.dataSource.transaction(async (manager) => {
        const recipientIds = input.knowledgeRecipientIds ?? [];
        const problems = [
          ...validateSpec(input.spec),
          ...(await this.referenceProblems(manager, {
            vendorId: input.vendorId,
            productOwnerId: input.productOwnerId,
            tradeOffOwnerId: input.spec?.tradeOffOwnerId,
            knowledgeRecipientIds: recipientIds,
          })),
        ];
        if (problems.length > 0) throw new ValidationProblem(problems);
        const engagement = await manager.save(
          manager.create(Engagement, {
            title: input.title,
            vendorId: input.vendorId,
            contractRef: input.contractRef ?? null,
            productOwnerId: input.productOwnerId,
            ...specColumns(input.spec as SpecDto),
            startDate: input.startDate ?? null,
            contractEndDate: input.contractEndDate ?? null,
            noticePeriodDays: input.noticePeriodDays ?? 0,
          }),
        );
        await this.replaceRecipients(manager, engagement.id, recipientIds);
        const recipients = [...recipientIds].sort();
        await this.audit.record(manager, actor, {
          action: 'engagement.created',
          entityType: 'engagement',
          entityId: engagement.id,
          engagementId: engagement.id,
          changes: creationChanges(snapshot(engagement, recipients)),
        });
        return this.respond(manager, engagement);
      });
    } catch (error) {
      if (isUniqueViolation(error, CONTRACT_REF_INDEX)) throw contractRefTaken(input.contractRef);
      throw error;
    }
  }

  async list(query: ListEngagementsQuery): Promise<Page<EngagementResponse>> {
    const builder = this.filtered(query);
    if (query.minRiskLevel || query.dependencyTrap !== undefined || query.sort === '-riskScore') {
      return this.listByRisk(builder, query);
    }
    builder
      .orderBy('engagement.createdAt', 'ASC')
      .addOrderBy('engagement.id', 'ASC')
      .limit(query.limit + 1);
    if (query.cursor) {
      const [createdAt, id] = decodeCursor(query.cursor, ['string', 'string']);
      builder.andWhere(
        '(engagement.createdAt, engagement.id) > (:createdAt::timestamptz, :id::uuid)',
        {
          createdAt,
          id,
        },
      );
    }
    const rows = await builder.getMany();
    const items = await this.responses(this.dataSource.manager, rows.slice(0, query.limit));
    const last = rows[query.limit - 1];
    return {
      items,
      nextCursor:
        rows.length > query.limit && last
          ? encodeCursor([last.createdAt.toISOString(), last.id])
          : null,
    };
  }

  /**
   * Risk filters and ordering need every candidate's risk: one statement gathers the facts of
   * all engagements matching the other filters, the page is cut in memory, then loaded.
   */
  private async listByRisk(
    builder: SelectQueryBuilder<Engagement>,
    query: ListEngagementsQuery,
  ): Promise<Page<EngagementResponse>> {
    const byRisk = query.sort === '-riskScore';
    const levels = query.minRiskLevel ? levelsAtLeast(query.minRiskLevel) : undefined;
    if ((levels && !levels.includes('none')) || query.dependencyTrap === true) {
      // Only open engagements carry risk: no need to judge the closed ones.
      builder.andWhere(`engagement.status IN ('draft', 'active')`);
    }
    const [targetSql, parameters] = builder.select('engagement.id', 'id').getQueryAndParameters();
    let candidates = (await this.riskFacts.forTarget(targetSql, parameters))
      .map((candidate) => ({ ...candidate, assessment: this.risk.assess(candidate.facts) }))
      .filter(
        ({ assessment }) =>
          (!levels || levels.includes(assessment.level)) &&
          (query.dependencyTrap === undefined ||
            assessment.dependencyTrap === query.dependencyTrap),
      );
    type Candidate = (typeof candidates)[number];
    const position = (candidate: Candidate): CursorPosition =>
      byRisk
        ? [candidate.assessment.score, candidate.createdAt.toISOString(), candidate.id]
        : [candidate.createdAt.toISOString(), candidate.id];
    const compare = (a: CursorPosition, b: CursorPosition): number => {
      for (let index = 0; index < a.length; index++) {
        if (a[index] === b[index]) continue;
        // Scores descend; creation times and ids ascend (ISO strings and uuids sort as text).
        const order = a[index] < b[index] ? -1 : 1;
        return byRisk && index === 0 ? -order : order;
      }
      return 0;
    };
    candidates.sort((a, b) => compare(position(a), position(b)));
    if (query.cursor) {
      const after = decodeCursor(
        query.cursor,
        byRisk ? ['number', 'string', 'string'] : ['string', 'string'],
      );
      candidates = candidates.filter((candidate) => compare(position(candidate), after) > 0);
    }
    const page = candidates.slice(0, query.limit);
    const engagements = await this.dataSource
      .getRepository(Engagement)
      .findBy({ id: In(page.map((c) => c.id)) });
    const byId = new Map(engagements.map((engagement) => [engagement.id, engagement]));
    const ordered = page
      .map((candidate) => byId.get(candidate.id))
      .filter((e): e is Engagement => !!e);
    const risks = new Map(
      page.map((candidate) => [candidate.id, RiskSummary.from(candidate.assessment)]),
    );
    const last = page[page.length - 1];
    return {
      items: await this.responses(this.dataSource.manager, ordered, risks),
      nextCursor: candidates.length > query.limit && last ? encodeCursor(position(last)) : null,
    };
  }

  /** The list's filters, without order or paging. */
  private filtered(query: ListEngagementsQuery): SelectQueryBuilder<Engagement> {
    const builder = this.dataSource.getRepository(Engagement).createQueryBuilder('engagement');
    if (query.status) builder.andWhere('engagement.status = :status', { status: query.status });
    if (query.vendorId)
      builder.andWhere('engagement.vendorId = :vendorId', { vendorId: query.vendorId });
    if (query.productOwnerId) {
      builder.andWhere('engagement.productOwnerId = :productOwnerId', {
        productOwnerId: query.productOwnerId,
      });
    }
    if (query.knowledgeRecipientId) {
      builder.andWhere(
        `EXISTS (SELECT 1 FROM engagement_knowledge_recipients r
                  WHERE r.engagement_id = engagement.id AND r.person_id = :recipientId)`,
        { recipientId: query.knowledgeRecipientId },
      );
    }
    if (query.q) {
      builder.andWhere(`engagement.title ILIKE :pattern ESCAPE '\\'`, {
        pattern: `%${escapeLike(query.q)}%`,
      });
    }
    if (query.handoverDueBefore || query.handoverDueAfter) {
      builder.andWhere(
        `EXISTS (SELECT 1 FROM milestones m
                  WHERE m.engagement_id = engagement.id AND m.kind = 'final_handover'
                    AND (CAST(:dueBefore AS date) IS NULL OR m.due_date <= CAST(:dueBefore AS date))
                    AND (CAST(:dueAfter AS date) IS NULL OR m.due_date >= CAST(:dueAfter AS date)))`,
        { dueBefore: query.handoverDueBefore ?? null, dueAfter: query.handoverDueAfter ?? null },
      );
    }
    return builder;
  }

  async get(id: string): Promise<EngagementResponse> {
    const engagement = await this.dataSource.getRepository(Engagement).findOneBy({ id });
    if (!engagement) throw new NotFoundProblem('Engagement', id);
    return this.respond(this.dataSource.manager, engagement);
  }

  async update(
    actor: Actor,
    id: string,
    input: UpdateEngagementDto,
    ifMatch: number | undefined,
  ): Promise<EngagementResponse> {
    try {
      return await this.dataSource.transaction(async (manager) => {
        const current = await lockEngagementForChange(manager, actor, id);
        assertVersion(ifMatch, current.version);
        const recordRiskChange = await this.risk.trackLevel(manager, id);
        const currentRecipients = (await this.recipientsOf(manager, [id])).get(id) ?? [];
        const spec: SpecDto | undefined = input.spec && {
          problem: current.specProblem,
          successMetrics: current.specSuccessMetrics,
          constraints: current.specConstraints,
          tradeOffOwnerId: current.specTradeOffOwnerId,
          tradeOffRule: current.specTradeOffRule,
          ...definedFields(input.spec, [
            'problem',
            'successMetrics',
            'constraints',
            'tradeOffOwnerId',
            'tradeOffRule',
          ]),
        };
        const problems = [
          ...(spec ? validateSpec(spec) : []),
          ...(await this.referenceProblems(manager, {
            vendorId: input.vendorId,
            productOwnerId: input.productOwnerId,
            tradeOffOwnerId: input.spec?.tradeOffOwnerId,
            knowledgeRecipientIds: input.knowledgeRecipientIds ?? [],
          })),
        ];
        if (problems.length > 0) throw new ValidationProblem(problems);

        const recipients = input.knowledgeRecipientIds
          ? [...input.knowledgeRecipientIds].sort()
          : currentRecipients;
        const recipientsChanged = recipients.join() !== currentRecipients.join();
        const patch: Partial<Engagement> = {
          ...definedFields(input, [
            'title',
            'vendorId',
            'contractRef',
            'productOwnerId',
            'startDate',
            'contractEndDate',
            'noticePeriodDays',
          ]),
          ...(spec ? specColumns(spec) : {}),
          // The recipients live in their own table: a change to them is still a new version.
          ...(recipientsChanged ? { updatedAt: new Date() } : {}),
        };
        const updated = await updateVersioned(manager, Engagement, current, ifMatch, patch);
        if (recipientsChanged) await this.replaceRecipients(manager, id, recipients);
        await this.audit.record(manager, actor, {
          action: 'engagement.updated',
          entityType: 'engagement',
          entityId: id,
          engagementId: id,
          changes: diffChanges(snapshot(current, currentRecipients), snapshot(updated, recipients)),
        });
        const risk = await recordRiskChange(actor);
        return this.respond(manager, updated, RiskSummary.from(risk));
      });
    } catch (error) {
      if (isUniqueViolation(error, CONTRACT_REF_INDEX)) throw contractRefTaken(input.contractRef);
      throw error;
    }
  }

  activate(actor: Actor, id: string, ifMatch: number | undefined): Promise<EngagementResponse> {
    return this.transition(actor, id, ifMatch, 'activate', async (manager) => {
      // Activation freezes the plan: each milestone's due date becomes its baseline, a change
      // of the milestone like any other (a new version, so a new ETag, and an audit event).
      const milestones = await manager.find(Milestone, { where: { engagementId: id } });
      await manager.query(
        `UPDATE milestones SET baseline_due_date = due_date, version = version + 1, updated_at = now()
          WHERE engagement_id = $1`,
        [id],
      );
      for (const milestone of milestones) {
        await this.audit.record(manager, actor, {
          action: 'milestone.baselined',
          entityType: 'milestone',
          entityId: milestone.id,
          engagementId: id,
          changes: diffChanges(
            { baselineDueDate: milestone.baselineDueDate },
            { baselineDueDate: milestone.dueDate },
          ),
        });
      }
      return { activatedAt: new Date() };
    });
  }

  complete(actor: Actor, id: string, ifMatch: number | undefined): Promise<EngagementResponse> {
    return this.transition(actor, id, ifMatch, 'complete', async () => ({
      completedAt: new Date(),
    }));
  }

  cancel(
    actor: Actor,
    id: string,
    input: CancelEngagementDto,
    ifMatch: number | undefined,
  ): Promise<EngagementResponse> {
    return this.transition(actor, id, ifMatch, 'cancel', async () => ({
      cancelledAt: new Date(),
      cancelReason: input.reason,
    }));
  }

  /**
   * Runs a lifecycle action: checks every precondition of the transition table at once (409
   * listing the unmet ones), then moves the status and applies the action's own changes.
   */
  private async transition(
    actor: Actor,
    id: string,
    ifMatch: number | undefined,
    action: EngagementAction,
    apply: (manager: EntityManager) => Promise<Partial<Engagement>>,
  ): Promise<EngagementResponse> {
    return this.dataSource.transaction(async (manager) => {
      const current = await manager.findOne(Engagement, {
        where: { id },
        lock: { mode: 'pessimistic_write' },
      });
      if (!current) throw new NotFoundProblem('Engagement', id);
      assertMayChange(actor, current);
      assertVersion(ifMatch, current.version);
      const recordRiskChange = await this.risk.trackLevel(manager, id);
      const unmet = unmetPreconditions(action, await this.factsOf(manager, current));
      if (unmet.length > 0) {
        throw new ConflictProblem(
          `The engagement cannot ${action}: ${unmet.length} precondition(s) unmet.`,
          unmet,
        );
      }
      const changes = await apply(manager);
      const updated = await updateVersioned(manager, Engagement, current, ifMatch, {
        ...changes,
        status: TRANSITIONS[action].to,
      });
      const recipients = (await this.recipientsOf(manager, [id])).get(id) ?? [];
      await this.audit.record(manager, actor, {
        action: `engagement.${action === 'activate' ? 'activated' : action === 'complete' ? 'completed' : 'cancelled'}`,
        entityType: 'engagement',
        entityId: id,
        engagementId: id,
        changes: diffChanges(snapshot(current, recipients), snapshot(updated, recipients)),
      });
      const risk = await recordRiskChange(actor);
      return this.respond(manager, updated, RiskSummary.from(risk));
    });
  }

  /** One response; pass `risk` when the caller already assessed it (saves the facts query). */
  private async respond(
    manager: EntityManager,
    engagement: Engagement,
    risk?: RiskSummary,
  ): Promise<EngagementResponse> {
    const risks = risk && new Map([[engagement.id, risk]]);
    const [response] = await this.responses(manager, [engagement], risks);
    return response;
  }

  /** Responses with knowledge recipients and today's risk: two queries for any number. */
  private async responses(
    manager: EntityManager,
    engagements: Engagement[],
    risks?: Map<string, RiskSummary>,
  ): Promise<EngagementResponse[]> {
    const ids = engagements.map((engagement) => engagement.id);
    const recipients = await this.recipientsOf(manager, ids);
    const risk = risks ?? (await this.risk.summaries(manager, ids));
    return engagements.map((engagement) =>
      EngagementResponse.from(
        engagement,
        recipients.get(engagement.id) ?? [],
        risk.get(engagement.id) as RiskSummary,
      ),
    );
  }

  private async factsOf(manager: EntityManager, engagement: Engagement): Promise<EngagementFacts> {
    const [row]: Record<string, number>[] = await manager.query(
      `SELECT
         (SELECT count(*) FROM milestones WHERE engagement_id = $1 AND kind = 'final_handover')::int AS final_handovers,
         (SELECT count(*) FROM milestones
           WHERE engagement_id = $1 AND kind = 'final_handover' AND completed_on IS NOT NULL)::int AS final_handovers_completed,
         (SELECT count(*) FROM artifacts WHERE engagement_id = $1)::int AS artifacts,
         (SELECT count(*) FROM artifacts WHERE engagement_id = $1 AND status <> 'accepted')::int AS unaccepted,
         (SELECT count(*) FROM engagement_knowledge_recipients WHERE engagement_id = $1)::int AS recipients`,
      [engagement.id],
    );
    return {
      status: engagement.status,
      finalHandoverCount: row.final_handovers,
      finalHandoverCompleted: row.final_handovers_completed > 0,
      artifactCount: row.artifacts,
      unacceptedArtifactCount: row.unaccepted,
      knowledgeRecipientCount: row.recipients,
    };
  }

  /** Knowledge recipients of several engagements in one query, each list sorted. */
  private async recipientsOf(
    manager: EntityManager,
    engagementIds: string[],
  ): Promise<Map<string, string[]>> {
    const byEngagement = new Map<string, string[]>();
    if (engagementIds.length === 0) return byEngagement;
    const rows = await manager.find(EngagementKnowledgeRecipient, {
      where: { engagementId: In(engagementIds) },
      order: { personId: 'ASC' },
    });
    for (const row of rows) {
      byEngagement.set(row.engagementId, [
        ...(byEngagement.get(row.engagementId) ?? []),
        row.personId,
      ]);
    }
    return byEngagement;
  }

  private async replaceRecipients(
    manager: EntityManager,
    engagementId: string,
    personIds: string[],
  ): Promise<void> {
    await manager.delete(EngagementKnowledgeRecipient, { engagementId });
    if (personIds.length > 0) {
      await manager.insert(
        EngagementKnowledgeRecipient,
        personIds.map((personId) => ({ engagementId, personId })),
      );
    }
  }

  /** 400 problems for references to vendors and people that do not exist. */
  private async referenceProblems(
    manager: EntityManager,
    references: {
      vendorId: string | undefined;
      productOwnerId: string | undefined;
      tradeOffOwnerId: string | undefined;
      knowledgeRecipientIds: string[];
    },
  ): Promise<ProblemItem[]> {
    const problems: ProblemItem[] = [];
    if (references.vendorId && !(await manager.existsBy(Vendor, { id: references.vendorId }))) {
      problems.push({
        field: 'vendorId',
        message: 'vendorId refers to a vendor that does not exist',
      });
    }
    problems.push(
      ...(await missingPeople(manager, [
        { field: 'productOwnerId', id: references.productOwnerId },
        { field: 'spec.tradeOffOwnerId', id: references.tradeOffOwnerId },
        ...references.knowledgeRecipientIds.map((id, index) => ({
          field: `knowledgeRecipientIds[${index}]`,
          id,
        })),
      ])),
    );
    return problems;
  }
}
