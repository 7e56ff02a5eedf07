import { randomUUID } from 'node:crypto';
import { jest } from '@jest/globals';
import type { Response } from 'supertest';
import { ApiKeysService } from '../src/auth/api-keys.service.js';
import { openApiContract } from './openapi-contract.js';
import { bearer, createTestApp, expectProblem, type TestApp } from './test-app.js';

describe('errors are RFC 9457 problem+json', () => {
  let t: TestApp;
  let viewerKey: string;

  beforeAll(async () => {
    t = await createTestApp({ env: { BODY_LIMIT_BYTES: '2048' } });
    viewerKey = await t.keyFor('viewer');
  });
  afterAll(() => t.close());

  it('answers an unknown route with 404', async () => {
    const response = await t.http().get('/v1/nothing-here').set(bearer(t.adminKey));
    expectProblem(response, 404, 'route-not-found');
  });

  it('answers a request without an API key with 401 and WWW-Authenticate', async () => {
    const response = await t.http().get('/v1/api-keys');
    expectProblem(response, 401, 'unauthenticated');
    expect(response.headers['www-authenticate']).toBe('Bearer');
  });

  it('answers an unknown API key with 401', async () => {
    const response = await t
      .http()
      .get('/v1/api-keys')
      .set(bearer('hov_notAKeyThatExists000000000000000000000'));
    expectProblem(response, 401, 'unauthenticated');
  });

  it('answers a malformed Authorization header with 401', async () => {
    const response = await t.http().get('/v1/api-keys').set('Authorization', 'Basic dXNlcjpwYXNz');
    expectProblem(response, 401, 'unauthenticated');
  });

  it('answers 406 when the Accept header allows no format the resource has', async () => {
    const response = await t
      .http()
      .get('/v1/api-keys')
      .set(bearer(t.adminKey))
      .set('Accept', 'text/csv');
    const body = expectProblem(response, 406, 'not-acceptable');
    expect(body.detail).toContain('application/json');
    const wildcard = await t
      .http()
      .get('/v1/api-keys')
      .set(bearer(t.adminKey))
      .set('Accept', 'text/html, */*;q=0.1');
    expect(wildcard.status).toBe(200);
  });

  it('answers a role that may not act with 403', async () => {
    const response = await t.http().get('/v1/api-keys').set(bearer(viewerKey));
    const body = expectProblem(response, 403, 'forbidden');
    expect(body.detail).toContain('viewer');
  });

  it('names every invalid field in a 400', async () => {
    const response = await t
      .http()
      .post('/v1/api-keys')
      .set(bearer(t.adminKey))
      .send({ name: '', role: 'emperor', expiresAt: 'soon' });
    const body = expectProblem(response, 400, 'validation');
    const fields = body.errors?.map((error) => error.field);
    expect(fields).toEqual(expect.arrayContaining(['name', 'role', 'expiresAt']));
  });

  it('rejects an unknown field with 400 naming it', async () => {
    const response = await t
      .http()
      .post('/v1/api-keys')
      .set(bearer(t.adminKey))
      .send({ name: 'Tool', role: 'viewer', colour: 'blue' });
    const body = expectProblem(response, 400, 'validation');
    expect(body.errors).toEqual([{ field: 'colour', message: 'colour is not a known field' }]);
  });

  it('rejects malformed JSON with 400', async () => {
    const response = await t
      .http()
      .post('/v1/api-keys')
      .set(bearer(t.adminKey))
      .set('Content-Type', 'application/json')
      .send('{"name": "Tool", ');
    expectProblem(response, 400, 'malformed-body');
  });

  it('rejects a JSON body that is not an object with 400', async () => {
    const response = await t
      .http()
      .post('/v1/api-keys')
      .set(bearer(t.adminKey))
      .set('Content-Type', 'application/json')
      .send('[1, 2]');
    const body = expectProblem(response, 400, 'validation');
    expect(body.errors?.[0].field).toBe('body');
  });

  it('rejects a body nested deeper than 32 levels with 400 naming body, before any other step', async () => {
    const response = await t
      .http()
      .post('/v1/api-keys')
      .set(bearer(t.adminKey))
      .set('Idempotency-Key', 'deep-body')
      .set('Content-Type', 'application/json')
      .send(`{"name":${'['.repeat(40)}${']'.repeat(40)},"role":"viewer"}`);
    const body = expectProblem(response, 400, 'validation');
    expect(body.errors).toEqual([
      { field: 'body', message: 'body must not nest objects or arrays more than 32 levels deep' },
    ]);
  });

  it('answers a path parameter over 100 characters with 400 problem+json', async () => {
    const response = await t
      .http()
      .delete(`/v1/api-keys/${'a'.repeat(101)}`)
      .set(bearer(t.adminKey));
    const body = expectProblem(response, 400, 'validation');
    expect(body.errors?.[0].field).toBe('path');
  });

  it('answers a malformed percent-encoding in the path with 400 problem+json', async () => {
    const response = await t.http().get('/v1/vendors/%E0%A4%A').set(bearer(t.adminKey));
    expect(expectProblem(response, 400, 'bad-request').detail).toContain('URL is malformed');
  });

  it('answers request headers over 16 KiB with 431 problem+json', async () => {
    const response = await t
      .http()
      .get('/v1/api-keys')
      .set(bearer(t.adminKey))
      .set('X-Padding', 'x'.repeat(20_000));
    expectProblem(response, 431, 'headers-too-large');
  });

  it('rejects a body over the limit with 413', async () => {
    const response = await t
      .http()
      .post('/v1/api-keys')
      .set(bearer(t.adminKey))
      .send({ name: 'x'.repeat(4096), role: 'viewer' });
    expectProblem(response, 413, 'payload-too-large');
  });

  it('rejects a body that is not JSON with 415', async () => {
    const response = await t
      .http()
      .post('/v1/api-keys')
      .set(bearer(t.adminKey))
      .set('Content-Type', 'application/x-www-form-urlencoded')
      .send('name=Tool&role=viewer');
    expectProblem(response, 415, 'unsupported-media-type');
  });

  it('rejects a text/plain body with 415', async () => {
    const response = await t
      .http()
      .post('/v1/api-keys')
      .set(bearer(t.adminKey))
      .set('Content-Type', 'text/plain')
      .send('hello');
    expectProblem(response, 415, 'unsupported-media-type');
  });

  it('refuses a bad body sent to an operation that takes none, as its document says', async () => {
    // t.http() checks each answer against openapi.json, which must list these statuses.
    const keyId = randomUUID();
    const tooLarge = await t
      .http()
      .delete(`/v1/api-keys/${keyId}`)
      .set(bearer(t.adminKey))
      .send({ name: 'x'.repeat(4096) });
    expectProblem(tooLarge, 413, 'payload-too-large');
    const wrongType = await t
      .http()
      .delete(`/v1/api-keys/${keyId}`)
      .set(bearer(t.adminKey))
      .set('Content-Type', 'text/plain')
      .send('hello');
    expectProblem(wrongType, 415, 'unsupported-media-type');
  });

  it('rejects an invalid uuid in the path with 400, not a database error', async () => {
    const response = await t.http().delete('/v1/api-keys/not-a-uuid').set(bearer(t.adminKey));
    const body = expectProblem(response, 400, 'validation');
    expect(body.errors).toEqual([{ field: 'id', message: 'id must be a UUID' }]);
  });

  it('rejects NUL characters in strings with 400 naming the field', async () => {
    const response = await t
      .http()
      .post('/v1/api-keys')
      .set(bearer(t.adminKey))
      .send({ name: 'Tool\u0000', role: 'viewer' });
    const body = expectProblem(response, 400, 'validation');
    expect(body.errors?.[0].field).toBe('name');
  });

  it('rejects unpaired surrogates with 400 naming the field, even where a validator would throw', async () => {
    // Found by the fuzzer: the e-mail validator threw on "\udfff" and the API answered 500.
    const response = await t
      .http()
      .post('/v1/vendors')
      .set(bearer(t.adminKey))
      .send({ name: 'Surrogate \ud83d Labs', contactEmail: 'a\udfffb@example.com' });
    const body = expectProblem(response, 400, 'validation');
    expect(body.errors?.map((error) => error.field)).toEqual(['name', 'contactEmail']);
    const paired = await t
      .http()
      .post('/v1/vendors')
      .set(bearer(t.adminKey))
      .send({ name: 'Emoji \ud83d\ude80 Labs' });
    expect(paired.status).toBe(201);
    expect(paired.body.name).toBe('Emoji 🚀 Labs');
  });

  it('rejects NUL characters in the query with 400', async () => {
    const response = await t.http().get('/v1/api-keys?cursor=%00').set(bearer(t.adminKey));
    const body = expectProblem(response, 400, 'validation');
    expect(body.errors?.[0].field).toBe('cursor');
  });

  it.each(['0', '-1', '201', '2147483648', '1.5', '1e3', 'ten', ''])(
    'rejects limit=%s with 400 naming limit',
    async (limit) => {
      const response = await t.http().get(`/v1/api-keys?limit=${limit}`).set(bearer(t.adminKey));
      const body = expectProblem(response, 400, 'validation');
      expect(body.errors?.every((error) => error.field === 'limit')).toBe(true);
    },
  );

  it('rejects a cursor it did not issue with 400', async () => {
    const response = await t.http().get('/v1/api-keys?cursor=Zm9v').set(bearer(t.adminKey));
    const body = expectProblem(response, 400, 'validation');
    expect(body.errors?.[0].field).toBe('cursor');
  });

  it('answers an unexpected failure with 500, a request id and no internals', async () => {
    const scratch = await createTestApp();
    try {
      // A genuine fault: the table the authentication reads has gone.
      await scratch.dataSource.query('ALTER TABLE api_keys RENAME TO api_keys_gone');
      const response = await scratch
        .http()
        .get('/v1/api-keys')
        .set(bearer(scratch.adminKey))
        .set('X-Request-Id', 'fault-1');
      const body = expectProblem(response, 500, 'internal');
      expect(body.requestId).toBe('fault-1');
      expect(body.detail).toContain('fault-1');
      const text = JSON.stringify(body);
      expect(text).not.toMatch(/api_keys|SELECT|relation|at \w+ \(|\.ts:|\.js:/);
      await scratch.dataSource.query('ALTER TABLE api_keys_gone RENAME TO api_keys');
    } finally {
      await scratch.close();
    }
  });
});

describe('rate limiting', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp({ env: { RATE_LIMIT_MAX: '3', RATE_LIMIT_WINDOW_SECONDS: '60' } });
  });
  afterAll(() => t.close());

  it('answers 429 with Retry-After once a key exceeds its limit, per key', async () => {
    for (let i = 0; i < 3; i++) {
      const ok = await t.http().get('/v1/api-keys').set(bearer(t.adminKey));
      expect(ok.status).toBe(200);
      expect(ok.headers['ratelimit-remaining']).toBe(String(2 - i));
    }
    const limited = await t.http().get('/v1/api-keys').set(bearer(t.adminKey));
    expectProblem(limited, 429, 'rate-limited');
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect(Number(limited.headers['retry-after'])).toBeLessThanOrEqual(60);

    const otherKey = await t.keyFor('admin');
    const other = await t.http().get('/v1/api-keys').set(bearer(otherKey));
    expect(other.status).toBe(200);
  });

  /** The headers openapi.json documents for the response, checked present with their values. */
  function expectDocumentedHeaders(method: string, path: string, response: Response) {
    const contract = openApiContract();
    const documentedResponse = contract.findOperation(method, path)?.operation.responses[
      String(response.status)
    ];
    const documented = Object.keys(
      (documentedResponse && contract.resolveResponse(documentedResponse).headers) ?? {},
    );
    expect(documented).toEqual(
      expect.arrayContaining(['RateLimit-Limit', 'RateLimit-Remaining', 'RateLimit-Reset']),
    );
    for (const name of documented) {
      expect({ name, value: response.headers[name.toLowerCase()] }).toEqual({
        name,
        value: expect.stringMatching(/^\d+$/),
      });
    }
  }

  it('sends the documented RateLimit headers with success, client errors and the 429', async () => {
    const key = await t.keyFor('admin');
    const missing = `/v1/vendors/${randomUUID()}`;
    const exchanges: [string, string, Response][] = [
      ['GET', '/v1/vendors', await t.http().get('/v1/vendors').set(bearer(key))],
      ['GET', missing, await t.http().get(missing).set(bearer(key))],
      ['GET', '/v1/vendors', await t.http().get('/v1/vendors?limit=0').set(bearer(key))],
      ['GET', '/v1/vendors', await t.http().get('/v1/vendors').set(bearer(key))],
    ];
    expect(exchanges.map(([, , response]) => response.status)).toEqual([200, 404, 400, 429]);
    for (const [method, path, response] of exchanges) {
      expectDocumentedHeaders(method, path, response);
      expect(response.headers['ratelimit-limit']).toBe('3');
    }
    expect(exchanges.map(([, , response]) => response.headers['ratelimit-remaining'])).toEqual([
      '2',
      '1',
      '0',
      '0',
    ]);

    const viewer = await t.keyFor('viewer');
    const forbidden = await t.http().post('/v1/vendors').set(bearer(viewer)).send({ name: 'X' });
    expect(forbidden.status).toBe(403);
    expectDocumentedHeaders('POST', '/v1/vendors', forbidden);
  });
});

describe('rate limiting requests without a valid key', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp({ env: { RATE_LIMIT_ANON_MAX: '3', RATE_LIMIT_WINDOW_SECONDS: '60' } });
  });
  afterAll(() => t.close());

  it('answers 429 to a client address that used its window, before looking any key up', async () => {
    const authenticate = jest.spyOn(t.app.get(ApiKeysService), 'authenticate');
    const bogus = bearer(`hk_${'0'.repeat(40)}`);
    const refused = [
      await t.http().get('/v1/vendors').set(bogus),
      await t.http().get('/v1/vendors'),
      await t.http().get('/v1/vendors').set(bogus),
    ];
    expect(refused.map((response) => response.status)).toEqual([401, 401, 401]);
    const lookups = authenticate.mock.calls.length;

    const limited = await t.http().get('/v1/vendors').set(bogus);
    const body = expectProblem(limited, 429, 'rate-limited');
    expect(body.detail).toMatch(/client address made more than 3 requests without a valid API key/);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect(Number(limited.headers['retry-after'])).toBeLessThanOrEqual(60);
    expectProblem(await t.http().get('/v1/vendors'), 429, 'rate-limited');
    // The address is refused before the lookup, so a valid key from it waits for the window too.
    expectProblem(await t.http().get('/v1/vendors').set(bearer(t.adminKey)), 429, 'rate-limited');
    expect(authenticate.mock.calls.length).toBe(lookups);
    authenticate.mockRestore();
  });

  it('counts each client behind a trusted proxy (TRUST_PROXY) by its forwarded address', async () => {
    const proxied = await createTestApp({
      env: { RATE_LIMIT_ANON_MAX: '1', TRUST_PROXY: 'loopback' },
    });
    try {
      const from = (address: string) =>
        proxied.http().get('/v1/vendors').set('X-Forwarded-For', address);
      expect((await from('203.0.113.7')).status).toBe(401);
      expectProblem(await from('203.0.113.7'), 429, 'rate-limited');
      expect((await from('198.51.100.20')).status).toBe(401);
      const fromTheProxyItself = await proxied
        .http()
        .get('/v1/vendors')
        .set(bearer(proxied.adminKey));
      expect(fromTheProxyItself.status).toBe(200);
    } finally {
      await proxied.close();
    }
  });

  it('does not count requests with a valid key against the address', async () => {
    const quiet = await createTestApp({ env: { RATE_LIMIT_ANON_MAX: '2' } });
    try {
      for (let i = 0; i < 5; i++) {
        expect((await quiet.http().get('/v1/vendors').set(bearer(quiet.adminKey))).status).toBe(
          200,
        );
      }
      expect((await quiet.http().get('/v1/vendors')).status).toBe(401);
      expect((await quiet.http().get('/v1/vendors')).status).toBe(401);
      expectProblem(await quiet.http().get('/v1/vendors'), 429, 'rate-limited');
    } finally {
      await quiet.close();
    }
  });
});
