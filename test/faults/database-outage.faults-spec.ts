import { Client } from 'pg';
import { ApiProcess } from './api-process.js';
import { type Answer, send, sleep } from './net.js';
import { ThrowawayCluster } from './pg-cluster.js';
import { report, succeeded, type Write, WriteLoad } from './write-load.js';

/** Any answer slower than this is a hang. */
const CLIENT_TIMEOUT_MS = 6000;
const DOWN_FOR_MS = 3000;
const RECOVERY_BOUND_MS = 10_000;

/**
 * PostgreSQL stops and comes back while clients keep writing. Writes are vendors with unique
 * names, so the database tells which ones took effect.
 *
 * A write whose COMMIT reached PostgreSQL while it was stopping can be durable although its
 * acknowledgement was lost with the connection: the API cannot know, and answers 503. Such a
 * write is "ambiguous" and tolerated in the database only if it was in flight when the stop
 * began (sent before PostgreSQL was down, answered after the stop was issued) and answered
 * 503 database-unavailable. Every other non-2xx write must be absent, every 2xx write present.
 */
describe('PostgreSQL stops and restarts under write load', () => {
  let cluster: ThrowawayCluster;
  let api: ApiProcess;
  /** Each test's clients, stopped from afterAll too, should Jest give up on a test that hangs. */
  const traffic: (() => Promise<unknown>)[] = [];

  beforeAll(async () => {
    cluster = await ThrowawayCluster.create();
    api = await ApiProcess.start(cluster.url, { LOG_LEVEL: 'error' });
  });

  afterAll(async () => {
    api?.kill();
    await api?.exited;
    await Promise.all(traffic.map((stop) => stop()));
    await cluster?.destroy();
  });

  it.each(['fast', 'immediate'] as const)(
    'pg_ctl stop -m %s: 503 with Retry-After while down, recovers by itself, keeps exactly the acknowledged writes',
    async (mode) => {
      const prefix = `outage-${mode}`;
      const load = new WriteLoad(api.base, api.adminKey, {
        clients: 6,
        prefix,
        timeoutMs: CLIENT_TIMEOUT_MS,
        pauseAfterFailureMs: 50,
      });
      const readiness: Answer[] = [];
      const liveness: Answer[] = [];
      let probing = true;
      const prober = (async () => {
        while (probing) {
          readiness.push(await send(api.base, '/health/ready', { timeoutMs: CLIENT_TIMEOUT_MS }));
          liveness.push(await send(api.base, '/health/live', { timeoutMs: CLIENT_TIMEOUT_MS }));
          await sleep(200);
        }
      })();
      const stopTraffic = async () => {
        probing = false;
        const stopped = await load.stop();
        await prober;
        return stopped;
      };
      traffic.push(stopTraffic);

      let stopIssued = 0;
      let down = 0;
      let restartIssued = 0;
      let up = 0;
      let recovered: Write | undefined;
      let writes: Write[] = [];
      // If pg_ctl fails, the clients must still stop: looping on, they would keep Jest alive.
      try {
        await sleep(1500);
        stopIssued = performance.now();
        await cluster.stop(mode);
        down = performance.now();
        await sleep(DOWN_FOR_MS);
        restartIssued = performance.now();
        await cluster.start();
        up = performance.now();

        while (!recovered && performance.now() - up < RECOVERY_BOUND_MS) {
          await sleep(50);
          recovered = load.writes.find((write) => write.startedAt >= up && succeeded(write));
        }
        await sleep(1000);
      } finally {
        writes = await stopTraffic();
      }

      const whileDown = writes.filter((w) => w.startedAt >= down && w.endedAt <= restartIssued);
      const unavailable = writes.filter((write) => write.status === 503);
      const maxLatency = Math.max(...writes.map((write) => write.endedAt - write.startedAt));
      report(
        `outage (stop -m ${mode}, down ${DOWN_FOR_MS} ms): ${writes.length} writes, ` +
          `${writes.filter(succeeded).length} answered 2xx, ${unavailable.length} answered 503, ` +
          `${writes.filter((w) => !succeeded(w) && w.status !== 503).length} other; ` +
          `slowest answer ${Math.round(maxLatency)} ms; recovered ` +
          `${recovered ? Math.round(recovered.endedAt - up) : 'never'} ms after PostgreSQL was up`,
      );

      if (writes.some((w) => w.status !== 201 && w.status !== 503))
        report(`API log:\n${api.log()}`);
      // Never a hang, never a dropped connection, never a 500: only 201 or 503.
      expect(writes.filter((write) => write.error).map((write) => write.error)).toEqual([]);
      expect([...new Set(writes.map((write) => write.status))].sort()).toEqual([201, 503]);
      for (const write of unavailable) {
        expect(write.headers['retry-after']).toBe('5');
        expect(write.headers['content-type']).toMatch(/^application\/problem\+json/);
        expect(write.body).toMatchObject({
          status: 503,
          type: 'urn:handover:problem:database-unavailable',
        });
      }
      expect(whileDown.length).toBeGreaterThan(0);
      expect(whileDown.filter(succeeded)).toEqual([]);

      // Readiness follows the database: 503 not-ready while down, 200 again after the restart.
      const readyWhileDown = readiness.filter(
        (probe) => probe.startedAt >= down && probe.endedAt <= restartIssued,
      );
      report(
        `outage (stop -m ${mode}): /health/ready answered ` +
          `${readyWhileDown.filter((probe) => probe.status === 503).length}/${readyWhileDown.length} ` +
          `probes 503 while down, ${readiness.at(-1)?.status} after recovery`,
      );
      expect(readyWhileDown.length).toBeGreaterThan(0);
      for (const probe of readyWhileDown) {
        expect(probe.status).toBe(503);
        expect(probe.headers['retry-after']).toBe('5');
        expect(probe.body).toMatchObject({ type: 'urn:handover:problem:not-ready' });
      }
      expect(readiness.at(-1)?.status).toBe(200);
      // The process itself stays live: restarting it would not bring the database back.
      expect(liveness.map((probe) => probe.status ?? probe.error)).toEqual(liveness.map(() => 200));

      expect(recovered).toBeDefined();

      const db = new Client({ connectionString: cluster.url });
      await db.connect();
      const stored = new Set(
        (
          await db.query<{ name: string }>('SELECT name FROM vendors WHERE name LIKE $1', [
            `${prefix}-%`,
          ])
        ).rows.map((row) => row.name),
      );
      await db.end();
      const lost = writes.filter((write) => succeeded(write) && !stored.has(write.name));
      const rejectedButStored = writes.filter(
        (write) => !succeeded(write) && stored.has(write.name),
      );
      const ambiguous = rejectedButStored.filter(
        (write) => write.status === 503 && write.startedAt < down && write.endedAt >= stopIssued,
      );
      report(
        `outage (stop -m ${mode}): ${stored.size} vendors stored, ${lost.length} acknowledged ` +
          `writes lost, ${rejectedButStored.length} rejected writes stored ` +
          `(${ambiguous.length} in flight at the stop, acknowledgement lost with the connection)`,
      );
      expect(lost.map((write) => write.name)).toEqual([]);
      expect(rejectedButStored.filter((write) => !ambiguous.includes(write))).toEqual([]);
      expect(stored.size).toBe(writes.filter(succeeded).length + ambiguous.length);
    },
  );
});
