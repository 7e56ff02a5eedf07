import { readFileSync } from 'node:fs';
import { Client } from 'pg';
import { MAX_PAGE_SIZE } from '../src/common/pagination.js';
import { readyToActivate } from './factories.js';
import {
  operationsOf,
  resolveSchema,
  type OpenApiDocument,
  type Operation,
  type Schema,
} from './fuzz/arbitraries.js';
import {
  bearer,
  createTestApp,
  expectProblem,
  externalDatabaseUrl,
  type TestApp,
} from './test-app.js';

/**
 * The documented limits hold: a maxLength on every request string, enforced at exactly that
 * length; the page-size cap of every list; PostgreSQL's statement_timeout. The body limit
 * (413) is tested in errors.e2e-spec.ts.
 */
const document = JSON.parse(
  readFileSync(new URL('../openapi.json', import.meta.url), 'utf8'),
) as OpenApiDocument;
const operations = operationsOf(document);

interface ArrayField {
  operation: Operation;
  path: string[];
  maxItems: number | undefined;
}

/** Every array a request body can carry. */
function requestArrays(): ArrayField[] {
  const fields: ArrayField[] = [];
  const walk = (operation: Operation, raw: Schema, path: string[]) => {
    const schema = resolveSchema(document, raw);
    if (schema.type === 'array') fields.push({ operation, path, maxItems: schema.maxItems });
    for (const [name, property] of Object.entries(schema.properties ?? {})) {
      walk(operation, property, [...path, name]);
    }
  };
  for (const operation of operations) if (operation.body) walk(operation, operation.body, []);
  return fields;
}

interface StringField {
  operation: Operation;
  /** `body` or `query`. */
  where: 'body' | 'query';
  /** Property names and array indexes leading to the string. */
  path: (string | number)[];
  schema: Schema;
}

/** Every string a request can carry (body properties, array items, query parameters). */
function requestStrings(): StringField[] {
  const fields: StringField[] = [];
  const walk = (operation: Operation, raw: Schema, path: (string | number)[]) => {
    const schema = resolveSchema(document, raw);
    if (schema.type === 'string') fields.push({ operation, where: 'body', path, schema });
    if (schema.type === 'array' && schema.items) walk(operation, schema.items, [...path, 0]);
    for (const [name, property] of Object.entries(schema.properties ?? {})) {
      walk(operation, property, [...path, name]);
    }
  };
  for (const operation of operations) {
    if (operation.body) walk(operation, operation.body, []);
    for (const parameter of operation.parameters.filter((p) => p.in === 'query')) {
      const schema = resolveSchema(document, parameter.schema);
      if (schema.type === 'string') {
        fields.push({ operation, where: 'query', path: [parameter.name], schema });
      }
    }
  }
  return fields;
}

/** The field name problems use: `spec.successMetrics[0].name`; a string item names its array. */
function fieldName(path: (string | number)[]): string {
  const named = typeof path[path.length - 1] === 'number' ? path.slice(0, -1) : path;
  return named
    .map((part, index) => (typeof part === 'number' ? `[${part}]` : index > 0 ? `.${part}` : part))
    .join('');
}

/** A body holding `value` at `path` and nothing else. */
function bodyWith(path: (string | number)[], value: unknown): unknown {
  return path.reduceRight<unknown>((inner, part) => {
    if (typeof part === 'number') return [inner];
    return { [part]: inner };
  }, value);
}

const label = (field: StringField) =>
  `${field.operation.method} ${field.operation.path} ${field.where} ${fieldName(field.path)}`;

const strings = requestStrings();
const capped = strings.filter((field) => !field.schema.enum);

describe('string length caps', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  it('documents a maxLength for every request string that is not an enum', () => {
    const uncapped = capped.filter((field) => field.schema.maxLength === undefined).map(label);
    expect(uncapped).toEqual([]);
    expect(capped.length).toBeGreaterThan(40);
  });

  /** Sends the value in the field with an admin key; path ids need not exist (validation first). */
  async function send(field: StringField, value: string) {
    const path = field.operation.path.replace(/\{(\w+)\}/g, (_, name: string) =>
      name === 'week' ? '2026-W47' : '00000000-0000-4000-8000-000000000000',
    );
    const request = t
      .http()
      [field.operation.method.toLowerCase() as 'get' | 'post' | 'patch' | 'delete'](path)
      .set(bearer(t.adminKey));
    if (field.where === 'query') return request.query({ [String(field.path[0])]: value });
    return request.send(bodyWith(field.path, value) as object);
  }

  const byLabel = capped.map((field) => [label(field), field] as const);

  it.each(byLabel)('refuses maxLength + 1 characters: %s', async (_label, field) => {
    const max = field.schema.maxLength as number;
    const response = await send(field, 'x'.repeat(max + 1));
    const body = expectProblem(response, 400, 'validation');
    expect(body.errors?.map((error) => error.field)).toContain(fieldName(field.path));
  });

  it.each(byLabel)('does not refuse maxLength characters for length: %s', async (_label, field) => {
    const max = field.schema.maxLength as number;
    const response = await send(field, 'x'.repeat(max));
    const lengthErrors = (response.body.errors ?? []).filter(
      (error: { field?: string; message: string }) =>
        error.field === fieldName(field.path) && /shorter than or equal/.test(error.message),
    );
    expect(response.status).toBeLessThan(500);
    expect(lengthErrors).toEqual([]);
  });
});

describe('array size caps', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  const arrays = requestArrays();

  it('documents a maxItems for every request array', () => {
    expect(arrays.filter((field) => field.maxItems === undefined)).toEqual([]);
    expect(arrays.length).toBeGreaterThan(3);
  });

  it.each(
    arrays.map((field) => [`${field.operation.path} ${field.path.join('.')}`, field] as const),
  )('refuses maxItems + 1 items: %s %s', async (_label, field) => {
    const path = field.operation.path.replace(/\{(\w+)\}/g, '00000000-0000-4000-8000-000000000000');
    const items = Array.from({ length: (field.maxItems as number) + 1 }, () => 'x');
    const response = await t
      .http()
      [field.operation.method.toLowerCase() as 'post' | 'patch'](path)
      .set(bearer(t.adminKey))
      .send(bodyWith(field.path, items) as object);
    const body = expectProblem(response, 400, 'validation');
    const named = body.errors?.filter((error) => error.field === field.path.join('.'));
    expect(named?.some((error) => /no more than/.test(error.message))).toBe(true);
  });
});

describe('page size cap', () => {
  let t: TestApp;
  let ids: Record<string, string>;
  let endpointId: string;

  beforeAll(async () => {
    t = await createTestApp();
    const ready = await readyToActivate(t);
    ids = { id: ready.engagementId, mid: ready.finalHandoverId };
    const endpoint = await t
      .http()
      .post('/v1/webhook-endpoints')
      .set(bearer(t.adminKey))
      .send({ url: 'https://hooks.example.com/handover', eventTypes: ['report.created'] });
    endpointId = endpoint.body.id;
  });

  /** The ids a path's parameters take: under /v1/webhook-endpoints, `{id}` is an endpoint's. */
  const idsFor = (path: string) =>
    path.startsWith('/v1/webhook-endpoints/') ? { ...ids, id: endpointId } : ids;
  afterAll(() => t.close());

  const lists = operations.filter((operation) =>
    operation.parameters.some((parameter) => parameter.name === 'limit'),
  );

  it('documents the same maximum on every list', () => {
    expect(lists.length).toBeGreaterThan(5);
    for (const list of lists) {
      const limit = list.parameters.find((parameter) => parameter.name === 'limit');
      expect({ path: list.path, maximum: limit?.schema.maximum }).toEqual({
        path: list.path,
        maximum: MAX_PAGE_SIZE,
      });
    }
  });

  it.each(lists.map((list) => [list.path, list] as const))(
    'answers limit=max with 200 and limit=max+1 with 400 naming limit: %s',
    async (_path, list) => {
      const path = list.path.replace(/\{(\w+)\}/g, (_, name: string) => idsFor(list.path)[name]);
      const atMax = await t
        .http()
        .get(path)
        .query({ limit: MAX_PAGE_SIZE })
        .set(bearer(t.adminKey));
      expect(atMax.status).toBe(200);
      const over = await t
        .http()
        .get(path)
        .query({ limit: MAX_PAGE_SIZE + 1 })
        .set(bearer(t.adminKey));
      const body = expectProblem(over, 400, 'validation');
      expect(body.errors?.map((error) => error.field)).toEqual(['limit']);
    },
  );
});

// The embedded database does not apply statement_timeout; only a PostgreSQL server does.
const describeWithExternalDatabase = externalDatabaseUrl ? describe : describe.skip;

describeWithExternalDatabase('statement timeout', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp({ env: { DB_STATEMENT_TIMEOUT_MS: '300' } });
  });
  afterAll(() => t.close());

  it('cancels a statement that runs longer and answers 503 statement-timeout with Retry-After', async () => {
    const blocker = new Client({ connectionString: t.config.databaseUrl });
    await blocker.connect();
    try {
      // Holding this lock makes the list's SELECT wait until statement_timeout cancels it.
      await blocker.query('BEGIN');
      await blocker.query('LOCK TABLE vendors IN ACCESS EXCLUSIVE MODE');
      const started = Date.now();
      const response = await t.http().get('/v1/vendors').set(bearer(t.adminKey));
      const elapsed = Date.now() - started;
      const body = expectProblem(response, 503, 'statement-timeout');
      expect(body.detail).toContain('took too long');
      expect(response.headers['retry-after']).toBe('5');
      expect(elapsed).toBeGreaterThanOrEqual(300);
      expect(elapsed).toBeLessThan(5000);
    } finally {
      await blocker.query('ROLLBACK');
      await blocker.end();
    }
    const after = await t.http().get('/v1/vendors').set(bearer(t.adminKey));
    expect(after.status).toBe(200);
  });
});
