import { Writable } from 'node:stream';
import { pino } from 'pino';
import { bearer, createTestApp, expectProblem, type TestApp } from './test-app.js';

describe('health, docs and request ids', () => {
  let t: TestApp;
  const logLines: string[] = [];

  beforeAll(async () => {
    const sink = new Writable({
      write(chunk, _encoding, done) {
        logLines.push(String(chunk));
        done();
      },
    });
    t = await createTestApp({ logger: pino({ level: 'trace' }, sink) });
  });
  afterAll(() => t.close());

  it('reports liveness without an API key', async () => {
    const response = await t.http().get('/health/live');
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ status: 'ok' });
  });

  it('reports readiness after pinging the database', async () => {
    const response = await t.http().get('/health/ready');
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ status: 'ok', database: 'up' });
  });

  it('serves Swagger UI at /docs without an API key', async () => {
    const response = await t.http().get('/docs').redirects(1);
    expect(response.status).toBe(200);
    expect(response.text).toContain('swagger-ui');
  });

  it('serves the OpenAPI document at /docs-json with the bearer scheme', async () => {
    const response = await t.http().get('/docs-json');
    expect(response.status).toBe(200);
    expect(response.body.openapi).toMatch(/^3\./);
    expect(response.body.components.securitySchemes.apiKey).toMatchObject({
      type: 'http',
      scheme: 'bearer',
    });
    const createKey = response.body.paths['/v1/api-keys'].post;
    expect(createKey.security).toEqual([{ apiKey: [] }]);
    for (const status of ['201', '400', '401', '403', '413', '415', '429', '500', '503']) {
      expect(createKey.responses).toHaveProperty(status);
    }
    expect(createKey.responses['400'].content).toHaveProperty('application/problem+json');
  });

  it('echoes a well-formed incoming X-Request-Id', async () => {
    const response = await t.http().get('/health/live').set('X-Request-Id', 'trace-abc.123');
    expect(response.headers['x-request-id']).toBe('trace-abc.123');
  });

  it('replaces a malformed X-Request-Id with a generated one', async () => {
    const response = await t.http().get('/health/live').set('X-Request-Id', 'bad id with spaces');
    expect(response.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('logs requests as JSON with their request id and never the Authorization header', async () => {
    const secret = await t.keyFor('admin');
    await t.http().get('/v1/api-keys').set(bearer(secret)).set('X-Request-Id', 'logged-request');
    const created = await t
      .http()
      .post('/v1/api-keys')
      .set(bearer(secret))
      .send({ name: 'Logged', role: 'viewer' });
    const lines = logLines.join('');
    const entries = logLines.map((line) => JSON.parse(line));
    expect(entries.some((entry) => entry.reqId === 'logged-request')).toBe(true);
    expect(lines).not.toContain(secret);
    expect(lines).not.toContain(created.body.secret);
    expect(lines).not.toContain(t.adminKey);
    expect(lines.toLowerCase()).not.toContain('bearer');
  });

  it('answers an unknown route under /health with problem+json', async () => {
    expectProblem(await t.http().get('/health/unknown'), 404, 'route-not-found');
  });
});
