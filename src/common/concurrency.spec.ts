import { assertVersion, parseIfMatch } from './concurrency.js';
import { PreconditionFailedProblem, ValidationProblem } from './problem.js';

function thrownBy(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to throw');
}

describe('parseIfMatch', () => {
  it.each<[string, string, number]>([
    ['a strong ETag', '"3"', 3],
    ['a weak ETag', 'W/"3"', 3],
    ['a bare number', '3', 3],
    ['version 0', '"0"', 0],
    ['a multi-digit version', '"12345"', 12345],
    ['the largest 9-digit version', '"999999999"', 999_999_999],
    ['surrounding whitespace', '  "7"  ', 7],
    ['a weak ETag with whitespace', ' W/"7" ', 7],
    ['leading zeros', '"007"', 7],
  ])('reads %s (%j) as version %i', (_label, header, version) => {
    expect(parseIfMatch(header)).toBe(version);
  });

  it.each<[string, string | undefined]>([
    ['an absent header', undefined],
    ['the wildcard *', '*'],
    ['the wildcard with whitespace', ' * '],
  ])('expects no particular version for %s', (_label, header) => {
    expect(parseIfMatch(header)).toBeUndefined();
  });

  it.each<[string, string]>([
    ['an empty header', ''],
    ['whitespace only', '   '],
    ['garbage', 'abc'],
    ['a quoted word', '"abc"'],
    ['a negative number', '"-1"'],
    ['a fraction', '"1.5"'],
    ['a 10-digit number', '"1234567890"'],
    ['a huge number', '"99999999999999999999"'],
    ['an exponent', '"1e3"'],
    ['a lowercase weak prefix', 'w/"3"'],
    ['a list of ETags', '"3", "4"'],
    ['a quoted wildcard', '"*"'],
    ['a number followed by text', '"3"abc'],
    ['a number with an inner space', '"1 2"'],
  ])('rejects %s (%j) with a ValidationProblem naming If-Match', (_label, header) => {
    const error = thrownBy(() => parseIfMatch(header));
    expect(error).toBeInstanceOf(ValidationProblem);
    const { problem } = error as ValidationProblem;
    expect(problem.status).toBe(400);
    expect(problem.errors).toHaveLength(1);
    expect(problem.errors?.[0].field).toBe('If-Match');
    expect(problem.errors?.[0].message).toMatch(/If-Match/);
  });
});

describe('assertVersion', () => {
  it.each<[string, number | undefined, number]>([
    ['no version is expected', undefined, 3],
    ['no version is expected and the current one is 0', undefined, 0],
    ['the expected version is the current one', 3, 3],
    ['both versions are 0', 0, 0],
  ])('passes when %s', (_label, expected, current) => {
    expect(() => assertVersion(expected, current)).not.toThrow();
  });

  it.each<[string, number, number]>([
    ['the expected version is older', 2, 3],
    ['the expected version is newer', 4, 3],
    ['0 is expected but the current version is 1', 0, 1],
  ])('throws 412 with the current ETag when %s', (_label, expected, current) => {
    const error = thrownBy(() => assertVersion(expected, current));
    expect(error).toBeInstanceOf(PreconditionFailedProblem);
    const { problem } = error as PreconditionFailedProblem;
    expect(problem.status).toBe(412);
    expect(problem.type).toBe('precondition-failed');
    expect(problem.headers).toEqual({ ETag: `"${current}"` });
    expect(problem.detail).toContain(`current version ${current}`);
  });
});

describe('parseIfMatch with unbalanced quotes', () => {
  it.each(['"3', '3"', 'W/3'])('rejects %s', (header) => {
    expect(() => parseIfMatch(header)).toThrow(ValidationProblem);
  });
});
