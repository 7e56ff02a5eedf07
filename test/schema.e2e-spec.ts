import { revertLastMigration, runMigrations } from '../src/database/migrate.js';
import { createTestApp, type TestApp } from './test-app.js';

describe('database schema', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  it('matches the entities exactly after the migrations (no schema drift)', async () => {
    const pending = await t.dataSource.driver.createSchemaBuilder().log();
    expect(pending.upQueries.map((query) => query.query)).toEqual([]);
  });

  it('reverts every migration and applies them again', async () => {
    for (let i = 0; i < t.dataSource.migrations.length; i++)
      await revertLastMigration(t.dataSource);
    const tables = await t.dataSource.query(
      `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_name <> 'migrations'`,
    );
    expect(tables).toEqual([]);
    const applied = await runMigrations(t.dataSource);
    expect(applied).toHaveLength(t.dataSource.migrations.length);
    const pending = await t.dataSource.driver.createSchemaBuilder().log();
    expect(pending.upQueries).toEqual([]);
  });
});
