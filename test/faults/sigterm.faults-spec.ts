import { Client } from 'pg';
import { ApiProcess, type Exit } from './api-process.js';
import { type Answer, type RawAnswer, send, sleep, splitRequest } from './net.js';
import { ThrowawayCluster } from './pg-cluster.js';
import { report, succeeded, type Write, WriteLoad } from './write-load.js';

const SHUTDOWN_TIMEOUT_MS = 8000;
const HELD_REQUESTS = 6;
/** Probes from the first refused one on, to see that the listener stays closed. */
const PROBES_AFTER_REFUSAL = 3;

/**
 * SIGTERM reaches the shipped server while clients write. Some PATCHes are held in flight by
 * a row lock taken in another session, so the drain has real work to wait for.
 */
describe('SIGTERM under write load', () => {
  let cluster: ThrowawayCluster;
  let api: ApiProcess;
  let locker: Client | undefined;

  beforeAll(async () => {
    cluster = await ThrowawayCluster.create();
    api = await ApiProcess.start(cluster.url, { SHUTDOWN_TIMEOUT_MS: String(SHUTDOWN_TIMEOUT_MS) });
  });

  afterAll(async () => {
    await locker?.end().catch(() => undefined);
    api?.kill();
    await api?.exited;
    await cluster?.destroy();
  });

  it('finishes in-flight requests, refuses new connections, and exits 0 within the drain timeout', async () => {
    const auth = { Authorization: `Bearer ${api.adminKey}` };
    const vendor = await send(api.base, '/v1/vendors', {
      method: 'POST',
      headers: auth,
      body: { name: 'Held during shutdown' },
      timeoutMs: 5000,
    });
    expect(vendor.status).toBe(201);
    const vendorId = (vendor.body as { id: string }).id;

    locker = new Client({ connectionString: cluster.url });
    await locker.connect();
    await locker.query('BEGIN');
    await locker.query('SELECT 1 FROM vendors WHERE id = $1 FOR UPDATE', [vendorId]);

    const load = new WriteLoad(api.base, api.adminKey, {
      clients: 4,
      prefix: 'sigterm',
      timeoutMs: SHUTDOWN_TIMEOUT_MS + 2000,
      stopOnConnectionError: true,
    });
    let writes: Write[] = [];
    let signalled = 0;
    let exit: Exit | undefined;
    const probes: Answer[] = [];
    let refusedAt: number | undefined;
    let late: RawAnswer;
    let heldAnswers: Answer[];
    let exited: Exit;
    // Whatever fails below, the clients stop: looping on, they would keep Jest alive.
    try {
      const held = Array.from({ length: HELD_REQUESTS }, (_, i) =>
        send(api.base, `/v1/vendors/${vendorId}`, {
          method: 'PATCH',
          headers: auth,
          body: { notes: `held-${i}` },
          timeoutMs: SHUTDOWN_TIMEOUT_MS + 2000,
        }),
      );
      // In flight for certain: the server has sent them to PostgreSQL, where they wait on the
      // lock. Observed from a session of its own: inside a transaction pg_stat_activity is a
      // snapshot.
      const observer = new Client({ connectionString: cluster.url });
      await observer.connect();
      let waiting = 0;
      try {
        const waitingStarted = performance.now();
        while (waiting < HELD_REQUESTS && performance.now() - waitingStarted < 10_000) {
          await sleep(50);
          const { rows } = await observer.query<{ count: number }>(
            `SELECT count(*)::int AS count FROM pg_stat_activity
              WHERE application_name = 'handover' AND wait_event_type = 'Lock'`,
          );
          waiting = rows[0].count;
        }
      } finally {
        await observer.end();
      }
      expect(waiting).toBe(HELD_REQUESTS);
      await sleep(1000);

      // Begun before the signal, completed during the drain: it arrives while the server closes.
      const lateArrival = await splitRequest(api.base, 'POST', '/v1/vendors', auth, {
        name: 'sigterm-late-arrival',
      });

      void api.exited.then((settled) => (exit = settled));
      signalled = performance.now();
      api.signal('SIGTERM');

      // New connections, one per probe, until the listener refuses them, then a few more to see
      // it stays closed. A loaded machine may take a while to handle the signal: the bound is the
      // drain timeout, which the held requests, waiting on the lock, cannot beat.
      let probesAfterRefusal = 0;
      while (
        probesAfterRefusal < PROBES_AFTER_REFUSAL &&
        performance.now() - signalled < SHUTDOWN_TIMEOUT_MS
      ) {
        const probe = await send(api.base, '/health/live', { timeoutMs: SHUTDOWN_TIMEOUT_MS / 2 });
        probes.push(probe);
        if (refusedAt === undefined && probe.error === 'ECONNREFUSED') refusedAt = probe.startedAt;
        if (refusedAt !== undefined) probesAfterRefusal++;
        await sleep(20);
      }
      late = await lateArrival.finish();
      // The held requests still wait on the lock: the process must still be draining.
      expect(exit).toBeUndefined();

      await locker.query('COMMIT');
      await locker.end();
      locker = undefined;
      heldAnswers = await Promise.all(held);
      exited = await api.exited;
    } finally {
      writes = await load.stop();
    }

    const drainMs = exited.at - signalled;
    const beforeRefusal = probes.filter(
      (probe) => refusedAt === undefined || probe.startedAt < refusedAt,
    );
    report(
      `SIGTERM: ${HELD_REQUESTS} held requests answered ` +
        `${heldAnswers.map((answer) => answer.status ?? answer.error).join(',')}; ` +
        `new connections refused ${refusedAt === undefined ? 'never' : `${Math.round(refusedAt - signalled)} ms`} ` +
        `after the signal (${beforeRefusal.length} probes answered before: ` +
        `${beforeRefusal.map((probe) => probe.status ?? probe.error).join(',') || 'none'}); ` +
        `a request arriving during the drain answered ${late.status}; ` +
        `exit code ${exited.code} after ${Math.round(drainMs)} ms ` +
        `(SHUTDOWN_TIMEOUT_MS ${SHUTDOWN_TIMEOUT_MS})`,
    );
    report(
      `SIGTERM: load of ${writes.length} writes: ${writes.filter(succeeded).length} answered 2xx, ` +
        `${writes.filter((write) => write.status === 503).length} answered 503 shutting-down, ` +
        `${writes.filter((write) => write.error).length} refused or reset ` +
        `(${writes.filter((write) => write.error && write.startedAt < signalled).length} of them ` +
        'sent before the signal, racing the close)',
    );

    expect(exited).toMatchObject({ code: 0, signal: null });
    expect(drainMs).toBeLessThan(SHUTDOWN_TIMEOUT_MS);

    for (const [i, answer] of heldAnswers.entries()) {
      expect(answer.status).toBe(200);
      expect(answer.body).toMatchObject({ id: vendorId, notes: `held-${i}` });
    }

    expect(refusedAt).toBeDefined();
    // Once refused, refused for good: the listener is closed while the held requests drain.
    const afterRefusal = probes.filter((probe) => probe.startedAt >= (refusedAt as number));
    expect(afterRefusal.length).toBe(PROBES_AFTER_REFUSAL);
    expect(afterRefusal.map((probe) => probe.error ?? probe.status)).toEqual(
      afterRefusal.map(() => 'ECONNREFUSED'),
    );
    // Before the listener closed, a probe was served (the signal not yet handled), turned away
    // with the shutting-down problem, or reset unread (accepted by the kernel as it closed).
    for (const probe of beforeRefusal) {
      if (probe.status === 503) {
        expect(probe.body).toMatchObject({ type: 'urn:handover:problem:shutting-down' });
      } else {
        expect([200, 'ECONNRESET']).toContain(probe.status ?? probe.error);
      }
    }

    // A request that arrives during the drain is turned away as a problem, with nothing written.
    expect(late.status).toBe(503);
    expect(late.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(late.headers['retry-after']).toBe('5');
    expect(late.headers.connection).toBe('close');
    expect(late.body).toMatchObject({ type: 'urn:handover:problem:shutting-down' });

    // Every write either took effect and was acknowledged, or was turned away without effect.
    // A write racing the close may get no answer at all: its keep-alive connection can be closed
    // as idle just as the request goes out (ECONNRESET), or the listener be gone (ECONNREFUSED).
    const db = new Client({ connectionString: cluster.url });
    await db.connect();
    const stored = new Set(
      (
        await db.query<{ name: string }>("SELECT name FROM vendors WHERE name LIKE 'sigterm-%'")
      ).rows.map((row) => row.name),
    );
    const [{ version }] = (
      await db.query<{ version: number }>('SELECT version FROM vendors WHERE id = $1', [vendorId])
    ).rows;
    await db.end();
    expect(version).toBe(1 + HELD_REQUESTS);
    expect(stored.has('sigterm-late-arrival')).toBe(false);
    for (const write of writes) {
      if (succeeded(write)) {
        expect(write.status).toBe(201);
        expect(stored.has(write.name)).toBe(true);
      } else {
        expect(stored.has(write.name)).toBe(false);
        if (write.status !== undefined) {
          expect(write.status).toBe(503);
          expect(write.body).toMatchObject({ type: 'urn:handover:problem:shutting-down' });
        } else {
          expect(['ECONNREFUSED', 'ECONNRESET']).toContain(write.error);
        }
      }
    }
    // Until the signal, the load ran undisturbed: whatever was answered before it succeeded.
    const answeredBefore = writes.filter((write) => write.endedAt < signalled);
    expect(answeredBefore.length).toBeGreaterThan(0);
    expect(answeredBefore.filter((write) => !succeeded(write))).toEqual([]);
  });
});
