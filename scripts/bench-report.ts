import 'reflect-metadata';
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import { DataSource } from 'typeorm';
import { createApp, type RunningApp } from '../src/app.setup.js';
import { Clock } from '../src/common/clock.js';
import { isoWeekOf } from '../src/reports/iso-week.js';
import {
  benchConfig,
  createScratchDatabase,
  DEFAULT_SERVER,
  formatBytes,
  formatCounts,
  percentile,
  SqlTimer,
  table,
} from './bench-support.js';
import { seedDemoPortfolio } from './demo-portfolio.js';
import { StatementCounter } from './statement-counter.js';

const USAGE = `Usage: npm run bench:report [-- --sizes 1000,10000] [-- --runs N]
For each portfolio size: creates a scratch database on DATABASE_URL's server (default
${DEFAULT_SERVER}), seeds that many engagements with 5 milestones and 10 artifacts each,
stores last week's report, then times POST /v1/reports/weekly over HTTP (the current week's
report is deleted before each run, so each run generates it) and counts its SQL statements.
The scratch databases are dropped at the end.`;

const SHAPE = { milestones: 5, artifacts: 10 };
const WEEK_MS = 7 * 86_400_000;

interface SizeResult {
  engagements: number;
  milestones: number;
  artifacts: number;
  reported: number;
  times: number[];
  sqlTimes: number[];
  statements: number[];
  bytes: number;
}

async function benchSize(engagements: number, runs: number): Promise<SizeResult> {
  const scratch = await createScratchDatabase(process.env.DATABASE_URL || DEFAULT_SERVER);
  let running: RunningApp | undefined;
  try {
    const config = benchConfig(scratch.url);
    const adminKey = config.adminApiKey;
    running = await createApp(config);
    const dataSource = running.app.get(DataSource);
    console.error(`Seeding ${engagements} engagements (5 milestones, 10 artifacts each)…`);
    const seedStarted = performance.now();
    const counts = await seedDemoPortfolio(dataSource, engagements, '', SHAPE);
    await dataSource.query('ANALYZE');
    console.error(`Seeded in ${((performance.now() - seedStarted) / 1000).toFixed(1)} s.`);

    await running.app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = running.app.getHttpServer().address() as AddressInfo;
    const generate = async () => {
      const response = await fetch(`http://127.0.0.1:${port}/v1/reports/weekly`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${adminKey}`, 'Content-Type': 'application/json' },
        body: '{}',
      });
      const body = await response.text();
      if (response.status !== 201) {
        throw new Error(`POST /v1/reports/weekly answered ${response.status}: ${body}`);
      }
      return body;
    };

    // Last week's report, so that each run also compares with a previous one.
    const clock = running.app.get(Clock);
    const realNow = clock.now.bind(clock);
    clock.now = () => new Date(realNow().getTime() - WEEK_MS);
    await generate();
    clock.now = realNow;
    const thisWeek = isoWeekOf(clock.today());

    const counter = StatementCounter.attach(dataSource);
    const sqlTimer = new SqlTimer(dataSource);
    const result: SizeResult = {
      engagements,
      milestones: counts.milestones,
      artifacts: counts.artifacts,
      reported: 0,
      times: [],
      sqlTimes: [],
      statements: [],
      bytes: 0,
    };
    // One untimed run first: it warms the caches and the API key's lastUsedAt.
    for (let run = 0; run <= runs; run++) {
      await dataSource.query('DELETE FROM weekly_reports WHERE week = $1', [thisWeek]);
      counter.reset();
      sqlTimer.reset();
      const started = performance.now();
      const body = await generate();
      const elapsed = performance.now() - started;
      if (run === 0) continue;
      result.times.push(elapsed);
      result.statements.push(counter.statements.length);
      result.sqlTimes.push(sqlTimer.ms);
      result.bytes = Buffer.byteLength(body);
      result.reported = (JSON.parse(body) as { engagements: unknown[] }).engagements.length;
      console.error(`  run ${run}/${runs}: ${elapsed.toFixed(0)} ms`);
    }
    counter.detach();
    sqlTimer.detach();
    return result;
  } finally {
    await running?.close();
    await scratch.drop();
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      sizes: { type: 'string', default: '1000,10000' },
      runs: { type: 'string', default: '5' },
      help: { type: 'boolean' },
    },
  });
  const sizes = String(values.sizes).split(',').map(Number);
  const runs = Number(values.runs);
  const valid =
    sizes.every((size) => Number.isInteger(size) && size >= 1 && size <= 1_000_000) &&
    Number.isInteger(runs) &&
    runs >= 1;
  if (values.help || !valid) {
    if (!values.help)
      console.error('--sizes: whole numbers 1–1000000, comma-separated; --runs ≥ 1');
    console.error(USAGE);
    process.exit(values.help ? 0 : 64);
  }

  const results: SizeResult[] = [];
  for (const size of sizes) results.push(await benchSize(size, runs));

  console.log(
    `\nWeekly report generation (POST /v1/reports/weekly, previous report present), ` +
      `${runs} timed runs per size after one warm-up; Node ${process.version}.\n`,
  );
  console.log(
    table(
      [
        'engagements',
        'milestones',
        'artifacts',
        'in report',
        'median ms',
        'p95 ms',
        'SQL ms (median)',
        'SQL statements',
        'report JSON',
      ],
      results.map((result) => [
        String(result.engagements),
        String(result.milestones),
        String(result.artifacts),
        String(result.reported),
        percentile(result.times, 50).toFixed(0),
        percentile(result.times, 95).toFixed(0),
        percentile(result.sqlTimes, 50).toFixed(0),
        formatCounts(result.statements),
        formatBytes(result.bytes),
      ]),
      [true, true, true, true, true, true, true, true, true],
    ),
  );
  console.log(
    '\nWall time: from sending the request to the last byte of the 201 response. SQL ms: the time TypeORM measured for the statements. In report: the ' +
      "open engagements plus those closed since last week's report. SQL statements: all the " +
      'request sent, transaction control and the API key lookup included.',
  );
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : error);
  process.exit(1);
});
