import { type DataSource, type Migration, MigrationExecutor } from 'typeorm';

/** Any 64-bit number unique to this application: serialises migrations across instances. */
const MIGRATION_LOCK_ID = 4_827_310_117;

/**
 * Runs pending migrations while holding a PostgreSQL advisory lock, so several instances
 * starting at once apply each migration exactly once. Uses a single connection, which is
 * also what the embedded database allows.
 */
export async function runMigrations(dataSource: DataSource): Promise<Migration[]> {
  const queryRunner = dataSource.createQueryRunner();
  await queryRunner.connect();
  try {
    await queryRunner.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_ID]);
    try {
      return await new MigrationExecutor(dataSource, queryRunner).executePendingMigrations();
    } finally {
      await queryRunner.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_ID]);
    }
  } finally {
    await queryRunner.release();
  }
}

export async function revertLastMigration(dataSource: DataSource): Promise<void> {
  const queryRunner = dataSource.createQueryRunner();
  await queryRunner.connect();
  try {
    await queryRunner.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_ID]);
    try {
      await new MigrationExecutor(dataSource, queryRunner).undoLastMigration();
    } finally {
      await queryRunner.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_ID]);
    }
  } finally {
    await queryRunner.release();
  }
}
