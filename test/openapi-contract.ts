import { readFileSync } from 'node:fs';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { Response, Test } from 'supertest';

// ajv-formats is CommonJS: its default export arrives wrapped under ESM.
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ??
  addFormatsModule) as typeof addFormatsModule.default;

type Schema = Record<string, unknown>;

interface MediaType {
  schema?: Schema;
}

interface HeaderObject {
  required?: boolean;
  schema?: Schema;
}

type Reference = { $ref: string };

interface ResponseObject {
  content?: Record<string, MediaType>;
  headers?: Record<string, HeaderObject | Reference>;
}

/** The reusable objects a reference may name, by their components section. */
interface ReusableObjects {
  responses: ResponseObject;
  headers: HeaderObject;
}

interface Operation {
  responses: Record<string, ResponseObject | Reference>;
}

export interface OpenApiDocument {
  openapi: string;
  paths: Record<string, Record<string, Operation>>;
  components?: {
    schemas?: Record<string, Schema>;
    headers?: Record<string, HeaderObject>;
    responses?: Record<string, ResponseObject>;
  };
}

/** What the checker needs to know about one HTTP exchange. */
export interface Exchange {
  method: string;
  /** The request path, with or without a query string. */
  url: string;
  status: number;
  headers: Record<string, string | string[] | undefined>;
  /** The raw response body. */
  text: string;
}

/** Routes the app serves that are deliberately not API operations (Swagger UI and its document). */
const UNDOCUMENTED_ROUTES = [/^\/docs(\/.*)?$/, /^\/docs-json$/, /^\/docs-yaml$/];

/** What a request that matches no operation may be answered: 404, or a refusal before routing. */
const UNROUTED_STATUSES = new Set([404, 400, 413, 415, 431]);

const PROBLEM_MEDIA_TYPE = 'application/problem+json';
const DEFINITIONS_ID = 'openapi-components';
const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

const isJsonMediaType = (mediaType: string) =>
  mediaType === 'application/json' || /^application\/[\w.+-]+\+json$/.test(mediaType);

/**
 * A copy of an OpenAPI 3.0 schema that Ajv can compile: component references point into one
 * registered schema, and objects that list their properties reject undocumented ones (a field
 * the document does not mention is as much a documentation error as a wrong type).
 */
function forValidation(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(forValidation);
  if (node === null || typeof node !== 'object') return node;
  const copy: Schema = {};
  for (const [key, value] of Object.entries(node)) {
    // Ajv cannot read a discriminator's `mapping`; the oneOf it annotates decides alone.
    if (key === 'discriminator') continue;
    if (key === '$ref' && typeof value === 'string') {
      copy.$ref = value.replace('#/components/schemas/', `${DEFINITIONS_ID}#/definitions/`);
    } else if (key === 'properties' && value && typeof value === 'object') {
      copy.properties = Object.fromEntries(
        Object.entries(value).map(([name, schema]) => [name, forValidation(schema)]),
      );
    } else {
      copy[key] = forValidation(value);
    }
  }
  if (copy.properties && copy.additionalProperties === undefined) {
    copy.additionalProperties = false;
  }
  return copy;
}

interface Template {
  path: string;
  pattern: RegExp;
  parameters: number;
}

/** Checks HTTP exchanges against an OpenAPI 3.0 document. */
export class OpenApiContract {
  private readonly ajv: Ajv;
  private readonly templates: Template[];
  private readonly validators = new Map<string, ValidateFunction>();

  constructor(private readonly document: OpenApiDocument) {
    if (!document.openapi.startsWith('3.0.')) {
      throw new Error(`Expected an OpenAPI 3.0 document, got ${document.openapi}`);
    }
    // Ajv's default draft-07 dialect plus OpenAPI 3.0's `nullable`, which Ajv implements.
    this.ajv = new Ajv({ allErrors: true, strict: true, strictTypes: false });
    this.ajv.addVocabulary(['example', 'xml', 'externalDocs']);
    addFormats(this.ajv);
    const definitions = Object.fromEntries(
      Object.entries(document.components?.schemas ?? {}).map(([name, schema]) => [
        name,
        forValidation(schema),
      ]),
    );
    this.ajv.addSchema({ $id: DEFINITIONS_ID, definitions });
    // Literal segments win over parameters: /v1/reports/weekly before /v1/reports/{id}.
    this.templates = Object.keys(document.paths)
      .map((path) => ({
        path,
        parameters: (path.match(/\{[^}]+\}/g) ?? []).length,
        pattern: new RegExp(
          `^${path
            .split(/\{[^}]+\}/)
            .map((literal) => literal.replace(/[.*+?^$()|[\]\\]/g, '\\$&'))
            .join('[^/]+')}$`,
        ),
      }))
      .sort((a, b) => a.parameters - b.parameters);
  }

  /** The documented path template and operation for a request, if any. */
  findOperation(
    method: string,
    path: string,
  ): { template: string; operation: Operation } | undefined {
    const lower = method.toLowerCase();
    for (const template of this.templates) {
      const operation = this.document.paths[template.path][lower];
      if (operation && HTTP_METHODS.includes(lower) && template.pattern.test(path)) {
        return { template: template.path, operation };
      }
    }
    return undefined;
  }

  /** Every way the exchange contradicts the document; empty when it conforms. */
  violations(exchange: Exchange): string[] {
    const path = exchange.url.replace(/^https?:\/\/[^/]+/, '').split('?')[0];
    if (UNDOCUMENTED_ROUTES.some((route) => route.test(path))) return [];
    const found = this.findOperation(exchange.method, path);
    const label = `${exchange.method.toUpperCase()} ${found?.template ?? path} → ${exchange.status}`;
    if (!found) {
      // Not an operation: the app must say so with a 404 problem, unless it refused the request
      // before routing it (a malformed URL or body, a body too large or of the wrong type, headers
      // too large), which it must answer as a problem too.
      if (!UNROUTED_STATUSES.has(exchange.status)) {
        return [
          `${label}: not a documented operation, yet answered ${exchange.status}, ` +
            `not 404 (or ${[...UNROUTED_STATUSES].filter((s) => s !== 404).join(', ')})`,
        ];
      }
      return this.checkBody(label, exchange, { content: this.problemContent() }, 'problem');
    }
    const { responses } = found.operation;
    const key = [String(exchange.status), `${String(exchange.status)[0]}XX`, 'default'].find(
      (candidate) => responses[candidate],
    );
    if (!key) {
      return [`${label}: status not documented (documented: ${Object.keys(responses).join(', ')})`];
    }
    const validatorKey = `${found.template} ${exchange.method.toLowerCase()} ${key}`;
    const response = this.resolveResponse(responses[key]);
    return [
      ...this.checkHeaders(label, exchange, response, validatorKey),
      ...this.checkBody(label, exchange, response, validatorKey),
    ];
  }

  /**
   * Compiles every JSON response schema up front (and every response header's, resolving
   * references); returns how many body schemas there are.
   */
  compileAll(): number {
    let count = 0;
    for (const [path, item] of Object.entries(this.document.paths)) {
      for (const [method, operation] of Object.entries(item)) {
        for (const [key, documented] of Object.entries(operation.responses ?? {})) {
          const response = this.resolveResponse(documented);
          for (const [name, header] of Object.entries(response.headers ?? {})) {
            const { schema } = this.resolveComponent('headers', header);
            if (schema) this.validator(`${path} ${method} ${key} header ${name}`, schema);
          }
          for (const [mediaType, media] of Object.entries(response.content ?? {})) {
            if (!isJsonMediaType(mediaType) || !media.schema) continue;
            this.validator(`${path} ${method} ${key} ${mediaType}`, media.schema);
            count += 1;
          }
        }
      }
    }
    return count;
  }

  private problemContent(): Record<string, MediaType> {
    return { [PROBLEM_MEDIA_TYPE]: { schema: { $ref: '#/components/schemas/ProblemDetails' } } };
  }

  /** The response object behind a `#/components/responses/…` reference, or the inline one. */
  resolveResponse(response: ResponseObject | Reference): ResponseObject {
    return this.resolveComponent('responses', response);
  }

  /** The object behind a `#/components/<kind>/…` reference, or the inline one. */
  private resolveComponent<Kind extends keyof ReusableObjects>(
    kind: Kind,
    node: ReusableObjects[Kind] | Reference,
  ): ReusableObjects[Kind] {
    if (!('$ref' in node)) return node;
    const prefix = `#/components/${kind}/`;
    const components = this.document.components?.[kind] as
      Record<string, ReusableObjects[Kind]> | undefined;
    const resolved = node.$ref.startsWith(prefix)
      ? components?.[node.$ref.slice(prefix.length)]
      : undefined;
    if (!resolved) throw new Error(`Unresolvable ${kind} reference ${node.$ref}`);
    return resolved;
  }

  /** Required headers are present, and every documented header sent matches its schema. */
  private checkHeaders(
    label: string,
    exchange: Exchange,
    response: ResponseObject,
    validatorKey: string,
  ): string[] {
    const problems: string[] = [];
    for (const [name, documented] of Object.entries(response.headers ?? {})) {
      const header = this.resolveComponent('headers', documented);
      const sent = exchange.headers[name.toLowerCase()];
      if (sent === undefined) {
        if (header.required) problems.push(`${label}: documented header ${name} is missing`);
        continue;
      }
      if (!header.schema) continue;
      const validate = this.validator(`${validatorKey} header ${name}`, header.schema);
      for (const value of Array.isArray(sent) ? sent : [sent]) {
        if (validate(fromHeaderValue(value, header.schema))) continue;
        problems.push(
          `${label}: header ${name} does not match the documented schema:\n` +
            formatErrors(validate.errors ?? []) +
            `\nvalue: ${JSON.stringify(value).slice(0, 200)}`,
        );
      }
    }
    return problems;
  }

  private checkBody(
    label: string,
    exchange: Exchange,
    response: ResponseObject,
    validatorKey: string,
  ): string[] {
    const contentType = String(exchange.headers['content-type'] ?? '');
    const mediaType = contentType.split(';')[0].trim().toLowerCase();
    const documented = response.content ?? {};
    if (Object.keys(documented).length === 0) {
      return exchange.text
        ? [`${label}: documented without a body, yet sent ${contentType || 'one'}`]
        : [];
    }
    const media = documented[mediaType];
    if (!media) {
      return [
        `${label}: content type "${contentType}" not documented ` +
          `(documented: ${Object.keys(documented).join(', ')})`,
      ];
    }
    // CSV, Markdown and HTML renderings: the media type is the contract.
    if (!isJsonMediaType(mediaType) || !media.schema) return [];
    let body: unknown;
    try {
      body = JSON.parse(exchange.text);
    } catch {
      return [`${label}: ${mediaType} body is not JSON: ${exchange.text.slice(0, 200)}`];
    }
    const validate = this.validator(`${validatorKey} ${mediaType}`, media.schema);
    if (validate(body)) return [];
    return [
      `${label} ${mediaType}: body does not match the documented schema:\n` +
        formatErrors(validate.errors ?? []) +
        `\nbody: ${JSON.stringify(body).slice(0, 600)}`,
    ];
  }

  /** What is wrong with `value` as an instance of `schema` (none: []), e.g. a documented example. */
  schemaProblems(key: string, schema: Schema, value: unknown): string[] {
    const validate = this.validator(`example ${key}`, schema);
    if (validate(value)) return [];
    return [`${key}:\n${formatErrors(validate.errors ?? [])}\nvalue: ${JSON.stringify(value)}`];
  }

  /** What is wrong with `value` as an instance of the component schema `name` (none: []). */
  componentProblems(name: string, value: unknown): string[] {
    const validate = this.validator(`component ${name}`, {
      $ref: `#/components/schemas/${name}`,
    });
    if (validate(value)) return [];
    return [`not a ${name}:\n${formatErrors(validate.errors ?? [])}`];
  }

  private validator(key: string, schema: Schema): ValidateFunction {
    let validate = this.validators.get(key);
    if (!validate) {
      validate = this.ajv.compile(forValidation(schema) as Schema);
      this.validators.set(key, validate);
    }
    return validate;
  }
}

/**
 * A header value as the type its schema documents: header values are strings on the wire, so
 * a decimal integer becomes a number for an integer schema (anything else stays a string and
 * fails the type check).
 */
function fromHeaderValue(value: string, schema: Schema): unknown {
  if (schema.type === 'integer' && /^-?\d+$/.test(value)) return Number(value);
  if (schema.type === 'number' && /^-?\d+(\.\d+)?$/.test(value)) return Number(value);
  if (schema.type === 'boolean' && (value === 'true' || value === 'false')) return value === 'true';
  return value;
}

const MAX_ERRORS_SHOWN = 20;

function formatErrors(errors: ErrorObject[]): string {
  const more = errors.length - MAX_ERRORS_SHOWN;
  const lines = errors.slice(0, MAX_ERRORS_SHOWN).map((error) => {
    const where = error.instancePath || '(root)';
    const extra =
      error.keyword === 'additionalProperties'
        ? ` "${(error.params as { additionalProperty: string }).additionalProperty}"`
        : error.keyword === 'enum'
          ? ` ${JSON.stringify((error.params as { allowedValues: unknown[] }).allowedValues)}`
          : '';
    return `  ${where} ${error.message}${extra}`;
  });
  if (more > 0) lines.push(`  … and ${more} more`);
  return lines.join('\n');
}

let shared: OpenApiContract | undefined;

/** The contract in the committed openapi.json, loaded once per test file. */
export function openApiContract(): OpenApiContract {
  shared ??= new OpenApiContract(
    JSON.parse(readFileSync(new URL('../openapi.json', import.meta.url), 'utf8')),
  );
  return shared;
}

/** Throws, naming every violation, when a supertest response contradicts openapi.json. */
export function assertMatchesContract(method: string, url: string, response: Response): void {
  const problems = openApiContract().violations({
    method,
    url,
    status: response.status,
    headers: response.headers,
    text: response.text ?? '',
  });
  if (problems.length > 0) {
    throw new Error(`Response contradicts openapi.json:\n${problems.join('\n')}`);
  }
}

const SUPERTEST_METHODS = new Set(['get', 'post', 'put', 'patch', 'delete', 'del', 'head']);

/**
 * Wraps a supertest agent so every request it makes checks its response against openapi.json:
 * a contradiction rejects the request's promise, failing the test that awaited it.
 */
export function contractChecked<T extends object>(agent: T): T {
  return new Proxy(agent, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver);
      if (typeof property !== 'string' || !SUPERTEST_METHODS.has(property)) return value;
      const method = property === 'del' ? 'delete' : property;
      return (url: string) =>
        (value as (url: string) => Test)
          .call(target, url)
          .expect((response: Response) => assertMatchesContract(method, url, response));
    },
  });
}

/**
 * fetch() for tests that need a real socket, with the response checked against openapi.json.
 * It has fetch's own signature, so it can stand in for it (e.g. in the generated client).
 */
export async function checkedFetch(
  input: string | URL | globalThis.Request,
  init: RequestInit = {},
): Promise<globalThis.Response> {
  const response = await fetch(input, init);
  const request = input instanceof globalThis.Request ? input : undefined;
  const problems = openApiContract().violations({
    method: init.method ?? request?.method ?? 'GET',
    url: request?.url ?? String(input),
    status: response.status,
    headers: Object.fromEntries(response.headers),
    text: await response.clone().text(),
  });
  if (problems.length > 0) {
    throw new Error(`Response contradicts openapi.json:\n${problems.join('\n')}`);
  }
  return response;
}
