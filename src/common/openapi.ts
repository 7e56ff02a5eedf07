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
  429: 'Too many requests for this API key; see Retry-After',
  500: 'Unexpected error; quote the requestId',
  503: 'The database is unreachable; see Retry-After',
};

/** The header ETagInterceptor sends with every body that carries a `version`. */
const ETAG_HEADER = {
  description: 'The version of the resource, `"<version>"`: send it back as If-Match',
  schema: { type: 'string' as const, example: '"3"' },
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

/** Problems any authenticated operation may answer. */
const COMMON_PROBLEMS = [401, 403, 406, 429, 500, 503];
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
    .addBearerAuth({ type: 'http', scheme: 'bearer', description: 'An API key' }, 'apiKey')
    .build();
  const document = SwaggerModule.createDocument(app, config, {
    extraModels: [ProblemDetails, ProblemItem],
    operationIdFactory: (controllerKey, methodKey) =>
      `${controllerKey.replace(/Controller$/, '')}_${methodKey}`,
  });
  addCommonResponses(document);
  addETagHeaders(document);
  return document;
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

/** Adds the problems shared by all operations so every documented status is complete. */
function addCommonResponses(document: OpenAPIObject): void {
  for (const [path, item] of Object.entries(document.paths)) {
    const isApi = path.startsWith('/v1/');
    for (const method of ['get', 'post', 'put', 'patch', 'delete'] as const) {
      const operation = item[method];
      if (!operation) continue;
      const statuses = new Set([500, 503]);
      if (isApi) {
        COMMON_PROBLEMS.forEach((status) => statuses.add(status));
        operation.security = [{ apiKey: [] }];
      }
      if (operation.requestBody) BODY_PROBLEMS.forEach((status) => statuses.add(status));
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
