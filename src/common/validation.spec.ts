import type { ValidationError } from '@nestjs/common';
import {
  findLoneSurrogates,
  findNulStrings,
  flattenValidationErrors,
  nestsDeeperThan,
} from './validation.js';

function validationError(
  property: string,
  constraints?: Record<string, string>,
  children: ValidationError[] = [],
): ValidationError {
  return { property, constraints, children };
}

describe('flattenValidationErrors', () => {
  it('returns no items for no errors', () => {
    expect(flattenValidationErrors([])).toEqual([]);
  });

  it('returns one item per constraint of a top-level property', () => {
    const errors = [
      validationError('name', {
        isString: 'name must be a string',
        maxLength: 'name must be shorter than or equal to 100 characters',
      }),
    ];
    expect(flattenValidationErrors(errors)).toEqual([
      { field: 'name', message: 'name must be a string' },
      { field: 'name', message: 'name must be shorter than or equal to 100 characters' },
    ]);
  });

  it('reports every property, in order', () => {
    const errors = [
      validationError('name', { isString: 'name must be a string' }),
      validationError('vendor', { isNotEmpty: 'vendor should not be empty' }),
    ];
    expect(flattenValidationErrors(errors).map((item) => item.field)).toEqual(['name', 'vendor']);
  });

  it('joins nested properties with dots and array indexes with brackets', () => {
    const errors = [
      validationError('spec', undefined, [
        validationError('successMetrics', undefined, [
          validationError('0', undefined, [
            validationError('name', { isNotEmpty: 'name should not be empty' }),
          ]),
          validationError('12', undefined, [
            validationError('target', { isNumber: 'target must be a number' }),
          ]),
        ]),
      ]),
    ];
    expect(flattenValidationErrors(errors)).toEqual([
      { field: 'spec.successMetrics[0].name', message: 'name should not be empty' },
      { field: 'spec.successMetrics[12].target', message: 'target must be a number' },
    ]);
  });

  it('reports a parent constraint before those of its children', () => {
    const errors = [
      validationError('spec', { isObject: 'spec must be an object' }, [
        validationError('title', { isString: 'title must be a string' }),
      ]),
    ];
    expect(flattenValidationErrors(errors)).toEqual([
      { field: 'spec', message: 'spec must be an object' },
      { field: 'spec.title', message: 'title must be a string' },
    ]);
  });

  it('indexes directly nested arrays one after another', () => {
    const errors = [
      validationError('matrix', undefined, [
        validationError('1', undefined, [validationError('2', { isInt: 'must be an integer' })]),
      ]),
    ];
    expect(flattenValidationErrors(errors)).toEqual([
      { field: 'matrix[1][2]', message: 'must be an integer' },
    ]);
  });

  it('prefixes paths with the given parent', () => {
    expect(flattenValidationErrors([validationError('name', { a: 'bad' })], 'body')).toEqual([
      { field: 'body.name', message: 'bad' },
    ]);
  });

  it('treats a property that merely contains digits as a name, not an index', () => {
    const errors = [validationError('spec', undefined, [validationError('item2', { a: 'bad' })])];
    expect(flattenValidationErrors(errors)[0].field).toBe('spec.item2');
  });

  it.each([
    [
      'a top-level unknown field',
      [validationError('extra', { whitelistValidation: 'x' })],
      'extra',
    ],
    [
      'a nested unknown field',
      [
        validationError('spec', undefined, [
          validationError('successMetrics', undefined, [
            validationError('0', undefined, [
              validationError('colour', {
                whitelistValidation: 'property colour should not exist',
              }),
            ]),
          ]),
        ]),
      ],
      'spec.successMetrics[0].colour',
    ],
  ])('names %s as not a known field by its full path', (_label, errors, field) => {
    expect(flattenValidationErrors(errors)).toEqual([
      { field, message: `${field} is not a known field` },
    ]);
  });

  it('ignores errors without constraints or children', () => {
    expect(flattenValidationErrors([{ property: 'name' } as ValidationError])).toEqual([]);
  });
});

describe('findLoneSurrogates', () => {
  it('finds unpaired high and low surrogates in values and keys', () => {
    expect(
      findLoneSurrogates({ a: 'x\ud83d', b: ['ok', '\udfffy'], ['k\ud800']: 'v' }, 'body'),
    ).toEqual(['body.a', 'body.b[1]', 'body.k\ud800']);
  });

  it('accepts paired surrogates (characters outside the BMP) and plain text', () => {
    expect(findLoneSurrogates({ a: '🚀 launch', b: 'naïve', c: 'עברית' })).toEqual([]);
  });
});

describe('findNulStrings', () => {
  const NUL = '\u0000';

  it.each([
    ['a clean string', 'hello'],
    ['an empty string', ''],
    ['a number', 42],
    ['a boolean', true],
    ['null', null],
    ['undefined', undefined],
    ['an empty object', {}],
    ['an empty array', []],
    ['a clean nested value', { a: ['x', { b: 'y' }], c: 1, d: null }],
    ['the two characters \\0 (not NUL)', 'a\\0b'],
  ])('finds nothing in %s', (_label, value) => {
    expect(findNulStrings(value)).toEqual([]);
  });

  it('names a top-level string "value" when there is no path', () => {
    expect(findNulStrings(`a${NUL}b`)).toEqual(['value']);
  });

  it('names a top-level string by the given path', () => {
    expect(findNulStrings(`a${NUL}`, 'name')).toEqual(['name']);
  });

  it('finds a NUL at the start or the end of a string', () => {
    expect(findNulStrings({ a: `${NUL}x`, b: `x${NUL}`, c: NUL })).toEqual(['a', 'b', 'c']);
  });

  it('reports paths of nested objects and arrays', () => {
    const value = {
      name: 'ok',
      spec: {
        title: `bad${NUL}`,
        successMetrics: [{ name: 'fine' }, { name: `x${NUL}y`, tags: ['a', `b${NUL}`] }],
      },
    };
    expect(findNulStrings(value)).toEqual([
      'spec.title',
      'spec.successMetrics[1].name',
      'spec.successMetrics[1].tags[1]',
    ]);
  });

  it('reports array items at the top level by index', () => {
    expect(findNulStrings(['ok', `x${NUL}`])).toEqual(['[1]']);
  });

  it('prefixes paths with the given path', () => {
    expect(findNulStrings({ q: `x${NUL}` }, 'filter')).toEqual(['filter.q']);
    expect(findNulStrings(['a', `x${NUL}`], 'tags')).toEqual(['tags[1]']);
  });

  it('reports a key that contains NUL', () => {
    expect(findNulStrings({ [`ba${NUL}d`]: 'clean' })).toEqual([`ba${NUL}d`]);
  });

  it('reports a nested key that contains NUL by its full path', () => {
    expect(findNulStrings({ spec: { [`k${NUL}`]: 1 } })).toEqual([`spec.k${NUL}`]);
  });

  it('reports both a NUL key and a NUL value under it', () => {
    expect(findNulStrings({ [`k${NUL}`]: `v${NUL}` })).toEqual([`k${NUL}`, `k${NUL}`]);
  });

  it('reports strings under a NUL key', () => {
    expect(findNulStrings({ [`k${NUL}`]: { inner: `v${NUL}` } })).toEqual([
      `k${NUL}`,
      `k${NUL}.inner`,
    ]);
  });

  it('reports every offending string, not only the first', () => {
    expect(findNulStrings({ a: NUL, b: [NUL, NUL], c: { d: NUL } })).toEqual([
      'a',
      'b[0]',
      'b[1]',
      'c.d',
    ]);
  });
});

describe('nestsDeeperThan', () => {
  const nested = (depth: number, wrap: (inner: unknown) => unknown): unknown => {
    let value: unknown = 'leaf';
    for (let i = 0; i < depth; i++) value = wrap(value);
    return value;
  };

  it.each([
    ['a scalar', 'text', 0],
    ['a flat object', { a: 1, b: 'x' }, 1],
    ['a spec with metrics', { spec: { successMetrics: [{ name: 'x' }] } }, 4],
  ])('accepts %s at its own depth', (_label, value, depth) => {
    expect(nestsDeeperThan(value, depth)).toBe(false);
    if (depth > 0) expect(nestsDeeperThan(value, depth - 1)).toBe(true);
  });

  it('counts arrays and objects alike', () => {
    expect(
      nestsDeeperThan(
        nested(33, (inner) => [inner]),
        32,
      ),
    ).toBe(true);
    expect(
      nestsDeeperThan(
        nested(32, (inner) => ({ a: inner })),
        32,
      ),
    ).toBe(false);
  });

  it('judges a body nested 100,000 levels deep without overflowing the stack', () => {
    expect(
      nestsDeeperThan(
        nested(100_000, (inner) => ({ a: inner })),
        32,
      ),
    ).toBe(true);
  });
});
