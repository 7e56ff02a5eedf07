import 'reflect-metadata';
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import { DataSource } from 'typeorm';
import { createApp, type RunningApp } from '../src/app.setup.js';
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

const USAGE = `Usage: npm run bench:risk [-- --engagements N] [-- --runs N] [-- --warmup N]
Creates a scratch database on DATABASE_URL's server (default ${DEFAULT_SERVER}),
seeds the demo portfolio (default 20000 engagements), starts the API on a free port and times the
portfolio reads over HTTP: median and p95 wall time, response size, SQL statements per request.
The scratch database is dropped at the end.`;

interface Result {
  name: string;
  times: number[];
  bytes: number;
  statements: number[];
  sqlTimes: number[];
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      engagements: { type: 'string', default: '20000' },
      runs: { type: 'string', default: '10' },
      warmup: { type: 'string', default: '2' },
      help: { type: 'boolean' },
    },
  });
  const engagements = Number(values.engagements);
  const runs = Number(values.runs);
  const warmup = Number(values.warmup);
  const valid =
    Number.isInteger(engagements) &&
    engagements >= 1 &&
    engagements <= 1_000_000 &&
    Number.isInteger(runs) &&
    runs >= 1 &&
    Number.isInteger(warmup) &&
    warmup >= 0;
  if (values.help || !valid) {
    if (!values.help) console.error('--engagements (1–1000000), --runs (≥ 1) and --warmup (≥ 0)');
    console.error(USAGE);
    process.exit(values.help ? 0 : 64);
  }

  const scratch: ScratchDatabase = await createScratchDatabase(
    process.env.DATABASE_URL || DEFAULT_SERVER,
  );
  let running: RunningApp | undefined;
  try {
    const config = benchConfig(scratch.url);
    const adminKey = config.adminApiKey;
    running = await createApp(config);
    const dataSource = running.app.get(DataSource);

    console.error(`Seeding ${engagements} engagements…`);
    const seedStarted = performance.now();
    const counts = await seedDemoPortfolio(dataSource, engagements);
    await dataSource.query('ANALYZE');
    console.error(
      `Seeded in ${((performance.now() - seedStarted) / 1000).toFixed(1)} s: ${Object.entries(
        counts,
      )
        .map(([table, n]) => `${n} ${table}`)
        .join(', ')}.`,
    );

    await running.app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = running.app.getHttpServer().address() as AddressInfo;
    const base = `http://127.0.0.1:${port}`;
    const [{ vendorId, vendorEngagements }]: { vendorId: string; vendorEngagements: number }[] =
      await dataSource.query(
        `SELECT vendor_id AS "vendorId", count(*)::int AS "vendorEngagements" FROM engagements
          GROUP BY vendor_id ORDER BY count(*) DESC, vendor_id LIMIT 1`,
      );

    const endpoints = [
      { name: 'GET /v1/risk/summary', path: '/v1/risk/summary' },
      {
        name: 'GET /v1/engagements?minRiskLevel=high&limit=50',
        path: '/v1/engagements?minRiskLevel=high&limit=50',
      },
      {
        name: 'GET /v1/engagements?status=active&limit=50',
        path: '/v1/engagements?status=active&limit=50',
      },
      {
        name: `GET /v1/vendors/{id}/scorecard`,
        path: `/v1/vendors/${vendorId}/scorecard`,
      },
    ];

    const counter = StatementCounter.attach(dataSource);
    const sqlTimer = new SqlTimer(dataSource);
    const results: Result[] = [];
    for (const endpoint of endpoints) {
      const result: Result = {
        name: endpoint.name,
        times: [],
        bytes: 0,
        statements: [],
        sqlTimes: [],
      };
      for (let run = 0; run < warmup + runs; run++) {
        counter.reset();
        sqlTimer.reset();
        const started = performance.now();
        const response = await fetch(base + endpoint.path, {
          headers: { Authorization: `Bearer ${adminKey}` },
        });
        const body = await response.arrayBuffer();
        const elapsed = performance.now() - started;
        if (response.status !== 200) {
          throw new Error(
            `${endpoint.name} answered ${response.status}: ${Buffer.from(body).toString()}`,
          );
        }
        if (run < warmup) continue;
        result.times.push(elapsed);
        result.bytes = body.byteLength;
        result.statements.push(counter.statements.length);
        result.sqlTimes.push(sqlTimer.ms);
      }
      results.push(result);
      console.error(`  ${endpoint.name}: done`);
    }
    counter.detach();
    sqlTimer.detach();

    console.log(
      `\nRisk reads on ${engagements} engagements (${counts.artifacts} artifacts); ` +
        `scorecard of the busiest vendor (${vendorEngagements} engagements).\n` +
        `PostgreSQL ${scratch.serverVersion}, Node ${process.version}, pool ${config.dbPoolSize}; ` +
        `${runs} timed runs after ${warmup} warm-up, one request at a time over HTTP on loopback.\n`,
    );
    console.log(
      table(
        ['request', 'median ms', 'p95 ms', 'SQL ms (median)', 'response', 'SQL statements'],
        results.map((result) => [
          result.name,
          percentile(result.times, 50).toFixed(1),
          percentile(result.times, 95).toFixed(1),
          percentile(result.sqlTimes, 50).toFixed(0),
          formatBytes(result.bytes),
          formatCounts(result.statements),
        ]),
        [false, true, true, true, true, true],
      ),
    );
    console.log(
      '\nWall time: from sending the request to the last byte of the response. p95: linear ' +
        'interpolation between the closest ranks. SQL ms: the time TypeORM measured for the ' +
        "request's statements, from sending each to parsing its rows (whole ms each). SQL " +
        'statements: all the request sent, the API key lookup included.',
    );
  } finally {
    await running?.close();
    await scratch.drop();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : error);
  process.exit(1);
});
