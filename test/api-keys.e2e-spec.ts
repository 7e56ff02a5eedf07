import { hashSecret } from '../src/auth/api-key-secret.js';
import { ApiKeysService } from '../src/auth/api-keys.service.js';
import { bearer, createTestApp, expectProblem, type TestApp } from './test-app.js';

describe('API keys', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  it('creates a key whose secret is shown once and works at once', async () => {
    const created = await t
      .http()
      .post('/v1/api-keys')
      .set(bearer(t.adminKey))
      .send({ name: '  Procurement tool  ', role: 'procurement' });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      id: expect.any(String),
      name: 'Procurement tool',
      role: 'procurement',
      personId: null,
      revokedAt: null,
      expiresAt: null,
      lastUsedAt: null,
    });
    expect(created.body.secret).toMatch(/^hov_[A-Za-z0-9_-]{40}$/);
    expect(created.body.prefix).toBe(created.body.secret.slice(0, 12));

    // The procurement key authenticates; it may not manage keys.
    const attempt = await t.http().get('/v1/api-keys').set(bearer(created.body.secret));
    expectProblem(attempt, 403, 'forbidden');
  });

  it('stores only the SHA-256 hash of a secret', async () => {
    const created = await t
      .http()
      .post('/v1/api-keys')
      .set(bearer(t.adminKey))
      .send({ name: 'Hash check', role: 'viewer' });
    const [row] = await t.dataSource.query('SELECT * FROM api_keys WHERE id = $1', [
      created.body.id,
    ]);
    expect(row.secret_hash).toBe(hashSecret(created.body.secret));
    expect(JSON.stringify(row)).not.toContain(created.body.secret);
  });

  it('never returns secrets when listing keys', async () => {
    const response = await t.http().get('/v1/api-keys').set(bearer(t.adminKey));
    expect(response.status).toBe(200);
    expect(response.body.items.length).toBeGreaterThan(0);
    for (const item of response.body.items) expect(item).not.toHaveProperty('secret');
    expect(JSON.stringify(response.body)).not.toContain(t.adminKey);
  });

  it('pages through keys with a cursor, each key once', async () => {
    for (let i = 0; i < 5; i++) await t.keyFor('viewer');
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const response: {
        status: number;
        body: { items: { id: string }[]; nextCursor: string | null };
      } = await t
        .http()
        .get('/v1/api-keys')
        .query({ limit: 2, ...(cursor ? { cursor } : {}) })
        .set(bearer(t.adminKey));
      expect(response.status).toBe(200);
      expect(response.body.items.length).toBeLessThanOrEqual(2);
      seen.push(...response.body.items.map((item: { id: string }) => item.id));
      cursor = response.body.nextCursor;
    } while (cursor);
    const [{ count }] = await t.dataSource.query('SELECT count(*)::int AS count FROM api_keys');
    expect(seen).toHaveLength(count);
    expect(new Set(seen).size).toBe(count);
  });

  it('revokes a key so that its next request gets 401', async () => {
    const created = await t
      .http()
      .post('/v1/api-keys')
      .set(bearer(t.adminKey))
      .send({ name: 'Soon gone', role: 'admin' });
    expect((await t.http().get('/v1/api-keys').set(bearer(created.body.secret))).status).toBe(200);

    const revoked = await t
      .http()
      .delete(`/v1/api-keys/${created.body.id}`)
      .set(bearer(t.adminKey));
    expect(revoked.status).toBe(204);

    const after = await t.http().get('/v1/api-keys').set(bearer(created.body.secret));
    const body = expectProblem(after, 401, 'unauthenticated');
    expect(body.detail).toContain('revoked');
  });

  it('answers 404 when revoking a key that does not exist', async () => {
    const response = await t
      .http()
      .delete('/v1/api-keys/00000000-0000-4000-8000-000000000000')
      .set(bearer(t.adminKey));
    expectProblem(response, 404, 'not-found');
  });

  it('refuses an expired key with 401', async () => {
    const created = await t
      .http()
      .post('/v1/api-keys')
      .set(bearer(t.adminKey))
      .send({
        name: 'Short-lived',
        role: 'viewer',
        expiresAt: new Date(Date.now() + 3_600_000).toISOString(),
      });
    expect(created.status).toBe(201);
    await t.dataSource.query(
      `UPDATE api_keys SET expires_at = now() - interval '1 second' WHERE id = $1`,
      [created.body.id],
    );
    const response = await t.http().get('/v1/api-keys').set(bearer(created.body.secret));
    const body = expectProblem(response, 401, 'unauthenticated');
    expect(body.detail).toContain('expired');
  });

  it('rejects an expiry in the past with 400 naming expiresAt', async () => {
    const response = await t
      .http()
      .post('/v1/api-keys')
      .set(bearer(t.adminKey))
      .send({ name: 'Already expired', role: 'viewer', expiresAt: '2020-01-01T00:00:00Z' });
    const body = expectProblem(response, 400, 'validation');
    expect(body.errors).toEqual([
      { field: 'expiresAt', message: 'expiresAt must be in the future' },
    ]);
  });

  it('requires personId for a product_owner key', async () => {
    const response = await t
      .http()
      .post('/v1/api-keys')
      .set(bearer(t.adminKey))
      .send({ name: 'PO', role: 'product_owner' });
    const body = expectProblem(response, 400, 'validation');
    expect(body.errors?.map((error) => error.field)).toEqual(['personId']);
  });

  it('records when a key was last used', async () => {
    const secret = await t.keyFor('admin');
    await t.http().get('/v1/api-keys').set(bearer(secret));
    const [row] = await t.dataSource.query(
      'SELECT last_used_at FROM api_keys WHERE secret_hash = $1',
      [hashSecret(secret)],
    );
    expect(row.last_used_at).not.toBeNull();
  });

  it('ensures the ADMIN_API_KEY admin key once, even when instances start at the same time', async () => {
    const service = t.app.get(ApiKeysService);
    const outcomes = await Promise.all([1, 2, 3].map(() => service.ensureAdminKey(t.adminKey)));
    expect(outcomes).toEqual(['present', 'present', 'present']);
    const rows = await t.dataSource.query('SELECT role FROM api_keys WHERE secret_hash = $1', [
      hashSecret(t.adminKey),
    ]);
    expect(rows).toEqual([{ role: 'admin' }]);
  });

  it('audits key creation and revocation without the secret', async () => {
    const created = await t
      .http()
      .post('/v1/api-keys')
      .set(bearer(t.adminKey))
      .send({ name: 'Audited', role: 'viewer' });
    await t.http().delete(`/v1/api-keys/${created.body.id}`).set(bearer(t.adminKey));
    const events = await t
      .http()
      .get(`/v1/audit-events?entityType=api_key&entityId=${created.body.id}`)
      .set(bearer(t.adminKey));
    expect(events.body.items.map((event: { action: string }) => event.action)).toEqual([
      'api_key.revoked',
      'api_key.created',
    ]);
    expect(events.body.items[1].changes.role).toEqual({ from: null, to: 'viewer' });
    expect(JSON.stringify(events.body)).not.toContain(created.body.secret);
  });
});
