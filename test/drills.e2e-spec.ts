import { jest } from '@jest/globals';
import type request from 'supertest';
import { Clock } from '../src/common/clock.js';
import { addDays } from '../src/common/dates.js';
import { verifyRisk } from '../src/risk/risk-maintenance.js';
import {
  act,
  activeEngagement,
  auditEventsOf,
  daysFromToday,
  draftEngagement,
  type EngagementBody,
  type EngagementPlan,
  newArtifact,
  newPerson,
  newVendor,
  type PlannedEngagement,
  readyToActivate,
  uniqueSuffix,
  validSpec,
} from './factories.js';
import { bearer, createTestApp, expectProblem, type TestApp } from './test-app.js';

/**
 * Capability evidence (SPEC §8): drills planned and recorded once, the independent operators
 * they prove (passed without vendor help, within OPERATOR_EVIDENCE_DAYS, current recipients),
 * exit plans and criticality, the signals and forecast built on them, the completion gate,
 * the list filters, events and audit, and the stored risk facts staying consistent.
 */

const UNKNOWN_ID = '00000000-0000-4000-8000-000000000000';
const OPERATOR_EVIDENCE_DAYS = 180;
const EVIDENCE_URL = 'https://wiki.example.com/drills/restore-2027-02';

const EXIT_PLAN = {
  strategy: 'insource',
  summary: 'The Data Platform team takes over operations with the vendor runbooks.',
  triggers: ['The vendor misses two handover dates', 'The vendor is acquired'],
};

type Level = 'none' | 'low' | 'medium' | 'high' | 'critical';

interface DrillBody {
  id: string;
  engagementId: string;
  kind: string;
  title: string;
  scenario: string;
  participantIds: string[];
  artifactIds: string[];
  scheduledOn: string | null;
  status: 'scheduled' | 'recorded';
  outcome: 'passed' | 'partial' | 'failed' | null;
  performedOn: string | null;
  vendorAssistance: 'none' | 'advice' | 'hands_on' | null;
  durationMinutes: number | null;
  evidenceUrl: string | null;
  observedById: string | null;
  notes: string | null;
  recordedAt: string | null;
  createdAt: string;
  updatedAt: string;
  version: number;
}

/** An engagement response with the fields of SPEC §8. */
type CapableEngagement = EngagementBody & {
  criticality: 'standard' | 'important' | 'critical';
  exitPlan?: {
    strategy: string;
    summary: string;
    triggers: string[];
    alternativeVendorId?: string;
    lastTestedOn: string | null;
  };
  minIndependentOperators: number;
  independentOperatorIds: string[];
};

interface SignalBody {
  code: string;
  severity: Exclude<Level, 'none'>;
  message: string;
  data: Record<string, unknown>;
}

interface RiskBody {
  engagementId: string;
  asOf: string;
  level: Level;
  score: number;
  signals: SignalBody[];
  forecast: { on: string; level: Level; score: number; raised: string[]; cleared: string[] }[];
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

/** An active (or draft) engagement with its recipients, ready for drills. */
type Team = PlannedEngagement & { recipients: string[] };

const noonOf = (days: number): Date => new Date(`${daysFromToday(days)}T12:00:00.000Z`);
const sorted = (ids: string[]) => [...ids].sort();

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

describe('drills, independent operators and exit plans (SPEC §8)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp();
  });
  afterEach(() => jest.restoreAllMocks());
  afterAll(() => t.close());

  // ---------------------------------------------------------------- helpers

  const base = (engagementId: string) => `/v1/engagements/${engagementId}`;
  const drillsPath = (engagementId: string) => `${base(engagementId)}/drills`;

  function setToday(days: number): void {
    jest.spyOn(t.app.get(Clock), 'now').mockReturnValue(noonOf(days));
  }

  const get = (path: string, query: Record<string, unknown> = {}, key = t.adminKey) =>
    t.http().get(path).query(query).set(bearer(key));

  const drillBody = (participantIds: string[], overrides: Record<string, unknown> = {}) => ({
    kind: 'restore',
    title: `Restore the extraction database ${uniqueSuffix()}`,
    scenario: 'The primary database is lost at 09:00; restore it from the nightly backup.',
    participantIds,
    ...overrides,
  });

  const postDrill = (engagementId: string, body: object, key = t.adminKey) =>
    t.http().post(drillsPath(engagementId)).set(bearer(key)).send(body);

  const recordBody = (observedById: string, overrides: Record<string, unknown> = {}) => ({
    outcome: 'passed',
    performedOn: daysFromToday(0),
    vendorAssistance: 'none',
    evidenceUrl: EVIDENCE_URL,
    observedById,
    ...overrides,
  });

  const postRecord = (
    engagementId: string,
    drillId: string,
    body: object,
    headers: Record<string, string> = {},
    key = t.adminKey,
  ) =>
    t
      .http()
      .post(`${drillsPath(engagementId)}/${drillId}/record`)
      .set(bearer(key))
      .set(headers)
      .send(body);

  async function newDrill(
    engagementId: string,
    participantIds: string[],
    overrides: Record<string, unknown> = {},
  ): Promise<DrillBody> {
    const response = await postDrill(engagementId, drillBody(participantIds, overrides));
    expectStatus(response, 201, 'POST drill');
    return response.body as DrillBody;
  }

  async function record(
    engagement: { id: string; productOwnerId: string },
    drillId: string,
    overrides: Record<string, unknown> = {},
  ): Promise<DrillBody> {
    const response = await postRecord(
      engagement.id,
      drillId,
      recordBody(engagement.productOwnerId, overrides),
    );
    expectStatus(response, 200, 'POST record');
    return response.body as DrillBody;
  }

  /** A drill of these participants, planned and recorded (by default passed, no vendor help, today). */
  async function drilled(
    engagement: { id: string; productOwnerId: string },
    participantIds: string[],
    recordOverrides: Record<string, unknown> = {},
    drillOverrides: Record<string, unknown> = {},
  ): Promise<DrillBody> {
    const drill = await newDrill(engagement.id, participantIds, drillOverrides);
    return record(engagement, drill.id, recordOverrides);
  }

  async function team(plan: EngagementPlan = {}, activate = true): Promise<Team> {
    const built = activate ? await activeEngagement(t, plan) : await draftEngagement(t, plan);
    return { ...built, recipients: built.engagement.knowledgeRecipientIds };
  }

  async function engagementOf(id: string): Promise<CapableEngagement> {
    const response = await get(base(id));
    expectStatus(response, 200, 'GET engagement');
    return response.body as CapableEngagement;
  }

  async function patchEngagement(id: string, body: object): Promise<CapableEngagement> {
    const response = await t.http().patch(base(id)).set(bearer(t.adminKey)).send(body);
    expectStatus(response, 200, 'PATCH engagement');
    return response.body as CapableEngagement;
  }

  async function riskOf(id: string, asOf?: string): Promise<RiskBody> {
    const response = await get(`${base(id)}/risk`, asOf ? { asOf } : {});
    expectStatus(response, 200, 'GET risk');
    return response.body as RiskBody;
  }

  const signalOf = (risk: RiskBody, code: string) =>
    risk.signals.find((signal) => signal.code === code);

  async function operatorsOf(id: string): Promise<string[]> {
    return (await engagementOf(id)).independentOperatorIds;
  }

  const engagementCreateBody = async (overrides: Record<string, unknown> = {}) => {
    const owner = await newPerson(t);
    return {
      title: `Capability ${uniqueSuffix()}`,
      vendorId: (await newVendor(t)).id,
      productOwnerId: owner.id,
      spec: validSpec(owner.id),
      ...overrides,
    };
  };

  const postEngagement = async (overrides: Record<string, unknown> = {}) =>
    t
      .http()
      .post('/v1/engagements')
      .set(bearer(t.adminKey))
      .send(await engagementCreateBody(overrides));

  /** Brings an active engagement to `status`: completed (its KT done first) or cancelled. */
  async function close(planned: PlannedEngagement, status: 'completed' | 'cancelled') {
    const { engagement } = planned;
    if (status === 'cancelled') {
      await act(t, `${base(engagement.id)}/cancel`, { reason: 'Budget withdrawn' });
      return;
    }
    for (const artifact of planned.artifacts) {
      await act(t, `${base(engagement.id)}/artifacts/${artifact.id}/deliver`, {
        evidenceUrl: 'https://wiki.example.com/runbook',
      });
      await act(t, `${base(engagement.id)}/artifacts/${artifact.id}/accept`, {
        acceptedById: engagement.productOwnerId,
      });
    }
    await act(t, `${base(engagement.id)}/milestones/${planned.finalHandover.id}/complete`);
    await act(t, `${base(engagement.id)}/complete`);
  }

  async function drillEvents(engagementId: string): Promise<EventBody[]> {
    const response = await get('/v1/events', {
      engagementId,
      type: ['drill.created', 'drill.recorded'],
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

  // ---------------------------------------------------------------- create, record, read

  describe('planning, recording and reading drills', () => {
    it('plans a drill: 201 with its participants and artifacts, scheduled and not yet recorded', async () => {
      const planned = await team({ recipients: 2 });
      const { engagement, recipients, artifacts } = planned;
      const response = await postDrill(
        engagement.id,
        drillBody([recipients[1], recipients[0]], {
          kind: 'restore',
          scheduledOn: daysFromToday(7),
          artifactIds: [artifacts[0].id],
        }),
      );
      expectStatus(response, 201, 'POST drill');
      expect(response.headers.etag).toBe('"1"');
      const drill = response.body as DrillBody;
      expect(drill).toMatchObject({
        id: expect.any(String),
        engagementId: engagement.id,
        kind: 'restore',
        scheduledOn: daysFromToday(7),
        status: 'scheduled',
        artifactIds: [artifacts[0].id],
        outcome: null,
        performedOn: null,
        vendorAssistance: null,
        durationMinutes: null,
        evidenceUrl: null,
        observedById: null,
        notes: null,
        recordedAt: null,
        version: 1,
      });
      expect(sorted(drill.participantIds)).toEqual(sorted(recipients));
      // Planned is not proven: nobody is an independent operator yet.
      expect(await operatorsOf(engagement.id)).toEqual([]);
    });

    it('records how the drill went: 200, the record becomes the drill’s own fields and status recorded', async () => {
      const { engagement, recipients } = await team({ recipients: 2 });
      const drill = await newDrill(engagement.id, [recipients[0]], { kind: 'deploy' });
      const response = await postRecord(
        engagement.id,
        drill.id,
        recordBody(recipients[1], {
          performedOn: daysFromToday(-2),
          durationMinutes: 95,
          notes: 'The deploy took two tries: the secrets were in the wrong vault path.',
        }),
      );
      expectStatus(response, 200, 'POST record');
      expect(response.headers.etag).toBe('"2"');
      expect(response.body).toMatchObject({
        id: drill.id,
        engagementId: engagement.id,
        kind: 'deploy',
        title: drill.title,
        participantIds: [recipients[0]],
        status: 'recorded',
        outcome: 'passed',
        performedOn: daysFromToday(-2),
        vendorAssistance: 'none',
        durationMinutes: 95,
        evidenceUrl: EVIDENCE_URL,
        observedById: recipients[1],
        notes: 'The deploy took two tries: the secrets were in the wrong vault path.',
        recordedAt: expect.any(String),
        version: 2,
      });

      const fetched = await get(`${drillsPath(engagement.id)}/${drill.id}`);
      expectStatus(fetched, 200, 'GET drill');
      expect(fetched.headers.etag).toBe('"2"');
      expect(fetched.body).toEqual(response.body);
    });

    it('lists the engagement’s drills oldest first, page by page, and none of another engagement', async () => {
      const { engagement, recipients } = await team();
      const other = await team();
      const ids: string[] = [];
      for (let i = 0; i < 3; i++) ids.push((await newDrill(engagement.id, [recipients[0]])).id);
      await newDrill(other.engagement.id, [other.recipients[0]]);

      const first = await get(drillsPath(engagement.id), { limit: 2 });
      expectStatus(first, 200, 'GET drills');
      expect(first.body.items.map((drill: DrillBody) => drill.id)).toEqual(ids.slice(0, 2));
      expect(first.body.nextCursor).toEqual(expect.any(String));
      const second = await get(drillsPath(engagement.id), {
        limit: 2,
        cursor: first.body.nextCursor,
      });
      expectStatus(second, 200, 'GET drills page 2');
      expect(second.body.items.map((drill: DrillBody) => drill.id)).toEqual(ids.slice(2));
      expect(second.body.nextCursor).toBeNull();

      const all = await get(drillsPath(engagement.id));
      expect(all.body.items.map((drill: DrillBody) => drill.id)).toEqual(ids);
      expect(all.body.items[0]).toMatchObject({
        engagementId: engagement.id,
        participantIds: [recipients[0]],
      });
    });

    it('lists no drills for an engagement that has none', async () => {
      const { engagement } = await team();
      const response = await get(drillsPath(engagement.id));
      expectStatus(response, 200, 'GET drills');
      expect(response.body).toEqual({ items: [], nextCursor: null });
    });

    it('records with a current If-Match, and answers 412 for a stale one without recording', async () => {
      const { engagement, recipients } = await team();
      const drill = await newDrill(engagement.id, [recipients[0]]);
      const stale = await postRecord(
        engagement.id,
        drill.id,
        recordBody(engagement.productOwnerId),
        { 'If-Match': '"7"' },
      );
      expectProblem(stale, 412);
      const unchanged = await get(`${drillsPath(engagement.id)}/${drill.id}`);
      expect(unchanged.body).toMatchObject({ status: 'scheduled', version: 1 });

      const current = await postRecord(
        engagement.id,
        drill.id,
        recordBody(engagement.productOwnerId),
        { 'If-Match': '"1"' },
      );
      expectStatus(current, 200, 'POST record with If-Match');
      expect(current.body).toMatchObject({ status: 'recorded', version: 2 });
    });

    it('refuses a second record with 409 DRILL_ALREADY_RECORDED and keeps the first', async () => {
      const { engagement, recipients } = await team();
      const first = await drilled(engagement, [recipients[0]], { outcome: 'failed' });
      const again = await postRecord(
        engagement.id,
        first.id,
        recordBody(engagement.productOwnerId, { outcome: 'passed' }),
      );
      const problem = expectProblem(again, 409, 'conflict');
      expect(codesOf(problem)).toEqual(['DRILL_ALREADY_RECORDED']);
      const fetched = await get(`${drillsPath(engagement.id)}/${first.id}`);
      expect(fetched.body).toEqual(first);
      expect(await operatorsOf(engagement.id)).toEqual([]);
    });

    it.each(['completed', 'cancelled'] as const)(
      'refuses to plan a drill on a %s engagement with 409 ENGAGEMENT_CLOSED',
      async (status) => {
        const planned = await team();
        await close(planned, status);
        const response = await postDrill(planned.engagement.id, drillBody([planned.recipients[0]]));
        expect(codesOf(expectProblem(response, 409, 'conflict'))).toEqual(['ENGAGEMENT_CLOSED']);
        const list = await get(drillsPath(planned.engagement.id));
        expect(list.body.items).toEqual([]);
      },
    );

    it.each(['completed', 'cancelled'] as const)(
      'refuses to record a drill of a %s engagement with 409 ENGAGEMENT_CLOSED, and still serves it',
      async (status) => {
        const planned = await team();
        const drill = await newDrill(planned.engagement.id, [planned.recipients[0]]);
        await close(planned, status);
        const response = await postRecord(
          planned.engagement.id,
          drill.id,
          recordBody(planned.engagement.productOwnerId),
        );
        expect(codesOf(expectProblem(response, 409, 'conflict'))).toEqual(['ENGAGEMENT_CLOSED']);
        const fetched = await get(`${drillsPath(planned.engagement.id)}/${drill.id}`);
        expectStatus(fetched, 200, 'GET drill of a closed engagement');
        expect(fetched.body).toEqual(drill);
      },
    );

    it('answers 404 on every drill operation for an engagement that does not exist', async () => {
      const person = await newPerson(t);
      expectProblem(await postDrill(UNKNOWN_ID, drillBody([person.id])), 404, 'not-found');
      expectProblem(await get(drillsPath(UNKNOWN_ID)), 404, 'not-found');
      expectProblem(await get(`${drillsPath(UNKNOWN_ID)}/${UNKNOWN_ID}`), 404, 'not-found');
      expectProblem(
        await postRecord(UNKNOWN_ID, UNKNOWN_ID, recordBody(person.id)),
        404,
        'not-found',
      );
    });

    it('answers 404 for a drill that does not exist, on get and on record', async () => {
      const { engagement } = await team();
      expectProblem(await get(`${drillsPath(engagement.id)}/${UNKNOWN_ID}`), 404, 'not-found');
      expectProblem(
        await postRecord(engagement.id, UNKNOWN_ID, recordBody(engagement.productOwnerId)),
        404,
        'not-found',
      );
    });

    it('answers 404 for a drill of another engagement under this engagement’s path, recording nothing', async () => {
      const mine = await team();
      const theirs = await team();
      const drill = await newDrill(theirs.engagement.id, [theirs.recipients[0]]);
      expectProblem(await get(`${drillsPath(mine.engagement.id)}/${drill.id}`), 404, 'not-found');
      expectProblem(
        await postRecord(mine.engagement.id, drill.id, recordBody(mine.engagement.productOwnerId)),
        404,
        'not-found',
      );
      const fetched = await get(`${drillsPath(theirs.engagement.id)}/${drill.id}`);
      expect(fetched.body).toMatchObject({ status: 'scheduled', version: 1 });
    });
  });

  // ---------------------------------------------------------------- bad input

  describe('bad input: 400 naming the field', () => {
    it('refuses a participant who is not a knowledge recipient, naming participantIds[i], and plans nothing', async () => {
      const { engagement, recipients } = await team();
      const outsider = await newPerson(t);
      const response = await postDrill(engagement.id, drillBody([recipients[0], outsider.id]));
      const fields = expectBadField(response, 'participantIds[1]');
      expect(fields).not.toContain('participantIds[0]');
      const list = await get(drillsPath(engagement.id));
      expect(list.body.items).toEqual([]);
    });

    it('refuses a participant who does not exist at all, naming participantIds[i]', async () => {
      const { engagement } = await team();
      expectBadField(await postDrill(engagement.id, drillBody([UNKNOWN_ID])), 'participantIds[0]');
    });

    it('refuses a drill without participants, naming participantIds', async () => {
      const { engagement } = await team();
      expectBadField(await postDrill(engagement.id, drillBody([])), 'participantIds');
    });

    it('refuses an observer who took part, naming observedById', async () => {
      const { engagement, recipients } = await team();
      const drill = await newDrill(engagement.id, [recipients[0]]);
      expectBadField(
        await postRecord(engagement.id, drill.id, recordBody(recipients[0])),
        'observedById',
      );
      const fetched = await get(`${drillsPath(engagement.id)}/${drill.id}`);
      expect(fetched.body.status).toBe('scheduled');
    });

    it('refuses an observer who is neither the product owner nor a recipient, naming observedById', async () => {
      const { engagement, recipients } = await team();
      const drill = await newDrill(engagement.id, [recipients[0]]);
      const stranger = await newPerson(t);
      expectBadField(
        await postRecord(engagement.id, drill.id, recordBody(stranger.id)),
        'observedById',
      );
      // The trade-off owner is no observer either, unless a recipient or the product owner.
      expectBadField(
        await postRecord(engagement.id, drill.id, recordBody(engagement.spec.tradeOffOwnerId)),
        'observedById',
      );
    });

    it('accepts a recipient who did not take part as the observer', async () => {
      const { engagement, recipients } = await team();
      const drill = await newDrill(engagement.id, [recipients[0]]);
      const response = await postRecord(engagement.id, drill.id, recordBody(recipients[1]));
      expectStatus(response, 200, 'POST record');
      expect(response.body.observedById).toBe(recipients[1]);
    });

    it('refuses a performedOn after the test clock’s today, naming performedOn, and accepts today', async () => {
      const { engagement, recipients } = await team();
      const drill = await newDrill(engagement.id, [recipients[0]]);
      setToday(10);
      expectBadField(
        await postRecord(
          engagement.id,
          drill.id,
          recordBody(engagement.productOwnerId, { performedOn: daysFromToday(11) }),
        ),
        'performedOn',
      );
      const onToday = await postRecord(
        engagement.id,
        drill.id,
        recordBody(engagement.productOwnerId, { performedOn: daysFromToday(10) }),
      );
      expectStatus(onToday, 200, 'POST record on the clock’s today');
      expect(onToday.body.performedOn).toBe(daysFromToday(10));
    });

    it('refuses a performedOn tomorrow (real UTC date), naming performedOn', async () => {
      const { engagement, recipients } = await team();
      const drill = await newDrill(engagement.id, [recipients[0]]);
      expectBadField(
        await postRecord(
          engagement.id,
          drill.id,
          recordBody(engagement.productOwnerId, { performedOn: daysFromToday(1) }),
        ),
        'performedOn',
      );
    });

    it('refuses an unknown kind, naming kind', async () => {
      const { engagement, recipients } = await team();
      expectBadField(
        await postDrill(engagement.id, drillBody([recipients[0]], { kind: 'fire_drill' })),
        'kind',
      );
    });

    it.each([
      ['an unknown outcome', 'outcome', { outcome: 'succeeded' }],
      ['an unknown vendorAssistance', 'vendorAssistance', { vendorAssistance: 'some' }],
      ['a performedOn that is not a date', 'performedOn', { performedOn: '2026-02-30' }],
      ['no evidenceUrl', 'evidenceUrl', { evidenceUrl: undefined }],
      ['an observedById that is not a UUID', 'observedById', { observedById: 'the owner' }],
    ])('refuses a record with %s, naming %s', async (_, field, overrides) => {
      const { engagement, recipients } = await team();
      const drill = await newDrill(engagement.id, [recipients[0]]);
      expectBadField(
        await postRecord(engagement.id, drill.id, recordBody(engagement.productOwnerId, overrides)),
        field,
      );
    });

    it('refuses an artifact of another engagement, naming artifactIds[i]', async () => {
      const { engagement, recipients, artifacts } = await team();
      const other = await team();
      const response = await postDrill(
        engagement.id,
        drillBody([recipients[0]], { artifactIds: [artifacts[0].id, other.artifacts[0].id] }),
      );
      const fields = expectBadField(response, 'artifactIds[1]');
      expect(fields).not.toContain('artifactIds[0]');
      const list = await get(drillsPath(engagement.id));
      expect(list.body.items).toEqual([]);
    });

    it('names a bad participant and a bad artifact in one 400', async () => {
      const { engagement } = await team();
      const other = await team();
      const outsider = await newPerson(t);
      const fields = expectBadField(
        await postDrill(
          engagement.id,
          drillBody([outsider.id], { artifactIds: [other.artifacts[0].id] }),
        ),
        'participantIds[0]',
      );
      expect(fields).toContain('artifactIds[0]');
    });

    describe('exit plans, criticality and minIndependentOperators', () => {
      const badPlans: [string, string, Record<string, unknown>][] = [
        ['a placeholder summary (TBD)', 'exitPlan.summary', { ...EXIT_PLAN, summary: 'TBD' }],
        [
          'a placeholder summary of 24 dots',
          'exitPlan.summary',
          { ...EXIT_PLAN, summary: '........................' },
        ],
        [
          'a summary under 20 characters',
          'exitPlan.summary',
          { ...EXIT_PLAN, summary: 'We take it over.' },
        ],
        ['no triggers', 'exitPlan.triggers', { strategy: 'retire', summary: EXIT_PLAN.summary }],
        ['an empty triggers array', 'exitPlan.triggers', { ...EXIT_PLAN, triggers: [] }],
        ['a placeholder trigger', 'exitPlan.triggers', { ...EXIT_PLAN, triggers: ['n/a'] }],
        ['an unknown strategy', 'exitPlan.strategy', { ...EXIT_PLAN, strategy: 'outsource' }],
      ];

      it.each(badPlans)(
        'refuses an exit plan with %s on POST, naming %s',
        async (_, field, exitPlan) => {
          expectBadField(await postEngagement({ criticality: 'critical', exitPlan }), field);
        },
      );

      it.each(badPlans)(
        'refuses an exit plan with %s on PATCH, naming %s, and keeps the engagement as it was',
        async (_, field, exitPlan) => {
          const { engagement } = await team();
          const response = await t
            .http()
            .patch(base(engagement.id))
            .set(bearer(t.adminKey))
            .send({ exitPlan });
          expectBadField(response, field);
          const after = await engagementOf(engagement.id);
          expect(after).not.toHaveProperty('exitPlan');
          expect(after.version).toBe(engagement.version);
        },
      );

      it('names every exit-plan problem at once in one 400', async () => {
        const exitPlan = { strategy: 'outsource', summary: 'TBD', triggers: [] };
        for (const response of [
          await postEngagement({ exitPlan }),
          await t
            .http()
            .patch(base((await team()).engagement.id))
            .set(bearer(t.adminKey))
            .send({ exitPlan }),
        ]) {
          const fields = expectBadField(response, 'exitPlan.summary');
          expect(fields).toEqual(
            expect.arrayContaining(['exitPlan.strategy', 'exitPlan.summary', 'exitPlan.triggers']),
          );
        }
      });

      it('says a placeholder summary is a placeholder', async () => {
        const problem = expectProblem(
          await postEngagement({ exitPlan: { ...EXIT_PLAN, summary: '....................' } }),
          400,
        );
        const messages = (problem.errors ?? [])
          .filter((error) => error.field === 'exitPlan.summary')
          .map((error) => error.message);
        expect(messages.join(' ')).toMatch(/placeholder/i);
      });

      it('refuses an exitPlan.alternativeVendorId of a vendor that does not exist, on POST and PATCH', async () => {
        const exitPlan = {
          ...EXIT_PLAN,
          strategy: 'alternative_vendor',
          alternativeVendorId: UNKNOWN_ID,
        };
        expectBadField(await postEngagement({ exitPlan }), 'exitPlan.alternativeVendorId');
        const { engagement } = await team();
        const response = await t
          .http()
          .patch(base(engagement.id))
          .set(bearer(t.adminKey))
          .send({ exitPlan });
        expectBadField(response, 'exitPlan.alternativeVendorId');
      });

      it('refuses a negative minIndependentOperators on POST and PATCH, naming it', async () => {
        expectBadField(
          await postEngagement({ minIndependentOperators: -1 }),
          'minIndependentOperators',
        );
        const { engagement } = await team();
        const response = await t
          .http()
          .patch(base(engagement.id))
          .set(bearer(t.adminKey))
          .send({ minIndependentOperators: -1 });
        expectBadField(response, 'minIndependentOperators');
        expect((await engagementOf(engagement.id)).minIndependentOperators).toBe(0);
      });

      it('refuses an unknown criticality, naming it', async () => {
        expectBadField(await postEngagement({ criticality: 'vital' }), 'criticality');
      });

      it('creates with criticality and an exit plan, shows lastTestedOn null, and PATCH exitPlan null removes it', async () => {
        const alternative = await newVendor(t);
        const exitPlan = {
          strategy: 'alternative_vendor',
          summary: EXIT_PLAN.summary,
          triggers: EXIT_PLAN.triggers,
          alternativeVendorId: alternative.id,
        };
        const created = await postEngagement({
          criticality: 'critical',
          exitPlan,
          minIndependentOperators: 2,
        });
        expectStatus(created, 201, 'POST engagement');
        expect(created.body).toMatchObject({
          criticality: 'critical',
          exitPlan: { ...exitPlan, lastTestedOn: null },
          minIndependentOperators: 2,
          independentOperatorIds: [],
        });

        const removed = await patchEngagement(created.body.id, { exitPlan: null });
        expect(removed).not.toHaveProperty('exitPlan');
        expect(removed.criticality).toBe('critical');
        expect(await engagementOf(created.body.id)).not.toHaveProperty('exitPlan');

        const restored = await patchEngagement(created.body.id, {
          exitPlan: EXIT_PLAN,
          criticality: 'important',
        });
        expect(restored).toMatchObject({
          criticality: 'important',
          exitPlan: { ...EXIT_PLAN, lastTestedOn: null },
        });
      });

      it('defaults criticality to standard, minIndependentOperators to 0, and omits exitPlan', async () => {
        const created = await postEngagement();
        expectStatus(created, 201, 'POST engagement');
        expect(created.body).toMatchObject({
          criticality: 'standard',
          minIndependentOperators: 0,
          independentOperatorIds: [],
        });
        expect(created.body).not.toHaveProperty('exitPlan');
      });
    });
  });

  // ---------------------------------------------------------------- independent operators

  describe('independent operators', () => {
    it('a drill passed with vendorAssistance none makes its participants independent operators, not its observer', async () => {
      const { engagement, recipients } = await team({ recipients: 3 });
      await drilled(engagement, [recipients[0], recipients[1]], { observedById: recipients[2] });
      expect(await operatorsOf(engagement.id)).toEqual(sorted([recipients[0], recipients[1]]));
      // The list shows the same as the engagement itself.
      const listed = await get('/v1/engagements', { vendorId: engagement.vendorId });
      expect(listed.body.items[0].independentOperatorIds).toEqual(
        sorted([recipients[0], recipients[1]]),
      );
    });

    it.each([
      ['passed', 'advice'],
      ['passed', 'hands_on'],
      ['partial', 'none'],
      ['failed', 'none'],
    ])(
      'a drill %s with vendorAssistance %s makes nobody an independent operator',
      async (outcome, vendorAssistance) => {
        const { engagement, recipients } = await team();
        await drilled(engagement, [recipients[0]], { outcome, vendorAssistance });
        expect(await operatorsOf(engagement.id)).toEqual([]);
      },
    );

    it(`evidence counts for OPERATOR_EVIDENCE_DAYS (${OPERATOR_EVIDENCE_DAYS}): performed ${OPERATOR_EVIDENCE_DAYS} days ago it counts, ${OPERATOR_EVIDENCE_DAYS + 1} days ago it no longer does`, async () => {
      const { engagement, recipients } = await team({ recipients: 2 });
      const [recent, old] = recipients;
      await drilled(engagement, [recent], { performedOn: daysFromToday(-OPERATOR_EVIDENCE_DAYS) });
      await drilled(engagement, [old], {
        performedOn: daysFromToday(-OPERATOR_EVIDENCE_DAYS - 1),
      });
      expect(await operatorsOf(engagement.id)).toEqual([recent]);
    });

    it('a participant removed from the knowledge recipients stops counting, and counts again when re-added', async () => {
      const { engagement, recipients } = await team({ recipients: 3 });
      const [kept, removed, third] = recipients;
      await drilled(engagement, [kept, removed], { observedById: third });
      expect(await operatorsOf(engagement.id)).toEqual(sorted([kept, removed]));

      const patched = await patchEngagement(engagement.id, {
        knowledgeRecipientIds: [kept, third],
      });
      expect(patched.independentOperatorIds).toEqual([kept]);
      expect(await operatorsOf(engagement.id)).toEqual([kept]);

      const readded = await patchEngagement(engagement.id, {
        knowledgeRecipientIds: [kept, removed, third],
      });
      expect(readded.independentOperatorIds).toEqual(sorted([kept, removed]));
    });

    it('counts a person once however many drills they passed', async () => {
      const { engagement, recipients } = await team();
      await drilled(engagement, [recipients[0]], { performedOn: daysFromToday(-3) });
      await drilled(engagement, [recipients[0]], { performedOn: daysFromToday(-1) });
      expect(await operatorsOf(engagement.id)).toEqual([recipients[0]]);
    });
  });

  // ---------------------------------------------------------------- risk

  describe('risk signals and forecast', () => {
    it('CAPABILITY_UNPROVEN inside the KT window: high with no independent operator, medium with one, gone with two', async () => {
      const { engagement, recipients } = await team({ recipients: 3, finalDueIn: 20 });
      const none = signalOf(await riskOf(engagement.id), 'CAPABILITY_UNPROVEN');
      expect(none).toMatchObject({
        severity: 'high',
        data: { independentOperators: 0, dueDate: daysFromToday(20) },
      });

      await drilled(engagement, [recipients[0]]);
      expect(signalOf(await riskOf(engagement.id), 'CAPABILITY_UNPROVEN')).toMatchObject({
        severity: 'medium',
        data: { independentOperators: 1 },
      });

      await drilled(engagement, [recipients[1]]);
      expect(signalOf(await riskOf(engagement.id), 'CAPABILITY_UNPROVEN')).toBeUndefined();
    });

    it('CAPABILITY_UNPROVEN waits for the KT window and stays once the final handover is past due', async () => {
      const { engagement } = await team({ finalDueIn: 60 });
      expect(signalOf(await riskOf(engagement.id), 'CAPABILITY_UNPROVEN')).toBeUndefined();
      expect(
        signalOf(await riskOf(engagement.id, daysFromToday(29)), 'CAPABILITY_UNPROVEN'),
      ).toBeUndefined();
      expect(
        signalOf(await riskOf(engagement.id, daysFromToday(30)), 'CAPABILITY_UNPROVEN'),
      ).toMatchObject({ severity: 'high' });
      expect(
        signalOf(await riskOf(engagement.id, daysFromToday(75)), 'CAPABILITY_UNPROVEN'),
      ).toMatchObject({ severity: 'high' });
    });

    it('CAPABILITY_UNPROVEN is not raised for a draft', async () => {
      const { engagement } = await team({ finalDueIn: 10 }, false);
      expect(signalOf(await riskOf(engagement.id), 'CAPABILITY_UNPROVEN')).toBeUndefined();
    });

    it.each(['important', 'critical'] as const)(
      'EXIT_PLAN_MISSING (medium) for an active %s engagement without an exit plan',
      async (criticality) => {
        const { engagement } = await team({ fields: { criticality } });
        expect(signalOf(await riskOf(engagement.id), 'EXIT_PLAN_MISSING')).toMatchObject({
          severity: 'medium',
          data: { criticality },
        });
        expect(signalOf(await riskOf(engagement.id), 'EXIT_PLAN_UNTESTED')).toBeUndefined();
      },
    );

    it('no exit-plan signal for a standard engagement without an exit plan', async () => {
      const { engagement } = await team();
      const risk = await riskOf(engagement.id);
      expect(signalOf(risk, 'EXIT_PLAN_MISSING')).toBeUndefined();
      expect(signalOf(risk, 'EXIT_PLAN_UNTESTED')).toBeUndefined();
    });

    it('EXIT_PLAN_MISSING is structural (†): a draft supporting a critical function without an exit plan carries it', async () => {
      const { engagement } = await team({ fields: { criticality: 'critical' } }, false);
      expect(signalOf(await riskOf(engagement.id), 'EXIT_PLAN_MISSING')).toMatchObject({
        severity: 'medium',
      });
    });

    it('EXIT_PLAN_UNTESTED (medium) with an exit plan and no passed exit_rehearsal; a failed rehearsal or a passed drill of another kind does not clear it', async () => {
      const { engagement, recipients } = await team({
        fields: { criticality: 'important', exitPlan: EXIT_PLAN },
      });
      let risk = await riskOf(engagement.id);
      expect(signalOf(risk, 'EXIT_PLAN_MISSING')).toBeUndefined();
      expect(signalOf(risk, 'EXIT_PLAN_UNTESTED')).toMatchObject({
        severity: 'medium',
        data: { criticality: 'important', lastTestedOn: null },
      });

      await drilled(engagement, [recipients[0]], { outcome: 'failed' }, { kind: 'exit_rehearsal' });
      await drilled(engagement, [recipients[0]], {}, { kind: 'restore' });
      risk = await riskOf(engagement.id);
      expect(signalOf(risk, 'EXIT_PLAN_UNTESTED')).toMatchObject({ severity: 'medium' });
      expect((await engagementOf(engagement.id)).exitPlan?.lastTestedOn).toBeNull();
    });

    it('a passed exit_rehearsal clears EXIT_PLAN_UNTESTED and shows as exitPlan.lastTestedOn', async () => {
      const { engagement, recipients } = await team({
        fields: { criticality: 'critical', exitPlan: EXIT_PLAN },
      });
      await drilled(
        engagement,
        [recipients[0]],
        { performedOn: daysFromToday(-20) },
        { kind: 'exit_rehearsal' },
      );
      await drilled(
        engagement,
        [recipients[1]],
        { performedOn: daysFromToday(-5), vendorAssistance: 'advice' },
        { kind: 'exit_rehearsal' },
      );
      expect(signalOf(await riskOf(engagement.id), 'EXIT_PLAN_UNTESTED')).toBeUndefined();
      expect((await engagementOf(engagement.id)).exitPlan).toEqual({
        ...EXIT_PLAN,
        lastTestedOn: daysFromToday(-5),
      });
    });

    it('an exit rehearsal counts for 365 days: EXIT_PLAN_UNTESTED returns the day after', async () => {
      const { engagement, recipients } = await team({
        fields: { criticality: 'critical', exitPlan: EXIT_PLAN },
      });
      await drilled(
        engagement,
        [recipients[0]],
        { performedOn: daysFromToday(-10) },
        { kind: 'exit_rehearsal' },
      );
      expect(
        signalOf(await riskOf(engagement.id, daysFromToday(355)), 'EXIT_PLAN_UNTESTED'),
      ).toBeUndefined();
      expect(
        signalOf(await riskOf(engagement.id, daysFromToday(356)), 'EXIT_PLAN_UNTESTED'),
      ).toMatchObject({ severity: 'medium', data: { lastTestedOn: daysFromToday(-10) } });
    });

    it('the forecast shows the day an operator’s evidence expires (performedOn + 181)', async () => {
      const { engagement, recipients } = await team({ recipients: 3, finalDueIn: 20 });
      const [longer, shorter] = recipients;
      await drilled(engagement, [longer], { performedOn: daysFromToday(-100) });
      await drilled(engagement, [shorter], { performedOn: daysFromToday(-150) });
      expect(await operatorsOf(engagement.id)).toEqual(sorted([longer, shorter]));

      const risk = await riskOf(engagement.id);
      expect(signalOf(risk, 'CAPABILITY_UNPROVEN')).toBeUndefined();
      const expiry = daysFromToday(-150 + OPERATOR_EVIDENCE_DAYS + 1);
      const entry = risk.forecast.find((item) => item.on === expiry);
      expect(entry).toMatchObject({
        on: expiry,
        raised: expect.arrayContaining(['CAPABILITY_UNPROVEN']),
      });
      // The second expiry turns it from medium (one operator left) to high (none).
      const secondExpiry = daysFromToday(-100 + OPERATOR_EVIDENCE_DAYS + 1);
      expect(risk.forecast.map((item) => item.on)).toContain(secondExpiry);
      expect(risk.forecast.map((item) => item.on)).toEqual(
        [...risk.forecast.map((item) => item.on)].sort(),
      );
      expect(
        signalOf(await riskOf(engagement.id, addDays(expiry, -1)), 'CAPABILITY_UNPROVEN'),
      ).toBeUndefined();
      expect(signalOf(await riskOf(engagement.id, expiry), 'CAPABILITY_UNPROVEN')).toMatchObject({
        severity: 'medium',
      });
      expect(
        signalOf(await riskOf(engagement.id, secondExpiry), 'CAPABILITY_UNPROVEN'),
      ).toMatchObject({ severity: 'high' });
    });
  });

  // ---------------------------------------------------------------- completion

  describe('completion requires minIndependentOperators', () => {
    it('answers 409 listing INDEPENDENT_OPERATORS_MISSING among the other unmet preconditions, and completes once met', async () => {
      const planned = await team({ recipients: 3, fields: { minIndependentOperators: 2 } });
      const { engagement, recipients, artifacts, finalHandover } = planned;
      expect((engagement as CapableEngagement).minIndependentOperators).toBe(2);
      await drilled(engagement, [recipients[0]]);

      const early = await t
        .http()
        .post(`${base(engagement.id)}/complete`)
        .set(bearer(t.adminKey));
      expect(codesOf(expectProblem(early, 409, 'conflict'))).toEqual(
        expect.arrayContaining([
          'INDEPENDENT_OPERATORS_MISSING',
          'FINAL_HANDOVER_NOT_COMPLETED',
          'ARTIFACTS_NOT_ACCEPTED',
        ]),
      );

      await act(t, `${base(engagement.id)}/artifacts/${artifacts[0].id}/deliver`, {
        evidenceUrl: 'https://wiki.example.com/runbook',
      });
      await act(t, `${base(engagement.id)}/artifacts/${artifacts[0].id}/accept`, {
        acceptedById: engagement.productOwnerId,
      });
      await act(t, `${base(engagement.id)}/milestones/${finalHandover.id}/complete`);
      const onlyOperators = await t
        .http()
        .post(`${base(engagement.id)}/complete`)
        .set(bearer(t.adminKey));
      const problem = expectProblem(onlyOperators, 409, 'conflict');
      expect(codesOf(problem)).toEqual(['INDEPENDENT_OPERATORS_MISSING']);
      expect((await engagementOf(engagement.id)).status).toBe('active');

      await drilled(engagement, [recipients[1]]);
      const completed = await act<CapableEngagement>(t, `${base(engagement.id)}/complete`);
      expect(completed).toMatchObject({ status: 'completed' });
    });

    it('completion follows minIndependentOperators as PATCHed, and old evidence does not count', async () => {
      const planned = await team({ recipients: 2 });
      const { engagement, recipients } = planned;
      await patchEngagement(engagement.id, { minIndependentOperators: 1 });
      await drilled(engagement, [recipients[0]], {
        performedOn: daysFromToday(-OPERATOR_EVIDENCE_DAYS - 1),
      });
      for (const artifact of planned.artifacts) {
        await act(t, `${base(engagement.id)}/artifacts/${artifact.id}/deliver`, {
          evidenceUrl: 'https://wiki.example.com/runbook',
        });
        await act(t, `${base(engagement.id)}/artifacts/${artifact.id}/accept`, {
          acceptedById: engagement.productOwnerId,
        });
      }
      await act(t, `${base(engagement.id)}/milestones/${planned.finalHandover.id}/complete`);
      const refused = await t
        .http()
        .post(`${base(engagement.id)}/complete`)
        .set(bearer(t.adminKey));
      expect(codesOf(expectProblem(refused, 409, 'conflict'))).toEqual([
        'INDEPENDENT_OPERATORS_MISSING',
      ]);
      await drilled(engagement, [recipients[1]], { performedOn: daysFromToday(-1) });
      expect(await act(t, `${base(engagement.id)}/complete`)).toMatchObject({
        status: 'completed',
      });
    });
  });

  // ---------------------------------------------------------------- list filters

  describe('list filters', () => {
    const idsOf = (response: request.Response) =>
      (response.body.items as { id: string }[]).map((item) => item.id);

    it('filters by criticality', async () => {
      const vendor = await newVendor(t);
      const byCriticality: Record<string, string> = {};
      for (const criticality of ['standard', 'important', 'critical']) {
        const { engagement } = await team({ vendorId: vendor.id, fields: { criticality } }, false);
        byCriticality[criticality] = engagement.id;
      }
      for (const criticality of ['standard', 'important', 'critical']) {
        const response = await get('/v1/engagements', { vendorId: vendor.id, criticality });
        expectStatus(response, 200, `GET engagements?criticality=${criticality}`);
        expect(idsOf(response)).toEqual([byCriticality[criticality]]);
        expect(response.body.items[0].criticality).toBe(criticality);
      }
    });

    it('filters by minIndependentOperators: at least N operators as of today', async () => {
      const vendor = await newVendor(t);
      const none = await team({ vendorId: vendor.id });
      const expired = await team({ vendorId: vendor.id });
      await drilled(expired.engagement, [expired.recipients[0]], {
        performedOn: daysFromToday(-OPERATOR_EVIDENCE_DAYS - 1),
      });
      const one = await team({ vendorId: vendor.id });
      await drilled(one.engagement, [one.recipients[0]], {
        performedOn: daysFromToday(-OPERATOR_EVIDENCE_DAYS),
      });
      const two = await team({ vendorId: vendor.id });
      await drilled(two.engagement, two.recipients);
      const advised = await team({ vendorId: vendor.id });
      await drilled(advised.engagement, advised.recipients, { vendorAssistance: 'advice' });

      const list = async (minIndependentOperators: number) => {
        const response = await get('/v1/engagements', {
          vendorId: vendor.id,
          minIndependentOperators,
        });
        expectStatus(
          response,
          200,
          `GET engagements?minIndependentOperators=${minIndependentOperators}`,
        );
        return sorted(idsOf(response));
      };
      expect(await list(0)).toEqual(
        sorted([none, expired, one, two, advised].map((item) => item.engagement.id)),
      );
      expect(await list(1)).toEqual(sorted([one.engagement.id, two.engagement.id]));
      expect(await list(2)).toEqual([two.engagement.id]);
      expect(await list(3)).toEqual([]);
    });

    it.each([
      ['criticality', 'vital'],
      ['minIndependentOperators', '-1'],
      ['minIndependentOperators', 'two'],
      ['minIndependentOperators', '1.5'],
      ['minIndependentOperators', '51'],
    ])('refuses %s=%s with 400 naming it', async (field, value) => {
      expectBadField(await get('/v1/engagements', { [field]: value }), field);
    });
  });

  // ---------------------------------------------------------------- events and audit

  describe('events and audit', () => {
    it('the feed carries drill.created and drill.recorded with the drill as data, its engagement and vendor', async () => {
      const { engagement, recipients } = await team();
      const created = await newDrill(engagement.id, [recipients[0]]);
      const recorded = await record(engagement, created.id);
      const events = await drillEvents(engagement.id);
      expect(events.map((event) => event.type)).toEqual(['drill.created', 'drill.recorded']);
      expect(events[0]).toMatchObject({
        engagementId: engagement.id,
        vendorId: engagement.vendorId,
        actor: { role: 'admin' },
      });
      expect(events[0].data).toEqual(created);
      expect(events[1]).toMatchObject({
        engagementId: engagement.id,
        vendorId: engagement.vendorId,
      });
      expect(events[1].data).toEqual(recorded);
      expect(events[1].seq).toBeGreaterThan(events[0].seq);
      const byType = await get('/v1/events', { type: 'drill.recorded', limit: 200 });
      expect(byType.body.items.map((event: EventBody) => event.data.id)).toContain(created.id);
    });

    it('a refused drill write emits no event', async () => {
      const { engagement, recipients } = await team();
      const outsider = await newPerson(t);
      expectBadField(await postDrill(engagement.id, drillBody([outsider.id])), 'participantIds[0]');
      const drill = await drilled(engagement, [recipients[0]]);
      expectProblem(
        await postRecord(engagement.id, drill.id, recordBody(engagement.productOwnerId)),
        409,
      );
      expect((await drillEvents(engagement.id)).map((event) => event.type)).toEqual([
        'drill.created',
        'drill.recorded',
      ]);
    });

    it('the audit trail records drill.created and drill.recorded with entityType drill', async () => {
      const { engagement, recipients } = await team();
      const drill = await newDrill(engagement.id, [recipients[0]]);
      await record(engagement, drill.id, { outcome: 'partial' });
      const events = await auditEventsOf(t, 'drill', drill.id);
      expect(events.map((event) => [event.entityType, event.action])).toEqual([
        ['drill', 'drill.created'],
        ['drill', 'drill.recorded'],
      ]);
      expect(events[0].actor).toMatchObject({ role: 'admin' });
      expect(events[1].changes).toMatchObject({
        status: { from: 'scheduled', to: 'recorded' },
        outcome: { from: null, to: 'partial' },
      });
      const byType = await get('/v1/audit-events', { entityType: 'drill', limit: 200 });
      expectStatus(byType, 200, 'GET audit-events?entityType=drill');
      expect(
        (byType.body.items as { entityType: string }[]).every(
          (event) => event.entityType === 'drill',
        ),
      ).toBe(true);
      expect(byType.body.items.map((event: { entityId: string }) => event.entityId)).toContain(
        drill.id,
      );
    });
  });

  // ---------------------------------------------------------------- risk verify

  describe('risk verify', () => {
    it('finds no mismatch after drill writes of every kind, concurrent records on one engagement included', async () => {
      const planned = await team({
        recipients: 5,
        finalDueIn: 20,
        fields: { criticality: 'critical' },
      });
      const { engagement, recipients, artifacts } = planned;
      await expectRiskConsistent('activate a critical engagement without an exit plan');

      const linked = await newDrill(engagement.id, [recipients[0]], {
        artifactIds: [artifacts[0].id],
        scheduledOn: daysFromToday(3),
      });
      await expectRiskConsistent('plan a drill linked to an artifact');
      await record(engagement, linked.id);
      await expectRiskConsistent('record a pass without vendor help');

      for (const [outcome, vendorAssistance] of [
        ['passed', 'advice'],
        ['passed', 'hands_on'],
        ['partial', 'none'],
        ['failed', 'none'],
      ]) {
        await drilled(engagement, [recipients[1]], { outcome, vendorAssistance });
        await expectRiskConsistent(`record ${outcome} with ${vendorAssistance}`);
      }
      await drilled(engagement, [recipients[1]], {
        performedOn: daysFromToday(-OPERATOR_EVIDENCE_DAYS - 1),
      });
      await expectRiskConsistent('record a pass older than the evidence window');

      await patchEngagement(engagement.id, { exitPlan: EXIT_PLAN });
      await expectRiskConsistent('add an exit plan');
      await drilled(engagement, [recipients[2]], {}, { kind: 'exit_rehearsal' });
      await expectRiskConsistent('record a passed exit rehearsal');
      await drilled(engagement, [recipients[2]], { outcome: 'failed' }, { kind: 'exit_rehearsal' });
      await expectRiskConsistent('record a failed exit rehearsal');
      await patchEngagement(engagement.id, { exitPlan: null });
      await expectRiskConsistent('remove the exit plan');
      await patchEngagement(engagement.id, { criticality: 'standard' });
      await expectRiskConsistent('lower the criticality');
      await patchEngagement(engagement.id, { criticality: 'important', exitPlan: EXIT_PLAN });
      await expectRiskConsistent('raise the criticality with an exit plan');
      await patchEngagement(engagement.id, { minIndependentOperators: 3 });
      await expectRiskConsistent('require three independent operators');

      await patchEngagement(engagement.id, {
        knowledgeRecipientIds: recipients.filter((id) => id !== recipients[0]),
      });
      await expectRiskConsistent('remove an operator from the recipients');
      await patchEngagement(engagement.id, { knowledgeRecipientIds: recipients });
      await expectRiskConsistent('re-add the operator');

      // Refused writes change nothing.
      const outsider = await newPerson(t);
      expectBadField(await postDrill(engagement.id, drillBody([outsider.id])), 'participantIds[0]');
      expectProblem(
        await postRecord(engagement.id, linked.id, recordBody(engagement.productOwnerId)),
        409,
      );
      await expectRiskConsistent('refused drill writes');

      // Concurrent: plans, then records of different drills of the same engagement.
      const concurrentPlans = await Promise.all(
        recipients.slice(1).map((id) => postDrill(engagement.id, drillBody([id]))),
      );
      for (const response of concurrentPlans) expectStatus(response, 201, 'concurrent POST drill');
      await expectRiskConsistent('concurrent plans');
      const drills = concurrentPlans.map((response) => response.body as DrillBody);
      const records = await Promise.all(
        drills.map((drill, index) =>
          postRecord(
            engagement.id,
            drill.id,
            recordBody(engagement.productOwnerId, {
              performedOn: daysFromToday(-index),
              ...(index === drills.length - 1 ? { vendorAssistance: 'advice' } : {}),
            }),
          ),
        ),
      );
      for (const response of records) expectStatus(response, 200, 'concurrent POST record');
      await expectRiskConsistent('concurrent records on different drills of one engagement');
      const exitRehearsals = await Promise.all(
        [recipients[3], recipients[4]].map(async (id) => {
          const drill = await newDrill(engagement.id, [id], { kind: 'exit_rehearsal' });
          return postRecord(
            engagement.id,
            drill.id,
            recordBody(engagement.productOwnerId, { vendorAssistance: 'hands_on' }),
          );
        }),
      );
      for (const response of exitRehearsals) expectStatus(response, 200, 'concurrent rehearsal');
      await expectRiskConsistent('concurrent exit rehearsals');

      const after = await engagementOf(engagement.id);
      expect(after.independentOperatorIds).toEqual(sorted(recipients.slice(0, 4)));
      expect(after.exitPlan?.lastTestedOn).toBe(daysFromToday(0));

      await close(planned, 'completed');
      await expectRiskConsistent('complete with drills');

      const cancelled = await team();
      await drilled(cancelled.engagement, [cancelled.recipients[0]]);
      await newDrill(cancelled.engagement.id, [cancelled.recipients[1]]);
      await close(cancelled, 'cancelled');
      await expectRiskConsistent('cancel with drills');

      // A draft's drills, and creation with criticality, exit plan and minimum at once.
      const draft = await readyToActivate(t, t.adminKey, {
        criticality: 'critical',
        exitPlan: EXIT_PLAN,
        minIndependentOperators: 1,
      });
      await expectRiskConsistent('create with criticality, exit plan and minimum');
      await drilled(
        { id: draft.engagementId, productOwnerId: draft.productOwnerId },
        [draft.knowledgeRecipientId],
        {},
        { kind: 'exit_rehearsal', artifactIds: [draft.artifactId] },
      );
      await expectRiskConsistent('record a drill of a draft');
      await newArtifact(t, t.adminKey, draft.engagementId, draft.finalHandoverId);
      await act(t, `${base(draft.engagementId)}/activate`);
      await expectRiskConsistent('activate a draft with drills');
    });
  });
});

describe('DEFAULT_MIN_INDEPENDENT_OPERATORS', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp({ env: { DEFAULT_MIN_INDEPENDENT_OPERATORS: '2' } });
  });

  afterAll(async () => {
    await t.close();
  });

  it('gives an engagement created without minIndependentOperators the configured default, and keeps an explicit 0', async () => {
    const defaulted = await draftEngagement(t);
    expect(defaulted.engagement.minIndependentOperators).toBe(2);
    const explicit = await draftEngagement(t, { fields: { minIndependentOperators: 0 } });
    expect(explicit.engagement.minIndependentOperators).toBe(0);
  });
});
