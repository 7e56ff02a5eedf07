import { jest } from '@jest/globals';
import type request from 'supertest';
import { Clock } from '../src/common/clock.js';
import { ClockJob } from '../src/events/clock-job.js';
import {
  act,
  activeEngagement,
  daysFromToday,
  newPerson,
  type PlannedEngagement,
  proveCapability,
} from './factories.js';
import { bearer, createTestApp, expectProblem, type TestApp } from './test-app.js';

/**
 * Escalation (SPEC §7): an engagement at high or above for ESCALATION_GRACE_DAYS (7) without
 * an acknowledgement raises one `escalation.raised`; an acknowledgement restarts the grace
 * period from its `until`; a rise above what was acknowledged re-arms it at once; a fall below
 * high resolves it. "Today" is moved by spying on `Clock.now`; days count from the real today.
 */

/**
 * A final handover due in 40 days with its artifact not accepted and no drill passed: high from
 * day 10 (KT_BEHIND_SCHEDULE, CAPABILITY_UNPROVEN), …
 */
const FINAL_DUE_IN = 40;
const HIGH_FROM = FINAL_DUE_IN - 30;
/** … critical from day 41. */
const CRITICAL_FROM = FINAL_DUE_IN + 1;
const GRACE = 7;
const NOTE = 'Vendor adds a second engineer; KT sessions re-planned weekly';

interface EscalationBody {
  id: string;
  engagementId: string;
  level: string;
  since: string;
  raisedAt: string;
  acknowledgedAt: string | null;
  resolvedAt: string | null;
}

interface EventBody {
  id: string;
  type: string;
  engagementId: string;
  vendorId: string;
  actor: { name: string; role: string };
  data: EscalationBody;
}

const noonOf = (days: number): Date => new Date(`${daysFromToday(days)}T12:00:00.000Z`);

function expectStatus(response: request.Response, status: number, what: string): void {
  if (response.status !== status) {
    throw new Error(`${what} answered ${response.status}: ${JSON.stringify(response.body)}`);
  }
}

describe('escalation', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp();
  });
  afterEach(() => jest.restoreAllMocks());
  afterAll(() => t.close());

  const base = (engagementId: string) => `/v1/engagements/${engagementId}`;

  function setToday(days: number): void {
    jest.spyOn(t.app.get(Clock), 'now').mockReturnValue(noonOf(days));
  }

  async function runAt(days: number) {
    setToday(days);
    return t.app.get(ClockJob).runOnce();
  }

  async function escalationEvents(engagementId: string): Promise<EventBody[]> {
    const response = await t
      .http()
      .get(
        `/v1/events?engagementId=${engagementId}&type=escalation.raised&type=escalation.resolved&limit=200`,
      )
      .set(bearer(t.adminKey));
    expectStatus(response, 200, 'GET /v1/events');
    return response.body.items as EventBody[];
  }

  async function escalationsOf(engagementId: string, status?: string): Promise<EscalationBody[]> {
    const response = await t
      .http()
      .get(`${base(engagementId)}/escalations${status ? `?status=${status}` : ''}`)
      .set(bearer(t.adminKey));
    expectStatus(response, 200, 'GET escalations');
    return response.body.items as EscalationBody[];
  }

  async function acknowledge(
    engagementId: string,
    body: Record<string, unknown>,
    key = t.adminKey,
  ): Promise<request.Response> {
    return t
      .http()
      .post(`${base(engagementId)}/risk/acknowledge`)
      .set(bearer(key))
      .send(body);
  }

  /** Today's engagement at risk: high from HIGH_FROM, critical from CRITICAL_FROM. */
  async function atRisk(): Promise<PlannedEngagement> {
    setToday(0);
    return activeEngagement(t, { finalDueIn: FINAL_DUE_IN });
  }

  it('raises one escalation when the grace period ends without an acknowledgement', async () => {
    const { engagement } = await atRisk();
    await runAt(HIGH_FROM + GRACE - 1);
    expect(await escalationEvents(engagement.id)).toEqual([]);

    const run = await runAt(HIGH_FROM + GRACE);
    expect(run.escalationsRaised).toBeGreaterThanOrEqual(1);
    await runAt(HIGH_FROM + GRACE);
    await runAt(HIGH_FROM + GRACE + 3);
    const events = await escalationEvents(engagement.id);
    expect(events).toHaveLength(1);
    const [raised] = events;
    expect(raised).toMatchObject({
      type: 'escalation.raised',
      engagementId: engagement.id,
      vendorId: engagement.vendorId,
      actor: { name: 'clock', role: 'system' },
      data: {
        engagementId: engagement.id,
        level: 'high',
        since: daysFromToday(HIGH_FROM),
        acknowledgedAt: null,
        resolvedAt: null,
      },
    });
    expect(await escalationsOf(engagement.id, 'open')).toEqual([raised.data]);
    const portfolio = await t
      .http()
      .get('/v1/escalations?status=open&limit=200')
      .set(bearer(t.adminKey));
    expect(portfolio.body.items.map((item: EscalationBody) => item.id)).toContain(raised.data.id);
  });

  it('acknowledges with a note, restarting the grace period from until, and escalates again after it', async () => {
    const { engagement } = await atRisk();
    await runAt(HIGH_FROM + GRACE);
    const [open] = await escalationsOf(engagement.id, 'open');

    setToday(HIGH_FROM + GRACE + 1);
    const until = daysFromToday(HIGH_FROM + GRACE + 5);
    const response = await acknowledge(engagement.id, { note: NOTE, until });
    expectStatus(response, 200, 'acknowledge');
    expect(response.body).toMatchObject({
      engagementId: engagement.id,
      level: 'high',
      acknowledgement: { level: 'high', note: NOTE, until },
      openEscalation: { id: open.id, acknowledgedAt: expect.any(String), resolvedAt: null },
      escalatesOn: daysFromToday(HIGH_FROM + GRACE + 5 + GRACE),
    });

    await runAt(HIGH_FROM + GRACE + 5 + GRACE - 1);
    expect(await escalationEvents(engagement.id)).toHaveLength(1);
    await runAt(HIGH_FROM + GRACE + 5 + GRACE);
    await runAt(HIGH_FROM + GRACE + 5 + GRACE);
    const events = await escalationEvents(engagement.id);
    expect(events.map((event) => event.type)).toEqual(['escalation.raised', 'escalation.raised']);
    expect(events[1].data).toMatchObject({ id: open.id, level: 'high', acknowledgedAt: null });

    const audit = await t
      .http()
      .get(`/v1/audit-events?entityType=engagement&entityId=${engagement.id}&limit=200`)
      .set(bearer(t.adminKey));
    const acknowledged = audit.body.items.find(
      (item: { action: string }) => item.action === 'risk.acknowledged',
    );
    expect(acknowledged.changes.acknowledgement.to).toMatchObject({
      note: NOTE,
      until,
      level: 'high',
    });
  });

  it('lets a product owner acknowledge a risk they see coming, which defers the escalation', async () => {
    const { engagement } = await atRisk();
    setToday(HIGH_FROM - 5);
    const until = daysFromToday(HIGH_FROM + 5);
    const response = await acknowledge(engagement.id, { note: NOTE, until });
    expectStatus(response, 200, 'acknowledge');
    expect(response.body).toMatchObject({ level: 'none', escalatesOn: null });
    expect(response.body).not.toHaveProperty('openEscalation');

    await runAt(HIGH_FROM + GRACE);
    expect(await escalationEvents(engagement.id)).toEqual([]);
    await runAt(HIGH_FROM + 5 + GRACE);
    expect((await escalationEvents(engagement.id)).map((event) => event.type)).toEqual([
      'escalation.raised',
    ]);
  });

  it('re-arms the grace period at once when the level rises above what was acknowledged', async () => {
    const { engagement } = await atRisk();
    setToday(HIGH_FROM + 2);
    const until = daysFromToday(HIGH_FROM + 2 + 30);
    expectStatus(await acknowledge(engagement.id, { note: NOTE, until }), 200, 'acknowledge');
    // The acknowledgement holds high off until `until` + grace, but critical comes first.
    await runAt(CRITICAL_FROM + GRACE - 1);
    expect(await escalationEvents(engagement.id)).toEqual([]);
    await runAt(CRITICAL_FROM + GRACE);
    const events = await escalationEvents(engagement.id);
    expect(events).toHaveLength(1);
    expect(events[0].data).toMatchObject({
      level: 'critical',
      since: daysFromToday(CRITICAL_FROM),
    });
  });

  it('resolves the escalation when a write brings the level below high', async () => {
    const planned = await atRisk();
    const { engagement, artifacts } = planned;
    // Two independent operators from day 0: high is KT_BEHIND_SCHEDULE's alone, which accepting
    // the artifact clears.
    await proveCapability(t, engagement, daysFromToday(0));
    await runAt(HIGH_FROM + GRACE);
    const [open] = await escalationsOf(engagement.id, 'open');
    setToday(HIGH_FROM + GRACE + 1);
    const recipient = (engagement as unknown as { productOwnerId: string }).productOwnerId;
    await act(t, `${base(engagement.id)}/artifacts/${artifacts[0].id}/deliver`, {
      evidenceUrl: 'https://wiki.example.com/runbook',
    });
    await act(t, `${base(engagement.id)}/artifacts/${artifacts[0].id}/accept`, {
      acceptedById: recipient,
    });
    const events = await escalationEvents(engagement.id);
    expect(events.map((event) => event.type)).toEqual(['escalation.raised', 'escalation.resolved']);
    expect(events[1].data).toMatchObject({ id: open.id, resolvedAt: expect.any(String) });
    expect(await escalationsOf(engagement.id, 'open')).toEqual([]);
    expect(await escalationsOf(engagement.id, 'resolved')).toHaveLength(1);
    await runAt(HIGH_FROM + GRACE + 20);
    expect(await escalationEvents(engagement.id)).toHaveLength(2);
  });

  it('resolves the escalation when the engagement is cancelled', async () => {
    const { engagement } = await atRisk();
    await runAt(HIGH_FROM + GRACE);
    setToday(HIGH_FROM + GRACE + 1);
    await act(t, `${base(engagement.id)}/cancel`, { reason: 'Budget withdrawn' });
    await runAt(HIGH_FROM + GRACE + 2);
    const events = await escalationEvents(engagement.id);
    expect(events.map((event) => event.type)).toEqual(['escalation.raised', 'escalation.resolved']);
  });

  describe('bad input and roles', () => {
    let planned: PlannedEngagement;
    beforeAll(async () => {
      planned = await activeEngagement(t, { finalDueIn: FINAL_DUE_IN });
    });

    it.each([
      ['no note', {}, 'note'],
      ['a note under 10 characters', { note: 'on it' }, 'note'],
      ['until more than 30 days ahead', { note: NOTE, until: daysFromToday(31) }, 'until'],
      ['until in the past', { note: NOTE, until: daysFromToday(-1) }, 'until'],
      ['until that is not a date', { note: NOTE, until: 'next week' }, 'until'],
    ])('refuses %s with 400 naming the field', async (_, body, field) => {
      const response = await acknowledge(planned.engagement.id, body);
      const problem = expectProblem(response, 400);
      expect(problem.errors?.map((error) => error.field)).toContain(field);
    });

    it('accepts until exactly 30 days ahead, and defaults it to 14', async () => {
      const latest = await acknowledge(planned.engagement.id, {
        note: NOTE,
        until: daysFromToday(30),
      });
      expectStatus(latest, 200, 'acknowledge');
      const defaulted = await acknowledge(planned.engagement.id, { note: NOTE });
      expect(defaulted.body.acknowledgement.until).toBe(daysFromToday(14));
    });

    it('lets the product owner of the engagement acknowledge, and no other product owner', async () => {
      const own = await t.keyFor('product_owner', planned.engagement.productOwnerId);
      expectStatus(await acknowledge(planned.engagement.id, { note: NOTE }, own), 200, 'own');
      const other = await t.keyFor('product_owner', (await newPerson(t)).id);
      expectProblem(await acknowledge(planned.engagement.id, { note: NOTE }, other), 403);
      const procurement = await t.keyFor('procurement');
      expectProblem(await acknowledge(planned.engagement.id, { note: NOTE }, procurement), 403);
    });

    it('answers 404 for an engagement that does not exist', async () => {
      const response = await acknowledge('00000000-0000-4000-8000-000000000000', { note: NOTE });
      expectProblem(response, 404);
    });
  });
});
