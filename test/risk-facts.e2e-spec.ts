import { jest } from '@jest/globals';
import type request from 'supertest';
import { Clock } from '../src/common/clock.js';
import { todayUtc } from '../src/common/dates.js';
import { SIGNAL_CODES } from '../src/risk/assess-risk.js';
import { rebuildRisk, verifyRisk } from '../src/risk/risk-maintenance.js';
import {
  act,
  activeEngagement,
  type ArtifactBody,
  daysFromToday,
  draftEngagement,
  type EngagementBody,
  type MilestoneBody,
  newArtifact,
  newEngagement,
  newEngagementIn,
  newMilestone,
  newPerson,
  newVendor,
  type PlannedEngagement,
  uniqueSuffix,
  validSpec,
} from './factories.js';
import { bearer, createTestApp, expectProblem, type TestApp } from './test-app.js';

/**
 * Risk facts kept in the write transaction (SPEC §5): every kind of write, sequential and
 * concurrent, leaves `verifyRisk` with nothing to report; and what is built on the stored
 * facts and timelines (forecast, history, summary, risk-sorted lists) through the API.
 */

const UNKNOWN_ID = '00000000-0000-4000-8000-000000000000';
const NIL_UUID = '00000000-0000-0000-0000-000000000000';
const REASON = 'Vendor lost two engineers; agreed in the steering meeting';

type Level = 'none' | 'low' | 'medium' | 'high' | 'critical';

interface RiskSignalBody {
  code: string;
  severity: Exclude<Level, 'none'>;
  message: string;
  data: Record<string, unknown>;
}

interface ForecastBody {
  on: string;
  level: Level;
  score: number;
  raised: string[];
  cleared: string[];
}

interface RiskBody {
  engagementId: string;
  asOf: string;
  level: Level;
  score: number;
  dependencyTrap: boolean;
  signals: RiskSignalBody[];
  forecast: ForecastBody[];
}

interface HistoryBody {
  at: string;
  on: string;
  from: { level: Level; score: number };
  to: { level: Level; score: number };
  raised: string[];
  cleared: string[];
  cause: 'change' | 'time';
  eventId: string | null;
}

type ListedEngagement = EngagementBody & {
  risk: { level: Level; score: number; dependencyTrap: boolean };
};

interface SummaryBody {
  asOf: string;
  totals: { engagements: number; byLevel: Record<Level, number>; dependencyTrap: number };
  flagged: { engagementId: string; level: Level; score: number; signals: RiskSignalBody[] }[];
  flaggedTotal: number;
  bySignal: Record<string, number>;
}

const cursorOf = (position: unknown): string =>
  Buffer.from(JSON.stringify(position), 'utf8').toString('base64url');

/** A request answered 400 as problem+json, naming `field` among its errors. */
function expectBadField(response: request.Response, field: string): void {
  const body = expectProblem(response, 400);
  expect(body.errors?.map((error) => error.field)).toContain(field);
}

/** How a request that must be refused as `400` naming `field` was answered, for a diff. */
function refusal(response: request.Response, field: string) {
  const body = response.body as { type?: string; errors?: { field?: string }[] };
  return {
    status: response.status,
    problem: String(response.headers['content-type']).startsWith('application/problem+json'),
    names: (body.errors ?? []).some((error) => error.field === field),
    type: body.type,
  };
}

const refused = (type = 'urn:handover:problem:validation') => ({
  status: 400,
  problem: true,
  names: true,
  type,
});

function expectStatus(response: request.Response, status: number, what: string): void {
  if (response.status !== status) {
    throw new Error(`${what} answered ${response.status}: ${JSON.stringify(response.body)}`);
  }
}

/** Helpers bound to one test app. */
function helpersFor(app: () => TestApp) {
  const base = (id: string) => `/v1/engagements/${id}`;
  const get = (path: string, query: Record<string, unknown> = {}) =>
    app().http().get(path).query(query).set(bearer(app().adminKey));

  async function patch<T>(path: string, body: object): Promise<T> {
    const response = await app().http().patch(path).set(bearer(app().adminKey)).send(body);
    expectStatus(response, 200, `PATCH ${path}`);
    return response.body as T;
  }

  const patchEngagement = (id: string, body: object) => patch<EngagementBody>(base(id), body);
  const patchMilestone = (id: string, milestoneId: string, body: object) =>
    patch<MilestoneBody>(`${base(id)}/milestones/${milestoneId}`, body);
  /** A due date change after activation, with the reason the ledger needs. */
  const moveDue = (id: string, milestoneId: string, dueDate: string) =>
    patchMilestone(id, milestoneId, { dueDate, reason: REASON });
  const patchArtifact = (id: string, artifactId: string, body: object) =>
    patch<ArtifactBody>(`${base(id)}/artifacts/${artifactId}`, body);
  const deliver = (id: string, artifactId: string) =>
    act<ArtifactBody>(app(), `${base(id)}/artifacts/${artifactId}/deliver`, {
      evidenceUrl: 'https://wiki.example.com/runbook',
    });
  const accept = (engagement: { id: string; productOwnerId: string }, artifactId: string) =>
    act<ArtifactBody>(app(), `${base(engagement.id)}/artifacts/${artifactId}/accept`, {
      acceptedById: engagement.productOwnerId,
    });
  const reject = (id: string, artifactId: string) =>
    act<ArtifactBody>(app(), `${base(id)}/artifacts/${artifactId}/reject`, {
      reason: 'The runbook does not cover the restore procedure',
    });

  async function riskOf(id: string, asOf?: string): Promise<RiskBody> {
    const response = await get(`${base(id)}/risk`, asOf === undefined ? {} : { asOf });
    expectStatus(response, 200, 'GET risk');
    return response.body as RiskBody;
  }

  /** Every item of a list, following `nextCursor` to the end. */
  async function pageThrough<T>(
    path: string,
    query: Record<string, unknown>,
  ): Promise<{ items: T[]; pages: number }> {
    const items: T[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const response = await get(path, cursor ? { ...query, cursor } : query);
      expectStatus(response, 200, `GET ${path}`);
      items.push(...(response.body.items as T[]));
      cursor = response.body.nextCursor as string | null;
      pages++;
      if (pages > 1000) throw new Error(`${path} never reaches its last page`);
    } while (cursor);
    return { items, pages };
  }

  /** verifyRisk finds nothing and checked every engagement; `step` names what came before. */
  async function expectRiskConsistent(step: string): Promise<void> {
    const [{ count }]: { count: number }[] = await app().dataSource.query(
      'SELECT count(*)::int AS count FROM engagements',
    );
    const result = await verifyRisk(app().dataSource, app().config.risk);
    expect({ step, ...result }).toEqual({ step, checked: count, mismatches: [] });
  }

  return {
    base,
    get,
    patchEngagement,
    patchMilestone,
    moveDue,
    patchArtifact,
    deliver,
    accept,
    reject,
    riskOf,
    pageThrough,
    expectRiskConsistent,
  };
}

describe('risk facts kept in the write transaction', () => {
  let t: TestApp;
  const h = helpersFor(() => t);

  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  describe('verifyRisk after writes through the API', () => {
    it('finds no mismatch after each write of every kind, from creation to completion and cancellation', async () => {
      const owner = await newPerson(t);
      const [first, second, third] = [await newPerson(t), await newPerson(t), await newPerson(t)];
      const vendor = await newVendor(t);

      const createdResponse = await t
        .http()
        .post('/v1/engagements')
        .set(bearer(t.adminKey))
        .send({
          title: `Facts ${uniqueSuffix()}`,
          vendorId: vendor.id,
          productOwnerId: owner.id,
          spec: validSpec(owner.id),
          knowledgeRecipientIds: [first.id],
          contractEndDate: daysFromToday(120),
          noticePeriodDays: 30,
        });
      expectStatus(createdResponse, 201, 'POST engagement');
      const engagement = createdResponse.body as EngagementBody;
      const id = engagement.id;
      await h.expectRiskConsistent('create an engagement with a recipient and contract dates');

      await h.patchEngagement(id, { knowledgeRecipientIds: [first.id, second.id, third.id] });
      await h.expectRiskConsistent('patch the recipients');
      await h.patchEngagement(id, { contractEndDate: daysFromToday(100), noticePeriodDays: 10 });
      await h.expectRiskConsistent('patch the contract dates');
      await h.patchEngagement(id, { knowledgeRecipientIds: [first.id, second.id] });
      await h.expectRiskConsistent('remove a recipient');

      const interim = await newMilestone(t, t.adminKey, id, { dueDate: daysFromToday(20) });
      await h.expectRiskConsistent('create a delivery milestone');
      const final = await newMilestone(t, t.adminKey, id, { dueDate: daysFromToday(60) });
      await h.patchMilestone(id, final.id, { kind: 'final_handover', name: 'Final handover' });
      await h.expectRiskConsistent('turn a milestone into the final handover');
      await h.patchMilestone(id, final.id, { dueDate: daysFromToday(70) });
      await h.expectRiskConsistent('re-plan the final handover of a draft');

      const onFinal = await newArtifact(t, t.adminKey, id, final.id);
      const onInterim = await newArtifact(t, t.adminKey, id, interim.id);
      const moved = await newArtifact(t, t.adminKey, id, interim.id);
      await h.expectRiskConsistent('create artifacts');
      await h.patchArtifact(id, moved.id, { milestoneId: final.id });
      await h.expectRiskConsistent('move an artifact to another milestone');

      await act(t, `${h.base(id)}/activate`);
      await h.expectRiskConsistent('activate');

      const late = await newMilestone(t, t.adminKey, id, { dueDate: daysFromToday(40) });
      await h.expectRiskConsistent('create a milestone after activation');
      await h.moveDue(id, final.id, daysFromToday(80));
      await h.expectRiskConsistent('slip the final handover');
      await h.moveDue(id, final.id, daysFromToday(75));
      await h.expectRiskConsistent('pull the final handover in');
      await h.moveDue(id, interim.id, daysFromToday(-3));
      await h.expectRiskConsistent('pull a delivery milestone into the past');
      const [stored] = await t.dataSource.query(
        'SELECT final_due_date, final_baseline_due_date, final_slip_count FROM engagement_risk_facts WHERE engagement_id = $1',
        [id],
      );
      expect(stored).toEqual({
        final_due_date: daysFromToday(75),
        final_baseline_due_date: daysFromToday(70),
        final_slip_count: 1,
      });

      await h.deliver(id, onInterim.id);
      await h.expectRiskConsistent('deliver an artifact');
      await h.reject(id, onInterim.id);
      await h.expectRiskConsistent('reject an artifact');
      await h.deliver(id, onInterim.id);
      await h.accept(engagement, onInterim.id);
      await h.expectRiskConsistent('deliver again and accept an artifact');
      await h.patchArtifact(id, onFinal.id, { title: 'Runbook, second edition' });
      await h.expectRiskConsistent('patch an artifact without changing a fact');

      await act(t, `${h.base(id)}/milestones/${interim.id}/complete`);
      await h.expectRiskConsistent('complete a delivery milestone');
      await act(t, `${h.base(id)}/milestones/${late.id}/complete`);
      for (const artifact of [onFinal, moved]) {
        await h.deliver(id, artifact.id);
        await h.accept(engagement, artifact.id);
      }
      await act(t, `${h.base(id)}/milestones/${final.id}/complete`);
      await h.expectRiskConsistent('accept every artifact and complete the final handover');
      const completed = await act<EngagementBody>(t, `${h.base(id)}/complete`);
      expect(completed.status).toBe('completed');
      await h.expectRiskConsistent('complete the engagement');

      const draft = await draftEngagement(t);
      await act(t, `${h.base(draft.engagement.id)}/cancel`, { reason: 'Budget withdrawn' });
      await h.expectRiskConsistent('cancel a draft');
      const active = await activeEngagement(t, { finalDueIn: 10 });
      await act(t, `${h.base(active.engagement.id)}/cancel`, { reason: 'Vendor insolvent' });
      await h.expectRiskConsistent('cancel an active engagement');

      const statuses: { status: string }[] = await t.dataSource.query(
        'SELECT status::text FROM engagement_risk_facts WHERE engagement_id = ANY($1::uuid[])',
        [[id, draft.engagement.id, active.engagement.id]],
      );
      expect(statuses.map((row) => row.status).sort()).toEqual([
        'cancelled',
        'cancelled',
        'completed',
      ]);
    });

    it('finds no mismatch after concurrent writes on the same and on different engagements', async () => {
      const built: { planned: PlannedEngagement; milestones: MilestoneBody[] }[] = [];
      for (let i = 0; i < 4; i++) {
        const planned = await draftEngagement(t, { artifacts: i === 0 ? 5 : 2 });
        const milestones = [planned.finalHandover];
        for (let m = 0; m < (i === 0 ? 4 : 1); m++) {
          milestones.push(
            await newMilestone(t, t.adminKey, planned.engagement.id, {
              dueDate: daysFromToday(10 + m),
            }),
          );
        }
        await act(t, `${h.base(planned.engagement.id)}/activate`);
        for (const artifact of planned.artifacts) {
          await h.deliver(planned.engagement.id, artifact.id);
        }
        built.push({ planned, milestones });
      }
      const [busy, ...others] = built;
      const busyId = busy.planned.engagement.id;
      const extraRecipient = await newPerson(t);

      const writes: Promise<unknown>[] = [];
      // Ten date changes on one engagement, two on each of its milestones, slips and pull-ins.
      for (let i = 0; i < 10; i++) {
        const milestone = busy.milestones[i % busy.milestones.length];
        writes.push(h.moveDue(busyId, milestone.id, daysFromToday(i % 2 === 0 ? 90 + i : -i)));
      }
      for (const artifact of busy.planned.artifacts) {
        writes.push(h.accept(busy.planned.engagement, artifact.id));
      }
      writes.push(
        h.patchEngagement(busyId, {
          knowledgeRecipientIds: [
            ...busy.planned.engagement.knowledgeRecipientIds,
            extraRecipient.id,
          ],
        }),
      );
      writes.push(newArtifact(t, t.adminKey, busyId, busy.milestones[1].id));
      for (const { planned, milestones } of others) {
        const id = planned.engagement.id;
        writes.push(h.moveDue(id, milestones[0].id, daysFromToday(100)));
        writes.push(h.moveDue(id, milestones[1].id, daysFromToday(-5)));
        writes.push(h.accept(planned.engagement, planned.artifacts[0].id));
        writes.push(h.reject(id, planned.artifacts[1].id));
        writes.push(h.patchEngagement(id, { contractEndDate: daysFromToday(50) }));
      }
      for (let i = 0; i < 3; i++) writes.push(draftEngagement(t, { artifacts: 1 }));
      await Promise.all(writes);
      await h.expectRiskConsistent('concurrent writes');

      const [facts] = await t.dataSource.query(
        'SELECT accepted_count, artifact_count, recipient_count, final_slip_count FROM engagement_risk_facts WHERE engagement_id = $1',
        [busyId],
      );
      const [{ slips }] = await t.dataSource.query(
        `SELECT count(*)::int AS slips FROM milestone_date_changes
          WHERE milestone_id = $1 AND to_date > from_date`,
        [busy.planned.finalHandover.id],
      );
      expect(facts).toEqual({
        accepted_count: 5,
        artifact_count: 6,
        recipient_count: 3,
        final_slip_count: slips,
      });
      expect(slips).toBeGreaterThanOrEqual(1);
    });

    it('reports a stored fact that differs from the source tables as a facts mismatch of exactly that engagement', async () => {
      const { engagement } = await activeEngagement(t);
      try {
        // 2 recipients stored as 5: the judgement is the same, only the fact is wrong.
        await t.dataSource.query(
          'UPDATE engagement_risk_facts SET recipient_count = 5 WHERE engagement_id = $1',
          [engagement.id],
        );
        const { mismatches } = await verifyRisk(t.dataSource, t.config.risk);
        expect(mismatches).toEqual([
          {
            engagementId: engagement.id,
            part: 'facts',
            expected: expect.objectContaining({ recipient_count: 2 }),
            stored: expect.objectContaining({ recipient_count: 5 }),
          },
        ]);
      } finally {
        await rebuildRisk(t.dataSource, t.config.risk);
      }
      await h.expectRiskConsistent('rebuild after a corrupted fact');
    });

    it('reports a missing facts row as a facts mismatch of that engagement', async () => {
      const { engagement } = await activeEngagement(t);
      try {
        await t.dataSource.query('DELETE FROM engagement_risk_facts WHERE engagement_id = $1', [
          engagement.id,
        ]);
        const { mismatches } = await verifyRisk(t.dataSource, t.config.risk);
        expect(mismatches).toEqual([
          {
            engagementId: engagement.id,
            part: 'facts',
            expected: expect.objectContaining({ engagement_id: engagement.id }),
            stored: null,
          },
        ]);
      } finally {
        await rebuildRisk(t.dataSource, t.config.risk);
      }
      await h.expectRiskConsistent('rebuild after a deleted facts row');
    });

    it('reports a stored timeline row that differs from the stored facts as a timeline mismatch of exactly that engagement', async () => {
      const { engagement } = await activeEngagement(t, { finalDueIn: 20 });
      try {
        await t.dataSource.query(
          `UPDATE risk_timeline SET score = score + 1
            WHERE engagement_id = $1
              AND valid_from = (SELECT max(valid_from) FROM risk_timeline WHERE engagement_id = $1)`,
          [engagement.id],
        );
        const { mismatches } = await verifyRisk(t.dataSource, t.config.risk);
        expect(mismatches).toEqual([
          {
            engagementId: engagement.id,
            part: 'timeline',
            expected: expect.any(Array),
            stored: expect.any(Array),
          },
        ]);
        const [mismatch] = mismatches as { expected: { score: number }[]; stored: unknown[] }[];
        expect(mismatch.stored).toHaveLength(mismatch.expected.length);
        expect(mismatch.stored).not.toEqual(mismatch.expected);
      } finally {
        await rebuildRisk(t.dataSource, t.config.risk);
      }
      await h.expectRiskConsistent('rebuild after a corrupted timeline');
    });

    it('rebuildRisk repairs corrupted facts and timelines of several engagements at once', async () => {
      const one = await activeEngagement(t);
      const two = await activeEngagement(t, { finalDueIn: 5 });
      await t.dataSource.query(
        'UPDATE engagement_risk_facts SET artifact_count = artifact_count + 3 WHERE engagement_id = $1',
        [one.engagement.id],
      );
      await t.dataSource.query('DELETE FROM risk_timeline WHERE engagement_id = $1', [
        two.engagement.id,
      ]);
      const before = await verifyRisk(t.dataSource, t.config.risk);
      expect(
        before.mismatches.map((mismatch) => [mismatch.engagementId, mismatch.part]).sort(),
      ).toEqual(
        [
          [one.engagement.id, 'facts'],
          [two.engagement.id, 'timeline'],
        ].sort(),
      );
      const [{ count }]: { count: number }[] = await t.dataSource.query(
        'SELECT count(*)::int AS count FROM engagements',
      );
      expect(await rebuildRisk(t.dataSource, t.config.risk)).toBe(count);
      await h.expectRiskConsistent('rebuild');
      // The lists read the timelines: the rebuilt one is found again.
      const { items } = await h.pageThrough<ListedEngagement>('/v1/engagements', {
        minRiskLevel: 'high',
        limit: 200,
      });
      expect(items.map((item) => item.id)).toContain(two.engagement.id);
    });
  });

  describe('forecast', () => {
    /** The SPEC §5 example: two recipients, one artifact due with the handover, no drill passed. */
    async function specExample(): Promise<string> {
      const clock = t.app.get(Clock);
      const now = jest.spyOn(clock, 'now').mockReturnValue(new Date('2026-11-01T09:00:00.000Z'));
      try {
        const recipients = [(await newPerson(t)).id, (await newPerson(t)).id];
        const engagement = await newEngagement(t, t.adminKey, {
          knowledgeRecipientIds: recipients,
        });
        const final = await newMilestone(t, t.adminKey, engagement.id, {
          name: 'Final handover',
          kind: 'final_handover',
          dueDate: '2026-12-15',
        });
        await newArtifact(t, t.adminKey, engagement.id, final.id);
        await act(t, `${h.base(engagement.id)}/activate`);
        return engagement.id;
      } finally {
        now.mockRestore();
      }
    }

    const KT_WINDOW_OPENS: ForecastBody = {
      on: '2026-11-15',
      level: 'high',
      score: 60,
      raised: ['KT_BEHIND_SCHEDULE', 'CAPABILITY_UNPROVEN'],
      cleared: [],
    };
    // HANDOVER_OVERDUE, ARTIFACTS_OVERDUE and CAPABILITY_UNPROVEN: 50 + 30 + 30, capped.
    const OVERDUE: ForecastBody = {
      on: '2026-12-16',
      level: 'critical',
      score: 100,
      raised: ['HANDOVER_OVERDUE', 'ARTIFACTS_OVERDUE'],
      cleared: ['KT_BEHIND_SCHEDULE'],
    };

    it('gives the SPEC example with the clock at 2026-11-01: KT behind schedule and capability unproven on 11-15, overdue on 12-16', async () => {
      const id = await specExample();
      const clock = t.app.get(Clock);
      const now = jest.spyOn(clock, 'now').mockReturnValue(new Date('2026-11-01T15:00:00.000Z'));
      try {
        const risk = await h.riskOf(id);
        expect(risk).toEqual({
          engagementId: id,
          asOf: '2026-11-01',
          level: 'none',
          score: 0,
          dependencyTrap: false,
          signals: [],
          forecast: [KT_WINDOW_OPENS, OVERDUE],
        });
      } finally {
        now.mockRestore();
      }
    });

    it('starts the forecast at asOf: the days up to and including asOf are not in it', async () => {
      const id = await specExample();
      expect((await h.riskOf(id, '2026-11-01')).forecast).toEqual([KT_WINDOW_OPENS, OVERDUE]);
      expect((await h.riskOf(id, '2026-11-14')).forecast).toEqual([KT_WINDOW_OPENS, OVERDUE]);
      const inWindow = await h.riskOf(id, '2026-11-15');
      expect(inWindow).toMatchObject({ asOf: '2026-11-15', level: 'high', score: 60 });
      expect(inWindow.forecast).toEqual([OVERDUE]);
      expect((await h.riskOf(id, '2026-12-15')).forecast).toEqual([OVERDUE]);
      const overdue = await h.riskOf(id, '2026-12-16');
      expect(overdue).toMatchObject({ level: 'critical', score: 100 });
      expect(overdue.forecast).toEqual([]);
    });

    it('looks RISK_FORECAST_DAYS (90) ahead: a change on day 90 is in it, one on day 91 is not', async () => {
      const id = await specExample();
      // 2026-08-17 + 90 days = 2026-11-15; 2026-08-16 + 90 days = 2026-11-14.
      expect((await h.riskOf(id, '2026-08-17')).forecast).toEqual([KT_WINDOW_OPENS]);
      expect((await h.riskOf(id, '2026-08-16')).forecast).toEqual([]);
    });

    it('is [] for completed and cancelled engagements', async () => {
      const completed = await newEngagementIn(t, 'completed');
      const cancelled = await newEngagementIn(t, 'cancelled');
      for (const { engagementId } of [completed, cancelled]) {
        const risk = await h.riskOf(engagementId);
        expect(risk).toMatchObject({ level: 'none', score: 0, signals: [], forecast: [] });
        expect((await h.riskOf(engagementId, '1900-01-01')).forecast).toEqual([]);
      }
    });
  });

  describe('history', () => {
    const historyOf = (id: string, query: Record<string, unknown> = {}) =>
      h.get(`${h.base(id)}/risk/history`, query);
    const AT = expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    const EVENT_ID = expect.stringMatching(/^[0-9a-f-]{36}$/);
    /** What creating the first artifact of a draft that has its final handover records. */
    const FIRST_ARTIFACT_ENTRY = {
      at: AT,
      on: todayUtc(),
      from: { level: 'high', score: 30 },
      to: { level: 'none', score: 0 },
      raised: [],
      cleared: ['NO_KT_ARTIFACTS'],
      cause: 'change',
      eventId: EVENT_ID,
    };

    it('records each write that moves the level, newest first, and none for a write that does not', async () => {
      const planned = await activeEngagement(t);
      const id = planned.engagement.id;
      const [kept] = planned.engagement.knowledgeRecipientIds;
      const initial = await historyOf(id);
      expectStatus(initial, 200, 'GET history');
      // The draft's first artifact cleared its last structural signal.
      expect(initial.body).toEqual({ items: [FIRST_ARTIFACT_ENTRY], nextCursor: null });

      await h.patchEngagement(id, { knowledgeRecipientIds: [kept] });
      await h.patchEngagement(id, { title: `Renamed ${uniqueSuffix()}` });
      // Adds a low signal: the score moves (15 → 20), the level stays medium.
      await h.deliver(id, planned.artifacts[0].id);
      await h.reject(id, planned.artifacts[0].id);
      expect(await h.riskOf(id)).toMatchObject({ level: 'medium', score: 20 });
      await h.patchEngagement(id, {
        knowledgeRecipientIds: planned.engagement.knowledgeRecipientIds,
      });

      const response = await historyOf(id);
      expectStatus(response, 200, 'GET history');
      const items = response.body.items as HistoryBody[];
      expect(items).toEqual([
        {
          at: AT,
          on: todayUtc(),
          from: { level: 'medium', score: 20 },
          to: { level: 'low', score: 5 },
          raised: [],
          cleared: ['BUS_FACTOR_ONE'],
          cause: 'change',
          eventId: EVENT_ID,
        },
        {
          at: AT,
          on: todayUtc(),
          from: { level: 'none', score: 0 },
          to: { level: 'medium', score: 15 },
          raised: ['BUS_FACTOR_ONE'],
          cleared: [],
          cause: 'change',
          eventId: EVENT_ID,
        },
        FIRST_ARTIFACT_ENTRY,
      ]);
      expect(response.body.nextCursor).toBeNull();
      expect(Date.parse(items[0].at)).toBeGreaterThanOrEqual(Date.parse(items[1].at));
      // Each entry names its risk.level_changed event in the feed, which tells the same change.
      const feed = await h.get('/v1/events', { engagementId: id, type: 'risk.level_changed' });
      expectStatus(feed, 200, 'GET events');
      const events = new Map(
        (feed.body.items as { id: string; data: Record<string, unknown> }[]).map((event) => [
          event.id,
          event.data,
        ]),
      );
      expect(items.map((item) => events.get(item.eventId as string))).toEqual(
        items.map(({ from, to, raised, cleared }) => ({
          from,
          to,
          raised,
          cleared,
          cause: 'change',
        })),
      );
    });

    it("dates an entry on the clock's day and judges before and after the write as of that day", async () => {
      const planned = await activeEngagement(t, { finalDueIn: 100 });
      const id = planned.engagement.id;
      const clock = t.app.get(Clock);
      const now = jest.spyOn(clock, 'now').mockReturnValue(new Date(Date.now() + 40 * 86_400_000));
      try {
        // 40 days on, the handover is 60 days away: one recipient less moves none to medium.
        await h.patchEngagement(id, {
          knowledgeRecipientIds: planned.engagement.knowledgeRecipientIds.slice(0, 1),
        });
      } finally {
        now.mockRestore();
      }
      const response = await historyOf(id);
      expectStatus(response, 200, 'GET history');
      expect(response.body.items[0]).toEqual({
        at: AT,
        on: daysFromToday(40),
        from: { level: 'none', score: 0 },
        to: { level: 'medium', score: 15 },
        raised: ['BUS_FACTOR_ONE'],
        cleared: [],
        cause: 'change',
        eventId: EVENT_ID,
      });
      // The 'at' is when it was recorded: the real time, not the clock's day.
      expect(Math.abs(Date.parse(response.body.items[0].at) - Date.now())).toBeLessThan(60_000);
    });

    it('pages with limit=1 and nextCursor, newest first, to the last entry', async () => {
      const planned = await activeEngagement(t);
      const id = planned.engagement.id;
      const [kept] = planned.engagement.knowledgeRecipientIds;
      const all = planned.engagement.knowledgeRecipientIds;
      for (let i = 0; i < 3; i++) {
        await h.patchEngagement(id, { knowledgeRecipientIds: [kept] });
        await h.patchEngagement(id, { knowledgeRecipientIds: all });
      }
      const full = await historyOf(id);
      expect(full.body.items).toHaveLength(7);
      const paged: HistoryBody[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const response = await historyOf(id, cursor ? { limit: 1, cursor } : { limit: 1 });
        expectStatus(response, 200, 'GET history page');
        expect(response.body.items).toHaveLength(1);
        paged.push(...(response.body.items as HistoryBody[]));
        cursor = response.body.nextCursor as string | null;
        pages++;
      } while (cursor && pages < 20);
      expect(pages).toBe(7);
      expect(paged).toEqual(full.body.items);
      expect(paged.map((entry) => entry.to.level)).toEqual([
        'none',
        'medium',
        'none',
        'medium',
        'none',
        'medium',
        'none',
      ]);
      const times = paged.map((entry) => Date.parse(entry.at));
      expect(times).toEqual([...times].sort((a, b) => b - a));
    });

    it('answers 404 for an engagement that does not exist', async () => {
      expectProblem(await historyOf(UNKNOWN_ID), 404);
    });

    it('answers 400 naming cursor for a forged cursor, and 400 naming limit for a bad limit', async () => {
      const { engagement } = await activeEngagement(t);
      const positions = [
        ['x', 'y'],
        ['2026-01-01T00:00:00.000Z', 'not-a-uuid'],
        ['2026', NIL_UUID],
        [1, NIL_UUID],
      ];
      const outcomes = [];
      for (const position of positions) {
        const response = await historyOf(engagement.id, { cursor: cursorOf(position) });
        outcomes.push({ position, ...refusal(response, 'cursor') });
      }
      expect(outcomes).toEqual(positions.map((position) => ({ position, ...refused() })));
      for (const limit of ['0', '201', 'abc']) {
        expectBadField(await historyOf(engagement.id, { limit }), 'limit');
      }
    });
  });

  describe('bad asOf', () => {
    let id: string;

    beforeAll(async () => {
      id = (await activeEngagement(t)).engagement.id;
    });

    it.each(['1899-12-31', '2200-01-01', '2026-02-30', 'tomorrow', '2026-1-1'])(
      'answers 400 naming asOf for asOf=%p on /risk and on /risk/summary',
      async (asOf) => {
        expectBadField(await h.get(`${h.base(id)}/risk`, { asOf }), 'asOf');
        expectBadField(await h.get('/v1/risk/summary', { asOf }), 'asOf');
      },
    );

    it.each(['1900-01-01', '2199-12-31'])(
      'answers 200 for the boundary asOf=%p on /risk and on /risk/summary',
      async (asOf) => {
        const risk = await h.get(`${h.base(id)}/risk`, { asOf });
        expectStatus(risk, 200, 'GET risk');
        expect(risk.body.asOf).toBe(asOf);
        const summary = await h.get('/v1/risk/summary', { asOf });
        expectStatus(summary, 200, 'GET summary');
        expect(summary.body.asOf).toBe(asOf);
      },
    );
  });

  it('still finds no mismatch after every write of this suite', async () => {
    await h.expectRiskConsistent('the whole suite');
  });
});

describe('risk summary and risk-ordered lists on a known portfolio', () => {
  let t: TestApp;
  const h = helpersFor(() => t);
  /** The portfolio by letter, in creation order, with the score each has today. */
  const portfolio: { name: string; engagement: EngagementBody; score: number; level: Level }[] = [];
  const idOf = (name: string) =>
    (portfolio.find((entry) => entry.name === name) as (typeof portfolio)[number]).engagement.id;

  beforeAll(async () => {
    t = await createTestApp();
    const add = (name: string, engagement: EngagementBody, level: Level, score: number) =>
      portfolio.push({ name, engagement, level, score });
    const activated = async (planned: PlannedEngagement) =>
      act<EngagementBody>(t, `${h.base(planned.engagement.id)}/activate`);

    // A: in order.
    add('A', (await activeEngagement(t)).engagement, 'none', 0);
    // B: handover in 5 days, nothing accepted, no drill passed: KT_BEHIND_SCHEDULE and
    // CAPABILITY_UNPROVEN (high).
    add('B', (await activeEngagement(t, { finalDueIn: 5 })).engagement, 'high', 60);
    // C: one recipient: BUS_FACTOR_ONE (medium).
    add('C', (await activeEngagement(t, { recipients: 1 })).engagement, 'medium', 15);
    // D: an empty draft: NO_KT_ARTIFACTS, BUS_FACTOR_ONE (high), NO_FINAL_HANDOVER.
    add('D', await newEngagement(t), 'high', 90);
    // E: slipped 40 days, one artifact rejected: HANDOVER_SLIPPED (high), ARTIFACTS_REJECTED.
    const e = await activeEngagement(t, { finalDueIn: 20, artifacts: 2 });
    await h.moveDue(e.engagement.id, e.finalHandover.id, daysFromToday(60));
    await h.deliver(e.engagement.id, e.artifacts[1].id);
    await h.reject(e.engagement.id, e.artifacts[1].id);
    add('E', e.engagement, 'high', 35);
    // F: a draft whose handover is after contract end: HANDOVER_AFTER_EXIT_DEADLINE.
    const f = await draftEngagement(t, { fields: { contractEndDate: daysFromToday(50) } });
    add('F', f.engagement, 'high', 30);
    // G: one artifact rejected: ARTIFACTS_REJECTED (low).
    const g = await activeEngagement(t);
    await h.deliver(g.engagement.id, g.artifacts[0].id);
    await h.reject(g.engagement.id, g.artifacts[0].id);
    add('G', g.engagement, 'low', 5);
    // H: overdue, with an overdue milestone, one recipient and no drill passed: capped at 100.
    const hPlanned = await draftEngagement(t, { recipients: 1, finalDueIn: -5 });
    await newMilestone(t, t.adminKey, hPlanned.engagement.id, { dueDate: daysFromToday(-10) });
    add('H', await activated(hPlanned), 'critical', 100);
    // I, J: closed, no risk and not in the summary.
    add('I', (await newEngagementIn(t, 'completed')).engagement, 'none', 0);
    add('J', (await newEngagementIn(t, 'cancelled')).engagement, 'none', 0);
  }, 120_000);
  afterAll(() => t.close());

  const OPEN = ['A', 'B', 'C', 'D', 'E', 'F', 'G', 'H'];
  const TRAPS = ['B', 'D', 'E', 'F', 'H'];

  it('judges each engagement of the portfolio as planned', async () => {
    for (const { name, engagement, level, score } of portfolio) {
      const risk = await h.riskOf(engagement.id);
      expect({ name, level: risk.level, score: risk.score }).toEqual({ name, level, score });
    }
  });

  describe('GET /v1/risk/summary', () => {
    const summary = async (query: Record<string, unknown> = {}): Promise<SummaryBody> => {
      const response = await h.get('/v1/risk/summary', query);
      expectStatus(response, 200, 'GET summary');
      return response.body as SummaryBody;
    };

    it('counts the open engagements by level and by signal, every signal code a key, zeros included', async () => {
      const body = await summary();
      expect(body.totals).toEqual({
        engagements: 8,
        byLevel: { none: 1, low: 1, medium: 1, high: 4, critical: 1 },
        dependencyTrap: 5,
      });
      expect(Object.keys(body.bySignal).sort()).toEqual([...SIGNAL_CODES].sort());
      expect(body.bySignal).toEqual({
        HANDOVER_SLIPPED: 1,
        HANDOVER_OVERDUE: 1,
        MILESTONE_OVERDUE: 1,
        ARTIFACTS_OVERDUE: 1,
        KT_BEHIND_SCHEDULE: 1,
        NO_KT_ARTIFACTS: 1,
        BUS_FACTOR_ONE: 3,
        NO_FINAL_HANDOVER: 1,
        ARTIFACTS_REJECTED: 2,
        HANDOVER_AFTER_EXIT_DEADLINE: 1,
        CAPABILITY_UNPROVEN: 2,
        EXIT_PLAN_MISSING: 0,
        EXIT_PLAN_UNTESTED: 0,
        RECIPIENT_NOT_UPSKILLED: 0,
      });
      // The same counts from each open engagement's own judgement.
      const counted = Object.fromEntries(SIGNAL_CODES.map((code) => [code, 0]));
      for (const name of OPEN) {
        for (const signal of (await h.riskOf(idOf(name))).signals) counted[signal.code]++;
      }
      expect(body.bySignal).toEqual(counted);
    });

    it('lists every dependency trap by default, highest score first, each as its risk judges it', async () => {
      const body = await summary();
      expect(body.flaggedTotal).toBe(5);
      expect(body.flagged.map((entry) => entry.engagementId).sort()).toEqual(
        TRAPS.map(idOf).sort(),
      );
      const scores = body.flagged.map((entry) => entry.score);
      expect(scores).toEqual([100, 90, 60, 35, 30]);
      for (const entry of body.flagged) {
        const risk = await h.riskOf(entry.engagementId);
        expect(entry).toMatchObject({
          level: risk.level,
          score: risk.score,
          signals: risk.signals,
        });
      }
    });

    it.each([1, 2, 5, 200])(
      'holds at most limit=%p flagged entries, the highest scored, and the full flaggedTotal',
      async (limit) => {
        const body = await summary({ limit });
        const full = await summary();
        expect(body.flagged.length).toBeLessThanOrEqual(limit);
        expect(body.flagged).toEqual(full.flagged.slice(0, limit));
        expect(body.flaggedTotal).toBe(5);
        expect(body.flaggedTotal).toBe(body.totals.dependencyTrap);
      },
    );

    it('has flaggedTotal equal to totals.dependencyTrap and to the items of ?dependencyTrap=true', async () => {
      const body = await summary({ limit: 1 });
      const { items, pages } = await h.pageThrough<ListedEngagement>('/v1/engagements', {
        dependencyTrap: true,
        limit: 2,
      });
      expect(pages).toBe(3);
      expect(body.flaggedTotal).toBe(body.totals.dependencyTrap);
      expect(items).toHaveLength(body.flaggedTotal);
      expect(items.map((item) => item.id).sort()).toEqual(TRAPS.map(idOf).sort());
      expect(items.every((item) => item.risk.dependencyTrap)).toBe(true);
      const sorted = await h.pageThrough<ListedEngagement>('/v1/engagements', {
        dependencyTrap: true,
        sort: '-riskScore',
        limit: 2,
      });
      expect(sorted.items.map((item) => item.risk.score)).toEqual([100, 90, 60, 35, 30]);
    });

    it.each([1, 3, 5])(
      'lists as flagged (limit=%i) exactly the first page of ?dependencyTrap=true&sort=-riskScore, in its order',
      async (limit) => {
        const body = await summary({ limit });
        const page = await h.get('/v1/engagements', {
          dependencyTrap: true,
          sort: '-riskScore',
          limit,
        });
        expect(body.flagged.map((entry) => entry.engagementId)).toEqual(
          (page.body.items as ListedEngagement[]).map((item) => item.id),
        );
      },
    );

    it.each(['0', '201', 'abc', '1.5', '-1'])(
      'answers 400 naming limit for limit=%p',
      async (limit) => {
        expectBadField(await h.get('/v1/risk/summary', { limit }), 'limit');
      },
    );
  });

  describe('risk-filtered and risk-sorted lists', () => {
    /** The expected -riskScore order: score descending, then creation time and id. */
    const byScore = () =>
      [...portfolio]
        .sort(
          (a, b) =>
            b.score - a.score ||
            a.engagement.createdAt.localeCompare(b.engagement.createdAt) ||
            a.engagement.id.localeCompare(b.engagement.id),
        )
        .map((entry) => entry.engagement.id);

    it('pages sort=-riskScore with limit=2 to the end: no duplicates, scores non-increasing, the unpaged order', async () => {
      const { items, pages } = await h.pageThrough<ListedEngagement>('/v1/engagements', {
        sort: '-riskScore',
        limit: 2,
      });
      const ids = items.map((item) => item.id);
      expect(pages).toBe(5);
      expect(new Set(ids).size).toBe(ids.length);
      const scores = items.map((item) => item.risk.score);
      scores.slice(1).forEach((score, index) => expect(score).toBeLessThanOrEqual(scores[index]));
      const unpaged = await h.get('/v1/engagements', { sort: '-riskScore', limit: 200 });
      expectStatus(unpaged, 200, 'GET engagements');
      expect(unpaged.body.nextCursor).toBeNull();
      expect(ids).toEqual(unpaged.body.items.map((item: ListedEngagement) => item.id));
      expect(ids).toEqual(byScore());
    });

    it('pages minRiskLevel=high with limit=2 to the end: no duplicates, creation order, the unpaged order', async () => {
      const { items, pages } = await h.pageThrough<ListedEngagement>('/v1/engagements', {
        minRiskLevel: 'high',
        limit: 2,
      });
      const ids = items.map((item) => item.id);
      expect(pages).toBe(3);
      expect(new Set(ids).size).toBe(ids.length);
      expect(ids).toEqual(TRAPS.map(idOf));
      expect(items.every((item) => ['high', 'critical'].includes(item.risk.level))).toBe(true);
      const unpaged = await h.get('/v1/engagements', { minRiskLevel: 'high', limit: 200 });
      expectStatus(unpaged, 200, 'GET engagements');
      expect(ids).toEqual(unpaged.body.items.map((item: ListedEngagement) => item.id));
      const critical = await h.pageThrough<ListedEngagement>('/v1/engagements', {
        minRiskLevel: 'critical',
        limit: 2,
      });
      expect(critical.items.map((item) => item.id)).toEqual([idOf('H')]);
    });

    it('answers 400 naming cursor for a forged cursor on a risk-sorted or risk-filtered list, never 500', async () => {
      const date = '2026-01-01T00:00:00.000Z';
      const forged: [Record<string, unknown>, unknown[]][] = [
        [{ sort: '-riskScore' }, [1, 'x', 'y']],
        [{ sort: '-riskScore' }, [101, date, NIL_UUID]],
        [{ sort: '-riskScore' }, [-1, date, NIL_UUID]],
        [{ sort: '-riskScore' }, [1.5, date, NIL_UUID]],
        [{ sort: '-riskScore' }, ['1', date, NIL_UUID]],
        [{ sort: '-riskScore' }, [1, date, 'not-a-uuid']],
        [{ sort: '-riskScore' }, [1, '2026', NIL_UUID]],
        [{ sort: '-riskScore' }, [date, NIL_UUID]],
        [{ minRiskLevel: 'high' }, ['not-a-date', NIL_UUID]],
        [{ minRiskLevel: 'high' }, [date, 'y']],
        [{ minRiskLevel: 'high' }, ['March 7', NIL_UUID]],
        // Shaped like a timestamp, but no day PostgreSQL knows.
        [{ minRiskLevel: 'high' }, ['2026-02-30T00:00:00.000Z', NIL_UUID]],
        [{ sort: '-riskScore' }, [1, '0000-01-01T00:00:00.000Z', NIL_UUID]],
        [{ minRiskLevel: 'high' }, [101, date, NIL_UUID]],
        [{ dependencyTrap: true }, [1, 'x', 'y']],
      ];
      const outcomes = [];
      for (const [query, position] of forged) {
        const response = await h.get('/v1/engagements', { ...query, cursor: cursorOf(position) });
        outcomes.push({ query, position, ...refusal(response, 'cursor') });
      }
      expect(outcomes).toEqual(
        forged.map(([query, position]) => ({ query, position, ...refused() })),
      );
      for (const cursor of ['!!!', 'abc', cursorOf({ k: [1] })]) {
        expectBadField(await h.get('/v1/engagements', { sort: '-riskScore', cursor }), 'cursor');
      }
    });

    it('answers 400 naming cursor for a cursor of the other sort', async () => {
      const byScoreCursor = (await h.get('/v1/engagements', { sort: '-riskScore', limit: 1 })).body
        .nextCursor as string;
      const byCreationCursor = (await h.get('/v1/engagements', { minRiskLevel: 'high', limit: 1 }))
        .body.nextCursor as string;
      expect(byScoreCursor).toEqual(expect.any(String));
      expect(byCreationCursor).toEqual(expect.any(String));
      expectBadField(
        await h.get('/v1/engagements', { minRiskLevel: 'high', cursor: byScoreCursor }),
        'cursor',
      );
      expectBadField(await h.get('/v1/engagements', { cursor: byScoreCursor }), 'cursor');
      expectBadField(
        await h.get('/v1/engagements', { sort: '-riskScore', cursor: byCreationCursor }),
        'cursor',
      );
    });
  });

  it('finds no mismatch between the stored risk and the source tables', async () => {
    await h.expectRiskConsistent('the known portfolio');
  });
});
