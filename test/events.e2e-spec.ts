import { jest } from '@jest/globals';
import type request from 'supertest';
import { Clock } from '../src/common/clock.js';
import { EventRetention } from '../src/events/event-retention.js';
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
} from './factories.js';
import { bearer, createTestApp, expectProblem, type TestApp } from './test-app.js';
import { openApiContract } from './openapi-contract.js';

/**
 * The event feed (SPEC §6 "Events"): which events each kind of write emits and with what, that
 * a refused write emits nothing, the feed's order, filters, paging and roles, commit order
 * under concurrent writes, bad input, retention and `report.created`.
 */

const UNKNOWN_ID = '00000000-0000-4000-8000-000000000000';
const REASON = 'Vendor lost two engineers; agreed in the steering meeting';
const DAY_MS = 86_400_000;

interface ActorBody {
  apiKeyId: string | null;
  name: string;
  role: string;
}

interface EventBody {
  id: string;
  seq: number;
  type: string;
  occurredAt: string;
  engagementId: string | null;
  vendorId: string | null;
  actor: ActorBody | null;
  data: Record<string, unknown>;
}

interface PageBody {
  items: EventBody[];
  nextCursor: string | null;
}

interface ApiKey {
  id: string;
  name: string;
  secret: string;
  actor: ActorBody;
}

type FeedQuery = Record<string, string | number | string[]>;

const cursorOf = (position: unknown): string =>
  Buffer.from(JSON.stringify(position), 'utf8').toString('base64url');

/** `type` and other repeated parameters as `type=a&type=b`. */
function queryString(query: FeedQuery): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) {
    for (const item of Array.isArray(value) ? value : [value]) params.append(name, String(item));
  }
  return params.toString();
}

function expectStatus(response: request.Response, status: number, what: string): void {
  if (response.status !== status) {
    throw new Error(`${what} answered ${response.status}: ${JSON.stringify(response.body)}`);
  }
}

/** A request answered 400 as problem+json, naming `field` among its errors. */
function expectBadField(response: request.Response, field: string): void {
  const body = expectProblem(response, 400);
  expect(body.errors?.map((error) => error.field)).toContain(field);
}

/** The event as a delivery carries it matches its type's schema in openapi.json (`WebhookEvent`). */
function expectDocumentedPayload(event: EventBody): void {
  const { id, type, occurredAt, seq, engagementId, vendorId, data } = event;
  const payload = { id, type, timestamp: occurredAt, seq, engagementId, vendorId, data };
  expect(openApiContract().componentProblems('WebhookEvent', payload)).toEqual([]);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('events', () => {
  let t: TestApp;
  /** Keys made over the API, so that the events' actors are known in full. */
  let admin: ApiKey;
  let procurement: ApiKey;

  async function issueKey(name: string, role: string, personId?: string): Promise<ApiKey> {
    const response = await t
      .http()
      .post('/v1/api-keys')
      .set(bearer(t.adminKey))
      .send({ name, role, ...(personId ? { personId } : {}) });
    expectStatus(response, 201, `Issuing a ${role} key`);
    return {
      id: response.body.id,
      name,
      secret: response.body.secret,
      actor: { apiKeyId: response.body.id, name, role },
    };
  }

  beforeAll(async () => {
    t = await createTestApp();
    admin = await issueKey(`Events admin ${uniqueSuffix()}`, 'admin');
    procurement = await issueKey(`Procurement tool ${uniqueSuffix()}`, 'procurement');
  });
  afterAll(() => t.close());

  const feedPage = (query: FeedQuery = {}, key = t.adminKey) =>
    t
      .http()
      .get(`/v1/events${Object.keys(query).length > 0 ? `?${queryString(query)}` : ''}`)
      .set(bearer(key));

  /** Every event the query matches, following `nextCursor` to the end. */
  async function feed(query: FeedQuery = {}, key = t.adminKey): Promise<EventBody[]> {
    const items: EventBody[] = [];
    let cursor: string | null = null;
    do {
      const response = await feedPage({ limit: 200, ...query, ...(cursor ? { cursor } : {}) }, key);
      expectStatus(response, 200, 'GET /v1/events');
      const page = response.body as PageBody;
      for (const event of page.items) expectDocumentedPayload(event);
      items.push(...page.items);
      cursor = page.nextCursor;
    } while (cursor);
    return items;
  }

  /** The seq of the newest event so far: the starting point of what a test then writes. */
  async function lastSeq(): Promise<number> {
    const [row] = await t.dataSource.query('SELECT COALESCE(MAX(seq), 0)::text AS seq FROM events');
    return Number(row.seq);
  }

  /** The events written after `marker`, oldest first. */
  const since = (marker: number, query: FeedQuery = {}, key = t.adminKey) =>
    feed({ ...query, after: marker }, key);

  const base = (engagementId: string) => `/v1/engagements/${engagementId}`;

  async function getJson<T = Record<string, unknown>>(path: string): Promise<T> {
    const response = await t.http().get(path).set(bearer(t.adminKey));
    expectStatus(response, 200, `GET ${path}`);
    return response.body as T;
  }

  const engagementNow = (id: string) =>
    getJson<EngagementBody & { risk: { level: string; score: number } }>(base(id));
  const milestoneNow = (engagementId: string, id: string) =>
    getJson<MilestoneBody>(`${base(engagementId)}/milestones/${id}`);
  const artifactNow = (engagementId: string, id: string) =>
    getJson<ArtifactBody>(`${base(engagementId)}/artifacts/${id}`);

  /** One event in full: who, about what, when (just now) and its data. */
  function expectEvent(
    event: EventBody | undefined,
    expected: {
      type: string;
      engagementId: string | null;
      vendorId: string | null;
      actor: ActorBody;
      data: unknown;
    },
  ): void {
    expect(event).toEqual({
      id: expect.any(String),
      seq: expect.any(Number),
      occurredAt: expect.any(String),
      ...expected,
    });
    expect(Math.abs(Date.parse((event as EventBody).occurredAt) - Date.now())).toBeLessThan(60_000);
  }

  async function patch(
    path: string,
    body: object,
    key = admin.secret,
  ): Promise<Record<string, unknown>> {
    const response = await t.http().patch(path).set(bearer(key)).send(body);
    expectStatus(response, 200, `PATCH ${path}`);
    return response.body;
  }

  describe('what each write emits', () => {
    it('emits engagement.created with the engagement as GET returns it, its vendor and the actor', async () => {
      const vendor = await newVendor(t);
      const productOwner = await newPerson(t);
      const recipients = [(await newPerson(t)).id, (await newPerson(t)).id];
      const marker = await lastSeq();
      const engagement = await newEngagement(t, procurement.secret, {
        vendorId: vendor.id,
        productOwnerId: productOwner.id,
        knowledgeRecipientIds: recipients,
      });

      const events = await since(marker);
      expect(events).toHaveLength(1);
      expectEvent(events[0], {
        type: 'engagement.created',
        engagementId: engagement.id,
        vendorId: vendor.id,
        actor: procurement.actor,
        data: await engagementNow(engagement.id),
      });
    });

    it('emits engagement.updated with changes, and the new vendor after a move to another vendor', async () => {
      const engagement = await newEngagement(t);
      const otherVendor = await newVendor(t);
      const marker = await lastSeq();
      const title = `Renamed ${uniqueSuffix()}`;
      await patch(
        base(engagement.id),
        { title, vendorId: otherVendor.id, noticePeriodDays: 30 },
        procurement.secret,
      );

      const events = await since(marker);
      expect(events).toHaveLength(1);
      expectEvent(events[0], {
        type: 'engagement.updated',
        engagementId: engagement.id,
        vendorId: otherVendor.id,
        actor: procurement.actor,
        data: {
          ...(await engagementNow(engagement.id)),
          changes: {
            title: { from: engagement.title, to: title },
            vendorId: { from: engagement.vendorId, to: otherVendor.id },
            noticePeriodDays: { from: 0, to: 30 },
          },
        },
      });
      // The engagement's events are found under its new vendor from then on.
      const byNewVendor = await since(marker, { vendorId: otherVendor.id });
      expect(byNewVendor.map((event) => event.id)).toEqual([events[0].id]);
      expect(await since(marker, { vendorId: engagement.vendorId })).toEqual([]);
    });

    it('emits nothing for a PATCH that changes nothing, of an engagement, a milestone or an artifact', async () => {
      const { engagement, finalHandover, artifacts } = await activeEngagement(t);
      // Activation set the final handover's baseline: read its version now.
      const handover = await milestoneNow(engagement.id, finalHandover.id);
      const marker = await lastSeq();
      for (const body of [{}, { title: engagement.title }, { noticePeriodDays: 0 }]) {
        const updated = await patch(base(engagement.id), body);
        expect(updated.version).toBe(engagement.version);
      }
      const milestone = await patch(`${base(engagement.id)}/milestones/${finalHandover.id}`, {
        name: handover.name,
        dueDate: handover.dueDate,
      });
      expect(milestone.version).toBe(handover.version);
      await patch(`${base(engagement.id)}/artifacts/${artifacts[0].id}`, {
        title: artifacts[0].title,
      });

      expect(await since(marker)).toEqual([]);
    });

    it('emits engagement.activated and .completed, artifact.delivered and .accepted and milestone.completed, each with what GET returns', async () => {
      const { engagement, finalHandover, artifacts } = await draftEngagement(t);
      const [artifact] = artifacts;
      const about = { engagementId: engagement.id, vendorId: engagement.vendorId };
      const events = async (marker: number) => {
        const written = await since(marker);
        expect(written).toHaveLength(1);
        return written[0];
      };

      let marker = await lastSeq();
      await act(t, `${base(engagement.id)}/activate`, {}, admin.secret);
      // Activation freezes the milestone's baseline: a change of the milestone, then of the engagement.
      const activation = await since(marker);
      expect(activation.map((event) => event.type)).toEqual([
        'milestone.updated',
        'engagement.activated',
      ]);
      expectEvent(activation[0], {
        type: 'milestone.updated',
        ...about,
        actor: admin.actor,
        data: await milestoneNow(engagement.id, finalHandover.id),
      });
      expect(activation[0].data).toMatchObject({ baselineDueDate: finalHandover.dueDate });
      expectEvent(activation[1], {
        type: 'engagement.activated',
        ...about,
        actor: admin.actor,
        data: await engagementNow(engagement.id),
      });

      marker = await lastSeq();
      await act(
        t,
        `${base(engagement.id)}/artifacts/${artifact.id}/deliver`,
        { evidenceUrl: 'https://wiki.example.com/runbook' },
        procurement.secret,
      );
      expectEvent(await events(marker), {
        type: 'artifact.delivered',
        ...about,
        actor: procurement.actor,
        data: await artifactNow(engagement.id, artifact.id),
      });

      marker = await lastSeq();
      await act(
        t,
        `${base(engagement.id)}/artifacts/${artifact.id}/accept`,
        { acceptedById: engagement.productOwnerId },
        admin.secret,
      );
      expectEvent(await events(marker), {
        type: 'artifact.accepted',
        ...about,
        actor: admin.actor,
        data: await artifactNow(engagement.id, artifact.id),
      });

      marker = await lastSeq();
      await act(
        t,
        `${base(engagement.id)}/milestones/${finalHandover.id}/complete`,
        {},
        admin.secret,
      );
      expectEvent(await events(marker), {
        type: 'milestone.completed',
        ...about,
        actor: admin.actor,
        data: await milestoneNow(engagement.id, finalHandover.id),
      });

      marker = await lastSeq();
      await act(t, `${base(engagement.id)}/complete`, {}, admin.secret);
      expectEvent(await events(marker), {
        type: 'engagement.completed',
        ...about,
        actor: admin.actor,
        data: await engagementNow(engagement.id),
      });
    });

    it('emits engagement.cancelled with the engagement as GET returns it', async () => {
      const { engagement } = await activeEngagement(t);
      const marker = await lastSeq();
      await act(t, `${base(engagement.id)}/cancel`, { reason: 'Budget withdrawn' }, admin.secret);

      const events = await since(marker);
      expect(events).toHaveLength(1);
      expectEvent(events[0], {
        type: 'engagement.cancelled',
        engagementId: engagement.id,
        vendorId: engagement.vendorId,
        actor: admin.actor,
        data: await engagementNow(engagement.id),
      });
      expect((events[0].data as unknown as EngagementBody).status).toBe('cancelled');
    });

    it('emits milestone.created and milestone.updated with the milestone as GET returns it', async () => {
      const { engagement } = await activeEngagement(t);
      const about = { engagementId: engagement.id, vendorId: engagement.vendorId };
      let marker = await lastSeq();
      const milestone = await newMilestone(t, procurement.secret, engagement.id);
      let events = await since(marker);
      expect(events).toHaveLength(1);
      expectEvent(events[0], {
        type: 'milestone.created',
        ...about,
        actor: procurement.actor,
        data: await milestoneNow(engagement.id, milestone.id),
      });

      marker = await lastSeq();
      await patch(`${base(engagement.id)}/milestones/${milestone.id}`, {
        name: `Renamed ${uniqueSuffix()}`,
      });
      events = await since(marker);
      expect(events).toHaveLength(1);
      expectEvent(events[0], {
        type: 'milestone.updated',
        ...about,
        actor: admin.actor,
        data: await milestoneNow(engagement.id, milestone.id),
      });
    });

    it('emits the events of a POST repeated with its Idempotency-Key once', async () => {
      const { engagement } = await activeEngagement(t);
      const marker = await lastSeq();
      const body = { name: 'Cut-over rehearsal', kind: 'delivery', dueDate: daysFromToday(20) };
      const key = `events-${uniqueSuffix()}`;
      const send = () =>
        t
          .http()
          .post(`${base(engagement.id)}/milestones`)
          .set(bearer(admin.secret))
          .set('Idempotency-Key', key)
          .send(body);
      const first = await send();
      const repeat = await send();
      expect([first.status, repeat.status]).toEqual([201, 201]);
      expect(repeat.body.id).toBe(first.body.id);

      const events = await since(marker);
      expect(events.map((event) => [event.type, (event.data as { id: string }).id])).toEqual([
        ['milestone.created', first.body.id],
      ]);
    });

    it('emits milestone.updated and milestone.date_changed for a due-date change: slipDays for a slip, 0 for a pull-in', async () => {
      const { engagement } = await activeEngagement(t);
      const about = {
        engagementId: engagement.id,
        vendorId: engagement.vendorId,
        actor: admin.actor,
      };
      const milestone = await newMilestone(t, t.adminKey, engagement.id, {
        dueDate: daysFromToday(30),
      });
      const path = `${base(engagement.id)}/milestones/${milestone.id}`;

      let marker = await lastSeq();
      await patch(path, { dueDate: daysFromToday(45), reason: REASON });
      let current = await milestoneNow(engagement.id, milestone.id);
      let events = await since(marker);
      expect(events.map((event) => event.type).sort()).toEqual([
        'milestone.date_changed',
        'milestone.updated',
      ]);
      expectEvent(
        events.find((event) => event.type === 'milestone.updated'),
        { type: 'milestone.updated', ...about, data: current },
      );
      expectEvent(
        events.find((event) => event.type === 'milestone.date_changed'),
        {
          type: 'milestone.date_changed',
          ...about,
          data: {
            milestone: current,
            fromDate: daysFromToday(30),
            toDate: daysFromToday(45),
            reason: REASON,
            slip: true,
            slipDays: 15,
          },
        },
      );

      marker = await lastSeq();
      await patch(path, { dueDate: daysFromToday(40), reason: 'Vendor staffed up again' });
      current = await milestoneNow(engagement.id, milestone.id);
      events = await since(marker);
      expect(events.map((event) => event.type).sort()).toEqual([
        'milestone.date_changed',
        'milestone.updated',
      ]);
      expectEvent(
        events.find((event) => event.type === 'milestone.date_changed'),
        {
          type: 'milestone.date_changed',
          ...about,
          data: {
            milestone: current,
            fromDate: daysFromToday(45),
            toDate: daysFromToday(40),
            reason: 'Vendor staffed up again',
            slip: false,
            slipDays: 0,
          },
        },
      );
    });

    it('emits milestone.date_changed for a planned date change before activation too, with no reason', async () => {
      const { engagement } = await draftEngagement(t);
      const milestone = await newMilestone(t, t.adminKey, engagement.id, {
        dueDate: daysFromToday(30),
      });
      const marker = await lastSeq();
      await patch(`${base(engagement.id)}/milestones/${milestone.id}`, {
        dueDate: daysFromToday(37),
      });
      const events = await since(marker);
      expect(events.map((event) => event.type).sort()).toEqual([
        'milestone.date_changed',
        'milestone.updated',
      ]);
      expect(events.find((event) => event.type === 'milestone.date_changed')?.data).toEqual({
        milestone: await milestoneNow(engagement.id, milestone.id),
        fromDate: daysFromToday(30),
        toDate: daysFromToday(37),
        reason: null,
        slip: true,
        slipDays: 7,
      });
    });

    it('emits artifact.created with the artifact as GET returns it, and nothing for a plain artifact PATCH', async () => {
      const { engagement, finalHandover } = await activeEngagement(t);
      let marker = await lastSeq();
      const artifact = await newArtifact(t, procurement.secret, engagement.id, finalHandover.id);
      const events = await since(marker);
      expect(events).toHaveLength(1);
      expectEvent(events[0], {
        type: 'artifact.created',
        engagementId: engagement.id,
        vendorId: engagement.vendorId,
        actor: procurement.actor,
        data: await artifactNow(engagement.id, artifact.id),
      });

      marker = await lastSeq();
      const updated = await patch(`${base(engagement.id)}/artifacts/${artifact.id}`, {
        title: `Runbook v2 ${uniqueSuffix()}`,
        description: 'Covers the nightly batch as well',
      });
      expect(updated.version).toBe(artifact.version + 1);
      expect(await since(marker)).toEqual([]);
    });

    it('emits risk.level_changed after the write that moved the level, and the history entry names it', async () => {
      const { engagement, finalHandover } = await activeEngagement(t);
      const marker = await lastSeq();
      await patch(`${base(engagement.id)}/milestones/${finalHandover.id}`, {
        dueDate: daysFromToday(70),
        reason: REASON,
      });

      const events = await since(marker);
      expect(events.map((event) => event.type)).toHaveLength(3);
      expect(
        events
          .slice(0, 2)
          .map((event) => event.type)
          .sort(),
      ).toEqual(['milestone.date_changed', 'milestone.updated']);
      const levelChanged = events[2];
      expectEvent(levelChanged, {
        type: 'risk.level_changed',
        engagementId: engagement.id,
        vendorId: engagement.vendorId,
        actor: admin.actor,
        data: {
          from: { level: 'none', score: 0 },
          to: { level: 'medium', score: 15 },
          raised: ['HANDOVER_SLIPPED'],
          cleared: [],
          cause: 'change',
        },
      });
      const history = await getJson<{ items: { eventId: string | null; cause: string }[] }>(
        `${base(engagement.id)}/risk/history`,
      );
      expect(history.items[0]).toMatchObject({ cause: 'change', eventId: levelChanged.id });
      expect((await engagementNow(engagement.id)).risk).toMatchObject({
        level: 'medium',
        score: 15,
      });
    });

    it('emits artifact.rejected and then risk.level_changed when the rejection raises the level', async () => {
      const { engagement, artifacts } = await activeEngagement(t);
      const path = `${base(engagement.id)}/artifacts/${artifacts[0].id}`;
      await act(t, `${path}/deliver`, { evidenceUrl: 'https://wiki.example.com/runbook' });
      let marker = await lastSeq();
      await act(t, `${path}/reject`, { reason: 'Missing the restore steps' }, admin.secret);

      let events = await since(marker);
      expect(events.map((event) => event.type)).toEqual([
        'artifact.rejected',
        'risk.level_changed',
      ]);
      expectEvent(events[0], {
        type: 'artifact.rejected',
        engagementId: engagement.id,
        vendorId: engagement.vendorId,
        actor: admin.actor,
        data: await artifactNow(engagement.id, artifacts[0].id),
      });
      expect(events[1].data).toEqual({
        from: { level: 'none', score: 0 },
        to: { level: 'low', score: 5 },
        raised: ['ARTIFACTS_REJECTED'],
        cleared: [],
        cause: 'change',
      });

      // Delivered again: the signal clears, and the level moves back.
      marker = await lastSeq();
      await act(t, `${path}/deliver`, { evidenceUrl: 'https://wiki.example.com/runbook-v2' });
      events = await since(marker);
      expect(events.map((event) => event.type)).toEqual([
        'artifact.delivered',
        'risk.level_changed',
      ]);
      expect(events[1].data).toEqual({
        from: { level: 'low', score: 5 },
        to: { level: 'none', score: 0 },
        raised: [],
        cleared: ['ARTIFACTS_REJECTED'],
        cause: 'change',
      });
    });
  });

  describe('a refused or failed request emits nothing', () => {
    it('emits nothing for a 400: an unknown reference, a foreign milestone, an ineligible acceptor, a date change without reason', async () => {
      const { engagement, finalHandover, artifacts } = await activeEngagement(t);
      const other = await draftEngagement(t);
      const marker = await lastSeq();

      const created = await t.http().post('/v1/engagements').set(bearer(admin.secret)).send({
        title: 'Unknown vendor',
        vendorId: UNKNOWN_ID,
        productOwnerId: engagement.productOwnerId,
        spec: engagement.spec,
      });
      expectBadField(created, 'vendorId');
      expectBadField(
        await t
          .http()
          .patch(base(engagement.id))
          .set(bearer(admin.secret))
          .send({ title: 'Never written', productOwnerId: UNKNOWN_ID }),
        'productOwnerId',
      );
      expectBadField(
        await t
          .http()
          .post(`${base(engagement.id)}/artifacts`)
          .set(bearer(admin.secret))
          .send({ milestoneId: other.finalHandover.id, kind: 'runbook', title: 'Foreign' }),
        'milestoneId',
      );
      await act(t, `${base(engagement.id)}/artifacts/${artifacts[0].id}/deliver`, {
        evidenceUrl: 'https://wiki.example.com/runbook',
      });
      const deliveredAt = await lastSeq();
      expectBadField(
        await t
          .http()
          .post(`${base(engagement.id)}/artifacts/${artifacts[0].id}/accept`)
          .set(bearer(admin.secret))
          .send({ acceptedById: UNKNOWN_ID }),
        'acceptedById',
      );
      expectBadField(
        await t
          .http()
          .patch(`${base(engagement.id)}/milestones/${finalHandover.id}`)
          .set(bearer(admin.secret))
          .send({ name: 'Never written', dueDate: daysFromToday(90) }),
        'reason',
      );

      expect((await since(marker)).map((event) => event.type)).toEqual(['artifact.delivered']);
      expect(await since(deliveredAt)).toEqual([]);
      expect((await engagementNow(engagement.id)).version).toBe(engagement.version);
    });

    it('emits nothing for a 409: unmet activation preconditions, a closed engagement, a second final handover', async () => {
      const incomplete = await newEngagement(t);
      const completed = await newEngagementIn(t, 'completed');
      const cancelled = await newEngagementIn(t, 'cancelled');
      const { engagement } = await activeEngagement(t);
      const marker = await lastSeq();

      expectProblem(
        await t
          .http()
          .post(`${base(incomplete.id)}/activate`)
          .set(bearer(admin.secret))
          .send({}),
        409,
      );
      expectProblem(
        await t
          .http()
          .patch(base(completed.engagementId))
          .set(bearer(admin.secret))
          .send({ title: 'Too late' }),
        409,
      );
      expectProblem(
        await t
          .http()
          .post(`${base(cancelled.engagementId)}/milestones`)
          .set(bearer(admin.secret))
          .send({ name: 'Too late', kind: 'delivery', dueDate: daysFromToday(10) }),
        409,
      );
      expectProblem(
        await t
          .http()
          .post(`${base(cancelled.engagementId)}/complete`)
          .set(bearer(admin.secret))
          .send({}),
        409,
      );
      expectProblem(
        await t
          .http()
          .post(`${base(engagement.id)}/milestones`)
          .set(bearer(admin.secret))
          .send({ name: 'Second final', kind: 'final_handover', dueDate: daysFromToday(20) }),
        409,
      );

      expect(await since(marker)).toEqual([]);
    });

    it('emits nothing for a 412: a stale If-Match on a PATCH, an action and a milestone', async () => {
      const { engagement, finalHandover } = await draftEngagement(t);
      await patch(base(engagement.id), { title: `Version two ${uniqueSuffix()}` });
      const marker = await lastSeq();
      const stale = { 'If-Match': `"${engagement.version}"` };

      expectProblem(
        await t
          .http()
          .patch(base(engagement.id))
          .set(bearer(admin.secret))
          .set(stale)
          .send({ title: 'Stale' }),
        412,
      );
      expectProblem(
        await t
          .http()
          .post(`${base(engagement.id)}/activate`)
          .set(bearer(admin.secret))
          .set(stale)
          .send({}),
        412,
      );
      expectProblem(
        await t
          .http()
          .patch(`${base(engagement.id)}/milestones/${finalHandover.id}`)
          .set(bearer(admin.secret))
          .set({ 'If-Match': `"${finalHandover.version + 5}"` })
          .send({ name: 'Stale' }),
        412,
      );

      expect(await since(marker)).toEqual([]);
    });

    it('emits nothing for a 403: a product owner on another engagement, roles that may not write', async () => {
      const { engagement, finalHandover } = await draftEngagement(t);
      const owner = await newPerson(t);
      const productOwner = await issueKey('Another product owner', 'product_owner', owner.id);
      const integration = await t.keyFor('integration');
      const viewer = await t.keyFor('viewer');
      const reporter = await t.keyFor('reporter');
      const marker = await lastSeq();

      expectProblem(
        await t
          .http()
          .patch(base(engagement.id))
          .set(bearer(productOwner.secret))
          .send({ title: 'Not mine' }),
        403,
      );
      expectProblem(
        await t
          .http()
          .post(`${base(engagement.id)}/milestones`)
          .set(bearer(productOwner.secret))
          .send({ name: 'Not mine', kind: 'delivery', dueDate: daysFromToday(10) }),
        403,
      );
      expectProblem(
        await t
          .http()
          .patch(base(engagement.id))
          .set(bearer(integration))
          .send({ title: 'Not allowed' }),
        403,
      );
      expectProblem(
        await t
          .http()
          .post(`${base(engagement.id)}/activate`)
          .set(bearer(viewer))
          .send({}),
        403,
      );
      expectProblem(
        await t
          .http()
          .patch(`${base(engagement.id)}/milestones/${finalHandover.id}`)
          .set(bearer(reporter))
          .send({ name: 'Not allowed' }),
        403,
      );

      expect(await since(marker)).toEqual([]);
    });
  });

  describe('the feed', () => {
    let marker: number;
    /** Everything written in this block's set-up, oldest first. */
    let written: EventBody[];
    let one: PlannedEngagement;
    let two: PlannedEngagement;
    let three: PlannedEngagement;
    let ownerKey: string;

    beforeAll(async () => {
      const [vendorA, vendorB] = [await newVendor(t), await newVendor(t)];
      const [ownerA, ownerB] = [await newPerson(t), await newPerson(t)];
      ownerKey = (await issueKey('Feed product owner', 'product_owner', ownerA.id)).secret;
      marker = await lastSeq();
      one = await draftEngagement(t, {
        vendorId: vendorA.id,
        fields: { productOwnerId: ownerA.id },
      });
      two = await draftEngagement(t, {
        vendorId: vendorB.id,
        fields: { productOwnerId: ownerA.id },
      });
      three = await draftEngagement(t, {
        vendorId: vendorA.id,
        fields: { productOwnerId: ownerB.id },
      });
      await act(t, `${base(one.engagement.id)}/activate`);
      await patch(base(two.engagement.id), { title: `Renamed ${uniqueSuffix()}` });
      await act(t, `${base(three.engagement.id)}/activate`);
      await newMilestone(t, t.adminKey, three.engagement.id);
      written = await since(marker);
    });

    it('lists events oldest first, in the order they were written, with seq strictly increasing', async () => {
      // A draft without artifacts is high risk (NO_KT_ARTIFACTS): its first artifact clears it.
      const created = (planned: PlannedEngagement) =>
        ['engagement.created', 'milestone.created', 'artifact.created', 'risk.level_changed'].map(
          (type) => [type, planned.engagement.id],
        );
      expect(written.map((event) => [event.type, event.engagementId])).toEqual([
        ...created(one),
        ...created(two),
        ...created(three),
        ['milestone.updated', one.engagement.id],
        ['engagement.activated', one.engagement.id],
        ['engagement.updated', two.engagement.id],
        ['milestone.updated', three.engagement.id],
        ['engagement.activated', three.engagement.id],
        ['milestone.created', three.engagement.id],
      ]);
      const everything = await feed();
      for (let i = 1; i < everything.length; i++) {
        expect(everything[i].seq).toBeGreaterThan(everything[i - 1].seq);
      }
      expect(everything.slice(-written.length)).toEqual(written);
      expect(written[0].seq).toBeGreaterThan(marker);
    });

    it('returns with `after` only the events after that seq, and none after the newest', async () => {
      const middle = written[4];
      expect(await since(middle.seq)).toEqual(written.slice(5));
      const newest = written[written.length - 1];
      const response = await feedPage({ after: newest.seq });
      expect(response.status).toBe(200);
      expect(response.body).toEqual({ items: [], nextCursor: null });
    });

    it('pages with limit and nextCursor to the end without duplicates, equal to the unpaged list', async () => {
      for (const limit of [1, 2, 5]) {
        const pages: EventBody[][] = [];
        let cursor: string | null = null;
        do {
          const response = await feedPage({ after: marker, limit, ...(cursor ? { cursor } : {}) });
          expect(response.status).toBe(200);
          const page = response.body as PageBody;
          expect(page.items.length).toBeLessThanOrEqual(limit);
          pages.push(page.items);
          cursor = page.nextCursor;
          expect(pages.length).toBeLessThanOrEqual(written.length + 1);
        } while (cursor);
        const paged = pages.flat();
        expect(new Set(paged.map((event) => event.id)).size).toBe(paged.length);
        expect(paged).toEqual(written);
      }
    });

    it('filters by several types when `type` is repeated, and by one', async () => {
      const types = ['milestone.created', 'engagement.activated'];
      const filtered = await since(marker, { type: types });
      expect(filtered).toEqual(written.filter((event) => types.includes(event.type)));
      expect(filtered).toHaveLength(6);
      expect(await since(marker, { type: 'engagement.updated' })).toEqual(
        written.filter((event) => event.type === 'engagement.updated'),
      );
      // Paging keeps the filter.
      const pages: EventBody[] = [];
      let cursor: string | null = null;
      do {
        const response = await feedPage({
          after: marker,
          type: types,
          limit: 2,
          ...(cursor ? { cursor } : {}),
        });
        expect(response.status).toBe(200);
        pages.push(...(response.body as PageBody).items);
        cursor = (response.body as PageBody).nextCursor;
      } while (cursor);
      expect(pages).toEqual(filtered);
    });

    it('filters by engagementId and by vendorId', async () => {
      const ofTwo = await since(marker, { engagementId: two.engagement.id });
      expect(ofTwo).toEqual(written.filter((event) => event.engagementId === two.engagement.id));
      expect(ofTwo.map((event) => event.type)).toEqual([
        'engagement.created',
        'milestone.created',
        'artifact.created',
        'risk.level_changed',
        'engagement.updated',
      ]);

      const vendorA = one.engagement.vendorId;
      const ofVendorA = await since(marker, { vendorId: vendorA });
      expect(ofVendorA).toEqual(written.filter((event) => event.vendorId === vendorA));
      expect(new Set(ofVendorA.map((event) => event.engagementId))).toEqual(
        new Set([one.engagement.id, three.engagement.id]),
      );
      expect(await since(marker, { vendorId: vendorA, engagementId: two.engagement.id })).toEqual(
        [],
      );
      expect(await since(marker, { engagementId: UNKNOWN_ID })).toEqual([]);
    });

    it('shows a product owner only the events of the engagements they own', async () => {
      const own = new Set([one.engagement.id, two.engagement.id]);
      const seen = await since(marker, {}, ownerKey);
      expect(seen).toEqual(written.filter((event) => own.has(event.engagementId as string)));
      const everything = await feed({}, ownerKey);
      expect(everything.every((event) => own.has(event.engagementId as string))).toBe(true);
      expect(await since(marker, { engagementId: three.engagement.id }, ownerKey)).toEqual([]);
    });

    it('shows the other reading roles every event; a reporter gets 403, no key 401', async () => {
      for (const role of ['procurement', 'integration', 'viewer'] as const) {
        expect(await since(marker, {}, await t.keyFor(role))).toEqual(written);
      }
      expectProblem(await feedPage({}, await t.keyFor('reporter')), 403);
      expectProblem(await t.http().get('/v1/events'), 401);
    });
  });

  describe('commit order under concurrency', () => {
    // On PostgreSQL the writes truly overlap; on PGlite they run one after another.
    it('lets pollers following `after` see every event of 40 parallel writes exactly once, in seq order', async () => {
      // Half the engagements move their risk level with every write (an artifact rejected, then
      // delivered again), so those writes still work after writing their events while plain
      // writes commit at once: were seq not in commit order, a poller would skip a lower seq
      // that commits after a higher one it has already seen.
      const toggling: PlannedEngagement[] = [];
      const plain: PlannedEngagement[] = [];
      for (let i = 0; i < 5; i++) {
        const planned = await activeEngagement(t);
        const artifact = `${base(planned.engagement.id)}/artifacts/${planned.artifacts[0].id}`;
        await act(t, `${artifact}/deliver`, { evidenceUrl: 'https://wiki.example.com/runbook' });
        toggling.push(planned);
        plain.push(await activeEngagement(t));
      }
      const poller = await t.keyFor('integration');
      const start = await lastSeq();

      /** A poller that follows `after` = the last seq it saw until the writes are done. */
      const follow = async (done: () => boolean): Promise<EventBody[]> => {
        const seen: EventBody[] = [];
        let last = start;
        const poll = async (): Promise<number> => {
          const response = await feedPage({ after: last, limit: 200 }, poller);
          expectStatus(response, 200, 'Polling the feed');
          const { items } = response.body as PageBody;
          seen.push(...items);
          if (items.length > 0) last = items[items.length - 1].seq;
          return items.length;
        };
        while (!done()) {
          await poll();
          await sleep(0);
        }
        while ((await poll()) > 0) {
          // Drains what committed after the last poll during the writes.
        }
        return seen;
      };
      let writing = true;
      const pollers = Array.from({ length: 4 }, () => follow(() => !writing));

      const send = (test: request.Test, status: number, what: string) =>
        test.set(bearer(t.adminKey)).then((response) => expectStatus(response, status, what));
      const toggle = async ({ engagement, artifacts }: PlannedEngagement) => {
        const path = `${base(engagement.id)}/artifacts/${artifacts[0].id}`;
        for (let round = 0; round < 2; round++) {
          await send(
            t
              .http()
              .post(`${path}/reject`)
              .send({ reason: `Round ${round}` }),
            200,
            'Reject',
          );
          await send(
            t
              .http()
              .post(`${path}/deliver`)
              .send({ evidenceUrl: `https://wiki.example.com/${round}` }),
            200,
            'Deliver',
          );
        }
      };
      const plainWrites = plain.flatMap(({ engagement, finalHandover }) => {
        const path = base(engagement.id);
        return [
          send(
            t
              .http()
              .patch(path)
              .send({ title: `Concurrent ${uniqueSuffix()}` }),
            200,
            'PATCH',
          ),
          send(
            t
              .http()
              .post(`${path}/milestones`)
              .send({ name: 'Concurrent', kind: 'delivery', dueDate: daysFromToday(40) }),
            201,
            'Milestone',
          ),
          send(
            t
              .http()
              .post(`${path}/artifacts`)
              .send({ milestoneId: finalHandover.id, kind: 'runbook', title: 'Concurrent' }),
            201,
            'Artifact',
          ),
          send(
            t
              .http()
              .patch(`${path}/milestones/${finalHandover.id}`)
              .send({ name: `Final ${uniqueSuffix()}` }),
            200,
            'Milestone PATCH',
          ),
        ];
      });
      let seenByPollers: EventBody[][];
      try {
        await Promise.all([...toggling.map(toggle), ...plainWrites]);
      } finally {
        writing = false;
        seenByPollers = await Promise.all(pollers);
      }

      const final = await since(start);
      // 20 toggles with their level change, 20 plain writes with one event each.
      expect(final).toHaveLength(60);
      for (const seen of seenByPollers) {
        expect(seen.map((event) => event.seq)).toEqual(final.map((event) => event.seq));
        expect(seen).toEqual(final);
      }
    });
  });

  describe('bad input', () => {
    it.each([
      ['an unknown type', 'type=engagement.exploded', 'type'],
      ['an unknown type among known ones', 'type=engagement.created&type=nope', 'type'],
      ['webhook.ping, which is never in the feed', 'type=webhook.ping', 'type'],
      ['a negative after', 'after=-1', 'after'],
      ['a non-numeric after', 'after=abc', 'after'],
      ['a fractional after', 'after=1.5', 'after'],
      ['an empty after', 'after=', 'after'],
      ['limit=0', 'limit=0', 'limit'],
      ['limit above 200', 'limit=201', 'limit'],
      ['a non-numeric limit', 'limit=ten', 'limit'],
      ['a malformed engagementId', 'engagementId=x', 'engagementId'],
      ['a malformed vendorId', 'vendorId=x', 'vendorId'],
      ['a cursor with characters no cursor has', 'cursor=not%20a%20cursor!', 'cursor'],
      ['a cursor that is not JSON', 'cursor=abc', 'cursor'],
      ['a cursor holding a string', `cursor=${cursorOf(['12'])}`, 'cursor'],
      ['a cursor holding a fraction', `cursor=${cursorOf([1.5])}`, 'cursor'],
      ['a cursor holding an object', `cursor=${cursorOf({ seq: 1 })}`, 'cursor'],
      [
        'a cursor of another list',
        `cursor=${cursorOf(['2026-11-21T10:00:00.000Z', UNKNOWN_ID])}`,
        'cursor',
      ],
      ['a cursor beyond any safe integer', `cursor=${cursorOf([1e300])}`, 'cursor'],
    ])('answers 400 naming the field for %s', async (_what, query, field) => {
      const response = await t.http().get(`/v1/events?${query}`).set(bearer(t.adminKey));
      expectBadField(response, field);
    });

    it('never answers 500 for an after too large for any seq', async () => {
      const response = await t
        .http()
        .get('/v1/events?after=99999999999999999999999')
        .set(bearer(t.adminKey));
      if (response.status === 400) expectBadField(response, 'after');
      else expect(response.body).toEqual({ items: [], nextCursor: null });
    });
  });

  describe('report.created', () => {
    it('appears when POST /v1/reports/weekly creates the report (201), not when it returns it (200)', async () => {
      const marker = await lastSeq();
      const created = await t.http().post('/v1/reports/weekly').set(bearer(admin.secret)).send({});
      expect(created.status).toBe(201);

      const events = await since(marker);
      expect(events).toHaveLength(1);
      expectEvent(events[0], {
        type: 'report.created',
        engagementId: null,
        vendorId: null,
        actor: admin.actor,
        data: { id: created.body.id, week: created.body.week, totals: created.body.totals },
      });

      const again = await t
        .http()
        .post('/v1/reports/weekly')
        .set(bearer(await t.keyFor('reporter')))
        .send({});
      expect(again.status).toBe(200);
      expect(again.body.id).toBe(created.body.id);
      expect(await since(marker)).toEqual(events);
    });
  });

  // Last: it deletes every event older than the moved clock's cutoff.
  describe('retention', () => {
    const moveClock = (days: number) =>
      jest.spyOn(t.app.get(Clock), 'now').mockReturnValue(new Date(Date.now() + days * DAY_MS));

    it('keeps events for EVENT_RETENTION_DAYS: nothing written now is deleted with the clock 89 days ahead', async () => {
      const { engagement } = await activeEngagement(t);
      const events = await since(0, { engagementId: engagement.id });
      expect(events.length).toBeGreaterThan(0);
      const now = moveClock(89);
      try {
        await t.app.get(EventRetention).deleteExpired();
      } finally {
        now.mockRestore();
      }
      expect(await since(0, { engagementId: engagement.id })).toEqual(events);
    });

    it('with the clock 91 days ahead, deleteExpired removes the older events and keeps the newer ones', async () => {
      const old = (await activeEngagement(t)).engagement;
      const newer = (await activeEngagement(t)).engagement;
      const oldEvents = await since(0, { engagementId: old.id });
      // occurredAt is the database's time of the write: these stand for events written two days later.
      await t.dataSource.query(
        `UPDATE events SET occurred_at = occurred_at + interval '2 days' WHERE engagement_id = $1`,
        [newer.id],
      );
      const newerEvents = await since(0, { engagementId: newer.id });
      expect(oldEvents.length).toBeGreaterThan(0);
      expect(newerEvents.length).toBeGreaterThan(0);

      const now = moveClock(91);
      let deleted: number;
      try {
        deleted = await t.app.get(EventRetention).deleteExpired();
      } finally {
        now.mockRestore();
      }
      expect(deleted).toBeGreaterThanOrEqual(oldEvents.length);
      expect(await since(0, { engagementId: old.id })).toEqual([]);
      expect(await since(0, { engagementId: newer.id })).toEqual(newerEvents);
      expect(await feed()).toEqual(newerEvents);
    });
  });
});
