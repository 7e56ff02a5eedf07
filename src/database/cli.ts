import 'reflect-metadata';
import { readdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadConfig } from '../config/config.js';
import { createDataSource } from './data-source.js';
import { openDatabase } from './database.js';
import { revertLastMigration, runMigrations } from './migrate.js';

const MIGRATIONS_DIR = resolve('migrations');
const USAGE = `Usage: npm run migration:<command> [-- Name]
  migration:run                 apply pending migrations
  migration:revert              undo the last applied migration
  migration:show                list migrations and whether they are applied
  migration:generate -- Name    write a migration with the changes the entities need
  migration:create -- Name      write an empty migration`;

const escapeTemplate = (text: string): string =>
  text.replace(/\\/g, '\\\\').replace(/`/g, '\\`').replace(/\$\{/g, '\\${');

function migrationSource(className: string, up: string[], down: string[]): string {
  const body = (queries: string[]) =>
    queries.map((query) => `    await queryRunner.query(\`${escapeTemplate(query)}\`);`).join('\n');
  return `import type { MigrationInterface, QueryRunner } from 'typeorm';

export class ${className} implements MigrationInterface {
  name = '${className}';

  public async up(queryRunner: QueryRunner): Promise<void> {
${body(up)}
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
${body(down)}
  }
}
`;
}

/** Rewrites migrations/index.ts to list every migration file, oldest first. */
function writeMigrationIndex(): void {
  const files = readdirSync(MIGRATIONS_DIR)
    .filter((file) => /^\d{13}-[A-Za-z0-9]+\.ts$/.test(file))
    .sort();
  const classes = files.map((file) => {
    const [timestamp, name] = file.replace(/\.ts$/, '').split('-');
    return { file: file.replace(/\.ts$/, '.js'), className: `${name}${timestamp}` };
  });
  writeFileSync(
    join(MIGRATIONS_DIR, 'index.ts'),
    `// The migrations, oldest first. Written by \`npm run migration:generate|create\`.
import type { MigrationInterface } from 'typeorm';
${classes.map(({ file, className }) => `import { ${className} } from './${file}';`).join('\n')}

export const migrations: (new () => MigrationInterface)[] = [${classes.map(({ className }) => className).join(', ')}];
`,
  );
}

function writeMigration(name: string | undefined, up: string[], down: string[]): void {
  if (!name || !/^[A-Z][A-Za-z0-9]*$/.test(name)) {
    throw new Error(
      'Name the migration in PascalCase, e.g. `npm run migration:generate -- AddVendors`',
    );
  }
  const timestamp = Date.now();
  const path = join(MIGRATIONS_DIR, `${timestamp}-${name}.ts`);
  writeFileSync(path, migrationSource(`${name}${timestamp}`, up, down));
  writeMigrationIndex();
  console.log(`Wrote ${path} and updated migrations/index.ts; read it, then run npm run format.`);
}

async function main(command: string | undefined, name: string | undefined): Promise<void> {
  if (command === 'create') return writeMigration(name, [], []);
  if (!['run', 'revert', 'show', 'generate'].includes(command ?? '')) {
    console.log(USAGE);
    process.exitCode = command ? 64 : 0;
    return;
  }
  const config = loadConfig();
  // A migration is generated against a scratch database holding exactly the existing
  // migrations, so the result never depends on the state of a developer's database.
  const database =
    command === 'generate'
      ? await openDatabase({ ...config, databaseUrl: undefined }, 'memory')
      : await openDatabase(config);
  console.log(`Database: ${database.description}`);
  const dataSource = createDataSource(database.connection);
  try {
    await dataSource.initialize();
    if (command === 'run') {
      const applied = await runMigrations(dataSource);
      console.log(
        applied.length ? `Applied: ${applied.map((m) => m.name).join(', ')}` : 'Nothing to apply.',
      );
    } else if (command === 'revert') {
      await revertLastMigration(dataSource);
      console.log('Reverted the last migration.');
    } else if (command === 'show') {
      const applied = await dataSource
        .query('SELECT name FROM migrations ORDER BY id')
        .catch(() => []);
      const appliedNames = new Set((applied as { name: string }[]).map((row) => row.name));
      for (const migration of dataSource.migrations) {
        console.log(`${appliedNames.has(migration.name ?? '') ? '[X]' : '[ ]'} ${migration.name}`);
      }
    } else {
      await runMigrations(dataSource);
      const sql = await dataSource.driver.createSchemaBuilder().log();
      if (sql.upQueries.length === 0) {
        console.log('The entities match the database: no migration needed.');
        return;
      }
      writeMigration(
        name,
        sql.upQueries.map((query) => query.query),
        sql.downQueries.reverse().map((query) => query.query),
      );
    }
  } finally {
    if (dataSource.isInitialized) await dataSource.destroy();
    await database.close();
  }
}

main(process.argv[2], process.argv[3]).catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
