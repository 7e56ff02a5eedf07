import { addDays, todayUtc } from '../src/common/dates.js';
import {
  act,
  type ArtifactBody,
  daysFromToday,
  type EngagementBody,
  type MilestoneBody,
  newArtifact,
  newEngagement,
  newEngagementIn,
  newMilestone,
  newPerson,
  proveCapability,
  readyToActivate,
  activeEngagement,
  draftEngagement,
  type EngagementPlan,
} from './factories.js';
import { bearer, createTestApp, expectProblem, type TestApp } from './test-app.js';

const UNKNOWN_ID = '00000000-0000-4000-8000-000000000000';

type Severity = 'low' | 'medium' | 'high' | 'critical';

interface RiskSignalBody {
  code: string;
  severity: Severity;
  message: string;
  data: Record<string, unknown>;
}

interface RiskBody {
  engagementId: string;
  asOf: string;
  level: 'none' | Severity;
  score: number;
  dependencyTrap: boolean;
  signals: RiskSignalBody[];
}

const codesOf = (risk: RiskBody) => risk.signals.map((signal) => signal.code).sort();

/** The one signal of `code`, or undefined; fails when there are several. */
function signalOf(risk: RiskBody, code: string): RiskSignalBody | undefined {
  const matching = risk.signals.filter((signal) => signal.code === code);
  expect(matching.length).toBeLessThanOrEqual(1);
  return matching[0];
}

describe('dependency-trap risk', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  const riskResponse = (id: string, query: Record<string, unknown> = {}, key = t.adminKey) =>
    t.http().get(`/v1/engagements/${id}/risk`).query(query).set(bearer(key));

  /** The risk of the engagement as of `asOf` (default: the API's default, today). */
  async function riskOf(id: string, asOf?: string): Promise<RiskBody> {
    const response = await riskResponse(id, asOf === undefined ? {} : { asOf });
    if (response.status !== 200) {
      throw new Error(`GET risk answered ${response.status}: ${JSON.stringify(response.body)}`);
    }
    const body = response.body as RiskBody;
    expect(body.engagementId).toBe(id);
    if (asOf !== undefined) expect(body.asOf).toBe(asOf);
    return body;
  }

  const base = (engagementId: string) => `/v1/engagements/${engagementId}`;

  async function patchEngagement(id: string, body: object): Promise<EngagementBody> {
    const response = await t.http().patch(base(id)).set(bearer(t.adminKey)).send(body);
    if (response.status !== 200) {
      throw new Error(
        `PATCH engagement answered ${response.status}: ${JSON.stringify(response.body)}`,
      );
    }
    return response.body as EngagementBody;
  }

  async function patchMilestone(
    engagementId: string,
    milestoneId: string,
    body: object,
  ): Promise<MilestoneBody> {
    const response = await t
      .http()
      .patch(`${base(engagementId)}/milestones/${milestoneId}`)
      .set(bearer(t.adminKey))
      .send(body);
    if (response.status !== 200) {
      throw new Error(
        `PATCH milestone answered ${response.status}: ${JSON.stringify(response.body)}`,
      );
    }
    return response.body as MilestoneBody;
  }

  /** Moves a milestone's due date after activation, with the reason the ledger needs. */
  const slip = (engagementId: string, milestoneId: string, dueDate: string) =>
    patchMilestone(engagementId, milestoneId, {
      dueDate,
      reason: 'Vendor lost two engineers; agreed in the steering meeting',
    });

  const deliver = (engagementId: string, artifactId: string) =>
    act<ArtifactBody>(t, `${base(engagementId)}/artifacts/${artifactId}/deliver`, {
      evidenceUrl: 'https://wiki.example.com/runbook',
    });

  async function accept(
    engagement: { id: string; productOwnerId: string },
    artifactId: string,
  ): Promise<ArtifactBody> {
    await deliver(engagement.id, artifactId);
    return act<ArtifactBody>(t, `${base(engagement.id)}/artifacts/${artifactId}/accept`, {
      acceptedById: engagement.productOwnerId,
    });
  }

  async function reject(engagementId: string, artifactId: string): Promise<ArtifactBody> {
    await deliver(engagementId, artifactId);
    return act<ArtifactBody>(t, `${base(engagementId)}/artifacts/${artifactId}/reject`, {
      reason: 'The runbook does not cover the restore procedure',
    });
  }

  type Plan = EngagementPlan;
  const draft = (plan: Plan = {}) => draftEngagement(t, plan);
  const active = (plan: Plan = {}) => activeEngagement(t, plan);

  describe('an active engagement in order', () => {
    it('carries no risk: level none, score 0, no dependency trap, no signals', async () => {
      const { engagement, finalDue } = await active();
      const risk = await riskOf(engagement.id, daysFromToday(0));
      expect(risk).toEqual({
        engagementId: engagement.id,
        asOf: daysFromToday(0),
        level: 'none',
        score: 0,
        dependencyTrap: false,
        signals: [],
        // If nothing happens: the KT window opens with nothing accepted and no drill passed,
        // then the date passes (50 + 30 + 30 = 110, capped).
        forecast: [
          {
            on: addDays(finalDue, -30),
            level: 'high',
            score: 60,
            raised: ['KT_BEHIND_SCHEDULE', 'CAPABILITY_UNPROVEN'],
            cleared: [],
          },
          {
            on: addDays(finalDue, 1),
            level: 'critical',
            score: 100,
            raised: ['HANDOVER_OVERDUE', 'ARTIFACTS_OVERDUE'],
            cleared: ['KT_BEHIND_SCHEDULE'],
          },
        ],
      });
    });

    it('is judged as of today (UTC) when asOf is absent', async () => {
      const { engagement } = await active();
      const risk = await riskOf(engagement.id);
      expect(risk.asOf).toBe(todayUtc());
      expect(risk.level).toBe('none');
    });
  });

  describe('HANDOVER_SLIPPED', () => {
    it('is medium after one slip of 10 days, with the slip in its data', async () => {
      const { engagement, finalHandover, finalDue } = await active();
      expect(codesOf(await riskOf(engagement.id))).toEqual([]);

      const moved = await slip(engagement.id, finalHandover.id, addDays(finalDue, 10));
      expect(moved.baselineDueDate).toBe(finalDue);

      const risk = await riskOf(engagement.id);
      expect(risk.signals).toEqual([
        {
          code: 'HANDOVER_SLIPPED',
          severity: 'medium',
          message: expect.stringContaining('10 days'),
          data: {
            slipDays: 10,
            slipCount: 1,
            baselineDueDate: finalDue,
            dueDate: addDays(finalDue, 10),
          },
        },
      ]);
      expect(risk).toMatchObject({ level: 'medium', score: 15, dependencyTrap: false });
    });

    it('stays medium at 29 days in one slip and turns high at 30', async () => {
      const first = await active();
      await slip(first.engagement.id, first.finalHandover.id, addDays(first.finalDue, 29));
      expect(signalOf(await riskOf(first.engagement.id), 'HANDOVER_SLIPPED')).toMatchObject({
        severity: 'medium',
        data: { slipDays: 29, slipCount: 1 },
      });

      const second = await active();
      await slip(second.engagement.id, second.finalHandover.id, addDays(second.finalDue, 30));
      const risk = await riskOf(second.engagement.id);
      expect(signalOf(risk, 'HANDOVER_SLIPPED')).toMatchObject({
        severity: 'high',
        data: { slipDays: 30, slipCount: 1 },
      });
      expect(risk).toMatchObject({ level: 'high', score: 30, dependencyTrap: true });
    });

    it('is high after 30 days in total over several slips', async () => {
      const { engagement, finalHandover, finalDue } = await active();
      await slip(engagement.id, finalHandover.id, addDays(finalDue, 20));
      await slip(engagement.id, finalHandover.id, addDays(finalDue, 35));
      expect(signalOf(await riskOf(engagement.id), 'HANDOVER_SLIPPED')).toMatchObject({
        severity: 'high',
        data: { slipDays: 35, slipCount: 2 },
      });
    });

    it('is high after two slips even when they add up to less than 30 days', async () => {
      const { engagement, finalHandover, finalDue } = await active();
      await slip(engagement.id, finalHandover.id, addDays(finalDue, 3));
      expect(signalOf(await riskOf(engagement.id), 'HANDOVER_SLIPPED')?.severity).toBe('medium');

      await slip(engagement.id, finalHandover.id, addDays(finalDue, 7));
      const risk = await riskOf(engagement.id);
      expect(signalOf(risk, 'HANDOVER_SLIPPED')).toMatchObject({
        severity: 'high',
        data: { slipDays: 7, slipCount: 2 },
      });
      expect(risk.dependencyTrap).toBe(true);
    });

    it('counts only changes to a later date as slips, and net days against the baseline', async () => {
      const { engagement, finalHandover, finalDue } = await active();
      await slip(engagement.id, finalHandover.id, addDays(finalDue, 20));
      await slip(engagement.id, finalHandover.id, addDays(finalDue, 12));
      expect(signalOf(await riskOf(engagement.id), 'HANDOVER_SLIPPED')).toMatchObject({
        severity: 'medium',
        data: { slipDays: 12, slipCount: 1, dueDate: addDays(finalDue, 12) },
      });
    });

    it('is not raised when the handover is back on (or before) its baseline', async () => {
      const { engagement, finalHandover, finalDue } = await active();
      await slip(engagement.id, finalHandover.id, addDays(finalDue, 10));
      await slip(engagement.id, finalHandover.id, finalDue);
      expect(signalOf(await riskOf(engagement.id), 'HANDOVER_SLIPPED')).toBeUndefined();

      await slip(engagement.id, finalHandover.id, addDays(finalDue, -5));
      expect(signalOf(await riskOf(engagement.id), 'HANDOVER_SLIPPED')).toBeUndefined();
    });

    it('ignores date changes of a draft, which are plans, and slips of other milestones', async () => {
      const built = await draft();
      await patchMilestone(built.engagement.id, built.finalHandover.id, {
        dueDate: addDays(built.finalDue, 45),
      });
      expect(await riskOf(built.engagement.id)).toMatchObject({ level: 'none', signals: [] });

      await act(t, `${base(built.engagement.id)}/activate`);
      const delivery = await newMilestone(t, t.adminKey, built.engagement.id, {
        dueDate: daysFromToday(20),
      });
      await slip(built.engagement.id, delivery.id, daysFromToday(50));
      expect(await riskOf(built.engagement.id)).toMatchObject({ level: 'none', signals: [] });
    });
  });

  describe('HANDOVER_OVERDUE', () => {
    it('is critical from the day after the final handover is due, not on it', async () => {
      const { engagement, finalDue, artifacts } = await active({ finalDueIn: 10 });
      await accept(engagement, artifacts[0].id);
      // Two independent operators: no CAPABILITY_UNPROVEN, HANDOVER_OVERDUE is judged alone.
      await proveCapability(t, engagement);

      expect(await riskOf(engagement.id, finalDue)).toMatchObject({ level: 'none', signals: [] });

      const risk = await riskOf(engagement.id, addDays(finalDue, 1));
      expect(risk.signals).toEqual([
        {
          code: 'HANDOVER_OVERDUE',
          severity: 'critical',
          message: expect.stringContaining(finalDue),
          data: { dueDate: finalDue, daysOverdue: 1 },
        },
      ]);
      expect(risk).toMatchObject({ level: 'critical', score: 50, dependencyTrap: true });

      expect(
        signalOf(await riskOf(engagement.id, addDays(finalDue, 40)), 'HANDOVER_OVERDUE')?.data,
      ).toEqual({ dueDate: finalDue, daysOverdue: 40 });
    });

    it('follows the current due date after a slip', async () => {
      const { engagement, finalHandover, finalDue, artifacts } = await active({ finalDueIn: 10 });
      await accept(engagement, artifacts[0].id);
      await proveCapability(t, engagement);
      await slip(engagement.id, finalHandover.id, addDays(finalDue, 5));
      const risk = await riskOf(engagement.id, addDays(finalDue, 3));
      expect(signalOf(risk, 'HANDOVER_OVERDUE')).toBeUndefined();
      expect(codesOf(risk)).toEqual(['HANDOVER_SLIPPED']);
    });

    it('is not raised once the final handover is completed', async () => {
      const { engagement, finalHandover, finalDue, artifacts } = await active({ finalDueIn: 10 });
      await accept(engagement, artifacts[0].id);
      await act(t, `${base(engagement.id)}/milestones/${finalHandover.id}/complete`);
      const risk = await riskOf(engagement.id, addDays(finalDue, 30));
      expect(risk).toMatchObject({ level: 'none', score: 0, signals: [] });
    });
  });

  describe('MILESTONE_OVERDUE', () => {
    it('counts the other milestones past due and not completed, with their ids', async () => {
      const { engagement, finalDue } = await active();
      const early = await newMilestone(t, t.adminKey, engagement.id, {
        name: 'Pilot',
        dueDate: daysFromToday(5),
      });
      const later = await newMilestone(t, t.adminKey, engagement.id, {
        name: 'Production rollout',
        kind: 'handover',
        dueDate: daysFromToday(8),
      });

      // Due today is not overdue.
      expect(signalOf(await riskOf(engagement.id, daysFromToday(5)), 'MILESTONE_OVERDUE')).toBe(
        undefined,
      );

      let risk = await riskOf(engagement.id, daysFromToday(6));
      expect(risk.signals).toEqual([
        {
          code: 'MILESTONE_OVERDUE',
          severity: 'medium',
          message: expect.any(String),
          data: { count: 1, milestoneIds: [early.id] },
        },
      ]);
      expect(risk).toMatchObject({ level: 'medium', score: 15, dependencyTrap: false });

      risk = await riskOf(engagement.id, daysFromToday(9));
      expect(signalOf(risk, 'MILESTONE_OVERDUE')?.data).toEqual({
        count: 2,
        milestoneIds: [early.id, later.id],
      });

      // A completed milestone is no longer overdue.
      await act(t, `${base(engagement.id)}/milestones/${early.id}/complete`);
      risk = await riskOf(engagement.id, daysFromToday(9));
      expect(signalOf(risk, 'MILESTONE_OVERDUE')?.data).toEqual({
        count: 1,
        milestoneIds: [later.id],
      });

      // The final handover is never counted here (it has HANDOVER_OVERDUE).
      risk = await riskOf(engagement.id, addDays(finalDue, 1));
      expect(signalOf(risk, 'MILESTONE_OVERDUE')?.data).toEqual({
        count: 1,
        milestoneIds: [later.id],
      });
      expect(signalOf(risk, 'HANDOVER_OVERDUE')).toBeDefined();
    });

    it('is raised today for a milestone added after activation with a past due date', async () => {
      const { engagement } = await active();
      const late = await newMilestone(t, t.adminKey, engagement.id, {
        dueDate: daysFromToday(-3),
      });
      expect(late.baselineDueDate).toBe(daysFromToday(-3));
      expect(signalOf(await riskOf(engagement.id), 'MILESTONE_OVERDUE')?.data).toEqual({
        count: 1,
        milestoneIds: [late.id],
      });
    });
  });

  describe('ARTIFACTS_OVERDUE', () => {
    it('counts the artifacts of past-due milestones that are not accepted', async () => {
      const { engagement, finalDue } = await active();
      const pilot = await newMilestone(t, t.adminKey, engagement.id, {
        name: 'Pilot',
        dueDate: daysFromToday(10),
      });
      const [runbook, adr, demo] = [
        await newArtifact(t, t.adminKey, engagement.id, pilot.id),
        await newArtifact(t, t.adminKey, engagement.id, pilot.id, {
          kind: 'architecture_decision_record',
          title: 'ADR: extraction model choice',
        }),
        await newArtifact(t, t.adminKey, engagement.id, pilot.id, {
          kind: 'recorded_demo',
          title: 'Pilot demo',
        }),
      ];

      expect(signalOf(await riskOf(engagement.id, daysFromToday(10)), 'ARTIFACTS_OVERDUE')).toBe(
        undefined,
      );

      const asOf = daysFromToday(11);
      let risk = await riskOf(engagement.id, asOf);
      expect(signalOf(risk, 'ARTIFACTS_OVERDUE')).toEqual({
        code: 'ARTIFACTS_OVERDUE',
        severity: 'high',
        message: expect.any(String),
        data: { count: 3 },
      });
      expect(codesOf(risk)).toEqual(['ARTIFACTS_OVERDUE', 'MILESTONE_OVERDUE']);
      expect(risk).toMatchObject({ level: 'high', score: 45, dependencyTrap: true });

      // Delivered is not enough; accepted is.
      await deliver(engagement.id, runbook.id);
      expect(signalOf(await riskOf(engagement.id, asOf), 'ARTIFACTS_OVERDUE')?.data).toEqual({
        count: 3,
      });
      await act(t, `${base(engagement.id)}/artifacts/${runbook.id}/accept`, {
        acceptedById: engagement.productOwnerId,
      });
      expect(signalOf(await riskOf(engagement.id, asOf), 'ARTIFACTS_OVERDUE')?.data).toEqual({
        count: 2,
      });

      // A rejected artifact is still overdue.
      await reject(engagement.id, adr.id);
      risk = await riskOf(engagement.id, asOf);
      expect(signalOf(risk, 'ARTIFACTS_OVERDUE')?.data).toEqual({ count: 2 });
      expect(signalOf(risk, 'ARTIFACTS_REJECTED')?.data).toEqual({ count: 1 });

      // Once the final handover is past due, its own artifact counts too.
      risk = await riskOf(engagement.id, addDays(finalDue, 1));
      expect(signalOf(risk, 'ARTIFACTS_OVERDUE')?.data).toEqual({ count: 3 });

      await accept(engagement, demo.id);
      await deliver(engagement.id, adr.id);
      await act(t, `${base(engagement.id)}/artifacts/${adr.id}/accept`, {
        acceptedById: engagement.productOwnerId,
      });
      risk = await riskOf(engagement.id, asOf);
      expect(signalOf(risk, 'ARTIFACTS_OVERDUE')).toBeUndefined();
      expect(signalOf(risk, 'ARTIFACTS_REJECTED')).toBeUndefined();
      expect(codesOf(risk)).toEqual(['MILESTONE_OVERDUE']);
    });
  });

  describe('KT_BEHIND_SCHEDULE', () => {
    it('is high within 30 days of the final handover while under 50 % is accepted', async () => {
      const { engagement, finalDue, artifacts } = await active({ finalDueIn: 40, artifacts: 4 });
      // Two independent operators: no CAPABILITY_UNPROVEN, KT_BEHIND_SCHEDULE is judged alone.
      await proveCapability(t, engagement);

      // 40 and 31 days out: outside the window.
      expect(await riskOf(engagement.id)).toMatchObject({ level: 'none', signals: [] });
      expect(codesOf(await riskOf(engagement.id, addDays(finalDue, -31)))).toEqual([]);

      let risk = await riskOf(engagement.id, addDays(finalDue, -30));
      expect(risk.signals).toEqual([
        {
          code: 'KT_BEHIND_SCHEDULE',
          severity: 'high',
          message: expect.any(String),
          data: { daysLeft: 30, accepted: 0, total: 4, acceptedShare: 0 },
        },
      ]);
      expect(risk).toMatchObject({ level: 'high', score: 30, dependencyTrap: true });

      await accept(engagement, artifacts[0].id);
      risk = await riskOf(engagement.id, finalDue);
      expect(signalOf(risk, 'KT_BEHIND_SCHEDULE')?.data).toEqual({
        daysLeft: 0,
        accepted: 1,
        total: 4,
        acceptedShare: 0.25,
      });

      // Exactly 50 % accepted is on schedule.
      await accept(engagement, artifacts[1].id);
      expect(codesOf(await riskOf(engagement.id, addDays(finalDue, -30)))).toEqual([]);
      expect(codesOf(await riskOf(engagement.id, finalDue))).toEqual([]);
    });

    it('is not raised once the final handover is past due (it is overdue then)', async () => {
      const { engagement, finalDue } = await active({ finalDueIn: 10, artifacts: 2 });
      await proveCapability(t, engagement);
      expect(codesOf(await riskOf(engagement.id))).toEqual(['KT_BEHIND_SCHEDULE']);
      const risk = await riskOf(engagement.id, addDays(finalDue, 1));
      expect(codesOf(risk)).toEqual(['ARTIFACTS_OVERDUE', 'HANDOVER_OVERDUE']);
    });

    it('counts every artifact of the engagement, not only those due with the final handover', async () => {
      const { engagement, finalDue, artifacts } = await active({ finalDueIn: 20 });
      await accept(engagement, artifacts[0].id);
      await proveCapability(t, engagement);
      expect(codesOf(await riskOf(engagement.id))).toEqual([]);

      const pilot = await newMilestone(t, t.adminKey, engagement.id, {
        dueDate: daysFromToday(15),
      });
      await newArtifact(t, t.adminKey, engagement.id, pilot.id);
      // 1 of 2 accepted: 50 %, on schedule.
      expect(codesOf(await riskOf(engagement.id))).toEqual([]);

      await newArtifact(t, t.adminKey, engagement.id, pilot.id);
      expect(signalOf(await riskOf(engagement.id, finalDue), 'KT_BEHIND_SCHEDULE')?.data).toEqual({
        daysLeft: 0,
        accepted: 1,
        total: 3,
        acceptedShare: 1 / 3,
      });
    });
  });

  describe('NO_KT_ARTIFACTS', () => {
    it('is high on a draft without artifacts and goes away with the first one', async () => {
      const recipients = [(await newPerson(t)).id, (await newPerson(t)).id];
      const engagement = await newEngagement(t, t.adminKey, { knowledgeRecipientIds: recipients });
      const finalHandover = await newMilestone(t, t.adminKey, engagement.id, {
        kind: 'final_handover',
        dueDate: daysFromToday(10),
      });

      const risk = await riskOf(engagement.id);
      expect(risk.signals).toEqual([
        {
          code: 'NO_KT_ARTIFACTS',
          severity: 'high',
          message: expect.any(String),
          data: {},
        },
      ]);
      expect(risk).toMatchObject({ level: 'high', score: 30, dependencyTrap: true });

      await newArtifact(t, t.adminKey, engagement.id, finalHandover.id);
      expect(await riskOf(engagement.id)).toMatchObject({ level: 'none', signals: [] });
    });
  });

  describe('BUS_FACTOR_ONE', () => {
    it('is medium with one knowledge recipient, high with none, absent with two', async () => {
      const { engagement } = await active({ recipients: 2 });
      const [first] = engagement.knowledgeRecipientIds;
      expect(await riskOf(engagement.id)).toMatchObject({ level: 'none', signals: [] });

      await patchEngagement(engagement.id, { knowledgeRecipientIds: [first] });
      let risk = await riskOf(engagement.id);
      expect(risk.signals).toEqual([
        {
          code: 'BUS_FACTOR_ONE',
          severity: 'medium',
          message: expect.any(String),
          data: { knowledgeRecipients: 1 },
        },
      ]);
      expect(risk).toMatchObject({ level: 'medium', score: 15, dependencyTrap: false });

      await patchEngagement(engagement.id, { knowledgeRecipientIds: [] });
      risk = await riskOf(engagement.id);
      expect(risk.signals).toEqual([
        {
          code: 'BUS_FACTOR_ONE',
          severity: 'high',
          message: expect.any(String),
          data: { knowledgeRecipients: 0 },
        },
      ]);
      expect(risk).toMatchObject({ level: 'high', score: 30, dependencyTrap: true });

      const second = await newPerson(t);
      await patchEngagement(engagement.id, { knowledgeRecipientIds: [first, second.id] });
      expect(await riskOf(engagement.id)).toMatchObject({ level: 'none', signals: [] });
    });

    it('is raised on a draft too', async () => {
      const zero = await draft({ recipients: 0 });
      expect(signalOf(await riskOf(zero.engagement.id), 'BUS_FACTOR_ONE')).toMatchObject({
        severity: 'high',
        data: { knowledgeRecipients: 0 },
      });
      const one = await draft({ recipients: 1 });
      expect(signalOf(await riskOf(one.engagement.id), 'BUS_FACTOR_ONE')).toMatchObject({
        severity: 'medium',
        data: { knowledgeRecipients: 1 },
      });
    });
  });

  describe('NO_FINAL_HANDOVER', () => {
    it('is high on a draft until it has a final handover milestone', async () => {
      const recipients = [(await newPerson(t)).id, (await newPerson(t)).id];
      const engagement = await newEngagement(t, t.adminKey, { knowledgeRecipientIds: recipients });
      const delivery = await newMilestone(t, t.adminKey, engagement.id, {
        dueDate: daysFromToday(20),
      });
      await newArtifact(t, t.adminKey, engagement.id, delivery.id);

      const risk = await riskOf(engagement.id);
      expect(risk.signals).toEqual([
        {
          code: 'NO_FINAL_HANDOVER',
          severity: 'high',
          message: expect.any(String),
          data: {},
        },
      ]);
      expect(risk).toMatchObject({ level: 'high', score: 30, dependencyTrap: true });

      // Turning the milestone into the final handover (allowed on a draft) clears it.
      await patchMilestone(engagement.id, delivery.id, { kind: 'final_handover' });
      expect(await riskOf(engagement.id)).toMatchObject({ level: 'none', signals: [] });

      await patchMilestone(engagement.id, delivery.id, { kind: 'handover' });
      expect(codesOf(await riskOf(engagement.id))).toEqual(['NO_FINAL_HANDOVER']);
    });

    it('sums the structural signals of an empty draft', async () => {
      const engagement = await newEngagement(t);
      const risk = await riskOf(engagement.id);
      expect(codesOf(risk)).toEqual(['BUS_FACTOR_ONE', 'NO_FINAL_HANDOVER', 'NO_KT_ARTIFACTS']);
      expect(risk.signals.every((signal) => signal.severity === 'high')).toBe(true);
      expect(risk).toMatchObject({ level: 'high', score: 90, dependencyTrap: true });
    });
  });

  describe('ARTIFACTS_REJECTED', () => {
    it('is low while an artifact is rejected and clears when it is delivered again', async () => {
      const { engagement, artifacts } = await active({ artifacts: 2 });
      await reject(engagement.id, artifacts[0].id);

      let risk = await riskOf(engagement.id);
      expect(risk.signals).toEqual([
        {
          code: 'ARTIFACTS_REJECTED',
          severity: 'low',
          message: expect.any(String),
          data: { count: 1 },
        },
      ]);
      expect(risk).toMatchObject({ level: 'low', score: 5, dependencyTrap: false });

      await reject(engagement.id, artifacts[1].id);
      expect(signalOf(await riskOf(engagement.id), 'ARTIFACTS_REJECTED')?.data).toEqual({
        count: 2,
      });

      await deliver(engagement.id, artifacts[0].id);
      await deliver(engagement.id, artifacts[1].id);
      risk = await riskOf(engagement.id);
      expect(risk).toMatchObject({ level: 'none', score: 0, signals: [] });
    });
  });

  describe('HANDOVER_AFTER_EXIT_DEADLINE', () => {
    it('is high when the final handover is due after contract end minus notice period', async () => {
      const finalDue = daysFromToday(60);
      const { engagement } = await active({
        fields: { contractEndDate: addDays(finalDue, 20), noticePeriodDays: 30 },
      });
      expect(engagement.lastSafeHandoverDate).toBe(addDays(finalDue, -10));

      const risk = await riskOf(engagement.id);
      expect(risk.signals).toEqual([
        {
          code: 'HANDOVER_AFTER_EXIT_DEADLINE',
          severity: 'high',
          message: expect.any(String),
          data: { dueDate: finalDue, lastSafeHandoverDate: addDays(finalDue, -10) },
        },
      ]);
      expect(risk).toMatchObject({ level: 'high', score: 30, dependencyTrap: true });

      // A handover on the last safe date itself is in time.
      await patchEngagement(engagement.id, { noticePeriodDays: 20 });
      expect(await riskOf(engagement.id)).toMatchObject({ level: 'none', signals: [] });

      await patchEngagement(engagement.id, { noticePeriodDays: 21 });
      expect(codesOf(await riskOf(engagement.id))).toEqual(['HANDOVER_AFTER_EXIT_DEADLINE']);

      // Without a contract end date there is no exit clock.
      await patchEngagement(engagement.id, { contractEndDate: null });
      expect(await riskOf(engagement.id)).toMatchObject({ level: 'none', signals: [] });
    });

    it('is raised by a slip past the last safe date, with notice period 0 by default', async () => {
      const finalDue = daysFromToday(60);
      const { engagement, finalHandover } = await active({
        fields: { contractEndDate: addDays(finalDue, 15) },
      });
      expect(engagement.noticePeriodDays).toBe(0);
      expect(await riskOf(engagement.id)).toMatchObject({ level: 'none', signals: [] });

      await slip(engagement.id, finalHandover.id, addDays(finalDue, 20));
      const risk = await riskOf(engagement.id);
      expect(codesOf(risk)).toEqual(['HANDOVER_AFTER_EXIT_DEADLINE', 'HANDOVER_SLIPPED']);
      expect(signalOf(risk, 'HANDOVER_AFTER_EXIT_DEADLINE')?.data).toEqual({
        dueDate: addDays(finalDue, 20),
        lastSafeHandoverDate: addDays(finalDue, 15),
      });
      expect(risk).toMatchObject({ level: 'high', score: 45, dependencyTrap: true });
    });

    it('is raised on a draft too', async () => {
      const finalDue = daysFromToday(60);
      const { engagement } = await draft({
        fields: { contractEndDate: addDays(finalDue, 5), noticePeriodDays: 10 },
      });
      expect(codesOf(await riskOf(engagement.id))).toEqual(['HANDOVER_AFTER_EXIT_DEADLINE']);
    });
  });

  describe('by status', () => {
    it('shows only the structural signals on a draft, whatever its dates', async () => {
      const finalDue = daysFromToday(-5);
      const built = await draft({
        finalDueIn: -5,
        recipients: 1,
        artifacts: 2,
        fields: { contractEndDate: addDays(finalDue, -1) },
      });
      const { engagement } = built;
      const pilot = await newMilestone(t, t.adminKey, engagement.id, {
        dueDate: daysFromToday(-10),
      });
      await newArtifact(t, t.adminKey, engagement.id, pilot.id);
      await reject(engagement.id, built.artifacts[0].id);
      await patchMilestone(engagement.id, built.finalHandover.id, {
        dueDate: daysFromToday(-4),
      });

      for (const asOf of [daysFromToday(-5), daysFromToday(0), daysFromToday(365)]) {
        const risk = await riskOf(engagement.id, asOf);
        expect(codesOf(risk)).toEqual(['BUS_FACTOR_ONE', 'HANDOVER_AFTER_EXIT_DEADLINE']);
        expect(risk).toMatchObject({ level: 'high', score: 45, dependencyTrap: true });
      }
    });

    it('gives a completed engagement no risk, even long after its dates', async () => {
      const { engagementId, engagement } = await newEngagementIn(t, 'completed');
      expect(engagement.status).toBe('completed');
      for (const asOf of [undefined, daysFromToday(365)]) {
        const risk = await riskOf(engagementId, asOf);
        expect(risk).toMatchObject({
          engagementId,
          level: 'none',
          score: 0,
          dependencyTrap: false,
          signals: [],
        });
      }
    });

    it('gives a cancelled engagement no risk, however risky it was', async () => {
      const { engagement, finalHandover, finalDue, artifacts } = await active({
        finalDueIn: 10,
        artifacts: 2,
        fields: { contractEndDate: daysFromToday(5) },
      });
      await patchEngagement(engagement.id, { knowledgeRecipientIds: [] });
      await slip(engagement.id, finalHandover.id, addDays(finalDue, 40));
      await reject(engagement.id, artifacts[0].id);
      const asOf = addDays(finalDue, 60);
      expect((await riskOf(engagement.id, asOf)).level).toBe('critical');

      await act(t, `${base(engagement.id)}/cancel`, { reason: 'Budget withdrawn' });
      expect(await riskOf(engagement.id, asOf)).toEqual({
        engagementId: engagement.id,
        asOf,
        level: 'none',
        score: 0,
        dependencyTrap: false,
        signals: [],
        forecast: [],
      });
    });

    it('gives a cancelled draft no risk either', async () => {
      const engagement = await newEngagement(t);
      expect((await riskOf(engagement.id)).level).toBe('high');
      await act(t, `${base(engagement.id)}/cancel`, { reason: 'Never signed' });
      expect(await riskOf(engagement.id)).toMatchObject({ level: 'none', score: 0, signals: [] });
    });
  });

  describe('level, score and dependency trap', () => {
    it('adds the weights (low 5 + medium 15), takes the highest severity, no trap below high', async () => {
      const { engagement, artifacts } = await active({ recipients: 1 });
      await reject(engagement.id, artifacts[0].id);
      const risk = await riskOf(engagement.id);
      expect(codesOf(risk)).toEqual(['ARTIFACTS_REJECTED', 'BUS_FACTOR_ONE']);
      expect(risk).toMatchObject({ level: 'medium', score: 20, dependencyTrap: false });
      // Most severe first.
      expect(risk.signals.map((signal) => signal.severity)).toEqual(['medium', 'low']);
    });

    it('caps the score at 100 and orders the signals by severity', async () => {
      const { engagement, finalHandover, finalDue, artifacts } = await active({
        finalDueIn: 10,
        artifacts: 2,
        fields: { contractEndDate: daysFromToday(20), noticePeriodDays: 5 },
      });
      await patchEngagement(engagement.id, { knowledgeRecipientIds: [] });
      await slip(engagement.id, finalHandover.id, addDays(finalDue, 30));
      await reject(engagement.id, artifacts[0].id);
      const pilot = await newMilestone(t, t.adminKey, engagement.id, {
        dueDate: daysFromToday(5),
      });

      const risk = await riskOf(engagement.id, addDays(finalDue, 31));
      expect(codesOf(risk)).toEqual([
        'ARTIFACTS_OVERDUE',
        'ARTIFACTS_REJECTED',
        'BUS_FACTOR_ONE',
        'CAPABILITY_UNPROVEN',
        'HANDOVER_AFTER_EXIT_DEADLINE',
        'HANDOVER_OVERDUE',
        'HANDOVER_SLIPPED',
        'MILESTONE_OVERDUE',
      ]);
      expect(signalOf(risk, 'MILESTONE_OVERDUE')?.data).toEqual({
        count: 1,
        milestoneIds: [pilot.id],
      });
      // 50 + 5 × 30 + 15 + 5 = 220, capped (no recipients, so no operators: CAPABILITY_UNPROVEN).
      expect(risk).toMatchObject({ level: 'critical', score: 100, dependencyTrap: true });
      const weights = { low: 5, medium: 15, high: 30, critical: 50 };
      const order = risk.signals.map((signal) => weights[signal.severity]);
      expect(order).toEqual([...order].sort((a, b) => b - a));
      expect(risk.signals[0].code).toBe('HANDOVER_OVERDUE');
      for (const signal of risk.signals) expect(signal.message).toEqual(expect.any(String));
    });
  });

  describe('the request', () => {
    it.each(['2026-02-30', 'tomorrow', '2026-1-5', ''])(
      'rejects asOf=%j with 400 naming asOf',
      async (asOf) => {
        const { engagementId } = await readyToActivate(t);
        const body = expectProblem(await riskResponse(engagementId, { asOf }), 400, 'validation');
        expect(body.errors?.map((error) => error.field)).toEqual(['asOf']);
      },
    );

    it('rejects an unknown query parameter with 400', async () => {
      const { engagementId } = await readyToActivate(t);
      const body = expectProblem(
        await riskResponse(engagementId, { at: daysFromToday(0) }),
        400,
        'validation',
      );
      expect(body.errors?.map((error) => error.field)).toEqual(['at']);
    });

    it('answers 404 for an engagement that does not exist', async () => {
      expectProblem(await riskResponse(UNKNOWN_ID), 404, 'not-found');
    });

    it('answers 400 for an id that is not a uuid', async () => {
      expectProblem(await riskResponse('not-a-uuid'), 400);
    });

    it('answers 401 without an API key', async () => {
      const { engagementId } = await readyToActivate(t);
      expectProblem(
        await t.http().get(`/v1/engagements/${engagementId}/risk`),
        401,
        'unauthenticated',
      );
    });

    it('is readable by every reading role and forbidden to a reporter', async () => {
      const { engagementId } = await readyToActivate(t);
      const owner = await newPerson(t);
      for (const key of [
        await t.keyFor('viewer'),
        await t.keyFor('procurement'),
        await t.keyFor('integration'),
        await t.keyFor('product_owner', owner.id),
      ]) {
        expect((await riskResponse(engagementId, {}, key)).status).toBe(200);
      }
      expectProblem(
        await riskResponse(engagementId, {}, await t.keyFor('reporter')),
        403,
        'forbidden',
      );
    });
  });

  describe('on engagements and their lists', () => {
    it("carries today's risk summary on every engagement response", async () => {
      const draft = await newEngagement(t);
      const read = await t.http().get(`/v1/engagements/${draft.id}`).set(bearer(t.adminKey));
      const risk = await riskOf(draft.id);
      expect(read.body.risk).toEqual({
        level: risk.level,
        score: risk.score,
        dependencyTrap: risk.dependencyTrap,
      });
      expect(draft).toHaveProperty('risk');
    });

    it('filters by minRiskLevel and dependencyTrap, and sorts by risk score', async () => {
      const vendor = (await newEngagement(t)).vendorId;
      const calm = await newEngagementIn(t, 'active');
      // Same vendor for all three, so the filter isolates them from other tests' engagements.
      await t
        .http()
        .patch(`/v1/engagements/${calm.engagementId}`)
        .set(bearer(t.adminKey))
        .send({
          vendorId: vendor,
          knowledgeRecipientIds: [calm.knowledgeRecipientId, (await newPerson(t)).id],
        });
      const risky = await newEngagement(t, t.adminKey, { vendorId: vendor });
      const riskier = await newEngagement(t, t.adminKey, {
        vendorId: vendor,
        contractEndDate: daysFromToday(10),
      });
      await newMilestone(t, t.adminKey, riskier.id, {
        kind: 'final_handover',
        dueDate: daysFromToday(60),
      });

      const list = (query: Record<string, unknown>) =>
        t
          .http()
          .get('/v1/engagements')
          .query({ vendorId: vendor, ...query })
          .set(bearer(t.adminKey));

      const all = await list({ sort: '-riskScore' });
      expect(all.status).toBe(200);
      const scores = all.body.items.map((item: { risk: { score: number } }) => item.risk.score);
      expect(scores).toEqual([...scores].sort((a, b) => b - a));
      expect(all.body.items.map((item: { id: string }) => item.id)).toEqual(
        expect.arrayContaining([calm.engagementId, risky.id, riskier.id]),
      );

      const trapped = await list({ dependencyTrap: 'true' });
      const trappedIds = trapped.body.items.map((item: { id: string }) => item.id);
      expect(trappedIds).toEqual(expect.arrayContaining([risky.id, riskier.id]));
      expect(trappedIds).not.toContain(calm.engagementId);
      for (const item of trapped.body.items) expect(item.risk.dependencyTrap).toBe(true);

      const high = await list({ minRiskLevel: 'high' });
      for (const item of high.body.items) expect(['high', 'critical']).toContain(item.risk.level);
      const none = await list({ minRiskLevel: 'none' });
      expect(none.body.items).toHaveLength(4);

      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const page: { body: { items: { id: string }[]; nextCursor: string | null } } = await list({
          sort: '-riskScore',
          limit: 1,
          ...(cursor ? { cursor } : {}),
        });
        seen.push(...page.body.items.map((item) => item.id));
        cursor = page.body.nextCursor;
      } while (cursor);
      expect(seen).toEqual(all.body.items.map((item: { id: string }) => item.id));
    });

    it('rejects an unknown minRiskLevel, dependencyTrap or sort with 400 naming it', async () => {
      for (const [field, value] of [
        ['minRiskLevel', 'severe'],
        ['dependencyTrap', 'maybe'],
        ['sort', 'title'],
      ]) {
        const response = await t
          .http()
          .get('/v1/engagements')
          .query({ [field]: value })
          .set(bearer(t.adminKey));
        const body = expectProblem(response, 400, 'validation');
        expect(body.errors?.[0].field).toBe(field);
      }
    });

    it('records risk.level_changed in the audit when a write moves the level', async () => {
      const ready = await newEngagementIn(t, 'active');
      const before = await riskOf(ready.engagementId);
      await t
        .http()
        .patch(`/v1/engagements/${ready.engagementId}/milestones/${ready.finalHandoverId}`)
        .set(bearer(t.adminKey))
        .send({
          dueDate: addDays(ready.finalHandover.dueDate, 40),
          reason: 'Vendor lost two engineers',
        });
      const after = await riskOf(ready.engagementId);
      expect(after.level).not.toBe(before.level);
      const events = await t
        .http()
        .get('/v1/audit-events')
        .query({ entityType: 'engagement', entityId: ready.engagementId })
        .set(bearer(t.adminKey));
      const change = events.body.items.find(
        (event: { action: string }) => event.action === 'risk.level_changed',
      );
      expect(change.changes.level).toEqual({ from: before.level, to: after.level });
      expect(change.changes.signals.to.map((signal: { code: string }) => signal.code)).toContain(
        'HANDOVER_SLIPPED',
      );
    });
  });
});
