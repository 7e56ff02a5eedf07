import { jest } from '@jest/globals';
import { createApp, type RunningApp } from '../src/app.setup.js';
import { Clock } from '../src/common/clock.js';
import { addDays, todayUtc } from '../src/common/dates.js';
import { isoWeekOf } from '../src/reports/iso-week.js';
import { RISK_LEVELS, type RiskLevel } from '../src/risk/assess-risk.js';
import {
  act,
  activeEngagement,
  daysFromToday,
  draftEngagement,
  newArtifact,
  newEngagement,
  newEngagementIn,
  newMilestone,
  newPerson,
  newVendor,
  uniqueSuffix,
} from './factories.js';
import {
  bearer,
  createScratchDatabase,
  createTestApp,
  expectProblem,
  externalDatabaseUrl,
  testConfig,
  type TestApp,
} from './test-app.js';
import request from 'supertest';
import { DataSource } from 'typeorm';

interface ReportBody {
  engagements: {
    engagementId: string;
    level: RiskLevel;
    status: string;
    change: string;
    previousLevel: RiskLevel | null;
    signals: { code: string }[];
    independentOperators: number | null;
  }[];
}

describe('weekly risk report', () => {
  let t: TestApp;
  let reporterKey: string;
  const week = isoWeekOf(todayUtc());

  beforeAll(async () => {
    t = await createTestApp();
    reporterKey = await t.keyFor('reporter');
  });
  afterAll(() => t.close());
  beforeEach(() => t.dataSource.query('DELETE FROM weekly_reports'));

  const generate = (body: object = {}, key = reporterKey) =>
    t.http().post('/v1/reports/weekly').set(bearer(key)).send(body);

  it('creates the report of the current ISO week on the first call (201) and returns it after (200)', async () => {
    const open = await newEngagement(t);
    const closed = await newEngagementIn(t, 'completed');
    const first = await generate();
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ week, asOf: todayUtc(), id: expect.any(String) });
    const ids = first.body.engagements.map((entry: { engagementId: string }) => entry.engagementId);
    expect(ids).toContain(open.id);
    expect(ids).not.toContain(closed.engagementId);
    const entry = first.body.engagements.find(
      (item: { engagementId: string }) => item.engagementId === open.id,
    );
    expect(entry).toMatchObject({
      status: 'draft',
      change: 'new',
      previousLevel: null,
      level: 'high',
    });
    expect(first.body.totals.engagements).toBe(first.body.engagements.length);

    const again = await generate({ week });
    expect(again.status).toBe(200);
    expect(again.body).toEqual(first.body);
  });

  it('is a snapshot: later changes do not alter a stored report', async () => {
    const first = await generate();
    await newEngagement(t);
    const read = await t.http().get(`/v1/reports/${first.body.id}`).set(bearer(t.adminKey));
    expect(read.body).toEqual(first.body);
  });

  it('creates exactly one report when 10 calls arrive at once', async () => {
    const responses = await Promise.all(Array.from({ length: 10 }, () => generate()));
    const statuses = responses.map((response) => response.status).sort();
    expect(statuses).toEqual([200, 200, 200, 200, 200, 200, 200, 200, 200, 201]);
    expect(new Set(responses.map((response) => response.body.id)).size).toBe(1);
    const [{ count }] = await t.dataSource.query(
      'SELECT count(*)::int AS count FROM weekly_reports',
    );
    expect(count).toBe(1);
  });

  it('answers 422 for a week other than the current one', async () => {
    const body = expectProblem(await generate({ week: '2020-W10' }), 422, 'week-not-current');
    expect(body.detail).toContain(week);
  });

  it.each(['2026-47', 'W47', '2026-W5', 'next week'])(
    'answers 400 for the malformed week %p',
    async (bad) => {
      const body = expectProblem(await generate({ week: bad }), 400, 'validation');
      expect(body.errors?.[0].field).toBe('week');
    },
  );

  it('answers 400 for a week that does not exist', async () => {
    const body = expectProblem(await generate({ week: '2027-W53' }), 400, 'validation');
    expect(body.errors?.[0].field).toBe('week');
  });

  it('lets only admin and reporter keys generate', async () => {
    const productOwner = await newPerson(t);
    for (const role of ['procurement', 'product_owner', 'integration', 'viewer'] as const) {
      const key = await t.keyFor(role, role === 'product_owner' ? productOwner.id : undefined);
      expectProblem(await generate({}, key), 403, 'forbidden');
    }
    expect((await generate({}, t.adminKey)).status).toBe(201);
  });

  it('reads reports by id, by week and as a list, newest first', async () => {
    const created = await generate();
    const byWeek = await t.http().get(`/v1/reports/weekly/${week}`).set(bearer(reporterKey));
    expect(byWeek.body).toEqual(created.body);
    const list = await t.http().get('/v1/reports').set(bearer(reporterKey));
    expect(list.body.items[0]).toMatchObject({
      id: created.body.id,
      week,
      totals: created.body.totals,
    });
    expectProblem(
      await t.http().get('/v1/reports/weekly/2020-W10').set(bearer(reporterKey)),
      404,
      'not-found',
    );
    expectProblem(
      await t.http().get('/v1/reports/weekly/2020-10').set(bearer(reporterKey)),
      400,
      'validation',
    );
  });

  it('serves a report as CSV, Markdown and HTML by Accept or ?format=, and 406 otherwise', async () => {
    await newEngagement(t, t.adminKey, { title: '=HYPERLINK("http://evil")' });
    const created = await generate();
    const get = (query: Record<string, string>, accept?: string) => {
      const call = t
        .http()
        .get(`/v1/reports/${created.body.id}`)
        .query(query)
        .set(bearer(reporterKey));
      return accept ? call.set('Accept', accept) : call;
    };

    const csv = await get({}, 'text/csv');
    expect(csv.status).toBe(200);
    expect(csv.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(csv.headers['content-disposition']).toBe(`inline; filename="handover-risk-${week}.csv"`);
    const lines = csv.text.split('\r\n').filter((line) => line !== '');
    expect(lines).toHaveLength(1 + created.body.engagements.length);
    expect(csv.text).toContain(`"'=HYPERLINK(""http://evil"")"`);

    const markdown = await get({ format: 'md' });
    expect(markdown.headers['content-type']).toBe('text/markdown; charset=utf-8');
    expect(markdown.text).toContain(`# Handover risk report ${week}`);

    const html = await t
      .http()
      .get(`/v1/reports/weekly/${week}`)
      .query({ format: 'html' })
      .set(bearer(reporterKey));
    expect(html.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(html.text).toContain('<svg id="chart-levels"');
    expect(html.text).toContain('<svg id="chart-slips"');

    const json = await get({}, 'application/json');
    expect(json.body).toEqual(created.body);
    expectProblem(await get({}, 'image/png'), 406, 'not-acceptable');
    const badFormat = expectProblem(await get({ format: 'pdf' }), 400, 'validation');
    expect(badFormat.errors?.[0].field).toBe('format');
  });

  it("gives each engagement its independent operator count as of the report's date, in every format", async () => {
    const recipients = await Promise.all([newPerson(t), newPerson(t), newPerson(t)]);
    const [first, second, third] = recipients.map((person) => person.id);
    const suffix = uniqueSuffix();
    const capable = await draftEngagement(t, {
      finalDueIn: 200,
      recipients: 0,
      fields: { title: `Capable ${suffix}`, knowledgeRecipientIds: [first, second, third] },
    });
    const id = capable.engagement.id;
    await act(t, `/v1/engagements/${id}/activate`);
    const productOwnerId = capable.engagement.productOwnerId;
    const drill = async (
      participantIds: string[],
      outcome: 'passed' | 'partial' | 'failed',
      vendorAssistance: 'none' | 'advice' | 'hands_on',
      performedOn = todayUtc(),
    ) => {
      const created = await t
        .http()
        .post(`/v1/engagements/${id}/drills`)
        .set(bearer(t.adminKey))
        .send({
          kind: 'restore',
          title: 'Restore the database',
          scenario: 'The primary database is lost; restore it from the nightly backup.',
          participantIds,
        });
      expect(created.status).toBe(201);
      await act(t, `/v1/engagements/${id}/drills/${created.body.id}/record`, {
        outcome,
        vendorAssistance,
        performedOn,
        evidenceUrl: 'https://wiki.example.com/drills/restore',
        observedById: productOwnerId,
      });
    };
    // first: passed unaided today. second: passed unaided 175 days ago, inside the 180-day
    // window today, outside it a week later. third: passed with advice, failed unaided.
    await drill([first], 'passed', 'none');
    await drill([second], 'passed', 'none', daysFromToday(-175));
    await drill([third], 'passed', 'advice');
    await drill([third], 'failed', 'none');
    const unproven = await newEngagement(t, t.adminKey, { title: `Unproven ${suffix}` });

    const created = await generate();
    expect(created.status).toBe(201);
    const entryOf = (report: ReportBody, engagementId: string) =>
      report.engagements.find((entry) => entry.engagementId === engagementId);
    expect(entryOf(created.body, id)?.independentOperators).toBe(2);
    expect(entryOf(created.body, unproven.id)?.independentOperators).toBe(0);
    for (const entry of (created.body as ReportBody).engagements) {
      expect(Number.isInteger(entry.independentOperators)).toBe(true);
    }

    const read = (format: string) =>
      t.http().get(`/v1/reports/${created.body.id}`).query({ format }).set(bearer(reporterKey));
    const json = await read('json');
    expect(entryOf(json.body, id)?.independentOperators).toBe(2);

    const csv = (await read('csv')).text.split('\r\n');
    const header = csv[0].split(',');
    expect(header.at(-1)).toBe('independentOperators');
    // The last cell of a row: a number, never quoted.
    const countIn = (engagementId: string) => {
      const row = csv.find((line) => line.includes(`,${engagementId},`));
      return row?.slice(row.lastIndexOf(',') + 1);
    };
    expect(countIn(id)).toBe('2');
    expect(countIn(unproven.id)).toBe('0');
    expect(csv.filter((line) => line !== '')).toHaveLength(1 + created.body.engagements.length);

    // The first report lists every engagement as new, so each is in the changes table.
    const markdown = (await read('md')).text;
    expect(markdown).toContain(
      '| engagement | vendor | change | from | to | independent operators |',
    );
    expect(markdown).toMatch(
      new RegExp(`\\| Capable ${suffix} \\| [^\\n]* \\| new \\| [^\\n]* \\| 2 \\|\\n`),
    );
    expect(markdown).toMatch(
      new RegExp(`\\| Unproven ${suffix} \\| [^\\n]* \\| new \\| [^\\n]* \\| 0 \\|\\n`),
    );

    const html = (await read('html')).text;
    expect(html).toContain('<th class="count">Independent operators</th>');
    expect(html).toMatch(
      new RegExp(`<tr><td>Capable ${suffix}</td>(?:(?!</tr>).)*<td class="count">2</td></tr>`),
    );
    expect(html).toMatch(
      new RegExp(`<tr><td>Unproven ${suffix}</td>(?:(?!</tr>).)*<td class="count">0</td></tr>`),
    );
    // The unproven draft is a dependency trap: its section says so too.
    expect(html).toMatch(
      new RegExp(`<h3>Unproven ${suffix} .*?</h3><div>[^<]* · independent operators 0</div>`),
    );

    // A week later the evidence of the second recipient is 182 days old: no longer counted.
    const now = jest
      .spyOn(t.app.get(Clock), 'now')
      .mockReturnValue(new Date(Date.now() + 7 * 86_400_000));
    try {
      const nextWeek = await generate();
      expect(nextWeek.status).toBe(201);
      expect(entryOf(nextWeek.body, id)?.independentOperators).toBe(1);
      // The stored report keeps its snapshot.
      const reread = await t.http().get(`/v1/reports/${created.body.id}`).set(bearer(reporterKey));
      expect(entryOf(reread.body, id)?.independentOperators).toBe(2);
    } finally {
      now.mockRestore();
    }
  });

  it('compares each engagement with the previous week: new, raised, lowered, unchanged, closed', async () => {
    const clock = t.app.get(Clock);
    const steady = await activeEngagement(t, { finalDueIn: 200 });
    // Due in 5 days with nothing accepted: KT behind schedule now, overdue a week later.
    const dueSoon = await activeEngagement(t, { finalDueIn: 5 });
    const recipient = await newPerson(t);
    const unplanned = await newEngagement(t, t.adminKey, { knowledgeRecipientIds: [recipient.id] });
    const dropped = await draftEngagement(t);
    const thisWeek = await generate();
    expect(thisWeek.status).toBe(201);

    const planned = await newMilestone(t, t.adminKey, unplanned.id, {
      name: 'Final handover',
      kind: 'final_handover',
      dueDate: daysFromToday(90),
    });
    await newArtifact(t, t.adminKey, unplanned.id, planned.id);
    await act(t, `/v1/engagements/${dropped.engagement.id}/cancel`, { reason: 'Budget withdrawn' });
    const added = await newEngagement(t);

    const nextWeekStart = new Date(Date.now() + 7 * 86_400_000);
    const now = jest.spyOn(clock, 'now').mockReturnValue(nextWeekStart);
    try {
      const nextWeek = await generate();
      expect(nextWeek.status).toBe(201);
      expect(nextWeek.body.week).toBe(isoWeekOf(addDays(todayUtc(), 7)));
      expect(nextWeek.body.asOf).toBe(addDays(todayUtc(), 7));
      const entryOf = (report: ReportBody, id: string) =>
        report.engagements.find((entry) => entry.engagementId === id);
      const before = (id: string) => entryOf(thisWeek.body, id)?.level;

      expect(entryOf(nextWeek.body, steady.engagement.id)).toMatchObject({
        change: 'unchanged',
        level: 'none',
        previousLevel: 'none',
      });
      expect(before(dueSoon.engagement.id)).toBe('high');
      expect(entryOf(nextWeek.body, dueSoon.engagement.id)).toMatchObject({
        change: 'raised',
        level: 'critical',
        previousLevel: 'high',
      });
      expect(entryOf(nextWeek.body, dueSoon.engagement.id)?.signals).toContainEqual(
        expect.objectContaining({ code: 'HANDOVER_OVERDUE' }),
      );
      expect(before(unplanned.id)).toBe('high');
      expect(entryOf(nextWeek.body, unplanned.id)).toMatchObject({
        change: 'lowered',
        previousLevel: 'high',
      });
      expect(RISK_LEVELS.indexOf(entryOf(nextWeek.body, unplanned.id)!.level)).toBeLessThan(
        RISK_LEVELS.indexOf('high'),
      );
      expect(entryOf(nextWeek.body, dropped.engagement.id)).toMatchObject({
        change: 'closed',
        status: 'cancelled',
        previousLevel: before(dropped.engagement.id),
      });
      expect(entryOf(nextWeek.body, added.id)).toMatchObject({
        change: 'new',
        previousLevel: null,
      });
      expect(entryOf(thisWeek.body, added.id)).toBeUndefined();

      const list = await t.http().get('/v1/reports').set(bearer(reporterKey));
      expect(list.body.items.map((item: { week: string }) => item.week)).toEqual([
        nextWeek.body.week,
        week,
      ]);
      // The first week's report is a snapshot: reading it again does not recompute it.
      const reread = await t.http().get(`/v1/reports/weekly/${week}`).set(bearer(reporterKey));
      expect(reread.body).toEqual(thisWeek.body);
    } finally {
      now.mockRestore();
    }
  });

  it('lists the open escalations of open engagements and each acknowledgement in one report', async () => {
    const vendor = await newVendor(t, t.adminKey, { name: `Escalated Vendor ${uniqueSuffix()}` });
    const escalated = await newEngagement(t, t.adminKey, { vendorId: vendor.id });
    const closed = await newEngagementIn(t, 'completed');
    // The acknowledgement API is not there yet: the rows as it will write them.
    const escalate = async (engagementId: string): Promise<string> => {
      const [{ id }] = await t.dataSource.query(
        `INSERT INTO escalations (engagement_id, level, since, raised_at)
         VALUES ($1, 'high', $2, now() - interval '1 day') RETURNING id`,
        [engagementId, addDays(todayUtc(), -8)],
      );
      return id;
    };
    const acknowledge = async (
      note: string,
      escalationId: string,
      acknowledgedAt: Date | null = null,
    ): Promise<string> => {
      const [{ id }] = await t.dataSource.query(
        `INSERT INTO risk_acknowledgements
           (engagement_id, level, note, until, acknowledged_by, escalation_id, acknowledged_at)
         VALUES ($1, 'high', $2, $3, $4, $5, COALESCE($6::timestamptz, now())) RETURNING id`,
        [
          escalated.id,
          note,
          daysFromToday(14),
          { apiKeyId: null, name: 'Priya (product owner)', role: 'product_owner' },
          escalationId,
          acknowledgedAt,
        ],
      );
      return id;
    };
    const escalationId = await escalate(escalated.id);
    await escalate(closed.engagementId);
    await t.dataSource.query(`UPDATE escalations SET acknowledged_at = now() WHERE id = $1`, [
      escalationId,
    ]);
    const firstNote = '=HYPERLINK("http://evil") vendor adds two walkthroughs';
    const first = await acknowledge(firstNote, escalationId);

    const thisWeek = await generate();
    expect(thisWeek.status).toBe(201);
    const [stored] = await t.dataSource.query(
      `SELECT raised_at, acknowledged_at FROM escalations WHERE id = $1`,
      [escalationId],
    );
    expect(thisWeek.body.escalations).toContainEqual({
      engagementId: escalated.id,
      title: escalated.title,
      vendorName: vendor.name,
      level: 'high',
      since: addDays(todayUtc(), -8),
      raisedAt: stored.raised_at.toISOString(),
      acknowledgedAt: stored.acknowledged_at.toISOString(),
    });
    expect(
      thisWeek.body.escalations.map((entry: { engagementId: string }) => entry.engagementId),
    ).not.toContain(closed.engagementId);
    const listed = thisWeek.body.acknowledgements.filter(
      (entry: { engagementId: string }) => entry.engagementId === escalated.id,
    );
    expect(listed).toEqual([
      {
        id: first,
        engagementId: escalated.id,
        title: escalated.title,
        level: 'high',
        note: firstNote,
        until: daysFromToday(14),
        acknowledgedAt: expect.any(String),
        acknowledgedBy: 'Priya (product owner)',
      },
    ]);

    const csv = await t
      .http()
      .get(`/v1/reports/${thisWeek.body.id}`)
      .set(bearer(reporterKey))
      .set('Accept', 'text/csv');
    expect(csv.status).toBe(200);
    const header = csv.text.split('\r\n')[0].split(',');
    expect(header.slice(-6)).toEqual([
      'escalationLevel',
      'escalatedSince',
      'escalationRaisedAt',
      'escalationAcknowledgedAt',
      'acknowledgements',
      'independentOperators',
    ]);
    // The escalated draft ran no drill: no independent operator.
    expect(csv.text).toContain(
      `,high,${addDays(todayUtc(), -8)},${stored.raised_at.toISOString()},${stored.acknowledged_at.toISOString()},` +
        `"${listed[0].acknowledgedAt} Priya (product owner) (high, until ${daysFromToday(14)}): ` +
        `=HYPERLINK(""http://evil"") vendor adds two walkthroughs",0\r\n`,
    );

    // Next week: one made since, and one that began before this week's report but committed
    // after it; the one this week's report listed is not repeated.
    const later = await acknowledge('Walkthroughs moved to Friday', escalationId);
    const lateCommit = await acknowledge(
      'Started before the report, committed after it',
      escalationId,
      new Date(new Date(thisWeek.body.generatedAt).getTime() - 60_000),
    );
    const now = jest
      .spyOn(t.app.get(Clock), 'now')
      .mockReturnValue(new Date(Date.now() + 7 * 86_400_000));
    try {
      const nextWeek = await generate();
      expect(nextWeek.status).toBe(201);
      expect(
        nextWeek.body.acknowledgements
          .filter((entry: { engagementId: string }) => entry.engagementId === escalated.id)
          .map((entry: { id: string }) => entry.id),
      ).toEqual([lateCommit, later]);
      expect(
        nextWeek.body.escalations.map((entry: { engagementId: string }) => entry.engagementId),
      ).toContain(escalated.id);
    } finally {
      now.mockRestore();
    }
  });

  it.each([
    ['=', '=SUM(A1:A9)'],
    ['+', '+1+cmd|calc'],
    ['-', '-2+3'],
    ['@', '@SUM(A1)'],
  ])('neutralises a leading %s in CSV cells', async (_prefix, title) => {
    const vendor = await newVendor(t, t.adminKey, { name: `${title} Vendor ${uniqueSuffix()}` });
    await newEngagement(t, t.adminKey, { title, vendorId: vendor.id });
    const created = await generate();
    const csv = await t
      .http()
      .get(`/v1/reports/${created.body.id}`)
      .query({ format: 'csv' })
      .set(bearer(reporterKey));
    expect(csv.status).toBe(200);
    const cells = csv.text.split('\r\n').flatMap((line) => line.split(','));
    expect(cells).toContain(`'${title}`);
    expect(cells).toContain(`'${vendor.name}`);
    expect(cells).not.toContain(title);
  });

  it('records the generation in the audit', async () => {
    const created = await generate();
    const events = await t
      .http()
      .get('/v1/audit-events')
      .query({ entityType: 'report', entityId: created.body.id })
      .set(bearer(t.adminKey));
    expect(events.body.items.map((event: { action: string }) => event.action)).toEqual([
      'report.generated',
    ]);
  });
});

// Two API instances on one PostgreSQL: the database, not process memory, keeps one report per week.
const describeWithExternalDatabase = externalDatabaseUrl ? describe : describe.skip;

describeWithExternalDatabase('weekly risk report across instances', () => {
  it('creates one report when two instances receive concurrent calls', async () => {
    const scratch = await createScratchDatabase(externalDatabaseUrl as string);
    const config = { ...testConfig(), databaseUrl: scratch.url };
    const instances: RunningApp[] = [];
    try {
      for (let i = 0; i < 2; i++) {
        const running = await createApp(config);
        await running.app.getHttpAdapter().getInstance().ready();
        instances.push(running);
      }
      const key = config.adminApiKey as string;
      const responses = await Promise.all(
        Array.from({ length: 10 }, (_, i) =>
          request(instances[i % 2].app.getHttpServer())
            .post('/v1/reports/weekly')
            .set(bearer(key))
            .send({}),
        ),
      );
      expect(responses.map((response) => response.status).sort()).toEqual([
        200, 200, 200, 200, 200, 200, 200, 200, 200, 201,
      ]);
      const [{ count }] = await instances[0].app
        .get(DataSource)
        .query('SELECT count(*)::int AS count FROM weekly_reports');
      expect(count).toBe(1);
    } finally {
      for (const running of instances) await running.close();
      await scratch.drop();
    }
  });
});
