import { readFileSync } from 'node:fs';

/**
 * Every operation, response and parameter in the committed openapi.json says, in a sentence,
 * what it is for: integrators read the reference and generated clients' doc comments, not the
 * source.
 */

interface Reference {
  $ref: string;
}
interface Parameter {
  name: string;
  in: string;
  description?: string;
  schema?: { type?: string } | Reference;
}
interface Response {
  description?: string;
}
interface Operation {
  summary?: string;
  description?: string;
  parameters?: (Parameter | Reference)[];
  responses?: Record<string, Response | Reference>;
}
interface Document {
  paths: Record<string, Record<string, unknown> & { parameters?: (Parameter | Reference)[] }>;
  components?: {
    parameters?: Record<string, Parameter | Reference>;
    responses?: Record<string, Response | Reference>;
  };
}

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

const document = JSON.parse(
  readFileSync(new URL('../openapi.json', import.meta.url), 'utf8'),
) as Document;

/** Follows local `$ref`s (`#/components/...`) to the object they name. */
function resolve<T>(node: T | Reference): T {
  let current: unknown = node;
  const seen = new Set<string>();
  while (current && typeof current === 'object' && '$ref' in current) {
    const ref = (current as Reference).$ref;
    if (seen.has(ref)) throw new Error(`circular $ref ${ref}`);
    seen.add(ref);
    current = ref
      .replace(/^#\//, '')
      .split('/')
      .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'))
      .reduce<unknown>((parent, key) => (parent as Record<string, unknown>)?.[key], document);
    if (current === undefined) throw new Error(`unresolvable $ref ${ref}`);
  }
  return current as T;
}

const described = (text: unknown) => typeof text === 'string' && text.trim().length > 0;

const operations = Object.entries(document.paths).flatMap(([path, item]) =>
  METHODS.filter((method) => item[method]).map((method) => ({
    name: `${method.toUpperCase()} ${path}`,
    operation: item[method] as Operation,
    pathParameters: item.parameters ?? [],
  })),
);

/** Every parameter: each operation's and path item's, and the reusable ones in components. */
const parameters: { where: string; parameter: Parameter }[] = [
  ...operations.flatMap(({ name, operation, pathParameters }) =>
    [...pathParameters, ...(operation.parameters ?? [])].map((parameter) => {
      const resolved = resolve(parameter);
      return { where: `${name} ${resolved.in} ${resolved.name}`, parameter: resolved };
    }),
  ),
  ...Object.entries(document.components?.parameters ?? {}).map(([key, parameter]) => ({
    where: `#/components/parameters/${key}`,
    parameter: resolve(parameter),
  })),
];

describe('openapi.json descriptions', () => {
  it('documents operations, responses and parameters to check', () => {
    expect(operations.length).toBeGreaterThan(40);
    expect(parameters.length).toBeGreaterThan(100);
  });

  it('gives every operation a description, not just a summary', () => {
    const undescribed = operations
      .filter(({ operation }) => !described(operation.description))
      .map(({ name }) => name);
    expect({ count: undescribed.length, undescribed }).toEqual({ count: 0, undescribed: [] });
  });

  it('gives every response a description', () => {
    const undescribed = [
      ...operations.flatMap(({ name, operation }) =>
        Object.entries(operation.responses ?? {})
          .filter(([, response]) => !described(resolve(response).description))
          .map(([status]) => `${name} → ${status}`),
      ),
      ...Object.entries(document.components?.responses ?? {})
        .filter(([, response]) => !described(resolve(response).description))
        .map(([key]) => `#/components/responses/${key}`),
    ];
    expect({ count: undescribed.length, undescribed }).toEqual({ count: 0, undescribed: [] });
  });

  it('gives every parameter a description, path and query parameters alike', () => {
    const undescribed = parameters
      .filter(({ parameter }) => !described(parameter.description))
      .map(({ where }) => where);
    expect({ count: undescribed.length, undescribed }).toEqual({ count: 0, undescribed: [] });
  });

  it('types every `limit` query parameter as an integer', () => {
    const limits = parameters.filter(
      ({ parameter }) => parameter.in === 'query' && parameter.name === 'limit',
    );
    expect(limits.length).toBeGreaterThan(0);
    const notInteger = limits
      .filter(({ parameter }) => resolve(parameter.schema ?? {})?.type !== 'integer')
      .map(({ where }) => where);
    expect({ count: notInteger.length, notInteger }).toEqual({ count: 0, notInteger: [] });
  });
});
