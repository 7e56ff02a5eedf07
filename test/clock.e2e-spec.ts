import { jest } from '@jest/globals';
import type request from 'supertest';
import { Clock } from '../src/common/clock.js';
import { ClockJob } from '../src/events/clock-job.js';
import {
  act,
  activeEngagement,
  daysFromToday,
  draftEngagement,
  type MilestoneBody,
  newArtifact,
  newEngagementIn,
  newMilestone,
} from './factories.js';
import { bearer, createTestApp, externalDatabaseUrl, type TestApp } from './test-app.js';

/**
 * The clock (SPEC §6 "Events", time-triggered; §5 "History"): `milestone.due_soon`,
 * `milestone.overdue` and time-caused `risk.level_changed`, each exactly once per subject,
 * trigger and date; catching up after downtime; a due date moved later re-arming its triggers;
 * the history entries of time-caused changes dated the day the judgement changed; concurrent
 * runs in one instance and in two instances on one database.
 *
 * Every run here is `ClockJob.runOnce()` with "today" moved by spying on `Clock.now`; days are
 * counted from the real today. The database is shared by the whole file, so each assertion
 * looks only at the events of the engagements its test created.
 */

const REASON = 'Vendor lost two engineers; agreed in the steering meeting';
const CLOCK_TYPES = ['milestone.due_soon', 'milestone.overdue', 'risk.level_changed'];

interface EventBody {
  id: string;
  seq: number;
  type: string;
  occurredAt: string;
  engagementId: string | null;
  vendorId: string | null;
  actor: unknown;
  data: Record<string, unknown>;
}

interface HistoryBody {
  at: string;
  on: string;
  from: { level: string; score: number };
  to: { level: string; score: number };
  raised: string[];
  cleared: string[];
  cause: 'change' | 'time';
  eventId: string | null;
}

interface RunResult {
  dueSoon: number;
  overdue: number;
  levelChanges: number;
}

/**
 * A final handover due in 40 days with its one artifact not accepted and no drill passed: none
 * today, …
 */
const FINAL_DUE_IN = 40;
/**
 * … high from the day its knowledge-transfer window opens (due − 30): KT behind schedule and
 * capability unproven, …
 */
const KT_WINDOW_OPENS = FINAL_DUE_IN - 30;
/** … critical from the day after it is due (50 + 30 + 30, capped at 100). */
const HANDOVER_OVERDUE = FINAL_DUE_IN + 1;

const TO_HIGH = {
  from: { level: 'none', score: 0 },
  to: { level: 'high', score: 60 },
  raised: ['KT_BEHIND_SCHEDULE', 'CAPABILITY_UNPROVEN'],
  cleared: [],
  cause: 'time',
};
const TO_CRITICAL = {
  from: { level: 'high', score: 60 },
  to: { level: 'critical', score: 100 },
  raised: ['HANDOVER_OVERDUE', 'ARTIFACTS_OVERDUE'],
  cleared: ['KT_BEHIND_SCHEDULE'],
  cause: 'time',
};

/** Who the clock's events name as their actor. */
const CLOCK_ACTOR = { apiKeyId: null, name: 'clock', role: 'system' };

function expectStatus(response: request.Response, status: number, what: string): void {
  if (response.status !== status) {
    throw new Error(`${what} answered ${response.status}: ${JSON.stringify(response.body)}`);
  }
}

/** Noon UTC of the day `days` from the real today. */
const noonOf = (days: number): Date => new Date(`${daysFromToday(days)}T12:00:00.000Z`);

/** What makes a time-triggered event one trigger: its kind, subject and date. */
function triggerKey(event: EventBody): string {
  if (event.type === 'risk.level_changed') {
    return `${event.type}|${event.engagementId}|${JSON.stringify(event.data.to)}`;
  }
  const milestone = event.data.milestone as MilestoneBody;
  return `${event.type}|${milestone.id}|${String(event.data.dueDate)}`;
}

describe('clock', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp();
  });
  afterEach(() => jest.restoreAllMocks());
  afterAll(() => t.close());

  const base = (engagementId: string) => `/v1/engagements/${engagementId}`;

  /** Moves "today" of this app to `days` from the real today (until the test ends). */
  function setToday(days: number, app: TestApp = t): void {
    jest.spyOn(app.app.get(Clock), 'now').mockReturnValue(noonOf(days));
  }

  /** One clock run on the day `days` from the real today. */
  function runAt(days: number, app: TestApp = t): Promise<RunResult> {
    setToday(days, app);
    return app.app.get(ClockJob).runOnce();
  }

  async function getJson<T>(path: string, query: Record<string, unknown> = {}): Promise<T> {
    const response = await t.http().get(path).query(query).set(bearer(t.adminKey));
    expectStatus(response, 200, `GET ${path}`);
    return response.body as T;
  }

  const milestoneNow = (engagementId: string, id: string) =>
    getJson<MilestoneBody>(`${base(engagementId)}/milestones/${id}`);

  async function lastSeq(): Promise<number> {
    const [row] = await t.dataSource.query('SELECT COALESCE(MAX(seq), 0)::text AS seq FROM events');
    return Number(row.seq);
  }

  /** The time-triggered events after `marker`, oldest first, of one engagement or of all. */
  async function clockEvents(marker: number, engagementId?: string): Promise<EventBody[]> {
    const items: EventBody[] = [];
    let cursor: string | null = null;
    do {
      const params = new URLSearchParams({ after: String(marker), limit: '200' });
      for (const type of CLOCK_TYPES) params.append('type', type);
      if (engagementId) params.set('engagementId', engagementId);
      if (cursor) params.set('cursor', cursor);
      const response = await t.http().get(`/v1/events?${params}`).set(bearer(t.adminKey));
      expectStatus(response, 200, 'GET /v1/events');
      items.push(...(response.body.items as EventBody[]));
      cursor = response.body.nextCursor as string | null;
    } while (cursor);
    return items;
  }

  /** The engagement's history entries caused by time, newest first. */
  async function timeHistory(engagementId: string): Promise<HistoryBody[]> {
    const page = await getJson<{ items: HistoryBody[] }>(`${base(engagementId)}/risk/history`, {
      limit: 100,
    });
    return page.items.filter((entry) => entry.cause === 'time');
  }

  /** A clock event in full: by the clock, about the engagement and its vendor, written just now. */
  function expectClockEvent(
    event: EventBody | undefined,
    expected: { type: string; engagementId: string; vendorId: string; data: unknown },
  ): void {
    expect(event).toEqual({
      id: expect.any(String),
      seq: expect.any(Number),
      occurredAt: expect.any(String),
      actor: CLOCK_ACTOR,
      ...expected,
    });
    expect(Math.abs(Date.parse((event as EventBody).occurredAt) - Date.now())).toBeLessThan(60_000);
  }

  describe('milestone.due_soon and milestone.overdue', () => {
    it('fires due_soon for a milestone due in 3 days once, and overdue once after a 3-day downtime, about the original date', async () => {
      const { engagement } = await activeEngagement(t);
      const about = { engagementId: engagement.id, vendorId: engagement.vendorId };
      const milestone = await newMilestone(t, t.adminKey, engagement.id, {
        dueDate: daysFromToday(3),
      });

      let marker = await lastSeq();
      await runAt(0);
      const dueSoon = await clockEvents(marker, engagement.id);
      expect(dueSoon).toHaveLength(1);
      expectClockEvent(dueSoon[0], {
        type: 'milestone.due_soon',
        ...about,
        data: {
          milestone: await milestoneNow(engagement.id, milestone.id),
          dueDate: milestone.dueDate,
          daysLeft: 3,
        },
      });

      // Again the same day, and the next day: already told.
      marker = await lastSeq();
      await runAt(0);
      await runAt(1);
      expect(await clockEvents(marker, engagement.id)).toEqual([]);

      // No run on days 2, 3 and 4 (every instance down); the next run is on day 5.
      marker = await lastSeq();
      await runAt(5);
      const overdue = await clockEvents(marker, engagement.id);
      // The milestone went overdue on day 4, which also raised MILESTONE_OVERDUE that day.
      expect(overdue).toHaveLength(2);
      expectClockEvent(overdue[0], {
        type: 'milestone.overdue',
        ...about,
        data: {
          milestone: await milestoneNow(engagement.id, milestone.id),
          dueDate: milestone.dueDate,
        },
      });
      expectClockEvent(overdue[1], {
        type: 'risk.level_changed',
        ...about,
        data: {
          from: { level: 'none', score: 0 },
          to: { level: 'medium', score: 15 },
          raised: ['MILESTONE_OVERDUE'],
          cleared: [],
          cause: 'time',
        },
      });
      expect((await timeHistory(engagement.id)).map((entry) => entry.on)).toEqual([
        daysFromToday(4),
      ]);

      marker = await lastSeq();
      await runAt(5);
      await runAt(6);
      expect(await clockEvents(marker, engagement.id)).toEqual([]);
    });

    it('fires due_soon for a milestone due in 10 days first on day −7, with daysLeft 7', async () => {
      const { engagement } = await activeEngagement(t);
      const milestone = await newMilestone(t, t.adminKey, engagement.id, {
        dueDate: daysFromToday(10),
      });

      let marker = await lastSeq();
      await runAt(0);
      await runAt(2); // due − 8
      expect(await clockEvents(marker, engagement.id)).toEqual([]);

      await runAt(3); // due − 7
      const events = await clockEvents(marker, engagement.id);
      expect(events.map((event) => [event.type, event.data.dueDate, event.data.daysLeft])).toEqual([
        ['milestone.due_soon', milestone.dueDate, 7],
      ]);

      marker = await lastSeq();
      await runAt(4);
      await runAt(10); // the due date itself: still not overdue
      expect(await clockEvents(marker, engagement.id)).toEqual([]);
    });

    it('fires due_soon on the next run for a milestone created inside the window', async () => {
      const { engagement } = await activeEngagement(t);
      await runAt(0);
      const milestone = await newMilestone(t, t.adminKey, engagement.id, {
        dueDate: daysFromToday(4),
      });

      const marker = await lastSeq();
      await runAt(0);
      const events = await clockEvents(marker, engagement.id);
      expect(events).toHaveLength(1);
      expect(events[0]).toMatchObject({
        type: 'milestone.due_soon',
        data: {
          milestone: { id: milestone.id },
          dueDate: milestone.dueDate,
          daysLeft: 4,
        },
      });
    });

    it('re-arms due_soon and overdue for the new date when the due date moves later after due_soon fired', async () => {
      const { engagement } = await activeEngagement(t);
      const milestone = await newMilestone(t, t.adminKey, engagement.id, {
        dueDate: daysFromToday(3),
      });
      let marker = await lastSeq();
      await runAt(0);
      expect((await clockEvents(marker, engagement.id)).map((event) => event.type)).toEqual([
        'milestone.due_soon',
      ]);

      const newDate = daysFromToday(20);
      const response = await t
        .http()
        .patch(`${base(engagement.id)}/milestones/${milestone.id}`)
        .set(bearer(t.adminKey))
        .send({ dueDate: newDate, reason: REASON });
      expectStatus(response, 200, 'PATCH milestone');

      // The old date passes without an overdue; the new date's window opens on day 13.
      marker = await lastSeq();
      await runAt(0);
      await runAt(4);
      await runAt(12);
      expect(await clockEvents(marker, engagement.id)).toEqual([]);

      await runAt(13);
      const dueSoon = await clockEvents(marker, engagement.id);
      expect(dueSoon).toHaveLength(1);
      expectClockEvent(dueSoon[0], {
        type: 'milestone.due_soon',
        engagementId: engagement.id,
        vendorId: engagement.vendorId,
        data: {
          milestone: await milestoneNow(engagement.id, milestone.id),
          dueDate: newDate,
          daysLeft: 7,
        },
      });

      marker = await lastSeq();
      await runAt(20);
      await runAt(21);
      await runAt(21);
      const overdue = await clockEvents(marker, engagement.id);
      expect(overdue.map((event) => [event.type, event.data.dueDate])).toEqual([
        ['milestone.overdue', newDate],
        // MILESTONE_OVERDUE, from the day after the new date (and not after the old one).
        ['risk.level_changed', undefined],
      ]);
      expect((await timeHistory(engagement.id)).map((entry) => entry.on)).toEqual([
        daysFromToday(21),
      ]);
    });

    it('fires nothing for a completed milestone, and no overdue for one completed after due_soon', async () => {
      const { engagement } = await activeEngagement(t);
      const completedEarly = await newMilestone(t, t.adminKey, engagement.id, {
        dueDate: daysFromToday(3),
      });
      await act(t, `${base(engagement.id)}/milestones/${completedEarly.id}/complete`);
      let marker = await lastSeq();
      await runAt(0);
      await runAt(5);
      expect(await clockEvents(marker, engagement.id)).toEqual([]);

      const completedLate = await newMilestone(t, t.adminKey, engagement.id, {
        dueDate: daysFromToday(3),
      });
      marker = await lastSeq();
      await runAt(0);
      expect((await clockEvents(marker, engagement.id)).map((event) => event.type)).toEqual([
        'milestone.due_soon',
      ]);
      await act(t, `${base(engagement.id)}/milestones/${completedLate.id}/complete`);
      marker = await lastSeq();
      await runAt(5);
      expect(await clockEvents(marker, engagement.id)).toEqual([]);
    });

    it('fires nothing for the milestones of a draft or a cancelled engagement', async () => {
      const draft = await draftEngagement(t, { finalDueIn: 3 });
      await newMilestone(t, t.adminKey, draft.engagement.id, { dueDate: daysFromToday(2) });
      const cancelled = await newEngagementIn(t, 'cancelled');

      const marker = await lastSeq();
      for (const day of [0, 3, 5, 55, 61]) await runAt(day);
      expect(await clockEvents(marker, draft.engagement.id)).toEqual([]);
      expect(await clockEvents(marker, cancelled.engagementId)).toEqual([]);
    });
  });

  it("returns the clock's events, by the clock as actor, as openapi.json documents them", async () => {
    const { engagement } = await activeEngagement(t);
    await newMilestone(t, t.adminKey, engagement.id, { dueDate: daysFromToday(3) });
    const marker = await lastSeq();
    await runAt(0);
    const response = await t
      .http()
      .get('/v1/events')
      .query({ after: marker, engagementId: engagement.id })
      .set(bearer(t.adminKey));
    expectStatus(response, 200, 'GET /v1/events');
    expect(response.body.items).toEqual([
      expect.objectContaining({ type: 'milestone.due_soon', actor: CLOCK_ACTOR }),
    ]);
  });

  describe('time-caused risk.level_changed', () => {
    /** An engagement of none today, high on KT_WINDOW_OPENS, critical on HANDOVER_OVERDUE. */
    async function engagementThatTimeMoves() {
      const planned = await activeEngagement(t, { finalDueIn: FINAL_DUE_IN });
      const risk = await getJson<{ level: string; forecast: { on: string; level: string }[] }>(
        `${base(planned.engagement.id)}/risk`,
      );
      // The dates these tests rely on, as the risk rules judge them.
      expect(risk.level).toBe('none');
      expect(risk.forecast).toEqual([
        expect.objectContaining({
          on: daysFromToday(KT_WINDOW_OPENS),
          level: 'high',
          raised: TO_HIGH.raised,
          cleared: [],
        }),
        expect.objectContaining({
          on: daysFromToday(HANDOVER_OVERDUE),
          level: 'critical',
          raised: TO_CRITICAL.raised,
          cleared: TO_CRITICAL.cleared,
        }),
      ]);
      return planned;
    }

    /** The engagement's risk.level_changed events after `marker`. */
    const levelEvents = async (marker: number, engagementId: string) =>
      (await clockEvents(marker, engagementId)).filter(
        (event) => event.type === 'risk.level_changed',
      );

    it('emits one event per day the level changed, dated that day in the history, once', async () => {
      const { engagement } = await engagementThatTimeMoves();
      const about = { engagementId: engagement.id, vendorId: engagement.vendorId };

      let marker = await lastSeq();
      await runAt(0);
      await runAt(KT_WINDOW_OPENS - 1);
      expect(await levelEvents(marker, engagement.id)).toEqual([]);
      expect(await timeHistory(engagement.id)).toEqual([]);

      // Noticed two days late: the entry is dated the day the judgement changed.
      await runAt(KT_WINDOW_OPENS + 2);
      const high = await levelEvents(marker, engagement.id);
      expect(high).toHaveLength(1);
      expectClockEvent(high[0], { type: 'risk.level_changed', ...about, data: TO_HIGH });
      const entryOfHigh = {
        at: expect.any(String),
        on: daysFromToday(KT_WINDOW_OPENS),
        ...TO_HIGH,
        eventId: high[0].id,
      };
      expect(await timeHistory(engagement.id)).toEqual([entryOfHigh]);

      marker = await lastSeq();
      await runAt(KT_WINDOW_OPENS + 2);
      await runAt(FINAL_DUE_IN);
      expect(await levelEvents(marker, engagement.id)).toEqual([]);

      await runAt(HANDOVER_OVERDUE + 4);
      const critical = await levelEvents(marker, engagement.id);
      expect(critical).toHaveLength(1);
      expectClockEvent(critical[0], { type: 'risk.level_changed', ...about, data: TO_CRITICAL });
      expect(await timeHistory(engagement.id)).toEqual([
        {
          at: expect.any(String),
          on: daysFromToday(HANDOVER_OVERDUE),
          ...TO_CRITICAL,
          eventId: critical[0].id,
        },
        entryOfHigh,
      ]);

      marker = await lastSeq();
      await runAt(HANDOVER_OVERDUE + 4);
      await runAt(HANDOVER_OVERDUE + 10);
      expect(await levelEvents(marker, engagement.id)).toEqual([]);
      expect(await timeHistory(engagement.id)).toHaveLength(2);
    });

    it('catches up across both change days at once: two events, two entries each with its own day', async () => {
      const { engagement } = await engagementThatTimeMoves();

      const marker = await lastSeq();
      await runAt(HANDOVER_OVERDUE + 4);
      const events = await levelEvents(marker, engagement.id);
      expect(events.map((event) => event.data)).toEqual([TO_HIGH, TO_CRITICAL]);

      // One run writes both: they share `at`, so compare them in the order of their day.
      const history = [...(await timeHistory(engagement.id))].sort((a, b) =>
        a.on.localeCompare(b.on),
      );
      expect(history).toEqual([
        {
          at: expect.any(String),
          on: daysFromToday(KT_WINDOW_OPENS),
          ...TO_HIGH,
          eventId: events[0].id,
        },
        {
          at: expect.any(String),
          on: daysFromToday(HANDOVER_OVERDUE),
          ...TO_CRITICAL,
          eventId: events[1].id,
        },
      ]);

      await runAt(HANDOVER_OVERDUE + 4);
      expect(await levelEvents(marker, engagement.id)).toHaveLength(2);
    });

    it('does not fire past changes again after a write re-derives the timeline; later ones still fire', async () => {
      const { engagement, finalHandover } = await engagementThatTimeMoves();
      let marker = await lastSeq();
      await runAt(KT_WINDOW_OPENS + 2);
      expect((await levelEvents(marker, engagement.id)).map((event) => event.data)).toEqual([
        TO_HIGH,
      ]);

      // A second unaccepted artifact: the facts and timeline are rewritten, the level stays high.
      setToday(KT_WINDOW_OPENS + 2);
      await newArtifact(t, t.adminKey, engagement.id, finalHandover.id);
      marker = await lastSeq();
      await runAt(KT_WINDOW_OPENS + 2);
      await runAt(FINAL_DUE_IN);
      expect(await levelEvents(marker, engagement.id)).toEqual([]);

      await runAt(HANDOVER_OVERDUE);
      expect((await levelEvents(marker, engagement.id)).map((event) => event.data)).toEqual([
        TO_CRITICAL,
      ]);
      expect((await timeHistory(engagement.id)).map((entry) => entry.on)).toEqual([
        daysFromToday(HANDOVER_OVERDUE),
        daysFromToday(KT_WINDOW_OPENS),
      ]);
    });

    it('still tells of a change by time when a write comes on or after its day, before the clock ran', async () => {
      const { engagement } = await engagementThatTimeMoves();
      const marker = await lastSeq();
      // The day the window opened (the level is already high), before any run that day.
      setToday(KT_WINDOW_OPENS);
      const response = await t
        .http()
        .patch(base(engagement.id))
        .set(bearer(t.adminKey))
        .send({ noticePeriodDays: 14 });
      expectStatus(response, 200, 'PATCH engagement');
      // The write did not move the level (high before it and after it, as of that day), but
      // before re-deriving the timeline it told of what time had moved: once, as time's.
      const events = await levelEvents(marker, engagement.id);
      expect(events.map((event) => event.data)).toEqual([TO_HIGH]);
      expect(events[0]?.actor).toEqual(CLOCK_ACTOR);
      // The clock's next run has nothing left to tell.
      await runAt(KT_WINDOW_OPENS);
      expect(await levelEvents(marker, engagement.id)).toEqual(events);
      expect(await timeHistory(engagement.id)).toEqual([
        {
          at: expect.any(String),
          on: daysFromToday(KT_WINDOW_OPENS),
          ...TO_HIGH,
          eventId: events[0]?.id,
        },
      ]);
    });
  });

  describe('concurrent runs', () => {
    /**
     * Three engagements that reach a trigger of each kind on day 12: a milestone due on day 15
     * (due_soon), one due on day 5 (overdue, and MILESTONE_OVERDUE from day 6: medium), and
     * the KT window of a final handover due on day 40 that opened on day 10 (high).
     */
    async function triggersOnDay12(): Promise<{ engagementIds: string[]; expected: string[] }> {
      const soon = await activeEngagement(t);
      const dueSoon = await newMilestone(t, t.adminKey, soon.engagement.id, {
        dueDate: daysFromToday(15),
      });
      const late = await activeEngagement(t);
      const overdue = await newMilestone(t, t.adminKey, late.engagement.id, {
        dueDate: daysFromToday(5),
      });
      const moved = await activeEngagement(t, { finalDueIn: FINAL_DUE_IN });
      return {
        engagementIds: [soon.engagement.id, late.engagement.id, moved.engagement.id],
        expected: [
          `milestone.due_soon|${dueSoon.id}|${dueSoon.dueDate}`,
          `milestone.overdue|${overdue.id}|${overdue.dueDate}`,
          `risk.level_changed|${late.engagement.id}|${JSON.stringify({ level: 'medium', score: 15 })}`,
          `risk.level_changed|${moved.engagement.id}|${JSON.stringify(TO_HIGH.to)}`,
        ].sort(),
      };
    }

    /** Every time-triggered event since `marker` is one trigger, and these are the expected ones. */
    async function expectEachTriggerOnce(
      marker: number,
      scenario: { engagementIds: string[]; expected: string[] },
      results: RunResult[],
    ): Promise<void> {
      const all = await clockEvents(marker);
      const keys = all.map(triggerKey);
      expect(new Set(keys).size).toBe(keys.length);
      const fired = results.reduce(
        (sum, result) => sum + result.dueSoon + result.overdue + result.levelChanges,
        0,
      );
      expect(fired).toBe(all.length);
      const ours = all.filter((event) =>
        scenario.engagementIds.includes(event.engagementId as string),
      );
      expect(ours.map(triggerKey).sort()).toEqual(scenario.expected);
    }

    it('emits each trigger once when runs of one instance overlap', async () => {
      const scenario = await triggersOnDay12();
      const marker = await lastSeq();
      setToday(12);
      const job = t.app.get(ClockJob);
      const results = await Promise.all([
        job.runOnce(),
        job.runOnce(),
        job.runOnce(),
        job.runOnce(),
      ]);
      await expectEachTriggerOnce(marker, scenario, results);

      const again = await Promise.all([job.runOnce(), job.runOnce()]);
      expect(again).toEqual([
        expect.objectContaining({ dueSoon: 0, overdue: 0, levelChanges: 0, escalationsRaised: 0 }),
        expect.objectContaining({ dueSoon: 0, overdue: 0, levelChanges: 0, escalationsRaised: 0 }),
      ]);
    });

    const describeWithExternalDatabase = externalDatabaseUrl ? describe : describe.skip;

    describeWithExternalDatabase(
      'two instances on one database (PostgreSQL only: embedded PGlite is in-process, one instance per database)',
      () => {
        let second: TestApp;

        beforeAll(async () => {
          // A second instance of the application on the first one's database.
          second = await createTestApp({ databaseUrl: () => t.config.databaseUrl as string });
        });
        afterAll(() => second?.close());

        it('emits each trigger once when both instances run the clock at once', async () => {
          const scenario = await triggersOnDay12();
          const marker = await lastSeq();
          setToday(12, t);
          setToday(12, second);
          const first = t.app.get(ClockJob);
          const other = second.app.get(ClockJob);
          expect(other).not.toBe(first);
          const results = await Promise.all([
            first.runOnce(),
            other.runOnce(),
            first.runOnce(),
            other.runOnce(),
          ]);
          await expectEachTriggerOnce(marker, scenario, results);
        });
      },
    );
  });
});
