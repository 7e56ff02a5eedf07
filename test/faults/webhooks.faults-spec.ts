import { randomBytes } from 'node:crypto';
import { readdir, readFile, readlink } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { Client } from 'pg';
import { Webhook } from 'standardwebhooks';
import { addDays, todayUtc } from '../../src/common/dates.js';
import { ApiProcess } from './api-process.js';
import { send, sleep } from './net.js';
import { ThrowawayCluster } from './pg-cluster.js';
import { report } from './write-load.js';

const TIMEOUT_MS = 15_000;
const ADMIN_KEY = `faults-admin-${randomBytes(24).toString('hex')}`;
/** Loopback receivers allowed; both instances poll often, so each claims what the other wrote. */
const DELIVERING = {
  WEBHOOK_ALLOW_HTTP: 'true',
  WEBHOOK_ALLOW_LOOPBACK: 'true',
  WEBHOOK_POLL_MS: '100',
};

/** One request a receiver got. */
interface Received {
  /** The server process that sent it, or undefined when it could not be told. */
  sender: number | undefined;
  webhookId: string;
  payload: { id: string; type: string; data: Record<string, unknown> };
  /** Whether standardwebhooks' own `verify` accepted it with the endpoint's secret. */
  signed: boolean;
  /** The status answered; 0 when the receiver hung. */
  answered: number;
  at: number;
}

/**
 * The server process, of `pids`, holding the client end of a loopback connection to us: Linux
 * lists the client end's socket inode in /proc/net/tcp, and the owner's descriptors in
 * /proc/PID/fd link to it. The fault tests run on Linux anyway (PostgreSQL binaries, runuser).
 */
async function clientProcess(socket: Socket, pids: number[]): Promise<number | undefined> {
  const hex = (port: number | undefined) => (port ?? 0).toString(16).toUpperCase().padStart(4, '0');
  const clientEnd = `:${hex(socket.remotePort)}`;
  const serverEnd = `:${hex(socket.localPort)}`;
  // Columns: sl, local_address, rem_address, st, tx/rx queues, tr/tm, retrnsmt, uid, timeout, inode.
  // Only an established connection with a socket: a closed one on the same ports may linger.
  const fields = (await readFile('/proc/net/tcp', 'utf8'))
    .split('\n')
    .map((line) => line.trim().split(/\s+/))
    .find(
      ([, local, remote, state, , , , , , inode]) =>
        local?.endsWith(clientEnd) &&
        remote?.endsWith(serverEnd) &&
        state === '01' &&
        inode !== '0',
    );
  if (!fields) return undefined;
  const link = `socket:[${fields[9]}]`;
  // All at once: a sender that dies meanwhile takes its descriptors with it.
  const holders = await Promise.all(
    pids.map(async (pid) => {
      const fds = await readdir(`/proc/${pid}/fd`).catch(() => []);
      const links = await Promise.all(
        fds.map((fd) => readlink(`/proc/${pid}/fd/${fd}`).catch(() => '')),
      );
      return links.includes(link) ? pid : undefined;
    }),
  );
  return holders.find((pid) => pid !== undefined);
}

/**
 * A webhook receiver on loopback that knows which server process sent each request, so that
 * it can answer one instance otherwise than the other and count who delivered what. Every
 * request is checked with the Standard Webhooks reference library.
 */
class Receiver {
  readonly received: Received[] = [];
  secret = '';
  /** What to answer the sender: a status, or no answer at all. */
  answer: (sender: number | undefined) => number | 'hang' = () => 204;
  private readonly senders = new WeakMap<Socket, Promise<number | undefined>>();
  /** Requests left unanswered whose sender has not given up on them yet, by sender. */
  private readonly hung = new Map<ServerResponse, number | undefined>();

  private constructor(
    private readonly server: Server,
    pids: () => number[],
  ) {
    // Looked up once per connection, while both ends exist: keep-alive reuses it.
    server.on('connection', (socket) => this.senders.set(socket, clientProcess(socket, pids())));
    server.on('request', (request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => void this.receive(request, response, Buffer.concat(chunks)));
    });
  }

  static async start(pids: () => number[]): Promise<Receiver> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return new Receiver(server, pids);
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/hook`;
  }

  /** How many of this sender's requests are waiting for an answer right now. */
  hanging(sender: number): number {
    return [...this.hung.values()].filter((from) => from === sender).length;
  }

  async close(): Promise<void> {
    for (const response of this.hung.keys()) response.destroy();
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }

  private async receive(
    request: IncomingMessage,
    response: ServerResponse,
    raw: Buffer,
  ): Promise<void> {
    const sender = await this.senders.get(request.socket);
    const body = raw.toString('utf8');
    const headers = {
      'webhook-id': String(request.headers['webhook-id']),
      'webhook-timestamp': String(request.headers['webhook-timestamp']),
      'webhook-signature': String(request.headers['webhook-signature']),
    };
    let signed = true;
    try {
      new Webhook(this.secret).verify(body, headers);
    } catch {
      signed = false;
    }
    const answer = this.answer(sender);
    this.received.push({
      sender,
      webhookId: headers['webhook-id'],
      payload: JSON.parse(body),
      signed,
      answered: answer === 'hang' ? 0 : answer,
      at: performance.now(),
    });
    if (answer === 'hang') {
      this.hung.set(response, sender);
      response.once('close', () => this.hung.delete(response));
      return;
    }
    response.statusCode = answer;
    response.end();
  }
}

interface DeliveryRow {
  event_id: string;
  status: string;
  attempts: number;
}

const daysFromToday = (days: number) => addDays(todayUtc(), days);

/** How many items have each key. */
function countBy<T, K>(items: T[], key: (item: T) => K): Map<K, number> {
  const counts = new Map<K, number>();
  for (const item of items) counts.set(key(item), (counts.get(key(item)) ?? 0) + 1);
  return counts;
}

/** The keys that occur more than once. */
const repeated = <K>(counts: Map<K, number>): K[] =>
  [...counts].filter(([, count]) => count > 1).map(([key]) => key);

/** A request through the API that must succeed; its body. */
async function call<T = Record<string, unknown>>(
  api: ApiProcess,
  method: string,
  path: string,
  body?: unknown,
): Promise<T> {
  const answer = await send(api.base, path, {
    method,
    headers: { Authorization: `Bearer ${api.adminKey}` },
    body,
    timeoutMs: TIMEOUT_MS,
  });
  if (answer.status === undefined || answer.status >= 300) {
    throw new Error(
      `${method} ${path} answered ${answer.status ?? answer.error}: ${JSON.stringify(answer.body)}`,
    );
  }
  return answer.body as T;
}

interface Owners {
  vendorId: string;
  personId: string;
  recipientId: string;
}

async function owners(api: ApiProcess, label: string): Promise<Owners> {
  const person = async (name: string) =>
    (
      await call<{ id: string }>(api, 'POST', '/v1/people', {
        name,
        email: `${name.toLowerCase().replaceAll(' ', '-')}-${randomBytes(4).toString('hex')}@example.com`,
      })
    ).id;
  const vendor = await call<{ id: string }>(api, 'POST', '/v1/vendors', { name: label });
  return {
    vendorId: vendor.id,
    personId: await person(`${label} owner`),
    recipientId: await person(`${label} recipient`),
  };
}

/** A draft engagement of the vendor: its writes are events about that vendor. */
async function draftEngagement(api: ApiProcess, who: Owners, title: string): Promise<string> {
  const engagement = await call<{ id: string }>(api, 'POST', '/v1/engagements', {
    title,
    vendorId: who.vendorId,
    productOwnerId: who.personId,
    knowledgeRecipientIds: [who.recipientId],
    spec: {
      problem:
        'Accounts payable keys 4,000 supplier invoices a month by hand; errors delay payments by 6 days.',
      successMetrics: [{ name: 'Invoice fields extracted correctly', target: '≥ 97 %' }],
      constraints: ['Invoices never leave the EU'],
      tradeOffOwnerId: who.personId,
      tradeOffRule: 'Accuracy over latency.',
    },
  });
  return engagement.id;
}

/** An endpoint for these types of the vendor's events, whose secret the receiver holds. */
async function subscribe(
  api: ApiProcess,
  receiver: Receiver,
  vendorId: string,
  eventTypes: string[],
): Promise<string> {
  const endpoint = await call<{ id: string; secret: string }>(
    api,
    'POST',
    '/v1/webhook-endpoints',
    {
      url: receiver.url,
      eventTypes,
      vendorId,
    },
  );
  receiver.secret = endpoint.secret;
  return endpoint.id;
}

/**
 * Webhook delivery (SPEC §6 "Deliveries") and the clock (§6 "Events") with several server
 * processes on one PostgreSQL: each delivery sent once per attempt, none lost to kill -9, and
 * one time-triggered event per trigger when start-up clock runs race.
 */
describe('webhooks and the clock across instances', () => {
  let cluster: ThrowawayCluster;
  let db: Client;
  const apis: ApiProcess[] = [];
  const receivers: Receiver[] = [];

  const start = async (env: Record<string, string> = {}): Promise<ApiProcess> => {
    const api = await ApiProcess.start(cluster.url, { ...DELIVERING, ...env }, ADMIN_KEY);
    apis.push(api);
    return api;
  };
  const receiver = async (): Promise<Receiver> => {
    const started = await Receiver.start(() => apis.map((api) => api.pid));
    receivers.push(started);
    return started;
  };
  const deliveriesOf = async (endpointIds: string[]): Promise<DeliveryRow[]> =>
    (
      await db.query<DeliveryRow>(
        'SELECT event_id, status, attempts FROM webhook_deliveries WHERE endpoint_id = ANY($1)',
        [endpointIds],
      )
    ).rows;
  /** The delivery log once `expected` deliveries are there and none is pending (or at timeout). */
  const settled = async (
    endpointIds: string[],
    expected: number,
    timeoutMs: number,
  ): Promise<DeliveryRow[]> => {
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      const rows = await deliveriesOf(endpointIds);
      const done = rows.length === expected && rows.every((row) => row.status !== 'pending');
      if (done || performance.now() > deadline) return rows;
      await sleep(200);
    }
  };
  const eventsOf = async (vendorId: string, type: string) =>
    (
      await db.query<{ id: string; title: string }>(
        `SELECT id, data->>'title' AS title FROM events WHERE vendor_id = $1 AND type = $2`,
        [vendorId, type],
      )
    ).rows;

  beforeAll(async () => {
    cluster = await ThrowawayCluster.create();
    db = new Client({ connectionString: cluster.url });
    await db.connect();
  });

  afterEach(async () => {
    for (const api of apis) api.kill();
    await Promise.all(apis.splice(0).map((api) => api.exited));
    await Promise.all(receivers.splice(0).map((started) => started.close()));
  });

  afterAll(async () => {
    await db?.end();
    await cluster?.destroy();
  });

  it('delivers 500 events to each of 2 endpoints exactly once, with each attempt sent once and logged once', async () => {
    const EDITORS = 10;
    const EDITS_PER_EDITOR = 50;
    const EVENTS = EDITORS * EDITS_PER_EDITOR;
    // One after the other: the second finds the schema migrated and the admin key in place.
    const a = await start();
    const b = await start();
    const who = await owners(a, 'Two instances delivering');
    const engagements: string[] = [];
    for (let i = 0; i < EDITORS; i++) {
      engagements.push(await draftEngagement(a, who, `Delivered ${i}`));
    }
    const hooks = [await receiver(), await receiver()];
    const endpointIds: string[] = [];
    for (const hook of hooks) {
      endpointIds.push(await subscribe(a, hook, who.vendorId, ['engagement.updated']));
    }

    const started = performance.now();
    // Each title edit is one engagement.updated, written through the two instances in turn.
    await Promise.all(
      engagements.map(async (id, i) => {
        for (let n = 0; n < EDITS_PER_EDITOR; n++) {
          await call([a, b][(i + n) % 2], 'PATCH', `/v1/engagements/${id}`, {
            title: `Delivered ${i}, edit ${n}`,
          });
        }
      }),
    );
    const written = performance.now();
    const deliveries = await settled(endpointIds, 2 * EVENTS, 60_000);
    const logged = performance.now();
    // A second request for a delivery already logged as succeeded would arrive here.
    await sleep(1000);

    const eventIds = (await eventsOf(who.vendorId, 'engagement.updated')).map((event) => event.id);
    const received = hooks.flatMap((hook) => hook.received);
    const bySender = countBy(received, (request) => request.sender);
    const attempts = deliveries.reduce((sum, row) => sum + row.attempts, 0);
    report(
      `two instances delivering: ${EVENTS} events written in ${Math.round(written - started)} ms; ` +
        `deliveries logged ${Math.round(logged - written)} ms later; receivers got ` +
        `${hooks.map((hook) => hook.received.length).join(' + ')} requests ` +
        `(${hooks.map((hook) => new Set(hook.received.map((r) => r.webhookId)).size).join(' + ')} distinct webhook-ids), ` +
        `${bySender.get(a.pid) ?? 0} sent by instance A, ${bySender.get(b.pid) ?? 0} by B, ` +
        `${bySender.get(undefined) ?? 0} untold; ${deliveries.length} deliveries logged, ` +
        `${deliveries.filter((row) => row.status === 'succeeded').length} succeeded, ` +
        `${attempts} attempts in all`,
    );

    expect(eventIds).toHaveLength(EVENTS);
    for (const hook of hooks) {
      expect(hook.received.filter((request) => !request.signed)).toEqual([]);
      expect(hook.received.filter((request) => request.payload.id !== request.webhookId)).toEqual(
        [],
      );
      // No webhook-id twice at one endpoint, and every event there.
      const byId = countBy(hook.received, (request) => request.webhookId);
      expect(repeated(byId)).toEqual([]);
      expect([...byId.keys()].sort()).toEqual([...eventIds].sort());
    }
    expect(received).toHaveLength(2 * EVENTS);
    expect(received.filter((request) => request.answered !== 204)).toEqual([]);
    expect(deliveries).toHaveLength(2 * EVENTS);
    expect(deliveries.filter((row) => row.status !== 'succeeded' || row.attempts !== 1)).toEqual(
      [],
    );
    // Every attempt logged once: as many attempts counted as requests the receivers got.
    expect(attempts).toBe(received.length);
    // Both instances claimed and sent: the exclusion held between two live dispatchers.
    expect(bySender.get(undefined)).toBeUndefined();
    expect(bySender.get(a.pid)).toBeGreaterThan(0);
    expect(bySender.get(b.pid)).toBeGreaterThan(0);
  }, 150_000);

  it('delivers every committed event after kill -9 of the instance sending them, via the other instance', async () => {
    const EDITORS = 8;
    const EDITS_PER_EDITOR = 3;
    const EVENTS = EDITORS * EDITS_PER_EDITOR;
    // A claims every delivery at once and waits for answers longer than the writes take, so
    // that the kill finds them in flight; its claims then stay leased for the timeout + 30 s.
    const a = await start({
      WEBHOOK_TIMEOUT_MS: '3000',
      WEBHOOK_RETRY_SCHEDULE_SECONDS: '0.5',
      WEBHOOK_CONCURRENCY: String(EVENTS),
    });
    const b = await start();
    const who = await owners(a, 'Killed while delivering');
    const engagements: string[] = [];
    for (let i = 0; i < EDITORS; i++) {
      engagements.push(await draftEngagement(a, who, `Killed ${i}`));
    }
    const hook = await receiver();
    const endpointId = await subscribe(a, hook, who.vendorId, ['engagement.updated']);
    // Only B gets answers: what A sends stays unanswered until A dies.
    hook.answer = (sender) => (sender === b.pid ? 204 : 'hang');

    const titles: string[] = [];
    await Promise.all(
      engagements.map(async (id, i) => {
        for (let n = 0; n < EDITS_PER_EDITOR; n++) {
          const title = `Killed ${i}, edit ${n}`;
          await call(a, 'PATCH', `/v1/engagements/${id}`, { title });
          titles.push(title);
        }
      }),
    );
    a.kill();
    const killedAt = performance.now();
    const inFlightAtKill = hook.hanging(a.pid);
    const [{ unclaimed }] = (
      await db.query<{ unclaimed: number }>(
        `SELECT count(*)::int AS unclaimed FROM webhook_deliveries
          WHERE endpoint_id = $1 AND attempts = 0`,
        [endpointId],
      )
    ).rows;
    await a.exited;

    const committed = await eventsOf(who.vendorId, 'engagement.updated');
    // At least once: wait for B's 2xx to every committed event, past the lease A held.
    const firstSuccess = new Map<string, number>();
    const deadline = killedAt + 60_000;
    while (firstSuccess.size < committed.length && performance.now() < deadline) {
      await sleep(200);
      for (const request of hook.received) {
        if (request.answered === 204 && !firstSuccess.has(request.webhookId)) {
          firstSuccess.set(request.webhookId, request.at);
        }
      }
    }
    const deliveries = await settled([endpointId], EVENTS, 10_000);

    const secondsAfterKill = [...firstSuccess.values()].map((at) => (at - killedAt) / 1000);
    const successes = hook.received.filter((request) => request.answered === 204);
    const duplicates = repeated(countBy(successes, (request) => request.webhookId));
    const attempts = deliveries.reduce((sum, row) => sum + row.attempts, 0);
    // A request from A that arrived as A died may not be told as A's: it hung all the same.
    const untold = hook.received.filter((request) => request.sender === undefined).length;
    report(
      `kill -9: ${titles.length} writes through A answered 2xx, ${committed.length} events committed; ` +
        `at the kill ${inFlightAtKill} of A's attempts were in flight (${untold} more requests ` +
        `hung whose sender died before the receiver told it) and ${unclaimed} deliveries not yet ` +
        `attempted; B delivered ${firstSuccess.size} events, ` +
        `${secondsAfterKill.filter((seconds) => seconds < 5).length} within 5 s of the kill, ` +
        `the last ${Math.max(...secondsAfterKill).toFixed(1)} s after it (A's lease); ` +
        `${duplicates.length} delivered twice; ${hook.received.length} requests received, ` +
        `${attempts} attempts logged`,
    );

    expect(committed.map((event) => event.title).sort()).toEqual([...titles].sort());
    expect(committed).toHaveLength(EVENTS);
    expect(inFlightAtKill).toBeGreaterThan(0);
    expect(hook.received.filter((request) => !request.signed)).toEqual([]);
    expect(committed.filter((event) => !firstSuccess.has(event.id))).toEqual([]);
    expect(deliveries.filter((row) => row.status !== 'succeeded')).toEqual([]);
    // Each request was an attempt; an attempt A claimed but died before sending is not a request.
    expect(attempts).toBeGreaterThanOrEqual(hook.received.length);
  }, 150_000);

  it('emits one milestone.due_soon per milestone when two instances run the start-up clock at once', async () => {
    const MILESTONES = 10;
    const setup = await start();
    const who = await owners(setup, 'Clock race');
    const engagementId = await draftEngagement(setup, who, 'Clock race');
    const base = `/v1/engagements/${engagementId}`;
    const finalHandover = await call<{ id: string }>(setup, 'POST', `${base}/milestones`, {
      name: 'Final handover',
      kind: 'final_handover',
      dueDate: daysFromToday(60),
    });
    await call(setup, 'POST', `${base}/artifacts`, {
      milestoneId: finalHandover.id,
      kind: 'runbook',
      title: 'Runbook',
    });
    await call(setup, 'POST', `${base}/activate`, {});
    // Inside the due-soon window, created after the setup instance's start-up run: the next
    // clock run, in whichever instance, fires them.
    const dueIn = new Map<string, number>();
    for (let i = 0; i < MILESTONES; i++) {
      const milestone = await call<{ id: string }>(setup, 'POST', `${base}/milestones`, {
        name: `Due soon ${i}`,
        kind: 'delivery',
        dueDate: daysFromToday(1 + (i % 7)),
      });
      dueIn.set(milestone.id, 1 + (i % 7));
    }
    const hook = await receiver();
    const endpointId = await subscribe(setup, hook, who.vendorId, ['milestone.due_soon']);
    await setup.stop();
    const [{ count: firedBefore }] = (
      await db.query<{ count: number }>(
        `SELECT count(*)::int AS count FROM clock_triggers WHERE subject_id = ANY($1)`,
        [[...dueIn.keys()]],
      )
    ).rows;
    expect(firedBefore).toBe(0);

    // Both start-up runs are held at their claim of the triggers, then let go together: the
    // race is certain, not left to how fast each process happens to boot.
    const locker = new Client({ connectionString: cluster.url });
    await locker.connect();
    await locker.query('BEGIN');
    await locker.query('LOCK TABLE clock_triggers IN SHARE MODE');
    // At info, each instance says what its clock run fired.
    const env = { ...DELIVERING, LOG_LEVEL: 'info' };
    const starting = Promise.allSettled([
      ApiProcess.start(cluster.url, env, ADMIN_KEY),
      ApiProcess.start(cluster.url, env, ADMIN_KEY),
    ]);
    let waiting = 0;
    const waitingSince = performance.now();
    while (waiting < 2 && performance.now() - waitingSince < 30_000) {
      await sleep(50);
      const { rows } = await db.query<{ count: number }>(
        `SELECT count(*)::int AS count FROM pg_stat_activity
          WHERE application_name = 'handover' AND wait_event_type = 'Lock'
            AND query LIKE '%INSERT INTO clock_triggers%'`,
      );
      waiting = rows[0].count;
    }
    await locker.query('COMMIT');
    await locker.end();
    const started = await starting;
    for (const outcome of started) if (outcome.status === 'fulfilled') apis.push(outcome.value);
    for (const outcome of started) if (outcome.status === 'rejected') throw outcome.reason;
    const pair = apis.slice(-2);
    // Read before requests add lines: the output kept is only the last few kilobytes.
    const clockLines = pair.map(
      (api) => api.log().match(/Clock(?: run failed|: \d+ due soon)[^"]*/)?.[0] ?? 'nothing',
    );
    expect(waiting).toBe(2);

    const feed = await call<{ items: { id: string; data: Record<string, unknown> }[] }>(
      pair[0],
      'GET',
      `/v1/events?type=milestone.due_soon&vendorId=${who.vendorId}&limit=200`,
    );
    const byMilestone = countBy(feed.items, (event) => (event.data.milestone as { id: string }).id);
    const deliveries = await settled([endpointId], feed.items.length, 20_000);
    // A second request for a delivery already logged as succeeded would arrive here.
    await sleep(1000);
    report(
      `clock race: both start-up runs waited on the triggers together (${waiting} held); ` +
        `${feed.items.length} milestone.due_soon events for ${MILESTONES} milestones; ` +
        `the instances logged "${clockLines.join('" and "')}"; ` +
        `${hook.received.length} webhook requests for them, ` +
        `${deliveries.filter((row) => row.status === 'succeeded').length} deliveries succeeded`,
    );

    expect(feed.items).toHaveLength(MILESTONES);
    expect(repeated(byMilestone)).toEqual([]);
    expect([...byMilestone.keys()].sort()).toEqual([...dueIn.keys()].sort());
    for (const event of feed.items) {
      const milestoneId = (event.data.milestone as { id: string }).id;
      expect(event.data).toMatchObject({
        dueDate: daysFromToday(dueIn.get(milestoneId) as number),
        daysLeft: dueIn.get(milestoneId),
      });
    }
    // Delivered once each, by whichever instance claimed it.
    expect(hook.received.filter((request) => !request.signed)).toEqual([]);
    expect(hook.received.map((request) => request.webhookId).sort()).toEqual(
      feed.items.map((event) => event.id).sort(),
    );
    expect(deliveries.filter((row) => row.status !== 'succeeded' || row.attempts !== 1)).toEqual(
      [],
    );
  });
});
