import type { OpenAPIObject } from '@nestjs/swagger';

/**
 * Operation-level examples on every write, made from the examples the DTOs' properties carry
 * (the one place an example is written): Swagger UI and generated clients show a whole request
 * and a whole answer, not one field at a time.
 */

interface SchemaNode {
  $ref?: string;
  type?: string;
  format?: string;
  example?: unknown;
  enum?: unknown[];
  default?: unknown;
  minimum?: number;
  minItems?: number;
  nullable?: boolean;
  properties?: Record<string, SchemaNode>;
  required?: string[];
  items?: SchemaNode;
  allOf?: SchemaNode[];
  oneOf?: SchemaNode[];
  anyOf?: SchemaNode[];
}

/**
 * Which properties of an object an example shows: a request shows what it must send and what
 * the DTO gives an example of; an answer shows every field it carries.
 */
type Shown = 'all' | 'required-and-exemplified';

/** Deeper than any schema of the API: a self-referencing schema ends here. */
const MAX_DEPTH = 8;

/** An example of each string format whose properties carry none of their own. */
const FORMAT_EXAMPLES: Record<string, string> = {
  uuid: '3f2b8c1e-6d4a-4e7b-9a0c-1d2e3f4a5b6c',
  date: '2026-12-01',
  'date-time': '2026-12-01T09:30:00.000Z',
  uri: 'https://tools.example.com/hooks/handover',
  email: 'ada@example.com',
};

const WRITE_METHODS = ['post', 'put', 'patch', 'delete'] as const;

export function addWriteExamples(document: OpenAPIObject): void {
  const schemas = (document.components?.schemas ?? {}) as Record<string, SchemaNode>;
  const resolve = (schema: SchemaNode): SchemaNode =>
    schema.$ref ? resolve(schemas[schema.$ref.replace('#/components/schemas/', '')] ?? {}) : schema;

  /** Whether the schema, or a part or property below it, says what a value looks like. */
  const exemplified = (schema: SchemaNode, depth = 0): boolean => {
    const target = resolve(schema);
    if (target.example !== undefined || target.enum) return true;
    if (depth > MAX_DEPTH) return false;
    return [
      ...(target.allOf ?? []),
      ...(target.oneOf ?? []),
      ...(target.anyOf ?? []),
      ...(target.items ? [target.items] : []),
      ...Object.values(target.properties ?? {}),
    ].some((child) => exemplified(child, depth + 1));
  };

  const exampleOf = (schema: SchemaNode, shown: Shown, depth = 0): unknown => {
    const target = resolve(schema);
    if (target.example !== undefined) return target.example;
    if (depth > MAX_DEPTH) return null;
    if (target.allOf) {
      const parts = target.allOf.map((part) => exampleOf(part, shown, depth));
      // A wrapper around one schema (a nullable $ref) is that schema's example; parts of an
      // object are merged.
      if (parts.length === 1) return parts[0];
      return Object.assign({}, ...parts.filter((part) => typeof part === 'object' && part));
    }
    const alternative = target.oneOf?.[0] ?? target.anyOf?.[0];
    if (alternative) return exampleOf(alternative, shown, depth);
    if (target.enum) return target.enum.find((value) => value !== null) ?? null;
    if (target.default !== undefined) return target.default;
    if (target.properties || target.type === 'object') {
      const required = new Set(target.required ?? []);
      const entries = Object.entries(target.properties ?? {}).filter(
        ([name, child]) => shown === 'all' || required.has(name) || exemplified(child, depth + 1),
      );
      return Object.fromEntries(
        entries.map(([name, child]) => [name, exampleOf(child, shown, depth + 1)]),
      );
    }
    if (target.type === 'array') {
      const item = target.items ? exampleOf(target.items, shown, depth + 1) : null;
      return Array.from({ length: Math.max(1, target.minItems ?? 1) }, () => item);
    }
    if (target.type === 'integer' || target.type === 'number') return target.minimum ?? 1;
    if (target.type === 'boolean') return true;
    if (target.type === 'string') return FORMAT_EXAMPLES[target.format ?? ''] ?? 'text';
    return null;
  };

  for (const item of Object.values(document.paths)) {
    for (const method of WRITE_METHODS) {
      const operation = item[method];
      if (!operation) continue;
      const body = operation.requestBody;
      if (body && 'content' in body) {
        const media = body.content['application/json'];
        if (media?.schema && media.example === undefined) {
          media.example = exampleOf(media.schema as SchemaNode, 'required-and-exemplified');
        }
      }
      for (const [status, response] of Object.entries(operation.responses)) {
        if (!status.startsWith('2') || !response || '$ref' in response) continue;
        const media = response.content?.['application/json'];
        if (media?.schema && media.example === undefined) {
          media.example = exampleOf(media.schema as SchemaNode, 'all');
        }
      }
    }
  }
}
