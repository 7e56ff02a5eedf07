import type { EntityManager, EntityTarget, ObjectLiteral } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity.js';
import type { ColumnMetadata } from 'typeorm/metadata/ColumnMetadata.js';
import type { EntityMetadata } from 'typeorm/metadata/EntityMetadata.js';

/**
 * Rows per INSERT. Each statement binds one array per column (unnest), so the bind-parameter
 * limit does not apply; the chunk bounds the size of the arrays' text held at once.
 */
const ROWS_PER_STATEMENT = 1000;

export interface InsertOptions {
  /**
   * Whether to read back what the database generated (ids, defaults, timestamps, versions):
   * RETURNING them costs a row per input row; callers that ignore the result pass false.
   */
  returning?: boolean;
}

/** How one table is inserted into: its columns, their array types, what comes back. */
interface InsertPlan {
  table: string;
  columns: { column: ColumnMetadata; arrayType: string; name: string }[];
  /** RETURNING columns, as TypeORM's insert reads them back. */
  returning: ColumnMetadata[];
  returningSql: string;
}

const plans = new WeakMap<EntityMetadata, InsertPlan>();

const quote = (identifier: string) => `"${identifier.replaceAll('"', '""')}"`;

/** The PostgreSQL array type of a column's values, from its TypeORM metadata. */
function arrayTypeOf(manager: EntityManager, column: ColumnMetadata): string {
  if (column.type === 'enum' || column.type === 'simple-enum') {
    const name =
      column.enumName ??
      `${column.entityMetadata.tableName}_${column.databaseName.toLowerCase()}_enum`;
    return `${quote(name)}[]`;
  }
  return `${manager.connection.driver.normalizeType(column)}[]`;
}

function planOf(manager: EntityManager, metadata: EntityMetadata): InsertPlan {
  let plan = plans.get(metadata);
  if (plan) return plan;
  // The columns TypeORM's insert writes: insertable ones, but increment-generated ones.
  const columns = metadata.columns
    .filter(
      (column) =>
        column.isInsert && !(column.isGenerated && column.generationStrategy === 'increment'),
    )
    .map((column) => ({
      column,
      arrayType: arrayTypeOf(manager, column),
      name: quote(column.databaseName),
    }));
  const returning = metadata.getInsertionReturningColumns();
  plan = {
    table: metadata.schema
      ? `${quote(metadata.schema)}.${quote(metadata.tableName)}`
      : quote(metadata.tableName),
    columns,
    returning,
    returningSql:
      returning.length > 0
        ? ` RETURNING ${returning.map((column) => quote(column.databaseName)).join(', ')}`
        : '',
  };
  plans.set(metadata, plan);
  return plan;
}

/**
 * Inserts rows as TypeORM's `manager.insert` does (the same columns, values prepared by the
 * driver, DEFAULT for an undefined value, 1 for an undefined version; what the database
 * generated merged into each row and returned in input order), but with one
 * `INSERT … SELECT … FROM unnest($1::type[], …)` per chunk: a parameter per column, not per cell.
 */
export async function insertInChunks<T extends ObjectLiteral>(
  manager: EntityManager,
  entity: EntityTarget<T>,
  rows: Partial<T>[],
  options: InsertOptions = {},
): Promise<ObjectLiteral[]> {
  const returning = options.returning ?? true;
  const metadata = manager.connection.getMetadata(entity);
  const plan = planOf(manager, metadata);
  // Array columns would nest in unnest's arrays: those tables keep TypeORM's insert.
  if (plan.columns.some(({ column }) => column.isArray)) {
    return typeormInsert(manager, entity, rows);
  }
  const driver = manager.connection.driver;
  const generated: ObjectLiteral[] = returning ? new Array<ObjectLiteral>(rows.length) : [];
  for (let start = 0; start < rows.length; start += ROWS_PER_STATEMENT) {
    const end = Math.min(rows.length, start + ROWS_PER_STATEMENT);
    // values[c][i]: column c of row start + i, prepared; undefined where DEFAULT applies.
    const values = plan.columns.map(({ column }) => {
      const prepared = new Array<unknown>(end - start);
      for (let index = start; index < end; index++) {
        const value: unknown = column.getEntityValue(rows[index]);
        prepared[index - start] =
          typeof value === 'function' ? value : driver.preparePersistentValue(value, column);
      }
      return prepared;
    });
    // Rows whose undefined values are in the same columns share a statement.
    const groups = new Map<string, number[]>();
    for (let offset = 0; offset < end - start; offset++) {
      let key = '';
      for (const column of values) key += column[offset] === undefined ? '0' : '1';
      const group = groups.get(key);
      if (group) group.push(offset);
      else groups.set(key, [offset]);
    }
    for (const [key, offsets] of groups) {
      const targets: string[] = [];
      const selects: string[] = [];
      const arrays: string[] = [];
      const parameters: unknown[][] = [];
      plan.columns.forEach(({ column, arrayType, name }, index) => {
        if (key[index] === '0') {
          // Newly inserted rows have version 1; any other column takes its DEFAULT.
          if (column.isVersion) {
            targets.push(name);
            selects.push('1');
          }
          return;
        }
        const cells = offsets.map((offset) => values[index][offset]);
        if (cells.some((cell) => typeof cell === 'function')) {
          throw new Error(`insertInChunks: SQL expressions are not supported (${name})`);
        }
        parameters.push(cells as unknown[]);
        targets.push(name);
        const alias = `c${parameters.length}`;
        selects.push(`u.${alias}`);
        arrays.push(`$${parameters.length}::${arrayType}`);
      });
      if (targets.length === 0) {
        // Nothing but defaults: rare enough for TypeORM's DEFAULT VALUES.
        const inserted = await typeormInsert(
          manager,
          entity,
          offsets.map((offset) => rows[start + offset]),
        );
        if (returning) {
          offsets.forEach((offset, index) => (generated[start + offset] = inserted[index]));
        }
        continue;
      }
      const aliases = parameters.map((_, index) => `c${index + 1}`).join(', ');
      const sql =
        arrays.length === 0
          ? `INSERT INTO ${plan.table} (${targets.join(', ')}) SELECT ${selects.join(', ')} FROM generate_series(1, ${offsets.length})`
          : `INSERT INTO ${plan.table} (${targets.join(', ')}) SELECT ${selects.join(', ')} FROM unnest(${arrays.join(', ')}) AS u(${aliases})`;
      const result = await query(manager, returning ? sql + plan.returningSql : sql, parameters);
      if (!returning) continue;
      // RETURNING follows the order of the SELECT, which follows the arrays'.
      offsets.forEach((offset, index) => {
        const raw = result[index];
        const map: ObjectLiteral = {};
        for (const column of plan.returning) {
          if (raw && column.databaseName in raw) {
            Object.assign(map, column.createValueMap(raw[column.databaseName]));
          }
        }
        const row = rows[start + offset] as ObjectLiteral;
        for (const column of plan.returning) {
          const value: unknown = column.getEntityValue(map);
          if (value !== undefined) column.setEntityValue(row, value);
        }
        generated[start + offset] = map;
      });
    }
  }
  return generated;
}

/**
 * A statement on the manager's own query runner, as TypeORM's insert runs it: a transaction
 * whose connection failed then throws QueryRunnerAlreadyReleasedError (database unavailable),
 * where `manager.query` would throw TypeORM's provider-released error instead.
 */
function query(
  manager: EntityManager,
  sql: string,
  parameters: unknown[],
): Promise<ObjectLiteral[]> {
  return manager.queryRunner
    ? (manager.queryRunner.query(sql, parameters) as Promise<ObjectLiteral[]>)
    : (manager.query(sql, parameters) as Promise<ObjectLiteral[]>);
}

/** TypeORM's own multi-row insert, for what the unnest statement does not cover. */
async function typeormInsert<T extends ObjectLiteral>(
  manager: EntityManager,
  entity: EntityTarget<T>,
  rows: Partial<T>[],
): Promise<ObjectLiteral[]> {
  const generated: ObjectLiteral[] = [];
  // Well under PostgreSQL's 65,535 bind parameters for any of our tables.
  for (let start = 0; start < rows.length; start += 500) {
    const result = await manager.insert(
      entity,
      // Partial, not TypeORM's deep partial: jsonb columns hold plain values.
      rows.slice(start, start + 500) as QueryDeepPartialEntity<T>[],
    );
    generated.push(...result.generatedMaps);
  }
  return generated;
}
