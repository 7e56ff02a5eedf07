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
 * What a cursor position holds, element by element: `timestamp` as toISOString writes it,
 * `uuid`, `date` (YYYY-MM-DD), `integer`, or any `string`/`number`. Checked here so that a
 * forged cursor is a 400 naming `cursor`, not a value the database refuses.
 */
export type CursorKind = 'string' | 'number' | 'integer' | 'timestamp' | 'uuid' | 'date';

const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const TIMESTAMP_PATTERN = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

function holds(kind: CursorKind, value: unknown): boolean {
  switch (kind) {
    case 'string':
      return typeof value === 'string' && !value.includes('\u0000');
    case 'number':
      return typeof value === 'number' && Number.isFinite(value);
    case 'integer':
      return Number.isSafeInteger(value);
    case 'uuid':
      return typeof value === 'string' && UUID_PATTERN.test(value);
    case 'date':
      return isCalendarDate(value);
    case 'timestamp':
      return (
        typeof value === 'string' &&
        TIMESTAMP_PATTERN.test(value) &&
        value >= '0001' &&
        new Date(value).toISOString() === value
      );
  }
}

/** Decodes a cursor, checking it has the shape `expected` describes; 400 otherwise. */
export function decodeCursor(cursor: string, expected: CursorKind[]): CursorPosition {
  const invalid = new ValidationProblem([
    { field: 'cursor', message: 'cursor must be a cursor returned by this list' },
  ]);
  let position: unknown;
  try {
    position = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalid;
  }
  if (
    !Array.isArray(position) ||
    position.length !== expected.length ||
    position.some((value, index) => !holds(expected[index], value))
  ) {
    throw invalid;
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

/**
 * A page of rows in creation order (oldest first, ties by id), after `query.cursor`: the
 * keyset shared by the lists that have no other natural order.
 */
export async function pageByCreation<
  Row extends ObjectLiteral & { createdAt: Date; id: string },
  Item,
>(
  builder: SelectQueryBuilder<Row>,
  query: PageQuery,
  toItem: (row: Row) => Item,
): Promise<Page<Item>> {
  const alias = builder.alias;
  builder
    .orderBy(`${alias}.createdAt`, 'ASC')
    .addOrderBy(`${alias}.id`, 'ASC')
    .limit(query.limit + 1);
  if (query.cursor) {
    const [createdAt, id] = decodeCursor(query.cursor, ['timestamp', 'uuid']);
    builder.andWhere(
      `(${alias}.createdAt, ${alias}.id) > (:cursorCreatedAt::timestamptz, :cursorId::uuid)`,
      {
        cursorCreatedAt: createdAt,
        cursorId: id,
      },
    );
  }
  const rows = await builder.getMany();
  return toPage(rows, query.limit, (row) => [row.createdAt.toISOString(), row.id], toItem);
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
