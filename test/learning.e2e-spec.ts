import { jest } from '@jest/globals';
import type request from 'supertest';
import { Clock } from '../src/common/clock.js';
import { verifyRisk } from '../src/risk/risk-maintenance.js';
import {
  act,
  activeEngagement,
  auditEventsOf,
  daysFromToday,
  draftEngagement,
  type EngagementPlan,
  newEngagement,
  newEngagementIn,
  newMilestone,
  newPerson,
  type PlannedEngagement,
  uniqueSuffix,
} from './factories.js';
import {
  bearer,
  createTestApp,
  expectProblem,
  externalDatabaseUrl,
  type TestApp,
} from './test-app.js';

/**
 * Learning sprints (SPEC §9): planned towards a milestone with a mentor and knowledge
 * recipients as learners, 28–56 days ending by the milestone's due date, a mentor teaching at
 * most 3 distinct learners across overlapping sprints (also under concurrent requests),
 * completed once on or after the first day; a person's learning path; the playbook of lessons
 * and drill notes with its full-text search; events, audit and stored risk facts.
 */

const UNKNOWN_ID = '00000000-0000-4000-8000-000000000000';
const EVIDENCE_URL = 'https://git.example.com/finance/extraction/pull/42';
const LESSONS = 'The deploy script assumes a warm cache, so run it twice before the cutover.';

/** The mentor-load concurrency rounds need several connections: PostgreSQL only. */
const itOnPostgres = externalDatabaseUrl ? it : it.skip;

interface SprintBody {
  id: string;
  engagementId: string;
  milestoneId: string;
  goal: string;
  mentorId: string;
  learnerIds: string[];
  startsOn: string;
  endsOn: string;
  status: 'planned' | 'completed';
  outcome: 'shipped' | 'partial' | 'not_shipped' | null;
  evidenceUrl: string | null;
  lessons: string | null;
  completedAt: string | null;
  createdAt: string;
  updatedAt: string;
  version: number;
}

interface DrillBody {
  id: string;
  engagementId: string;
  kind: string;
  title: string;
  outcome: string | null;
  performedOn: string | null;
  vendorAssistance: string | null;
  notes: string | null;
  recordedAt: string | null;
}

interface EntryBody {
  kind: 'sprint' | 'drill';
  id: string;
  engagementId: string;
  title: string;
  text: string;
  outcome: string;
  at: string;
  headline?: string;
  rank?: number;
}

interface PathBody {
  personId: string;
  sprints: (SprintBody & { role: 'learner' | 'mentor' })[];
  drills: {
    id: string;
    engagementId: string;
    kind: string;
    title: string;
    outcome: string | null;
    performedOn: string | null;
    vendorAssistance: string | null;
  }[];
  engagements: {
    engagementId: string;
    title: string;
    status: string;
    independentOperator: boolean;
    finalHandoverDueDate: string | null;
    finalHandoverCompletedOn: string | null;
  }[];
}

interface EventBody {
  id: string;
  seq: number;
  type: string;
  engagementId: string | null;
  vendorId: string | null;
  actor: { role: string } | null;
  data: Record<string, unknown>;
}

/** An engagement with its recipients, ready for sprints towards its final handover. */
type Team = PlannedEngagement & { recipients: string[] };

const noonOf = (days: number): Date => new Date(`${daysFromToday(days)}T12:00:00.000Z`);
const sorted = (ids: string[]) => [...ids].sort();
const idsOf = (response: request.Response) =>
  (response.body.items as { id: string }[]).map((item) => item.id);

function expectStatus(response: request.Response, status: number, what: string): void {
  if (response.status !== status) {
    throw new Error(`${what} answered ${response.status}: ${JSON.stringify(response.body)}`);
  }
}

/** A 400 problem+json naming `field` among its errors; returns the fields named. */
function expectBadField(response: request.Response, field: string): string[] {
  const problem = expectProblem(response, 400, 'validation');
  const fields = (problem.errors ?? []).map((error) => error.field);
  expect(fields).toContain(field);
  return fields as string[];
}

const codesOf = (problem: { errors?: { code?: string }[] }) =>
  (problem.errors ?? []).map((error) => error.code);

/** A 409 problem+json with exactly these codes. */
function expectConflict(response: request.Response, code: string): void {
  expect(codesOf(expectProblem(response, 409, 'conflict'))).toEqual([code]);
}

/** A cursor as a client could forge one: any JSON, base64url-encoded. */
const forge = (value: unknown) => Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');

describe('learning sprints, learning paths and the playbook (SPEC §9)', () => {
  let t: TestApp;

  beforeAll(async () => {
    // The upskilling signal on, so that the stored timelines the risk checks compare include it.
    t = await createTestApp({ env: { RISK_UPSKILLING_WINDOW_DAYS: '90' } });
  });
  afterEach(() => jest.restoreAllMocks());
  afterAll(() => t.close());

  // ---------------------------------------------------------------- helpers

  const base = (engagementId: string) => `/v1/engagements/${engagementId}`;
  const sprintsPath = (engagementId: string) => `${base(engagementId)}/learning-sprints`;

  function setToday(days: number): void {
    jest.spyOn(t.app.get(Clock), 'now').mockReturnValue(noonOf(days));
  }

  const get = (path: string, query: Record<string, unknown> = {}, key = t.adminKey) =>
    t.http().get(path).query(query).set(bearer(key));

  /** An active engagement (final handover in 120 days, 4 recipients unless planned otherwise). */
  async function team(plan: EngagementPlan = {}): Promise<Team> {
    const built = await activeEngagement(t, { recipients: 4, finalDueIn: 120, ...plan });
    return { ...built, recipients: built.engagement.knowledgeRecipientIds };
  }

  /** A person to mentor: in the directory, a recipient of nothing. */
  const newMentor = async () => (await newPerson(t)).id;

  /** A valid sprint of `team` towards its final handover, from today for 28 days. */
  const sprintBody = (on: Team, mentorId: string, overrides: Record<string, unknown> = {}) => ({
    goal: `Sprint towards the final handover ${uniqueSuffix()}`,
    milestoneId: on.finalHandover.id,
    mentorId,
    learnerIds: [on.recipients[0]],
    startsOn: daysFromToday(0),
    endsOn: daysFromToday(28),
    ...overrides,
  });

  /** The dates of a sprint from day `from` (relative to today) lasting `days`. */
  const during = (from: number, days = 28) => ({
    startsOn: daysFromToday(from),
    endsOn: daysFromToday(from + days),
  });

  const postSprint = (engagementId: string, body: object, key = t.adminKey) =>
    t.http().post(sprintsPath(engagementId)).set(bearer(key)).send(body);

  async function newSprint(
    on: Team,
    mentorId: string,
    overrides: Record<string, unknown> = {},
  ): Promise<SprintBody> {
    const response = await postSprint(on.engagement.id, sprintBody(on, mentorId, overrides));
    expectStatus(response, 201, 'POST learning-sprint');
    return response.body as SprintBody;
  }

  const completeBody = (overrides: Record<string, unknown> = {}) => ({
    outcome: 'shipped',
    evidenceUrl: EVIDENCE_URL,
    lessons: LESSONS,
    ...overrides,
  });

  const postComplete = (
    engagementId: string,
    sprintId: string,
    body: object,
    headers: Record<string, string> = {},
    key = t.adminKey,
  ) =>
    t
      .http()
      .post(`${sprintsPath(engagementId)}/${sprintId}/complete`)
      .set(bearer(key))
      .set(headers)
      .send(body);

  async function complete(
    sprint: Pick<SprintBody, 'id' | 'engagementId'>,
    overrides: Record<string, unknown> = {},
  ): Promise<SprintBody> {
    const response = await postComplete(sprint.engagementId, sprint.id, completeBody(overrides));
    expectStatus(response, 200, 'POST learning-sprint complete');
    return response.body as SprintBody;
  }

  async function sprintsOf(engagementId: string): Promise<SprintBody[]> {
    const response = await get(sprintsPath(engagementId), { limit: 200 });
    expectStatus(response, 200, 'GET learning-sprints');
    return response.body.items as SprintBody[];
  }

  /** A drill of `on` for these participants; recorded (passed unaided today) unless `record` is null. */
  async function drill(
    on: Team,
    participantIds: string[],
    record: Record<string, unknown> | null = {},
    overrides: Record<string, unknown> = {},
  ): Promise<DrillBody> {
    const created = await t
      .http()
      .post(`${base(on.engagement.id)}/drills`)
      .set(bearer(t.adminKey))
      .send({
        kind: 'deploy',
        title: `Quarterly operations drill ${uniqueSuffix()}`,
        scenario: 'The vendor is unreachable for a week; ship the pending change alone.',
        participantIds,
        ...overrides,
      });
    expectStatus(created, 201, 'POST drill');
    if (record === null) return created.body as DrillBody;
    return act<DrillBody>(t, `${base(on.engagement.id)}/drills/${created.body.id}/record`, {
      outcome: 'passed',
      performedOn: daysFromToday(0),
      vendorAssistance: 'none',
      evidenceUrl: 'https://wiki.example.com/drills/deploy',
      observedById: on.engagement.productOwnerId,
      ...record,
    });
  }

  const playbook = (query: Record<string, unknown> = {}, key = t.adminKey) =>
    get('/v1/playbook', query, key);

  async function entries(query: Record<string, unknown>): Promise<EntryBody[]> {
    const response = await playbook({ limit: 200, ...query });
    expectStatus(response, 200, `GET playbook ${JSON.stringify(query)}`);
    expect(response.body.nextCursor).toBeNull();
    return response.body.items as EntryBody[];
  }

  /** Every page of the playbook for `query`, `limit` at a time. */
  async function allPages(query: Record<string, unknown>, limit: number): Promise<EntryBody[]> {
    const items: EntryBody[] = [];
    let cursor: string | null = null;
    for (let page = 0; page < 50; page++) {
      const response = await playbook({ ...query, limit, ...(cursor ? { cursor } : {}) });
      expectStatus(response, 200, `GET playbook page ${page + 1}`);
      expect(response.body.items.length).toBeLessThanOrEqual(limit);
      items.push(...(response.body.items as EntryBody[]));
      cursor = response.body.nextCursor;
      if (!cursor) return items;
    }
    throw new Error('The playbook kept answering a next cursor');
  }

  /** A sprint of `on` completed with these lessons and this goal. */
  const lessonsSprint = async (on: Team, mentorId: string, lessons: string, goal?: string) =>
    complete(
      await newSprint(on, mentorId, {
        learnerIds: [on.recipients[0]],
        ...(goal ? { goal } : {}),
      }),
      { lessons },
    );

  async function pathOf(personId: string): Promise<PathBody> {
    const response = await get(`/v1/people/${personId}/learning`);
    expectStatus(response, 200, 'GET learning path');
    return response.body as PathBody;
  }

  async function sprintEvents(engagementId: string): Promise<EventBody[]> {
    const response = await get('/v1/events', {
      engagementId,
      type: ['learning_sprint.created', 'learning_sprint.completed'],
      limit: 200,
    });
    expectStatus(response, 200, 'GET events');
    return response.body.items as EventBody[];
  }

  /** verifyRisk finds nothing and checked every engagement; `step` names what came before. */
  async function expectRiskConsistent(step: string): Promise<void> {
    const [{ count }]: { count: number }[] = await t.dataSource.query(
      'SELECT count(*)::int AS count FROM engagements',
    );
    const result = await verifyRisk(t.dataSource, t.config.risk);
    expect({ step, ...result }).toEqual({ step, checked: count, mismatches: [] });
  }

  /** The distinct learners of a mentor's sprints, as stored. */
  async function storedLearnersOf(mentorId: string): Promise<string[]> {
    const rows: { person_id: string }[] = await t.dataSource.query(
      `SELECT DISTINCT l.person_id FROM learning_sprints s
         JOIN learning_sprint_learners l ON l.sprint_id = s.id
        WHERE s.mentor_id = $1 ORDER BY l.person_id`,
      [mentorId],
    );
    return rows.map((row) => row.person_id);
  }

  // ---------------------------------------------------------------- planning

  describe('planning a sprint', () => {
    it('plans a sprint: 201 with its learners sorted, planned, not completed, ETag "1"', async () => {
      const on = await team();
      const mentorId = await newMentor();
      const body = sprintBody(on, mentorId, {
        learnerIds: [on.recipients[2], on.recipients[0]],
        ...during(1, 30),
      });
      const response = await postSprint(on.engagement.id, body);
      expectStatus(response, 201, 'POST learning-sprint');
      expect(response.headers.etag).toBe('"1"');
      expect(response.body).toEqual({
        id: expect.any(String),
        engagementId: on.engagement.id,
        milestoneId: on.finalHandover.id,
        goal: body.goal,
        mentorId,
        learnerIds: sorted([on.recipients[2], on.recipients[0]]),
        startsOn: daysFromToday(1),
        endsOn: daysFromToday(31),
        status: 'planned',
        outcome: null,
        evidenceUrl: null,
        lessons: null,
        completedAt: null,
        createdAt: expect.any(String),
        updatedAt: expect.any(String),
        version: 1,
      });
      expect(await sprintsOf(on.engagement.id)).toEqual([response.body]);
    });

    it('plans towards any milestone of the engagement, and on a draft engagement too', async () => {
      const on = await team();
      const delivery = await newMilestone(t, t.adminKey, on.engagement.id, {
        dueDate: daysFromToday(40),
      });
      const sprint = await newSprint(on, await newMentor(), { milestoneId: delivery.id });
      expect(sprint.milestoneId).toBe(delivery.id);

      const built = await draftEngagement(t, { recipients: 1, finalDueIn: 120 });
      expect(built.engagement.status).toBe('draft');
      const draft = { ...built, recipients: built.engagement.knowledgeRecipientIds };
      expect((await newSprint(draft, await newMentor())).status).toBe('planned');
    });

    it('accepts a sprint of 28 days and one of 56 days (SPRINT_MIN_DAYS/SPRINT_MAX_DAYS)', async () => {
      const on = await team();
      const short = await newSprint(on, await newMentor(), during(0, 28));
      expect([short.startsOn, short.endsOn]).toEqual([daysFromToday(0), daysFromToday(28)]);
      const long = await newSprint(on, await newMentor(), during(0, 56));
      expect([long.startsOn, long.endsOn]).toEqual([daysFromToday(0), daysFromToday(56)]);
    });

    it.each([27, 57, 0, -28])(
      'refuses a sprint of %i days with 400 naming endsOn, writing nothing',
      async (days) => {
        const on = await team();
        const response = await postSprint(
          on.engagement.id,
          sprintBody(on, await newMentor(), during(0, days)),
        );
        expectBadField(response, 'endsOn');
        expect(await sprintsOf(on.engagement.id)).toEqual([]);
      },
    );

    it('refuses an endsOn after the milestone’s due date with 400 naming endsOn, and accepts ending on it', async () => {
      const on = await team();
      const milestone = await newMilestone(t, t.adminKey, on.engagement.id, {
        dueDate: daysFromToday(40),
      });
      const late = await postSprint(
        on.engagement.id,
        sprintBody(on, await newMentor(), { milestoneId: milestone.id, ...during(12, 29) }),
      );
      const problem = expectProblem(late, 400, 'validation');
      expect(problem.errors).toEqual([
        { field: 'endsOn', message: expect.stringContaining(daysFromToday(40)) },
      ]);
      const onTheDay = await newSprint(on, await newMentor(), {
        milestoneId: milestone.id,
        ...during(12, 28),
      });
      expect(onTheDay.endsOn).toBe(daysFromToday(40));
    });

    it('refuses a learner who is not a knowledge recipient with 400 naming learnerIds[1]', async () => {
      const on = await team();
      const outsider = await newPerson(t);
      const response = await postSprint(
        on.engagement.id,
        sprintBody(on, await newMentor(), { learnerIds: [on.recipients[0], outsider.id] }),
      );
      expect(expectBadField(response, 'learnerIds[1]')).toEqual(['learnerIds[1]']);
      expect(await sprintsOf(on.engagement.id)).toEqual([]);
    });

    it('refuses a recipient of another engagement as a learner', async () => {
      const on = await team();
      const other = await team({ recipients: 1 });
      const response = await postSprint(
        on.engagement.id,
        sprintBody(on, await newMentor(), { learnerIds: [other.recipients[0]] }),
      );
      expectBadField(response, 'learnerIds[0]');
    });

    it('refuses a mentor who is also one of the learners with 400 naming mentorId', async () => {
      const on = await team();
      const response = await postSprint(
        on.engagement.id,
        sprintBody(on, on.recipients[1], { learnerIds: [on.recipients[0], on.recipients[1]] }),
      );
      expect(expectBadField(response, 'mentorId')).toEqual(['mentorId']);
    });

    it('accepts a recipient as the mentor of other recipients', async () => {
      const on = await team();
      const sprint = await newSprint(on, on.recipients[3], { learnerIds: [on.recipients[0]] });
      expect(sprint.mentorId).toBe(on.recipients[3]);
    });

    it('refuses a milestone of another engagement, or none, with 400 naming milestoneId', async () => {
      const on = await team();
      const other = await team({ recipients: 1 });
      const mentorId = await newMentor();
      const foreign = await postSprint(
        on.engagement.id,
        sprintBody(on, mentorId, { milestoneId: other.finalHandover.id }),
      );
      expect(expectBadField(foreign, 'milestoneId')).toEqual(['milestoneId']);
      const unknown = await postSprint(
        on.engagement.id,
        sprintBody(on, mentorId, { milestoneId: UNKNOWN_ID }),
      );
      expectBadField(unknown, 'milestoneId');
      expect(await sprintsOf(on.engagement.id)).toEqual([]);
    });

    it('refuses an unknown mentor with 400 naming mentorId', async () => {
      const on = await team();
      const response = await postSprint(on.engagement.id, sprintBody(on, UNKNOWN_ID));
      expect(expectBadField(response, 'mentorId')).toEqual(['mentorId']);
    });

    it('reports every problem of a request at once', async () => {
      const on = await team();
      const outsider = await newPerson(t);
      const response = await postSprint(
        on.engagement.id,
        sprintBody(on, UNKNOWN_ID, {
          milestoneId: UNKNOWN_ID,
          learnerIds: [outsider.id],
          ...during(0, 10),
        }),
      );
      const fields = expectBadField(response, 'milestoneId');
      expect(fields).toEqual(expect.arrayContaining(['endsOn', 'mentorId', 'learnerIds[0]']));
    });

    it.each<[string, Record<string, unknown>]>([
      ['goal', { goal: '   ' }],
      ['goal', { goal: 'g'.repeat(2001) }],
      ['milestoneId', { milestoneId: 'not-a-uuid' }],
      ['mentorId', { mentorId: 42 }],
      ['learnerIds', { learnerIds: [] }],
      ['learnerIds', { learnerIds: 'a' }],
      ['startsOn', { startsOn: '2027-02-30' }],
      ['endsOn', { endsOn: '2027-13-01' }],
      ['unexpected', { unexpected: true }],
    ])('refuses a malformed body with 400 naming %s', async (field, overrides) => {
      const on = await team({ recipients: 1 });
      const response = await postSprint(
        on.engagement.id,
        sprintBody(on, await newMentor(), overrides),
      );
      const fields = expectBadField(response, field);
      expect(fields.length).toBeGreaterThan(0);
    });

    it('refuses the same learner twice in one sprint with 400 naming learnerIds', async () => {
      const on = await team();
      const response = await postSprint(
        on.engagement.id,
        sprintBody(on, await newMentor(), { learnerIds: [on.recipients[0], on.recipients[0]] }),
      );
      expectBadField(response, 'learnerIds');
    });

    it('a repeat with the same Idempotency-Key answers the first 201 and plans one sprint', async () => {
      const on = await team({ recipients: 1 });
      const body = sprintBody(on, await newMentor());
      const key = `sprint-${uniqueSuffix()}`;
      const send = () =>
        t
          .http()
          .post(sprintsPath(on.engagement.id))
          .set(bearer(t.adminKey))
          .set('Idempotency-Key', key)
          .send(body);
      const first = await send();
      expectStatus(first, 201, 'POST learning-sprint');
      const repeat = await send();
      expect({ status: repeat.status, body: repeat.body }).toEqual({
        status: 201,
        body: first.body,
      });
      expect(await sprintsOf(on.engagement.id)).toHaveLength(1);
    });

    it('answers 404 for an unknown engagement', async () => {
      const on = await team({ recipients: 1 });
      expectProblem(
        await postSprint(UNKNOWN_ID, sprintBody(on, await newMentor())),
        404,
        'not-found',
      );
      expectProblem(await get(sprintsPath(UNKNOWN_ID)), 404, 'not-found');
    });

    it.each(['completed', 'cancelled'] as const)(
      'refuses a sprint on a %s engagement with 409 ENGAGEMENT_CLOSED',
      async (status) => {
        const closed = await newEngagementIn(t, status);
        const response = await postSprint(closed.engagementId, {
          goal: 'Learn to operate it after all',
          milestoneId: closed.finalHandoverId,
          mentorId: await newMentor(),
          learnerIds: [closed.knowledgeRecipientId],
          ...during(0, 28),
        });
        expectConflict(response, 'ENGAGEMENT_CLOSED');
        const listed = await get(sprintsPath(closed.engagementId));
        expect(listed.body).toEqual({ items: [], nextCursor: null });
      },
    );

    it('lists the engagement’s sprints oldest first, page by page, and none of another engagement', async () => {
      const on = await team();
      const other = await team({ recipients: 1 });
      const mentorId = await newMentor();
      const ids: string[] = [];
      for (let i = 0; i < 3; i++) {
        ids.push((await newSprint(on, mentorId, { learnerIds: [on.recipients[i]] })).id);
      }
      await newSprint(other, await newMentor());

      const first = await get(sprintsPath(on.engagement.id), { limit: 2 });
      expectStatus(first, 200, 'GET learning-sprints');
      expect(idsOf(first)).toEqual(ids.slice(0, 2));
      expect(first.body.nextCursor).toEqual(expect.any(String));
      const second = await get(sprintsPath(on.engagement.id), {
        limit: 2,
        cursor: first.body.nextCursor,
      });
      expectStatus(second, 200, 'GET learning-sprints page 2');
      expect(idsOf(second)).toEqual(ids.slice(2));
      expect(second.body.nextCursor).toBeNull();
      expect((await sprintsOf(on.engagement.id)).map((sprint) => sprint.id)).toEqual(ids);

      expectBadField(
        await get(sprintsPath(on.engagement.id), { cursor: forge(['x', 'y']) }),
        'cursor',
      );
      expectBadField(await get(sprintsPath(on.engagement.id), { limit: 0 }), 'limit');
    });
  });

  // ---------------------------------------------------------------- completing

  describe('completing a sprint', () => {
    it('completes a sprint: 200 with outcome, evidence, lessons and completedAt, version 2', async () => {
      const on = await team();
      const sprint = await newSprint(on, await newMentor(), during(-3, 30));
      const response = await postComplete(
        on.engagement.id,
        sprint.id,
        completeBody({ outcome: 'partial', lessons: `  ${LESSONS}  ` }),
      );
      expectStatus(response, 200, 'POST complete');
      expect(response.headers.etag).toBe('"2"');
      expect(response.body).toEqual({
        ...sprint,
        status: 'completed',
        outcome: 'partial',
        evidenceUrl: EVIDENCE_URL,
        lessons: LESSONS,
        completedAt: expect.any(String),
        updatedAt: expect.any(String),
        version: 2,
      });
      expect(await sprintsOf(on.engagement.id)).toEqual([response.body]);
    });

    it.each(['shipped', 'partial', 'not_shipped'])('completes with outcome %s', async (outcome) => {
      const on = await team({ recipients: 1 });
      const sprint = await newSprint(on, await newMentor());
      expect((await complete(sprint, { outcome })).outcome).toBe(outcome);
    });

    it('refuses lessons under 20 characters (after trimming) with 400 naming lessons, and accepts 20', async () => {
      const on = await team({ recipients: 1 });
      const sprint = await newSprint(on, await newMentor());
      for (const lessons of ['x'.repeat(19), `   ${'y'.repeat(19)}        `, '', 42]) {
        const response = await postComplete(on.engagement.id, sprint.id, completeBody({ lessons }));
        expect(new Set(expectBadField(response, 'lessons'))).toEqual(new Set(['lessons']));
      }
      expect((await sprintsOf(on.engagement.id))[0]).toMatchObject({
        status: 'planned',
        version: 1,
      });
      expect((await complete(sprint, { lessons: 'z'.repeat(20) })).lessons).toBe('z'.repeat(20));
    });

    it.each<[string, Record<string, unknown>]>([
      ['outcome', { outcome: 'done' }],
      ['outcome', { outcome: undefined }],
      ['evidenceUrl', { evidenceUrl: 'not a url' }],
      ['evidenceUrl', { evidenceUrl: undefined }],
      ['lessons', { lessons: undefined }],
      ['lessons', { lessons: 'l'.repeat(20001) }],
    ])('refuses a completion with a bad %s: 400 naming it', async (field, overrides) => {
      const on = await team({ recipients: 1 });
      const sprint = await newSprint(on, await newMentor());
      expectBadField(
        await postComplete(on.engagement.id, sprint.id, completeBody(overrides)),
        field,
      );
    });

    it('refuses to complete before startsOn with 409 SPRINT_NOT_STARTED, and completes on the first day (test clock)', async () => {
      const on = await team({ recipients: 1 });
      const sprint = await newSprint(on, await newMentor(), during(5, 28));
      expectConflict(
        await postComplete(on.engagement.id, sprint.id, completeBody()),
        'SPRINT_NOT_STARTED',
      );
      setToday(4);
      expectConflict(
        await postComplete(on.engagement.id, sprint.id, completeBody()),
        'SPRINT_NOT_STARTED',
      );
      expect((await sprintsOf(on.engagement.id))[0]).toMatchObject({ status: 'planned' });
      setToday(5);
      expect(await complete(sprint)).toMatchObject({ status: 'completed', version: 2 });
    });

    it('completes after the sprint has ended too', async () => {
      const on = await team({ recipients: 1 });
      const sprint = await newSprint(on, await newMentor(), during(0, 28));
      setToday(40);
      expect(await complete(sprint)).toMatchObject({ status: 'completed' });
    });

    it('refuses a second completion with 409 SPRINT_ALREADY_COMPLETED and keeps the first', async () => {
      const on = await team({ recipients: 1 });
      const sprint = await newSprint(on, await newMentor());
      const first = await complete(sprint, { outcome: 'shipped' });
      const again = await postComplete(
        on.engagement.id,
        sprint.id,
        completeBody({
          outcome: 'not_shipped',
          lessons: 'Another lesson entirely, written later.',
        }),
      );
      expectConflict(again, 'SPRINT_ALREADY_COMPLETED');
      expect(await sprintsOf(on.engagement.id)).toEqual([first]);
    });

    it('two completions at once: one 200, one 409 SPRINT_ALREADY_COMPLETED', async () => {
      const on = await team({ recipients: 1 });
      const sprint = await newSprint(on, await newMentor());
      const responses = await Promise.all(
        ['shipped', 'partial'].map((outcome) =>
          postComplete(on.engagement.id, sprint.id, completeBody({ outcome })),
        ),
      );
      expect(responses.map((response) => response.status).sort()).toEqual([200, 409]);
      const won = responses.find((response) => response.status === 200) as request.Response;
      expectConflict(
        responses.find((response) => response.status === 409) as request.Response,
        'SPRINT_ALREADY_COMPLETED',
      );
      expect(await sprintsOf(on.engagement.id)).toEqual([won.body]);
      expect((await sprintEvents(on.engagement.id)).map((event) => event.type)).toEqual([
        'learning_sprint.created',
        'learning_sprint.completed',
      ]);
    });

    it('completes with a current If-Match, and answers 412 for a stale one without completing', async () => {
      const on = await team({ recipients: 1 });
      const sprint = await newSprint(on, await newMentor());
      expectProblem(
        await postComplete(on.engagement.id, sprint.id, completeBody(), { 'If-Match': '"2"' }),
        412,
      );
      expect((await sprintsOf(on.engagement.id))[0]).toMatchObject({ status: 'planned' });
      const response = await postComplete(on.engagement.id, sprint.id, completeBody(), {
        'If-Match': '"1"',
      });
      expectStatus(response, 200, 'POST complete with If-Match');
    });

    it('answers 404 for an unknown sprint and for a sprint of another engagement', async () => {
      const on = await team({ recipients: 1 });
      const other = await team({ recipients: 1 });
      const sprint = await newSprint(other, await newMentor());
      expectProblem(
        await postComplete(on.engagement.id, UNKNOWN_ID, completeBody()),
        404,
        'not-found',
      );
      expectProblem(
        await postComplete(on.engagement.id, sprint.id, completeBody()),
        404,
        'not-found',
      );
      expectBadField(await postComplete(on.engagement.id, 'not-a-uuid', completeBody()), 'sid');
      expect((await sprintsOf(other.engagement.id))[0]).toMatchObject({ status: 'planned' });
    });

    it('refuses to complete a sprint of an engagement cancelled since with 409 ENGAGEMENT_CLOSED', async () => {
      const on = await team({ recipients: 1 });
      const sprint = await newSprint(on, await newMentor());
      await act(t, `${base(on.engagement.id)}/cancel`, { reason: 'Budget withdrawn' });
      expectConflict(
        await postComplete(on.engagement.id, sprint.id, completeBody()),
        'ENGAGEMENT_CLOSED',
      );
      expect((await sprintsOf(on.engagement.id))[0]).toMatchObject({ status: 'planned' });
    });
  });

  // ---------------------------------------------------------------- mentor load

  describe('mentor load: at most 3 distinct learners across overlapping sprints', () => {
    it('accepts 3 distinct learners across overlapping sprints, and refuses a 4th with 409 MENTOR_OVERLOADED, writing nothing', async () => {
      const on = await team();
      const mentorId = await newMentor();
      await newSprint(on, mentorId, { learnerIds: on.recipients.slice(0, 2), ...during(0, 28) });
      await newSprint(on, mentorId, { learnerIds: [on.recipients[2]], ...during(10, 28) });
      const refused = await postSprint(
        on.engagement.id,
        sprintBody(on, mentorId, { learnerIds: [on.recipients[3]], ...during(20, 28) }),
      );
      expectConflict(refused, 'MENTOR_OVERLOADED');
      expect(await sprintsOf(on.engagement.id)).toHaveLength(2);
      expect(await storedLearnersOf(mentorId)).toEqual(sorted(on.recipients.slice(0, 3)));
      expect(await sprintEvents(on.engagement.id)).toHaveLength(2);

      // Another mentor may take the 4th learner at the same time.
      await newSprint(on, await newMentor(), { learnerIds: [on.recipients[3]], ...during(20) });
    });

    it('refuses a single sprint of 4 learners', async () => {
      const on = await team();
      expectConflict(
        await postSprint(
          on.engagement.id,
          sprintBody(on, await newMentor(), { learnerIds: on.recipients }),
        ),
        'MENTOR_OVERLOADED',
      );
    });

    it('counts a sprint ending on the day another starts as overlapping; starting the day after does not', async () => {
      const on = await team();
      const mentorId = await newMentor();
      await newSprint(on, mentorId, { learnerIds: on.recipients.slice(0, 3), ...during(0, 28) });
      const sameDay = await postSprint(
        on.engagement.id,
        sprintBody(on, mentorId, { learnerIds: [on.recipients[3]], ...during(28, 28) }),
      );
      expectConflict(sameDay, 'MENTOR_OVERLOADED');
      const dayAfter = await newSprint(on, mentorId, {
        learnerIds: [on.recipients[3]],
        ...during(29, 28),
      });
      expect(dayAfter.startsOn).toBe(daysFromToday(29));
    });

    it('counts a new sprint ending on the day an existing one starts as overlapping; ending the day before does not', async () => {
      const on = await team();
      const mentorId = await newMentor();
      await newSprint(on, mentorId, { learnerIds: on.recipients.slice(0, 3), ...during(30, 28) });
      expectConflict(
        await postSprint(
          on.engagement.id,
          sprintBody(on, mentorId, { learnerIds: [on.recipients[3]], ...during(2, 28) }),
        ),
        'MENTOR_OVERLOADED',
      );
      await newSprint(on, mentorId, { learnerIds: [on.recipients[3]], ...during(1, 28) });
    });

    it('counts a sprint around the new one, completed or not, while its dates overlap', async () => {
      const on = await team();
      const mentorId = await newMentor();
      const long = await newSprint(on, mentorId, {
        learnerIds: on.recipients.slice(0, 3),
        ...during(0, 56),
      });
      await complete(long);
      expectConflict(
        await postSprint(
          on.engagement.id,
          sprintBody(on, mentorId, { learnerIds: [on.recipients[3]], ...during(10, 28) }),
        ),
        'MENTOR_OVERLOADED',
      );
    });

    it('counts the mentor’s sprints across two engagements', async () => {
      const first = await team({ recipients: 2 });
      const second = await team({ recipients: 2 });
      const mentorId = await newMentor();
      await newSprint(first, mentorId, { learnerIds: first.recipients, ...during(0) });
      const refused = await postSprint(
        second.engagement.id,
        sprintBody(second, mentorId, { learnerIds: second.recipients, ...during(14) }),
      );
      expectConflict(refused, 'MENTOR_OVERLOADED');
      expect(await sprintsOf(second.engagement.id)).toEqual([]);
      // One learner more fits: 3 in all.
      await newSprint(second, mentorId, { learnerIds: [second.recipients[0]], ...during(14) });
    });

    it('counts the same learner in two sprints once, within and across engagements', async () => {
      const shared = await newPerson(t);
      const first = await team({ recipients: 2 });
      const second = await team({ recipients: 1 });
      for (const on of [first, second]) {
        const response = await t
          .http()
          .patch(base(on.engagement.id))
          .set(bearer(t.adminKey))
          .send({ knowledgeRecipientIds: [...on.recipients, shared.id] });
        expectStatus(response, 200, 'PATCH recipients');
      }
      const mentorId = await newMentor();
      await newSprint(first, mentorId, {
        learnerIds: [shared.id, ...first.recipients],
        ...during(0),
      });
      // Within the engagement: the same three learners again.
      await newSprint(first, mentorId, {
        learnerIds: [first.recipients[0], shared.id],
        ...during(5),
      });
      // Across engagements: the shared person again, still 3 distinct.
      await newSprint(second, mentorId, { learnerIds: [shared.id], ...during(10) });
      expect(await storedLearnersOf(mentorId)).toEqual(sorted([shared.id, ...first.recipients]));
      // A new person is the 4th.
      expectConflict(
        await postSprint(
          second.engagement.id,
          sprintBody(second, mentorId, { learnerIds: [second.recipients[0]], ...during(10) }),
        ),
        'MENTOR_OVERLOADED',
      );
    });

    it('ignores the mentor’s sprints that do not overlap, and other mentors’ sprints', async () => {
      const on = await team();
      const mentorId = await newMentor();
      await newSprint(on, mentorId, { learnerIds: on.recipients.slice(0, 3), ...during(0) });
      const later = await newSprint(on, mentorId, {
        learnerIds: [on.recipients[3]],
        ...during(40),
      });
      expect(later.learnerIds).toEqual([on.recipients[3]]);
      // Other mentors are not limited by this one's learners.
      await newSprint(on, await newMentor(), { learnerIds: on.recipients.slice(0, 3) });
    });

    itOnPostgres(
      'two requests at once on two engagements, 2 learners each for one mentor: exactly one 201 and one 409 MENTOR_OVERLOADED, round after round',
      async () => {
        for (let round = 0; round < 6; round++) {
          const mentorId = await newMentor();
          const pair = [await team({ recipients: 2 }), await team({ recipients: 2 })];
          const responses = await Promise.all(
            pair.map((on, index) =>
              postSprint(
                on.engagement.id,
                sprintBody(on, mentorId, { learnerIds: on.recipients, ...during(index * 7) }),
              ),
            ),
          );
          expect({ round, statuses: responses.map((r) => r.status).sort() }).toEqual({
            round,
            statuses: [201, 409],
          });
          const refused = responses.find((response) => response.status === 409);
          expectConflict(refused as request.Response, 'MENTOR_OVERLOADED');
          const accepted = pair[responses.findIndex((response) => response.status === 201)];
          expect(await storedLearnersOf(mentorId)).toEqual(sorted(accepted.recipients));
        }
      },
    );

    itOnPostgres(
      'two requests at once that fit together (2 + 1 learners) both succeed',
      async () => {
        for (let round = 0; round < 3; round++) {
          const mentorId = await newMentor();
          const pair = [await team({ recipients: 2 }), await team({ recipients: 1 })];
          const responses = await Promise.all(
            pair.map((on) =>
              postSprint(on.engagement.id, sprintBody(on, mentorId, { learnerIds: on.recipients })),
            ),
          );
          expect(responses.map((response) => response.status)).toEqual([201, 201]);
          expect(await storedLearnersOf(mentorId)).toHaveLength(3);
        }
      },
    );
  });

  // ---------------------------------------------------------------- learning paths

  describe('learning paths', () => {
    it('a learner’s path: their sprints as learner, latest start first, and the engagements where they are a recipient with the handover dates', async () => {
      const on = await team({ recipients: 2, finalDueIn: 120 });
      const later = await team({ recipients: 1, finalDueIn: 150 });
      const learner = on.recipients[0];
      const patched = await t
        .http()
        .patch(base(later.engagement.id))
        .set(bearer(t.adminKey))
        .send({ knowledgeRecipientIds: [...later.recipients, learner] });
      expectStatus(patched, 200, 'PATCH recipients');
      const mentorId = await newMentor();
      const first = await newSprint(on, mentorId, { learnerIds: on.recipients, ...during(0) });
      const second = await newSprint(later, mentorId, { learnerIds: [learner], ...during(30) });
      const completed = await complete(first);

      const path = await pathOf(learner);
      expect(path.personId).toBe(learner);
      expect(path.sprints).toEqual([
        { ...second, role: 'learner' },
        { ...completed, role: 'learner' },
      ]);
      expect(path.drills).toEqual([]);
      expect(path.engagements).toEqual([
        {
          engagementId: on.engagement.id,
          title: on.engagement.title,
          status: 'active',
          independentOperator: false,
          finalHandoverDueDate: daysFromToday(120),
          finalHandoverCompletedOn: null,
        },
        {
          engagementId: later.engagement.id,
          title: later.engagement.title,
          status: 'active',
          independentOperator: false,
          finalHandoverDueDate: daysFromToday(150),
          finalHandoverCompletedOn: null,
        },
      ]);
    });

    it('a mentor’s path: their sprints as mentor, and no engagements when they are no recipient', async () => {
      const on = await team({ recipients: 2 });
      const mentorId = await newMentor();
      const sprint = await newSprint(on, mentorId, { learnerIds: on.recipients });
      const path = await pathOf(mentorId);
      expect(path).toEqual({
        personId: mentorId,
        sprints: [{ ...sprint, role: 'mentor' }],
        drills: [],
        engagements: [],
      });
    });

    it('a recipient who mentors another recipient has both roles in their path', async () => {
      const on = await team({ recipients: 3 });
      const [mentor, learner, other] = on.recipients;
      const taught = await newSprint(on, mentor, { learnerIds: [learner], ...during(0) });
      const learnt = await newSprint(on, other, { learnerIds: [mentor], ...during(5) });
      const path = await pathOf(mentor);
      expect(path.sprints.map((sprint) => [sprint.id, sprint.role])).toEqual([
        [learnt.id, 'learner'],
        [taught.id, 'mentor'],
      ]);
    });

    it('a drill participant’s path lists the drills they took part in and how they went', async () => {
      const on = await team({ recipients: 3 });
      const [participant, colleague] = on.recipients;
      const older = await drill(on, [participant, colleague], {
        outcome: 'partial',
        vendorAssistance: 'advice',
        performedOn: daysFromToday(-10),
      });
      const newer = await drill(
        on,
        [participant],
        { outcome: 'failed', vendorAssistance: 'hands_on', performedOn: daysFromToday(-2) },
        { kind: 'restore' },
      );
      const scheduled = await drill(on, [participant], null, { kind: 'explain' });
      await drill(on, [colleague]);

      const path = await pathOf(participant);
      const expected = (d: DrillBody) => ({
        id: d.id,
        engagementId: on.engagement.id,
        kind: d.kind,
        title: d.title,
        outcome: d.outcome,
        performedOn: d.performedOn,
        vendorAssistance: d.vendorAssistance,
      });
      expect(path.drills).toHaveLength(3);
      expect(path.drills).toEqual(expect.arrayContaining([scheduled, newer, older].map(expected)));
      const recorded = path.drills.filter((d) => d.performedOn !== null).map((d) => d.id);
      expect(recorded).toEqual([newer.id, older.id]);
      expect(path.drills.find((d) => d.id === newer.id)).toMatchObject({
        kind: 'restore',
        outcome: 'failed',
        vendorAssistance: 'hands_on',
        performedOn: daysFromToday(-2),
      });
      expect(path.sprints).toEqual([]);
      expect(path.engagements.map((e) => [e.engagementId, e.independentOperator])).toEqual([
        [on.engagement.id, false],
      ]);
    });

    it('an independent operator’s path marks the engagement where they passed a drill without the vendor', async () => {
      const on = await team({ recipients: 2 });
      const [operator, advised] = on.recipients;
      await drill(on, [operator]);
      await drill(on, [advised], { vendorAssistance: 'advice' });
      const operatorPath = await pathOf(operator);
      expect(operatorPath.engagements).toEqual([
        expect.objectContaining({ engagementId: on.engagement.id, independentOperator: true }),
      ]);
      expect(operatorPath.drills).toEqual([
        expect.objectContaining({ outcome: 'passed', vendorAssistance: 'none' }),
      ]);
      expect((await pathOf(advised)).engagements).toEqual([
        expect.objectContaining({ engagementId: on.engagement.id, independentOperator: false }),
      ]);
    });

    it('a recipient of a completed engagement sees when the final handover was completed', async () => {
      const done = await newEngagementIn(t, 'completed');
      const path = await pathOf(done.knowledgeRecipientId);
      expect(path.engagements).toEqual([
        {
          engagementId: done.engagementId,
          title: done.engagement.title,
          status: 'completed',
          independentOperator: false,
          finalHandoverDueDate: done.finalHandover.dueDate,
          finalHandoverCompletedOn: daysFromToday(0),
        },
      ]);
    });

    it('a recipient of a draft without a final handover has no handover dates in their path', async () => {
      const recipient = await newPerson(t);
      const draft = await newEngagement(t, t.adminKey, { knowledgeRecipientIds: [recipient.id] });
      expect((await pathOf(recipient.id)).engagements).toEqual([
        {
          engagementId: draft.id,
          title: draft.title,
          status: 'draft',
          independentOperator: false,
          finalHandoverDueDate: null,
          finalHandoverCompletedOn: null,
        },
      ]);
    });

    it('a person with no learning has an empty path; an unknown person is 404, a malformed id 400', async () => {
      const nobody = await newPerson(t);
      expect(await pathOf(nobody.id)).toEqual({
        personId: nobody.id,
        sprints: [],
        drills: [],
        engagements: [],
      });
      expectProblem(await get(`/v1/people/${UNKNOWN_ID}/learning`), 404, 'not-found');
      expectBadField(await get('/v1/people/not-a-uuid/learning'), 'id');
    });
  });

  // ---------------------------------------------------------------- the playbook

  describe('the playbook', () => {
    it('lists completed sprints’ lessons and recorded drills’ notes newest first, not planned sprints or unrecorded drills', async () => {
      const on = await team({ recipients: 2 });
      const mentorId = await newMentor();
      const s1 = await lessonsSprint(
        on,
        mentorId,
        'First lesson: label the sample before training.',
      );
      const d1 = await drill(on, [on.recipients[1]], {
        notes: 'The secrets were in the wrong vault path; fixed in the runbook.',
        outcome: 'partial',
      });
      const s2 = await complete(await newSprint(on, mentorId), {
        outcome: 'not_shipped',
        lessons: 'Second lesson: the staging cluster needs a quota raise first.',
      });
      const d2 = await drill(on, [on.recipients[1]], {
        notes: 'Deployed alone in 40 minutes, no vendor help needed.',
      });
      await newSprint(on, mentorId); // planned: no lessons yet
      await drill(on, [on.recipients[1]], null); // scheduled: no notes yet

      const items = await entries({ engagementId: on.engagement.id });
      expect(items).toEqual([
        {
          kind: 'drill',
          id: d2.id,
          engagementId: on.engagement.id,
          title: d2.title,
          text: 'Deployed alone in 40 minutes, no vendor help needed.',
          outcome: 'passed',
          at: d2.recordedAt,
        },
        {
          kind: 'sprint',
          id: s2.id,
          engagementId: on.engagement.id,
          title: s2.goal,
          text: s2.lessons,
          outcome: 'not_shipped',
          at: s2.completedAt,
        },
        {
          kind: 'drill',
          id: d1.id,
          engagementId: on.engagement.id,
          title: d1.title,
          text: d1.notes,
          outcome: 'partial',
          at: d1.recordedAt,
        },
        {
          kind: 'sprint',
          id: s1.id,
          engagementId: on.engagement.id,
          title: s1.goal,
          text: s1.lessons,
          outcome: 'shipped',
          at: s1.completedAt,
        },
      ]);
    });

    it('filters by kind and by engagementId', async () => {
      const on = await team({ recipients: 2 });
      const other = await team({ recipients: 2 });
      const mentorId = await newMentor();
      const sprint = await lessonsSprint(on, mentorId, 'Keep the feature flags in one place.');
      const drilled = await drill(on, [on.recipients[1]], { notes: 'Rollback took 3 minutes.' });
      const otherSprint = await lessonsSprint(other, mentorId, 'Name the queues after owners.');
      const otherDrill = await drill(other, [other.recipients[1]], {
        notes: 'Paged the wrong team.',
      });

      const ids = (items: EntryBody[]) => items.map((item) => item.id);
      expect(ids(await entries({ engagementId: on.engagement.id }))).toEqual([
        drilled.id,
        sprint.id,
      ]);
      expect(ids(await entries({ engagementId: on.engagement.id, kind: 'sprint' }))).toEqual([
        sprint.id,
      ]);
      expect(ids(await entries({ engagementId: on.engagement.id, kind: 'drill' }))).toEqual([
        drilled.id,
      ]);
      const sprints = await entries({ kind: 'sprint' });
      expect(sprints.every((item) => item.kind === 'sprint')).toBe(true);
      expect(ids(sprints)).toEqual(expect.arrayContaining([sprint.id, otherSprint.id]));
      const drills = await entries({ kind: 'drill' });
      expect(drills.every((item) => item.kind === 'drill')).toBe(true);
      expect(ids(drills)).toEqual(expect.arrayContaining([drilled.id, otherDrill.id]));
      const everything = ids(await entries({}));
      expect(everything).toEqual(
        expect.arrayContaining([sprint.id, drilled.id, otherSprint.id, otherDrill.id]),
      );
      // Newest first across engagements.
      expect(everything.indexOf(otherDrill.id)).toBeLessThan(everything.indexOf(drilled.id));
      expect(await entries({ engagementId: UNKNOWN_ID })).toEqual([]);

      expectBadField(await playbook({ kind: 'lesson' }), 'kind');
      expectBadField(await playbook({ engagementId: 'not-a-uuid' }), 'engagementId');
    });

    it('pages with a cursor, without and with q, every entry once in the same order', async () => {
      const on = await team({ recipients: 2 });
      const mentorId = await newMentor();
      for (let i = 0; i < 3; i++) {
        await lessonsSprint(on, mentorId, `Rotate the signing keys before lesson number ${i}.`);
        await drill(on, [on.recipients[1]], { notes: `Rotate the signing keys, drill ${i}.` });
      }
      await lessonsSprint(on, mentorId, 'Rotate keys, rotate often, rotate the signing keys.');

      for (const query of [
        { engagementId: on.engagement.id },
        { engagementId: on.engagement.id, q: 'rotate signing keys' },
        { engagementId: on.engagement.id, q: 'rotate', kind: 'sprint' },
      ]) {
        const whole = await entries(query);
        expect(whole.length).toBeGreaterThan(2);
        for (const limit of [1, 2, 3]) {
          const paged = await allPages(query, limit);
          expect({ query, limit, ids: paged.map((e) => e.id) }).toEqual({
            query,
            limit,
            ids: whole.map((e) => e.id),
          });
        }
      }
      expect(await entries({ engagementId: on.engagement.id })).toHaveLength(7);
    });

    it('ranks the entry that matches the query words more often first, rank non-increasing, with the match highlighted', async () => {
      const on = await team({ recipients: 2 });
      const mentorId = await newMentor();
      const once = await lessonsSprint(
        on,
        mentorId,
        'Check the restore window and the backup owner with the database team before cutover.',
        'Cutover readiness',
      );
      const often = await lessonsSprint(
        on,
        mentorId,
        'Restore the backup first, then restore the index from the backup: a restore of the backup without the index fails.',
        'Database operations',
      );
      const twice = await drill(
        on,
        [on.recipients[1]],
        {
          notes:
            'We had to restore the backup twice: the first restore of the nightly backup was corrupt.',
        },
        { title: 'Quarterly database drill' },
      );
      const unrelated = await lessonsSprint(
        on,
        mentorId,
        'Restore the cache only after the warm-up script has finished.',
        'Cache warm-up',
      );

      const items = await entries({ engagementId: on.engagement.id, q: 'restore backup' });
      expect(items.map((item) => item.id)).toEqual([often.id, twice.id, once.id]);
      expect(items.map((item) => item.id)).not.toContain(unrelated.id);
      const ranks = items.map((item) => item.rank as number);
      for (const rank of ranks) expect(rank).toEqual(expect.any(Number));
      expect(ranks[0]).toBeGreaterThan(ranks[2]);
      for (let i = 1; i < ranks.length; i++) expect(ranks[i]).toBeLessThanOrEqual(ranks[i - 1]);
      for (const item of items) {
        expect(item.headline).toMatch(/<b>restore<\/b>/i);
        expect(item.headline).toMatch(/<b>backup<\/b>/i);
        expect(item.headline?.replace(/<\/?b>/g, '')).not.toMatch(/[<>]/);
      }
      expect(items[0]).toMatchObject({
        kind: 'sprint',
        title: 'Database operations',
        text: often.lessons,
        at: often.completedAt,
      });

      // Either word, in websearch syntax: the entry with one of them too.
      const either = await entries({ engagementId: on.engagement.id, q: 'restore or backup' });
      expect(sorted(either.map((item) => item.id))).toEqual(
        sorted([often.id, twice.id, once.id, unrelated.id]),
      );
      // A quoted phrase: only the words next to each other.
      const phrase = await entries({ engagementId: on.engagement.id, q: '"nightly backup"' });
      expect(phrase.map((item) => item.id)).toEqual([twice.id]);
      // Excluding a word.
      const without = await entries({ engagementId: on.engagement.id, q: 'restore -backup' });
      expect(without.map((item) => item.id)).toEqual([unrelated.id]);
    });

    it('finds the match in the goal or drill title too, and nothing for a word in no entry', async () => {
      const on = await team({ recipients: 2 });
      const sprint = await lessonsSprint(
        on,
        await newMentor(),
        'Always pair with someone from the platform team.',
        'Kubernetes upgrades without the vendor',
      );
      const items = await entries({ engagementId: on.engagement.id, q: 'kubernetes' });
      expect(items.map((item) => item.id)).toEqual([sprint.id]);
      expect(typeof items[0].headline).toBe('string');
      expect(await entries({ engagementId: on.engagement.id, q: 'zeppelin' })).toEqual([]);
    });

    it('stems: q "restoring" finds "restore", and "snapshot" finds "snapshots"', async () => {
      const on = await team({ recipients: 2 });
      const sprint = await lessonsSprint(
        on,
        await newMentor(),
        'We learned to restore the ledger snapshots by hand when the job stalls.',
        'Ledger operations',
      );
      const restoring = await entries({ engagementId: on.engagement.id, q: 'restoring' });
      expect(restoring.map((item) => item.id)).toEqual([sprint.id]);
      expect(restoring[0].headline).toContain('<b>restore</b>');
      const snapshot = await entries({ engagementId: on.engagement.id, q: 'snapshot' });
      expect(snapshot.map((item) => item.id)).toEqual([sprint.id]);
      expect(snapshot[0].headline).toContain('<b>snapshots</b>');
    });

    it('the headline is markup only in its <b> tags: the text’s own < > & are escaped', async () => {
      const on = await team({ recipients: 2 });
      const lessons =
        'Restore from <img src=x onerror=alert(1)> & <script>alert(2)</script> the nightly dump.';
      const sprint = await lessonsSprint(on, await newMentor(), lessons, 'Hostile markup');
      const [item] = await entries({ engagementId: on.engagement.id, q: 'restore' });
      expect(item).toMatchObject({ id: sprint.id, text: lessons });
      expect(item.headline).toMatch(/<b>Restore<\/b>/);
      expect(item.headline?.replace(/<\/?b>/g, '')).not.toMatch(/[<>]/);
      expect(item.headline).toContain('&#60;img');
    });

    it('refuses a limit outside 1–200 with 400 naming limit', async () => {
      for (const limit of [0, 201, -1, 'ten']) {
        expectBadField(await playbook({ limit }), 'limit');
      }
    });

    it('refuses a q of 10,000 characters, and of 201, with 400 naming q; accepts 200', async () => {
      expectBadField(await playbook({ q: 'restore '.repeat(1250) }), 'q');
      expectBadField(await playbook({ q: 'r'.repeat(201) }), 'q');
      const response = await playbook({ q: 'r'.repeat(200) });
      expectStatus(response, 200, 'GET playbook q of 200 characters');
      expect(response.body).toEqual({ items: [], nextCursor: null });
    });

    it.each([
      '&|!():*',
      'restore & backup',
      'restore | backup',
      '!restore',
      '!!!!',
      '(((restore',
      'restore)))',
      'restore:*',
      ':*',
      'restore <-> backup',
      '<->',
      '"unclosed phrase',
      '""',
      "'",
      "''restore''",
      '\\',
      '\\\\\\',
      'restore\\:*',
      `"'\\&|!():*`,
      '- - -',
      'or or or',
      'and & or | not !',
      'restore:A',
      '\'restore\':*A & !("backup" | \\index)',
      '@@ to_tsquery(1)',
      "'; DROP TABLE learning_sprints; --",
      '%',
      '*',
      '𝔘𝔫𝔦𝔠𝔬𝔡𝔢 👩‍💻',
      'مرحبا',
    ])('answers q %j with 200 and ranked entries (a safe search, never a 500)', async (q) => {
      const response = await playbook({ q });
      expectStatus(response, 200, `GET playbook q=${q}`);
      for (const item of response.body.items as EntryBody[]) {
        expect(item).toMatchObject({ rank: expect.any(Number), headline: expect.any(String) });
      }
    });

    it('refuses a q with a NUL character with 400 naming q', async () => {
      expectBadField(await playbook({ q: 'restore\u0000backup' }), 'q');
    });

    it('refuses q given twice with 400 naming q', async () => {
      expectBadField(await t.http().get('/v1/playbook?q=a&q=b').set(bearer(t.adminKey)), 'q');
    });

    it('treats a q that is empty after trimming as no q', async () => {
      const on = await team({ recipients: 2 });
      await lessonsSprint(on, await newMentor(), 'Write the runbook while you do it, not after.');
      await drill(on, [on.recipients[1]], { notes: 'Nobody knew where the runbook lived.' });
      const plain = await playbook({ engagementId: on.engagement.id });
      expectStatus(plain, 200, 'GET playbook');
      expect(plain.body.items).toHaveLength(2);
      for (const q of ['', '   ', '\t\n ']) {
        const response = await playbook({ engagementId: on.engagement.id, q });
        expectStatus(response, 200, `GET playbook q=${JSON.stringify(q)}`);
        expect(response.body).toEqual(plain.body);
        for (const item of response.body.items) {
          expect(item).not.toHaveProperty('rank');
          expect(item).not.toHaveProperty('headline');
        }
      }
      // A cursor of the plain list works with a blank q, which is no q.
      const first = await playbook({ engagementId: on.engagement.id, limit: 1 });
      const next = await playbook({
        engagementId: on.engagement.id,
        limit: 1,
        q: '  ',
        cursor: first.body.nextCursor,
      });
      expectStatus(next, 200, 'GET playbook page 2 with a blank q');
      expect(idsOf(next)).toEqual([plain.body.items[1].id]);
    });

    it('refuses a forged cursor with 400 naming cursor, with and without q', async () => {
      const on = await team({ recipients: 2 });
      const mentorId = await newMentor();
      await lessonsSprint(on, mentorId, 'Restore drills go faster with a checklist.');
      await lessonsSprint(on, mentorId, 'Restore the checklist from the wiki first.');
      const plain = await playbook({ engagementId: on.engagement.id, limit: 1 });
      const searched = await playbook({ engagementId: on.engagement.id, q: 'restore', limit: 1 });
      expect(plain.body.nextCursor).toEqual(expect.any(String));
      expect(searched.body.nextCursor).toEqual(expect.any(String));

      const forged = [
        'not-a-cursor',
        '!!!',
        'x'.repeat(600),
        forge('a string'),
        forge([]),
        forge(['2026-12-01T10:00:00.000Z']),
        forge(['2026-02-30T10:00:00.000Z', UNKNOWN_ID]),
        forge(['2026-12-01T10:00:00.000Z', 'not-a-uuid']),
        forge([1, UNKNOWN_ID]),
        forge({ at: '2026-12-01T10:00:00.000Z', id: UNKNOWN_ID }),
      ];
      for (const cursor of [...forged, searched.body.nextCursor]) {
        expectBadField(await playbook({ cursor }), 'cursor');
      }
      const forgedSearch = [
        ...forged,
        forge(['0.5', '2026-12-01T10:00:00.000Z', UNKNOWN_ID]),
        forge([null, '2026-12-01T10:00:00.000Z', UNKNOWN_ID]),
        Buffer.from(`[1e999,"2026-12-01T10:00:00.000Z","${UNKNOWN_ID}"]`).toString('base64url'),
        plain.body.nextCursor,
      ];
      for (const cursor of forgedSearch) {
        expectBadField(await playbook({ q: 'restore', cursor }), 'cursor');
      }
      // Well-formed positions nobody was given still answer a page.
      const elsewhere = await playbook({
        q: 'restore',
        cursor: forge([1e30, '2999-01-01T00:00:00.000Z', UNKNOWN_ID]),
      });
      expectStatus(elsewhere, 200, 'GET playbook at a made-up position');
    });
  });

  // ---------------------------------------------------------------- events, audit, risk

  describe('events, audit and risk', () => {
    it('the feed carries learning_sprint.created and .completed with the sprint as data, its engagement and vendor', async () => {
      const on = await team({ recipients: 2 });
      const created = await newSprint(on, await newMentor(), { learnerIds: on.recipients });
      const completed = await complete(created);
      const events = await sprintEvents(on.engagement.id);
      expect(events.map((event) => event.type)).toEqual([
        'learning_sprint.created',
        'learning_sprint.completed',
      ]);
      expect(events[0]).toMatchObject({
        engagementId: on.engagement.id,
        vendorId: on.engagement.vendorId,
        actor: { role: 'admin' },
      });
      expect(events[0].data).toEqual(created);
      expect(events[1]).toMatchObject({
        engagementId: on.engagement.id,
        vendorId: on.engagement.vendorId,
      });
      expect(events[1].data).toEqual(completed);
      expect(events[1].seq).toBeGreaterThan(events[0].seq);
      const byType = await get('/v1/events', { type: 'learning_sprint.completed', limit: 200 });
      expectStatus(byType, 200, 'GET events by type');
      expect(byType.body.items.map((event: EventBody) => event.data.id)).toContain(created.id);
    });

    it('a refused sprint write emits no event and writes no audit event', async () => {
      const on = await team();
      const mentorId = await newMentor();
      const outsider = await newPerson(t);
      const [{ count: before }] = await t.dataSource.query(
        `SELECT count(*)::int AS count FROM audit_events WHERE entity_type = 'learning_sprint'`,
      );
      expectBadField(
        await postSprint(on.engagement.id, sprintBody(on, mentorId, { learnerIds: [outsider.id] })),
        'learnerIds[0]',
      );
      expectConflict(
        await postSprint(on.engagement.id, sprintBody(on, mentorId, { learnerIds: on.recipients })),
        'MENTOR_OVERLOADED',
      );
      const future = await newSprint(on, mentorId, during(3));
      expectConflict(
        await postComplete(on.engagement.id, future.id, completeBody()),
        'SPRINT_NOT_STARTED',
      );
      expect((await sprintEvents(on.engagement.id)).map((event) => event.type)).toEqual([
        'learning_sprint.created',
      ]);
      const [{ count: after }] = await t.dataSource.query(
        `SELECT count(*)::int AS count FROM audit_events WHERE entity_type = 'learning_sprint'`,
      );
      expect(after).toBe(before + 1);
    });

    it('the audit trail records learning_sprint.created and .completed with entityType learning_sprint', async () => {
      const on = await team({ recipients: 2 });
      const mentorId = await newMentor();
      const sprint = await newSprint(on, mentorId, { learnerIds: on.recipients });
      await complete(sprint, { outcome: 'partial' });
      const events = await auditEventsOf(t, 'learning_sprint', sprint.id);
      expect(events.map((event) => [event.entityType, event.action])).toEqual([
        ['learning_sprint', 'learning_sprint.created'],
        ['learning_sprint', 'learning_sprint.completed'],
      ]);
      expect(events[0].actor).toMatchObject({ role: 'admin' });
      expect(events[0].changes).toMatchObject({
        goal: { from: null, to: sprint.goal },
        mentorId: { from: null, to: mentorId },
        learnerIds: { from: null, to: sorted(on.recipients) },
      });
      expect(events[1].changes).toMatchObject({
        status: { from: 'planned', to: 'completed' },
        outcome: { from: null, to: 'partial' },
        evidenceUrl: { from: null, to: EVIDENCE_URL },
        lessons: { from: null, to: LESSONS },
      });
      const byType = await get('/v1/audit-events', { entityType: 'learning_sprint', limit: 200 });
      expectStatus(byType, 200, 'GET audit-events?entityType=learning_sprint');
      const items = byType.body.items as { entityType: string; entityId: string }[];
      expect(items.every((event) => event.entityType === 'learning_sprint')).toBe(true);
      expect(items.map((event) => event.entityId)).toContain(sprint.id);
    });

    it('finds no risk mismatch after sprint writes of every kind, concurrent ones included', async () => {
      const planned = await team({ recipients: 4, finalDueIn: 70 });
      const { engagement, recipients, finalHandover } = planned;
      await expectRiskConsistent('activate');
      const mentorId = await newMentor();

      const sprint = await newSprint(planned, mentorId, {
        learnerIds: [recipients[0]],
        ...during(0, 40),
      });
      await expectRiskConsistent('plan a sprint');
      await complete(sprint);
      await expectRiskConsistent('complete a sprint');

      const patchMilestone = async (dueDate: string) => {
        const response = await t
          .http()
          .patch(`${base(engagement.id)}/milestones/${finalHandover.id}`)
          .set(bearer(t.adminKey))
          .send({ dueDate, reason: 'The vendor team ramp-up took longer' });
        expectStatus(response, 200, 'PATCH final handover');
      };
      await patchMilestone(daysFromToday(30)); // before the sprint's end
      await expectRiskConsistent('move the final handover before the sprint ends');
      await patchMilestone(daysFromToday(70));
      await expectRiskConsistent('move the final handover after the sprint ends');

      const patchRecipients = async (knowledgeRecipientIds: string[]) => {
        const response = await t
          .http()
          .patch(base(engagement.id))
          .set(bearer(t.adminKey))
          .send({ knowledgeRecipientIds });
        expectStatus(response, 200, 'PATCH recipients');
      };
      await patchRecipients(recipients.slice(1));
      await expectRiskConsistent('remove a learner from the recipients');
      await patchRecipients(recipients);
      await expectRiskConsistent('re-add the learner');

      // Refused writes change nothing.
      expectConflict(
        await postSprint(engagement.id, sprintBody(planned, mentorId, { learnerIds: recipients })),
        'MENTOR_OVERLOADED',
      );
      expectConflict(
        await postComplete(engagement.id, sprint.id, completeBody()),
        'SPRINT_ALREADY_COMPLETED',
      );
      await expectRiskConsistent('refused sprint writes');

      // Concurrent creations and completions on one engagement, by different mentors.
      const concurrent = await Promise.all(
        recipients
          .slice(1)
          .map(async (learner, index) =>
            postSprint(
              engagement.id,
              sprintBody(planned, await newMentor(), { learnerIds: [learner], ...during(-index) }),
            ),
          ),
      );
      for (const response of concurrent) expectStatus(response, 201, 'concurrent POST sprint');
      await expectRiskConsistent('concurrent plans');
      const completions = await Promise.all(
        concurrent.map((response) =>
          postComplete(engagement.id, response.body.id as string, completeBody()),
        ),
      );
      for (const response of completions) expectStatus(response, 200, 'concurrent complete');
      await expectRiskConsistent('concurrent completions');

      // Sprints on another engagement of a shared mentor, then closing both.
      const other = await team({ recipients: 2 });
      await newSprint(other, mentorId, { learnerIds: other.recipients, ...during(45) });
      await expectRiskConsistent('a sprint on another engagement');
      await act(t, `${base(other.engagement.id)}/cancel`, { reason: 'Budget withdrawn' });
      await expectRiskConsistent('cancel an engagement with a planned sprint');
    });
  });
});
