import { jest } from '@jest/globals';
import { seedDemoPortfolio } from '../scripts/demo-portfolio.js';
import { StatementCounter } from '../scripts/statement-counter.js';
import { Clock } from '../src/common/clock.js';
import { todayUtc } from '../src/common/dates.js';
import { isoWeekOf } from '../src/reports/iso-week.js';
import { bearer, createTestApp, type TestApp } from './test-app.js';

/**
 * Portfolio reads and report generation must not run a statement per engagement (N+1): each
 * request runs a fixed number of SQL statements, counted here with 10 and then with 300
 * engagements in the database (the demo portfolio of `npm run seed:demo`). Each budget includes
 * the API key lookup of the auth guard and, for writes, the transaction control.
 */
const ENDPOINTS = [
  {
    name: 'GET /v1/engagements?minRiskLevel=high',
    budget: 3,
    path: () => '/v1/engagements?minRiskLevel=high',
    covered: (body: { items: unknown[] }) => body.items.length,
  },
  {
    // The second page: the keyset cursor is applied in SQL, not by skipping rows in memory.
    name: 'GET /v1/engagements?sort=-riskScore, page 2',
    budget: 3,
    path: () => '/v1/engagements?sort=-riskScore&limit=4',
    nextPage: true,
    pageSized: true,
    covered: (body: { items: unknown[] }) => body.items.length,
  },
  {
    name: 'GET /v1/engagements/{id}',
    budget: 2,
    path: (_vendorId: string, engagementId: string) => `/v1/engagements/${engagementId}`,
    pageSized: true,
    covered: (body: { id: string }) => (body.id ? 1 : 0),
  },
  {
    name: 'GET /v1/risk/summary',
    budget: 3,
    path: () => '/v1/risk/summary',
    covered: (body: { totals: { engagements: number } }) => body.totals.engagements,
  },
  {
    name: 'GET /v1/vendors/{id}/scorecard',
    budget: 3,
    path: (vendorId: string) => `/v1/vendors/${vendorId}/scorecard`,
    covered: (body: { engagements: { draft: number; active: number } }) =>
      body.engagements.draft + body.engagements.active,
  },
  {
    // Generates the report each time (this week's is deleted before every request), compared
    // with last week's, stored once at the start.
    name: 'POST /v1/reports/weekly',
    method: 'post',
    budget: 12,
    path: () => '/v1/reports/weekly',
    covered: (body: { engagements: unknown[] }) => body.engagements.length,
  },
] as const;

const BACKGROUND_DELIVERY_CLAIM = /^\s*WITH due AS \(\s*SELECT d\.id FROM webhook_deliveries/;

type EndpointName = (typeof ENDPOINTS)[number]['name'];

interface Measurement {
  ok: boolean;
  status: number;
  statements: string[];
  /** Engagements the response covers: listed, judged, the vendor's open ones, or reported. */
  covered: number;
}

/** A statement as the failure diff shows it: one line, bound-parameter lists collapsed. */
const summarize = (sql: string): string =>
  sql
    .replace(/\s+/g, ' ')
    .replace(/\$\d+(, \$\d+)+/g, '$…')
    .trim()
    .slice(0, 160);

describe('SQL statements per request do not grow with the portfolio', () => {
  let t: TestApp;
  let counter: StatementCounter;
  const measured = new Map<number, Map<EndpointName, Measurement>>();

  async function measureAll(): Promise<Map<EndpointName, Measurement>> {
    // The vendor with the most engagements: its scorecard judges the most.
    const [{ vendorId }]: { vendorId: string }[] = await t.dataSource.query(
      `SELECT vendor_id AS "vendorId" FROM engagements
        GROUP BY vendor_id ORDER BY count(*) DESC, vendor_id LIMIT 1`,
    );
    // The engagement created last: the newest of the larger portfolio.
    const [{ engagementId }]: { engagementId: string }[] = await t.dataSource.query(
      `SELECT id AS "engagementId" FROM engagements ORDER BY created_at DESC, id LIMIT 1`,
    );
    const send = async (endpoint: (typeof ENDPOINTS)[number]) => {
      if ('method' in endpoint) {
        await t.dataSource.query('DELETE FROM weekly_reports WHERE week = $1', [
          isoWeekOf(todayUtc()),
        ]);
        counter.reset();
        return t.http().post(endpoint.path()).set(bearer(t.adminKey)).send({});
      }
      const path = endpoint.path(vendorId, engagementId);
      if ('nextPage' in endpoint) {
        const first = await t.http().get(path).set(bearer(t.adminKey));
        expect(first.body.nextCursor).toEqual(expect.any(String));
        counter.reset();
        return t.http().get(`${path}&cursor=${first.body.nextCursor}`).set(bearer(t.adminKey));
      }
      return t.http().get(path).set(bearer(t.adminKey));
    };
    // Warm-up: the first request of a key also refreshes its lastUsedAt, once a minute.
    for (const endpoint of ENDPOINTS) await send(endpoint);
    const measurements = new Map<EndpointName, Measurement>();
    for (const endpoint of ENDPOINTS) {
      const { result: response, statements: all } = await counter.during(async () =>
        send(endpoint),
      );
      // The webhook worker polls for due deliveries on its own timer, whatever the request.
      const statements = all.filter((sql) => !BACKGROUND_DELIVERY_CLAIM.test(sql));
      const ok = response.status === ('method' in endpoint ? 201 : 200);
      measurements.set(endpoint.name, {
        ok,
        status: response.status,
        statements,
        covered: ok ? endpoint.covered(response.body) : 0,
      });
    }
    return measurements;
  }

  beforeAll(async () => {
    t = await createTestApp();
    counter = StatementCounter.attach(t.dataSource);
    await seedDemoPortfolio(t.dataSource, 10);
    // Last week's report, so that generating this week's also compares with it.
    const lastWeek = jest
      .spyOn(t.app.get(Clock), 'now')
      .mockReturnValue(new Date(Date.now() - 7 * 86_400_000));
    const previous = await t.http().post('/v1/reports/weekly').set(bearer(t.adminKey)).send({});
    lastWeek.mockRestore();
    expect(previous.status).toBe(201);
    measured.set(10, await measureAll());
    // A second portfolio on top (suffixed vendor names and e-mails): 300 engagements in all.
    await seedDemoPortfolio(t.dataSource, 290, ' (second)');
    const [{ total }] = await t.dataSource.query('SELECT count(*)::int AS total FROM engagements');
    expect(total).toBe(300);
    measured.set(300, await measureAll());
  });
  afterAll(async () => {
    counter?.detach();
    await t?.close();
  });

  it.each(ENDPOINTS)(
    '$name runs $budget statements with 10 and with 300 engagements',
    (endpoint) => {
      const { name, budget } = endpoint;
      const small = measured.get(10)?.get(name) as Measurement;
      const large = measured.get(300)?.get(name) as Measurement;
      expect([small.ok, large.ok]).toEqual([true, true]);
      expect(small.covered).toBeGreaterThan(0);
      // The larger portfolio really covers more engagements; a page or a single engagement
      // covers as much at both sizes.
      if ('pageSized' in endpoint) expect(large.covered).toBe(small.covered);
      else expect(large.covered).toBeGreaterThan(small.covered);
      // The same statements for both sizes (a diff names any extra one), as many as budgeted:
      // change a budget only for a deliberate, size-independent change.
      expect(large.statements.map(summarize)).toEqual(small.statements.map(summarize));
      expect({ 10: small.statements.length, 300: large.statements.length }).toEqual({
        10: budget,
        300: budget,
      });
    },
  );
});
