import 'reflect-metadata';
import type { AddressInfo } from 'node:net';
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import pg from 'pg';
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
  type ScratchDatabase,
  SqlTimer,
  table,
} from './bench-support.js';
import { seedDemoPortfolio } from './demo-portfolio.js';
import { StatementCounter } from './statement-counter.js';

const TARGET_RATIO = 2;

/** The cheapest statement that reads what a weekly report is built from. */
const BASELINE_SQL = `SELECT f.*, v.name AS vendor_name
  FROM engagement_risk_facts f
  JOIN engagements e ON e.id = f.engagement_id
  JOIN vendors v ON v.id = e.vendor_id
 WHERE e.status IN ('draft', 'active')`;

const USAGE = `Usage: npm run bench:report [-- --sizes 10000,100000] [-- --runs N]
For each portfolio size: creates a scratch database on DATABASE_URL's server (default
${DEFAULT_SERVER}), seeds that many engagements with 5 milestones and 10 artifacts each,
stores last week's report, then times POST /v1/reports/weekly over HTTP (the current week's
report is deleted before each run, so each run generates it) and counts its SQL statements.
Each run is followed by the baseline: one SQL statement reading the same open engagements'
risk facts rows and vendor names (BASELINE_SQL) on a plain pg connection, all rows into Node.
The ratio of the medians is figure (c) of issue 10 (target ≤ ${TARGET_RATIO}×). The scratch
databases are dropped at the end, also on failure.`;

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
  baselineTimes: number[];
  baselineRows: number;
}

/** The scratch database in use, dropped on Ctrl-C too. */
let current: ScratchDatabase | undefined;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    console.error(`${signal}: dropping the scratch database…`);
    void (current?.drop() ?? Promise.resolve()).finally(() => process.exit(130));
  });
}

async function benchSize(engagements: number, runs: number): Promise<SizeResult> {
  const scratch = await createScratchDatabase(process.env.DATABASE_URL || DEFAULT_SERVER);
  current = scratch;
  let running: RunningApp | undefined;
  let plain: pg.Client | undefined;
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
      baselineTimes: [],
      baselineRows: 0,
    };
    plain = new pg.Client({ connectionString: scratch.url, application_name: 'bench-baseline' });
    await plain.connect();
    const client = plain;
    const baseline = async () => {
      const started = performance.now();
      const { rows } = await client.query(BASELINE_SQL);
      return { ms: performance.now() - started, rows: rows.length };
    };
    // One untimed run first: it warms the caches and the API key's lastUsedAt.
    for (let run = 0; run <= runs; run++) {
      await dataSource.query('DELETE FROM weekly_reports WHERE week = $1', [thisWeek]);
      counter.reset();
      sqlTimer.reset();
      const started = performance.now();
      const body = await generate();
      const elapsed = performance.now() - started;
      // The baseline right after, on the same data and caches.
      const plainRun = await baseline();
      if (run === 0) continue;
      result.baselineTimes.push(plainRun.ms);
      result.baselineRows = plainRun.rows;
      result.times.push(elapsed);
      result.statements.push(counter.statements.length);
      result.sqlTimes.push(sqlTimer.ms);
      result.bytes = Buffer.byteLength(body);
      result.reported = (JSON.parse(body) as { engagements: unknown[] }).engagements.length;
      console.error(
        `  run ${run}/${runs}: report ${elapsed.toFixed(0)} ms, baseline ${plainRun.ms.toFixed(0)} ms`,
      );
    }
    counter.detach();
    sqlTimer.detach();
    return result;
  } finally {
    await plain?.end().catch(() => undefined);
    await running?.close().catch(() => undefined);
    await scratch.drop();
    current = undefined;
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      sizes: { type: 'string', default: '10000,100000' },
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

  const loadAtStart = loadavg();
  const results: SizeResult[] = [];
  for (const size of sizes) results.push(await benchSize(size, runs));
  const formatLoad = (load: number[]) => load.map((n) => n.toFixed(2)).join(' ');

  console.log(
    `\nWeekly report generation (POST /v1/reports/weekly, previous report present, in-process ` +
      `API over HTTP) vs the baseline statement, ${runs} timed runs of each per size after one ` +
      `warm-up, alternating; Node ${process.version}. Load average (1, 5, 15 min): ` +
      `${formatLoad(loadAtStart)} at start, ${formatLoad(loadavg())} at the end.\n`,
  );
  console.log(
    table(
      [
        'engagements',
        'artifacts',
        'in report',
        'report median ms',
        'p95 ms',
        'SQL ms (median)',
        'SQL statements',
        'report JSON',
        'baseline rows',
        'baseline median ms',
        'ratio (medians)',
        `target ≤ ${TARGET_RATIO}×`,
      ],
      results.map((result) => {
        const ratio = percentile(result.times, 50) / percentile(result.baselineTimes, 50);
        return [
          String(result.engagements),
          String(result.artifacts),
          String(result.reported),
          percentile(result.times, 50).toFixed(0),
          percentile(result.times, 95).toFixed(0),
          percentile(result.sqlTimes, 50).toFixed(0),
          formatCounts(result.statements),
          formatBytes(result.bytes),
          String(result.baselineRows),
          percentile(result.baselineTimes, 50).toFixed(0),
          `${ratio.toFixed(2)}×`,
          ratio <= TARGET_RATIO ? 'met' : 'MISSED',
        ];
      }),
      [true, true, true, true, true, true, true, true, true, true, true, false],
    ),
  );
  console.log(
    '\nReport: wall time from sending the request to the last byte of the 201 response. SQL ms: ' +
      'the time TypeORM measured for its statements. In report: the open engagements plus ' +
      "those closed since last week's report. SQL statements: all the request sent, " +
      'transaction control and the API key lookup included. Baseline: the wall time of ' +
      `one statement on a plain pg connection, all rows parsed into Node:\n${BASELINE_SQL}`,
  );
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : error);
  process.exit(1);
});
