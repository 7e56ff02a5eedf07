import { randomBytes, randomUUID } from 'node:crypto';
import { hashSecret } from '../src/auth/api-key-secret.js';
import { requestHash } from '../src/common/idempotency/idempotency.service.js';
import { newEngagement } from './factories.js';
import { bearer, createTestApp, expectProblem, type TestApp } from './test-app.js';

/** A name no other test uses. */
const unique = (base: string) => `${base} ${randomBytes(4).toString('hex')}`;

describe('Idempotency-Key on POST', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  const postVendor = (body: object, key: string | undefined, secret = t.adminKey) => {
    const request = t.http().post('/v1/vendors').set(bearer(secret));
    if (key !== undefined) request.set('Idempotency-Key', key);
    return request.send(body);
  };

  async function vendorRows(name: string): Promise<number> {
    const [{ count }] = await t.dataSource.query(
      'SELECT count(*)::int AS count FROM vendors WHERE lower(name) = lower($1)',
      [name],
    );
    return count;
  }

  async function apiKeyId(secret: string): Promise<string> {
    const [row] = await t.dataSource.query('SELECT id FROM api_keys WHERE secret_hash = $1', [
      hashSecret(secret),
    ]);
    return row.id;
  }

  it('replays the first response to a repeat with the same key and body, creating one vendor', async () => {
    const key = randomUUID();
    const body = { name: unique('Replay Labs'), notes: 'first' };
    const first = await postVendor(body, key);
    expect(first.status).toBe(201);
    expect(first.headers['idempotent-replayed']).toBeUndefined();

    const repeat = await postVendor(body, key);
    expect(repeat.status).toBe(201);
    expect(repeat.headers['idempotent-replayed']).toBe('true');
    expect(repeat.headers['content-type']).toMatch(/^application\/json/);
    expect(repeat.body).toEqual(first.body);
    expect(repeat.headers.etag).toBe(first.headers.etag);
    expect(await vendorRows(body.name)).toBe(1);
  });

  it('treats a body with its members in another order as the same body', async () => {
    const key = randomUUID();
    const name = unique('Order Labs');
    const first = await postVendor({ name, notes: 'n', website: 'https://order.example' }, key);
    expect(first.status).toBe(201);
    const repeat = await postVendor({ website: 'https://order.example', notes: 'n', name }, key);
    expect(repeat.status).toBe(201);
    expect(repeat.headers['idempotent-replayed']).toBe('true');
    expect(repeat.body.id).toBe(first.body.id);
  });

  it('replays the status the first response had', async () => {
    // Cancelling answers 200, not the 201 of a create: the replay must keep it.
    const engagement = await newEngagement(t);
    const key = randomUUID();
    const cancel = () =>
      t
        .http()
        .post(`/v1/engagements/${engagement.id}/cancel`)
        .set(bearer(t.adminKey))
        .set('Idempotency-Key', key)
        .send({ reason: 'Budget withdrawn' });
    const first = await cancel();
    expect(first.status).toBe(200);
    const [record] = await t.dataSource.query(
      'SELECT response_status FROM idempotency_records WHERE key = $1',
      [key],
    );
    expect(record.response_status).toBe(200);

    const repeat = await cancel();
    expect(repeat.status).toBe(200);
    expect(repeat.body).toEqual(first.body);
  });

  it('replays the first response even after the resource changed', async () => {
    const key = randomUUID();
    const body = { name: unique('Snapshot Inc') };
    const first = await postVendor(body, key);
    await t
      .http()
      .patch(`/v1/vendors/${first.body.id}`)
      .set(bearer(t.adminKey))
      .send({ notes: 'changed later' })
      .expect(200);

    const repeat = await postVendor(body, key);
    expect(repeat.status).toBe(201);
    expect(repeat.body).toEqual(first.body);
    expect(repeat.body.version).toBe(1);
  });

  it('does not apply to POSTs without the header', async () => {
    const body = { name: unique('No Key') };
    expect((await postVendor(body, undefined)).status).toBe(201);
    const second = await postVendor(body, undefined);
    expect(expectProblem(second, 409, 'conflict').errors?.[0].code).toBe('VENDOR_NAME_TAKEN');
  });

  it('answers the same key with another body with 422 and creates nothing', async () => {
    const key = randomUUID();
    await postVendor({ name: unique('Original Body') }, key).expect(201);
    const otherName = unique('Other Body');
    const response = await postVendor({ name: otherName }, key);
    const body = expectProblem(response, 422, 'idempotency-key-reused');
    expect(body.detail).toContain('body');
    expect(await vendorRows(otherName)).toBe(0);
  });

  it('answers the same key on another path with 422 and creates nothing', async () => {
    const key = randomUUID();
    await postVendor({ name: unique('Path One') }, key).expect(201);
    const email = `path.${randomBytes(4).toString('hex')}@example.com`;
    const response = await t
      .http()
      .post('/v1/people')
      .set(bearer(t.adminKey))
      .set('Idempotency-Key', key)
      .send({ name: 'Pat Path', email });
    const body = expectProblem(response, 422, 'idempotency-key-reused');
    expect(body.detail).toContain('/v1/vendors');
    const [{ count }] = await t.dataSource.query(
      'SELECT count(*)::int AS count FROM people WHERE email = $1',
      [email],
    );
    expect(count).toBe(0);
  });

  it('scopes keys to the API key that sent them', async () => {
    const key = randomUUID();
    const first = await postVendor({ name: unique('Scope A') }, key);
    expect(first.status).toBe(201);

    const otherAdmin = await t.keyFor('admin');
    const secondName = unique('Scope B');
    const second = await postVendor({ name: secondName }, key, otherAdmin);
    expect(second.status).toBe(201);
    expect(second.headers['idempotent-replayed']).toBeUndefined();
    expect(second.body.id).not.toBe(first.body.id);
    expect(await vendorRows(secondName)).toBe(1);

    // Each API key still replays its own first response.
    const replay = await postVendor({ name: secondName }, key, otherAdmin);
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expect(replay.body.id).toBe(second.body.id);
  });

  it('does not keep a failed (400) response: a corrected retry with the same key succeeds', async () => {
    const key = randomUUID();
    const invalid = await postVendor({ name: '', website: 'not a url' }, key);
    expectProblem(invalid, 400, 'validation');

    const corrected = await postVendor({ name: unique('Corrected') }, key);
    expect(corrected.status).toBe(201);
    expect(corrected.headers['idempotent-replayed']).toBeUndefined();
  });

  it('does not keep a failed (409) response: a retry with the same key succeeds once resolved', async () => {
    const name = unique('Conflicted');
    const existing = await postVendor({ name }, undefined);
    const key = randomUUID();
    const conflict = await postVendor({ name }, key);
    expect(expectProblem(conflict, 409, 'conflict').errors?.[0].code).toBe('VENDOR_NAME_TAKEN');

    await t.http().delete(`/v1/vendors/${existing.body.id}`).set(bearer(t.adminKey)).expect(204);
    const retry = await postVendor({ name }, key);
    expect(retry.status).toBe(201);
    expect(retry.headers['idempotent-replayed']).toBeUndefined();
  });

  it('creates exactly one vendor from 20 concurrent POSTs with one key', async () => {
    const key = randomUUID();
    const body = { name: unique('Stampede') };
    const responses = await Promise.all(Array.from({ length: 20 }, () => postVendor(body, key)));

    const created = responses.filter((response) => response.status === 201);
    const others = responses.filter((response) => response.status !== 201);
    expect(created.length).toBeGreaterThanOrEqual(1);
    expect(new Set(created.map((response) => response.body.id)).size).toBe(1);
    expect(created.filter((r) => r.headers['idempotent-replayed'] !== 'true')).toHaveLength(1);
    for (const response of others) {
      const problem = expectProblem(response, 409, 'conflict');
      expect(problem.errors?.[0].code).toBe('IDEMPOTENT_REQUEST_IN_PROGRESS');
    }
    expect(await vendorRows(body.name)).toBe(1);

    // Once the first has finished, every repeat replays it.
    const later = await postVendor(body, key);
    expect(later.status).toBe(201);
    expect(later.headers['idempotent-replayed']).toBe('true');
    expect(later.body.id).toBe(created[0].body.id);
  });

  it('answers a repeat while the first request is still running with 409', async () => {
    const key = randomUUID();
    const body = { name: unique('Still Running') };
    const path = '/v1/vendors';
    await t.dataSource.query(
      `INSERT INTO idempotency_records (api_key_id, key, path, request_hash) VALUES ($1, $2, $3, $4)`,
      [await apiKeyId(t.adminKey), key, path, requestHash('POST', path, body)],
    );
    const response = await postVendor(body, key);
    const problem = expectProblem(response, 409, 'conflict');
    expect(problem.errors?.[0].code).toBe('IDEMPOTENT_REQUEST_IN_PROGRESS');
    expect(await vendorRows(body.name)).toBe(0);

    // A claim whose request died with its process is given up after a while.
    await t.dataSource.query(
      `UPDATE idempotency_records SET created_at = now() - interval '6 minutes' WHERE key = $1`,
      [key],
    );
    const retry = await postVendor(body, key);
    expect(retry.status).toBe(201);
    expect(await vendorRows(body.name)).toBe(1);
  });

  it.each([
    ['300 characters', 'k'.repeat(300)],
    ['a space', 'two words'],
    ['non-ASCII characters', 'clé-été'],
  ])('refuses a key of %s with 400 naming Idempotency-Key', async (_label, key) => {
    const name = unique('Bad Key');
    const response = await t
      .http()
      .post('/v1/vendors')
      .set(bearer(t.adminKey))
      .set('Idempotency-Key', Buffer.from(key, 'utf8').toString('latin1'))
      .send({ name });
    const body = expectProblem(response, 400, 'validation');
    expect(body.errors?.map((error) => error.field)).toEqual(['Idempotency-Key']);
    expect(await vendorRows(name)).toBe(0);
  });

  it('accepts a key of 255 visible characters', async () => {
    const response = await postVendor({ name: unique('Long Key') }, 'k'.repeat(254) + '~');
    expect(response.status).toBe(201);
  });

  it('no longer replays a record older than 24 hours', async () => {
    const key = randomUUID();
    const body = { name: unique('Expiring') };
    const first = await postVendor(body, key);
    expect(first.status).toBe(201);
    await t.http().delete(`/v1/vendors/${first.body.id}`).set(bearer(t.adminKey)).expect(204);

    await t.dataSource.query(
      `UPDATE idempotency_records SET created_at = now() - interval '25 hours' WHERE key = $1`,
      [key],
    );
    const again = await postVendor(body, key);
    expect(again.status).toBe(201);
    expect(again.headers['idempotent-replayed']).toBeUndefined();
    expect(again.body.id).not.toBe(first.body.id);
    expect(await vendorRows(body.name)).toBe(1);
  });

  it('lets an expired key be used with another body', async () => {
    const key = randomUUID();
    await postVendor({ name: unique('Old Use') }, key).expect(201);
    await t.dataSource.query(
      `UPDATE idempotency_records SET created_at = now() - interval '25 hours' WHERE key = $1`,
      [key],
    );
    const response = await postVendor({ name: unique('New Use') }, key);
    expect(response.status).toBe(201);
  });
});
