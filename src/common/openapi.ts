import { addWebhookEventSchemas } from '../events/dto/event-payloads.dto.js';
import { STATUS_CODES } from 'node:http';
import { applyDecorators, type INestApplication } from '@nestjs/common';
import {
  ApiExtraModels,
  ApiResponse,
  DocumentBuilder,
  type OpenAPIObject,
  SwaggerModule,
  getSchemaPath,
} from '@nestjs/swagger';
import { DATE_LENGTH, DATE_TIME_MAX_LENGTH, UUID_LENGTH } from './dto-helpers.js';
import { addWriteExamples } from './openapi-examples.js';
import { PROBLEM_CONTENT_TYPE, ProblemDetails, ProblemItem } from './problem.js';

const PROBLEM_DESCRIPTIONS: Record<number, string> = {
  400: 'Invalid input: `errors` names each bad field',
  401: 'Missing, unknown, expired or revoked API key',
  403: "The API key's role may not do this",
  404: 'The resource in the path does not exist',
  406: 'The resource cannot be produced in a format the Accept header allows',
  409: 'Conflicts with the current state: `errors` lists each unmet precondition',
  412: 'If-Match does not match the current version; nothing was written',
  413: 'The request body is too large',
  415: 'The request body is not application/json',
  422: 'The request is well-formed but cannot be processed',
  429: 'Too many requests from this API key, or from this client address without a valid key; see Retry-After',
  431: "The request line and headers are larger than Node's limit (16 KiB by default)",
  500: 'Unexpected error; quote the requestId',
  503: 'The database is unreachable; see Retry-After',
};

/** The header ETagInterceptor sends with every body that carries a `version`. */
const ETAG_HEADER = {
  description: 'The version of the resource, `"<version>"`: send it back as If-Match',
  // A quoted integer version (at most 2^31 - 1, ten digits).
  schema: { type: 'string' as const, pattern: '^"[0-9]{1,10}"$', maxLength: 12, example: '"3"' },
};

function problemResponse(status: number) {
  return {
    description: PROBLEM_DESCRIPTIONS[status] ?? STATUS_CODES[status] ?? 'Error',
    // A 412 names the current version so the client can read the resource again.
    ...(status === 412 ? { headers: { ETag: ETAG_HEADER } } : {}),
    content: { [PROBLEM_CONTENT_TYPE]: { schema: { $ref: getSchemaPath(ProblemDetails) } } },
  };
}

/** Documents the problem responses specific to an operation (the common ones are added globally). */
export function ApiProblems(...statuses: number[]) {
  return applyDecorators(
    ApiExtraModels(ProblemDetails, ProblemItem),
    ...statuses.map((status) => ApiResponse({ status, ...problemResponse(status) })),
  );
}

const IDEMPOTENCY_KEY_PARAMETER = {
  name: 'Idempotency-Key',
  in: 'header' as const,
  required: false,
  description:
    'Makes the POST safe to retry: a repeat with the same key, path and body returns the first ' +
    'response; another path or body answers 422; a repeat while the first runs answers 409. ' +
    'Keys are scoped to the API key and expire after 24 hours.',
  schema: { type: 'string', maxLength: 255, example: '7c9e6679-7425-40de-944b-e07fc1f90ae7' },
};

const TAG_DESCRIPTIONS: Record<string, string> = {
  'API keys': 'Issue and revoke the keys that authenticate every /v1 request (admin only)',
  'Audit events': 'Who changed what and when, with each field before and after',
  Escalations: 'Dependency traps nobody acted on, and the acknowledgements that answer them',
  Events: 'The ordered feed of every change integrations care about',
  'Bulk data': 'Import engagements from a contract system or spreadsheet, and export the portfolio',
  Drills:
    'Evidence that internal people can operate a system without the vendor: planned and recorded drills',
  Engagements:
    'Outsourced engagements: spec, lifecycle (draft → active → completed) and exit clock',
  Health: 'Liveness and readiness probes, without an API key',
  Learning:
    'Learning sprints tied to a milestone, learning paths of people, and the playbook of lessons',
  'Knowledge-transfer artifacts':
    'What the vendor must hand over, delivered and accepted or rejected',
  Milestones: 'Dated milestones of an engagement, with every date change recorded',
  People: 'Product owners, trade-off owners and knowledge recipients',
  Reports: 'Weekly risk reports as JSON, CSV, Markdown or HTML',
  Risk: 'Dependency-trap risk of an engagement, the portfolio and a vendor',
  Vendors: 'The vendors engagements are outsourced to, with their track record',
  Webhooks: 'Signed deliveries of events to the URLs of other tools, with their delivery log',
};

/** Problems any authenticated operation may answer. */
const COMMON_PROBLEMS = [401, 403, 429, 500, 503];
const BODY_PROBLEMS = [400, 413, 415];

export function buildOpenApiDocument(app: INestApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('Handover API')
    .setDescription(
      'Tracks outsourced engineering engagements and enforces knowledge transfer as a contract ' +
        'deliverable. Every request under /v1 needs `Authorization: Bearer <API key>`. Errors are ' +
        'RFC 9457 problem+json documents.',
    )
    .setVersion('1')
    .setLicense('UNLICENSED (proprietary)', '')
    .addBearerAuth(
      // Not a JWT: an opaque secret issued by POST /v1/api-keys, stored only as a SHA-256 hash.
      { type: 'http', scheme: 'bearer', bearerFormat: 'opaque API key', description: 'An API key' },
      'apiKey',
    )
    .build();
  const document = SwaggerModule.createDocument(app, config, {
    extraModels: [ProblemDetails, ProblemItem],
    operationIdFactory: (controllerKey, methodKey) =>
      `${controllerKey.replace(/Controller$/, '')}_${methodKey}`,
  });
  addCommonResponses(document);
  describePathParameters(document);
  addETagHeaders(document);
  markOptionalBodies(document);
  addRateLimitHeaders(document);
  shareProblemResponses(document);
  addWriteExamples(document);
  addWebhookEventSchemas(document);
  tightenSchemas(document);
  delete document.info.license?.url;
  // Self-hosted inside the organisation: whichever host serves this document is the API.
  document.servers = [
    {
      url: '/',
      description: 'This deployment (local, staging or production): the host serving this document',
      'x-internal': true,
    } as OpenAPIObject['servers'] extends (infer S)[] | undefined ? S : never,
  ];
  document.tags = [
    ...new Set(
      Object.values(document.paths).flatMap((item) =>
        Object.values(item).flatMap((operation) => (operation as OperationObject).tags ?? []),
      ),
    ),
  ]
    .sort()
    .map((name) => ({ name, description: TAG_DESCRIPTIONS[name] }));
  return document;
}

/** What the id in a path names, by the collection segment in front of it. */
const PATH_RESOURCES: Record<string, string> = {
  'api-keys': 'API key',
  artifacts: 'knowledge-transfer artifact',
  deliveries: 'delivery',
  drills: 'drill',
  engagements: 'engagement',
  'learning-sprints': 'learning sprint',
  milestones: 'milestone',
  people: 'person',
  reports: 'weekly report',
  vendors: 'vendor',
  'webhook-endpoints': 'webhook endpoint',
};

/**
 * Describes each id in a path that no decorator described (UuidParam documents only its
 * format): `/v1/engagements/{id}/milestones/{mid}` names an engagement, then one of its milestones.
 */
function describePathParameters(document: OpenAPIObject): void {
  for (const [path, item] of Object.entries(document.paths)) {
    const segments = path.split('/');
    for (const operation of Object.values(item) as OperationObject[]) {
      for (const parameter of operation.parameters ?? []) {
        if ('$ref' in parameter || parameter.in !== 'path' || parameter.description) continue;
        const index = segments.indexOf(`{${parameter.name}}`);
        const resource = PATH_RESOURCES[segments[index - 1] ?? ''];
        if (!resource) continue;
        const parent = segments
          .slice(0, index - 1)
          .map((segment, at) => (segment.startsWith('{') ? PATH_RESOURCES[segments[at - 1]] : null))
          .filter(Boolean)
          .pop();
        parameter.description =
          `The \`id\` of the ${resource}` +
          (parent ? `; it must belong to the ${parent} in the path` : '');
      }
    }
  }
}

/** Documents the ETag header on every success response whose body carries a `version`. */
function addETagHeaders(document: OpenAPIObject): void {
  const schemas = document.components?.schemas ?? {};
  const isVersioned = (ref: string | undefined) => {
    const schema = ref ? schemas[ref.replace('#/components/schemas/', '')] : undefined;
    return Boolean(schema && 'properties' in schema && schema.properties?.version);
  };
  for (const item of Object.values(document.paths)) {
    for (const method of ['get', 'post', 'put', 'patch', 'delete'] as const) {
      for (const [status, response] of Object.entries(item[method]?.responses ?? {})) {
        if (!status.startsWith('2') || !response || !('content' in response)) continue;
        const schema = response.content?.['application/json']?.schema;
        if (schema && '$ref' in schema && isVersioned(schema.$ref)) {
          response.headers = { ...response.headers, ETag: ETAG_HEADER };
        }
      }
    }
  }
}

/**
 * A body whose fields are all optional may be left out (the API reads no body as `{}`): say so,
 * or generated clients demand one.
 */
function markOptionalBodies(document: OpenAPIObject): void {
  const schemas = document.components?.schemas ?? {};
  for (const item of Object.values(document.paths)) {
    for (const method of ['post', 'put', 'patch'] as const) {
      const body = item[method]?.requestBody;
      if (!body || !('content' in body)) continue;
      const schema = body.content['application/json']?.schema;
      const target =
        schema && '$ref' in schema
          ? schemas[schema.$ref.replace('#/components/schemas/', '')]
          : schema;
      if (target && !('$ref' in target) && !target.required?.length) body.required = false;
    }
  }
}

/** Adds the problems shared by all operations so every documented status is complete. */
function addCommonResponses(document: OpenAPIObject): void {
  for (const [path, item] of Object.entries(document.paths)) {
    const isApi = path.startsWith('/v1/');
    for (const method of ['get', 'post', 'put', 'patch', 'delete'] as const) {
      const operation = item[method];
      if (!operation) continue;
      // Content negotiation (406) applies to every route, the health probes included.
      const statuses = new Set([406, 431, 500, 503]);
      if (isApi) {
        COMMON_PROBLEMS.forEach((status) => statuses.add(status));
        operation.security = [{ apiKey: [] }];
      } else {
        // Health probes are public on purpose: orchestrators call them without a key.
        operation.security = [];
      }
      // Fastify parses a body sent with any method but GET, even to an operation that takes
      // none, so its refusals (malformed, too large, unsupported type) apply there too.
      if (operation.requestBody || method !== 'get') {
        BODY_PROBLEMS.forEach((status) => statuses.add(status));
      }
      if (isApi && method === 'post') {
        operation.parameters = [...(operation.parameters ?? []), IDEMPOTENCY_KEY_PARAMETER];
        [400, 409, 422].forEach((status) => statuses.add(status));
      }
      if (operation.parameters?.length) statuses.add(400);
      for (const status of statuses) {
        operation.responses[String(status)] ??= problemResponse(status);
      }
    }
  }
}

type OperationObject = NonNullable<OpenAPIObject['paths'][string]['get']>;
type HeaderObject = NonNullable<NonNullable<OpenAPIObject['components']>['headers']>[string];
interface SchemaNode {
  type?: string;
  format?: string;
  maxLength?: number;
  nullable?: boolean;
  enum?: unknown[];
}

const RATE_LIMIT_HEADERS: Record<string, HeaderObject> = {
  'RateLimit-Limit': {
    description:
      'Requests an API key may make per window (RATE_LIMIT_MAX). Sent with every answer to an ' +
      'authenticated request while rate limiting is on.',
    schema: { type: 'integer', format: 'int32', minimum: 1, maximum: 1_000_000 },
  },
  'RateLimit-Remaining': {
    description: 'Requests left in the current window for this API key',
    schema: { type: 'integer', format: 'int32', minimum: 0, maximum: 1_000_000 },
  },
  'RateLimit-Reset': {
    description: 'Seconds until the current window ends',
    schema: { type: 'integer', format: 'int32', minimum: 1, maximum: 86_400 },
  },
};

const RETRY_AFTER: HeaderObject = {
  description: 'Seconds to wait before retrying',
  required: true,
  schema: { type: 'integer', format: 'int32', minimum: 1, maximum: 86_400 },
};

/**
 * Statuses answered before the API key is known (the limit is per key), so without
 * RateLimit headers: a missing or bad key, and a body refused by the parser.
 */
const ANSWERED_BEFORE_AUTHENTICATION = new Set(['401', '413', '415', '431']);

/** Documents the headers the rate limiter (src/auth/auth.guard.ts) and 503 answers send. */
function addRateLimitHeaders(document: OpenAPIObject): void {
  document.components ??= {};
  document.components.headers = { ...RATE_LIMIT_HEADERS, 'Retry-After': RETRY_AFTER };
  const ref = (name: string) => ({ $ref: `#/components/headers/${name}` });
  for (const [path, item] of Object.entries(document.paths)) {
    // Only /v1 is rate limited: the health probes need no API key.
    const limited = path.startsWith('/v1/');
    for (const operation of Object.values(item) as OperationObject[]) {
      for (const [status, response] of Object.entries(operation.responses ?? {})) {
        const headers: Record<string, HeaderObject> = {};
        if (limited && /^[24]/.test(status) && !ANSWERED_BEFORE_AUTHENTICATION.has(status)) {
          Object.keys(RATE_LIMIT_HEADERS).forEach((name) => (headers[name] = ref(name)));
        }
        if (status === '429' || status === '503') headers['Retry-After'] = ref('Retry-After');
        if (Object.keys(headers).length === 0) continue;
        if (!response || '$ref' in response) continue;
        response.headers = { ...response.headers, ...headers };
      }
    }
  }
}

/**
 * Moves each problem response into components/responses, named for its status (`Conflict`),
 * and refers to it from every operation that answers it the same way. The API operations are
 * seen first, so the health probes' 406 (without RateLimit headers) is the variant; a response
 * an operation describes its own way stays inline.
 */
function shareProblemResponses(document: OpenAPIObject): void {
  document.components ??= {};
  const shared = (document.components.responses ??= {});
  const paths = Object.entries(document.paths).sort(
    ([a], [b]) => Number(b.startsWith('/v1/')) - Number(a.startsWith('/v1/')),
  );
  for (const [, item] of paths) {
    for (const operation of Object.values(item) as OperationObject[]) {
      for (const [status, response] of Object.entries(operation.responses ?? {})) {
        if (!(Number(status) >= 400) || !response || '$ref' in response) continue;
        if (!response.content?.[PROBLEM_CONTENT_TYPE]) continue;
        if (response.description !== problemResponse(Number(status)).description) continue;
        const base = (STATUS_CODES[status] ?? `Status ${status}`).replace(/[^A-Za-z]/g, '');
        const name = [base, `${base}WithoutRateLimitHeaders`].find(
          (candidate) =>
            !shared[candidate] || JSON.stringify(shared[candidate]) === JSON.stringify(response),
        );
        if (!name || (name !== base && response.headers?.['RateLimit-Limit'])) continue;
        shared[name] ??= response;
        operation.responses[status] = { $ref: `#/components/responses/${name}` };
      }
    }
  }
}

/** Longest value of each string format the API accepts or sends. */
const FORMAT_MAX_LENGTH: Record<string, number> = {
  uuid: UUID_LENGTH,
  date: DATE_LENGTH,
  'date-time': DATE_TIME_MAX_LENGTH,
  email: 320,
  uri: 2048,
};

/**
 * Completes what decorators cannot say: a nullable enum lists null among its values
 * (OpenAPI 3.0.3), and a string of a fixed format documents the format's length.
 */
function tightenSchemas(node: unknown): void {
  if (Array.isArray(node)) return node.forEach(tightenSchemas);
  if (node === null || typeof node !== 'object') return;
  const schema = node as SchemaNode;
  if (schema.nullable && Array.isArray(schema.enum) && !schema.enum.includes(null)) {
    schema.enum = [...schema.enum, null];
  }
  if (
    schema.type === 'string' &&
    schema.format &&
    schema.maxLength === undefined &&
    FORMAT_MAX_LENGTH[schema.format] !== undefined
  ) {
    schema.maxLength = FORMAT_MAX_LENGTH[schema.format];
  }
  Object.values(node).forEach(tightenSchemas);
}
