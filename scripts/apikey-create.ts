import 'reflect-metadata';
import { parseArgs } from 'node:util';
import { AuditService } from '../src/audit/audit.service.js';
import { ApiKeysService } from '../src/auth/api-keys.service.js';
import { ROLES, type Role } from '../src/auth/role.js';
import { loadConfig } from '../src/config/config.js';
import { createDataSource } from '../src/database/data-source.js';
import { openDatabase } from '../src/database/database.js';
import { runMigrations } from '../src/database/migrate.js';

const USAGE = `Usage: npm run apikey:create -- --role <role> --name "<who uses it>" [--person-id <uuid>]
Roles: ${ROLES.join(', ')} (product_owner needs --person-id)`;

/** Prints a new API key for the configured database (DATABASE_URL, or the embedded one). */
async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      role: { type: 'string' },
      name: { type: 'string' },
      'person-id': { type: 'string' },
      help: { type: 'boolean' },
    },
  });
  const role = values.role as Role | undefined;
  const name = values.name?.trim();
  const personId = values['person-id'] ?? null;
  const problems = [
    ...(role && ROLES.includes(role) ? [] : [`--role must be one of ${ROLES.join(', ')}`]),
    ...(name && name.length <= 100 ? [] : ['--name is required (at most 100 characters)']),
    ...(role === 'product_owner' && !personId ? ['--person-id is required for product_owner'] : []),
    ...(personId && !/^[0-9a-f]{8}-([0-9a-f]{4}-){3}[0-9a-f]{12}$/i.test(personId)
      ? ['--person-id must be a UUID']
      : []),
  ];
  if (values.help || problems.length > 0) {
    if (!values.help) console.error(problems.join('\n'));
    console.error(USAGE);
    process.exit(values.help ? 0 : 64);
  }

  const config = loadConfig();
  const database = await openDatabase(config);
  const dataSource = createDataSource(database.connection);
  try {
    await dataSource.initialize();
    if (config.dbMigrate) await runMigrations(dataSource);
    const key = await new ApiKeysService(dataSource, new AuditService(dataSource)).issue({
      name: name as string,
      role: role as Role,
      personId,
      expiresAt: null,
    });
    console.error(
      `Created API key "${key.name}" (role ${key.role}, id ${key.id}) in ${database.description}.`,
    );
    console.error(
      'The secret is printed below, this once. Send it as "Authorization: Bearer <secret>".',
    );
    console.log(key.secret);
  } finally {
    if (dataSource.isInitialized) await dataSource.destroy();
    await database.close();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
