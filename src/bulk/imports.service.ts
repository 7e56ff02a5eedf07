import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { Artifact } from '../artifacts/artifact.entity.js';
import { artifactSnapshot } from '../artifacts/artifacts.service.js';
import { ArtifactResponse } from '../artifacts/dto/artifact.dto.js';
import { creationChanges } from '../audit/changes.js';
import { AuditService } from '../audit/audit.service.js';
import type { Actor } from '../auth/actor.js';
import { isUniqueViolation } from '../common/database-errors.js';
import { type ProblemItem, ValidationProblem } from '../common/problem.js';
import { checkBody, unstorableProblems } from '../common/validation.js';
import { APP_CONFIG, type AppConfig } from '../config/config.js';
import { insertInChunks } from '../database/bulk-insert.js';
import type { CreateEngagementDto } from '../engagements/dto/engagement.dto.js';
import { type CreationContext, EngagementWriter } from '../engagements/engagement-writer.js';
import { Engagement } from '../engagements/engagement.entity.js';
import { ContractRefTakenError } from '../engagements/engagements.errors.js';
import {
  creationAudit,
  bodyReferenceProblems,
  insertRecipients,
  newEngagementColumns,
} from '../engagements/engagements.service.js';
import { MilestoneResponse } from '../milestones/dto/milestone.dto.js';
import { Milestone } from '../milestones/milestone.entity.js';
import { milestoneSnapshot } from '../milestones/milestones.service.js';
import { personSnapshot } from '../people/people.service.js';
import { Person } from '../people/person.entity.js';
import { vendorSnapshot } from '../vendors/vendors.service.js';
import { Vendor } from '../vendors/vendor.entity.js';
import {
  ImportContractRefTakenError,
  ImportInvalidError,
  ImportTooLargeError,
  ReferenceCreatedConcurrentlyError,
} from './bulk.errors.js';
import { parseCsvRows } from './csv-rows.js';
import {
  type DryRunResponse,
  ImportEngagementDto,
  type ImportMilestoneDto,
  type ImportQuery,
  type ImportResponse,
} from './dto/import.dto.js';
import { bodyOfCsvRow, csvField, headerProblems } from './engagement-csv.js';

export type ImportBody = { format: 'json'; rows: unknown } | { format: 'csv'; text: string };

/** An import row that passed its field validation, with the row number SPEC §10 gives it. */
interface CheckedRow {
  row: number;
  input: ImportEngagementDto;
}

/** A checked row with every reference as an id and its milestones, ready to insert. */
interface ResolvedRow extends CheckedRow {
  engagement: CreateEngagementDto & { knowledgeRecipientIds: string[] };
  milestones: ImportMilestoneDto[];
}

/** Thrown at the end of a dry run's transaction, so that everything it did rolls back. */
class DryRunFinished extends Error {}

/** The longest person name (people.name). */
const NAME_LENGTH = 200;

/**
 * Bulk import (SPEC §10): every row is checked with the single POST's own validation, then
 * all rows are written in one transaction through the write pipeline, or none is.
 */
@Injectable()
export class ImportsService {
  constructor(
    private readonly writer: EngagementWriter,
    private readonly audit: AuditService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async importEngagements(
    actor: Actor,
    body: ImportBody,
    query: ImportQuery,
  ): Promise<ImportResponse | DryRunResponse> {
    const { bodies, formatProblems } = this.rowsOf(body);
    const rowCount = bodies.length;
    const problems: ProblemItem[] = [];
    // Each row is checked in turn (the checks are synchronous work): only its result is kept.
    let rows: CheckedRow[] = [];
    for (const [index, row] of bodies.entries()) {
      const result = await checkRow(row, index + 1, formatProblems[index] ?? []);
      for (const problem of result.problems) problems.push(problem);
      if (result.checked) rows.push(result.checked);
    }
    const created = { vendors: [] as Vendor[], people: [] as Person[] };
    let resolved: ResolvedRow[] = [];
    try {
      const engagements = await this.writer.create(
        actor,
        async (manager) => {
          resolved = await this.resolve(manager, actor, rows, query.createMissing ?? false, {
            problems,
            created,
          });
          // The resolved rows hold what is still needed of the checked ones.
          rows = [];
          problems.push(...(await databaseProblems(manager, resolved)));
          if (problems.length > 0) {
            throw new ImportInvalidError(
              body.format === 'csv' ? problems.map(asCsvProblem) : problems,
              rowCount,
            );
          }
          if (query.dryRun) throw new DryRunFinished();
          return this.insertEngagements(manager, resolved);
        },
        async (context) => {
          await writePlans(context, resolved);
          // Written, audited and queued: released before the events are built.
          resolved = [];
          return context.engagements;
        },
      );
      return {
        created: engagements.length,
        engagementIds: engagements.map((engagement) => engagement.id),
        createdVendors: created.vendors.map(({ id, name }) => ({ id, name })),
        createdPeople: created.people.map(({ id, email }) => ({ id, email })),
      };
    } catch (error) {
      if (error instanceof DryRunFinished) return { valid: true, rows: rowCount };
      if (
        isUniqueViolation(error, 'uq_vendors_name_lower') ||
        isUniqueViolation(error, 'uq_people_email_lower')
      ) {
        throw new ReferenceCreatedConcurrentlyError();
      }
      if (isUniqueViolation(error, 'uq_engagements_contract_ref'))
        throw new ImportContractRefTakenError();
      throw error;
    }
  }

  /** The row bodies of a JSON array or a CSV file, and the problems of each row's CSV cells. */
  private rowsOf(body: ImportBody): { bodies: unknown[]; formatProblems: ProblemItem[][] } {
    let bodies: unknown[];
    const formatProblems: ProblemItem[][] = [];
    if (body.format === 'csv') {
      const { header, rows } = parseCsvRows(body.text);
      const columnProblems = headerProblems(header);
      if (columnProblems.length > 0) throw new ValidationProblem(columnProblems);
      bodies = rows.map((cells, index) => {
        const row = bodyOfCsvRow(header, cells, index + 1);
        formatProblems.push(row.problems);
        return row.body;
      });
    } else if (Array.isArray(body.rows)) {
      bodies = body.rows;
    } else {
      throw new ValidationProblem([
        { field: 'body', message: 'the body must be a JSON array of engagements' },
      ]);
    }
    if (bodies.length === 0) {
      throw new ValidationProblem([{ field: 'body', message: 'the import has no rows' }]);
    }
    if (bodies.length > this.config.imports.maxRows)
      throw new ImportTooLargeError(bodies.length, this.config.imports.maxRows);
    return { bodies, formatProblems };
  }

  /**
   * Every reference of the checked rows as an id: natural keys looked up (two queries), and
   * with `createMissing` the vendors and people that do not exist created, with their audit.
   */
  private async resolve(
    manager: EntityManager,
    actor: Actor,
    rows: CheckedRow[],
    createMissing: boolean,
    found: { problems: ProblemItem[]; created: { vendors: Vendor[]; people: Person[] } },
  ): Promise<ResolvedRow[]> {
    const vendorNames = [...new Set(rows.flatMap(({ input }) => input.vendorName ?? []))];
    const emails = [...new Set(rows.flatMap(({ input }) => emailsOf(input)))];
    const vendors = await byKey(manager, Vendor, 'name', vendorNames);
    const people = await byKey(manager, Person, 'email', emails);
    if (createMissing) {
      const newVendors = await spellings(
        manager,
        vendorNames.filter((name) => !vendors.has(name)),
      );
      const newPeople = await spellings(
        manager,
        emails.filter((email) => !people.has(email)),
      );
      found.created.vendors = newVendors.map(([name]) =>
        manager.create(Vendor, { id: randomUUID(), name }),
      );
      found.created.people = newPeople.map(([email]) =>
        // Named by the e-mail until renamed; a name holds fewer characters than an e-mail.
        manager.create(Person, { id: randomUUID(), name: email.slice(0, NAME_LENGTH), email }),
      );
      await this.insertReferences(manager, actor, found.created);
      found.created.vendors.forEach((vendor, index) => {
        for (const name of newVendors[index]) vendors.set(name, vendor.id);
      });
      found.created.people.forEach((person, index) => {
        for (const email of newPeople[index]) people.set(email, person.id);
      });
    }
    return rows.map(({ row, input }) => {
      const lookup = (map: Map<string, string>, field: string, key: string | undefined) => {
        if (key === undefined) return undefined;
        const id = map.get(key);
        if (!id) {
          found.problems.push({
            row,
            field,
            code: 'UNKNOWN_REFERENCE',
            message: `${field} ${key} does not exist (createMissing=true creates it)`,
          });
        }
        return id;
      };
      const spec = input.spec ?? {};
      const { vendorName, productOwnerEmail, knowledgeRecipientEmails, ...rest } = input;
      const recipientsByEmail = (knowledgeRecipientEmails ?? []).map((email, index) =>
        lookup(people, `knowledgeRecipientEmails[${index}]`, email),
      );
      const { tradeOffOwnerEmail, ...specRest } = spec as typeof spec & {
        tradeOffOwnerEmail?: string;
      };
      const engagement = {
        ...rest,
        vendorId: rest.vendorId ?? (lookup(vendors, 'vendorName', vendorName) as string),
        productOwnerId:
          rest.productOwnerId ?? (lookup(people, 'productOwnerEmail', productOwnerEmail) as string),
        spec: {
          ...specRest,
          tradeOffOwnerId:
            specRest.tradeOffOwnerId ??
            lookup(people, 'spec.tradeOffOwnerEmail', tradeOffOwnerEmail),
        },
        knowledgeRecipientIds: [
          ...new Set([
            ...(rest.knowledgeRecipientIds ?? []),
            ...recipientsByEmail.filter((id): id is string => !!id),
          ]),
        ],
      };
      return { row, input, engagement, milestones: planOf(input) };
    });
  }

  private async insertReferences(
    manager: EntityManager,
    actor: Actor,
    created: { vendors: Vendor[]; people: Person[] },
  ): Promise<void> {
    const vendorRows = await insertInChunks(manager, Vendor, created.vendors);
    const personRows = await insertInChunks(manager, Person, created.people);
    created.vendors = created.vendors.map((vendor, index) =>
      manager.merge(Vendor, vendor, vendorRows[index]),
    );
    created.people = created.people.map((person, index) =>
      manager.merge(Person, person, personRows[index]),
    );
    await this.audit.recordMany(manager, actor, [
      ...created.vendors.map((vendor) => ({
        action: 'vendor.created',
        entityType: 'vendor' as const,
        entityId: vendor.id,
        changes: creationChanges(vendorSnapshot(vendor)),
      })),
      ...created.people.map((person) => ({
        action: 'person.created',
        entityType: 'person' as const,
        entityId: person.id,
        changes: creationChanges(personSnapshot(person)),
      })),
    ]);
  }

  private async insertEngagements(
    manager: EntityManager,
    rows: ResolvedRow[],
  ): Promise<Engagement[]> {
    const columns = rows.map((row) => ({
      id: randomUUID(),
      ...newEngagementColumns(row.engagement, this.config.defaultMinIndependentOperators),
    }));
    const generated = await insertInChunks(manager, Engagement, columns);
    return columns.map((column, index) =>
      manager.create(Engagement, { ...column, ...generated[index] }),
    );
  }
}

/**
 * A row's field validation and spec, as the single POST's validation pipe runs them;
 * `formatProblems` are those of its CSV cells.
 */
async function checkRow(
  body: unknown,
  row: number,
  formatProblems: ProblemItem[],
): Promise<{ checked?: CheckedRow; problems: ProblemItem[] }> {
  const at = (code: string) => (problem: ProblemItem) => ({
    ...problem,
    row,
    code: problem.code ?? code,
  });
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    return {
      problems: [{ row, field: 'row', code: 'NOT_AN_OBJECT', message: 'a row must be an object' }],
    };
  }
  const unstorable = unstorableProblems(body);
  if (unstorable.length > 0) return { problems: unstorable.map(at('UNSTORABLE')) };
  const { input, problems: bodyProblems } = await checkBody(
    ImportEngagementDto,
    body,
    formatProblems,
  );
  const problems = [...formatProblems, ...bodyProblems.map(at('INVALID_FIELD'))];
  const natural = body as Record<string, unknown>;
  const spec = (natural.spec ?? {}) as Record<string, unknown>;
  for (const [idField, keyField, id, key] of [
    ['vendorId', 'vendorName', natural.vendorId, natural.vendorName],
    ['productOwnerId', 'productOwnerEmail', natural.productOwnerId, natural.productOwnerEmail],
    [
      'spec.tradeOffOwnerId',
      'spec.tradeOffOwnerEmail',
      spec.tradeOffOwnerId,
      spec.tradeOffOwnerEmail,
    ],
  ] as const) {
    if ((id === undefined) === (key === undefined)) {
      problems.push({
        row,
        field: idField,
        code: id === undefined ? 'REFERENCE_REQUIRED' : 'REFERENCE_TWICE',
        message:
          id === undefined
            ? `${idField} or ${keyField} is required`
            : `give ${idField} or ${keyField}, not both`,
      });
    }
  }
  if (input) {
    const finals = planOf(input).filter((milestone) => milestone.kind === 'final_handover');
    if (finals.length > 1) {
      problems.push({
        row,
        field: 'milestones',
        code: 'FINAL_HANDOVER_TWICE',
        message:
          'an engagement has at most one final_handover milestone (finalHandoverDate is one)',
      });
    }
  }
  return { checked: input && problems.length === 0 ? { row, input } : undefined, problems };
}

/** The milestones a row creates: its plan, and the final handover of finalHandoverDate. */
function planOf(input: ImportEngagementDto): ImportMilestoneDto[] {
  return [
    ...(input.milestones ?? []),
    ...(input.finalHandoverDate
      ? [
          {
            name: 'Final handover',
            kind: 'final_handover' as const,
            dueDate: input.finalHandoverDate,
          },
        ]
      : []),
  ];
}

function emailsOf(input: ImportEngagementDto): string[] {
  const tradeOffOwnerEmail = (input.spec as { tradeOffOwnerEmail?: string } | undefined)
    ?.tradeOffOwnerEmail;
  return [
    ...(input.productOwnerEmail ? [input.productOwnerEmail] : []),
    ...(tradeOffOwnerEmail ? [tradeOffOwnerEmail] : []),
    ...(input.knowledgeRecipientEmails ?? []),
  ];
}

/**
 * The keys grouped by PostgreSQL's lower(), the unique indexes' rule (JavaScript lowers some
 * letters, such as İ, otherwise), each group in input order, groups by first appearance.
 */
async function spellings(manager: EntityManager, keys: string[]): Promise<string[][]> {
  if (keys.length === 0) return [];
  const rows: { keys: string[] }[] = await manager.query(
    `SELECT array_agg(u.key ORDER BY u.position) AS keys
       FROM unnest($1::text[]) WITH ORDINALITY AS u(key, position)
      GROUP BY lower(u.key) ORDER BY min(u.position)`,
    [keys],
  );
  return rows.map((row) => row.keys);
}

/** Ids of the vendors or people with these names or e-mails (case-insensitive), by the key as given. */
async function byKey(
  manager: EntityManager,
  entity: typeof Vendor | typeof Person,
  column: 'name' | 'email',
  keys: string[],
): Promise<Map<string, string>> {
  if (keys.length === 0) return new Map();
  const table = entity === Vendor ? 'vendors' : 'people';
  const rows: { id: string; key: string }[] = await manager.query(
    `SELECT t.id, u.key FROM unnest($1::text[]) AS u(key)
       JOIN ${table} t ON lower(t.${column}) = lower(u.key)`,
    [keys],
  );
  return new Map(rows.map((row) => [row.key, row.id]));
}

/**
 * What only the database can tell about resolved rows: the single POST's reference
 * checks, and contract references used twice in the file or already taken.
 */
async function databaseProblems(
  manager: EntityManager,
  rows: ResolvedRow[],
): Promise<ProblemItem[]> {
  const problems: ProblemItem[] = [];
  const references = await bodyReferenceProblems(
    manager,
    rows.map((row) => row.engagement),
  );
  // The spec was judged with the row's fields (checkRow).
  rows.forEach(({ row }, index) => {
    problems.push(
      ...references[index].map((problem) => ({
        ...problem,
        row,
        code: 'UNKNOWN_REFERENCE',
      })),
    );
  });
  const firstRowOf = new Map<string, number>();
  for (const { row, engagement } of rows) {
    const ref = engagement.contractRef;
    if (!ref) continue;
    const first = firstRowOf.get(ref);
    if (first === undefined) firstRowOf.set(ref, row);
    else {
      problems.push({
        row,
        field: 'contractRef',
        code: 'DUPLICATE_CONTRACT_REF',
        message: `contractRef ${ref} is also in row ${first}`,
      });
    }
  }
  if (firstRowOf.size > 0) {
    const taken: { id: string; contract_ref: string }[] = await manager.query(
      'SELECT id, contract_ref FROM engagements WHERE contract_ref = ANY($1::text[])',
      [[...firstRowOf.keys()]],
    );
    for (const { id, contract_ref: ref } of taken) {
      for (const { row } of rows.filter((one) => one.engagement.contractRef === ref)) {
        problems.push({
          row,
          field: 'contractRef',
          code: ContractRefTakenError.code,
          message: `contractRef ${ref} belongs to engagement ${id}`,
        });
      }
    }
  }
  return problems;
}

/** Each new engagement's recipients and plan, with the audit and events of each. */
async function writePlans(context: CreationContext, rows: ResolvedRow[]): Promise<void> {
  const { manager, engagements, audit, emit, emitEngagement } = context;
  await insertRecipients(
    manager,
    engagements.map((engagement, index) => ({
      engagementId: engagement.id,
      personIds: rows[index].engagement.knowledgeRecipientIds,
    })),
  );
  const milestones: Milestone[] = [];
  const artifacts: Artifact[] = [];
  engagements.forEach((engagement, index) => {
    for (const plan of rows[index].milestones) {
      const milestone = manager.create(Milestone, {
        id: randomUUID(),
        engagementId: engagement.id,
        name: plan.name,
        kind: plan.kind,
        dueDate: plan.dueDate,
        baselineDueDate: null,
      });
      milestones.push(milestone);
      for (const artifact of plan.artifacts ?? []) {
        artifacts.push(
          manager.create(Artifact, {
            id: randomUUID(),
            engagementId: engagement.id,
            milestoneId: milestone.id,
            kind: artifact.kind,
            title: artifact.title,
            description: artifact.description ?? null,
          }),
        );
      }
    }
  });
  const milestoneRows = await insertInChunks(manager, Milestone, milestones);
  const artifactRows = await insertInChunks(manager, Artifact, artifacts);
  const byEngagement = new Map<string, { milestones: Milestone[]; artifacts: Artifact[] }>(
    engagements.map((engagement) => [engagement.id, { milestones: [], artifacts: [] }]),
  );
  milestones.forEach((milestone, index) =>
    byEngagement
      .get(milestone.engagementId)
      ?.milestones.push(manager.merge(Milestone, milestone, milestoneRows[index])),
  );
  artifacts.forEach((artifact, index) =>
    byEngagement
      .get(artifact.engagementId)
      ?.artifacts.push(manager.merge(Artifact, artifact, artifactRows[index])),
  );
  engagements.forEach((engagement, index) => {
    audit(creationAudit(engagement, rows[index].engagement.knowledgeRecipientIds));
    emitEngagement(engagement.id, 'engagement.created');
    const plan = byEngagement.get(engagement.id) as {
      milestones: Milestone[];
      artifacts: Artifact[];
    };
    for (const milestone of plan.milestones) {
      audit({
        action: 'milestone.created',
        entityType: 'milestone',
        entityId: milestone.id,
        engagementId: engagement.id,
        changes: creationChanges(milestoneSnapshot(milestone)),
      });
      emit(engagement.id, 'milestone.created', { ...MilestoneResponse.from(milestone) });
    }
    for (const artifact of plan.artifacts) {
      audit({
        action: 'artifact.created',
        entityType: 'artifact',
        entityId: artifact.id,
        engagementId: engagement.id,
        changes: creationChanges(artifactSnapshot(artifact)),
      });
      emit(engagement.id, 'artifact.created', { ...ArtifactResponse.from(artifact) });
    }
  });
}

/** A problem of a CSV import, named by its column rather than its JSON path. */
function asCsvProblem(problem: ProblemItem): ProblemItem {
  return { ...problem, field: csvField(problem.field) };
}
