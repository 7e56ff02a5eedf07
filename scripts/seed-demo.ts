import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { loadConfig } from '../src/config/config.js';
import { createDataSource } from '../src/database/data-source.js';
import { openDatabase } from '../src/database/database.js';
import { runMigrations } from '../src/database/migrate.js';
import { seedDemoPortfolio } from './demo-portfolio.js';

const USAGE = `Usage: npm run seed:demo [-- --engagements N] [-- --append]
Fills the configured database (DATABASE_URL, or the embedded one in DATA_DIR) with a
realistic portfolio: vendors, people, engagements in every status, milestones with slipped
handovers and their ledger, artifacts delivered, accepted and rejected; drills passed without
vendor help, with advice or hands-on help, partial, failed and planned, exit rehearsals among
them; learning sprints of 28-56 days towards the engagements' milestones, planned, running and
completed (shipped, partial, not shipped) with lessons for the playbook (deploys, restores,
retraining, monitoring, cost, on-call...), each mentor teaching at most 3 learners at a time;
standard, important and critical engagements, with and without an exit plan, some requiring
independent operators to complete. N defaults to 24, where every risk signal shows
(RECIPIENT_NOT_UPSKILLED with RISK_UPSKILLING_WINDOW_DAYS set: the risk timelines are derived
with the RISK_* settings of the environment). It refuses a database that holds engagements
unless --append adds a second portfolio. The embedded database allows one process at a time:
stop the API first.`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      engagements: { type: 'string', default: '24' },
      append: { type: 'boolean' },
      help: { type: 'boolean' },
    },
  });
  const count = Number(values.engagements);
  if (values.help || !Number.isInteger(count) || count < 1 || count > 1_000_000) {
    console.error(
      values.help ? USAGE : `--engagements must be a whole number from 1 to 1000000\n${USAGE}`,
    );
    process.exit(values.help ? 0 : 64);
  }
  const config = loadConfig();
  const database = await openDatabase(config);
  const dataSource = createDataSource(database.connection);
  try {
    await dataSource.initialize();
    await runMigrations(dataSource);
    const [{ existing }] = await dataSource.query(
      'SELECT count(*)::int AS existing FROM engagements',
    );
    if (existing > 0 && !values.append) {
      console.error(
        `${database.description} already holds ${existing} engagements; seed:demo fills an empty database. ` +
          'Pass --append to add a second portfolio anyway.',
      );
      process.exitCode = 1;
      return;
    }
    const suffix = existing > 0 ? ` (${randomUUID().slice(0, 6)})` : '';
    console.error(`Seeding ${count} engagements into ${database.description}…`);
    const started = performance.now();
    const counts = await seedDemoPortfolio(dataSource, count, suffix, undefined, config.risk);
    // Fresh planner statistics, so the first queries on a large portfolio are planned well (the
    // seed analyses the tables it fills before deriving the risk from them).
    await dataSource.query('ANALYZE engagement_risk_facts, risk_timeline');
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    console.error(
      `Done in ${seconds} s: ${Object.entries(counts)
        .map(([name, n]) => `${n} ${name}`)
        .join(', ')}.`,
    );
  } finally {
    if (dataSource.isInitialized) await dataSource.destroy();
    await database.close();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
