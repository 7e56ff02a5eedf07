import { createHash } from 'node:crypto';
import type { DataSource, EntityManager } from 'typeorm';
import { QueryFailedError } from 'typeorm';
import { isDatabaseUnavailable } from '../common/error-classification.js';
import type { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver.js';
import type { PostgresQueryRunner } from 'typeorm/driver/postgres/PostgresQueryRunner.js';

/** A statement the server plans once per connection when prepared statements are on. */
export interface PreparedStatement {
  name: string;
  text: string;
}

/**
 * A statement whose text is built from a bounded set of parts (a list's filter combinations),
 * named by its text so that each variant is prepared once per connection.
 */
export function namedByText(text: string): PreparedStatement {
  return { name: `q_${createHash('sha1').update(text).digest('hex').slice(0, 20)}`, text };
}

interface LentClient extends PgClient {
  release(error?: Error): void;
  on(event: 'error', listener: (error: Error) => void): void;
  removeListener(event: 'error', listener: (error: Error) => void): void;
}

interface PgPool {
  connect(): Promise<LentClient>;
}

interface PgClient {
  query(config: { name?: string; text: string; values: unknown[] }): Promise<{ rows: unknown[] }>;
}

/** Whether this data source prepares named statements (set by `dataSourceOptions`). */
export function preparesStatements(dataSource: DataSource): boolean {
  return (
    (dataSource.options.extra as { preparedStatements?: boolean } | undefined)
      ?.preparedStatements === true
  );
}

/**
 * Runs a statement on the manager's connection (its transaction's, when in one), as a named
 * prepared statement when the data source allows it: planning a short statement costs more
 * than running it, and a prepared one is planned once per connection. The embedded database
 * shares one session between reconnecting clients, so there it runs unnamed. The statement is
 * logged like TypeORM's own, so statement counters see it.
 */
export async function runPrepared<Row>(
  manager: EntityManager,
  statement: PreparedStatement,
  values: unknown[],
): Promise<Row[]> {
  const dataSource = manager.connection;
  const runner = manager.queryRunner as PostgresQueryRunner | undefined;
  // Outside a transaction the pool lends a connection for the one statement.
  const pool = (dataSource.driver as PostgresDriver).master as PgPool;
  const lent = runner ? undefined : await pool.connect();
  let failure: unknown;
  // A connection the server ends while lent emits 'error': without a listener that would
  // crash the process (the pool listens only while a connection is idle).
  const onLost = (error: Error) => (failure = error);
  lent?.on('error', onLost);
  try {
    const client = (runner ? await runner.connect() : lent) as PgClient;
    dataSource.logger.logQuery(statement.text, values, runner);
    const result = await client.query({
      ...(preparesStatements(dataSource) ? { name: statement.name } : {}),
      text: statement.text,
      values,
    });
    return result.rows as Row[];
  } catch (error) {
    failure = error;
    throw error instanceof QueryFailedError
      ? error
      : new QueryFailedError(statement.text, values, error as Error);
  } finally {
    lent?.removeListener('error', onLost);
    // A statement that failed (bad input, say) leaves a good connection, and its prepared
    // statements, for the next request; only a lost connection is dropped from the pool.
    lent?.release(
      failure !== undefined && isDatabaseUnavailable(failure) ? (failure as Error) : undefined,
    );
  }
}
