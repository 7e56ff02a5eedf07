import { jest } from '@jest/globals';
import type request from 'supertest';
import { HostResolver } from '../src/webhooks/webhook-sender.js';
import { activeEngagement, daysFromToday, newVendor, uniqueSuffix } from './factories.js';
import { bearer, createTestApp, expectProblem, type TestApp } from './test-app.js';
import { WebhookReceiver } from './webhook-receiver.js';

/**
 * Webhook endpoints and deliveries (SPEC §6) against a real receiver on loopback: signatures
 * checked with the `standardwebhooks` library's own `verify`, retries, 410, disabling, the
 * delivery log, manual retry, rotation, ping, ownership and the URL rules, on create and on
 * the address resolved at delivery.
 */

const REASON = 'Vendor lost two engineers; agreed in the steering meeting';
const SECRET = /^whsec_[A-Za-z0-9+/]{43}=$/;
/** Backoff in the fast app: 300 ms (±20 %) after every failed attempt. */
const FAST = {
  WEBHOOK_ALLOW_HTTP: 'true',
  WEBHOOK_ALLOW_LOOPBACK: 'true',
  WEBHOOK_RETRY_SCHEDULE_SECONDS: '0.3',
  WEBHOOK_POLL_MS: '50',
  // Generous for a loaded CI machine: a timeout here would be an unplanned retry.
  WEBHOOK_TIMEOUT_MS: '3000',
  WEBHOOK_MAX_ATTEMPTS: '3',
  WEBHOOK_DISABLE_AFTER: '3',
};

interface EndpointBody {
  id: string;
  url: string;
  eventTypes: string[];
  enabled: boolean;
  disabledReason: string | null;
  version: number;
  secret?: string;
}

interface DeliveryBody {
  id: string;
  eventId: string | null;
  messageId: string;
  eventType: string;
  status: string;
  attempts: number;
  lastAttemptAt: string | null;
  nextAttemptAt: string | null;
  lastResponse: { status?: number; body?: string; error?: string; latencyMs: number } | null;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function expectBadField(response: request.Response, field: string): void {
  const body = expectProblem(response, 400);
  expect(body.errors?.map((error) => error.field)).toContain(field);
}

/** Helpers bound to one app. */
function webhooksOf(t: () => TestApp) {
  const create = async (body: object, key = t().adminKey): Promise<EndpointBody> => {
    const response = await t().http().post('/v1/webhook-endpoints').set(bearer(key)).send(body);
    if (response.status !== 201) {
      throw new Error(`POST /v1/webhook-endpoints answered ${response.status}: ${response.text}`);
    }
    return response.body as EndpointBody;
  };

  const deliveries = async (endpointId: string, status?: string): Promise<DeliveryBody[]> => {
    const response = await t()
      .http()
      .get(`/v1/webhook-endpoints/${endpointId}/deliveries${status ? `?status=${status}` : ''}`)
      .set(bearer(t().adminKey));
    expect(response.status).toBe(200);
    return response.body.items as DeliveryBody[];
  };

  /** Polls the delivery log until `predicate` holds. */
  const until = async (
    endpointId: string,
    predicate: (items: DeliveryBody[]) => boolean,
    timeoutMs = 15_000,
  ): Promise<DeliveryBody[]> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const items = await deliveries(endpointId);
      if (predicate(items)) return items;
      if (Date.now() > deadline) {
        throw new Error(`Delivery log never matched: ${JSON.stringify(items)}`);
      }
      await sleep(50);
    }
  };

  const endpoint = async (id: string): Promise<EndpointBody> => {
    const response = await t().http().get(`/v1/webhook-endpoints/${id}`).set(bearer(t().adminKey));
    expect(response.status).toBe(200);
    return response.body as EndpointBody;
  };

  /** Slips the final handover of a new active engagement: one milestone.date_changed. */
  const slip = async (engagementId: string, milestoneId: string, days: number) => {
    const response = await t()
      .http()
      .patch(`/v1/engagements/${engagementId}/milestones/${milestoneId}`)
      .set(bearer(t().adminKey))
      .send({ dueDate: daysFromToday(days), reason: REASON });
    expect(response.status).toBe(200);
  };

  return { create, deliveries, until, endpoint, slip };
}

describe('webhooks', () => {
  let t: TestApp;
  let receiver: WebhookReceiver;
  const { create, deliveries, until, endpoint, slip } = webhooksOf(() => t);

  beforeAll(async () => {
    t = await createTestApp({ env: FAST });
  });
  beforeEach(async () => {
    receiver = await WebhookReceiver.start();
  });
  afterEach(() => receiver.close());
  afterAll(() => t.close());

  /** An endpoint for one engagement's date changes, with the receiver holding its secret. */
  async function subscribed(types: string[] = ['milestone.date_changed']) {
    const planned = await activeEngagement(t);
    const created = await create({
      url: receiver.url,
      eventTypes: types,
      engagementId: planned.engagement.id,
    });
    receiver.secrets = [created.secret as string];
    return { ...planned, endpoint: created };
  }

  describe('endpoints', () => {
    // Their URLs go nowhere: leave no endpoint behind to take delivery slots from later tests.
    afterEach(() => t.dataSource.query('DELETE FROM webhook_endpoints'));

    it('creates an endpoint with a secret shown once, and never shows it again', async () => {
      const created = await create({
        url: 'https://hooks.example.com/handover',
        description: 'Slack bridge',
        eventTypes: ['*'],
      });
      expect(created).toMatchObject({
        url: 'https://hooks.example.com/handover',
        description: 'Slack bridge',
        eventTypes: ['*'],
        enabled: true,
        disabledReason: null,
        version: 1,
      });
      expect(created.secret).toMatch(SECRET);
      expect(Buffer.from((created.secret as string).slice(6), 'base64')).toHaveLength(32);
      const read = await endpoint(created.id);
      expect(read).not.toHaveProperty('secret');
      const list = await t.http().get('/v1/webhook-endpoints?limit=200').set(bearer(t.adminKey));
      expect(
        list.body.items.find((item: EndpointBody) => item.id === created.id),
      ).not.toHaveProperty('secret');
    });

    it('shows an integration key only its own endpoints; an admin sees all', async () => {
      const mine = await t.keyFor('integration');
      const theirs = await t.keyFor('integration');
      const created = await create({ url: 'https://a.example.com/', eventTypes: ['*'] }, mine);
      const ownList = await t.http().get('/v1/webhook-endpoints').set(bearer(mine));
      expect(ownList.body.items.map((item: EndpointBody) => item.id)).toEqual([created.id]);
      const otherList = await t.http().get('/v1/webhook-endpoints').set(bearer(theirs));
      expect(otherList.body.items).toEqual([]);
      for (const attempt of [
        t.http().get(`/v1/webhook-endpoints/${created.id}`).set(bearer(theirs)),
        t
          .http()
          .patch(`/v1/webhook-endpoints/${created.id}`)
          .set(bearer(theirs))
          .send({ enabled: false }),
        t.http().delete(`/v1/webhook-endpoints/${created.id}`).set(bearer(theirs)),
        t.http().post(`/v1/webhook-endpoints/${created.id}/ping`).set(bearer(theirs)),
        t.http().post(`/v1/webhook-endpoints/${created.id}/rotate-secret`).set(bearer(theirs)),
        t.http().get(`/v1/webhook-endpoints/${created.id}/deliveries`).set(bearer(theirs)),
      ]) {
        expectProblem(await attempt, 404, 'not-found');
      }
      expect((await endpoint(created.id)).enabled).toBe(true);
    });

    it('changes an endpoint under If-Match, and deletes it', async () => {
      const created = await create({ url: 'https://b.example.com/', eventTypes: ['*'] });
      const path = `/v1/webhook-endpoints/${created.id}`;
      const changed = await t
        .http()
        .patch(path)
        .set(bearer(t.adminKey))
        .set('If-Match', '"1"')
        .send({ eventTypes: ['risk.level_changed'], description: null });
      expect(changed.status).toBe(200);
      expect(changed.body).toMatchObject({ eventTypes: ['risk.level_changed'], version: 2 });
      const stale = await t
        .http()
        .patch(path)
        .set(bearer(t.adminKey))
        .set('If-Match', '"1"')
        .send({ enabled: false });
      expectProblem(stale, 412);
      expect((await t.http().delete(path).set(bearer(t.adminKey))).status).toBe(204);
      expectProblem(await t.http().get(path).set(bearer(t.adminKey)), 404);
    });

    it.each([
      [
        'an unknown event type',
        { url: 'https://c.example.com/', eventTypes: ['milestone.slipped'] },
        'eventTypes',
      ],
      ['no event type', { url: 'https://c.example.com/', eventTypes: [] }, 'eventTypes'],
      ['a missing eventTypes', { url: 'https://c.example.com/' }, 'eventTypes'],
      [
        'webhook.ping, which is not subscribable',
        { url: 'https://c.example.com/', eventTypes: ['webhook.ping'] },
        'eventTypes',
      ],
      [
        'the cloud metadata address',
        { url: 'http://169.254.169.254/latest/meta-data', eventTypes: ['*'] },
        'url',
      ],
      ['the unspecified address', { url: 'http://0.0.0.0:4000/', eventTypes: ['*'] }, 'url'],
      [
        'credentials in the URL',
        { url: 'https://user:pass@c.example.com/', eventTypes: ['*'] },
        'url',
      ],
      ['a non-http scheme', { url: 'ftp://c.example.com/', eventTypes: ['*'] }, 'url'],
      ['a relative URL', { url: '/hook', eventTypes: ['*'] }, 'url'],
      [
        'an engagement that does not exist',
        {
          url: 'https://c.example.com/',
          eventTypes: ['*'],
          engagementId: '00000000-0000-4000-8000-000000000000',
        },
        'engagementId',
      ],
    ])('refuses %s with 400 naming the field', async (_, body, field) => {
      const response = await t
        .http()
        .post('/v1/webhook-endpoints')
        .set(bearer(t.adminKey))
        .send(body);
      expectBadField(response, field);
    });

    it('checks the URL rules on update too', async () => {
      const created = await create({ url: 'https://d.example.com/', eventTypes: ['*'] });
      const response = await t
        .http()
        .patch(`/v1/webhook-endpoints/${created.id}`)
        .set(bearer(t.adminKey))
        .send({ url: 'http://[::ffff:169.254.169.254]/' });
      expectBadField(response, 'url');
      expect((await endpoint(created.id)).url).toBe('https://d.example.com/');
    });

    it('lets only admin and integration keys manage endpoints', async () => {
      for (const role of ['procurement', 'product_owner', 'reporter', 'viewer'] as const) {
        const key = await t.keyFor(role);
        const response = await t
          .http()
          .post('/v1/webhook-endpoints')
          .set(bearer(key))
          .send({ url: 'https://e.example.com/', eventTypes: ['*'] });
        expectProblem(response, 403);
      }
    });
  });

  describe('deliveries', () => {
    it('delivers a date slip signed per Standard Webhooks, and logs it', async () => {
      const { engagement, finalHandover, endpoint: created } = await subscribed();
      await slip(engagement.id, finalHandover.id, 75);
      await receiver.waitFor(1);
      const [delivered] = receiver.verified();
      expect(delivered.payload).toMatchObject({
        type: 'milestone.date_changed',
        engagementId: engagement.id,
        vendorId: engagement.vendorId,
        seq: expect.any(Number),
        data: { slip: true, slipDays: 15, reason: REASON },
      });
      expect(delivered.headers['webhook-id']).toBe(delivered.payload.id);
      expect(delivered.headers['user-agent']).toMatch(/^Handover-Webhooks\/\d+\.\d+\.\d+$/);
      const feed = await t
        .http()
        .get(`/v1/events?engagementId=${engagement.id}&type=milestone.date_changed`)
        .set(bearer(t.adminKey));
      expect(feed.body.items.map((event: { id: string }) => event.id)).toEqual([
        delivered.payload.id,
      ]);
      const [logged] = await until(created.id, (items) => items[0]?.status === 'succeeded');
      expect(logged).toMatchObject({
        eventId: delivered.payload.id,
        messageId: delivered.payload.id,
        eventType: 'milestone.date_changed',
        attempts: 1,
        nextAttemptAt: null,
        lastResponse: { status: 204, body: '', latencyMs: expect.any(Number) },
      });
    });

    it('delivers only the types and the engagement an endpoint subscribes to', async () => {
      const { engagement, finalHandover } = await subscribed(['risk.level_changed']);
      const other = await activeEngagement(t);
      await slip(other.engagement.id, other.finalHandover.id, 90);
      // A slip past the contract end moves this one's level; the other's events are not ours.
      await slip(engagement.id, finalHandover.id, 20);
      await slip(engagement.id, finalHandover.id, 95);
      await receiver.waitFor(1);
      await sleep(300);
      const payloads = receiver.verified().map((request) => request.payload);
      expect(payloads.length).toBeGreaterThan(0);
      for (const payload of payloads) {
        expect(payload).toMatchObject({ type: 'risk.level_changed', engagementId: engagement.id });
      }
    });

    it('writes no delivery for a refused write', async () => {
      const { engagement, finalHandover, endpoint: created } = await subscribed(['*']);
      const refused = await t
        .http()
        .patch(`/v1/engagements/${engagement.id}/milestones/${finalHandover.id}`)
        .set(bearer(t.adminKey))
        .send({ dueDate: daysFromToday(80) });
      expectBadField(refused, 'reason');
      await sleep(200);
      expect(await deliveries(created.id)).toEqual([]);
      expect(receiver.received).toEqual([]);
    });

    it('retries a failing receiver with backoff, under the same webhook-id, until a 2xx', async () => {
      const { engagement, finalHandover, endpoint: created } = await subscribed();
      receiver.answer(500, 503);
      await slip(engagement.id, finalHandover.id, 70);
      await receiver.waitFor(3);
      const requests = receiver.verified();
      expect(new Set(requests.map((r) => r.headers['webhook-id'])).size).toBe(1);
      for (const [earlier, later] of [
        [requests[0], requests[1]],
        [requests[1], requests[2]],
      ]) {
        // 300 ms ± 20 %, plus the poll.
        expect(later.at - earlier.at).toBeGreaterThanOrEqual(230);
      }
      const [logged] = await until(created.id, (items) => items[0]?.status === 'succeeded');
      expect(logged.attempts).toBe(3);
    });

    it('fails a delivery after the last attempt, keeps what it got, and retries it on request', async () => {
      const { engagement, finalHandover, endpoint: created } = await subscribed();
      receiver.answer(500, 500, 500);
      await slip(engagement.id, finalHandover.id, 70);
      const [failed] = await until(created.id, (items) => items[0]?.status === 'failed');
      expect(failed).toMatchObject({
        attempts: 3,
        nextAttemptAt: null,
        lastResponse: { status: 500, body: 'answered 500' },
      });
      expect(await deliveries(created.id, 'failed')).toHaveLength(1);
      expect(await deliveries(created.id, 'succeeded')).toHaveLength(0);
      const retried = await t
        .http()
        .post(`/v1/webhook-endpoints/${created.id}/deliveries/${failed.id}/retry`)
        .set(bearer(t.adminKey));
      expect(retried.status).toBe(200);
      expect(retried.body).toMatchObject({ id: failed.id, status: 'pending', attempts: 0 });
      const [succeeded] = await until(created.id, (items) => items[0]?.status === 'succeeded');
      expect(succeeded.attempts).toBe(1);
      expect(receiver.verified()).toHaveLength(4);
      const again = await t
        .http()
        .post(`/v1/webhook-endpoints/${created.id}/deliveries/${failed.id}/retry`)
        .set(bearer(t.adminKey));
      expectProblem(again, 409, 'conflict');
    });

    it('treats a receiver that hangs past WEBHOOK_TIMEOUT_MS as a failed attempt', async () => {
      const { engagement, finalHandover, endpoint: created } = await subscribed();
      receiver.answer('hang');
      await slip(engagement.id, finalHandover.id, 70);
      const [logged] = await until(created.id, (items) => items[0]?.status === 'succeeded');
      expect(logged.attempts).toBe(2);
      expect(receiver.received.map((r) => r.answered)).toEqual([0, 204]);
    });

    it('disables the endpoint at once on 410, and delivers only new events after re-enabling', async () => {
      const { engagement, finalHandover, endpoint: created } = await subscribed();
      receiver.answer(410);
      await slip(engagement.id, finalHandover.id, 70);
      const [gone] = await until(created.id, (items) => items[0]?.status === 'failed');
      expect(gone.attempts).toBe(1);
      expect(await endpoint(created.id)).toMatchObject({ enabled: false, disabledReason: 'gone' });
      await slip(engagement.id, finalHandover.id, 72);
      expect(await deliveries(created.id)).toHaveLength(1);
      const enabled = await t
        .http()
        .patch(`/v1/webhook-endpoints/${created.id}`)
        .set(bearer(t.adminKey))
        .send({ enabled: true });
      expect(enabled.body).toMatchObject({ enabled: true, disabledReason: null });
      await slip(engagement.id, finalHandover.id, 74);
      await until(created.id, (items) => items.length === 2 && items[0].status === 'succeeded');
      const slips = receiver.verified().map((r) => r.payload.data.toDate);
      expect(slips).toEqual([daysFromToday(70), daysFromToday(74)]);
    });

    it('fails what is pending when an endpoint is paused, and sends it nothing more', async () => {
      const { engagement, finalHandover, endpoint: created } = await subscribed();
      receiver.answer('hang');
      await slip(engagement.id, finalHandover.id, 70);
      await receiver.waitFor(1);
      const paused = await t
        .http()
        .patch(`/v1/webhook-endpoints/${created.id}`)
        .set(bearer(t.adminKey))
        .send({ enabled: false });
      expect(paused.body).toMatchObject({ enabled: false, disabledReason: null });
      await slip(engagement.id, finalHandover.id, 72);
      const [failed] = await until(created.id, (items) => items[0]?.status === 'failed');
      expect(failed.lastResponse).toMatchObject({ error: 'endpoint disabled (paused by a PATCH)' });
      // The hanging attempt times out after the pause: its result no longer counts.
      await sleep(3500);
      expect(await deliveries(created.id)).toHaveLength(1);
      expect((await deliveries(created.id))[0].status).toBe('failed');
      expect(receiver.received).toHaveLength(1);
    });

    it('disables an endpoint whose last WEBHOOK_DISABLE_AFTER deliveries all failed', async () => {
      const { engagement, finalHandover, endpoint: created } = await subscribed();
      receiver.answer(...Array<number>(9).fill(500));
      for (const days of [70, 71, 72]) await slip(engagement.id, finalHandover.id, days);
      await until(
        created.id,
        (items) => items.length === 3 && items.every((d) => d.status === 'failed'),
      );
      expect(await endpoint(created.id)).toMatchObject({
        enabled: false,
        disabledReason: 'failing',
      });
      const ping = await t
        .http()
        .post(`/v1/webhook-endpoints/${created.id}/ping`)
        .set(bearer(t.adminKey));
      expectProblem(ping, 409);
    });

    it('signs with the old and the new secret for 24 hours after a rotation', async () => {
      const { engagement, finalHandover, endpoint: created } = await subscribed();
      const rotated = await t
        .http()
        .post(`/v1/webhook-endpoints/${created.id}/rotate-secret`)
        .set(bearer(t.adminKey));
      expect(rotated.status).toBe(200);
      expect(rotated.body.secret).toMatch(SECRET);
      expect(rotated.body.secret).not.toBe(created.secret);
      const overlapEnds = Date.parse(rotated.body.previousSecretExpiresAt);
      expect(overlapEnds - Date.now()).toBeGreaterThan(23.9 * 3_600_000);
      await slip(engagement.id, finalHandover.id, 70);
      await receiver.waitFor(1);
      receiver.verified([created.secret as string, rotated.body.secret]);
      expect(String(receiver.received[0].headers['webhook-signature']).split(' ')).toHaveLength(2);
    });

    it('pings one endpoint whatever it subscribes to, outside the feed', async () => {
      const { endpoint: created } = await subscribed(['report.created']);
      const other = await create({ url: receiver.url, eventTypes: ['*'] });
      const response = await t
        .http()
        .post(`/v1/webhook-endpoints/${created.id}/ping`)
        .set(bearer(t.adminKey));
      expect(response.status).toBe(202);
      expect(response.body).toMatchObject({
        eventType: 'webhook.ping',
        eventId: null,
        status: 'pending',
      });
      await receiver.waitFor(1);
      await sleep(200);
      const [ping] = receiver.verified();
      expect(receiver.received).toHaveLength(1);
      expect(ping.payload).toMatchObject({
        type: 'webhook.ping',
        data: { endpointId: created.id },
      });
      expect(ping.headers['webhook-id']).toBe(response.body.messageId);
      expect(await deliveries(other.id)).toEqual([]);
      const feed = await t.http().get('/v1/events?limit=200').set(bearer(t.adminKey));
      expect(feed.status).toBe(200);
      expect(feed.body.items.map((event: { id: string }) => event.id)).not.toContain(
        ping.payload.id,
      );
    });

    it('refuses a delivery whose name resolves to a forbidden address at delivery time (DNS rebinding)', async () => {
      const resolver = t.app.get(HostResolver);
      const name = `rebind-${uniqueSuffix()}.example.com`;
      const port = new URL(receiver.url).port;
      const spy = jest
        .spyOn(resolver, 'resolve')
        .mockImplementation(async (host) =>
          host === name ? [{ address: '93.184.216.34', family: 4 }] : [],
        );
      try {
        const planned = await activeEngagement(t);
        const created = await create({
          url: `http://${name}:${port}/hook`,
          eventTypes: ['milestone.date_changed'],
          engagementId: planned.engagement.id,
        });
        spy.mockImplementation(async () => [{ address: '169.254.169.254', family: 4 }]);
        await slip(planned.engagement.id, planned.finalHandover.id, 70);
        const [refused] = await until(
          created.id,
          (items) => items[0]?.lastResponse !== null && items[0]?.lastResponse !== undefined,
        );
        expect(refused.lastResponse?.error).toMatch(
          /forbidden address: .*169\.254\.169\.254 is link-local/,
        );
        expect(receiver.received).toEqual([]);
      } finally {
        spy.mockRestore();
      }
    });
  });

  it('keeps vendor filters apart: an endpoint for one vendor hears nothing of another', async () => {
    const vendor = await newVendor(t);
    const created = await create({
      url: receiver.url,
      eventTypes: ['milestone.date_changed'],
      vendorId: vendor.id,
    });
    receiver.secrets = [created.secret as string];
    const ours = await activeEngagement(t, { vendorId: vendor.id });
    const theirs = await activeEngagement(t);
    await slip(theirs.engagement.id, theirs.finalHandover.id, 70);
    await slip(ours.engagement.id, ours.finalHandover.id, 70);
    await receiver.waitFor(1);
    await sleep(200);
    expect(receiver.verified().map((r) => r.payload.engagementId)).toEqual([ours.engagement.id]);
  });
});

describe('webhook URL rules with the defaults (no http, no loopback)', () => {
  let t: TestApp;
  const { create } = webhooksOf(() => t);
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  it.each([
    ['[::1]', 'https://[::1]/hook'],
    ['localhost', 'https://localhost/hook'],
    ['127.0.0.1 spelled as a decimal', 'https://2130706433/hook'],
    ['IPv4-mapped loopback', 'https://[::ffff:127.0.0.1]/hook'],
    ['http', 'http://hooks.example.com/hook'],
  ])('refuses %s', async (_, url) => {
    const response = await t
      .http()
      .post('/v1/webhook-endpoints')
      .set(bearer(t.adminKey))
      .send({ url, eventTypes: ['*'] });
    expectBadField(response, 'url');
  });

  it('refuses a name that resolves to loopback', async () => {
    const resolver = t.app.get(HostResolver);
    const spy = jest
      .spyOn(resolver, 'resolve')
      .mockResolvedValue([{ address: '127.0.0.1', family: 4 }]);
    try {
      const response = await t
        .http()
        .post('/v1/webhook-endpoints')
        .set(bearer(t.adminKey))
        .send({ url: 'https://looks-public.example.com/hook', eventTypes: ['*'] });
      const body = expectProblem(response, 400);
      expect(body.errors?.[0]).toMatchObject({
        field: 'url',
        message: expect.stringContaining('resolves to 127.0.0.1 is a loopback address'),
      });
    } finally {
      spy.mockRestore();
    }
  });

  it('accepts a private address, where internal tools live', async () => {
    const created = await create({ url: 'https://10.20.30.40/hook', eventTypes: ['*'] });
    expect(created.url).toBe('https://10.20.30.40/hook');
  });
});

describe('webhook retries at the real schedule', () => {
  let t: TestApp;
  let receiver: WebhookReceiver;
  const { create, slip } = webhooksOf(() => t);
  beforeAll(async () => {
    t = await createTestApp({
      env: { WEBHOOK_ALLOW_HTTP: 'true', WEBHOOK_ALLOW_LOOPBACK: 'true', WEBHOOK_POLL_MS: '100' },
    });
    receiver = await WebhookReceiver.start();
  });
  afterAll(async () => {
    await receiver.close();
    await t.close();
  });

  it('tries again about 10 seconds (8–12 s) after the first failed attempt', async () => {
    const planned = await activeEngagement(t);
    const created = await create({
      url: receiver.url,
      eventTypes: ['milestone.date_changed'],
      engagementId: planned.engagement.id,
    });
    receiver.secrets = [created.secret as string];
    receiver.answer(500);
    await slip(planned.engagement.id, planned.finalHandover.id, 70);
    await receiver.waitFor(2, 20_000);
    const [first, second] = receiver.verified();
    expect(second.at - first.at).toBeGreaterThanOrEqual(8_000);
    expect(second.at - first.at).toBeLessThan(12_000 + 500);
  }, 30_000);
});
