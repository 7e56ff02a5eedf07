import { applyDecorators, type Type } from '@nestjs/common';
import type { ObjectLiteral, SelectQueryBuilder } from 'typeorm';
import { ApiExtraModels, ApiOkResponse, ApiPropertyOptional, getSchemaPath } from '@nestjs/swagger';
import { Type as TransformType } from 'class-transformer';
import { IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';
import { isCalendarDate } from './dto-helpers.js';
import { ValidationProblem } from './problem.js';

export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 200;
const MAX_CURSOR_LENGTH = 512;
const CURSOR_PATTERN = /^[A-Za-z0-9_-]+$/;

export class PageQuery {
  @ApiPropertyOptional({
    type: 'integer',
    format: 'int32',
    minimum: 1,
    maximum: MAX_PAGE_SIZE,
    default: DEFAULT_PAGE_SIZE,
    example: 50,
    description: `How many items to return at most, 1–${MAX_PAGE_SIZE} (default ${DEFAULT_PAGE_SIZE}); another value answers 400`,
  })
  @IsOptional()
  @TransformType(() => Number)
  @IsInt({ message: 'limit must be a whole number' })
  @Min(1)
  @Max(MAX_PAGE_SIZE)
  limit: number = DEFAULT_PAGE_SIZE;

  @ApiPropertyOptional({
    maxLength: MAX_CURSOR_LENGTH,
    pattern: CURSOR_PATTERN.source,
    description: "Opaque cursor from the previous page's `nextCursor`",
    example: 'eyJrIjpbIjIwMjYtMTEtMjFUMTA6MDA6MDAuMDAwWiIsIjFmMmUiXX0',
  })
  @IsOptional()
  @IsString()
  @MaxLength(MAX_CURSOR_LENGTH)
  @Matches(CURSOR_PATTERN, { message: 'cursor must be a cursor returned by this list' })
  cursor?: string;
}

/** A keyset position: the sort values of the last item of the previous page. */
export type CursorPosition = (string | number)[];

export function encodeCursor(position: CursorPosition): string {
  return Buffer.from(JSON.stringify(position), 'utf8').toString('base64url');
}

/**
 * The SQL type of one cursor value, checked on decoding so that a forged cursor is a 400
 * naming `cursor`, not a value the database refuses: `timestamptz` as toISOString writes it,
 * `date` as YYYY-MM-DD, `int` within 32 bits, `bigint` a safe integer, `real` finite.
 */
export type CursorKind = 'text' | 'real' | 'int' | 'bigint' | 'timestamptz' | 'uuid' | 'date';

const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const TIMESTAMP_PATTERN = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const INT32_LIMIT = 2 ** 31;

function holds(kind: CursorKind, value: unknown): boolean {
  switch (kind) {
    case 'text':
      return typeof value === 'string' && !value.includes('\u0000');
    case 'real':
      return typeof value === 'number' && Number.isFinite(value);
    case 'int':
      return (
        Number.isInteger(value) &&
        -INT32_LIMIT <= (value as number) &&
        (value as number) < INT32_LIMIT
      );
    case 'bigint':
      return Number.isSafeInteger(value);
    case 'uuid':
      return typeof value === 'string' && UUID_PATTERN.test(value);
    case 'date':
      return isCalendarDate(value);
    case 'timestamptz':
      return (
        typeof value === 'string' &&
        TIMESTAMP_PATTERN.test(value) &&
        value >= '0001' &&
        new Date(value).toISOString() === value
      );
  }
}

const invalidCursor = () =>
  new ValidationProblem([
    { field: 'cursor', message: 'cursor must be a cursor returned by this list' },
  ]);

/** Decodes a cursor, checking it has the shape `expected` describes; 400 otherwise. */
export function decodeCursor(cursor: string, expected: CursorKind[]): CursorPosition {
  let position: unknown;
  try {
    position = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalidCursor();
  }
  if (
    !Array.isArray(position) ||
    position.length !== expected.length ||
    position.some((value, index) => !holds(expected[index], value))
  ) {
    throw invalidCursor();
  }
  return position as CursorPosition;
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/**
 * Builds a page from rows fetched with `limit + 1`: the extra row only tells that a next
 * page exists.
 */
export function toPage<Row, Item>(
  rows: Row[],
  limit: number,
  position: (row: Row) => CursorPosition,
  toItem: (row: Row) => Item,
): Page<Item> {
  const pageRows = rows.slice(0, limit);
  const last = pageRows[pageRows.length - 1];
  return {
    items: pageRows.map(toItem),
    nextCursor: rows.length > limit && last !== undefined ? encodeCursor(position(last)) : null,
  };
}

type NumericKind = 'real' | 'int' | 'bigint';

/** One column of a keyset: what the list is ordered by, and its value in a cursor. */
export type KeyColumn<Row> = {
  /** The SQL expression, as the statement names it: `milestone.dueDate`, `t.score`. */
  sql: string;
  /** The row's value, as the cursor holds it. */
  cursorValue: (row: Row) => string | number;
  /** Bounds of a number the column can hold (a score is 0–100): a value outside is forged. */
  range?: [number, number];
} & (
  | {
      kind: NumericKind;
      /**
       * Ordered against the keyset's direction, through its negation, so that one row
       * comparison, and one index on the same expressions, still serves the whole keyset.
       */
      reversed?: true;
    }
  | { kind: Exclude<CursorKind, NumericKind>; reversed?: never }
);

/**
 * The order of a list and the position after which its next page starts, the one definition
 * of keyset paging: a cursor is the key of a page's last row, and the next page is the rows
 * whose key compares greater (or less, descending) in one row comparison.
 */
export class Keyset<Row> {
  constructor(
    private readonly columns: KeyColumn<Row>[],
    private readonly direction: 'ASC' | 'DESC' = 'ASC',
  ) {}

  /** The position a cursor names, checked against this keyset's columns; 400 otherwise. */
  decode(cursor: string): CursorPosition {
    const position = decodeCursor(
      cursor,
      this.columns.map((column) => column.kind),
    );
    const outside = this.columns.some(({ kind, range, reversed }, index) => {
      const value = position[index] as number;
      // A reversed value is compared negated: its negation must be a value of the kind too.
      if (reversed && !holds(kind, -value)) return true;
      return range !== undefined && (value < range[0] || value > range[1]);
    });
    if (outside) throw invalidCursor();
    return position;
  }

  /** The position a query's cursor names, or null on the first page. */
  positionOf(cursor: string | undefined): CursorPosition | null {
    return cursor === undefined ? null : this.decode(cursor);
  }

  /** The condition for the rows after `position`, each value a parameter that `param` names. */
  conditionAfter(position: CursorPosition, param: (value: string | number) => string): string {
    const values = this.columns.map((column, index) => {
      const value = `${param(position[index])}::${column.kind}`;
      return column.reversed ? `(-${value})` : value;
    });
    return `(${this.expressions().join(', ')}) ${this.direction === 'ASC' ? '>' : '<'} (${values.join(', ')})`;
  }

  /** The ORDER BY list, as SQL. */
  orderBy(): string {
    return this.expressions()
      .map((expression) => `${expression} ${this.direction}`)
      .join(', ');
  }

  /** The ORDER BY list, as a query builder takes it. */
  orderByCondition(): Record<string, 'ASC' | 'DESC'> {
    return Object.fromEntries(this.expressions().map((expression) => [expression, this.direction]));
  }

  /** A page of rows fetched in this order with `limit + 1`. */
  page<Item>(rows: Row[], limit: number, toItem: (row: Row) => Item): Page<Item> {
    return toPage(
      rows,
      limit,
      (row) => this.columns.map((column) => column.cursorValue(row)),
      toItem,
    );
  }

  private expressions(): string[] {
    return this.columns.map((column) => (column.reversed ? `(-${column.sql})` : column.sql));
  }
}

/**
 * A page of a query builder's rows in the keyset's order, after `after` (by default the
 * position `query.cursor` names; null: from the start).
 */
export async function keysetPage<Row extends ObjectLiteral, Item>(
  builder: SelectQueryBuilder<Row>,
  keyset: Keyset<Row>,
  query: PageQuery,
  toItem: (row: Row) => Item,
  after: CursorPosition | null = keyset.positionOf(query.cursor),
): Promise<Page<Item>> {
  builder.orderBy(keyset.orderByCondition()).limit(query.limit + 1);
  if (after) {
    const parameters: Record<string, string | number> = {};
    const param = (value: string | number) => {
      const name = `keyset${Object.keys(parameters).length}`;
      parameters[name] = value;
      return `:${name}`;
    };
    builder.andWhere(keyset.conditionAfter(after, param), parameters);
  }
  return keyset.page(await builder.getMany(), query.limit, toItem);
}

/** The key of a list in time order: a timestamp, ties broken by the row's id. */
export function timeThenId<Row extends { id: string }>(
  time: string,
  timeOf: (row: Row) => Date,
  id: string,
): KeyColumn<Row>[] {
  return [
    { sql: time, kind: 'timestamptz', cursorValue: (row) => timeOf(row).toISOString() },
    { sql: id, kind: 'uuid', cursorValue: (row) => row.id },
  ];
}

/** The keyset shared by the lists that have no other natural order: oldest first, ties by id. */
const byCreation = <Row extends { createdAt: Date; id: string }>(alias: string) =>
  new Keyset<Row>(timeThenId(`${alias}.createdAt`, (row) => row.createdAt, `${alias}.id`));

/** A page of rows in creation order, after `query.cursor`. */
export function pageByCreation<Row extends ObjectLiteral & { createdAt: Date; id: string }, Item>(
  builder: SelectQueryBuilder<Row>,
  query: PageQuery,
  toItem: (row: Row) => Item,
): Promise<Page<Item>> {
  return keysetPage(builder, byCreation<Row>(builder.alias), query, toItem);
}

/** Documents a `{ items, nextCursor }` response of the given item type. */
export function ApiPageResponse(item: Type<unknown>, description: string) {
  return applyDecorators(
    ApiExtraModels(item),
    ApiOkResponse({
      description,
      schema: {
        type: 'object',
        required: ['items', 'nextCursor'],
        properties: {
          items: { type: 'array', maxItems: MAX_PAGE_SIZE, items: { $ref: getSchemaPath(item) } },
          nextCursor: {
            type: 'string',
            nullable: true,
            maxLength: MAX_CURSOR_LENGTH,
            pattern: CURSOR_PATTERN.source,
            description: 'Pass as `cursor` for the next page; null on the last page',
            example: null,
          },
        },
      },
    }),
  );
}
