import {
  type CursorKind,
  type CursorPosition,
  type KeyColumn,
  decodeCursor,
  encodeCursor,
  Keyset,
  timeThenId,
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
  it.each<[string, CursorPosition, ('text' | 'real')[]]>([
    ['a timestamp and an id', ['2026-11-21T10:00:00.000Z', '1f2e'], ['text', 'text']],
    ['a number and an id', [42, 'abc'], ['real', 'text']],
    ['a single number', [0], ['real']],
    ['a negative fraction', [-1.5], ['real']],
    ['unicode text', ['clé ✓ 日本'], ['text']],
    ['an empty string', [''], ['text']],
    ['characters that need escaping in JSON', ['"\\/\n'], ['text']],
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

  it.each<[string, string, ('text' | 'real')[]]>([
    ['garbage that is not base64 JSON', 'not-a-cursor', ['text']],
    ['an empty cursor', '', ['text']],
    ['truncated JSON', base64url('["a",'), ['text', 'text']],
    ['a JSON object', base64url('{"k":["a"]}'), ['text']],
    ['a JSON string', base64url('"a"'), ['text']],
    ['a JSON number', base64url('1'), ['real']],
    ['JSON null', base64url('null'), ['text']],
    ['too few values', encodeCursor(['a']), ['text', 'text']],
    ['too many values', encodeCursor(['a', 'b', 'c']), ['text', 'text']],
    ['values for an empty shape', encodeCursor(['a']), []],
    ['a number where a string is expected', encodeCursor([1, 'b']), ['text', 'text']],
    ['a string where a number is expected', encodeCursor(['1']), ['real']],
    ['null in place of a value', base64url('[null]'), ['text']],
    ['a nested array in place of a value', base64url('[["a"]]'), ['text']],
    ['an object in place of a value', base64url('[{}]'), ['text']],
    ['a boolean in place of a value', base64url('[true]'), ['text']],
    ['a NUL character in a string', encodeCursor(['a\u0000b']), ['text']],
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
    expect(decodeCursor(page.nextCursor!, ['text', 'text'])).toEqual([
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
    ['a stored timestamp and a uuid', ['2026-11-21T10:00:00.000Z', ID], ['timestamptz', 'uuid']],
    [
      'a score, a timestamp and a uuid',
      [45, '2026-11-21T10:00:00.000Z', ID],
      ['int', 'timestamptz', 'uuid'],
    ],
    ['a calendar date', ['2028-02-29'], ['date']],
  ])('accepts %s', (_label, position, kinds) => {
    expect(decodeCursor(encodeCursor(position), kinds)).toEqual(position);
  });

  it.each<[string, CursorPosition, CursorKind[]]>([
    ['a day that does not exist', ['2026-02-30T00:00:00.000Z', ID], ['timestamptz', 'uuid']],
    ['year zero', ['0000-01-01T00:00:00.000Z', ID], ['timestamptz', 'uuid']],
    ['a date without a time', ['2026-01-01', ID], ['timestamptz', 'uuid']],
    ['an id that is not a uuid', ['2026-11-21T10:00:00.000Z', 'x'], ['timestamptz', 'uuid']],
    ['a fractional score', [1.5, '2026-11-21T10:00:00.000Z', ID], ['int', 'timestamptz', 'uuid']],
    ['an impossible date', ['2027-02-29'], ['date']],
  ])('refuses %s as a 400 naming cursor', (_label, position, kinds) => {
    expect(decodeError(encodeCursor(position), kinds).problem.errors).toEqual([
      { field: 'cursor', message: 'cursor must be a cursor returned by this list' },
    ]);
  });
});

describe('Keyset', () => {
  interface Row {
    score: number;
    at: string;
    id: string;
  }
  const ID = '1c9d2e3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f';
  const byScore = new Keyset<Row>([
    {
      sql: 't.score',
      kind: 'int',
      range: [0, 100],
      reversed: true,
      cursorValue: (row) => row.score,
    },
    { sql: 't.at', kind: 'timestamptz', cursorValue: (row) => row.at },
    { sql: 't.id', kind: 'uuid', cursorValue: (row) => row.id },
  ]);
  const newestFirst = new Keyset<Row>(
    [
      { sql: 't.at', kind: 'timestamptz', cursorValue: (row) => row.at },
      { sql: 't.id', kind: 'uuid', cursorValue: (row) => row.id },
    ],
    'DESC',
  );
  /** Names each value `$1`, `$2`, … as a fresh statement would. */
  const numbering = () => {
    const values: unknown[] = [];
    return (value: unknown) => `$${values.push(value)}`;
  };

  it('orders by every column in its direction, a reversed column through its negation', () => {
    expect(byScore.orderBy()).toBe('(-t.score) ASC, t.at ASC, t.id ASC');
    expect(newestFirst.orderBy()).toBe('t.at DESC, t.id DESC');
    expect(newestFirst.orderByCondition()).toEqual({ 't.at': 'DESC', 't.id': 'DESC' });
  });

  it('continues after a position with one row comparison over the same expressions', () => {
    expect(byScore.conditionAfter([40, '2026-11-21T10:00:00.000Z', ID], numbering())).toBe(
      '((-t.score), t.at, t.id) > ((-$1::int), $2::timestamptz, $3::uuid)',
    );
    expect(newestFirst.conditionAfter(['2026-11-21T10:00:00.000Z', ID], numbering())).toBe(
      '(t.at, t.id) < ($1::timestamptz, $2::uuid)',
    );
  });

  it('hands every value of the position to param, in column order', () => {
    const values: unknown[] = [];
    byScore.conditionAfter(
      [40, '2026-11-21T10:00:00.000Z', ID],
      (value) => `$${values.push(value)}`,
    );
    expect(values).toEqual([40, '2026-11-21T10:00:00.000Z', ID]);
  });

  it('points the next cursor at the key of the last row of the page', () => {
    const rows: Row[] = [
      { score: 90, at: '2026-11-21T10:00:00.000Z', id: ID },
      { score: 80, at: '2026-11-21T11:00:00.000Z', id: ID },
      { score: 70, at: '2026-11-21T12:00:00.000Z', id: ID },
    ];
    const page = byScore.page(rows, 2, (row) => row.score);
    expect(page.items).toEqual([90, 80]);
    expect(byScore.decode(page.nextCursor!)).toEqual([80, '2026-11-21T11:00:00.000Z', ID]);
  });

  it.each<[string, CursorPosition]>([
    ['a value above its range', [101, '2026-11-21T10:00:00.000Z', ID]],
    ['a value below its range', [-1, '2026-11-21T10:00:00.000Z', ID]],
    ['a value of the wrong kind', ['40', '2026-11-21T10:00:00.000Z', ID]],
    ['the key of another keyset', ['2026-11-21T10:00:00.000Z', ID]],
  ])('refuses a cursor holding %s as a 400 naming cursor', (_label, position) => {
    expect(() => byScore.decode(encodeCursor(position))).toThrow(ValidationProblem);
  });

  it.each<[string, number, CursorKind]>([
    ['an int beyond 32 bits', 2 ** 31, 'int'],
    ['a bigint beyond the safe integers', 2 ** 53, 'bigint'],
  ])('refuses %s', (_label, value, kind) => {
    expect(() => decodeCursor(encodeCursor([value]), [kind])).toThrow(ValidationProblem);
  });

  it('refuses a reversed value whose negation is not of its kind (-2^31 for an int)', () => {
    const mostFirst = new Keyset<Row>([
      { sql: 't.score', kind: 'int', reversed: true, cursorValue: (row) => row.score },
    ]);
    expect(() => mostFirst.decode(encodeCursor([-(2 ** 31)]))).toThrow(ValidationProblem);
    expect(mostFirst.decode(encodeCursor([-(2 ** 31) + 1]))).toEqual([-(2 ** 31) + 1]);
  });

  it('allows reversing numeric columns only (the compiler checks the uuid)', () => {
    const real: KeyColumn<Row> = {
      sql: 't.score',
      kind: 'real',
      reversed: true,
      cursorValue: (row) => row.score,
    };
    const uuid: KeyColumn<Row> = {
      sql: 't.id',
      kind: 'uuid',
      // @ts-expect-error: a uuid has no negation to order by.
      reversed: true,
      cursorValue: (row) => row.id,
    };
    expect(new Keyset([real]).orderBy()).toBe('(-t.score) ASC');
    expect(uuid.kind).toBe('uuid');
  });

  it('keys a list in time order by the timestamp, ties by id', () => {
    const byTime = new Keyset(
      timeThenId<{ at: Date; id: string }>('x.at', (row) => row.at, 'x.id'),
    );
    expect(byTime.orderBy()).toBe('x.at ASC, x.id ASC');
    const page = byTime.page(
      [{ at: new Date('2026-11-21T10:00:00Z'), id: ID }, {} as never],
      1,
      (row) => row.id,
    );
    expect(byTime.decode(page.nextCursor!)).toEqual(['2026-11-21T10:00:00.000Z', ID]);
  });

  it('reads no position from an absent cursor', () => {
    expect(byScore.positionOf(undefined)).toBeNull();
    expect(newestFirst.positionOf(encodeCursor(['2026-11-21T10:00:00.000Z', ID]))).toEqual([
      '2026-11-21T10:00:00.000Z',
      ID,
    ]);
  });
});
