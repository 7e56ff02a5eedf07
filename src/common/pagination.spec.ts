import {
  type CursorKind,
  type CursorPosition,
  decodeCursor,
  encodeCursor,
  toPage,
} from './pagination.js';
import { ValidationProblem } from './problem.js';

const base64url = (text: string): string => Buffer.from(text, 'utf8').toString('base64url');

function decodeError(cursor: string, expected: CursorKind[]): ValidationProblem {
  try {
    decodeCursor(cursor, expected);
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationProblem);
    return error as ValidationProblem;
  }
  throw new Error('expected decodeCursor to throw a ValidationProblem');
}

describe('encodeCursor / decodeCursor', () => {
  it.each<[string, CursorPosition, ('string' | 'number')[]]>([
    ['a timestamp and an id', ['2026-11-21T10:00:00.000Z', '1f2e'], ['string', 'string']],
    ['a number and an id', [42, 'abc'], ['number', 'string']],
    ['a single number', [0], ['number']],
    ['a negative fraction', [-1.5], ['number']],
    ['unicode text', ['clé ✓ 日本'], ['string']],
    ['an empty string', [''], ['string']],
    ['characters that need escaping in JSON', ['"\\/\n'], ['string']],
    ['no values', [], []],
  ])('round-trips %s', (_label, position, expected) => {
    expect(decodeCursor(encodeCursor(position), expected)).toEqual(position);
  });

  it('encodes as URL-safe base64 without padding', () => {
    const cursor = encodeCursor(['2026-11-21T10:00:00.000Z', '1f2e??>>']);
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
  });

  it('encodes the JSON array of the position', () => {
    expect(Buffer.from(encodeCursor(['a', 1]), 'base64url').toString('utf8')).toBe('["a",1]');
  });

  it.each<[string, string, ('string' | 'number')[]]>([
    ['garbage that is not base64 JSON', 'not-a-cursor', ['string']],
    ['an empty cursor', '', ['string']],
    ['truncated JSON', base64url('["a",'), ['string', 'string']],
    ['a JSON object', base64url('{"k":["a"]}'), ['string']],
    ['a JSON string', base64url('"a"'), ['string']],
    ['a JSON number', base64url('1'), ['number']],
    ['JSON null', base64url('null'), ['string']],
    ['too few values', encodeCursor(['a']), ['string', 'string']],
    ['too many values', encodeCursor(['a', 'b', 'c']), ['string', 'string']],
    ['values for an empty shape', encodeCursor(['a']), []],
    ['a number where a string is expected', encodeCursor([1, 'b']), ['string', 'string']],
    ['a string where a number is expected', encodeCursor(['1']), ['number']],
    ['null in place of a value', base64url('[null]'), ['string']],
    ['a nested array in place of a value', base64url('[["a"]]'), ['string']],
    ['an object in place of a value', base64url('[{}]'), ['string']],
    ['a boolean in place of a value', base64url('[true]'), ['string']],
    ['a NUL character in a string', encodeCursor(['a\u0000b']), ['string']],
  ])('rejects %s with a ValidationProblem naming cursor', (_label, cursor, expected) => {
    const problem = decodeError(cursor, expected);
    expect(problem.problem).toMatchObject({
      status: 400,
      type: 'validation',
      errors: [{ field: 'cursor', message: 'cursor must be a cursor returned by this list' }],
    });
    expect(problem.message).toBe('Invalid cursor: cursor must be a cursor returned by this list');
  });
});

describe('toPage', () => {
  interface Row {
    id: string;
    createdAt: string;
  }
  const rows = (count: number): Row[] =>
    Array.from({ length: count }, (_, i) => ({
      id: `id-${i}`,
      createdAt: `2026-11-21T10:00:0${i}.000Z`,
    }));
  const position = (row: Row): CursorPosition => [row.createdAt, row.id];
  const toItem = (row: Row): string => row.id;

  it('returns every row and no next cursor when there are fewer rows than the limit', () => {
    expect(toPage(rows(2), 3, position, toItem)).toEqual({
      items: ['id-0', 'id-1'],
      nextCursor: null,
    });
  });

  it('returns no next cursor when the rows exactly fill the limit', () => {
    expect(toPage(rows(3), 3, position, toItem)).toEqual({
      items: ['id-0', 'id-1', 'id-2'],
      nextCursor: null,
    });
  });

  it('drops the extra row and points the next cursor at the last row of the page', () => {
    const page = toPage(rows(4), 3, position, toItem);
    expect(page.items).toEqual(['id-0', 'id-1', 'id-2']);
    expect(page.nextCursor).toBe(encodeCursor(['2026-11-21T10:00:02.000Z', 'id-2']));
    expect(decodeCursor(page.nextCursor!, ['string', 'string'])).toEqual([
      '2026-11-21T10:00:02.000Z',
      'id-2',
    ]);
  });

  it('returns an empty page without a cursor for no rows', () => {
    expect(toPage([], 50, position, toItem)).toEqual({ items: [], nextCursor: null });
  });

  it('maps rows to items with toItem', () => {
    const page = toPage(rows(1), 5, position, (row) => ({ key: row.id.toUpperCase() }));
    expect(page.items).toEqual([{ key: 'ID-0' }]);
  });

  it('computes the position only of the last row on the page', () => {
    const seen: string[] = [];
    toPage(
      rows(6),
      5,
      (row) => {
        seen.push(row.id);
        return [row.id];
      },
      toItem,
    );
    expect(seen).toEqual(['id-4']);
  });
});

describe('decodeCursor kinds', () => {
  const ID = '1c9d2e3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f';

  it.each<[string, CursorPosition, CursorKind[]]>([
    ['a stored timestamp and a uuid', ['2026-11-21T10:00:00.000Z', ID], ['timestamp', 'uuid']],
    [
      'a score, a timestamp and a uuid',
      [45, '2026-11-21T10:00:00.000Z', ID],
      ['integer', 'timestamp', 'uuid'],
    ],
    ['a calendar date', ['2028-02-29'], ['date']],
  ])('accepts %s', (_label, position, kinds) => {
    expect(decodeCursor(encodeCursor(position), kinds)).toEqual(position);
  });

  it.each<[string, CursorPosition, CursorKind[]]>([
    ['a day that does not exist', ['2026-02-30T00:00:00.000Z', ID], ['timestamp', 'uuid']],
    ['year zero', ['0000-01-01T00:00:00.000Z', ID], ['timestamp', 'uuid']],
    ['a date without a time', ['2026-01-01', ID], ['timestamp', 'uuid']],
    ['an id that is not a uuid', ['2026-11-21T10:00:00.000Z', 'x'], ['timestamp', 'uuid']],
    ['a fractional score', [1.5, '2026-11-21T10:00:00.000Z', ID], ['integer', 'timestamp', 'uuid']],
    ['an impossible date', ['2027-02-29'], ['date']],
  ])('refuses %s as a 400 naming cursor', (_label, position, kinds) => {
    expect(decodeError(encodeCursor(position), kinds).problem.errors).toEqual([
      { field: 'cursor', message: 'cursor must be a cursor returned by this list' },
    ]);
  });
});
