import 'reflect-metadata';
import { loadConfig } from '../src/config/config.js';
import { createDataSource } from '../src/database/data-source.js';
import { openDatabase } from '../src/database/database.js';
import { runMigrations } from '../src/database/migrate.js';
import { rebuildRisk, verifyRisk } from '../src/risk/risk-maintenance.js';

const USAGE = `Usage: npm run risk:verify | npm run risk:rebuild
  risk:verify   recomputes every engagement's risk facts from its milestones, artifacts and
                recipients, and its risk timeline from the facts, and prints every mismatch
                with the stored ones (exit 1 if any)
  risk:rebuild  rewrites the stored facts and timelines from the source tables
Uses DATABASE_URL, or the embedded database in DATA_DIR (stop the API first: the embedded
database allows one process at a time).`;

async function main(command: string | undefined): Promise<void> {
  if (command !== 'verify' && command !== 'rebuild') {
    console.error(USAGE);
    process.exit(command === '--help' ? 0 : 64);
  }
  const config = loadConfig();
  const database = await openDatabase(config);
  const dataSource = createDataSource(database.connection);
  try {
    await dataSource.initialize();
    await runMigrations(dataSource);
    const started = performance.now();
    const seconds = () => ((performance.now() - started) / 1000).toFixed(1);
    if (command === 'rebuild') {
      console.error(`Rebuilding risk facts and timelines in ${database.description}…`);
      const engagements = await rebuildRisk(dataSource, config.risk, (message) =>
        console.error(message),
      );
      console.log(
        `Rebuilt the risk facts and timelines of ${engagements} engagements in ${seconds()} s.`,
      );
      return;
    }
    console.error(`Verifying risk facts and timelines in ${database.description}…`);
    const { checked, mismatches } = await verifyRisk(dataSource, config.risk);
    for (const mismatch of mismatches) {
      console.log(
        JSON.stringify({
          engagementId: mismatch.engagementId,
          part: mismatch.part,
          expected: mismatch.expected,
          stored: mismatch.stored,
        }),
      );
    }
    console.log(
      mismatches.length === 0
        ? `0 mismatches in ${checked} engagements (${seconds()} s).`
        : `${mismatches.length} mismatch(es) in ${checked} engagements (${seconds()} s); npm run risk:rebuild rewrites them.`,
    );
    if (mismatches.length > 0) process.exitCode = 1;
  } finally {
    if (dataSource.isInitialized) await dataSource.destroy();
    await database.close();
  }
}

main(process.argv[2]).catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
