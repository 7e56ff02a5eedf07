import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import type request from 'supertest';
import { verifyRisk } from '../src/risk/risk-maintenance.js';
import {
  act,
  type ArtifactBody,
  type AuditEventBody,
  daysFromToday,
  type EngagementBody,
  type MilestoneBody,
  newEngagement,
  newPerson,
  newVendor,
  type PersonBody,
  uniqueSuffix,
  validSpec,
  type VendorBody,
} from './factories.js';
import {
  bearer,
  createTestApp,
  expectProblem,
  externalDatabaseUrl,
  type TestApp,
} from './test-app.js';

/**
 * Bulk import of engagements (SPEC §10): JSON and CSV bodies with natural keys, dry runs,
 * createMissing, every problem of every row as one 422 with nothing written, the limits,
 * Idempotency-Key, the audit, events and risk of what is imported, and the roles.
 */

const IMPORT = '/v1/imports/engagements';
const UNKNOWN_ID = '00000000-0000-4000-8000-000000000000';
const PROBLEM =
  'Accounts payable keys 4,000 supplier invoices a month by hand; errors delay payments by 6 days.';

/** The columns of a full CSV file, in the order the export writes them. */
const CSV_HEADER = [
  'title',
  'vendorName',
  'contractRef',
  'productOwnerEmail',
  'problem',
  'successMetrics',
  'constraints',
  'tradeOffOwnerEmail',
  'tradeOffRule',
  'knowledgeRecipientEmails',
  'startDate',
  'contractEndDate',
  'noticePeriodDays',
  'finalHandoverDate',
  'criticality',
];

interface ImportError {
  row?: number;
  field?: string;
  code?: string;
  message: string;
}

type Row = Record<string, unknown>;

interface RiskSummary {
  level: string;
  score: number;
  dependencyTrap: boolean;
}

interface EventBody {
  id: string;
  seq: number;
  type: string;
  engagementId: string | null;
  vendorId: string | null;
  actor: { apiKeyId: string | null; name: string; role: string } | null;
  data: Record<string, unknown>;
}

/** The vendor and people a row names, existing in the database. */
interface World {
  vendor: VendorBody;
  owner: PersonBody;
  tradeOffOwner: PersonBody;
  recipients: PersonBody[];
}

/** One RFC 4180 field: quoted when it holds a comma, quote or line break. */
const cell = (value: string) => (/[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value);

/** A CSV text of a header and rows, lines ended by `eol`. */
const csvText = (header: string[], rows: string[][], eol = '\n') =>
  [header, ...rows].map((cells) => cells.map(cell).join(',')).join(eol) + eol;

/** A 422 import-invalid problem; returns its errors. */
function importErrors(response: request.Response): ImportError[] {
  const problem = expectProblem(response, 422, 'import-invalid');
  expect(problem.detail).toMatch(/nothing was imported/);
  return (problem.errors ?? []) as ImportError[];
}

/** `[row, field, code]` of each error, in the order the response lists them. */
const triples = (errors: ImportError[]) =>
  errors.map((error) => [error.row, error.field, error.code] as const);

const fieldSet = (errors: { field?: string }[]) =>
  [...new Set(errors.map((error) => error.field))].sort();

function expectStatus(response: request.Response, status: number, what: string): void {
  if (response.status !== status) {
    throw new Error(`${what} answered ${response.status}: ${JSON.stringify(response.body)}`);
  }
}

/** Rows of every table an import writes to, to show that a refused import wrote nothing. */
async function tableCounts(t: TestApp): Promise<Record<string, number>> {
  const tables = [
    'engagements',
    'vendors',
    'people',
    'milestones',
    'artifacts',
    'engagement_knowledge_recipients',
    'engagement_risk_facts',
    'risk_timeline',
    'audit_events',
    'events',
  ];
  const [row] = await t.dataSource.query(
    `SELECT ${tables.map((table) => `(SELECT count(*)::int FROM ${table}) AS ${table}`).join(', ')}`,
  );
  return row;
}

/** Runs `refused` and asserts that no table an import writes to changed. */
async function expectNothingWritten(t: TestApp, refused: () => Promise<unknown>): Promise<void> {
  const before = await tableCounts(t);
  await refused();
  expect(await tableCounts(t)).toEqual(before);
}

describe('engagement import (SPEC §10)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  // ---------------------------------------------------------------- helpers

  const importJson = (body: unknown, query: Record<string, string> = {}, key = t.adminKey) =>
    t
      .http()
      .post(IMPORT)
      .query(query)
      .set(bearer(key))
      .set('Content-Type', 'application/json')
      .send(JSON.stringify(body));

  const importCsv = (text: string, query: Record<string, string> = {}, key = t.adminKey) =>
    t.http().post(IMPORT).query(query).set(bearer(key)).set('Content-Type', 'text/csv').send(text);

  const get = (path: string, query: Record<string, unknown> = {}) =>
    t.http().get(path).query(query).set(bearer(t.adminKey));

  async function newWorld(recipients = 2): Promise<World> {
    const people: PersonBody[] = [];
    for (let i = 0; i < recipients; i++) people.push(await newPerson(t));
    return {
      vendor: await newVendor(t),
      owner: await newPerson(t),
      tradeOffOwner: await newPerson(t),
      recipients: people,
    };
  }

  /** A valid JSON row naming the world by natural keys; `fields` are laid over it. */
  function naturalRow(world: World, fields: Row = {}): Row {
    const { spec, ...rest } = fields;
    return {
      title: `Invoice extraction ${uniqueSuffix()}`,
      vendorName: world.vendor.name,
      productOwnerEmail: world.owner.email,
      spec: {
        problem: PROBLEM,
        successMetrics: [{ name: 'Fields extracted correctly', target: '≥ 97 %' }],
        constraints: ['Invoices never leave the EU'],
        tradeOffOwnerEmail: world.tradeOffOwner.email,
        ...(spec as Row | undefined),
      },
      knowledgeRecipientEmails: world.recipients.map((person) => person.email),
      ...rest,
    };
  }

  /** A valid `POST /v1/engagements` body by ids; `fields` are laid over it. */
  function idRow(world: World, fields: Row = {}): Row {
    const { spec, ...rest } = fields;
    return {
      title: `Invoice extraction ${uniqueSuffix()}`,
      vendorId: world.vendor.id,
      productOwnerId: world.owner.id,
      spec: { ...validSpec(world.tradeOffOwner.id), ...(spec as Row | undefined) },
      ...rest,
    };
  }

  /** A valid CSV data row for CSV_HEADER; `cells` overrides columns by name. */
  function csvRow(world: World, cells: Record<string, string> = {}): string[] {
    const values: Record<string, string> = {
      title: `Invoice extraction ${uniqueSuffix()}`,
      vendorName: world.vendor.name,
      contractRef: `PO-${uniqueSuffix()}`,
      productOwnerEmail: world.owner.email,
      problem: PROBLEM,
      successMetrics: 'Fields extracted correctly: ≥ 97 %;Straight-through rate: ≥ 80 %',
      constraints: 'Invoices never leave the EU;Runs on our Azure tenant',
      tradeOffOwnerEmail: world.tradeOffOwner.email,
      tradeOffRule: 'Accuracy over latency.',
      knowledgeRecipientEmails: world.recipients.map((person) => person.email).join(';'),
      startDate: daysFromToday(7),
      contractEndDate: daysFromToday(300),
      noticePeriodDays: '60',
      finalHandoverDate: daysFromToday(200),
      criticality: 'important',
      ...cells,
    };
    return CSV_HEADER.map((column) => values[column]);
  }

  async function engagement(id: string): Promise<EngagementBody & { risk: RiskSummary }> {
    const response = await get(`/v1/engagements/${id}`);
    expectStatus(response, 200, 'GET engagement');
    return response.body;
  }

  async function milestonesOf(id: string): Promise<MilestoneBody[]> {
    const response = await get(`/v1/engagements/${id}/milestones`, { limit: 200 });
    expectStatus(response, 200, 'GET milestones');
    return response.body.items;
  }

  async function artifactsOf(id: string): Promise<ArtifactBody[]> {
    const response = await get(`/v1/engagements/${id}/artifacts`, { limit: 200 });
    expectStatus(response, 200, 'GET artifacts');
    return response.body.items;
  }

  async function eventsOf(engagementId: string): Promise<EventBody[]> {
    const response = await get('/v1/events', { engagementId, limit: 200 });
    expectStatus(response, 200, 'GET events');
    return response.body.items;
  }

  /** The newest audit events (up to 200) about these entities, oldest first. */
  async function auditOf(entityIds: string[]): Promise<AuditEventBody[]> {
    const response = await get('/v1/audit-events', { limit: 200 });
    expectStatus(response, 200, 'GET audit events');
    return (response.body.items as AuditEventBody[])
      .filter((event) => entityIds.includes(event.entityId))
      .reverse();
  }

  /** The single POST's 400 fields for `body`. */
  async function singlePostFields(body: Row): Promise<(string | undefined)[]> {
    const response = await t.http().post('/v1/engagements').set(bearer(t.adminKey)).send(body);
    return fieldSet(expectProblem(response, 400, 'validation').errors ?? []);
  }

  async function expectRiskConsistent(step: string): Promise<void> {
    const [{ count }]: { count: number }[] = await t.dataSource.query(
      'SELECT count(*)::int AS count FROM engagements',
    );
    const result = await verifyRisk(t.dataSource, t.config.risk);
    expect({ step, ...result }).toEqual({ step, checked: count, mismatches: [] });
  }

  // ---------------------------------------------------------------- JSON

  describe('JSON bodies', () => {
    it('imports rows naming vendors and people by natural key: 201 with the ids in row order', async () => {
      const world = await newWorld();
      const rows = [naturalRow(world), naturalRow(world), naturalRow(world)];
      const response = await importJson(rows);
      expectStatus(response, 201, 'import');
      expect(response.body).toEqual({
        created: 3,
        engagementIds: [expect.any(String), expect.any(String), expect.any(String)],
        createdVendors: [],
        createdPeople: [],
      });
      for (const [index, id] of (response.body.engagementIds as string[]).entries()) {
        const created = await engagement(id);
        expect(created).toMatchObject({
          title: rows[index].title,
          status: 'draft',
          vendorId: world.vendor.id,
          productOwnerId: world.owner.id,
          spec: { problem: PROBLEM, tradeOffOwnerId: world.tradeOffOwner.id, tradeOffRule: null },
          version: 1,
        });
        expect([...created.knowledgeRecipientIds].sort()).toEqual(
          world.recipients.map((person) => person.id).sort(),
        );
      }
    });

    it('takes the same fields as the single POST: ids, dates, notice period, criticality', async () => {
      const world = await newWorld(1);
      const contractRef = `PO-${uniqueSuffix()}`;
      const response = await importJson([
        idRow(world, {
          contractRef,
          knowledgeRecipientIds: [world.recipients[0].id],
          startDate: daysFromToday(10),
          contractEndDate: daysFromToday(200),
          noticePeriodDays: 30,
          criticality: 'critical',
        }),
      ]);
      expectStatus(response, 201, 'import');
      const created = await engagement(response.body.engagementIds[0]);
      expect(created).toMatchObject({
        contractRef,
        vendorId: world.vendor.id,
        productOwnerId: world.owner.id,
        knowledgeRecipientIds: [world.recipients[0].id],
        startDate: daysFromToday(10),
        contractEndDate: daysFromToday(200),
        noticePeriodDays: 30,
        lastSafeHandoverDate: daysFromToday(170),
        criticality: 'critical',
        spec: validSpec(world.tradeOffOwner.id),
      });
    });

    it('matches natural keys case-insensitively and merges recipients by id and by e-mail', async () => {
      const world = await newWorld(2);
      const [first, second] = world.recipients;
      const response = await importJson([
        naturalRow(world, {
          vendorName: world.vendor.name.toUpperCase(),
          productOwnerEmail: world.owner.email.toUpperCase(),
          spec: { tradeOffOwnerEmail: world.tradeOffOwner.email.toUpperCase() },
          // The first recipient twice (by id and by e-mail), the second by e-mail only.
          knowledgeRecipientIds: [first.id],
          knowledgeRecipientEmails: [first.email.toUpperCase(), second.email],
        }),
      ]);
      expectStatus(response, 201, 'import');
      const created = await engagement(response.body.engagementIds[0]);
      expect(created.vendorId).toBe(world.vendor.id);
      expect(created.productOwnerId).toBe(world.owner.id);
      expect(created.spec.tradeOffOwnerId).toBe(world.tradeOffOwner.id);
      expect([...created.knowledgeRecipientIds].sort()).toEqual([first.id, second.id].sort());
    });

    it('creates the final_handover milestone "Final handover" of finalHandoverDate', async () => {
      const world = await newWorld();
      const due = daysFromToday(90);
      const response = await importJson([naturalRow(world, { finalHandoverDate: due })]);
      expectStatus(response, 201, 'import');
      const milestones = await milestonesOf(response.body.engagementIds[0]);
      expect(milestones).toEqual([
        expect.objectContaining({
          name: 'Final handover',
          kind: 'final_handover',
          dueDate: due,
          baselineDueDate: null,
          completedOn: null,
        }),
      ]);
    });

    it('creates the milestones and artifacts of the plan, ready to activate', async () => {
      const world = await newWorld(1);
      const response = await importJson([
        naturalRow(world, {
          milestones: [
            {
              name: 'Pilot',
              kind: 'delivery',
              dueDate: daysFromToday(30),
              artifacts: [
                { kind: 'architecture_decision_record', title: 'Why OCR before LLM' },
                { kind: 'code_walkthrough', title: 'Pipeline walkthrough', description: '2 h' },
              ],
            },
            {
              name: 'Handover',
              kind: 'final_handover',
              dueDate: daysFromToday(120),
              artifacts: [{ kind: 'runbook', title: 'Operations runbook' }],
            },
          ],
        }),
      ]);
      expectStatus(response, 201, 'import');
      const id = response.body.engagementIds[0];
      const milestones = await milestonesOf(id);
      const pilot = milestones.find((milestone) => milestone.name === 'Pilot');
      const handover = milestones.find((milestone) => milestone.kind === 'final_handover');
      expect(milestones).toHaveLength(2);
      expect(pilot).toMatchObject({ kind: 'delivery', dueDate: daysFromToday(30) });
      expect(handover).toMatchObject({ name: 'Handover', dueDate: daysFromToday(120) });
      const artifacts = await artifactsOf(id);
      const summary = artifacts
        .map(({ milestoneId, kind, title, description, status }) => ({
          milestoneId,
          kind,
          title,
          description,
          status,
        }))
        .sort((a, b) => a.title.localeCompare(b.title));
      expect(summary).toEqual([
        {
          milestoneId: handover?.id,
          kind: 'runbook',
          title: 'Operations runbook',
          description: null,
          status: 'required',
        },
        {
          milestoneId: pilot?.id,
          kind: 'code_walkthrough',
          title: 'Pipeline walkthrough',
          description: '2 h',
          status: 'required',
        },
        {
          milestoneId: pilot?.id,
          kind: 'architecture_decision_record',
          title: 'Why OCR before LLM',
          description: null,
          status: 'required',
        },
      ]);
      // The plan meets every activation precondition; activation freezes its baselines.
      const activated = await act<EngagementBody>(t, `/v1/engagements/${id}/activate`);
      expect(activated.status).toBe('active');
      expect((await milestonesOf(id)).map((milestone) => milestone.baselineDueDate).sort()).toEqual(
        [daysFromToday(120), daysFromToday(30)].sort(),
      );
    });
  });

  // ---------------------------------------------------------------- dry run

  describe('dry run', () => {
    it('answers 200 { valid: true, rows } for valid rows and writes nothing', async () => {
      const world = await newWorld();
      const rows = [
        naturalRow(world, { finalHandoverDate: daysFromToday(60) }),
        naturalRow(world, {
          milestones: [
            {
              name: 'Pilot',
              kind: 'delivery',
              dueDate: daysFromToday(20),
              artifacts: [{ kind: 'runbook', title: 'Runbook' }],
            },
          ],
        }),
      ];
      await expectNothingWritten(t, async () => {
        const response = await importJson(rows, { dryRun: 'true' });
        expectStatus(response, 200, 'dry run');
        expect(response.body).toEqual({ valid: true, rows: 2 });
      });
      // The same rows import for real afterwards.
      expectStatus(await importJson(rows), 201, 'import after the dry run');
    });

    it('answers the same 422 as the import itself, and writes nothing', async () => {
      const world = await newWorld();
      const rows = [naturalRow(world), naturalRow(world, { title: 'ab' })];
      await expectNothingWritten(t, async () => {
        const dry = await importJson(rows, { dryRun: 'true' });
        const real = await importJson(rows);
        expect(triples(importErrors(dry))).toEqual([[2, 'title', 'INVALID_FIELD']]);
        expect(importErrors(real)).toEqual(importErrors(dry));
        expect(real.body.detail).toBe(dry.body.detail);
      });
    });

    it('with createMissing checks the rows without creating the missing vendors and people', async () => {
      const world = await newWorld();
      const vendorName = `Dry Vendor ${uniqueSuffix()}`;
      const email = `dry-${uniqueSuffix()}@example.com`;
      await expectNothingWritten(t, async () => {
        const response = await importJson(
          [naturalRow(world, { vendorName, productOwnerEmail: email })],
          {
            dryRun: 'true',
            createMissing: 'true',
          },
        );
        expectStatus(response, 200, 'dry run');
        expect(response.body).toEqual({ valid: true, rows: 1 });
      });
    });

    it('rejects a dryRun that is not true or false: 400 naming dryRun', async () => {
      const world = await newWorld();
      const response = await importJson([naturalRow(world)], { dryRun: 'yes' });
      const problem = expectProblem(response, 400, 'validation');
      expect(fieldSet(problem.errors ?? [])).toEqual(['dryRun']);
    });
  });

  // ---------------------------------------------------------------- createMissing

  describe('createMissing', () => {
    it('creates the unknown vendors and people, lists them, and uses them', async () => {
      const world = await newWorld(0);
      const vendorName = `New Vendor ${uniqueSuffix()}`;
      const owner = `owner-${uniqueSuffix()}@example.com`;
      const recipient = `recipient-${uniqueSuffix()}@example.com`;
      const response = await importJson(
        [
          naturalRow(world, {
            vendorName,
            productOwnerEmail: owner,
            spec: { tradeOffOwnerEmail: owner },
            knowledgeRecipientEmails: [recipient, world.tradeOffOwner.email],
          }),
        ],
        { createMissing: 'true' },
      );
      expectStatus(response, 201, 'import');
      const { createdVendors, createdPeople, engagementIds } = response.body as {
        createdVendors: { id: string; name: string }[];
        createdPeople: { id: string; email: string }[];
        engagementIds: string[];
      };
      expect(createdVendors).toEqual([{ id: expect.any(String), name: vendorName }]);
      expect([...createdPeople].map((person) => person.email).sort()).toEqual(
        [owner, recipient].sort(),
      );
      const vendor = await get(`/v1/vendors/${createdVendors[0].id}`);
      expect(vendor.body).toMatchObject({ id: createdVendors[0].id, name: vendorName });
      for (const person of createdPeople) {
        const read = await get(`/v1/people/${person.id}`);
        expect(read.body).toMatchObject({ email: person.email, name: person.email });
      }
      const ownerId = createdPeople.find((person) => person.email === owner)?.id;
      const recipientId = createdPeople.find((person) => person.email === recipient)?.id;
      const created = await engagement(engagementIds[0]);
      expect(created.vendorId).toBe(createdVendors[0].id);
      expect(created.productOwnerId).toBe(ownerId);
      expect(created.spec.tradeOffOwnerId).toBe(ownerId);
      expect([...created.knowledgeRecipientIds].sort()).toEqual(
        [recipientId, world.tradeOffOwner.id].sort(),
      );
      // Their creation is audited like a POST's.
      const audit = await auditOf([createdVendors[0].id, ...createdPeople.map((p) => p.id)]);
      expect(audit.map((event) => event.action).sort()).toEqual([
        'person.created',
        'person.created',
        'vendor.created',
      ]);
      expect(audit.every((event) => event.actor.role === 'admin')).toBe(true);
    });

    it('creates each missing vendor and person once, however many rows and spellings name it', async () => {
      const world = await newWorld();
      const suffix = uniqueSuffix();
      const vendorName = `Shared Vendor ${suffix}`;
      const email = `shared-${suffix}@example.com`;
      const response = await importJson(
        [
          naturalRow(world, { vendorName, productOwnerEmail: email }),
          naturalRow(world, {
            vendorName: vendorName.toLowerCase(),
            productOwnerEmail: email.toUpperCase(),
          }),
          naturalRow(world),
        ],
        { createMissing: 'true' },
      );
      expectStatus(response, 201, 'import');
      expect(response.body.createdVendors).toEqual([{ id: expect.any(String), name: vendorName }]);
      expect(response.body.createdPeople).toEqual([{ id: expect.any(String), email }]);
      const [one, two, three] = await Promise.all(
        (response.body.engagementIds as string[]).map((id) => engagement(id)),
      );
      expect(two.vendorId).toBe(one.vendorId);
      expect(two.productOwnerId).toBe(one.productOwnerId);
      expect(three.vendorId).toBe(world.vendor.id);
      const [{ count }] = await t.dataSource.query(
        'SELECT count(*)::int AS count FROM vendors WHERE lower(name) = lower($1)',
        [vendorName],
      );
      expect(count).toBe(1);
    });

    it('without createMissing names each unknown natural key: UNKNOWN_REFERENCE, nothing written', async () => {
      const world = await newWorld(1);
      const row = naturalRow(world, {
        vendorName: `Nobody Inc ${uniqueSuffix()}`,
        productOwnerEmail: `nobody-${uniqueSuffix()}@example.com`,
        spec: { tradeOffOwnerEmail: `ghost-${uniqueSuffix()}@example.com` },
        knowledgeRecipientEmails: [
          world.recipients[0].email,
          `phantom-${uniqueSuffix()}@example.com`,
        ],
      });
      await expectNothingWritten(t, async () => {
        const errors = importErrors(await importJson([row]));
        expect(triples(errors).sort()).toEqual(
          [
            [1, 'knowledgeRecipientEmails[1]', 'UNKNOWN_REFERENCE'],
            [1, 'productOwnerEmail', 'UNKNOWN_REFERENCE'],
            [1, 'spec.tradeOffOwnerEmail', 'UNKNOWN_REFERENCE'],
            [1, 'vendorName', 'UNKNOWN_REFERENCE'],
          ].sort(),
        );
        const message = errors.find((error) => error.field === 'vendorName')?.message;
        expect(message).toContain(row.vendorName as string);
      });
    });

    it('creates nothing when another row is invalid: the import is all or nothing', async () => {
      const world = await newWorld();
      const vendorName = `Rolled Back ${uniqueSuffix()}`;
      const email = `rolled-back-${uniqueSuffix()}@example.com`;
      await expectNothingWritten(t, async () => {
        const response = await importJson(
          [
            naturalRow(world, { vendorName, productOwnerEmail: email }),
            naturalRow(world, { spec: { problem: 'TBD' } }),
          ],
          { createMissing: 'true' },
        );
        expect(triples(importErrors(response))).toEqual([[2, 'spec.problem', 'INVALID_SPEC']]);
      });
      const vendors = await get('/v1/vendors', { limit: 200 });
      expect(vendors.body.items.map((vendor: VendorBody) => vendor.name)).not.toContain(vendorName);
    });
  });

  // ---------------------------------------------------------------- problems of rows

  describe('problems of rows: one 422 listing all, nothing written', () => {
    it('lists every problem of every row by 1-based row, sorted by row, and counts them', async () => {
      const world = await newWorld();
      const rows = [
        naturalRow(world),
        naturalRow(world, { title: 'ab', criticality: 'vital' }),
        naturalRow(world),
        naturalRow(world, { noticePeriodDays: -1, spec: { problem: 'Too short here' } }),
      ];
      await expectNothingWritten(t, async () => {
        const response = await importJson(rows);
        const errors = importErrors(response);
        expect(errors.map((error) => error.row)).toEqual([...errors.map((e) => e.row)].sort());
        expect(
          triples(errors)
            .map((entry) => entry.join(' '))
            .sort(),
        ).toEqual(
          [
            '2 criticality INVALID_FIELD',
            '2 title INVALID_FIELD',
            '4 noticePeriodDays INVALID_FIELD',
            '4 spec.problem INVALID_SPEC',
          ].sort(),
        );
        expect(errors.every((error) => error.message.length > 0)).toBe(true);
        expect(response.body.detail).toBe('4 problems in 2 of 4 rows; nothing was imported.');
      });
    });

    it('names, row by row, the fields the single POST names for the same bodies', async () => {
      const world = await newWorld(0);
      const cases: [string, Row][] = [
        ['a title too short', { title: 'ab' }],
        ['a placeholder problem', { spec: { problem: 'TBD' } }],
        ['a problem under 20 characters', { spec: { problem: 'Invoices are slow.' } }],
        ['no success metric', { spec: { successMetrics: [] } }],
        [
          'a placeholder metric target',
          { spec: { successMetrics: [{ name: 'Accuracy', target: '?' }] } },
        ],
        ['a placeholder constraint', { spec: { constraints: ['n/a'] } }],
        ['a placeholder trade-off rule', { spec: { tradeOffRule: '...' } }],
        [
          'a spec without problem and constraints',
          { spec: { problem: undefined, constraints: undefined } },
        ],
        ['an unknown vendorId', { vendorId: UNKNOWN_ID }],
        ['a vendorId that is no UUID', { vendorId: 'acme' }],
        ['an unknown trade-off owner id', { spec: { tradeOffOwnerId: UNKNOWN_ID } }],
        ['an unknown knowledge recipient id', { knowledgeRecipientIds: [UNKNOWN_ID] }],
        ['an impossible start date', { startDate: '2027-02-30' }],
        ['a notice period over 3650 days', { noticePeriodDays: 4000 }],
        ['an unknown criticality', { criticality: 'vital' }],
        ['an unknown field', { colour: 'red' }],
        ['an empty contractRef', { contractRef: '' }],
        [
          'an exit plan naming an unknown alternative vendor',
          {
            exitPlan: {
              strategy: 'alternative_vendor',
              summary: 'Another vendor takes over operations with our runbooks.',
              triggers: ['The vendor misses two handover dates'],
              alternativeVendorId: UNKNOWN_ID,
            },
          },
        ],
      ];
      const bodies = cases.map(([, fields]) => JSON.parse(JSON.stringify(idRow(world, fields))));
      const errors = importErrors(await importJson([idRow(world), ...bodies]));
      expect(errors.some((error) => error.row === 1)).toBe(false);
      for (const [index, [what]] of cases.entries()) {
        const expected = await singlePostFields(bodies[index]);
        const found = fieldSet(errors.filter((error) => error.row === index + 2));
        expect({ what, fields: found }).toEqual({ what, fields: expected });
      }
    });

    it('classifies problems: INVALID_FIELD for field validation, INVALID_SPEC for a vague spec, UNKNOWN_REFERENCE for ids', async () => {
      const world = await newWorld(0);
      const errors = importErrors(
        await importJson([
          idRow(world, { title: 'x' }),
          idRow(world, { spec: { constraints: ['TODO'] } }),
          idRow(world, { productOwnerId: UNKNOWN_ID }),
        ]),
      );
      expect(triples(errors)).toEqual([
        [1, 'title', 'INVALID_FIELD'],
        [2, 'spec.constraints[0]', 'INVALID_SPEC'],
        [3, 'productOwnerId', 'UNKNOWN_REFERENCE'],
      ]);
    });

    it('REFERENCE_REQUIRED when a row gives neither the id nor the natural key', async () => {
      const world = await newWorld();
      const row = naturalRow(world);
      delete row.vendorName;
      delete row.productOwnerEmail;
      delete (row.spec as Row).tradeOffOwnerEmail;
      const errors = importErrors(await importJson([row]));
      expect(triples(errors).sort()).toEqual(
        [
          [1, 'productOwnerId', 'REFERENCE_REQUIRED'],
          [1, 'spec.tradeOffOwnerId', 'REFERENCE_REQUIRED'],
          [1, 'vendorId', 'REFERENCE_REQUIRED'],
        ].sort(),
      );
      expect(errors.find((error) => error.field === 'vendorId')?.message).toMatch(/vendorName/);
    });

    it('REFERENCE_TWICE when a row gives both the id and the natural key', async () => {
      const world = await newWorld();
      const row = naturalRow(world, {
        vendorId: world.vendor.id,
        productOwnerId: world.owner.id,
        spec: { tradeOffOwnerId: world.tradeOffOwner.id },
      });
      const errors = importErrors(await importJson([row]));
      expect(triples(errors).sort()).toEqual(
        [
          [1, 'productOwnerId', 'REFERENCE_TWICE'],
          [1, 'spec.tradeOffOwnerId', 'REFERENCE_TWICE'],
          [1, 'vendorId', 'REFERENCE_TWICE'],
        ].sort(),
      );
    });

    it('DUPLICATE_CONTRACT_REF for a contract reference a previous row of the file uses, naming that row', async () => {
      const world = await newWorld();
      const contractRef = `PO-${uniqueSuffix()}`;
      await expectNothingWritten(t, async () => {
        const errors = importErrors(
          await importJson([
            naturalRow(world, { contractRef: `PO-${uniqueSuffix()}` }),
            naturalRow(world, { contractRef }),
            naturalRow(world),
            naturalRow(world, { contractRef }),
          ]),
        );
        expect(triples(errors)).toEqual([[4, 'contractRef', 'DUPLICATE_CONTRACT_REF']]);
        expect(errors[0].message).toMatch(/row 2\b/);
      });
    });

    it('CONTRACT_REF_TAKEN for a contract reference an engagement already has', async () => {
      const world = await newWorld();
      const existing = await newEngagement(t, t.adminKey, { contractRef: `PO-${uniqueSuffix()}` });
      await expectNothingWritten(t, async () => {
        const errors = importErrors(
          await importJson([
            naturalRow(world),
            naturalRow(world, { contractRef: existing.contractRef }),
          ]),
        );
        expect(triples(errors)).toEqual([[2, 'contractRef', 'CONTRACT_REF_TAKEN']]);
        expect(errors[0].message).toContain(existing.id);
      });
    });

    /** A final handover milestone due in `days`. */
    const final = (days: number) => ({
      name: `Final ${days}`,
      kind: 'final_handover',
      dueDate: daysFromToday(days),
    });

    it('FINAL_HANDOVER_TWICE for finalHandoverDate with a final_handover milestone, or two of them', async () => {
      const world = await newWorld();
      const errors = importErrors(
        await importJson([
          naturalRow(world, { finalHandoverDate: daysFromToday(60), milestones: [final(50)] }),
          naturalRow(world, { milestones: [final(50), final(70)] }),
          naturalRow(world, { finalHandoverDate: daysFromToday(60) }),
        ]),
      );
      expect(triples(errors)).toEqual([
        [1, 'milestones', 'FINAL_HANDOVER_TWICE'],
        [2, 'milestones', 'FINAL_HANDOVER_TWICE'],
      ]);
    });

    it('FINAL_HANDOVER_TWICE alongside the spec problems of the same row', async () => {
      const world = await newWorld();
      const errors = importErrors(
        await importJson([
          naturalRow(world, { spec: { problem: 'TBD' }, milestones: [final(50), final(70)] }),
        ]),
      );
      expect(triples(errors)).toEqual([
        [1, 'spec.problem', 'INVALID_SPEC'],
        [1, 'milestones', 'FINAL_HANDOVER_TWICE'],
      ]);
    });

    it('INVALID_FIELD naming the path of a bad milestone or artifact of the plan', async () => {
      const world = await newWorld();
      const errors = importErrors(
        await importJson([
          naturalRow(world, {
            finalHandoverDate: '31/05/2027',
            milestones: [
              {
                name: 'Pilot',
                kind: 'kickoff',
                dueDate: daysFromToday(10),
                artifacts: [{ kind: 'slides', title: 'Deck' }],
              },
            ],
          }),
        ]),
      );
      expect(fieldSet(errors)).toEqual(
        ['finalHandoverDate', 'milestones[0].artifacts[0].kind', 'milestones[0].kind'].sort(),
      );
      expect(errors.every((error) => error.code === 'INVALID_FIELD')).toBe(true);
    });

    it('NOT_AN_OBJECT for a row that is a number, string, null or array', async () => {
      const world = await newWorld();
      const errors = importErrors(await importJson([naturalRow(world), 7, 'row', null, []]));
      expect(triples(errors)).toEqual([
        [2, 'row', 'NOT_AN_OBJECT'],
        [3, 'row', 'NOT_AN_OBJECT'],
        [4, 'row', 'NOT_AN_OBJECT'],
        [5, 'row', 'NOT_AN_OBJECT'],
      ]);
    });

    it('UNSTORABLE for a NUL character or an unpaired surrogate, naming the field', async () => {
      const world = await newWorld();
      const rows = [
        naturalRow(world, { title: 'Invoice\u0000extraction' }),
        naturalRow(world, { spec: { constraints: ['EU only', 'Azure \ud800 tenant'] } }),
      ];
      await expectNothingWritten(t, async () => {
        const errors = importErrors(await importJson(rows));
        expect(triples(errors)).toEqual([
          [1, 'title', 'UNSTORABLE'],
          [2, 'spec.constraints[1]', 'UNSTORABLE'],
        ]);
      });
    });

    it('answers 400 naming the body for a JSON body that is not an array, or an empty one', async () => {
      for (const body of [{ rows: [] }, 'rows', []]) {
        const problem = expectProblem(await importJson(body), 400, 'validation');
        expect(fieldSet(problem.errors ?? [])).toEqual(['body']);
      }
      const empty = await t
        .http()
        .post(IMPORT)
        .set(bearer(t.adminKey))
        .set('Content-Type', 'application/json')
        .send('');
      expect(fieldSet(expectProblem(empty, 400, 'validation').errors ?? [])).toEqual(['body']);
    });

    it('answers 400 for malformed JSON and 415 for a body that is neither JSON nor CSV', async () => {
      const malformed = await t
        .http()
        .post(IMPORT)
        .set(bearer(t.adminKey))
        .set('Content-Type', 'application/json')
        .send('[{"title": ');
      expectProblem(malformed, 400);
      const plain = await t
        .http()
        .post(IMPORT)
        .set(bearer(t.adminKey))
        .set('Content-Type', 'text/plain')
        .send('title\nInvoice extraction\n');
      expectProblem(plain, 415, 'unsupported-media-type');
    });
  });

  // ---------------------------------------------------------------- CSV

  describe('CSV bodies', () => {
    it('imports a file with every column: lists split, dates, final handover, criticality', async () => {
      const world = await newWorld(2);
      const rows = [
        csvRow(world),
        csvRow(world, { criticality: 'standard', noticePeriodDays: '0' }),
      ];
      const response = await importCsv(csvText(CSV_HEADER, rows));
      expectStatus(response, 201, 'CSV import');
      expect(response.body.created).toBe(2);
      const created = await engagement(response.body.engagementIds[0]);
      expect(created).toMatchObject({
        title: rows[0][0],
        vendorId: world.vendor.id,
        contractRef: rows[0][2],
        productOwnerId: world.owner.id,
        spec: {
          problem: PROBLEM,
          successMetrics: [
            { name: 'Fields extracted correctly', target: '≥ 97 %' },
            { name: 'Straight-through rate', target: '≥ 80 %' },
          ],
          constraints: ['Invoices never leave the EU', 'Runs on our Azure tenant'],
          tradeOffOwnerId: world.tradeOffOwner.id,
          tradeOffRule: 'Accuracy over latency.',
        },
        startDate: daysFromToday(7),
        contractEndDate: daysFromToday(300),
        noticePeriodDays: 60,
        lastSafeHandoverDate: daysFromToday(240),
        criticality: 'important',
      });
      expect([...created.knowledgeRecipientIds].sort()).toEqual(
        world.recipients.map((person) => person.id).sort(),
      );
      expect(await milestonesOf(created.id)).toEqual([
        expect.objectContaining({
          name: 'Final handover',
          kind: 'final_handover',
          dueDate: daysFromToday(200),
        }),
      ]);
      expect((await engagement(response.body.engagementIds[1])).criticality).toBe('standard');
    });

    it('accepts a BOM, CRLF line ends, quoted cells with commas, quotes and line breaks, and blank lines', async () => {
      const world = await newWorld(1);
      const problem =
        'Accounts payable keys "4,000" invoices a month,\r\nby hand; payments slip 6 days.';
      const text = `\uFEFF${csvText(CSV_HEADER, [csvRow(world, { problem }), csvRow(world)], '\r\n')}\r\n`;
      const response = await importCsv(text);
      expectStatus(response, 201, 'CSV import');
      expect(response.body.created).toBe(2);
      const created = await engagement(response.body.engagementIds[0]);
      expect(created.spec.problem).toBe(problem);
      expect(created.title).toMatch(/^Invoice extraction /);
    });

    it('reads columns in any order, ids instead of natural keys, and empty cells as absent', async () => {
      const world = await newWorld(0);
      const header = [
        'tradeOffOwnerId',
        'problem',
        'vendorId',
        'title',
        'productOwnerId',
        'successMetrics',
        'constraints',
        'contractRef',
        'tradeOffRule',
        'noticePeriodDays',
        'knowledgeRecipientEmails',
        'criticality',
      ];
      const row = [
        world.tradeOffOwner.id,
        PROBLEM,
        world.vendor.id,
        'Ids and empty cells',
        world.owner.id,
        'Accuracy: 97 %',
        'EU only',
        '',
        '',
        '',
        '',
        '',
      ];
      const response = await importCsv(csvText(header, [row]));
      expectStatus(response, 201, 'CSV import');
      const created = await engagement(response.body.engagementIds[0]);
      expect(created).toMatchObject({
        title: 'Ids and empty cells',
        vendorId: world.vendor.id,
        productOwnerId: world.owner.id,
        contractRef: null,
        noticePeriodDays: 0,
        criticality: 'standard',
        knowledgeRecipientIds: [],
        spec: { tradeOffOwnerId: world.tradeOffOwner.id, tradeOffRule: null },
      });
      expect(await milestonesOf(created.id)).toEqual([]);
    });

    it('reads \\; and \\: inside list items as plain characters', async () => {
      const world = await newWorld(1);
      const response = await importCsv(
        csvText(CSV_HEADER, [
          csvRow(world, {
            successMetrics: 'Ratio\\: straight-through: ≥ 80 %\\; measured weekly;Latency: < 2 s',
            constraints: 'EU only\\; no exceptions;Azure: our tenant',
          }),
        ]),
      );
      expectStatus(response, 201, 'CSV import');
      const created = await engagement(response.body.engagementIds[0]);
      expect(created.spec.successMetrics).toEqual([
        { name: 'Ratio: straight-through', target: '≥ 80 %; measured weekly' },
        { name: 'Latency', target: '< 2 s' },
      ]);
      expect(created.spec.constraints).toEqual(['EU only; no exceptions', 'Azure: our tenant']);
    });

    it('removes the apostrophe the export puts before a formula, and imports formula-like cells as plain text', async () => {
      const world = await newWorld(1);
      const response = await importCsv(
        csvText(CSV_HEADER, [
          csvRow(world, {
            title: '\'=HYPERLINK("https://evil.example")',
            tradeOffRule: '+1 day beats -1 % accuracy',
            constraints: "'@risk stays internal;-no PII in logs",
          }),
          csvRow(world, { title: "'Quoted title", tradeOffRule: "''=keep one apostrophe" }),
        ]),
      );
      expectStatus(response, 201, 'CSV import');
      const [first, second] = await Promise.all(
        (response.body.engagementIds as string[]).map((id) => engagement(id)),
      );
      expect(first.title).toBe('=HYPERLINK("https://evil.example")');
      expect(first.spec.tradeOffRule).toBe('+1 day beats -1 % accuracy');
      expect(first.spec.constraints).toEqual(['@risk stays internal', '-no PII in logs']);
      expect(second.title).toBe("'Quoted title");
      expect(second.spec.tradeOffRule).toBe("'=keep one apostrophe");
    });

    it("ignores the export's read-only columns", async () => {
      const world = await newWorld(1);
      const header = [...CSV_HEADER, 'id', 'status', 'riskLevel', 'riskScore', 'dependencyTrap'];
      const fakeId = randomUUID();
      const extra = [fakeId, 'completed', 'critical', '100', 'true'];
      const response = await importCsv(
        csvText(
          [...header, 'lastSafeHandoverDate', 'createdAt'],
          [[...csvRow(world), ...extra, '2020-01-01', '2020-01-01T00:00:00.000Z']],
        ),
      );
      expectStatus(response, 201, 'CSV import');
      const created = await engagement(response.body.engagementIds[0]);
      expect(created.id).not.toBe(fakeId);
      expect(created.status).toBe('draft');
      expect(created.lastSafeHandoverDate).toBe(daysFromToday(240));
      expect(created.createdAt).not.toMatch(/^2020/);
    });

    it('answers 400 UNKNOWN_COLUMN naming an unknown column (row 0), and writes nothing', async () => {
      const world = await newWorld(1);
      await expectNothingWritten(t, async () => {
        const response = await importCsv(
          csvText([...CSV_HEADER, 'budget'], [[...csvRow(world), '100000']]),
        );
        const problem = expectProblem(response, 400, 'validation');
        expect(problem.errors).toEqual([
          expect.objectContaining({ row: 0, field: 'budget', code: 'UNKNOWN_COLUMN' }),
        ]);
      });
    });

    it('names problems by column and data row (the header is row 0)', async () => {
      const world = await newWorld(1);
      // Row 1 spans two lines: rows are data records, not lines.
      const rows = [
        csvRow(world, { problem: `${PROBLEM}\nSecond line of the problem.` }),
        csvRow(world, { problem: 'TBD', noticePeriodDays: 'sixty' }),
        csvRow(world, { tradeOffOwnerEmail: `ghost-${uniqueSuffix()}@example.com` }),
        csvRow(world, { successMetrics: 'Accuracy: ?', constraints: 'n/a', criticality: 'vital' }),
        csvRow(world, { productOwnerEmail: '' }),
      ];
      await expectNothingWritten(t, async () => {
        const errors = importErrors(await importCsv(csvText(CSV_HEADER, rows)));
        // One entry per broken rule: `sixty` is neither an integer nor within 0–3650.
        const found = new Set(triples(errors).map((entry) => entry.join(' ')));
        expect([...found].sort()).toEqual(
          [
            '2 noticePeriodDays INVALID_FIELD',
            '2 problem INVALID_SPEC',
            '3 tradeOffOwnerEmail UNKNOWN_REFERENCE',
            '4 constraints[0] INVALID_SPEC',
            '4 criticality INVALID_FIELD',
            '4 successMetrics[0].target INVALID_SPEC',
            '5 productOwnerId REFERENCE_REQUIRED',
          ].sort(),
        );
      });
    });

    it('INVALID_FORMAT for successMetrics that are not "name: target" pairs', async () => {
      const world = await newWorld(1);
      const errors = importErrors(
        await importCsv(
          csvText(CSV_HEADER, [
            csvRow(world),
            csvRow(world, { successMetrics: 'Accuracy 97 %;Speed: 2 s' }),
          ]),
        ),
      );
      expect(triples(errors)).toContainEqual([2, 'successMetrics', 'INVALID_FORMAT']);
      // The unreadable cell is also reported as missing; nothing else of the rows.
      expect(errors.every((error) => error.row === 2 && error.field === 'successMetrics')).toBe(
        true,
      );
    });

    it('REFERENCE_TWICE and DUPLICATE_CONTRACT_REF by column in CSV', async () => {
      const world = await newWorld(1);
      const contractRef = `PO-${uniqueSuffix()}`;
      const header = [...CSV_HEADER, 'vendorId'];
      const errors = importErrors(
        await importCsv(
          csvText(header, [
            [...csvRow(world, { contractRef }), ''],
            [...csvRow(world), world.vendor.id],
            [...csvRow(world, { contractRef }), ''],
          ]),
        ),
      );
      expect(triples(errors)).toEqual([
        [2, 'vendorId', 'REFERENCE_TWICE'],
        [3, 'contractRef', 'DUPLICATE_CONTRACT_REF'],
      ]);
      expect(errors[1].message).toMatch(/row 1\b/);
    });

    it('UNSTORABLE for a NUL character in a cell', async () => {
      const world = await newWorld(1);
      const errors = importErrors(
        await importCsv(
          csvText(CSV_HEADER, [csvRow(world, { tradeOffRule: 'Accuracy\u0000first' })]),
        ),
      );
      expect(triples(errors)).toEqual([[1, 'tradeOffRule', 'UNSTORABLE']]);
    });

    it('creates the missing vendors and people of a CSV file with createMissing', async () => {
      const world = await newWorld(0);
      const vendorName = `CSV Vendor ${uniqueSuffix()}`;
      const email = `csv-${uniqueSuffix()}@example.com`;
      const response = await importCsv(
        csvText(CSV_HEADER, [
          csvRow(world, { vendorName, knowledgeRecipientEmails: `${email};${world.owner.email}` }),
        ]),
        { createMissing: 'true' },
      );
      expectStatus(response, 201, 'CSV import');
      expect(response.body.createdVendors).toEqual([{ id: expect.any(String), name: vendorName }]);
      expect(response.body.createdPeople).toEqual([{ id: expect.any(String), email }]);
      const created = await engagement(response.body.engagementIds[0]);
      expect(created.vendorId).toBe(response.body.createdVendors[0].id);
      expect([...created.knowledgeRecipientIds].sort()).toEqual(
        [response.body.createdPeople[0].id, world.owner.id].sort(),
      );
    });

    it('answers 400 naming the line for an unclosed quote or a row of another length', async () => {
      const header = 'title,vendorName,productOwnerEmail';
      for (const [text, line] of [
        [`${header}\nOne,Acme,a@example.com\n"Two,Acme,b@example.com\n`, 3],
        [`${header}\r\nOne,Acme,a@example.com\r\nTwo,Acme\r\n`, 3],
      ] as const) {
        await expectNothingWritten(t, async () => {
          const problem = expectProblem(await importCsv(text), 400, 'validation');
          expect(problem.errors?.[0]?.field).toBe('body');
          expect(problem.errors?.[0]?.message).toMatch(new RegExp(`^line ${line}:`));
        });
      }
    });

    it('answers 400 for an empty file or a header without rows', async () => {
      for (const text of ['', '\n', `${CSV_HEADER.join(',')}\n`]) {
        const problem = expectProblem(await importCsv(text), 400, 'validation');
        expect(fieldSet(problem.errors ?? [])).toEqual(['body']);
      }
    });

    it('accepts text/csv on the import only: 415 elsewhere', async () => {
      const response = await t
        .http()
        .post('/v1/vendors')
        .set(bearer(t.adminKey))
        .set('Content-Type', 'text/csv')
        .send('name\nAcme\n');
      expectProblem(response, 415, 'unsupported-media-type');
    });
  });

  // ---------------------------------------------------------------- Idempotency-Key

  describe('Idempotency-Key', () => {
    it('replays a JSON import with its status and body, creating one set of engagements', async () => {
      const world = await newWorld();
      const key = randomUUID();
      const rows = [naturalRow(world, { finalHandoverDate: daysFromToday(60) }), naturalRow(world)];
      const send = () => importJson(rows).set('Idempotency-Key', key);
      const first = await send();
      expectStatus(first, 201, 'import');
      expect(first.headers['idempotent-replayed']).toBeUndefined();
      await expectNothingWritten(t, async () => {
        const repeat = await send();
        expect(repeat.status).toBe(201);
        expect(repeat.headers['idempotent-replayed']).toBe('true');
        expect(repeat.body).toEqual(first.body);
      });
    });

    it('replays a CSV import and a dry run', async () => {
      const world = await newWorld(1);
      const text = csvText(CSV_HEADER, [csvRow(world)]);
      const key = randomUUID();
      const first = await importCsv(text).set('Idempotency-Key', key);
      expectStatus(first, 201, 'CSV import');
      const repeat = await importCsv(text).set('Idempotency-Key', key);
      expect(repeat.status).toBe(201);
      expect(repeat.headers['idempotent-replayed']).toBe('true');
      expect(repeat.body).toEqual(first.body);

      const dryKey = randomUUID();
      const dryRows = [naturalRow(world)];
      const dry = () => importJson(dryRows, { dryRun: 'true' }).set('Idempotency-Key', dryKey);
      const dryFirst = await dry();
      expectStatus(dryFirst, 200, 'dry run');
      const dryRepeat = await dry();
      expect(dryRepeat.status).toBe(200);
      expect(dryRepeat.headers['idempotent-replayed']).toBe('true');
      expect(dryRepeat.body).toEqual({ valid: true, rows: 1 });
    });

    it('keeps no 422: the same key and body import once what was missing exists', async () => {
      const world = await newWorld();
      const vendorName = `Later Vendor ${uniqueSuffix()}`;
      const rows = [naturalRow(world, { vendorName })];
      const key = randomUUID();
      importErrors(await importJson(rows).set('Idempotency-Key', key));
      await newVendor(t, t.adminKey, { name: vendorName });
      const retry = await importJson(rows).set('Idempotency-Key', key);
      expectStatus(retry, 201, 'retried import');
      expect(retry.headers['idempotent-replayed']).toBeUndefined();
    });

    it('answers 422 to the same key with another body', async () => {
      const world = await newWorld();
      const key = randomUUID();
      expectStatus(
        await importJson([naturalRow(world)]).set('Idempotency-Key', key),
        201,
        'import',
      );
      await expectNothingWritten(t, async () => {
        const other = await importJson([naturalRow(world)]).set('Idempotency-Key', key);
        expectProblem(other, 422, 'idempotency-key-reused');
      });
    });
  });

  // ---------------------------------------------------------------- audit, events, risk

  describe('audit, events and risk of imported engagements', () => {
    it('audits each engagement, milestone and artifact as created by the importing key', async () => {
      const world = await newWorld(1);
      const procurement = await t.keyFor('procurement');
      const response = await importJson(
        [
          naturalRow(world, {
            finalHandoverDate: daysFromToday(90),
            milestones: [
              {
                name: 'Pilot',
                kind: 'delivery',
                dueDate: daysFromToday(30),
                artifacts: [{ kind: 'runbook', title: 'Runbook' }],
              },
            ],
          }),
          naturalRow(world),
        ],
        {},
        procurement,
      );
      expectStatus(response, 201, 'import');
      const [first, second] = response.body.engagementIds as string[];
      const milestones = await milestonesOf(first);
      const artifacts = await artifactsOf(first);
      const audit = await auditOf([
        first,
        second,
        ...milestones.map((milestone) => milestone.id),
        ...artifacts.map((artifact) => artifact.id),
      ]);
      expect(audit.map((event) => `${event.action} ${event.entityId}`).sort()).toEqual(
        [
          `engagement.created ${first}`,
          `engagement.created ${second}`,
          ...milestones.map((milestone) => `milestone.created ${milestone.id}`),
          `artifact.created ${artifacts[0].id}`,
        ].sort(),
      );
      expect(audit.every((event) => event.actor.role === 'procurement')).toBe(true);
      const created = audit.find((event) => event.entityId === first);
      expect(created?.changes).toMatchObject({
        title: { from: null, to: (await engagement(first)).title },
        vendorId: { from: null, to: world.vendor.id },
        knowledgeRecipientIds: { from: null, to: [world.recipients[0].id] },
      });
    });

    it('writes engagement.created, milestone.created and artifact.created events to the feed', async () => {
      const world = await newWorld(1);
      const integration = await t.keyFor('integration');
      const response = await importJson(
        [
          naturalRow(world, {
            milestones: [
              {
                name: 'Handover',
                kind: 'final_handover',
                dueDate: daysFromToday(60),
                artifacts: [
                  { kind: 'runbook', title: 'Runbook' },
                  { kind: 'test_suite', title: 'Regression suite' },
                ],
              },
            ],
          }),
        ],
        {},
        integration,
      );
      expectStatus(response, 201, 'import');
      const id = response.body.engagementIds[0];
      const events = await eventsOf(id);
      expect(events.map((event) => event.type).sort()).toEqual([
        'artifact.created',
        'artifact.created',
        'engagement.created',
        'milestone.created',
      ]);
      expect(events.every((event) => event.vendorId === world.vendor.id)).toBe(true);
      expect(events.every((event) => event.actor?.role === 'integration')).toBe(true);
      const created = events.find((event) => event.type === 'engagement.created');
      expect(created?.data).toMatchObject({ id, status: 'draft', vendorId: world.vendor.id });
      // The engagement event carries the engagement as GET returns it, with its risk.
      expect(created?.data.risk).toEqual((await engagement(id)).risk);
    });

    it('computes risk for imported engagements and lists the trapped ones with dependencyTrap=true', async () => {
      const world = await newWorld(2);
      const response = await importJson([
        // A final handover without any artifact, and no recipients: a dependency trap.
        naturalRow(world, { finalHandoverDate: daysFromToday(60), knowledgeRecipientEmails: [] }),
        // A full plan and two recipients: no risk.
        naturalRow(world, {
          milestones: [
            {
              name: 'Handover',
              kind: 'final_handover',
              dueDate: daysFromToday(60),
              artifacts: [{ kind: 'runbook', title: 'Runbook' }],
            },
          ],
        }),
      ]);
      expectStatus(response, 201, 'import');
      const [trapped, safe] = response.body.engagementIds as string[];
      const trappedRisk = await get(`/v1/engagements/${trapped}/risk`);
      expectStatus(trappedRisk, 200, 'GET risk');
      expect(trappedRisk.body).toMatchObject({ engagementId: trapped, dependencyTrap: true });
      expect(
        trappedRisk.body.signals.map((signal: { code: string }) => signal.code).sort(),
      ).toEqual(['BUS_FACTOR_ONE', 'NO_KT_ARTIFACTS']);
      const safeRisk = await get(`/v1/engagements/${safe}/risk`);
      expect(safeRisk.body).toMatchObject({ level: 'none', score: 0, dependencyTrap: false });

      const listed = async (dependencyTrap: boolean) =>
        (
          await get('/v1/engagements', { vendorId: world.vendor.id, dependencyTrap, limit: 200 })
        ).body.items.map((item: EngagementBody) => item.id);
      expect(await listed(true)).toEqual([trapped]);
      expect(await listed(false)).toEqual([safe]);
      expect((await engagement(trapped)).risk).toMatchObject({ dependencyTrap: true });
      await expectRiskConsistent('after importing a trapped and a safe engagement');
    });

    it('imports engagements whose risk changes with later writes like any other', async () => {
      const world = await newWorld(1);
      const response = await importJson([
        naturalRow(world, { finalHandoverDate: daysFromToday(45) }),
      ]);
      expectStatus(response, 201, 'import');
      const id = response.body.engagementIds[0];
      expect((await engagement(id)).risk.dependencyTrap).toBe(true);
      const [final] = await milestonesOf(id);
      const artifact = await t
        .http()
        .post(`/v1/engagements/${id}/artifacts`)
        .set(bearer(t.adminKey))
        .send({ milestoneId: final.id, kind: 'runbook', title: 'Runbook' });
      expectStatus(artifact, 201, 'POST artifact');
      // One recipient left: BUS_FACTOR_ONE at medium, no longer a trap.
      expect((await engagement(id)).risk).toEqual({
        level: 'medium',
        score: 15,
        dependencyTrap: false,
      });
      await expectRiskConsistent('after a write to an imported engagement');
    });

    it('keeps the stored risk facts and timelines consistent with everything imported above', async () => {
      await expectRiskConsistent('after every import of this file');
    });
  });

  // ---------------------------------------------------------------- roles

  describe('roles', () => {
    it.each(['admin', 'procurement', 'integration'] as const)('lets %s import', async (role) => {
      const world = await newWorld();
      const key = role === 'admin' ? t.adminKey : await t.keyFor(role);
      const response = await importJson([naturalRow(world)], {}, key);
      expectStatus(response, 201, `import as ${role}`);
      expect(response.body.created).toBe(1);
    });

    it.each(['product_owner', 'reporter', 'viewer'] as const)(
      'answers 403 to %s and writes nothing',
      async (role) => {
        const world = await newWorld();
        const key = await t.keyFor(role, role === 'product_owner' ? world.owner.id : undefined);
        await expectNothingWritten(t, async () => {
          expectProblem(await importJson([naturalRow(world)], {}, key), 403, 'forbidden');
          expectProblem(
            await importCsv(csvText(CSV_HEADER, [csvRow(world)]), {}, key),
            403,
            'forbidden',
          );
        });
      },
    );

    it('answers 401 without an API key', async () => {
      const response = await t.http().post(IMPORT).send([]);
      expectProblem(response, 401);
    });
  });

  // ---------------------------------------------------------------- concurrency

  describe('concurrent imports', () => {
    it('lets one of two imports of the same contract reference win; the other writes nothing', async () => {
      const world = await newWorld();
      const contractRef = `PO-${uniqueSuffix()}`;
      const responses = await Promise.all([
        importJson([naturalRow(world, { contractRef })]),
        importJson([naturalRow(world, { contractRef })]),
      ]);
      const statuses = responses.map((response) => response.status).sort();
      expect(statuses[0]).toBe(201);
      expect([409, 422]).toContain(statuses[1]);
      const loser = responses.find((response) => response.status !== 201) as request.Response;
      expect(loser.body.errors.map((error: ImportError) => error.code)).toEqual([
        'CONTRACT_REF_TAKEN',
      ]);
      const [{ count }] = await t.dataSource.query(
        'SELECT count(*)::int AS count FROM engagements WHERE contract_ref = $1',
        [contractRef],
      );
      expect(count).toBe(1);
    });
  });

  // ---------------------------------------------------------------- found by testing

  describe('cases found by testing', () => {
    // A row that misses a reference still has its spec judged, as the single POST judges it:
    // §10 promises every problem of every row.
    it.each([
      [
        'no vendor and a placeholder problem',
        (world: World) => {
          const body = idRow(world, { spec: { problem: 'TBD' } });
          delete body.vendorId;
          return body;
        },
      ],
      [
        'no spec at all',
        (world: World) => {
          const body = idRow(world);
          delete body.spec;
          return body;
        },
      ],
    ])(
      'names the spec problems of a row that also lacks a reference (%s)',
      async (_what, build) => {
        const body = build(await newWorld(0));
        const expected = await singlePostFields(body);
        expect(expected).toContain('spec.problem');
        expect(fieldSet(importErrors(await importJson([body])))).toEqual(expected);
      },
    );

    // createMissing names a new person by the e-mail, but a name holds at most 200 characters
    // while an e-mail may have 320.
    it('creates a person for a valid e-mail longer than 200 characters', async () => {
      const world = await newWorld();
      const email = `${'a'.repeat(64)}@${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(50)}.com`;
      const response = await importJson([naturalRow(world, { productOwnerEmail: email })], {
        createMissing: 'true',
      });
      if (response.status === 201) {
        expect(response.body.createdPeople).toEqual([{ id: expect.any(String), email }]);
      } else {
        expect(importErrors(response)).toContainEqual(
          expect.objectContaining({ row: 1, field: 'productOwnerEmail' }),
        );
      }
    });

    // PostgreSQL only (PGlite runs writes one after another): an import that creates a vendor
    // another transaction creates at the same time answers 409, as the contract reference race.
    (externalDatabaseUrl ? it : it.skip)(
      'answers a concurrent creation of the same missing vendor without a 500',
      async () => {
        const world = await newWorld();
        const vendorName = `Race Vendor ${uniqueSuffix()}`;
        const client = new Client({ connectionString: t.config.databaseUrl });
        await client.connect();
        try {
          await client.query('BEGIN');
          await client.query('INSERT INTO vendors (name) VALUES ($1)', [vendorName]);
          const pending = importJson([naturalRow(world, { vendorName })], {
            createMissing: 'true',
          }).then((response) => response);
          // Wait until the import's insert waits for this transaction.
          for (let attempt = 0; attempt < 100; attempt++) {
            const [{ waiting }] = (
              await client.query(
                `SELECT count(*)::int AS waiting FROM pg_stat_activity
                  WHERE datname = current_database() AND wait_event_type = 'Lock'`,
              )
            ).rows;
            if (waiting > 0) break;
            await new Promise((resolve) => setTimeout(resolve, 20));
          }
          await client.query('COMMIT');
          const response = await pending;
          expect([201, 409]).toContain(response.status);
        } finally {
          await client.end();
        }
      },
    );
  });
});

// ---------------------------------------------------------------- limits

describe('engagement import limits (IMPORT_MAX_ROWS, IMPORT_MAX_BYTES)', () => {
  let t: TestApp;
  let world: World;

  beforeAll(async () => {
    t = await createTestApp({
      env: { IMPORT_MAX_ROWS: '3', IMPORT_MAX_BYTES: '4096', BODY_LIMIT_BYTES: '1024' },
    });
    world = {
      vendor: await newVendor(t),
      owner: await newPerson(t),
      tradeOffOwner: await newPerson(t),
      recipients: [],
    };
  });
  afterAll(() => t.close());

  const row = () => ({
    title: `Invoice extraction ${uniqueSuffix()}`,
    vendorName: world.vendor.name,
    productOwnerEmail: world.owner.email,
    spec: {
      problem: PROBLEM,
      successMetrics: [{ name: 'Accuracy', target: '97 %' }],
      constraints: ['EU only'],
      tradeOffOwnerEmail: world.tradeOffOwner.email,
    },
  });
  const csvHeader =
    'title,vendorName,productOwnerEmail,problem,successMetrics,constraints,tradeOffOwnerEmail';
  const csvLine = () =>
    [
      `Invoice extraction ${uniqueSuffix()}`,
      world.vendor.name,
      world.owner.email,
      cell(PROBLEM),
      'Accuracy: 97 %',
      'EU only',
      world.tradeOffOwner.email,
    ].join(',');

  const post = (contentType: string, body: string) =>
    t.http().post(IMPORT).set(bearer(t.adminKey)).set('Content-Type', contentType).send(body);

  it('imports IMPORT_MAX_ROWS rows', async () => {
    const response = await post('application/json', JSON.stringify([row(), row(), row()]));
    expectStatus(response, 201, 'import');
    expect(response.body.created).toBe(3);
  });

  it('answers 422 import-too-large naming IMPORT_MAX_ROWS for one row more, JSON or CSV, and writes nothing', async () => {
    await expectNothingWritten(t, async () => {
      for (const response of [
        await post('application/json', JSON.stringify([row(), row(), row(), row()])),
        await post('text/csv', [csvHeader, csvLine(), csvLine(), csvLine(), csvLine()].join('\n')),
      ]) {
        const problem = expectProblem(response, 422, 'import-too-large');
        expect(problem.detail).toContain('IMPORT_MAX_ROWS');
        expect(problem.detail).toMatch(/\b3\b/);
      }
    });
  });

  it('answers 413 naming IMPORT_MAX_BYTES for a body over it, JSON or CSV, and writes nothing', async () => {
    const big = { ...row(), spec: { ...row().spec, tradeOffRule: 'x'.repeat(4096) } };
    await expectNothingWritten(t, async () => {
      for (const response of [
        await post('application/json', JSON.stringify([big])),
        await post('text/csv', `${csvHeader},tradeOffRule\n${csvLine()},${'x'.repeat(4096)}\n`),
      ]) {
        const problem = expectProblem(response, 413, 'payload-too-large');
        expect(problem.detail).toContain('IMPORT_MAX_BYTES');
      }
    });
  });

  it('accepts an import over BODY_LIMIT_BYTES and under IMPORT_MAX_BYTES, which other routes refuse', async () => {
    const rows = [row(), row(), row()];
    const body = JSON.stringify(rows);
    expect(body.length).toBeGreaterThan(1024);
    expect(body.length).toBeLessThan(4096);
    const response = await post('application/json', body);
    expectStatus(response, 201, 'import');
    const vendor = await t
      .http()
      .post('/v1/vendors')
      .set(bearer(t.adminKey))
      .send({ name: `Big ${uniqueSuffix()}`, notes: 'x'.repeat(1100) });
    expectProblem(vendor, 413, 'payload-too-large');
  });
});
