import { addDays, todayUtc } from '../src/common/dates.js';
import {
  act,
  type ArtifactBody,
  daysFromToday,
  type EngagementBody,
  type MilestoneBody,
  newEngagement,
  newMilestone,
  newPerson,
  newVendor,
  readyToActivate,
  type VendorBody,
  activeEngagement,
  draftEngagement,
  type EngagementPlan,
  type PlannedEngagement,
} from './factories.js';
import { bearer, createTestApp, expectProblem, type TestApp } from './test-app.js';

const UNKNOWN_ID = '00000000-0000-4000-8000-000000000000';

type Level = 'none' | 'low' | 'medium' | 'high' | 'critical';
type LevelCounts = Record<Level, number>;

interface RiskSignalBody {
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
  dependencyTrap: boolean;
  signals: RiskSignalBody[];
}

interface FlaggedBody {
  engagementId: string;
  title: string;
  status: EngagementBody['status'];
  vendorId: string;
  vendorName: string;
  productOwnerId: string;
  level: Level;
  score: number;
  signals: RiskSignalBody[];
}

interface VendorCountsBody {
  vendorId: string;
  name: string;
  engagements: number;
  flagged: number;
  byLevel: LevelCounts;
}

interface SummaryBody {
  asOf: string;
  totals: { engagements: number; byLevel: LevelCounts; dependencyTrap: number };
  flagged: FlaggedBody[];
  vendors: VendorCountsBody[];
}

interface ScorecardBody {
  vendorId: string;
  engagements: {
    total: number;
    draft: number;
    active: number;
    completed: number;
    cancelled: number;
  };
  handovers: { completed: number; onTime: number; late: number; onTimeRate: number | null };
  slips: { count: number; totalDays: number; averageDays: number | null };
  artifacts: {
    total: number;
    delivered: number;
    accepted: number;
    rejectedAtLeastOnce: number;
    acceptanceRate: number | null;
  };
  drills: { recorded: number; passedUnassisted: number };
  risk: { byLevel: LevelCounts; maxLevel: Level };
}

type DrillKind =
  'deploy' | 'restore' | 'incident_response' | 'change' | 'explain' | 'exit_rehearsal' | 'other';

interface DrillBody {
  id: string;
  engagementId: string;
  kind: DrillKind;
  status: 'scheduled' | 'recorded';
  outcome: 'passed' | 'partial' | 'failed' | null;
  vendorAssistance: 'none' | 'advice' | 'hands_on' | null;
}

/** How a drill went, as POST …/drills/{did}/record takes it. */
interface DrillRecord {
  outcome: 'passed' | 'partial' | 'failed';
  vendorAssistance: 'none' | 'advice' | 'hands_on';
}

const levels = (counts: Partial<LevelCounts> = {}): LevelCounts => ({
  none: 0,
  low: 0,
  medium: 0,
  high: 0,
  critical: 0,
  ...counts,
});

const sum = (counts: LevelCounts) => Object.values(counts).reduce((a, b) => a + b, 0);

/** `after − before`, level by level. */
const levelDelta = (before: LevelCounts, after: LevelCounts): LevelCounts =>
  levels(
    Object.fromEntries(
      (Object.keys(after) as Level[]).map((level) => [level, after[level] - before[level]]),
    ),
  );

describe('risk portfolio and vendor scorecard', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  const base = (engagementId: string) => `/v1/engagements/${engagementId}`;

  const summaryResponse = (query: Record<string, unknown> = {}, key = t.adminKey) =>
    t.http().get('/v1/risk/summary').query(query).set(bearer(key));

  /** The portfolio as of `asOf` (default: the API's default, today). */
  async function summaryOf(asOf?: string): Promise<SummaryBody> {
    const response = await summaryResponse(asOf === undefined ? {} : { asOf });
    if (response.status !== 200) {
      throw new Error(`GET summary answered ${response.status}: ${JSON.stringify(response.body)}`);
    }
    return response.body as SummaryBody;
  }

  const scorecardResponse = (vendorId: string, key = t.adminKey) =>
    t.http().get(`/v1/vendors/${vendorId}/scorecard`).set(bearer(key));

  async function scorecardOf(vendorId: string): Promise<ScorecardBody> {
    const response = await scorecardResponse(vendorId);
    if (response.status !== 200) {
      throw new Error(
        `GET scorecard answered ${response.status}: ${JSON.stringify(response.body)}`,
      );
    }
    const body = response.body as ScorecardBody;
    expect(body.vendorId).toBe(vendorId);
    return body;
  }

  async function riskOf(engagementId: string, asOf?: string): Promise<RiskBody> {
    const response = await t
      .http()
      .get(`${base(engagementId)}/risk`)
      .query(asOf === undefined ? {} : { asOf })
      .set(bearer(t.adminKey));
    if (response.status !== 200) {
      throw new Error(`GET risk answered ${response.status}: ${JSON.stringify(response.body)}`);
    }
    return response.body as RiskBody;
  }

  /** Changes a due date after activation, with the reason the ledger needs. */
  async function moveDueDate(
    engagementId: string,
    milestoneId: string,
    dueDate: string,
  ): Promise<MilestoneBody> {
    const response = await t
      .http()
      .patch(`${base(engagementId)}/milestones/${milestoneId}`)
      .set(bearer(t.adminKey))
      .send({ dueDate, reason: 'Vendor lost two engineers; agreed in the steering meeting' });
    if (response.status !== 200) {
      throw new Error(
        `PATCH milestone answered ${response.status}: ${JSON.stringify(response.body)}`,
      );
    }
    return response.body as MilestoneBody;
  }

  const deliver = (engagementId: string, artifactId: string) =>
    act<ArtifactBody>(t, `${base(engagementId)}/artifacts/${artifactId}/deliver`, {
      evidenceUrl: 'https://wiki.example.com/runbook',
    });

  /** Delivers the artifact and has the product owner accept it. */
  async function accept(engagement: EngagementBody, artifactId: string): Promise<ArtifactBody> {
    await deliver(engagement.id, artifactId);
    return act<ArtifactBody>(t, `${base(engagement.id)}/artifacts/${artifactId}/accept`, {
      acceptedById: engagement.productOwnerId,
    });
  }

  /** Delivers the artifact and rejects it. */
  async function reject(engagementId: string, artifactId: string): Promise<ArtifactBody> {
    await deliver(engagementId, artifactId);
    return act<ArtifactBody>(t, `${base(engagementId)}/artifacts/${artifactId}/reject`, {
      reason: 'The runbook does not cover the restore procedure',
    });
  }

  const completeMilestone = (engagementId: string, milestoneId: string, completedOn?: string) =>
    act<MilestoneBody>(
      t,
      `${base(engagementId)}/milestones/${milestoneId}/complete`,
      completedOn === undefined ? {} : { completedOn },
    );

  /** Schedules a drill run by the given recipients (default: all of them). */
  async function scheduleDrill(
    engagement: EngagementBody,
    kind: DrillKind = 'restore',
    participantIds: string[] = engagement.knowledgeRecipientIds,
  ): Promise<DrillBody> {
    const response = await t
      .http()
      .post(`${base(engagement.id)}/drills`)
      .set(bearer(t.adminKey))
      .send({
        kind,
        title: `Drill: ${kind}`,
        scenario: 'The primary database is lost; restore it from the nightly backup unaided.',
        participantIds,
      });
    if (response.status !== 201) {
      throw new Error(`POST drill answered ${response.status}: ${JSON.stringify(response.body)}`);
    }
    return response.body as DrillBody;
  }

  /** Schedules a drill and records it today as `how`, observed by the product owner. */
  async function recordedDrill(
    engagement: EngagementBody,
    how: DrillRecord,
    kind: DrillKind = 'restore',
  ): Promise<DrillBody> {
    const drill = await scheduleDrill(engagement, kind);
    const recorded = await act<DrillBody>(t, `${base(engagement.id)}/drills/${drill.id}/record`, {
      ...how,
      performedOn: todayUtc(),
      evidenceUrl: 'https://wiki.example.com/drills/restore',
      observedById: engagement.productOwnerId,
    });
    expect(recorded).toMatchObject({ status: 'recorded', kind, ...how });
    return recorded;
  }

  const PASSED_UNASSISTED: DrillRecord = { outcome: 'passed', vendorAssistance: 'none' };

  const cancel = (engagementId: string) =>
    act<EngagementBody>(t, `${base(engagementId)}/cancel`, { reason: 'Budget withdrawn' });

  type Plan = EngagementPlan;
  type Built = PlannedEngagement;
  const draft = (plan: Plan) => draftEngagement(t, plan);
  const active = (plan: Plan) => activeEngagement(t, plan);

  /** Accepts every artifact and completes the final handover (on `completedOn`, default today). */
  async function handOver(built: Built, completedOn?: string): Promise<MilestoneBody> {
    for (const artifact of built.artifacts) await accept(built.engagement, artifact.id);
    return completeMilestone(built.engagement.id, built.finalHandover.id, completedOn);
  }

  /** Hands over and completes the engagement. */
  async function complete(built: Built, completedOn?: string): Promise<EngagementBody> {
    await handOver(built, completedOn);
    return act<EngagementBody>(t, `${base(built.engagement.id)}/complete`);
  }

  /** A draft with no final handover, no artifacts and no recipients: high risk, score 90. */
  const bareDraft = (vendorId: string) => newEngagement(t, t.adminKey, { vendorId });

  const vendorIn = (summary: SummaryBody, vendorId: string) =>
    summary.vendors.find((vendor) => vendor.vendorId === vendorId);

  const flaggedOf = (summary: SummaryBody, vendorId: string) =>
    summary.flagged.filter((item) => item.vendorId === vendorId);

  /** The invariants every summary holds, whatever else the database contains. */
  function expectConsistent(summary: SummaryBody): void {
    expect(sum(summary.totals.byLevel)).toBe(summary.totals.engagements);
    expect(summary.totals.dependencyTrap).toBe(
      summary.totals.byLevel.high + summary.totals.byLevel.critical,
    );
    expect(summary.flagged).toHaveLength(summary.totals.dependencyTrap);
    for (const item of summary.flagged) {
      expect(['high', 'critical']).toContain(item.level);
      expect(['draft', 'active']).toContain(item.status);
    }
    const scores = summary.flagged.map((item) => item.score);
    expect(scores).toEqual([...scores].sort((a, b) => b - a));
    expect(summary.vendors.reduce((total, vendor) => total + vendor.engagements, 0)).toBe(
      summary.totals.engagements,
    );
    for (const vendor of summary.vendors) {
      expect(sum(vendor.byLevel)).toBe(vendor.engagements);
      expect(vendor.flagged).toBe(vendor.byLevel.high + vendor.byLevel.critical);
    }
  }

  describe('GET /v1/risk/summary', () => {
    it('counts the open engagements by level and lists the dependency traps, highest score first', async () => {
      const before = await summaryOf();
      const vendor = await newVendor(t);
      const calm = await active({ vendorId: vendor.id });
      const busFactor = await active({ vendorId: vendor.id, recipients: 1 });
      const bare = await bareDraft(vendor.id);
      const pastExit = await active({
        vendorId: vendor.id,
        fields: { contractEndDate: daysFromToday(30) },
      });
      const completed = await active({ vendorId: vendor.id });
      await complete(completed);
      const cancelled = await bareDraft(vendor.id);
      await cancel(cancelled.id);

      const after = await summaryOf();
      expect(after.asOf).toBe(todayUtc());
      expectConsistent(after);
      // Only the four open engagements count; the completed and cancelled ones do not.
      expect(after.totals.engagements - before.totals.engagements).toBe(4);
      expect(levelDelta(before.totals.byLevel, after.totals.byLevel)).toEqual(
        levels({ none: 1, medium: 1, high: 2 }),
      );
      expect(after.totals.dependencyTrap - before.totals.dependencyTrap).toBe(2);

      const bareRisk = await riskOf(bare.id);
      const pastExitRisk = await riskOf(pastExit.engagement.id);
      expect(bareRisk).toMatchObject({ level: 'high', score: 90 });
      expect(pastExitRisk).toMatchObject({ level: 'high', score: 30 });
      expect(flaggedOf(after, vendor.id)).toEqual([
        {
          engagementId: bare.id,
          title: bare.title,
          status: 'draft',
          vendorId: vendor.id,
          vendorName: vendor.name,
          productOwnerId: bare.productOwnerId,
          level: 'high',
          score: 90,
          signals: bareRisk.signals,
        },
        {
          engagementId: pastExit.engagement.id,
          title: pastExit.engagement.title,
          status: 'active',
          vendorId: vendor.id,
          vendorName: vendor.name,
          productOwnerId: pastExit.engagement.productOwnerId,
          level: 'high',
          score: 30,
          signals: pastExitRisk.signals,
        },
      ]);
      const flaggedIds = after.flagged.map((item) => item.engagementId);
      for (const id of [calm.engagement.id, busFactor.engagement.id]) {
        expect(flaggedIds).not.toContain(id);
      }

      expect(vendorIn(after, vendor.id)).toEqual({
        vendorId: vendor.id,
        name: vendor.name,
        engagements: 4,
        flagged: 2,
        byLevel: levels({ none: 1, medium: 1, high: 2 }),
      });
    });

    it('flags exactly the engagements the risk of each calls a dependency trap', async () => {
      const vendor = await newVendor(t);
      await bareDraft(vendor.id);
      await active({ vendorId: vendor.id, finalDueIn: -3 });
      await active({ vendorId: vendor.id, fields: { contractEndDate: daysFromToday(10) } });

      const summary = await summaryOf();
      expectConsistent(summary);

      const trapped: string[] = [];
      let cursor: string | null = null;
      do {
        const page: { status: number; body: { items: { id: string }[]; nextCursor: string } } =
          await t
            .http()
            .get('/v1/engagements')
            .query({ dependencyTrap: 'true', limit: 200, ...(cursor ? { cursor } : {}) })
            .set(bearer(t.adminKey));
        expect(page.status).toBe(200);
        trapped.push(...page.body.items.map((item) => item.id));
        cursor = page.body.nextCursor;
      } while (cursor);
      expect(summary.flagged.map((item) => item.engagementId).sort()).toEqual(trapped.sort());

      for (const item of summary.flagged) {
        const risk = await riskOf(item.engagementId, summary.asOf);
        expect(risk.dependencyTrap).toBe(true);
        expect(item).toMatchObject({
          level: risk.level,
          score: risk.score,
          signals: risk.signals,
        });
      }
      // Overdue (50), its artifact overdue (30) and, inside the KT window with no independent
      // operator, CAPABILITY_UNPROVEN (30): capped at 100.
      expect(flaggedOf(summary, vendor.id).map((item) => item.score)).toEqual([100, 90, 30]);
    });

    it('drops an engagement once it is completed or cancelled, and a vendor with no open ones', async () => {
      const vendor = await newVendor(t);
      const pastExit = await active({
        vendorId: vendor.id,
        fields: { contractEndDate: daysFromToday(30) },
      });
      const bare = await bareDraft(vendor.id);

      const open = await summaryOf();
      expect(flaggedOf(open, vendor.id).map((item) => item.engagementId)).toEqual([
        bare.id,
        pastExit.engagement.id,
      ]);
      expect(vendorIn(open, vendor.id)).toMatchObject({ engagements: 2, flagged: 2 });

      await complete(pastExit);
      const afterCompletion = await summaryOf();
      expectConsistent(afterCompletion);
      expect(afterCompletion.totals.engagements).toBe(open.totals.engagements - 1);
      expect(afterCompletion.totals.dependencyTrap).toBe(open.totals.dependencyTrap - 1);
      expect(flaggedOf(afterCompletion, vendor.id).map((item) => item.engagementId)).toEqual([
        bare.id,
      ]);
      expect(vendorIn(afterCompletion, vendor.id)).toEqual({
        vendorId: vendor.id,
        name: vendor.name,
        engagements: 1,
        flagged: 1,
        byLevel: levels({ high: 1 }),
      });

      await cancel(bare.id);
      const closed = await summaryOf();
      expectConsistent(closed);
      expect(closed.totals.engagements).toBe(open.totals.engagements - 2);
      expect(closed.totals.dependencyTrap).toBe(open.totals.dependencyTrap - 2);
      expect(flaggedOf(closed, vendor.id)).toEqual([]);
      expect(vendorIn(closed, vendor.id)).toBeUndefined();
    });

    it('judges the current facts as of asOf: a handover turns overdue the day after its due date', async () => {
      const vendor = await newVendor(t);
      const built = await active({ vendorId: vendor.id, finalDueIn: 20 });
      await accept(built.engagement, built.artifacts[0].id);
      // Both recipients proven independent operators: inside the KT window capability is not
      // in question, only the date.
      await recordedDrill(built.engagement, PASSED_UNASSISTED);
      const id = built.engagement.id;

      for (const asOf of [undefined, built.finalDue]) {
        const summary = await summaryOf(asOf);
        expect(summary.asOf).toBe(asOf ?? todayUtc());
        expectConsistent(summary);
        expect(flaggedOf(summary, vendor.id)).toEqual([]);
        expect(vendorIn(summary, vendor.id)).toEqual({
          vendorId: vendor.id,
          name: vendor.name,
          engagements: 1,
          flagged: 0,
          byLevel: levels({ none: 1 }),
        });
      }

      const asOf = addDays(built.finalDue, 1);
      const overdue = await summaryOf(asOf);
      expect(overdue.asOf).toBe(asOf);
      expectConsistent(overdue);
      expect(flaggedOf(overdue, vendor.id)).toEqual([
        {
          engagementId: id,
          title: built.engagement.title,
          status: 'active',
          vendorId: vendor.id,
          vendorName: vendor.name,
          productOwnerId: built.engagement.productOwnerId,
          level: 'critical',
          score: 50,
          signals: [
            {
              code: 'HANDOVER_OVERDUE',
              severity: 'critical',
              message: expect.any(String),
              data: { dueDate: built.finalDue, daysOverdue: 1 },
            },
          ],
        },
      ]);
      expect(vendorIn(overdue, vendor.id)).toMatchObject({
        engagements: 1,
        flagged: 1,
        byLevel: levels({ critical: 1 }),
      });
      // The clock moved, not the data: today it is still in order.
      expect((await riskOf(id)).level).toBe('none');
    });

    it.each(['2026-02-30', 'tomorrow', '2026-1-5', ''])(
      'rejects asOf=%j with 400 naming asOf',
      async (asOf) => {
        const body = expectProblem(await summaryResponse({ asOf }), 400, 'validation');
        expect(body.errors?.map((error) => error.field)).toEqual(['asOf']);
      },
    );

    it('rejects an unknown query parameter with 400', async () => {
      const body = expectProblem(await summaryResponse({ vendorId: UNKNOWN_ID }), 400);
      expect(body.errors?.map((error) => error.field)).toEqual(['vendorId']);
    });

    it('answers 401 without an API key', async () => {
      expectProblem(await t.http().get('/v1/risk/summary'), 401, 'unauthenticated');
    });

    it('is readable by every reading role and forbidden to a reporter', async () => {
      const owner = await newPerson(t);
      for (const key of [
        await t.keyFor('viewer'),
        await t.keyFor('procurement'),
        await t.keyFor('integration'),
        await t.keyFor('product_owner', owner.id),
      ]) {
        expect((await summaryResponse({}, key)).status).toBe(200);
      }
      expectProblem(await summaryResponse({}, await t.keyFor('reporter')), 403, 'forbidden');
    });
  });

  describe('GET /v1/vendors/{id}/scorecard', () => {
    let vendor: VendorBody;

    beforeEach(async () => {
      vendor = await newVendor(t);
    });

    it('gives a vendor with no engagements zeros, nulls and maxLevel none', async () => {
      expect(await scorecardOf(vendor.id)).toEqual({
        vendorId: vendor.id,
        engagements: { total: 0, draft: 0, active: 0, completed: 0, cancelled: 0 },
        handovers: { completed: 0, onTime: 0, late: 0, onTimeRate: null },
        slips: { count: 0, totalDays: 0, averageDays: null },
        artifacts: {
          total: 0,
          delivered: 0,
          accepted: 0,
          rejectedAtLeastOnce: 0,
          acceptanceRate: null,
        },
        drills: { recorded: 0, passedUnassisted: 0 },
        risk: { byLevel: levels(), maxLevel: 'none' },
      });
    });

    it('counts the engagements by status', async () => {
      await bareDraft(vendor.id);
      await active({ vendorId: vendor.id });
      await active({ vendorId: vendor.id });
      await complete(await active({ vendorId: vendor.id }));
      await cancel((await active({ vendorId: vendor.id })).engagement.id);
      await cancel((await bareDraft(vendor.id)).id);
      // Another vendor's engagements are not counted.
      await active({ vendorId: (await newVendor(t)).id });

      expect((await scorecardOf(vendor.id)).engagements).toEqual({
        total: 6,
        draft: 1,
        active: 2,
        completed: 1,
        cancelled: 2,
      });
    });

    it('counts final handovers completed on or before their baseline as on time, after it as late', async () => {
      // On time: completed today, due (baseline) in 60 days.
      const early = await active({ vendorId: vendor.id });
      await handOver(early);
      // On time: completed on the baseline itself; the engagement then completed.
      const onTheDay = await active({ vendorId: vendor.id, finalDueIn: -3 });
      expect(onTheDay.engagement.status).toBe('active');
      await complete(onTheDay, onTheDay.finalDue);
      // Late: baseline 20 days ago, slipped to 5 days ago, completed 6 days ago (before the
      // slipped date, but after the baseline).
      const slipped = await active({ vendorId: vendor.id, finalDueIn: -20 });
      const moved = await moveDueDate(
        slipped.engagement.id,
        slipped.finalHandover.id,
        daysFromToday(-5),
      );
      expect(moved.baselineDueDate).toBe(slipped.finalDue);
      const done = await handOver(slipped, daysFromToday(-6));
      expect(done.completedOn).toBe(daysFromToday(-6));
      // Not completed: neither on time nor late.
      await active({ vendorId: vendor.id, finalDueIn: -10 });
      await active({ vendorId: vendor.id });

      const { handovers } = await scorecardOf(vendor.id);
      expect(handovers).toEqual({
        completed: 3,
        onTime: 2,
        late: 1,
        onTimeRate: expect.any(Number),
      });
      expect(handovers.onTimeRate).toBeCloseTo(2 / 3, 3);
    });

    it('counts a handover completed the day after its baseline as late', async () => {
      const built = await active({ vendorId: vendor.id, finalDueIn: -2 });
      await handOver(built, daysFromToday(-1));
      expect((await scorecardOf(vendor.id)).handovers).toEqual({
        completed: 1,
        onTime: 0,
        late: 1,
        onTimeRate: 0,
      });
    });

    it("counts the final handovers' slips to a later date and sums their net slip", async () => {
      // Two slips (+10, +6 net +12 after a move 4 days earlier), and a delivery milestone slip
      // that does not count.
      const twice = await active({ vendorId: vendor.id });
      const id = twice.engagement.id;
      await moveDueDate(id, twice.finalHandover.id, addDays(twice.finalDue, 10));
      await moveDueDate(id, twice.finalHandover.id, addDays(twice.finalDue, 6));
      await moveDueDate(id, twice.finalHandover.id, addDays(twice.finalDue, 12));
      const pilot = await newMilestone(t, t.adminKey, id, { dueDate: daysFromToday(20) });
      await moveDueDate(id, pilot.id, daysFromToday(45));
      // One slip of 30 days.
      const once = await active({ vendorId: vendor.id });
      await moveDueDate(once.engagement.id, once.finalHandover.id, addDays(once.finalDue, 30));
      // Moved earlier only: no slip, and a negative net slip adds nothing.
      const earlier = await active({ vendorId: vendor.id });
      await moveDueDate(
        earlier.engagement.id,
        earlier.finalHandover.id,
        addDays(earlier.finalDue, -5),
      );
      // Date changes before activation are plans, not slips.
      const planned = await draft({ vendorId: vendor.id });
      const replanned = await t
        .http()
        .patch(`${base(planned.engagement.id)}/milestones/${planned.finalHandover.id}`)
        .set(bearer(t.adminKey))
        .send({ dueDate: addDays(planned.finalDue, 40) });
      expect(replanned.status).toBe(200);

      expect((await scorecardOf(vendor.id)).slips).toEqual({
        count: 3,
        totalDays: 42,
        averageDays: 21,
      });
    });

    it('keeps averageDays null when nothing slipped', async () => {
      const built = await active({ vendorId: vendor.id });
      await moveDueDate(built.engagement.id, built.finalHandover.id, addDays(built.finalDue, -10));
      expect((await scorecardOf(vendor.id)).slips).toEqual({
        count: 0,
        totalDays: 0,
        averageDays: null,
      });
    });

    it('counts artifacts delivered, accepted and rejected at least once', async () => {
      const built = await active({ vendorId: vendor.id, artifacts: 5 });
      const { engagement, artifacts } = built;
      // artifacts[0]: never delivered.
      await deliver(engagement.id, artifacts[1].id);
      await accept(engagement, artifacts[2].id);
      // Rejected, redelivered and accepted: still rejected at least once.
      await reject(engagement.id, artifacts[3].id);
      await accept(engagement, artifacts[3].id);
      // Rejected and not redelivered: still delivered once.
      await reject(engagement.id, artifacts[4].id);
      // A draft's artifact that nobody delivered.
      await draft({ vendorId: vendor.id });

      expect((await scorecardOf(vendor.id)).artifacts).toEqual({
        total: 6,
        delivered: 4,
        accepted: 2,
        rejectedAtLeastOnce: 2,
        acceptanceRate: 0.5,
      });
    });

    it('keeps acceptanceRate null when nothing was delivered', async () => {
      await active({ vendorId: vendor.id, artifacts: 2 });
      expect((await scorecardOf(vendor.id)).artifacts).toEqual({
        total: 2,
        delivered: 0,
        accepted: 0,
        rejectedAtLeastOnce: 0,
        acceptanceRate: null,
      });
    });

    it('counts the recorded drills of its engagements and those passed without vendor help', async () => {
      const built = await active({ vendorId: vendor.id, recipients: 3 });
      const { engagement } = built;
      // Counted as recorded; passed without vendor help.
      await recordedDrill(engagement, PASSED_UNASSISTED);
      await recordedDrill(engagement, PASSED_UNASSISTED, 'exit_rehearsal');
      // Counted as recorded only: passed with the vendor's help, or not passed.
      await recordedDrill(engagement, { outcome: 'passed', vendorAssistance: 'advice' }, 'deploy');
      await recordedDrill(
        engagement,
        { outcome: 'passed', vendorAssistance: 'hands_on' },
        'change',
      );
      await recordedDrill(engagement, { outcome: 'partial', vendorAssistance: 'none' }, 'explain');
      await recordedDrill(
        engagement,
        { outcome: 'failed', vendorAssistance: 'none' },
        'incident_response',
      );
      // Scheduled, never recorded: not counted at all.
      const unrecorded = await scheduleDrill(engagement, 'restore', [
        engagement.knowledgeRecipientIds[0],
      ]);
      expect(unrecorded).toMatchObject({ status: 'scheduled', outcome: null });
      // A draft's drill and the drill of an engagement cancelled since count too: the track
      // record is every engagement's.
      await recordedDrill((await draft({ vendorId: vendor.id })).engagement, PASSED_UNASSISTED);
      const cancelled = await active({ vendorId: vendor.id });
      await recordedDrill(cancelled.engagement, PASSED_UNASSISTED, 'other');
      await cancel(cancelled.engagement.id);
      // Another vendor's drills are not counted.
      const other = await active({ vendorId: (await newVendor(t)).id });
      await recordedDrill(other.engagement, PASSED_UNASSISTED);

      const scorecard = await scorecardOf(vendor.id);
      expect(scorecard.drills).toEqual({ recorded: 8, passedUnassisted: 4 });
      expect(scorecard.engagements).toMatchObject({ total: 3, draft: 1, active: 1, cancelled: 1 });
      expect((await scorecardOf(other.engagement.vendorId)).drills).toEqual({
        recorded: 1,
        passedUnassisted: 1,
      });
    });

    it("counts the open engagements' current risk by level, with the highest", async () => {
      await active({ vendorId: vendor.id });
      await active({ vendorId: vendor.id, recipients: 1 });
      await bareDraft(vendor.id);
      const overdue = await active({ vendorId: vendor.id, finalDueIn: -5 });
      expect((await riskOf(overdue.engagement.id)).level).toBe('critical');
      // Closed engagements carry no risk and are not counted at all.
      await complete(await active({ vendorId: vendor.id }));
      await cancel((await bareDraft(vendor.id)).id);

      expect((await scorecardOf(vendor.id)).risk).toEqual({
        byLevel: levels({ none: 1, medium: 1, high: 1, critical: 1 }),
        maxLevel: 'critical',
      });

      await cancel(overdue.engagement.id);
      expect((await scorecardOf(vendor.id)).risk).toEqual({
        byLevel: levels({ none: 1, medium: 1, high: 1 }),
        maxLevel: 'high',
      });
    });

    it('answers 404 for a vendor that does not exist', async () => {
      expectProblem(await scorecardResponse(UNKNOWN_ID), 404, 'not-found');
    });

    it('answers 400 for an id that is not a uuid', async () => {
      expectProblem(await scorecardResponse('not-a-uuid'), 400);
    });

    it('answers 401 without an API key', async () => {
      expectProblem(
        await t.http().get(`/v1/vendors/${vendor.id}/scorecard`),
        401,
        'unauthenticated',
      );
    });

    it('is readable by every reading role and forbidden to a reporter', async () => {
      const owner = await newPerson(t);
      for (const key of [
        await t.keyFor('viewer'),
        await t.keyFor('procurement'),
        await t.keyFor('integration'),
        await t.keyFor('product_owner', owner.id),
      ]) {
        expect((await scorecardResponse(vendor.id, key)).status).toBe(200);
      }
      expectProblem(
        await scorecardResponse(vendor.id, await t.keyFor('reporter')),
        403,
        'forbidden',
      );
    });
  });
});

describe('vendor list by track record', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  /** A vendor whose one active engagement's final handover slipped by `days`. */
  async function vendorWithSlip(name: string, days: number): Promise<string> {
    const vendor = await newVendor(t, t.adminKey, { name });
    const ready = await readyToActivate(t, t.adminKey, { vendorId: vendor.id });
    await act(t, `/v1/engagements/${ready.engagementId}/activate`);
    if (days > 0) {
      const slipped = await t
        .http()
        .patch(`/v1/engagements/${ready.engagementId}/milestones/${ready.finalHandoverId}`)
        .set(bearer(t.adminKey))
        .send({ dueDate: addDays(ready.finalHandover.dueDate, days), reason: 'Vendor staffing' });
      expect(slipped.status).toBe(200);
    }
    return vendor.id;
  }

  it('sorts vendors by slip days, most first, and pages through them with a cursor', async () => {
    const marker = `Slipsort ${Date.now()}`;
    const small = await vendorWithSlip(`${marker} small`, 5);
    const large = await vendorWithSlip(`${marker} large`, 40);
    const none = await vendorWithSlip(`${marker} none`, 0);
    const list = (extra: Record<string, unknown>) =>
      t
        .http()
        .get('/v1/vendors')
        .query({ q: marker, sort: '-slipDays', ...extra })
        .set(bearer(t.adminKey));

    const all = await list({ include: 'scorecard' });
    expect(all.status).toBe(200);
    expect(all.body.items.map((vendor: { id: string }) => vendor.id)).toEqual([large, small, none]);
    expect(all.body.items[0].scorecard).toEqual({
      engagements: 1,
      slipDays: 40,
      handoverOnTimeRate: null,
      acceptanceRate: null,
    });

    const first = await list({ limit: 2 });
    expect(first.body.items.map((vendor: { id: string }) => vendor.id)).toEqual([large, small]);
    expect(first.body.items[0]).not.toHaveProperty('scorecard');
    const second = await list({ limit: 2, cursor: first.body.nextCursor });
    expect(second.body.items.map((vendor: { id: string }) => vendor.id)).toEqual([none]);
    expect(second.body.nextCursor).toBeNull();
  });

  it('rejects an unknown sort or include with 400 naming it', async () => {
    for (const [field, value] of [
      ['sort', 'name'],
      ['include', 'everything'],
    ]) {
      const response = await t
        .http()
        .get('/v1/vendors')
        .query({ [field]: value })
        .set(bearer(t.adminKey));
      const body = expectProblem(response, 400, 'validation');
      expect(body.errors?.[0].field).toBe(field);
    }
  });
});
