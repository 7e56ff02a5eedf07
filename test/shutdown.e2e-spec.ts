import { Client } from 'pg';
import { newVendor } from './factories.js';
import { checkedFetch } from './openapi-contract.js';
import { bearer, createTestApp, type TestApp } from './test-app.js';

// A request held in flight needs a second session holding a row lock: only a real PostgreSQL has one.
const describeWithExternalDatabase = process.env.DATABASE_URL ? describe : describe.skip;

describeWithExternalDatabase('graceful shutdown', () => {
  let t: TestApp;
  let locker: Client;

  beforeAll(async () => {
    t = await createTestApp();
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    locker = new Client({ connectionString: t.config.databaseUrl });
    await locker.connect();
  });

  it('finishes the in-flight request, answers new ones 503 problem+json, then closes', async () => {
    const base = await t.app.getUrl();
    const vendor = await newVendor(t);
    await locker.query('BEGIN');
    await locker.query('SELECT * FROM vendors WHERE id = $1 FOR UPDATE', [vendor.id]);

    const inFlight = checkedFetch(`${base}/v1/vendors/${vendor.id}`, {
      method: 'PATCH',
      headers: { ...bearer(t.adminKey), 'Content-Type': 'application/json' },
      body: JSON.stringify({ notes: 'Written during shutdown' }),
    });
    // Let the PATCH reach the database and wait on the lock.
    await new Promise((resolve) => setTimeout(resolve, 300));
    const closing = t.close();
    await new Promise((resolve) => setTimeout(resolve, 100));

    const refused = await checkedFetch(`${base}/health/live`).catch((error: unknown) => error);
    if (refused instanceof Response) {
      expect(refused.status).toBe(503);
      expect(refused.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(await refused.json()).toMatchObject({
        status: 503,
        type: 'urn:handover:problem:shutting-down',
      });
    } else {
      // The listener is already closed: the connection is refused, which is also correct.
      expect(String((refused as Error).cause ?? refused)).toMatch(
        /ECONNREFUSED|other side closed|fetch failed/,
      );
    }

    await locker.query('COMMIT');
    // Ends before the test database is dropped with the app.
    await locker.end();
    const finished = await inFlight;
    expect(finished.status).toBe(200);
    expect(finished.headers.get('connection')).toBe('close');
    const body = (await finished.json()) as { notes: string };
    expect(body.notes).toBe('Written during shutdown');
    await closing;
  });
});
