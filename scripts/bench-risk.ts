import 'reflect-metadata';
import type { ChildProcess } from 'node:child_process';
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { DataSource } from 'typeorm';
import { createApp, type RunningApp } from '../src/app.setup.js';
import { addDays } from '../src/common/dates.js';
import {
  benchConfig,
  createScratchDatabase,
  DEFAULT_SERVER,
  formatBytes,
  formatCounts,
  memoryOf,
  percentile,
  type ScratchDatabase,
  type ServerProcess,
  startServerProcess,
  stopServerProcess,
  table,
} from './bench-support.js';
import { seedDemoPortfolio } from './demo-portfolio.js';
import { StatementCounter } from './statement-counter.js';

const USAGE = `Usage: npm run bench:risk [-- --engagements N] [-- --small N] [-- --pages N] [-- --runs N]
                          [-- --writes N] [-- --warmup N]
Figures (b), (d) and (e) of issue 10, on one scratch database (created on DATABASE_URL's
server, default ${DEFAULT_SERVER}, and dropped at the end, also on failure or Ctrl-C):
 1. Seeds --small engagements (default 1000) and records, in-process with TypeORM's logger, the
    SQL statements of every request below (each list page, the summary, each kind of write).
 2. Adds a second demo portfolio up to --engagements (default 100000) and records them again.
 3. Starts the API as a child process (node dist/src/main.js) with DB_POOL_SIZE=1 and, one
    request at a time over HTTP: (b) follows nextCursor for --pages pages (default 5) of
    GET /v1/engagements?minRiskLevel=high&limit=50 and ?sort=-riskScore&limit=50, --runs times
    (default 10) after --warmup walks (default 2), and GET /v1/risk/summary as often; (e) the
    API process's peak RSS (VmHWM) over its life up to the end of (b); (d) --writes (default 100)
    milestone due-date changes with a reason on active engagements and as many accepts of
    delivered artifacts (by the product owner), each on another engagement.`;

const TARGETS = {
  high: 50,
  riskScore: 50,
  summary: 150,
  write: 30,
  rssMiB: 300,
};

type Request = { method: 'GET' | 'PATCH' | 'POST'; url: string; body?: unknown };

interface Timed {
  name: string;
  target: number;
  times: number[];
  bytes: number[];
}

interface WriteTargets {
  milestones: { engagementId: string; id: string; dueDate: string }[];
  artifacts: { engagementId: string; id: string; acceptedById: string }[];
}

const LISTS = [
  {
    key: 'high',
    name: 'GET /v1/engagements?minRiskLevel=high&limit=50',
    path: '/v1/engagements?minRiskLevel=high&limit=50',
  },
  {
    key: 'riskScore',
    name: 'GET /v1/engagements?sort=-riskScore&limit=50',
    path: '/v1/engagements?sort=-riskScore&limit=50',
  },
] as const;
const SUMMARY = { name: 'GET /v1/risk/summary', path: '/v1/risk/summary' };
const MILESTONE_WRITE = 'PATCH …/milestones/{mid} (dueDate + reason)';
const ACCEPT_WRITE = 'POST …/artifacts/{aid}/accept';

const withCursor = (path: string, cursor: string | null) =>
  cursor === null ? path : `${path}&cursor=${encodeURIComponent(cursor)}`;

const milestoneChange = (target: WriteTargets['milestones'][number]): Request => ({
  method: 'PATCH',
  url: `/v1/engagements/${target.engagementId}/milestones/${target.id}`,
  body: {
    dueDate: addDays(target.dueDate, 7),
    reason: 'Vendor asked for one more week; agreed in the steering meeting (benchmark)',
  },
});

const artifactAccept = (target: WriteTargets['artifacts'][number]): Request => ({
  method: 'POST',
  url: `/v1/engagements/${target.engagementId}/artifacts/${target.id}/accept`,
  body: { acceptedById: target.acceptedById },
});

/**
 * Open milestones and delivered artifacts of active engagements, one of each kind per
 * engagement, in an order that spreads them over the portfolio.
 */
async function writeTargets(dataSource: DataSource, count: number): Promise<WriteTargets> {
  const milestones = await dataSource.query<WriteTargets['milestones']>(
    `SELECT engagement_id AS "engagementId", id, due_date AS "dueDate"
       FROM (SELECT DISTINCT ON (m.engagement_id) m.engagement_id, m.id, m.due_date
               FROM milestones m JOIN engagements e ON e.id = m.engagement_id
              WHERE e.status = 'active' AND m.completed_on IS NULL
              ORDER BY m.engagement_id, m.id) t
      ORDER BY md5(engagement_id::text) LIMIT $1`,
    [count],
  );
  const artifacts = await dataSource.query<WriteTargets['artifacts']>(
    `SELECT engagement_id AS "engagementId", id, product_owner_id AS "acceptedById"
       FROM (SELECT DISTINCT ON (a.engagement_id) a.engagement_id, a.id, e.product_owner_id
               FROM artifacts a JOIN engagements e ON e.id = a.engagement_id
              WHERE e.status = 'active' AND a.status = 'delivered'
              ORDER BY a.engagement_id, a.id) t
      ORDER BY md5(engagement_id::text) LIMIT $1`,
    [count],
  );
  if (milestones.length < count || artifacts.length < count) {
    throw new Error(
      `Only ${milestones.length} open milestones and ${artifacts.length} delivered artifacts ` +
        `on distinct active engagements; ${count} of each are needed (lower --writes)`,
    );
  }
  return { milestones, artifacts };
}

interface StatementCounts {
  engagements: number;
  byRequest: Map<string, number[]>;
}

/**
 * The statements of each request, recorded in-process with TypeORM's logger (which sees every
 * statement, prepared ones and transaction control included): every page of the lists, the
 * summary, and `writes` writes of each kind on the given targets.
 */
async function countStatements(
  running: RunningApp,
  authorization: string,
  pages: number,
  writes: WriteTargets,
  engagements: number,
): Promise<StatementCounts> {
  const counter = StatementCounter.attach(running.app.get(DataSource));
  const send = async (request: Request, expected: number) => {
    const { result, statements } = await counter.during(() =>
      running.app.inject({
        method: request.method,
        url: request.url,
        headers: { authorization, 'content-type': 'application/json' },
        ...(request.body === undefined ? {} : { payload: JSON.stringify(request.body) }),
      }),
    );
    if (result.statusCode !== expected) {
      throw new Error(
        `${request.method} ${request.url} answered ${result.statusCode}: ${result.body}`,
      );
    }
    return { body: result.body, count: statements.length };
  };
  const byRequest = new Map<string, number[]>();
  try {
    // Refreshes the key's last_used_at, which later requests then skip.
    await send({ method: 'GET', url: SUMMARY.path }, 200);
    for (const list of LISTS) {
      let cursor: string | null = null;
      for (let page = 1; page <= pages; page++) {
        const { body, count } = await send(
          { method: 'GET', url: withCursor(list.path, cursor) },
          200,
        );
        byRequest.set(list.name, [...(byRequest.get(list.name) ?? []), count]);
        cursor = (JSON.parse(body) as { nextCursor: string | null }).nextCursor;
        if (cursor === null) break;
      }
    }
    byRequest.set(SUMMARY.name, [(await send({ method: 'GET', url: SUMMARY.path }, 200)).count]);
    const changes: number[] = [];
    for (const target of writes.milestones) {
      changes.push((await send(milestoneChange(target), 200)).count);
    }
    byRequest.set(MILESTONE_WRITE, changes);
    const accepts: number[] = [];
    for (const target of writes.artifacts)
      accepts.push((await send(artifactAccept(target), 200)).count);
    byRequest.set(ACCEPT_WRITE, accepts);
  } finally {
    counter.detach();
  }
  return { engagements, byRequest };
}

/** One request over HTTP, timed from sending it to the last byte of the response. */
async function timed(
  server: ServerProcess,
  authorization: string,
  request: Request,
  expected: number,
): Promise<{ ms: number; body: string }> {
  const started = performance.now();
  const response = await fetch(server.url + request.url, {
    method: request.method,
    headers: { authorization, 'content-type': 'application/json' },
    ...(request.body === undefined ? {} : { body: JSON.stringify(request.body) }),
  });
  const body = await response.text();
  const ms = performance.now() - started;
  if (response.status !== expected) {
    throw new Error(`${request.method} ${request.url} answered ${response.status}: ${body}`);
  }
  return { ms, body };
}

const formatLoad = (load: number[]) => load.map((n) => n.toFixed(2)).join(' ');

function numberOption(value: string | undefined, name: string, min: number, max: number) {
  const number = Number(value);
  if (!Number.isInteger(number) || number < min || number > max) {
    console.error(`--${name} must be an integer from ${min} to ${max}\n\n${USAGE}`);
    process.exit(64);
  }
  return number;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      engagements: { type: 'string', default: '100000' },
      small: { type: 'string', default: '1000' },
      pages: { type: 'string', default: '5' },
      runs: { type: 'string', default: '10' },
      warmup: { type: 'string', default: '2' },
      writes: { type: 'string', default: '100' },
      help: { type: 'boolean' },
    },
  });
  if (values.help) {
    console.error(USAGE);
    return;
  }
  const engagements = numberOption(values.engagements, 'engagements', 2, 1_000_000);
  const small = numberOption(values.small, 'small', 1, engagements - 1);
  const pages = numberOption(values.pages, 'pages', 1, 100);
  const runs = numberOption(values.runs, 'runs', 1, 10_000);
  const warmup = numberOption(values.warmup, 'warmup', 0, 100);
  const writes = numberOption(values.writes, 'writes', 1, 10_000);
  const countedWrites = 3;

  const loadAtStart = loadavg();
  const scratch: ScratchDatabase = await createScratchDatabase(
    process.env.DATABASE_URL || DEFAULT_SERVER,
  );
  const children = new Set<ChildProcess>();
  let running: RunningApp | undefined;
  let cleaning: Promise<void> | undefined;
  const cleanup = () =>
    (cleaning ??= (async () => {
      for (const child of children) child.kill('SIGTERM');
      await running?.close().catch(() => undefined);
      await scratch.drop();
    })());
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      console.error(`${signal}: stopping the API and dropping the scratch database…`);
      void cleanup().finally(() => process.exit(130));
    });
  }

  try {
    const config = benchConfig(scratch.url);
    const authorization = `Bearer ${config.adminApiKey}`;
    running = await createApp({ ...config, dbPoolSize: 1 });
    const dataSource = running.app.get(DataSource);
    const seed = async (count: number, suffix: string) => {
      console.error(`Seeding ${count} engagements${suffix ? ` more (suffix "${suffix}")` : ''}…`);
      const started = performance.now();
      const counts = await seedDemoPortfolio(dataSource, count, suffix);
      await dataSource.query('ANALYZE');
      console.error(
        `Seeded in ${((performance.now() - started) / 1000).toFixed(1)} s: ${Object.entries(counts)
          .map(([name, n]) => `${n} ${name}`)
          .join(', ')}.`,
      );
    };

    await seed(small, '');
    const smallTargets = await writeTargets(dataSource, countedWrites);
    const countsSmall = await countStatements(running, authorization, pages, smallTargets, small);
    await seed(engagements - small, ' (second)');
    const targets = await writeTargets(dataSource, writes + countedWrites);
    const countsLarge = await countStatements(
      running,
      authorization,
      pages,
      {
        milestones: targets.milestones.slice(writes),
        artifacts: targets.artifacts.slice(writes),
      },
      engagements,
    );
    const [{ artifacts, total }] = await dataSource.query<{ artifacts: number; total: number }[]>(
      'SELECT (SELECT count(*)::int FROM artifacts) AS artifacts, (SELECT count(*)::int FROM engagements) AS total',
    );
    await running.close();
    running = undefined;

    console.error('Starting the API (node dist/src/main.js, DB_POOL_SIZE=1)…');
    const api = await startServerProcess({
      name: 'API',
      script: 'src/main.js',
      env: {
        ...process.env,
        DATABASE_URL: scratch.url,
        ADMIN_API_KEY: config.adminApiKey,
        LOG_LEVEL: 'warn',
        RATE_LIMIT_MAX: '0',
        DB_POOL_SIZE: '1',
      },
      children,
      startTimeoutMs: 300_000,
    });
    const pid = api.process.pid as number;
    const afterStart = memoryOf(pid);
    let sampledPeak = afterStart.rss;
    const sampler = setInterval(() => {
      try {
        sampledPeak = Math.max(sampledPeak, memoryOf(pid).rss);
      } catch {
        // The process ended.
      }
    }, 20);

    // (b) the risk reads.
    const reads: Timed[] = [];
    for (const list of LISTS) {
      const result: Timed = { name: list.name, target: TARGETS[list.key], times: [], bytes: [] };
      for (let run = 0; run < warmup + runs; run++) {
        let cursor: string | null = null;
        for (let page = 1; page <= pages; page++) {
          const { ms, body } = await timed(
            api,
            authorization,
            { method: 'GET', url: withCursor(list.path, cursor) },
            200,
          );
          if (run >= warmup) {
            result.times.push(ms);
            result.bytes.push(Buffer.byteLength(body));
          }
          cursor = (JSON.parse(body) as { nextCursor: string | null }).nextCursor;
          if (cursor === null) break;
        }
      }
      reads.push(result);
      console.error(`  ${list.name}: done`);
    }
    const summary: Timed = { name: SUMMARY.name, target: TARGETS.summary, times: [], bytes: [] };
    for (let run = 0; run < warmup + runs * pages; run++) {
      const { ms, body } = await timed(
        api,
        authorization,
        { method: 'GET', url: SUMMARY.path },
        200,
      );
      if (run >= warmup) {
        summary.times.push(ms);
        summary.bytes.push(Buffer.byteLength(body));
      }
    }
    reads.push(summary);
    console.error(`  ${SUMMARY.name}: done`);
    clearInterval(sampler);
    const afterReads = memoryOf(pid);
    sampledPeak = Math.max(sampledPeak, afterReads.rss);

    // (d) the writes, each on its own engagement, alternating the two kinds.
    const milestoneTimes: Timed = {
      name: MILESTONE_WRITE,
      target: TARGETS.write,
      times: [],
      bytes: [],
    };
    const acceptTimes: Timed = { name: ACCEPT_WRITE, target: TARGETS.write, times: [], bytes: [] };
    const writeWarmup = Math.min(warmup * 5, Math.floor(writes / 10));
    for (let index = 0; index < writes; index++) {
      const milestone = await timed(
        api,
        authorization,
        milestoneChange(targets.milestones[index]),
        200,
      );
      const accept = await timed(api, authorization, artifactAccept(targets.artifacts[index]), 200);
      if (index < writeWarmup) continue;
      milestoneTimes.times.push(milestone.ms);
      milestoneTimes.bytes.push(Buffer.byteLength(milestone.body));
      acceptTimes.times.push(accept.ms);
      acceptTimes.bytes.push(Buffer.byteLength(accept.body));
    }
    const afterWrites = memoryOf(pid);
    await stopServerProcess(api);

    const statementsCell = (name: string) =>
      `${formatCounts(countsSmall.byRequest.get(name) ?? [])} / ${formatCounts(countsLarge.byRequest.get(name) ?? [])}`;
    const verdict = (ms: number, target: number) =>
      ms < target ? `< ${target}: met` : `< ${target}: MISSED`;
    const rows = [...reads, milestoneTimes, acceptTimes].map((result) => {
      const p95 = percentile(result.times, 95);
      return [
        result.name,
        String(result.times.length),
        percentile(result.times, 50).toFixed(1),
        p95.toFixed(1),
        Math.max(...result.times).toFixed(1),
        verdict(p95, result.target),
        formatBytes(percentile(result.bytes, 50)),
        statementsCell(result.name),
      ];
    });
    // Reads must send as many statements at both sizes; a write sends two more when it changes
    // the engagement's risk level (the audit event and the history row), whatever the size.
    const same = [...LISTS.map((list) => list.name), SUMMARY.name].every(
      (name) =>
        formatCounts(countsSmall.byRequest.get(name) ?? []) ===
        formatCounts(countsLarge.byRequest.get(name) ?? []),
    );

    console.log(
      `\nnpm run bench:risk: ${total} engagements (${artifacts} artifacts): a demo portfolio of ` +
        `${small} plus one of ${engagements - small}. PostgreSQL ${scratch.serverVersion}, ` +
        `Node ${process.version}. The API as a child process with DB_POOL_SIZE=1, one request ` +
        `at a time over HTTP on loopback.\n` +
        `(b) lists: ${runs} walks of ${pages} pages following nextCursor, after ${warmup} ` +
        `untimed walks; summary: ${runs * pages} requests after ${warmup} untimed.\n` +
        `(d) writes: ${writes} of each kind alternating, each on another active engagement, ` +
        `the first ${writeWarmup} of each untimed.\n` +
        `Load average (1, 5, 15 min): ${formatLoad(loadAtStart)} at start, ${formatLoad(loadavg())} ` +
        'at the end (other processes share this 2-core machine).\n',
    );
    console.log(
      table(
        [
          'request',
          'timed',
          'median ms',
          'p95 ms',
          'max ms',
          'p95 target (ms)',
          'response',
          `SQL statements at ${small} / ${engagements}`,
        ],
        rows,
        [false, true, true, true, true, false, true, true],
      ),
    );
    const peak = Math.max(afterReads.peak, sampledPeak);
    const peakMiB = peak / 1024 / 1024;
    console.log(
      `\n(b) Statement counts of the reads ${same ? 'are the same' : 'DIFFER'} at ${small} and ` +
        `${engagements} engagements (per request; a range when pages differ). A write sends two ` +
        "more when it changes the engagement's risk level (audit event and risk history row).",
    );
    console.log(
      `\n(e) Peak RSS of the API process during (b): ${formatBytes(peak)} ` +
        `(${peakMiB < TARGETS.rssMiB ? `target < ${TARGETS.rssMiB} MiB: met` : `target < ${TARGETS.rssMiB} MiB: MISSED`}); ` +
        `RSS after start-up ${formatBytes(afterStart.rss)}, after (b) ${formatBytes(afterReads.rss)}, ` +
        `after (d) ${formatBytes(afterWrites.rss)} (peak ${formatBytes(afterWrites.peak)}).`,
    );
    console.log(
      '\nWall time: from sending the request to the last byte of the response, measured by ' +
        'this process. p95: linear interpolation between the closest ranks. SQL statements: ' +
        'all a request sent (the API key lookup and transaction control included), recorded ' +
        "with TypeORM's logger in an in-process instance of the API on the same database before " +
        `the timed run: every page of each list walk, one summary, ${countedWrites} writes of ` +
        'each kind (on engagements the timed writes do not touch). Peak RSS: VmHWM from ' +
        '/proc/<pid>/status of the API process (its peak since it started, so start-up ' +
        'counts; the seeding ran in this process, not in it), read after (b), and VmRSS ' +
        'sampled every 20 ms during (b).',
    );
  } finally {
    await cleanup();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : error);
  process.exit(1);
});
