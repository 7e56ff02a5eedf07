import {
  act,
  auditEventsOf,
  daysFromToday,
  type MilestoneBody,
  newArtifact,
  newEngagement,
  newEngagementIn,
  newMilestone,
  readyToActivate,
} from './factories.js';
import { bearer, createTestApp, expectProblem, type TestApp } from './test-app.js';

const UNKNOWN_ID = '00000000-0000-4000-8000-000000000000';

type ProblemBody = ReturnType<typeof expectProblem>;
const fieldsOf = (problem: ProblemBody) => [
  ...new Set((problem.errors ?? []).map((error) => error.field)),
];
const codesOf = (problem: ProblemBody) => (problem.errors ?? []).map((error) => error.code);

interface DateChangeBody {
  id: string;
  fromDate: string;
  toDate: string;
  reason: string;
  slip: boolean;
  changedBy: { apiKeyId: string; name: string };
  changedAt: string;
}

describe('milestones', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  const base = (engagementId: string) => `/v1/engagements/${engagementId}/milestones`;
  const get = (path: string, query: Record<string, unknown> = {}) =>
    t.http().get(path).query(query).set(bearer(t.adminKey));
  const post = (
    path: string,
    body: object = {},
    headers: Record<string, string> = {},
    key = t.adminKey,
  ) =>
    t
      .http()
      .post(path)
      .set({ ...bearer(key), ...headers })
      .send(body);
  const patch = (
    engagementId: string,
    milestoneId: string,
    body: object,
    headers: Record<string, string> = {},
    key = t.adminKey,
  ) =>
    t
      .http()
      .patch(`${base(engagementId)}/${milestoneId}`)
      .set({ ...bearer(key), ...headers })
      .send(body);
  const readMilestone = async (engagementId: string, milestoneId: string) =>
    (await get(`${base(engagementId)}/${milestoneId}`)).body as MilestoneBody;
  const dateChanges = async (engagementId: string, milestoneId: string) => {
    const response = await get(`${base(engagementId)}/${milestoneId}/date-changes`, {
      limit: 200,
    });
    expect(response.status).toBe(200);
    return response.body.items as DateChangeBody[];
  };

  /** An API key created over HTTP, so that its id and name are known. */
  async function namedKey(name: string, role = 'procurement') {
    const response = await post('/v1/api-keys', { name, role });
    expect(response.status).toBe(201);
    return { id: response.body.id as string, secret: response.body.secret as string };
  }

  describe('creation', () => {
    it('adds a milestone to a draft: 201, ETag "1", no baseline yet', async () => {
      const engagement = await newEngagement(t);
      const response = await post(base(engagement.id), {
        name: '  Pilot in production  ',
        kind: 'delivery',
        dueDate: '2031-05-01',
      });
      expect(response.status).toBe(201);
      expect(response.headers.etag).toBe('"1"');
      expect(response.body).toMatchObject({
        id: expect.any(String),
        engagementId: engagement.id,
        name: 'Pilot in production',
        kind: 'delivery',
        dueDate: '2031-05-01',
        baselineDueDate: null,
        completedOn: null,
        version: 1,
      });
      expect(await readMilestone(engagement.id, response.body.id)).toEqual(response.body);
    });

    it('answers 400 naming every missing or invalid field at once', async () => {
      const engagement = await newEngagement(t);
      const missing = expectProblem(await post(base(engagement.id), {}), 400, 'validation');
      expect(fieldsOf(missing).sort()).toEqual(['dueDate', 'kind', 'name']);
      const invalid = expectProblem(
        await post(base(engagement.id), { name: 'M1', kind: 'go_live', dueDate: '2031-02-30' }),
        400,
        'validation',
      );
      expect(fieldsOf(invalid).sort()).toEqual(['dueDate', 'kind']);
    });

    it('refuses baselineDueDate and completedOn as writable fields', async () => {
      const engagement = await newEngagement(t);
      const response = await post(base(engagement.id), {
        name: 'M1',
        kind: 'delivery',
        dueDate: '2031-05-01',
        baselineDueDate: '2031-04-01',
        completedOn: '2025-01-01',
      });
      expect(fieldsOf(expectProblem(response, 400, 'validation')).sort()).toEqual([
        'baselineDueDate',
        'completedOn',
      ]);
      const milestone = await newMilestone(t, t.adminKey, engagement.id);
      const changed = await patch(engagement.id, milestone.id, { baselineDueDate: '2031-04-01' });
      expect(fieldsOf(expectProblem(changed, 400, 'validation'))).toEqual(['baselineDueDate']);
    });

    it('answers 404 for an engagement or milestone that does not exist, also across engagements', async () => {
      expectProblem(
        await post(base(UNKNOWN_ID), { name: 'M1', kind: 'delivery', dueDate: '2031-05-01' }),
        404,
        'not-found',
      );
      expectProblem(await get(base(UNKNOWN_ID)), 404, 'not-found');
      const a = await newEngagement(t);
      const b = await newEngagement(t);
      const ofB = await newMilestone(t, t.adminKey, b.id);
      expectProblem(await get(`${base(a.id)}/${ofB.id}`), 404, 'not-found');
      expectProblem(await patch(a.id, ofB.id, { name: 'Hijacked' }), 404, 'not-found');
      expectProblem(await post(`${base(a.id)}/${ofB.id}/complete`), 404, 'not-found');
      expectProblem(await get(`${base(a.id)}/${UNKNOWN_ID}`), 404, 'not-found');
      expect((await readMilestone(b.id, ofB.id)).name).toBe(ofB.name);
    });
  });

  describe('final handover', () => {
    it('allows at most one final_handover per engagement: a second is 409 FINAL_HANDOVER_EXISTS', async () => {
      const engagement = await newEngagement(t);
      await newMilestone(t, t.adminKey, engagement.id, { kind: 'final_handover' });
      const second = await post(base(engagement.id), {
        name: 'Another final handover',
        kind: 'final_handover',
        dueDate: '2031-06-01',
      });
      expect(codesOf(expectProblem(second, 409, 'conflict'))).toEqual(['FINAL_HANDOVER_EXISTS']);
      const list = await get(base(engagement.id));
      expect(list.body.items).toHaveLength(1);
      // Another engagement has its own.
      const other = await newEngagement(t);
      await newMilestone(t, t.adminKey, other.id, { kind: 'final_handover' });
    });

    it('refuses a second final_handover by PATCH of the kind (409), allows moving it', async () => {
      const engagement = await newEngagement(t);
      const final = await newMilestone(t, t.adminKey, engagement.id, { kind: 'final_handover' });
      const delivery = await newMilestone(t, t.adminKey, engagement.id, { kind: 'delivery' });
      const response = await patch(engagement.id, delivery.id, { kind: 'final_handover' });
      expect(codesOf(expectProblem(response, 409, 'conflict'))).toEqual(['FINAL_HANDOVER_EXISTS']);
      expect((await readMilestone(engagement.id, delivery.id)).kind).toBe('delivery');

      expect((await patch(engagement.id, final.id, { kind: 'handover' })).status).toBe(200);
      const moved = await patch(engagement.id, delivery.id, { kind: 'final_handover' });
      expect(moved.status).toBe(200);
      expect(moved.body.kind).toBe('final_handover');
    });

    it('lets only one of two concurrent final_handover creations win', async () => {
      const engagement = await newEngagement(t);
      const responses = await Promise.all(
        ['A', 'B'].map((name) =>
          post(base(engagement.id), { name, kind: 'final_handover', dueDate: '2031-06-01' }),
        ),
      );
      expect(responses.map((response) => response.status).sort()).toEqual([201, 409]);
      const [{ count }] = await t.dataSource.query(
        `SELECT count(*)::int AS count FROM milestones WHERE engagement_id = $1 AND kind = 'final_handover'`,
        [engagement.id],
      );
      expect(count).toBe(1);
    });
  });

  describe('due dates and the date-change ledger', () => {
    it('changes dates freely before activation, without a reason and without a ledger entry', async () => {
      const engagement = await newEngagement(t);
      const milestone = await newMilestone(t, t.adminKey, engagement.id, {
        dueDate: '2031-05-01',
      });
      const response = await patch(engagement.id, milestone.id, { dueDate: '2031-07-01' });
      expect(response.status).toBe(200);
      expect(response.body).toMatchObject({
        dueDate: '2031-07-01',
        baselineDueDate: null,
        version: 2,
      });
      expect(await dateChanges(engagement.id, milestone.id)).toEqual([]);
    });

    it('freezes the baseline at activation; a milestone added later has its due date as baseline', async () => {
      const ready = await readyToActivate(t);
      await act(t, `/v1/engagements/${ready.engagementId}/activate`);
      const frozen = await get(`${base(ready.engagementId)}/${ready.finalHandoverId}`);
      expect(frozen.body.baselineDueDate).toBe(ready.finalHandover.dueDate);
      // The baseline is a change of the milestone: a new version, a new ETag.
      expect(frozen.body.version).toBe(ready.finalHandover.version + 1);
      expect(frozen.headers.etag).toBe(`"${frozen.body.version}"`);
      const events = await auditEventsOf(t, 'milestone', ready.finalHandoverId);
      expect(events.map((event) => event.action)).toEqual([
        'milestone.created',
        'milestone.baselined',
      ]);
      expect(events[1].changes).toEqual({
        baselineDueDate: { from: null, to: ready.finalHandover.dueDate },
      });

      const later = await newMilestone(t, t.adminKey, ready.engagementId, {
        dueDate: daysFromToday(90),
      });
      expect(later.baselineDueDate).toBe(daysFromToday(90));
      expect((await readMilestone(ready.engagementId, later.id)).baselineDueDate).toBe(
        daysFromToday(90),
      );
    });

    it('answers 400 naming reason for a due-date change after activation without one, writing nothing', async () => {
      const active = await newEngagementIn(t, 'active');
      for (const body of [
        { dueDate: daysFromToday(75) },
        { dueDate: daysFromToday(75), reason: '   ' },
      ]) {
        const response = await patch(active.engagementId, active.finalHandoverId, body);
        expect(fieldsOf(expectProblem(response, 400, 'validation'))).toEqual(['reason']);
      }
      const milestone = await readMilestone(active.engagementId, active.finalHandoverId);
      expect(milestone).toMatchObject({
        dueDate: active.finalHandover.dueDate,
        version: active.finalHandover.version + 1,
      });
      expect(await dateChanges(active.engagementId, active.finalHandoverId)).toEqual([]);
    });

    it('records a change with a reason in the ledger: later date is a slip, earlier is not; baseline stays', async () => {
      const active = await newEngagementIn(t, 'active');
      const planner = await namedKey('Planning tool');
      const original = active.finalHandover.dueDate;
      const slipped = await patch(
        active.engagementId,
        active.finalHandoverId,
        { dueDate: daysFromToday(74), reason: '  Vendor lost two engineers  ' },
        {},
        planner.secret,
      );
      expect(slipped.status).toBe(200);
      expect(slipped.body).toMatchObject({ dueDate: daysFromToday(74), baselineDueDate: original });

      const earlier = await patch(active.engagementId, active.finalHandoverId, {
        dueDate: daysFromToday(70),
        reason: 'Scope reduced',
      });
      expect(earlier.status).toBe(200);
      expect(earlier.body.baselineDueDate).toBe(original);

      const ledger = await dateChanges(active.engagementId, active.finalHandoverId);
      expect(ledger).toEqual([
        {
          id: expect.any(String),
          fromDate: original,
          toDate: daysFromToday(74),
          reason: 'Vendor lost two engineers',
          slip: true,
          changedBy: { apiKeyId: planner.id, name: 'Planning tool' },
          changedAt: expect.any(String),
        },
        {
          id: expect.any(String),
          fromDate: daysFromToday(74),
          toDate: daysFromToday(70),
          reason: 'Scope reduced',
          slip: false,
          changedBy: { apiKeyId: expect.any(String), name: expect.any(String) },
          changedAt: expect.any(String),
        },
      ]);
      expect(Date.parse(ledger[0].changedAt)).toBeGreaterThan(Date.now() - 60_000);
      expect(Date.parse(ledger[1].changedAt)).toBeGreaterThanOrEqual(
        Date.parse(ledger[0].changedAt),
      );
    });

    it('writes no ledger entry when the due date does not change', async () => {
      const active = await newEngagementIn(t, 'active');
      const same = await patch(active.engagementId, active.finalHandoverId, {
        dueDate: active.finalHandover.dueDate,
        reason: 'No change really',
        name: 'Final handover to the platform team',
      });
      expect(same.status).toBe(200);
      expect(same.body.name).toBe('Final handover to the platform team');
      expect(await dateChanges(active.engagementId, active.finalHandoverId)).toEqual([]);
    });

    it('keeps the ledger: there is no route to delete it, and changing back adds an entry', async () => {
      const active = await newEngagementIn(t, 'active');
      const path = `${base(active.engagementId)}/${active.finalHandoverId}`;
      const original = active.finalHandover.dueDate;
      await patch(active.engagementId, active.finalHandoverId, {
        dueDate: daysFromToday(80),
        reason: 'Vendor delay',
      });
      const [entry] = await dateChanges(active.engagementId, active.finalHandoverId);

      for (const target of [`${path}/date-changes`, `${path}/date-changes/${entry.id}`, path]) {
        const response = await t.http().delete(target).set(bearer(t.adminKey));
        expectProblem(response, 404);
      }
      const overwrite = await t
        .http()
        .patch(`${path}/date-changes/${entry.id}`)
        .set(bearer(t.adminKey))
        .send({ reason: 'Nothing happened' });
      expectProblem(overwrite, 404);

      const back = await patch(active.engagementId, active.finalHandoverId, {
        dueDate: original,
        reason: 'Vendor caught up',
      });
      expect(back.status).toBe(200);
      const ledger = await dateChanges(active.engagementId, active.finalHandoverId);
      expect(ledger.map(({ fromDate, toDate, slip }) => ({ fromDate, toDate, slip }))).toEqual([
        { fromDate: original, toDate: daysFromToday(80), slip: true },
        { fromDate: daysFromToday(80), toDate: original, slip: false },
      ]);
      expect(ledger[0]).toEqual(entry);
    });

    it('answers 409 KIND_FROZEN for changing a kind after activation', async () => {
      const active = await newEngagementIn(t, 'active');
      const response = await patch(active.engagementId, active.finalHandoverId, {
        kind: 'handover',
      });
      expect(codesOf(expectProblem(response, 409, 'conflict'))).toEqual(['KIND_FROZEN']);
    });

    it('pages the ledger oldest first, each entry once', async () => {
      const active = await newEngagementIn(t, 'active');
      for (let i = 1; i <= 5; i++) {
        const response = await patch(active.engagementId, active.finalHandoverId, {
          dueDate: daysFromToday(60 + i),
          reason: `Slip ${i}`,
        });
        expect(response.status).toBe(200);
      }
      const reasons: string[] = [];
      let cursor: string | null = null;
      do {
        const response = await get(
          `${base(active.engagementId)}/${active.finalHandoverId}/date-changes`,
          { limit: 2, ...(cursor ? { cursor } : {}) },
        );
        expect(response.status).toBe(200);
        reasons.push(...response.body.items.map((item: DateChangeBody) => item.reason));
        cursor = response.body.nextCursor;
      } while (cursor);
      expect(reasons).toEqual(['Slip 1', 'Slip 2', 'Slip 3', 'Slip 4', 'Slip 5']);
    });
  });

  describe('completion', () => {
    it('answers 400 naming completedOn for a date in the future', async () => {
      const active = await newEngagementIn(t, 'active');
      const response = await post(
        `${base(active.engagementId)}/${active.finalHandoverId}/complete`,
        { completedOn: daysFromToday(1) },
      );
      expect(fieldsOf(expectProblem(response, 400, 'validation'))).toEqual(['completedOn']);
      const invalid = await post(
        `${base(active.engagementId)}/${active.finalHandoverId}/complete`,
        {
          completedOn: '2026-02-30',
        },
      );
      expect(fieldsOf(expectProblem(invalid, 400, 'validation'))).toEqual(['completedOn']);
    });

    it('needs an active engagement (409 INVALID_STATUS for a draft)', async () => {
      const engagement = await newEngagement(t);
      const milestone = await newMilestone(t, t.adminKey, engagement.id);
      const response = await post(`${base(engagement.id)}/${milestone.id}/complete`);
      expect(codesOf(expectProblem(response, 409, 'conflict'))).toEqual(['INVALID_STATUS']);
      expect((await readMilestone(engagement.id, milestone.id)).completedOn).toBeNull();
    });

    it('answers 409 listing every artifact due at the milestone that is not accepted', async () => {
      const ready = await readyToActivate(t);
      const second = await newArtifact(t, t.adminKey, ready.engagementId, ready.finalHandoverId, {
        kind: 'architecture_decision_record',
      });
      const third = await newArtifact(t, t.adminKey, ready.engagementId, ready.finalHandoverId);
      const elsewhere = await newMilestone(t, t.adminKey, ready.engagementId);
      await newArtifact(t, t.adminKey, ready.engagementId, elsewhere.id);
      const engagementPath = `/v1/engagements/${ready.engagementId}`;
      await act(t, `${engagementPath}/activate`);
      await act(t, `${engagementPath}/artifacts/${third.id}/deliver`, {
        evidenceUrl: 'https://wiki.example.com/third',
      });
      await act(t, `${engagementPath}/artifacts/${third.id}/accept`, {
        acceptedById: ready.productOwnerId,
      });
      await act(t, `${engagementPath}/artifacts/${second.id}/deliver`, {
        evidenceUrl: 'https://wiki.example.com/adr',
      });

      const response = await post(`${base(ready.engagementId)}/${ready.finalHandoverId}/complete`);
      const problem = expectProblem(response, 409, 'conflict');
      expect(codesOf(problem)).toEqual(['ARTIFACT_NOT_ACCEPTED', 'ARTIFACT_NOT_ACCEPTED']);
      const messages = (problem.errors ?? []).map((error) => error.message).join('\n');
      expect(messages).toContain(ready.artifactId);
      expect(messages).toContain(second.id);
      expect(messages).not.toContain(third.id);
      expect(
        (await readMilestone(ready.engagementId, ready.finalHandoverId)).completedOn,
      ).toBeNull();
    });

    it('completes today by default, or on a given past date; not twice', async () => {
      const active = await newEngagementIn(t, 'active');
      const engagementPath = `/v1/engagements/${active.engagementId}`;
      await act(t, `${engagementPath}/artifacts/${active.artifactId}/deliver`, {
        evidenceUrl: 'https://wiki.example.com/runbook',
      });
      await act(t, `${engagementPath}/artifacts/${active.artifactId}/accept`, {
        acceptedById: active.knowledgeRecipientId,
      });
      const today = await post(`${base(active.engagementId)}/${active.finalHandoverId}/complete`);
      expect(today.status).toBe(200);
      expect(today.headers.etag).toBe(`"${today.body.version}"`);
      expect(today.body.completedOn).toBe(daysFromToday(0));

      const again = await post(`${base(active.engagementId)}/${active.finalHandoverId}/complete`);
      expect(codesOf(expectProblem(again, 409, 'conflict'))).toEqual([
        'MILESTONE_ALREADY_COMPLETED',
      ]);
      const moved = await patch(active.engagementId, active.finalHandoverId, {
        dueDate: daysFromToday(100),
        reason: 'Too late',
      });
      expect(codesOf(expectProblem(moved, 409, 'conflict'))).toEqual(['MILESTONE_COMPLETED']);

      const delivery = await newMilestone(t, t.adminKey, active.engagementId);
      const past = await post(`${base(active.engagementId)}/${delivery.id}/complete`, {
        completedOn: daysFromToday(-10),
      });
      expect(past.status).toBe(200);
      expect(past.body.completedOn).toBe(daysFromToday(-10));
    });
  });

  describe('closed engagements', () => {
    it.each(['completed', 'cancelled'] as const)(
      'refuses every change to a milestone of a %s engagement with 409 ENGAGEMENT_CLOSED',
      async (status) => {
        const closed = await newEngagementIn(t, status);
        const milestonesPath = base(closed.engagementId);
        const before = await readMilestone(closed.engagementId, closed.finalHandoverId);
        const attempts = [
          await post(milestonesPath, { name: 'Late', kind: 'delivery', dueDate: '2031-01-01' }),
          await patch(closed.engagementId, closed.finalHandoverId, { name: 'Renamed' }),
          await patch(closed.engagementId, closed.finalHandoverId, {
            dueDate: daysFromToday(120),
            reason: 'After the fact',
          }),
          await post(`${milestonesPath}/${closed.finalHandoverId}/complete`),
        ];
        for (const response of attempts)
          expect(codesOf(expectProblem(response, 409, 'conflict'))).toEqual(['ENGAGEMENT_CLOSED']);
        expect(await readMilestone(closed.engagementId, closed.finalHandoverId)).toEqual(before);
        expect((await get(milestonesPath)).body.items).toHaveLength(1);
        expect(await dateChanges(closed.engagementId, closed.finalHandoverId)).toEqual([]);
      },
    );
  });

  describe('lists', () => {
    it('lists milestones by due date, paging with a cursor, each once', async () => {
      const engagement = await newEngagement(t);
      const dates = ['2031-05-01', '2031-01-01', '2031-03-01', '2031-03-01', '2031-02-01'];
      const created: MilestoneBody[] = [];
      for (const dueDate of dates)
        created.push(await newMilestone(t, t.adminKey, engagement.id, { dueDate }));
      const expected = [...created]
        .sort((a, b) => a.dueDate.localeCompare(b.dueDate) || a.id.localeCompare(b.id))
        .map((milestone) => milestone.id);

      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const response = await get(base(engagement.id), {
          limit: 2,
          ...(cursor ? { cursor } : {}),
        });
        expect(response.status).toBe(200);
        expect(response.body.items.length).toBeLessThanOrEqual(2);
        seen.push(...response.body.items.map((item: MilestoneBody) => item.id));
        cursor = response.body.nextCursor;
      } while (cursor);
      expect(seen).toEqual(expected);
      expectProblem(await get(base(engagement.id), { limit: 0 }), 400, 'validation');
      expectProblem(await get(base(engagement.id), { cursor: 'bm9wZQ' }), 400, 'validation');
    });
  });

  describe('concurrency', () => {
    it('answers 412 for a stale If-Match on PATCH and writes nothing', async () => {
      const engagement = await newEngagement(t);
      const milestone = await newMilestone(t, t.adminKey, engagement.id);
      const first = await patch(
        engagement.id,
        milestone.id,
        { name: 'Second' },
        { 'If-Match': '"1"' },
      );
      expect(first.status).toBe(200);
      expect(first.headers.etag).toBe('"2"');
      const stale = await patch(
        engagement.id,
        milestone.id,
        { name: 'Third' },
        { 'If-Match': '"1"' },
      );
      expectProblem(stale, 412, 'precondition-failed');
      expect(stale.headers.etag).toBe('"2"');
      expect(await readMilestone(engagement.id, milestone.id)).toMatchObject({
        name: 'Second',
        version: 2,
      });
    });

    it('answers 412 for a stale If-Match on a slip, writing no ledger entry', async () => {
      const active = await newEngagementIn(t, 'active');
      const current = await readMilestone(active.engagementId, active.finalHandoverId);
      const stale = await patch(
        active.engagementId,
        active.finalHandoverId,
        { dueDate: daysFromToday(90), reason: 'Vendor delay' },
        { 'If-Match': `"${current.version - 1}"` },
      );
      expectProblem(stale, 412, 'precondition-failed');
      expect(await dateChanges(active.engagementId, active.finalHandoverId)).toEqual([]);
      expect((await readMilestone(active.engagementId, active.finalHandoverId)).dueDate).toBe(
        current.dueDate,
      );
    });

    it('answers 412 for a stale If-Match on complete and writes nothing', async () => {
      const active = await newEngagementIn(t, 'active');
      const delivery = await newMilestone(t, t.adminKey, active.engagementId);
      await patch(active.engagementId, delivery.id, { name: 'Renamed' });
      const stale = await post(
        `${base(active.engagementId)}/${delivery.id}/complete`,
        {},
        { 'If-Match': '"1"' },
      );
      expectProblem(stale, 412, 'precondition-failed');
      expect((await readMilestone(active.engagementId, delivery.id)).completedOn).toBeNull();
    });
  });

  describe('audit', () => {
    it('writes events for creation, change, slip and completion', async () => {
      const active = await newEngagementIn(t, 'active');
      const planner = await namedKey('Planner');
      const delivery = await newMilestone(t, planner.secret, active.engagementId, {
        dueDate: daysFromToday(10),
      });
      await patch(active.engagementId, delivery.id, { name: 'Pilot' }, {}, planner.secret);
      await patch(
        active.engagementId,
        delivery.id,
        { dueDate: daysFromToday(20), reason: 'Data access late' },
        {},
        planner.secret,
      );
      await patch(
        active.engagementId,
        delivery.id,
        { dueDate: daysFromToday(15), reason: 'Caught up' },
        {},
        planner.secret,
      );
      await act(
        t,
        `${base(active.engagementId)}/${delivery.id}/complete`,
        { completedOn: daysFromToday(0) },
        planner.secret,
      );

      const events = await auditEventsOf(t, 'milestone', delivery.id);
      expect(events.map((event) => event.action)).toEqual([
        'milestone.created',
        'milestone.updated',
        'milestone.slipped',
        'milestone.updated',
        'milestone.completed',
      ]);
      for (const event of events) {
        expect(event).toMatchObject({
          entityType: 'milestone',
          entityId: delivery.id,
          actor: { apiKeyId: planner.id, name: 'Planner', role: 'procurement' },
        });
      }
      expect(events[0].changes).toMatchObject({
        name: { from: null, to: delivery.name },
        dueDate: { from: null, to: daysFromToday(10) },
        baselineDueDate: { from: null, to: daysFromToday(10) },
      });
      expect(events[1].changes).toEqual({ name: { from: delivery.name, to: 'Pilot' } });
      expect(events[2].changes).toEqual({
        dueDate: { from: daysFromToday(10), to: daysFromToday(20) },
        reason: { from: null, to: 'Data access late' },
      });
      expect(events[4].changes).toEqual({ completedOn: { from: null, to: daysFromToday(0) } });
    });
  });
});
