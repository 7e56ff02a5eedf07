import fc from 'fast-check';
import { addDays, todayUtc } from '../../src/common/dates.js';
import type { Role } from '../../src/auth/role.js';
import { encodeLoosely, type RawRequest } from './http.js';
import type { SeededIds } from './seed.js';

/** The parts of an OpenAPI 3 schema object the generators read. */
export interface Schema {
  $ref?: string;
  allOf?: Schema[];
  type?: string;
  format?: string;
  enum?: unknown[];
  example?: unknown;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  maxItems?: number;
  nullable?: boolean;
  items?: Schema;
  properties?: Record<string, Schema>;
  required?: string[];
}

export interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header';
  required?: boolean;
  schema: Schema;
}

export interface Operation {
  method: string;
  path: string;
  parameters: Parameter[];
  body?: Schema;
}

export interface OpenApiDocument {
  paths: Record<
    string,
    Record<
      string,
      {
        parameters?: Parameter[];
        requestBody?: { content: Record<string, { schema: Schema }> };
      }
    >
  >;
  components: { schemas: Record<string, Schema> };
}

/** Every operation of the document, with its parameters and JSON body schema. */
export function operationsOf(document: OpenApiDocument): Operation[] {
  return Object.entries(document.paths).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, operation]) => ({
      method: method.toUpperCase(),
      path,
      parameters: operation.parameters ?? [],
      body: operation.requestBody?.content['application/json']?.schema,
    })),
  );
}

/** Follows `$ref` and a single-element `allOf` to the schema they name. */
export function resolveSchema(document: OpenApiDocument, schema: Schema): Schema {
  if (schema.$ref) {
    const name = schema.$ref.replace('#/components/schemas/', '');
    return resolveSchema(document, document.components.schemas[name]);
  }
  if (schema.allOf?.length === 1) {
    const { allOf, ...rest } = schema;
    return { ...resolveSchema(document, allOf[0]), ...rest };
  }
  return schema;
}

// ---- Hostile values -----------------------------------------------------------------------

const TEN_KB = 'x'.repeat(10 * 1024);
/** A million characters: just under the default 1 MiB body limit, so validation must judge it. */
const ONE_MB = 'y'.repeat(1_000_000);

export const HOSTILE_NUMBERS = [
  2 ** 31,
  2 ** 31 - 1,
  -(2 ** 31) - 1,
  2 ** 53 + 2,
  -1,
  0,
  -0,
  1.5,
  0.1,
  1e-7,
  1e21,
  1e308,
  -1e308,
  Number.MAX_SAFE_INTEGER,
];

export const HOSTILE_STRINGS = [
  '',
  ' ',
  '\u0000',
  'a\u0000b',
  TEN_KB,
  '\uD800',
  'a\uDFFFb',
  '\u202Eevil\u202C',
  'مرحبا بالعالم',
  '𝔘𝔫𝔦𝔠𝔬𝔡𝔢 👩‍💻',
  'e\u0301\u0301\u0301',
  '\uFEFF\u200B\u2028\u2029',
  "'; DROP TABLE vendors; --",
  '%00%ff',
  '../../etc/passwd',
  'TBD',
  'null',
  '-1',
  '2147483648',
  'true',
];

export const HOSTILE_UUIDS = [
  'not-a-uuid',
  '00000000-0000-0000-0000-000000000000',
  'FFFFFFFF-FFFF-FFFF-FFFF-FFFFFFFFFFFF',
  '{8f14e45f-ceea-467f-a8f5-1c2b3d4e5f60}',
  '8f14e45fceea467fa8f51c2b3d4e5f60',
  '8f14e45f-ceea-467f-a8f5-1c2b3d4e5f60x',
  '8f14e45f-ceea-467f-a8f5-1c2b3d4e5f6',
  'zzzzzzzz-zzzz-zzzz-zzzz-zzzzzzzzzzzz',
];

export const HOSTILE_DATES = [
  '2026-02-30',
  '2026-02-29',
  '2024-02-29',
  '2026-13-01',
  '2026-00-10',
  '2026-04-31',
  '0000-01-01',
  '0001-01-01',
  '9999-12-31',
  '10000-01-01',
  '+275760-09-13',
  '-000001-01-01',
  '2026-1-1',
  '2026-02-28T00:00:00Z',
  '1970-01-01',
  '2026-02-28 ',
];

export const HOSTILE_DATE_TIMES = [
  '2026-02-30T00:00:00Z',
  '2027-06-30T24:00:00Z',
  '2027-06-30T23:59:60Z',
  '9999-12-31T23:59:59.999Z',
  '+275760-09-13T00:00:00.000Z',
  '2026-01-01T00:00:00+25:00',
  '1969-12-31T23:59:59Z',
  '2026-01-01',
  '2026-01-01T00:00:00.0000000001Z',
];

export const HOSTILE_WEEKS = [
  '2026-W00',
  '2026-W54',
  '2027-W53',
  '2026-W53',
  '0000-W01',
  '9999-W52',
  '2026-w47',
  '2026W47',
  '2026-W4',
];

/** Values of the wrong JSON type for any field. */
const WRONG_TYPES: unknown[] = [null, true, false, [], {}, [1, 2], { a: 1 }, 'x', 7, -7.5];

function deepArray(depth: number): unknown {
  let value: unknown = 1;
  for (let i = 0; i < depth; i++) value = [value];
  return value;
}

function deepObject(depth: number): unknown {
  let value: unknown = 1;
  for (let i = 0; i < depth; i++) value = { a: value };
  return value;
}

const hostileJson = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...HOSTILE_STRINGS) },
  { weight: 3, arbitrary: fc.constantFrom(...HOSTILE_NUMBERS) },
  { weight: 3, arbitrary: fc.constantFrom(...WRONG_TYPES) },
  { weight: 1, arbitrary: fc.constantFrom(ONE_MB, deepArray(2000), deepObject(2000)) },
  { weight: 1, arbitrary: fc.constantFrom(...HOSTILE_DATES, ...HOSTILE_UUIDS) },
);

/** Raw bodies that are not the JSON object an operation expects. */
const RAW_BODIES: Buffer[] = [
  '',
  ' ',
  '{',
  '{"name": ',
  '{"a":1}{',
  'null',
  '[]',
  '[{}]',
  '"a string"',
  '123',
  'true',
  '{"name":"a","name":"b"}',
  '{"__proto__":{"polluted":true}}',
  '{"constructor":{"prototype":{"polluted":true}}}',
  '\uFEFF{}',
  '{"a":1e999999}',
  '['.repeat(100_000) + ']'.repeat(100_000),
  '{"a":'.repeat(50_000) + '1' + '}'.repeat(50_000),
  `{"name":"${'z'.repeat(1_100_000)}"}`,
].map((text) => Buffer.from(text, 'utf8'));
RAW_BODIES.push(Buffer.from([0x7b, 0x22, 0x6e, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d]));
RAW_BODIES.push(Buffer.from('{"name":"\\ud800"}', 'utf8'));

/** `arbitrary` with the given probability, otherwise null. */
function sometimes<T>(arbitrary: fc.Arbitrary<T>, probability: number): fc.Arbitrary<T | null> {
  const weight = Math.round(probability * 100);
  return fc.oneof({ weight, arbitrary }, { weight: 100 - weight, arbitrary: fc.constant(null) });
}

const hex = (minLength: number, maxLength: number) =>
  fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), minLength, maxLength });

// ---- Values from schemas ------------------------------------------------------------------

export interface GenerationContext {
  document: OpenApiDocument;
  ids: SeededIds;
  /** False: only values the schema allows (so that valid requests reach the services too). */
  hostile: boolean;
}

function idsForField(ids: SeededIds, field: string): string[] {
  const all = [...ids.vendors, ...ids.people, ...ids.engagements, ...ids.reports];
  const milestones = ids.triples.map((triple) => triple.mid);
  const artifacts = ids.triples.map((triple) => triple.aid);
  const drills = ids.triples.map((triple) => triple.did);
  const sprints = ids.triples.map((triple) => triple.sid);
  if (/vendor/i.test(field)) return ids.vendors;
  if (/person|owner|recipient|acceptedBy|participant|observed|mentor|learner/i.test(field))
    return ids.people;
  if (/milestone|^mid$/i.test(field)) return milestones;
  if (/^aid$|artifact/i.test(field)) return artifacts;
  if (/^did$|drill/i.test(field)) return drills;
  if (/^sid$|sprint/i.test(field)) return sprints;
  if (/engagement/i.test(field)) return ids.engagements;
  return [...all, ...milestones, ...artifacts, ...drills, ...sprints];
}

function validString(context: GenerationContext, schema: Schema, field: string) {
  const { ids } = context;
  if (schema.format === 'uuid') {
    return fc.oneof(
      { weight: 4, arbitrary: fc.constantFrom(...idsForField(ids, field)) },
      { weight: 1, arbitrary: fc.uuid() },
    );
  }
  if (schema.format === 'date') {
    return fc.integer({ min: -400, max: 800 }).map((days) => addDays(todayUtc(), days));
  }
  if (schema.format === 'date-time') {
    return fc
      .date({ min: new Date('2000-01-01'), max: new Date('2100-01-01'), noInvalidDate: true })
      .map((date) => date.toISOString());
  }
  if (schema.format === 'email') {
    return fc.oneof(
      hex(1, 12).map((hex) => `fuzz-${hex}@example.com`),
      fc.emailAddress(),
    );
  }
  if (schema.format === 'uri') return fc.webUrl();
  if (/week/i.test(field)) {
    return context.hostile
      ? fc.oneof(fc.constantFrom(...ids.weeks), fc.constantFrom(...HOSTILE_WEEKS))
      : fc.constantFrom(...ids.weeks);
  }
  const max = schema.maxLength ?? 100;
  const min = Math.max(schema.minLength ?? 0, 1);
  const choices: fc.WeightedArbitrary<string>[] = [
    {
      weight: 2,
      arbitrary: fc.string({ minLength: min, maxLength: Math.min(max, 60), unit: 'grapheme' }),
    },
    { weight: 1, arbitrary: fc.string({ minLength: min, maxLength: Math.min(max, 30) }) },
    { weight: 1, arbitrary: fc.constant('x'.repeat(max)) },
  ];
  if (context.hostile) choices.push({ weight: 1, arbitrary: fc.constant('x'.repeat(max + 1)) });
  if (typeof schema.example === 'string') {
    choices.push({ weight: 4, arbitrary: fc.constant(schema.example) });
  }
  return fc.oneof(...choices);
}

function validNumber(context: GenerationContext, schema: Schema) {
  const min = schema.minimum ?? -1000;
  const max = schema.maximum ?? 1000;
  if (!context.hostile) return fc.integer({ min, max });
  return fc.oneof(
    fc.integer({ min, max }),
    fc.constantFrom(min, max, min - 1, max + 1),
    fc.double({ min, max, noNaN: true }),
  );
}

/** A value for `schema`: mostly valid, sometimes hostile, at every level. */
export function valueFor(
  context: GenerationContext,
  raw: Schema,
  field: string,
  depth = 0,
): fc.Arbitrary<unknown> {
  const schema = resolveSchema(context.document, raw);
  let valid: fc.Arbitrary<unknown>;
  if (schema.enum) {
    valid = fc.constantFrom(...schema.enum);
  } else if (schema.type === 'string') {
    valid = validString(context, schema, field);
  } else if (schema.type === 'number' || schema.type === 'integer') {
    valid = validNumber(context, schema);
  } else if (schema.type === 'boolean') {
    valid = fc.boolean();
  } else if (schema.type === 'array' && schema.items) {
    const items = valueFor(context, schema.items, field, depth + 1);
    const maxItems = schema.maxItems ?? 10;
    const usual = fc.array(items, { minLength: 1, maxLength: Math.min(maxItems, 4) });
    valid = context.hostile
      ? fc.oneof(
          { weight: 5, arbitrary: usual },
          {
            weight: 1,
            arbitrary: fc.array(items, { minLength: maxItems + 1, maxLength: maxItems + 1 }),
          },
        )
      : usual;
  } else if (schema.properties && depth < 4) {
    valid = objectFor(context, schema, depth);
  } else {
    valid = fc.constant({});
  }
  const withNull = schema.nullable ? fc.oneof(valid, fc.constant(null)) : valid;
  if (!context.hostile) return withNull;
  return fc.oneof({ weight: 10, arbitrary: withNull }, { weight: 1, arbitrary: hostileJson });
}

function objectFor(
  context: GenerationContext,
  schema: Schema,
  depth: number,
): fc.Arbitrary<Record<string, unknown>> {
  const properties = schema.properties ?? {};
  const model: Record<string, fc.Arbitrary<unknown>> = {};
  for (const [name, property] of Object.entries(properties)) {
    model[name] = valueFor(context, property, name, depth + 1);
  }
  const required = schema.required ?? [];
  // Valid requests carry every field, so that creations with a whole spec get through.
  const record = fc.record(model, {
    requiredKeys: context.hostile ? required : Object.keys(properties),
  });
  const h = context.hostile ? 1 : 0;
  return fc
    .tuple(
      record,
      sometimes(
        fc.constantFrom('unknownField', 'id', 'version', 'createdAt', '__proto__'),
        h * 0.1,
      ),
      sometimes(fc.constantFrom(...(required.length > 0 ? required : ['none'])), h * 0.1),
    )
    .map(([value, extra, dropped]) => {
      const result: Record<string, unknown> = { ...value };
      if (extra !== null) Object.defineProperty(result, extra, { value: 1, enumerable: true });
      if (dropped !== null) delete result[dropped];
      return result;
    });
}

// ---- Whole requests -----------------------------------------------------------------------

export type KeyChoice = Role | 'none' | 'garbage' | 'basic';

export interface FuzzCase {
  operation: Operation;
  role: KeyChoice;
  pathValues: Record<string, string>;
  query: [string, string][];
  headers: Record<string, string>;
  body?: { json: unknown } | { raw: Buffer };
  contentType?: string;
}

const HOSTILE_PATH_VALUES = [
  ...HOSTILE_UUIDS,
  '',
  ' ',
  '\u0000',
  'a'.repeat(120),
  'x'.repeat(20_000),
  '..',
  '2147483648',
  '-1',
  '1.5',
  '\uD800',
  '\u202Eevil',
  'null',
];

const ROLE_CHOICES: KeyChoice[] = [
  'admin',
  'procurement',
  'product_owner',
  'viewer',
  'integration',
  'reporter',
];

function pathValuesFor(context: GenerationContext, operation: Operation) {
  const names = operation.parameters.filter((p) => p.in === 'path').map((p) => p.name);
  if (names.length === 0) return fc.constant({} as Record<string, string>);
  const { ids } = context;
  const prefix = operation.path.split('/')[2];
  const poolFor = (name: string): string[] => {
    if (name === 'week') return ids.weeks;
    if (name !== 'id') return idsForField(ids, name);
    if (prefix === 'api-keys') return ids.apiKeys;
    if (prefix === 'vendors') return ids.vendors;
    if (prefix === 'people') return ids.people;
    if (prefix === 'reports') return ids.reports;
    return ids.engagements;
  };
  const one = (name: string): fc.Arbitrary<string> =>
    !context.hostile
      ? fc.constantFrom(...poolFor(name))
      : fc.oneof(
          { weight: 4, arbitrary: fc.constantFrom(...poolFor(name)) },
          { weight: 1, arbitrary: fc.uuid() },
          {
            weight: 2,
            arbitrary: fc.constantFrom(
              ...HOSTILE_PATH_VALUES,
              ...(name === 'week' ? HOSTILE_WEEKS : []),
            ),
          },
        );
  const independent = fc.record(Object.fromEntries(names.map((name) => [name, one(name)])));
  const nested = (['mid', 'aid', 'did', 'sid'] as const).filter((name) => names.includes(name));
  if (nested.length === 0) return independent;
  // Nested resources: most of the time a milestone, artifact, drill or learning sprint of that
  // very engagement.
  const coherent = fc.constantFrom(...ids.triples).map((triple) => ({
    id: triple.id,
    ...Object.fromEntries(nested.map((name) => [name, triple[name]])),
  }));
  if (!context.hostile) return coherent;
  return fc.oneof({ weight: 3, arbitrary: coherent }, { weight: 2, arbitrary: independent });
}

function queryValue(context: GenerationContext, parameter: Parameter): fc.Arbitrary<string> {
  return valueFor(context, parameter.schema, parameter.name).map((value) =>
    typeof value === 'string' ? value : JSON.stringify(value),
  );
}

function queryFor(context: GenerationContext, operation: Operation) {
  const parameters = operation.parameters.filter((p) => p.in === 'query');
  const each = parameters.map((parameter) => {
    const single = queryValue(context, parameter).map((v): [string, string][] => [
      [parameter.name, v],
    ]);
    // A repeated parameter arrives as an array.
    const repeated = fc
      .tuple(queryValue(context, parameter), queryValue(context, parameter))
      .map(([a, b]): [string, string][] => [
        [parameter.name, a],
        [parameter.name, b],
      ]);
    return sometimes(
      context.hostile
        ? fc.oneof({ weight: 8, arbitrary: single }, { weight: 1, arbitrary: repeated })
        : single,
      0.4,
    );
  });
  const unknown = sometimes(
    fc.constantFrom<[string, string]>(['unknown', '1'], ['__proto__', 'x'], ['limit[]', '5']),
    context.hostile ? 0.05 : 0,
  );
  return fc.tuple(fc.tuple(...each), unknown).map(([pairs, extra]) => {
    const query = pairs.flatMap((pair) => pair ?? []);
    if (extra) query.push(extra);
    return query;
  });
}

const IF_MATCH = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom('"1"', '"2"', '"3"') },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      '*',
      'W/"1"',
      '"abc"',
      '"-1"',
      '"1.5"',
      '""',
      '1',
      '"99999999999999999999"',
      `"${'9'.repeat(400)}"`,
      '"1", "2"',
    ),
  },
);

const IDEMPOTENCY_KEY = fc.oneof(
  { weight: 4, arbitrary: hex(8, 32) },
  { weight: 1, arbitrary: fc.constantFrom('', ' ', 'k'.repeat(256), 'caf\u00e9', 'a b') },
);

const ACCEPT = fc.constantFrom(
  'application/json',
  '*/*',
  'application/problem+json',
  'text/csv',
  'text/html',
  'text/markdown',
  'application/xml',
  'garbage;;q=x',
  'application/json;q=0',
);

const CONTENT_TYPES = [
  'text/plain',
  'application/x-www-form-urlencoded',
  'application/json; charset=utf-16',
  'application/json; charset=latin1',
  'multipart/form-data; boundary=x',
  'application/vnd.api+json',
  'application/jsonx',
  'APPLICATION/JSON',
];

function headersFor(context: GenerationContext, operation: Operation) {
  const names = operation.parameters.filter((p) => p.in === 'header').map((p) => p.name);
  const h = context.hostile ? 1 : 0;
  return fc
    .record({
      ifMatch: sometimes(context.hostile ? IF_MATCH : fc.constant('"1"'), 0.5),
      idempotencyKey: sometimes(context.hostile ? IDEMPOTENCY_KEY : hex(8, 32), 0.2),
      accept: sometimes(ACCEPT, h * 0.1),
      requestId: sometimes(fc.constantFrom('fuzz-1', 'bad id', 'x'.repeat(200)), h * 0.1),
    })
    .map(({ ifMatch, idempotencyKey, accept, requestId }) => {
      const headers: Record<string, string> = {};
      if (ifMatch !== null && names.includes('If-Match')) headers['If-Match'] = ifMatch;
      if (idempotencyKey !== null && operation.method === 'POST') {
        headers['Idempotency-Key'] = idempotencyKey;
      }
      if (accept !== null) headers.Accept = accept;
      if (requestId !== null) headers['X-Request-Id'] = requestId;
      return headers;
    });
}

function bodyFor(context: GenerationContext, operation: Operation) {
  const raw = fc.constantFrom(...RAW_BODIES).map((buffer) => ({ raw: buffer }));
  if (!operation.body) {
    const h = context.hostile ? 1 : 0;
    return sometimes(
      fc.oneof(raw, fc.constant({ json: {} }), fc.constant({ json: { a: 1 } })),
      h * 0.15,
    );
  }
  const json = valueFor(context, operation.body, 'body').map((value) => ({ json: value }));
  if (!context.hostile) return json;
  return fc.oneof(
    { weight: 10, arbitrary: json },
    { weight: 2, arbitrary: raw },
    { weight: 1, arbitrary: fc.constant(undefined) },
  );
}

function requestFor(context: GenerationContext, operation: Operation): fc.Arbitrary<FuzzCase> {
  const role = context.hostile
    ? fc.oneof(
        { weight: 30, arbitrary: fc.constantFrom(...ROLE_CHOICES) },
        { weight: 1, arbitrary: fc.constantFrom<KeyChoice>('none', 'garbage', 'basic') },
      )
    : fc.oneof(
        { weight: 2, arbitrary: fc.constant<KeyChoice>('admin') },
        { weight: 3, arbitrary: fc.constantFrom(...ROLE_CHOICES) },
      );
  return fc
    .record({
      role,
      pathValues: pathValuesFor(context, operation),
      query: queryFor(context, operation),
      headers: headersFor(context, operation),
      body: bodyFor(context, operation),
      contentType: sometimes(fc.constantFrom(...CONTENT_TYPES), context.hostile ? 0.06 : 0),
    })
    .map((parts) => ({
      operation,
      ...parts,
      body: parts.body ?? undefined,
      contentType: parts.contentType ?? undefined,
    }));
}

/**
 * A request to one of the document's operations: a third built only from values the schemas
 * allow (they reach the services and change data), the rest with hostile values mixed in.
 */
export function fuzzCase(
  context: Omit<GenerationContext, 'hostile'>,
  operations: Operation[],
): fc.Arbitrary<FuzzCase> {
  const perOperation = operations.map((operation) =>
    fc.oneof(
      { weight: 1, arbitrary: requestFor({ ...context, hostile: false }, operation) },
      { weight: 2, arbitrary: requestFor({ ...context, hostile: true }, operation) },
    ),
  );
  return fc.oneof(...perOperation);
}

/** Turns a case into the bytes to send, with the API key of its role. */
export function toRawRequest(fuzz: FuzzCase, keys: Record<Role, string>): RawRequest {
  let path = fuzz.operation.path.replace(/\{(\w+)\}/g, (_, name: string) =>
    encodeLoosely(fuzz.pathValues[name] ?? ''),
  );
  if (fuzz.query.length > 0) {
    path += `?${fuzz.query.map(([k, v]) => `${encodeLoosely(k)}=${encodeLoosely(v)}`).join('&')}`;
  }
  const headers = { ...fuzz.headers };
  if (fuzz.role === 'garbage') headers.Authorization = 'Bearer hov_notAKey';
  else if (fuzz.role === 'basic') headers.Authorization = 'Basic dXNlcjpwYXNz';
  else if (fuzz.role !== 'none') headers.Authorization = `Bearer ${keys[fuzz.role]}`;
  let body: Buffer | undefined;
  if (fuzz.body && 'raw' in fuzz.body) body = fuzz.body.raw;
  else if (fuzz.body) body = Buffer.from(JSON.stringify(fuzz.body.json) ?? '', 'utf8');
  if (body) headers['Content-Type'] = fuzz.contentType ?? 'application/json';
  return { method: fuzz.operation.method, path, headers, body };
}

/** A short, readable rendering of a value, with long strings and bodies cut. */
export function abbreviate(value: unknown, max = 600): string {
  const text =
    typeof value === 'string'
      ? value
      : Buffer.isBuffer(value)
        ? value.toString('utf8')
        : (JSON.stringify(value, (_key, item: unknown) =>
            typeof item === 'string' && item.length > 80
              ? `${item.slice(0, 40)}…(${item.length} chars)`
              : item,
          ) ?? String(value));
  return text.length > max ? `${text.slice(0, max)}…(${text.length} chars)` : text;
}

/** How a case shows in fast-check's counterexample: the request, not the generator's state. */
export function describeCase(fuzz: FuzzCase): string {
  const request = toRawRequest(fuzz, {
    admin: '<admin key>',
    procurement: '<procurement key>',
    product_owner: '<product_owner key>',
    viewer: '<viewer key>',
    integration: '<integration key>',
    reporter: '<reporter key>',
  });
  return [
    `${request.method} ${abbreviate(request.path, 300)}`,
    `headers: ${abbreviate(request.headers)}`,
    `body: ${request.body ? abbreviate(request.body) : '(none)'}`,
  ].join('\n  ');
}
