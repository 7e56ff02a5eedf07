import {
  type ArgumentMetadata,
  Injectable,
  Param,
  ParseUUIDPipe,
  type PipeTransform,
  ValidationPipe,
  type ValidationError,
} from '@nestjs/common';
import { ApiParam } from '@nestjs/swagger';
import { type ProblemItem, ValidationProblem } from './problem.js';

/** Flattens class-validator's nested errors into `{ field, message }`, one per constraint. */
export function flattenValidationErrors(errors: ValidationError[], parent = ''): ProblemItem[] {
  return errors.flatMap((error) => {
    const field = joinPath(parent, error.property);
    const own = Object.entries(error.constraints ?? {}).map(([constraint, message]) => ({
      field,
      message: constraint === 'whitelistValidation' ? `${field} is not a known field` : message,
    }));
    return [...own, ...flattenValidationErrors(error.children ?? [], field)];
  });
}

function joinPath(parent: string, property: string): string {
  if (/^\d+$/.test(property)) return `${parent}[${property}]`;
  return parent ? `${parent}.${property}` : property;
}

/** Deepest nesting of objects and arrays a request body may have; the DTOs need 3. */
export const MAX_BODY_DEPTH = 32;

/**
 * True when `value` nests objects or arrays more than `maxDepth` levels deep. Iterative, so
 * that a hostile body cannot overflow the stack here (the recursive walks after it could).
 */
export function nestsDeeperThan(value: unknown, maxDepth: number): boolean {
  const pending: [unknown, number][] = [[value, 1]];
  while (pending.length > 0) {
    const [item, depth] = pending.pop() as [unknown, number];
    if (item === null || typeof item !== 'object') continue;
    if (depth > maxDepth) return true;
    for (const child of Object.values(item)) pending.push([child, depth + 1]);
  }
  return false;
}

/** Paths of every string in `value`, keys included, for which `test` holds. */
function findStrings(value: unknown, test: (text: string) => boolean, path: string): string[] {
  if (typeof value === 'string') return test(value) ? [path || 'value'] : [];
  if (Array.isArray(value))
    return value.flatMap((item, index) => findStrings(item, test, `${path}[${index}]`));
  if (value !== null && typeof value === 'object') {
    return Object.entries(value).flatMap(([key, item]) => [
      ...(test(key) ? [joinPath(path, key)] : []),
      ...findStrings(item, test, joinPath(path, key)),
    ]);
  }
  return [];
}

/** Paths of every string in `value` that contains a NUL character, which PostgreSQL refuses. */
export function findNulStrings(value: unknown, path = ''): string[] {
  return findStrings(value, (text) => text.includes('\u0000'), path);
}

// A UTF-16 surrogate without its partner (JSON allows "\udfff"): not a character, so it cannot
// be stored as UTF-8 unchanged, and validators that encode it throw.
const LONE_SURROGATE = /\p{Cs}/u;

/** Paths of every string in `value` with an unpaired surrogate. */
export function findLoneSurrogates(value: unknown, path = ''): string[] {
  return findStrings(value, (text) => LONE_SURROGATE.test(text), path);
}

/** Checks and transforms a body or query as the global pipe does: every problem at once. */
const inputValidation = new ValidationPipe({
  whitelist: true,
  forbidNonWhitelisted: true,
  transform: true,
  transformOptions: { enableImplicitConversion: false },
  validationError: { target: false, value: false },
  exceptionFactory: (errors) => new ValidationProblem(flattenValidationErrors(errors)),
});

/**
 * A body DTO class with rules over the whole body that its fields' decorators cannot say
 * (the engagement spec, judged whole). They run once, in the same step as the decorators and
 * whether or not those pass, so that one 400 names everything.
 */
export interface JudgedBody {
  judgeBody(body: Record<string, unknown>, problems: ProblemItem[]): ProblemItem[];
}

const isJudgedBody = (metatype: unknown): metatype is JudgedBody =>
  typeof (metatype as Partial<JudgedBody> | undefined)?.judgeBody === 'function';

/** Checks and transforms an input with the global pipe's options, and a body's own rules. */
async function validateInput(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
  const { metatype } = metadata;
  if (metadata.type !== 'body' || !isJudgedBody(metatype)) {
    return inputValidation.transform(value, metadata);
  }
  const { input, problems } = await checkBody(metatype as new () => unknown, value);
  if (problems.length > 0) throw new ValidationProblem(problems);
  return input;
}

/**
 * A body checked as the pipe checks it, without throwing: every problem, and the transformed
 * input whenever its fields pass (its whole-body rules may still fail, and a caller may check
 * more of it). `knownProblems`, found before (a CSV cell's format), are not named again.
 */
export async function checkBody<T>(
  metatype: new () => T,
  value: unknown,
  knownProblems: ProblemItem[] = [],
): Promise<{ input?: T; problems: ProblemItem[] }> {
  let problems: ProblemItem[] = [];
  let input: T | undefined;
  try {
    input = (await inputValidation.transform(value, { type: 'body', metatype })) as T;
  } catch (error) {
    if (!(error instanceof ValidationProblem)) throw error;
    problems = error.problem.errors ?? [];
  }
  const judged = isJudgedBody(metatype)
    ? metatype.judgeBody(value as Record<string, unknown>, [...knownProblems, ...problems])
    : [];
  return { input, problems: [...problems, ...judged] };
}

/** Strings PostgreSQL cannot store: NUL characters and unpaired surrogates, keys included. */
export function unstorableProblems(value: unknown, prefix = ''): ProblemItem[] {
  return [
    ...findNulStrings(value, prefix).map((field) => ({
      field,
      message: `${field} must not contain NUL characters`,
    })),
    ...findLoneSurrogates(value, prefix).map((field) => ({
      field,
      message: `${field} must be valid Unicode (it has an unpaired surrogate)`,
    })),
  ];
}

/**
 * The global input pipe: rejects NUL characters and unpaired surrogates anywhere, unknown fields, and every
 * constraint of the DTO, reporting all problems at once as a 400 problem.
 */
@Injectable()
export class InputValidationPipe implements PipeTransform {
  async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    if (metadata.type === 'custom') return value;
    const prefix =
      metadata.type === 'param' || metadata.type === 'query' ? (metadata.data ?? '') : '';
    const unstorable = unstorableProblems(value, prefix);
    if (unstorable.length > 0) throw new ValidationProblem(unstorable);
    if (metadata.type === 'body' && metadata.metatype) {
      // No body is an empty object: required fields are then named one by one.
      if (value === undefined) return validateInput({}, metadata);
      if (value === null || typeof value !== 'object' || Array.isArray(value)) {
        throw new ValidationProblem([{ field: 'body', message: 'the body must be a JSON object' }]);
      }
    }
    return validateInput(value, metadata);
  }
}

/** A uuid path parameter; anything else is a 400 naming the parameter, never a database error. */
export const UuidParam =
  (name: string): ParameterDecorator =>
  (target, method, index) => {
    Param(
      name,
      new ParseUUIDPipe({
        exceptionFactory: () =>
          new ValidationProblem([{ field: name, message: `${name} must be a UUID` }]),
      }),
    )(target, method, index);
    // Documents the parameter as what the pipe accepts.
    if (method === undefined) return;
    const descriptor = Object.getOwnPropertyDescriptor(target, method);
    if (descriptor) {
      ApiParam({ name, schema: { type: 'string', format: 'uuid', maxLength: 36 } })(
        target,
        method,
        descriptor,
      );
    }
  };
