import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import {
  checkedFetch,
  type Exchange,
  contractChecked,
  OpenApiContract,
  type OpenApiDocument,
  openApiContract,
} from './openapi-contract.js';

const problem = {
  content: {
    'application/problem+json': { schema: { $ref: '#/components/schemas/ProblemDetails' } },
  },
};

const document: OpenApiDocument = {
  openapi: '3.0.0',
  paths: {
    '/things/{id}': {
      get: {
        responses: {
          '200': {
            content: {
              'application/json': { schema: { $ref: '#/components/schemas/Thing' } },
              'text/csv': { schema: { type: 'string' } },
            },
            headers: {
              'RateLimit-Limit': { required: true },
              'RateLimit-Remaining': { $ref: '#/components/headers/RateLimit-Remaining' },
              ETag: { schema: { type: 'string', pattern: '^"[0-9]{1,10}"$' } },
            },
          },
          '404': problem,
          '429': {
            ...problem,
            headers: { 'Retry-After': { $ref: '#/components/headers/Retry-After' } },
          },
        },
      },
      delete: { responses: { '204': {}, default: problem } },
    },
    '/things/mine': { get: { responses: { '200': { content: {} } } } },
  },
  components: {
    headers: {
      'RateLimit-Remaining': { schema: { type: 'integer', minimum: 0 } },
      'Retry-After': { required: true, schema: { type: 'integer', minimum: 1 } },
    },
    schemas: {
      Thing: {
        type: 'object',
        required: ['id', 'note'],
        properties: {
          id: { type: 'string', format: 'uuid', example: '7c9e6679-7425-40de-944b-e07fc1f90ae7' },
          note: { type: 'string', nullable: true },
        },
      },
      ProblemDetails: {
        type: 'object',
        required: ['status'],
        properties: { status: { type: 'integer' } },
      },
    },
  },
};

const id = '7c9e6679-7425-40de-944b-e07fc1f90ae7';
const json = (status: number, body: unknown, type = 'application/json'): Exchange => ({
  method: 'GET',
  url: `/things/${id}?fields=all`,
  status,
  headers: { 'content-type': `${type}; charset=utf-8`, 'ratelimit-limit': '10' },
  text: JSON.stringify(body),
});

describe('OpenApiContract', () => {
  const contract = new OpenApiContract(document);

  it('accepts a response that matches the documented status, media type and schema', () => {
    expect(contract.violations(json(200, { id, note: null }))).toEqual([]);
  });

  it('rejects a status the operation does not document', () => {
    const [violation] = contract.violations(json(409, { status: 409 }));
    expect(violation).toContain('GET /things/{id} → 409: status not documented');
  });

  it('rejects a body of the wrong type, naming the field', () => {
    const [violation] = contract.violations(json(200, { id, note: 42 }));
    expect(violation).toContain('GET /things/{id} → 200 application/json');
    expect(violation).toContain('/note must be string');
  });

  it('rejects a body missing a required field or carrying an undocumented one', () => {
    const [missing] = contract.violations(json(200, { id }));
    expect(missing).toContain("must have required property 'note'");
    const [extra] = contract.violations(json(200, { id, note: 'x', secret: 'y' }));
    expect(extra).toContain('must NOT have additional properties "secret"');
  });

  it('rejects a value that breaks a documented format', () => {
    const [violation] = contract.violations(json(200, { id: 'not-a-uuid', note: null }));
    expect(violation).toContain('/id must match format "uuid"');
  });

  it('rejects an undocumented content type but only checks the media type of text renderings', () => {
    expect(contract.violations({ ...json(200, 'a,b'), text: 'a,b\n1,2\n' })).toHaveLength(1);
    expect(contract.violations(json(200, 'x', 'text/csv'))).toEqual([]);
    const [html] = contract.violations(json(200, 'x', 'text/html'));
    expect(html).toContain('content type "text/html; charset=utf-8" not documented');
  });

  it('rejects a response without a documented required header', () => {
    const exchange = json(200, { id, note: null });
    const [violation] = contract.violations({
      ...exchange,
      headers: { 'content-type': 'application/json' },
    });
    expect(violation).toContain('documented header RateLimit-Limit is missing');
  });

  it('rejects a response without a required header documented by reference', () => {
    const limited = json(429, { status: 429 }, 'application/problem+json');
    expect(contract.violations(limited)).toEqual([
      expect.stringContaining('GET /things/{id} → 429: documented header Retry-After is missing'),
    ]);
    const headers = { ...limited.headers, 'retry-after': '30' };
    expect(contract.violations({ ...limited, headers })).toEqual([]);
  });

  it('rejects a header value that breaks its schema, reading integers from the header text', () => {
    const limited = json(429, { status: 429 }, 'application/problem+json');
    const [zero] = contract.violations({
      ...limited,
      headers: { ...limited.headers, 'retry-after': '0' },
    });
    expect(zero).toContain('header Retry-After does not match the documented schema');
    expect(zero).toContain('must be >= 1');
    const [date] = contract.violations({
      ...limited,
      headers: { ...limited.headers, 'retry-after': 'Wed, 21 Oct 2026 07:28:00 GMT' },
    });
    expect(date).toContain('must be integer');

    const ok = json(200, { id, note: null });
    const withHeaders = (headers: Record<string, string>) =>
      contract.violations({ ...ok, headers: { ...ok.headers, ...headers } });
    expect(withHeaders({ 'ratelimit-remaining': '0', etag: '"3"' })).toEqual([]);
    expect(withHeaders({ 'ratelimit-remaining': '-1' })).toEqual([
      expect.stringContaining('header RateLimit-Remaining does not match'),
    ]);
    expect(withHeaders({ 'ratelimit-remaining': '1.5' })).toEqual([
      expect.stringContaining('must be integer'),
    ]);
    expect(withHeaders({ etag: 'W/"3"' })).toEqual([
      expect.stringContaining('header ETag does not match the documented schema'),
    ]);
  });

  it('covers any status with a documented default and checks its body', () => {
    const deleted = { method: 'DELETE', url: `/things/${id}`, headers: {}, text: '' };
    expect(contract.violations({ ...deleted, status: 204 })).toEqual([]);
    expect(
      contract.violations({
        ...deleted,
        status: 409,
        headers: { 'content-type': 'application/problem+json' },
        text: '{"status":"409"}',
      }),
    ).toEqual([expect.stringContaining('/status must be integer')]);
  });

  it('matches a literal path segment before a path parameter', () => {
    expect(contract.findOperation('get', '/things/mine')?.template).toBe('/things/mine');
    expect(contract.findOperation('get', `/things/${id}`)?.template).toBe('/things/{id}');
  });

  it('requires an unknown route to answer a 404 problem, or a problem refusing it before routing', () => {
    const unknown = { method: 'GET', url: '/nowhere', headers: {}, text: '' };
    expect(contract.violations({ ...unknown, status: 200 })).toEqual([
      expect.stringContaining('not a documented operation, yet answered 200'),
    ]);
    expect(contract.violations({ ...unknown, status: 403 })).toHaveLength(1);
    expect(
      contract.violations({
        ...unknown,
        status: 431,
        headers: { 'content-type': 'application/problem+json' },
        text: '{"status":431}',
      }),
    ).toEqual([]);
    expect(
      contract.violations({ ...unknown, status: 400, headers: {}, text: 'Bad Request' }),
    ).toHaveLength(1);
    expect(
      contract.violations({
        ...unknown,
        status: 404,
        headers: { 'content-type': 'application/problem+json' },
        text: '{"status":404}',
      }),
    ).toEqual([]);
    expect(
      contract.violations({
        ...unknown,
        status: 404,
        headers: { 'content-type': 'text/plain' },
        text: 'Not Found',
      }),
    ).toHaveLength(1);
  });
});

describe('the committed openapi.json', () => {
  it('compiles into a validator for every JSON response', () => {
    expect(openApiContract().compileAll()).toBeGreaterThan(100);
  });
});

describe('contractChecked', () => {
  const vendorId = '7c9e6679-7425-40de-944b-e07fc1f90ae7';
  let server: Server;
  let reply: { status: number; type: string; body: string };

  beforeAll(async () => {
    server = createServer((_request, response) => {
      response.writeHead(reply.status, { 'content-type': reply.type }).end(reply.body);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('fails the request whose response contradicts openapi.json, naming method, path and status', async () => {
    reply = { status: 200, type: 'application/json', body: '{"id":"not-a-uuid"}' };
    const sent = contractChecked(request(server)).get(`/v1/vendors/${vendorId}`);
    await expect(sent).rejects.toThrow(/GET \/v1\/vendors\/\{id\} → 200 application\/json/);
    reply = { status: 418, type: 'application/json', body: '{}' };
    await expect(
      contractChecked(request(server)).delete(`/v1/vendors/${vendorId}`),
    ).rejects.toThrow(/DELETE \/v1\/vendors\/\{id\} → 418: status not documented/);
  });

  it('checks fetch() responses the same way', async () => {
    const { port } = server.address() as AddressInfo;
    reply = { status: 200, type: 'application/json', body: '{"status":"ok","extra":1}' };
    await expect(checkedFetch(`http://127.0.0.1:${port}/health/live`)).rejects.toThrow(
      /GET \/health\/live → 200 application\/json[^]*must NOT have additional properties "extra"/,
    );
    reply = { status: 200, type: 'application/json', body: '{"status":"ok"}' };
    const response = await checkedFetch(`http://127.0.0.1:${port}/health/live`);
    expect(await response.json()).toEqual({ status: 'ok' });
  });

  it('lets a conforming response through to the test', async () => {
    reply = { status: 204, type: 'text/plain', body: '' };
    const response = await contractChecked(request(server)).delete(`/v1/vendors/${vendorId}`);
    expect(response.status).toBe(204);
  });
});
