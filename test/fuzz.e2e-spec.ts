import { readFileSync } from 'node:fs';
import { isDeepStrictEqual } from 'node:util';
import fc from 'fast-check';
import { verifyRisk } from '../src/risk/risk-maintenance.js';
import {
  describeCase,
  fuzzCase,
  operationsOf,
  toRawRequest,
  abbreviate,
  type FuzzCase,
  type OpenApiDocument,
  type Operation,
} from './fuzz/arbitraries.js';
import {
  bulkWorld,
  describeImport,
  expectationOf,
  expectedImport,
  importCase,
  importRequest,
  type BulkWorld,
  type ExpectedEngagement,
  type ImportCase,
  type Uniques,
} from './fuzz/bulk.js';
import { changedTables, digest, digestQuery, type TableDigest } from './fuzz/digest.js';
import { RawHttpClient, type RawRequest, type RawResponse } from './fuzz/http.js';
import { seedForFuzzing, type Seeded } from './fuzz/seed.js';
import { openApiContract } from './openapi-contract.js';
import { createTestApp, externalDatabaseUrl, type TestApp } from './test-app.js';

/**
 * Schema-driven fuzzing: every operation of openapi.json with values built from its schemas
 * plus hostile ones, sent with the keys of every role to an app holding real data. FUZZ_RUNS
 * sets the number of requests (default 5,000 on PostgreSQL, 1,000 on embedded PGlite, which
 * is slower); FUZZ_SEED replays a failing run; FUZZ_LOG_LEVEL=error shows the server's log.
 */
const runs = Number(process.env.FUZZ_RUNS ?? (externalDatabaseUrl ? 5000 : 1000));
const seed = Number(process.env.FUZZ_SEED ?? Date.now() % 2 ** 31);

const document = JSON.parse(
  readFileSync(new URL('../openapi.json', import.meta.url), 'utf8'),
) as OpenApiDocument;
const operations = operationsOf(document);

/**
 * Why an exchange breaks the contract, or undefined when it keeps it: every response (2xx
 * bodies included) must match openapi.json, and beyond what a schema can say, nothing is a
 * 5xx, every 4xx is problem+json, and a problem's status and requestId repeat the HTTP status
 * and X-Request-Id.
 */
function violation(request: RawRequest, response: RawResponse): string | undefined {
  if (response.status >= 500) return `answered ${response.status}`;
  const problems = openApiContract().violations({
    method: request.method,
    url: request.path,
    status: response.status,
    headers: response.headers,
    text: response.text,
  });
  if (response.status >= 400) {
    const contentType = String(response.headers['content-type'] ?? '');
    if (!contentType.startsWith('application/problem+json')) {
      problems.push(`answered ${response.status} as ${contentType || 'no content type'}`);
    }
    const body = response.json as { status?: unknown; requestId?: unknown } | undefined;
    if (body?.status !== response.status) problems.push('status differs from the HTTP status');
    if (body?.requestId !== response.headers['x-request-id']) {
      problems.push('requestId differs from X-Request-Id');
    }
  }
  return problems.length > 0 ? problems.join('\n') : undefined;
}

describe('schema-driven fuzzing of every operation in openapi.json', () => {
  let t: TestApp;
  let seeded: Seeded;
  let client: RawHttpClient;
  let snapshotSql: string;
  /** The rows as of the last check, and the successful reads sent since (not checked each). */
  let current: TableDigest[];
  let readsSinceCheck: string[] = [];
  let sent = 0;
  const started = Date.now();
  const byStatus = new Map<number, number>();
  const tried = new Set<Operation>();

  beforeAll(async () => {
    t = await createTestApp({
      env: {
        LOG_LEVEL: process.env.FUZZ_LOG_LEVEL ?? 'silent',
        // Rate limiting on, with a limit no run reaches: its headers are checked on every answer.
        RATE_LIMIT_MAX: '1000000',
      },
    });
    seeded = await seedForFuzzing(t);
    await t.app.listen(0, '127.0.0.1');
    client = new RawHttpClient((t.app.getHttpServer().address() as { port: number }).port);
    snapshotSql = await digestQuery(t.dataSource);
    current = await digest(t.dataSource, snapshotSql);
  }, 120_000);

  afterAll(async () => {
    client?.close();
    await t?.close();
    const statuses = statusCounts(byStatus);
    process.stdout.write(
      `\nFuzzing: ${sent} requests over ${tried.size} of ${operations.length} operations in ` +
        `${((Date.now() - started) / 1000).toFixed(1)} s (seed ${seed}); statuses ${statuses}\n`,
    );
  });

  async function check(fuzz: FuzzCase): Promise<void> {
    const request = toRawRequest(fuzz, seeded.keys);
    sent++;
    tried.add(fuzz.operation);
    const response = await client.send(request);
    byStatus.set(response.status, (byStatus.get(response.status) ?? 0) + 1);
    const fail = (reason: string) => {
      throw new Error(
        `${reason}\n  request: ${describeCase(fuzz)}\n  response: ${response.status} ` +
          `${abbreviate(response.headers['content-type'] ?? '')} ${abbreviate(response.text, 1500)}`,
      );
    };
    const wrong = violation(request, response);
    if (wrong) fail(wrong);
    // A successful read changes nothing; its rows are checked with the next write or refusal.
    if (response.status < 400 && (request.method === 'GET' || request.method === 'HEAD')) {
      readsSinceCheck.push(`${request.method} ${abbreviate(request.path, 200)}`);
      return;
    }
    const after = await digest(t.dataSource, snapshotSql);
    const changed = changedTables(current, after);
    current = after;
    const reads = readsSinceCheck;
    readsSinceCheck = [];
    if (response.status >= 400 && changed.length > 0) {
      fail(
        `a rejected request changed rows of ${changed.join(', ')}` +
          (reads.length > 0 ? ` (or one of the reads before it: ${reads.join(', ')})` : ''),
      );
    }
  }

  it('notices a changed row of any table, so that the check below can fail', async () => {
    const [vendor] = await t.dataSource.query('SELECT id, notes FROM vendors LIMIT 1');
    await t.dataSource.query('UPDATE vendors SET notes = $2 WHERE id = $1', [vendor.id, 'probe']);
    expect(changedTables(current, await digest(t.dataSource, snapshotSql))).toEqual(['vendors']);
    await t.dataSource.query('UPDATE vendors SET notes = $2 WHERE id = $1', [
      vendor.id,
      vendor.notes,
    ]);
    expect(changedTables(current, await digest(t.dataSource, snapshotSql))).toEqual([]);
  });

  it(`answers ${runs} generated requests as openapi.json documents, without a 5xx, with problem+json for every 4xx, and changes no row when it rejects`, async () => {
    const property = fc.asyncProperty(
      fuzzCase({ document, ids: seeded.ids }, operations).map((fuzz) =>
        Object.assign(fuzz, { [fc.toStringMethod]: () => describeCase(fuzz) }),
      ),
      check,
    );
    await fc.assert(property, { numRuns: runs, seed });
    expect(sent).toBeGreaterThanOrEqual(runs);
    // The API accepted some generated requests: the valid third reaches the services.
    const accepted = [...byStatus].filter(([status]) => status < 300);
    expect(accepted.reduce((n, [, count]) => n + count, 0)).toBeGreaterThan(runs / 20);
    if (runs >= 1000) expect(tried.size).toBe(operations.length);
  }, 600_000);

  it('leaves the stored risk facts and timelines as the source tables give them (verifyRisk finds no mismatch)', async () => {
    const [{ count }]: { count: number }[] = await t.dataSource.query(
      'SELECT count(*)::int AS count FROM engagements',
    );
    expect(count).toBeGreaterThan(0);
    expect(await verifyRisk(t.dataSource, t.config.risk)).toEqual({
      checked: count,
      mismatches: [],
    });
  });
});

/**
 * Property-based fuzzing of the bulk import (SPEC §10) with generated JSON and CSV bodies:
 * valid rows (with natural keys, ids, formula-like cells, quoting, BOM, CRLF or LF), rows with
 * known faults, malformed CSV, foreign content types, dryRun and createMissing. FUZZ_IMPORT_RUNS
 * sets the number of imports (default 400 on PostgreSQL, 150 on PGlite); FUZZ_SEED replays.
 *
 * The before/after comparison is exact: this app is driven by these requests alone, one at a
 * time, and its background jobs write nothing here meanwhile: the clock runs at start-up (before
 * the first digest) and then hourly, event retention deletes only events older than 90 days,
 * and the webhook worker writes only its own columns (left out of the digest) for deliveries
 * of endpoints, of which this app has none.
 */
const importRuns = Number(process.env.FUZZ_IMPORT_RUNS ?? (externalDatabaseUrl ? 400 : 150));
/** Small, so that "too many rows" is reachable with a few rows. */
const IMPORT_MAX_ROWS = 20;
/** What an import writes, besides its idempotency record. */
const IMPORT_TABLES = [
  'engagements',
  'vendors',
  'people',
  'milestones',
  'artifacts',
  'engagement_knowledge_recipients',
  'audit_events',
  'events',
];
/** What else a successful import writes: the new engagements' risk. */
const RISK_TABLES = ['engagement_risk_facts', 'risk_timeline', 'risk_timeline_state'];

interface ImportErrorItem {
  row?: unknown;
  field?: unknown;
  code?: unknown;
  message?: unknown;
}

describe('property-based fuzzing of the engagement import (SPEC §10)', () => {
  let t: TestApp;
  let seeded: Seeded;
  let world: BulkWorld;
  let client: RawHttpClient;
  let snapshotSql: string;
  let current: TableDigest[];
  let sent = 0;
  const run = Date.now().toString(36);
  const started = Date.now();
  const byStatus = new Map<number, number>();
  const outcomes = { created: 0, engagements: 0, dryRuns: 0, replays: 0, formulas: 0 };

  beforeAll(async () => {
    t = await createTestApp({
      env: {
        LOG_LEVEL: process.env.FUZZ_LOG_LEVEL ?? 'silent',
        RATE_LIMIT_MAX: '1000000',
        IMPORT_MAX_ROWS: String(IMPORT_MAX_ROWS),
      },
    });
    seeded = await seedForFuzzing(t);
    // An engagement holding a contract reference, for CONTRACT_REF_TAKEN.
    const taken = 'PO-TAKEN-0001';
    await t.dataSource.query('UPDATE engagements SET contract_ref = $2 WHERE id = $1', [
      seeded.ids.engagements[0],
      taken,
    ]);
    world = await bulkWorld(t.dataSource, taken);
    await t.app.listen(0, '127.0.0.1');
    client = new RawHttpClient((t.app.getHttpServer().address() as { port: number }).port);
    snapshotSql = await digestQuery(t.dataSource);
    current = await digest(t.dataSource, snapshotSql);
  }, 120_000);

  afterAll(async () => {
    client?.close();
    await t?.close();
    const statuses = statusCounts(byStatus);
    process.stdout.write(
      `\nImport fuzzing: ${sent} requests in ${((Date.now() - started) / 1000).toFixed(1)} s ` +
        `(seed ${seed}); statuses ${statuses}; ${outcomes.created} imports created ` +
        `${outcomes.engagements} engagements, ${outcomes.dryRuns} valid dry runs, ` +
        `${outcomes.replays} replays, ${outcomes.formulas} formula-like values read back\n`,
    );
  });

  const rowsOf = (tables: TableDigest[]) =>
    new Map(tables.map((table) => [table.table, Number(table.rows)]));

  async function checkImport(fuzz: ImportCase): Promise<void> {
    const uniques: Uniques = { run, send: ++sent };
    const request = importRequest(world, uniques, fuzz, seeded.keys);
    const expectation = expectationOf(fuzz, IMPORT_MAX_ROWS);
    const response = await client.send(request);
    byStatus.set(response.status, (byStatus.get(response.status) ?? 0) + 1);
    const fail = (reason: string): never => {
      throw new Error(
        `${reason}\n  expected: ${[...expectation.statuses].join(' or ')}` +
          `${expectation.faultyRows.length > 0 ? ` (faulty rows ${expectation.faultyRows.join(', ')})` : ''}` +
          `\n  request: ${describeImport(request)}\n  response: ${response.status} ` +
          `${abbreviate(response.headers['content-type'] ?? '')} ${abbreviate(response.text, 3000)}`,
      );
    };
    const wrong = violation(request, response);
    if (wrong) fail(wrong);
    if (!expectation.statuses.has(response.status)) fail(`answered ${response.status}`);

    const after = await digest(t.dataSource, snapshotSql);
    const changed = changedTables(current, after);
    const before = current;
    current = after;
    const body = (response.json ?? {}) as Record<string, unknown>;

    if (response.status >= 400) {
      if (changed.length > 0) fail(`a refused import changed rows of ${changed.join(', ')}`);
      checkProblem(fuzz, expectation, body, fail);
      return;
    }
    const idempotency = fuzz.idempotent ? ['idempotency_records'] : [];
    if (response.status === 200) {
      expect(body).toEqual({ valid: true, rows: fuzz.rows.length });
      const wrote = changed.filter((table) => !idempotency.includes(table));
      if (wrote.length > 0) fail(`a dry run changed rows of ${wrote.join(', ')}`);
      outcomes.dryRuns++;
    } else {
      await checkCreated(fuzz, uniques, body, before, after, changed, idempotency, fail);
    }
    if (fuzz.idempotent) await checkReplay(request, response.status, body, fail);
  }

  /** A 4xx names what is wrong: a field, a row or a line, as the faults of the case say. */
  function checkProblem(
    fuzz: ImportCase,
    expectation: ReturnType<typeof expectationOf>,
    body: Record<string, unknown>,
    fail: (reason: string) => never,
  ): void {
    const status = body.status as number;
    if (status !== 400 && status !== 422) return;
    const errors = (body.errors ?? []) as ImportErrorItem[];
    if (!Array.isArray(errors) || errors.length === 0) fail(`a ${status} without errors`);
    for (const error of errors) {
      const names =
        (typeof error.field === 'string' && error.field !== '') ||
        typeof error.row === 'number' ||
        /\bline \d+/.test(String(error.message));
      if (!names) fail(`an error names no field, row or line: ${JSON.stringify(error)}`);
    }
    const csvSyntax = ['unclosedQuote', 'strayQuote', 'textAfterQuote', 'raggedRow'];
    /** True when `cause` is the case's only fault, so that this 400 must be about it. */
    const only = (cause: string) =>
      expectation.causes.length === 1 && expectation.causes[0] === cause;
    if (status === 400) {
      if (only('body') && csvSyntax.includes(fuzz.bodyFault ?? '')) {
        const [first] = errors;
        if (first.field !== 'body' || !/^line \d+:/.test(String(first.message)))
          fail('a malformed CSV file is not named by body and line');
      }
      if (
        only('body') &&
        fuzz.bodyFault === 'unknownColumn' &&
        !errors.some((error) => error.field === 'colour' && error.row === 0)
      )
        fail('the unknown column is not named');
      if (only('flags')) {
        for (const name of expectation.badFlags) {
          if (!errors.some((error) => error.field === name)) fail(`the bad ${name} is not named`);
        }
      }
      return;
    }
    if (expectation.tooManyRows) {
      if (body.type !== 'urn:handover:problem:import-too-large')
        fail('too many rows is not import-too-large');
      return;
    }
    if (body.type !== 'urn:handover:problem:import-invalid')
      fail('a 422 that is not import-invalid');
    const rows = [...new Set(errors.map((error) => error.row))].sort(
      (a, b) => Number(a) - Number(b),
    );
    if (JSON.stringify(rows) !== JSON.stringify(expectation.faultyRows))
      fail(`the 422 names rows ${rows.join(', ')}`);
    for (const error of errors) {
      if (typeof error.field !== 'string' || typeof error.code !== 'string')
        fail(`an import error without field or code: ${JSON.stringify(error)}`);
      if (fuzz.format === 'csv' && (error.field as string).startsWith('spec.'))
        fail(`a CSV problem named by its JSON path: ${JSON.stringify(error)}`);
    }
  }

  /**
   * A real import: one engagement per row, exactly what its rows plan and name (the new
   * vendors and people once each), with its audit and events, and every value as sent.
   */
  async function checkCreated(
    fuzz: ImportCase,
    uniques: Uniques,
    body: Record<string, unknown>,
    before: TableDigest[],
    after: TableDigest[],
    changed: string[],
    idempotency: string[],
    fail: (reason: string) => never,
  ): Promise<void> {
    const plan = expectedImport(world, uniques, fuzz);
    const ids = body.engagementIds as string[];
    const createdVendors = body.createdVendors as { id: string; name: string }[];
    const createdPeople = body.createdPeople as { id: string; email: string }[];
    if (body.created !== fuzz.rows.length || ids.length !== fuzz.rows.length)
      fail(`created ${String(body.created)} engagements for ${fuzz.rows.length} rows`);
    if (new Set(ids).size !== ids.length) fail('an engagement id appears twice');
    expect(createdVendors.map((vendor) => vendor.name).sort()).toEqual([...plan.newVendors].sort());
    expect(createdPeople.map((person) => person.email).sort()).toEqual([...plan.newPeople].sort());
    const sum = (pick: (one: ExpectedEngagement) => number) =>
      plan.engagements.reduce((total, one) => total + pick(one), 0);
    const milestones = sum((one) => one.milestones);
    const artifacts = sum((one) => one.artifacts);
    const n = fuzz.rows.length;
    const references = createdVendors.length + createdPeople.length;
    const expectedGrowth: Record<string, number> = {
      engagements: n,
      vendors: createdVendors.length,
      people: createdPeople.length,
      milestones,
      artifacts,
      engagement_knowledge_recipients: sum((one) => one.recipients),
      audit_events: n + milestones + artifacts + references,
      events: n + milestones + artifacts,
      engagement_risk_facts: n,
    };
    const earlier = rowsOf(before);
    const later = rowsOf(after);
    const growth = Object.fromEntries(
      Object.keys(expectedGrowth).map((table) => [
        table,
        (later.get(table) ?? 0) - (earlier.get(table) ?? 0),
      ]),
    );
    if (JSON.stringify(growth) !== JSON.stringify(expectedGrowth))
      fail(`rows added ${JSON.stringify(growth)}, expected ${JSON.stringify(expectedGrowth)}`);
    const allowed = new Set([...IMPORT_TABLES, ...RISK_TABLES, ...idempotency]);
    const stray = changed.filter((table) => !allowed.has(table));
    if (stray.length > 0) fail(`the import also changed rows of ${stray.join(', ')}`);

    const vendorIds = new Map(createdVendors.map((vendor) => [vendor.name, vendor.id]));
    const personIds = new Map(createdPeople.map((person) => [person.email, person.id]));
    for (const [index, expected] of plan.engagements.entries()) {
      const read = await client.send({
        method: 'GET',
        path: `/v1/engagements/${ids[index]}`,
        headers: { Authorization: `Bearer ${t.adminKey}` },
      });
      if (read.status !== 200) fail(`GET of imported row ${index + 1} answered ${read.status}`);
      const got = read.json as {
        title: string;
        contractRef: string | null;
        vendorId: string;
        productOwnerId: string;
        status: string;
        spec: {
          problem: string;
          successMetrics: { name: string; target: string }[];
          constraints: string[];
          tradeOffRule: string | null;
        };
        knowledgeRecipientIds: string[];
        startDate: string | null;
        contractEndDate: string | null;
        noticePeriodDays: number;
        criticality: string;
      };
      const actual = {
        title: got.title,
        contractRef: got.contractRef,
        vendorId: got.vendorId,
        productOwnerId: got.productOwnerId,
        status: got.status,
        spec: {
          problem: got.spec.problem,
          successMetrics: got.spec.successMetrics.map(({ name, target }) => ({ name, target })),
          constraints: got.spec.constraints,
          tradeOffRule: got.spec.tradeOffRule,
        },
        recipients: got.knowledgeRecipientIds.length,
        startDate: got.startDate,
        contractEndDate: got.contractEndDate,
        noticePeriodDays: got.noticePeriodDays,
        criticality: got.criticality,
      };
      const wanted = {
        title: expected.title,
        contractRef: expected.contractRef,
        vendorId:
          'id' in expected.vendor ? expected.vendor.id : vendorIds.get(expected.vendor.newName),
        productOwnerId:
          'id' in expected.productOwner
            ? expected.productOwner.id
            : personIds.get(expected.productOwner.newEmail),
        status: 'draft',
        spec: expected.spec,
        recipients: expected.recipients,
        startDate: expected.startDate,
        contractEndDate: expected.contractEndDate,
        noticePeriodDays: expected.noticePeriodDays,
        criticality: expected.criticality,
      };
      if (JSON.stringify(actual) !== JSON.stringify(wanted)) {
        fail(
          `row ${index + 1} reads back as ${JSON.stringify(actual)}\n  instead of ${JSON.stringify(wanted)}`,
        );
      }
      outcomes.formulas += [
        expected.title,
        expected.contractRef ?? '',
        expected.spec.problem,
        expected.spec.tradeOffRule ?? '',
        ...expected.spec.constraints,
        ...expected.spec.successMetrics.flatMap((metric) => [metric.name, metric.target]),
      ].filter((value) => /^[=+\-@]/.test(value)).length;
    }
    outcomes.created++;
    outcomes.engagements += n;
  }

  /** The same request with the same key again: the first answer, and nothing written. */
  async function checkReplay(
    request: RawRequest,
    status: number,
    body: Record<string, unknown>,
    fail: (reason: string) => never,
  ): Promise<void> {
    const again = await client.send(request);
    // The same JSON; the stored copy need not keep the keys' order.
    if (again.status !== status || !isDeepStrictEqual(again.json, body))
      fail(`the replay answered ${again.status} ${abbreviate(again.text, 1000)}`);
    const after = await digest(t.dataSource, snapshotSql);
    const changed = changedTables(current, after);
    current = after;
    if (changed.length > 0) fail(`the replay changed rows of ${changed.join(', ')}`);
    outcomes.replays++;
  }

  it(`answers ${importRuns} generated imports without a 5xx, with problem+json naming the field, row or line of each 4xx, writing nothing when refused or dry, and exactly the rows of a valid import`, async () => {
    const property = fc.asyncProperty(
      importCase(world, IMPORT_MAX_ROWS).map((fuzz) =>
        Object.assign(fuzz, {
          [fc.toStringMethod]: () =>
            describeImport(importRequest(world, { run, send: 0 }, fuzz, seeded.keys)),
        }),
      ),
      checkImport,
    );
    await fc.assert(property, { numRuns: importRuns, seed });
    // Enough of the generated imports are valid to check what imports create.
    expect(outcomes.created).toBeGreaterThan(importRuns / 10);
    expect(outcomes.dryRuns).toBeGreaterThan(0);
    expect(outcomes.formulas).toBeGreaterThan(0);
    for (const status of [400, 401, 403, 415, 422]) expect(byStatus.get(status)).toBeGreaterThan(0);
  }, 600_000);
});

/** `200×12 404×3`: how often each status was answered, lowest status first. */
function statusCounts(byStatus: Map<number, number>): string {
  return [...byStatus]
    .sort(([a], [b]) => a - b)
    .map(([status, count]) => `${status}×${count}`)
    .join(' ');
}
