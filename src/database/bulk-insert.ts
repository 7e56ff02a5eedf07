import type { EntityManager, EntityTarget, ObjectLiteral } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity.js';

/** Rows per INSERT: well under PostgreSQL's 65,535 bind parameters for any of our tables. */
const ROWS_PER_STATEMENT = 500;

/** Inserts rows in multi-row statements; returns what the database generated, in input order. */
export async function insertInChunks<T extends ObjectLiteral>(
  manager: EntityManager,
  entity: EntityTarget<T>,
  rows: Partial<T>[],
): Promise<ObjectLiteral[]> {
  const generated: ObjectLiteral[] = [];
  for (let start = 0; start < rows.length; start += ROWS_PER_STATEMENT) {
    const result = await manager.insert(
      entity,
      // Partial, not TypeORM's deep partial: jsonb columns hold plain values.
      rows.slice(start, start + ROWS_PER_STATEMENT) as QueryDeepPartialEntity<T>[],
    );
    generated.push(...result.generatedMaps);
  }
  return generated;
}
