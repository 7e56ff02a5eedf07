import pg from 'pg';
import { DataSource, type DataSourceOptions } from 'typeorm';
import { migrations } from '../../migrations/index.js';
import { entities } from './entities.js';
import { SnakeNamingStrategy } from './snake-naming.strategy.js';

// A PostgreSQL `date` is a calendar day: keep it as 'YYYY-MM-DD' rather than a local-time Date.
pg.types.setTypeParser(pg.types.builtins.DATE, (value) => value);

export interface DatabaseConnection {
  url: string;
  poolSize: number;
  /** 0 disables the server-side statement timeout. */
  statementTimeoutMs: number;
  /** Named prepared statements on hot paths (not on the embedded database's shared session). */
  preparedStatements: boolean;
}

/** The one definition of the data source, used by the API, the migration CLI and the tests. */
export function dataSourceOptions(connection: DatabaseConnection): DataSourceOptions {
  return {
    type: 'postgres',
    url: connection.url,
    entities,
    migrations,
    namingStrategy: new SnakeNamingStrategy(),
    synchronize: false,
    migrationsRun: false,
    migrationsTableName: 'migrations',
    migrationsTransactionMode: 'each',
    // gen_random_uuid() is built into PostgreSQL 13+ and PGlite; uuid-ossp is not in PGlite.
    uuidExtension: 'pgcrypto',
    installExtensions: false,
    poolSize: connection.poolSize,
    connectTimeoutMS: 5000,
    applicationName: 'handover',
    extra: {
      idleTimeoutMillis: 30000,
      preparedStatements: connection.preparedStatements,
      ...(connection.statementTimeoutMs > 0
        ? { statement_timeout: connection.statementTimeoutMs }
        : {}),
    },
  };
}

export function createDataSource(connection: DatabaseConnection): DataSource {
  return new DataSource(dataSourceOptions(connection));
}
