import { Inject, Injectable } from '@nestjs/common';
import { type EntityManager, In } from 'typeorm';
import { creationChanges, diffChanges } from '../audit/changes.js';
import type { Actor } from '../auth/actor.js';
import { isUniqueViolation } from '../common/database-errors.js';
import { type ProblemItem, ValidationProblem } from '../common/problem.js';
import { definedFields } from '../common/query-helpers.js';
import { updateVersioned } from '../common/versioned-update.js';
import { Person } from '../people/person.entity.js';
import type { AuditRecord } from '../audit/audit.service.js';
import { insertInChunks } from '../database/bulk-insert.js';
import { APP_CONFIG, type AppConfig } from '../config/config.js';
import { Vendor } from '../vendors/vendor.entity.js';
import type { ExitPlanDto } from './dto/exit-plan.dto.js';
import type { CreateEngagementDto, SpecDto, UpdateEngagementDto } from './dto/engagement.dto.js';
import type { EngagementResponse } from './dto/engagement.response.js';
import { EngagementResponses } from './engagement-responses.js';
import { EngagementWriter } from './engagement-writer.js';
import {
  Engagement,
  EngagementKnowledgeRecipient,
  type ExitPlan,
  type SuccessMetric,
} from './engagement.entity.js';
import { ContractRefTakenError } from './engagements.errors.js';
import { validateSpec } from './spec-validation.js';

const CONTRACT_REF_INDEX = 'uq_engagements_contract_ref';

/** The audited view of an engagement: what the API shows, spec fields one by one. */
export function snapshot(
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
    criticality: engagement.criticality,
    exitPlan: engagement.exitPlan,
    minIndependentOperators: engagement.minIndependentOperators,
    cancelReason: engagement.cancelReason,
  };
}

/** The exit plan as stored, trimmed; `null` removes it and `undefined` keeps what is there. */
function exitPlanColumn(plan: ExitPlanDto | null | undefined): ExitPlan | null | undefined {
  if (!plan) return plan;
  return {
    strategy: plan.strategy,
    summary: plan.summary,
    triggers: plan.triggers.map((trigger) => trigger.trim()),
    ...(plan.alternativeVendorId ? { alternativeVendorId: plan.alternativeVendorId } : {}),
  };
}

/** The spec as stored, from an input whose spec has been judged whole (validateSpec). */
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

/** Creating, reading and changing engagements; lifecycle and listing have services of their own. */
@Injectable()
export class EngagementsService {
  constructor(
    private readonly writer: EngagementWriter,
    private readonly responses: EngagementResponses,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async create(actor: Actor, input: CreateEngagementDto): Promise<EngagementResponse> {
    const recipientIds = input.knowledgeRecipientIds ?? [];
    return this.withContractRefGuard(input.contractRef, async () => {
      const id = await this.writer.create(
        actor,
        async (manager) => {
          const [references] = await bodyReferenceProblems(manager, [input]);
          if (references.length > 0) throw new ValidationProblem(references);
          const columns = newEngagementColumns(input, this.config.defaultMinIndependentOperators);
          return [await manager.save(manager.create(Engagement, columns))];
        },
        async ({ manager, engagements: [engagement], audit, emitEngagement }) => {
          await insertRecipients(manager, [
            { engagementId: engagement.id, personIds: recipientIds },
          ]);
          audit(creationAudit(engagement, recipientIds));
          emitEngagement(engagement.id, 'engagement.created');
          return engagement.id;
        },
      );
      return this.responses.one(id);
    });
  }

  get(id: string): Promise<EngagementResponse> {
    return this.responses.one(id);
  }

  async update(
    actor: Actor,
    id: string,
    input: UpdateEngagementDto,
    ifMatch: number | undefined,
  ): Promise<EngagementResponse> {
    return this.withContractRefGuard(input.contractRef, async () => {
      await this.writer.change(
        actor,
        id,
        async ({ manager, engagement: current, audit, emitEngagement }) => {
          const currentRecipients = await recipientsOf(manager, id);
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
          const [references] = await bodyReferenceProblems(manager, [input]);
          const problems = [...(spec ? validateSpec(spec) : []), ...references];
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
              'criticality',
              'minIndependentOperators',
            ]),
            ...(input.exitPlan !== undefined ? { exitPlan: exitPlanColumn(input.exitPlan) } : {}),
            ...(spec ? specColumns(spec) : {}),
            // The recipients live in their own table: a change to them is still a new version.
            ...(recipientsChanged ? { updatedAt: new Date() } : {}),
          };
          const updated = await updateVersioned(manager, Engagement, current, ifMatch, patch);
          if (recipientsChanged) await replaceRecipients(manager, id, recipients);
          const changes = diffChanges(
            snapshot(current, currentRecipients),
            snapshot(updated, recipients),
          );
          audit({ action: 'engagement.updated', entityType: 'engagement', entityId: id, changes });
          if (Object.keys(changes).length > 0) emitEngagement('engagement.updated', { changes });
        },
        { ifMatch },
      );
      return this.responses.one(id);
    });
  }

  private async withContractRefGuard<T>(
    contractRef: string | null | undefined,
    work: () => Promise<T>,
  ): Promise<T> {
    try {
      return await work();
    } catch (error) {
      if (isUniqueViolation(error, CONTRACT_REF_INDEX))
        throw new ContractRefTakenError(contractRef);
      throw error;
    }
  }
}

/** Knowledge recipients of an engagement, sorted. */
export async function recipientsOf(
  manager: EntityManager,
  engagementId: string,
): Promise<string[]> {
  const rows = await manager.find(EngagementKnowledgeRecipient, {
    where: { engagementId },
    order: { personId: 'ASC' },
  });
  return rows.map((row) => row.personId);
}

async function replaceRecipients(
  manager: EntityManager,
  engagementId: string,
  personIds: string[],
): Promise<void> {
  await manager.delete(EngagementKnowledgeRecipient, { engagementId });
  await insertRecipients(manager, [{ engagementId, personIds }]);
}

/** The knowledge recipients of new engagements, in a few statements for any number. */
export async function insertRecipients(
  manager: EntityManager,
  recipients: { engagementId: string; personIds: string[] }[],
): Promise<void> {
  await insertInChunks(
    manager,
    EngagementKnowledgeRecipient,
    recipients.flatMap(({ engagementId, personIds }) =>
      personIds.map((personId) => ({ engagementId, personId })),
    ),
  );
}

/** The audit event of a new engagement. */
export function creationAudit(
  engagement: Engagement,
  recipientIds: string[],
): AuditRecord & { engagementId: string } {
  return {
    action: 'engagement.created',
    entityType: 'engagement',
    entityId: engagement.id,
    engagementId: engagement.id,
    changes: creationChanges(snapshot(engagement, [...recipientIds].sort())),
  };
}

/** The columns of a new engagement, from a creation body whose references are ids. */
export function newEngagementColumns(
  input: CreateEngagementDto,
  defaultMinIndependentOperators: number,
): Partial<Engagement> {
  return {
    title: input.title,
    vendorId: input.vendorId,
    contractRef: input.contractRef ?? null,
    productOwnerId: input.productOwnerId,
    ...specColumns(input.spec as SpecDto),
    startDate: input.startDate ?? null,
    contractEndDate: input.contractEndDate ?? null,
    noticePeriodDays: input.noticePeriodDays ?? 0,
    criticality: input.criticality ?? 'standard',
    exitPlan: exitPlanColumn(input.exitPlan) ?? null,
    minIndependentOperators: input.minIndependentOperators ?? defaultMinIndependentOperators,
  };
}

/**
 * The references of each of these bodies (a creation's, or a change's naming only some) that
 * do not exist: what only the database can tell once the body passed its validation.
 */
export function bodyReferenceProblems(
  manager: EntityManager,
  inputs: CreateEngagementDto[],
): Promise<ProblemItem[][]> {
  return referenceProblems(
    manager,
    inputs.map((input) => ({
      vendorId: input.vendorId,
      productOwnerId: input.productOwnerId,
      tradeOffOwnerId: input.spec?.tradeOffOwnerId,
      knowledgeRecipientIds: input.knowledgeRecipientIds ?? [],
      alternativeVendorId: input.exitPlan?.alternativeVendorId,
    })),
  );
}

export interface EngagementReferences {
  vendorId: string | undefined;
  productOwnerId: string | undefined;
  tradeOffOwnerId: string | undefined;
  knowledgeRecipientIds: string[];
  alternativeVendorId: string | undefined;
}

/**
 * 400 problems for references to vendors and people that do not exist, one list per
 * engagement: two lookups for any number of engagements.
 */
export async function referenceProblems(
  manager: EntityManager,
  engagements: EngagementReferences[],
): Promise<ProblemItem[][]> {
  const vendorFields = (references: EngagementReferences) =>
    [
      ['vendorId', references.vendorId],
      ['exitPlan.alternativeVendorId', references.alternativeVendorId],
    ] as const;
  const personFields = (references: EngagementReferences) => [
    ['productOwnerId', references.productOwnerId] as const,
    ['spec.tradeOffOwnerId', references.tradeOffOwnerId] as const,
    ...references.knowledgeRecipientIds.map(
      (id, index) => [`knowledgeRecipientIds[${index}]`, id] as const,
    ),
  ];
  const vendors = await existingIds(manager, Vendor, engagements.flatMap(vendorFields));
  const people = await existingIds(manager, Person, engagements.flatMap(personFields));
  return engagements.map((references) => [
    ...vendorFields(references)
      .filter(([, id]) => id && !vendors.has(id))
      .map(([field]) => ({ field, message: `${field} refers to a vendor that does not exist` })),
    ...personFields(references)
      .filter(([, id]) => id && !people.has(id))
      .map(([field]) => ({ field, message: `${field} refers to a person that does not exist` })),
  ]);
}

async function existingIds(
  manager: EntityManager,
  entity: typeof Vendor | typeof Person,
  fields: readonly (readonly [string, string | undefined])[],
): Promise<Set<string>> {
  const ids = [...new Set(fields.map(([, id]) => id).filter((id): id is string => !!id))];
  if (ids.length === 0) return new Set();
  const rows: { id: string }[] = await manager.find(entity, {
    select: { id: true },
    where: { id: In(ids) },
  });
  return new Set(rows.map((row) => row.id));
}
