import type { AppConfig } from '../config/config.js';
import type { DatabaseConnection } from './data-source.js';
import { EmbeddedPostgres } from './embedded-postgres.js';

export interface OpenedDatabase {
  connection: DatabaseConnection;
  embedded: boolean;
  /** For the start-up log: which database is in use, without credentials. */
  description: string;
  close(): Promise<void>;
}

type DatabaseConfig = Pick<
  AppConfig,
  'databaseUrl' | 'dataDir' | 'dbPoolSize' | 'dbStatementTimeoutMs'
>;

/** Connects to `DATABASE_URL`, or starts the embedded database under `DATA_DIR`. */
export async function openDatabase(
  config: DatabaseConfig,
  embeddedDir: string | 'memory' = config.dataDir,
): Promise<OpenedDatabase> {
  if (config.databaseUrl) {
    return {
      connection: {
        url: config.databaseUrl,
        poolSize: config.dbPoolSize,
        statementTimeoutMs: config.dbStatementTimeoutMs,
        preparedStatements: true,
      },
      embedded: false,
      description: `PostgreSQL at ${redactUrl(config.databaseUrl)}`,
      close: async () => undefined,
    };
  }
  const embedded = await EmbeddedPostgres.start(embeddedDir);
  return {
    // PGlite serves a single session: a larger pool fails, and statement_timeout is unsupported.
    connection: {
      url: embedded.url,
      poolSize: 1,
      statementTimeoutMs: 0,
      preparedStatements: false,
    },
    embedded: true,
    description:
      embeddedDir === 'memory'
        ? 'embedded PostgreSQL (PGlite) in memory'
        : `embedded PostgreSQL (PGlite) in ${embeddedDir}`,
    close: () => embedded.stop(),
  };
}

export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(unparsable URL)';
  }
}
