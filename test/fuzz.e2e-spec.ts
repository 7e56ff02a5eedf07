import { readFileSync } from 'node:fs';
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
    const statuses = [...byStatus]
      .sort(([a], [b]) => a - b)
      .map(([status, count]) => `${status}×${count}`)
      .join(' ');
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
