import type { DataSource } from 'typeorm';

/**
 * What a rejected request must leave untouched: every application table, row by row.
 *
 * Left out, because they change legitimately while a request is refused:
 * - `api_keys.last_used_at`: authentication stamps it (at most once a minute per key) before
 *   the request is judged; it is bookkeeping about the caller, not data the request carried.
 * - `migrations`: the schema's history, written only at start-up.
 * - the delivery worker's columns of `webhook_deliveries` and `webhook_endpoints`: it attempts
 *   deliveries in the background while other requests are judged.
 * Idempotency records stay in: a refused POST must release its claim and store nothing.
 * Rate-limit counters live in process memory, not in a table.
 */
const EXCLUDED_TABLES = new Set(['migrations']);
const EXCLUDED_COLUMNS: Record<string, string[]> = {
  api_keys: ['last_used_at'],
  // The delivery worker's bookkeeping, written in the background, not by the request.
  webhook_deliveries: ['status', 'attempts', 'next_attempt_at', 'last_attempt_at', 'last_response'],
  webhook_endpoints: [
    'enabled',
    'disabled_reason',
    'consecutive_failures',
    'version',
    'updated_at',
  ],
};

/** Builds one SQL statement that returns a digest of every application table's rows. */
export async function digestQuery(dataSource: DataSource): Promise<string> {
  const columns: { table_name: string; column_name: string }[] = await dataSource.query(
    `SELECT table_name, column_name FROM information_schema.columns
      WHERE table_schema = 'public'
        AND table_name IN (SELECT table_name FROM information_schema.tables
                            WHERE table_schema = 'public' AND table_type = 'BASE TABLE')
      ORDER BY table_name, ordinal_position`,
  );
  const byTable = new Map<string, string[]>();
  for (const { table_name: table, column_name: column } of columns) {
    if (EXCLUDED_TABLES.has(table) || EXCLUDED_COLUMNS[table]?.includes(column)) continue;
    byTable.set(table, [...(byTable.get(table) ?? []), column]);
  }
  if (byTable.size < 8)
    throw new Error(`Expected the application tables, found ${[...byTable.keys()]}`);
  const parts = [...byTable].map(([table, cols]) => {
    const row = `(${cols.map((column) => `t."${column}"`).join(', ')})::text`;
    return `SELECT '${table}' AS name, count(*) AS rows, md5(coalesce(string_agg(${row}, E'\\n' ORDER BY ${row}), '')) AS hash FROM "${table}" t`;
  });
  return `SELECT json_agg(json_build_object('table', name, 'rows', rows, 'hash', hash) ORDER BY name) AS digest FROM (${parts.join(' UNION ALL ')}) d`;
}

export interface TableDigest {
  table: string;
  rows: number;
  hash: string;
}

export async function digest(dataSource: DataSource, query: string): Promise<TableDigest[]> {
  const [{ digest: tables }] = await dataSource.query(query);
  return typeof tables === 'string' ? JSON.parse(tables) : tables;
}

/** The tables whose rows differ between two digests. */
export function changedTables(before: TableDigest[], after: TableDigest[]): string[] {
  const earlier = new Map(before.map((table) => [table.table, table.hash]));
  return after.filter((table) => earlier.get(table.table) !== table.hash).map((t) => t.table);
}
