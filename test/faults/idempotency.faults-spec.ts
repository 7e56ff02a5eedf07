import { createHash } from 'node:crypto';
import { Client } from 'pg';
import { ApiProcess } from './api-process.js';
import { send, sleep } from './net.js';
import { ThrowawayCluster } from './pg-cluster.js';

const ABANDONED_AFTER_SECONDS = 1;

/**
 * The worst moment for an idempotent POST: its write has committed and its response is not
 * stored yet. The first instance holds every response there (a test-only switch) and is
 * killed with SIGKILL; a retry with the same key reaches a second instance.
 */
describe('kill -9 between an idempotent write and storing its response', () => {
  let cluster: ThrowawayCluster;
  let db: Client;
  const instances: ApiProcess[] = [];

  beforeAll(async () => {
    cluster = await ThrowawayCluster.create();
    db = new Client({ connectionString: cluster.url });
    await db.connect();
  });

  afterAll(async () => {
    await db?.end().catch(() => undefined);
    for (const api of instances) api.kill();
    await Promise.all(instances.map((api) => api.exited));
    await cluster?.destroy();
  });

  const keysNamed = async (name: string): Promise<number> =>
    (await db.query('SELECT count(*)::int AS n FROM api_keys WHERE name = $1', [name])).rows[0].n;

  it('answers the retry 409 IDEMPOTENT_RESPONSE_LOST and never creates the resource twice', async () => {
    const env = { IDEMPOTENCY_ABANDONED_AFTER_SECONDS: String(ABANDONED_AFTER_SECONDS) };
    const first = await ApiProcess.start(cluster.url, {
      ...env,
      HANDOVER_FAULT_HOLD_IDEMPOTENT_RESPONSE: 'true',
    });
    instances.push(first);
    const name = 'Created exactly once';
    const request = {
      method: 'POST',
      headers: { Authorization: `Bearer ${first.adminKey}`, 'Idempotency-Key': 'kill-9-window' },
      body: { name, role: 'viewer' },
      timeoutMs: 30_000,
    };
    const held = send(first.base, '/v1/api-keys', request);

    const deadline = performance.now() + 20_000;
    while ((await keysNamed(name)) === 0 && performance.now() < deadline) await sleep(50);
    expect(await keysNamed(name)).toBe(1);
    const [claim] = (
      await db.query(
        `SELECT committed_at IS NOT NULL AS committed, response_status
           FROM idempotency_records WHERE key = 'kill-9-window'`,
      )
    ).rows;
    expect(claim).toEqual({ committed: true, response_status: null });

    first.kill();
    expect((await first.exited).signal).toBe('SIGKILL');
    expect((await held).status).toBeUndefined();

    const second = await ApiProcess.start(cluster.url, env, first.adminKey);
    instances.push(second);
    await sleep(ABANDONED_AFTER_SECONDS * 1000 + 500);
    const retry = await send(second.base, '/v1/api-keys', request);
    expect(retry.status).toBe(409);
    expect(retry.body).toMatchObject({
      type: expect.stringContaining('conflict'),
      errors: [expect.objectContaining({ code: 'IDEMPOTENT_RESPONSE_LOST' })],
    });
    expect(await keysNamed(name)).toBe(1);
  });

  it('lets a retry carry out a request whose write never committed', async () => {
    const api = await ApiProcess.start(cluster.url, {
      IDEMPOTENCY_ABANDONED_AFTER_SECONDS: String(ABANDONED_AFTER_SECONDS),
    });
    instances.push(api);
    const secretHash = createHash('sha256').update(api.adminKey).digest('hex');
    // The claim a process leaves when it dies before its write commits: no mark, no response.
    await db.query(
      `INSERT INTO idempotency_records (api_key_id, key, path, request_hash, created_at)
       SELECT id, 'died-before-commit', '/v1/api-keys', repeat('0', 64), now() - interval '1 minute'
         FROM api_keys WHERE secret_hash = $1`,
      [secretHash],
    );
    const retry = await send(api.base, '/v1/api-keys', {
      method: 'POST',
      headers: {
        Authorization: `Bearer ${api.adminKey}`,
        'Idempotency-Key': 'died-before-commit',
      },
      body: { name: 'Created after the takeover', role: 'viewer' },
      timeoutMs: 10_000,
    });
    expect(retry.status).toBe(201);
    expect(await keysNamed('Created after the takeover')).toBe(1);
  });
});
