import { readFileSync } from 'node:fs';
import { openApiContract } from './openapi-contract.js';

/**
 * Every write in the committed openapi.json shows a whole request and a whole answer, and each
 * example is an instance of its own schema; problem responses are shared components.
 */

type Schema = Record<string, unknown>;
interface Media {
  schema?: Schema;
  example?: unknown;
}
interface Response {
  $ref?: string;
  description?: string;
  content?: Record<string, Media>;
}
interface Operation {
  requestBody?: { content: Record<string, Media> };
  responses: Record<string, Response>;
}

const document = JSON.parse(readFileSync(new URL('../openapi.json', import.meta.url), 'utf8')) as {
  paths: Record<string, Record<string, Operation>>;
  components: {
    responses?: Record<string, Response>;
    schemas: Record<string, { required?: string[] }>;
  };
};

const operations = Object.entries(document.paths).flatMap(([path, item]) =>
  Object.entries(item).map(([method, operation]) => ({
    name: `${method.toUpperCase()} ${path}`,
    method,
    path,
    operation,
  })),
);
const writes = operations.filter(({ method }) =>
  ['post', 'put', 'patch', 'delete'].includes(method),
);

/** The JSON bodies of a write: its request body and its success answers. */
function jsonBodies({ name, operation }: (typeof writes)[number]) {
  const request = operation.requestBody?.content['application/json'];
  return [
    ...(request ? [{ where: `${name} request`, media: request }] : []),
    ...Object.entries(operation.responses)
      .filter(([status, response]) => status.startsWith('2') && response.content)
      .flatMap(([status, response]) => {
        const media = response.content?.['application/json'];
        return media ? [{ where: `${name} → ${status}`, media }] : [];
      }),
  ];
}

describe('openapi.json examples', () => {
  it('has writes with JSON bodies to check', () => {
    expect(writes.length).toBeGreaterThan(30);
    expect(writes.flatMap(jsonBodies).length).toBeGreaterThan(50);
  });

  it('gives every write a request and a response example', () => {
    const missing = writes
      .flatMap(jsonBodies)
      .filter(({ media }) => media.example === undefined)
      .map(({ where }) => where);
    expect(missing).toEqual([]);
  });

  it('gives examples that match their own schemas', () => {
    const contract = openApiContract();
    const problems = writes
      .flatMap(jsonBodies)
      .flatMap(({ where, media }) =>
        media.schema ? contract.schemaProblems(where, media.schema, media.example) : [],
      );
    expect(problems).toEqual([]);
  });

  it('would refuse an example that breaks its schema', () => {
    const [{ where, media }] = jsonBodies(
      writes.find(({ name }) => name === 'POST /v1/engagements') ?? writes[0],
    );
    const broken = { ...(media.example as object), title: 42, undocumented: true };
    const problems = openApiContract().schemaProblems(where, media.schema ?? {}, broken);
    expect(problems.join()).toMatch(/title.*must be string/s);
    expect(problems.join()).toContain('undocumented');
  });
});

describe('openapi.json problem responses', () => {
  it('refers every operation to the shared problem responses in components', () => {
    const inline = operations.flatMap(({ name, operation }) =>
      Object.entries(operation.responses)
        .filter(([status, response]) => Number(status) >= 400 && !response.$ref)
        .map(([status, response]) => `${name} → ${status}: ${response.description}`),
    );
    // The one problem an operation describes its own way: the rows an import refuses.
    expect(inline).toEqual([
      'POST /v1/imports/engagements → 422: Rows that cannot be imported (every problem, with its row), or too many rows',
    ]);
    const shared = document.components.responses ?? {};
    expect(Object.keys(shared)).toEqual(
      expect.arrayContaining(['BadRequest', 'Unauthorized', 'NotFound', 'Conflict']),
    );
    for (const response of Object.values(shared)) {
      expect(response.content).toHaveProperty('application/problem+json');
    }
  });
});

describe('openapi.json request schemas', () => {
  it('requires at creation the spec fields a creation is refused without', () => {
    const { schemas } = document.components;
    expect(schemas.CreateSpecDto.required).toEqual([
      'problem',
      'successMetrics',
      'constraints',
      'tradeOffOwnerId',
    ]);
    // An import may name the trade-off owner by e-mail; a change names only what it changes.
    expect(schemas.ImportSpecDto.required).toEqual(['problem', 'successMetrics', 'constraints']);
    expect(schemas.SpecDto.required).toBeUndefined();
  });
});
