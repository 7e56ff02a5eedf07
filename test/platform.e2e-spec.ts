import { Writable } from 'node:stream';
import { pino } from 'pino';
import type request from 'supertest';
import { bearer, createTestApp, expectProblem, type TestApp } from './test-app.js';

/** The policy every response carries (src/common/security-headers.ts), spelled out here. */
const EXPECTED_CSP =
  "default-src 'self';base-uri 'self';connect-src 'self';font-src 'self' data:;" +
  "form-action 'self';frame-ancestors 'none';img-src 'self' data:;object-src 'none';" +
  "script-src 'self';script-src-attr 'none';style-src 'self' 'unsafe-inline'";

/** nosniff, the CSP and no framing, on any response, even one written before every hook. */
function expectEssentialSecurityHeaders(response: request.Response): void {
  expect(response.headers['x-content-type-options']).toBe('nosniff');
  expect(response.headers['content-security-policy']).toBe(EXPECTED_CSP);
  expect(response.headers['x-frame-options']).toBe('DENY');
}

/** The essential headers and helmet's others; no HSTS (plain-http use) and no COEP. */
function expectSecurityHeaders(response: request.Response): void {
  expectEssentialSecurityHeaders(response);
  expect(response.headers['content-security-policy']).not.toContain('unsafe-eval');
  expect(response.headers['content-security-policy']).not.toContain('upgrade-insecure-requests');
  expect(response.headers['referrer-policy']).toBe('no-referrer');
  expect(response.headers['cross-origin-opener-policy']).toBe('same-origin');
  expect(response.headers['cross-origin-resource-policy']).toBe('same-origin');
  expect(response.headers).not.toHaveProperty('strict-transport-security');
  expect(response.headers).not.toHaveProperty('cross-origin-embedder-policy');
}

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
    expect(createKey.responses['400']).toEqual({ $ref: '#/components/responses/BadRequest' });
    expect(response.body.components.responses.BadRequest.content).toHaveProperty(
      'application/problem+json',
    );
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

  describe('security headers', () => {
    it('are on a JSON response', async () => {
      const response = await t.http().get('/health/live');
      expect(response.status).toBe(200);
      expect(response.headers['content-type']).toMatch(/^application\/json/);
      expectSecurityHeaders(response);
    });

    it('are on problem responses: an unknown route, a missing API key, an unroutable URL', async () => {
      const notFound = await t.http().get('/v1/no-such-thing').set(bearer(t.adminKey));
      expectProblem(notFound, 404, 'route-not-found');
      expectSecurityHeaders(notFound);
      const unauthorised = await t.http().get('/v1/engagements');
      expectProblem(unauthorised, 401);
      expectSecurityHeaders(unauthorised);
      // Answered by the router before any hook runs.
      const malformed = await t.http().get('/v1/vendors/%E0%A4%A').set(bearer(t.adminKey));
      expectProblem(malformed, 400, 'bad-request');
      expectEssentialSecurityHeaders(malformed);
      // Answered on the raw socket by Node's HTTP parser, before Fastify sees a request.
      const oversized = await t.http().get('/health/live').set('X-Padding', 'x'.repeat(20_000));
      expectProblem(oversized, 431, 'headers-too-large');
      expectEssentialSecurityHeaders(oversized);
    });

    it("are on the weekly report's HTML page and its CSV", async () => {
      const generated = await t.http().post('/v1/reports/weekly').set(bearer(t.adminKey)).send({});
      expect([200, 201]).toContain(generated.status);
      const path = `/v1/reports/weekly/${generated.body.week}`;
      const html = await t.http().get(path).set(bearer(t.adminKey)).set('Accept', 'text/html');
      expect(html.status).toBe(200);
      expect(html.headers['content-type']).toBe('text/html; charset=utf-8');
      expectSecurityHeaders(html);
      const csv = await t.http().get(path).set(bearer(t.adminKey)).set('Accept', 'text/csv');
      expect(csv.status).toBe(200);
      expect(csv.headers['content-type']).toBe('text/csv; charset=utf-8');
      expectSecurityHeaders(csv);
    });

    it('are on Swagger UI, its assets and init script, and the OpenAPI document', async () => {
      const page = await t.http().get('/docs');
      expect(page.status).toBe(200);
      expect(page.headers['content-type']).toMatch(/^text\/html/);
      expectSecurityHeaders(page);
      // Every script of the page is a file of this origin (the CSP has no 'unsafe-inline' for
      // scripts): no inline <script> element.
      expect(page.text).not.toMatch(/<script(?![^>]*\ssrc=)[^>]*>/);
      for (const asset of [
        '/docs/swagger-ui-init.js',
        '/docs/swagger-ui-bundle.js',
        '/docs/swagger-ui.css',
        '/docs-json',
        '/docs-yaml',
      ]) {
        const response = await t.http().get(asset);
        expect([asset, response.status]).toEqual([asset, 200]);
        expectSecurityHeaders(response);
      }
    });
  });
});
