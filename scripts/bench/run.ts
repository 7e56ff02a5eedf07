import 'reflect-metadata';
import { type ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { cpus, loadavg } from 'node:os';
import { createInterface } from 'node:readline';
import { isDeepStrictEqual, parseArgs } from 'node:util';
import pg from 'pg';
import { DataSource } from 'typeorm';
import { createApp, type RunningApp } from '../../src/app.setup.js';
import { loadConfig } from '../../src/config/config.js';
import { redactUrl } from '../../src/database/database.js';
import { seedDemoPortfolio } from '../demo-portfolio.js';
import { StatementCounter } from '../statement-counter.js';
import { REQUEST_STATEMENTS, TOUCH_API_KEY } from './baseline-sql.js';
import type { LoadPlan, LoadResult } from './load.js';
import { DEFAULT_SERVER, table } from '../bench-support.js';

const DIST = new URL('../..', import.meta.url).pathname;
const SERVER_CORE = '0';
const LOAD_CORE = '1';

const USAGE = `Usage: npm run bench [-- --engagements N --connections N --duration S --warmup S --ids N
                         --list-connections N --list-duration S]
Creates a scratch database on DATABASE_URL's server (default ${DEFAULT_SERVER}), seeds the demo
portfolio (default 20000 engagements), and starts two servers pinned to core ${SERVER_CORE}: the API
(node dist/src/main.js) and a bare Fastify + pg baseline that sends the same SQL for
GET /v1/engagements/{id} and answers the same JSON. autocannon, in its own process on core ${LOAD_CORE},
drives each in turn; the table gives requests, req/s, latency percentiles and the server's CPU
time per request (utime+stime from /proc/<pid>/stat). Then the API's filtered lists (one
connection at a time by default: the latency a user sees, without queueing). The scratch
database is dropped at the end, also on failure or Ctrl-C.`;

const log = (message: string) => console.error(`[bench] ${message}`);

/** The last bytes a child wrote, shown when it fails. */
class Tail {
  private text = '';
  constructor(private readonly limit = 16_384) {}
  add(chunk: Buffer | string): void {
    this.text = (this.text + chunk.toString()).slice(-this.limit);
  }
  toString(): string {
    return this.text;
  }
}

/** User plus system CPU time of a process, in clock ticks (fields 14 and 15 of /proc/<pid>/stat). */
function cpuTicks(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name (field 2) is in parentheses and may hold spaces: count from after it.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]);
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (address === null || typeof address === 'string') throw new Error('no free port');
  return address.port;
}

/** Prefixes a command with `taskset -c <core>` when taskset works here. */
function pinned(core: string, pin: boolean, command: string, args: string[]): [string, string[]] {
  return pin ? ['taskset', ['-c', core, command, ...args]] : [command, args];
}

interface Server {
  name: string;
  url: string;
  process: ChildProcess;
  output: Tail;
}

async function startServer(
  name: string,
  script: string,
  env: NodeJS.ProcessEnv,
  pin: boolean,
  children: Set<ChildProcess>,
): Promise<Server> {
  const port = await freePort();
  const [command, args] = pinned(SERVER_CORE, pin, process.execPath, [DIST + script]);
  const child = spawn(command, args, {
    env: { ...env, PORT: String(port), HOST: '127.0.0.1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  child.once('exit', () => children.delete(child));
  const output = new Tail();
  child.stdout?.on('data', (chunk: Buffer) => output.add(chunk));
  child.stderr?.on('data', (chunk: Buffer) => output.add(chunk));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`${name} exited during start-up:\n${output.toString()}`);
    }
    try {
      if ((await fetch(`${url}/health/live`)).ok) break;
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) throw new Error(`${name} did not start in 60 s:\n${output}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return { name, url, process: child, output };
}

async function stopServer(server: Server): Promise<void> {
  const { process: child } = server;
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

interface Measurement {
  label: string;
  connections: number;
  load: LoadResult;
  /** CPU time of the server process over the measured window, in clock ticks. */
  serverTicks: number;
  /** CPU time of the PostgreSQL backends serving it over the same window, in clock ticks. */
  databaseTicks: number;
}

/** CPU ticks of the PostgreSQL backends connected to `database` under `applicationName`. */
async function backendTicks(
  admin: pg.Client,
  database: string,
  applicationName: string,
): Promise<Map<number, number>> {
  const { rows } = await admin.query<{ pid: number }>(
    'SELECT pid FROM pg_stat_activity WHERE datname = $1 AND application_name = $2',
    [database, applicationName],
  );
  const ticks = new Map<number, number>();
  for (const { pid } of rows) {
    try {
      ticks.set(pid, cpuTicks(pid));
    } catch {
      // A backend that ended between the query and the read.
    }
  }
  return ticks;
}

function backendDelta(before: Map<number, number>, after: Map<number, number>): number {
  let total = 0;
  // A backend that appeared during the window counts from zero: it started then.
  for (const [pid, ticks] of after) total += ticks - (before.get(pid) ?? 0);
  return total;
}

/**
 * Waits until the server's CPU time stops moving (at most 30 s): requests the warm-up left in
 * flight must not be charged to the measured window.
 */
async function settle(pid: number): Promise<void> {
  const deadline = Date.now() + 30_000;
  let last = cpuTicks(pid);
  while (Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 250));
    const now = cpuTicks(pid);
    if (now === last) return;
    last = now;
  }
}

/**
 * Runs the load generator against `server` on its own core: warm-up, then the measured window
 * framed by readings of the server's CPU time and its database backends'.
 */
async function measure(
  label: string,
  server: Server,
  plan: Omit<LoadPlan, 'url'>,
  pin: boolean,
  children: Set<ChildProcess>,
  admin: pg.Client,
  database: string,
  applicationName: string,
): Promise<Measurement> {
  const fullPlan: LoadPlan = { ...plan, url: server.url };
  const [command, args] = pinned(LOAD_CORE, pin, process.execPath, [
    DIST + 'scripts/bench/load.js',
  ]);
  const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'] });
  child.stdin?.write(`${JSON.stringify(fullPlan)}\n`);
  children.add(child);
  const errors = new Tail();
  child.stderr?.on('data', (chunk: Buffer) => errors.add(chunk));
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  const pid = server.process.pid as number;
  let before = { server: 0, backends: new Map<number, number>() };
  let result: LoadResult | undefined;
  let after = before;
  log(`${label}: warm-up ${plan.warmupSeconds} s…`);
  for await (const line of createInterface({ input: child.stdout! })) {
    if (line === 'warm') {
      await settle(pid);
      before = {
        server: cpuTicks(pid),
        backends: await backendTicks(admin, database, applicationName),
      };
      log(
        `${label}: measuring ${plan.durationSeconds} s with ${plan.connections} connection${plan.connections === 1 ? '' : 's'}…`,
      );
      child.stdin?.write('go\n');
    } else if (line.startsWith('result ')) {
      after = {
        server: cpuTicks(pid),
        backends: await backendTicks(admin, database, applicationName),
      };
      result = JSON.parse(line.slice('result '.length)) as LoadResult;
    }
  }
  const code = await exited;
  children.delete(child);
  if (code !== 0 || !result) throw new Error(`the load generator failed (${code}):\n${errors}`);
  if (result.non2xx > 0 || result.errors > 0 || result.timeouts > 0) {
    throw new Error(
      `${label}: ${result.non2xx} non-2xx responses, ${result.errors} errors, ` +
        `${result.timeouts} timeouts; the figures would be meaningless. Server output:\n${server.output}`,
    );
  }
  if (server.process.exitCode !== null) throw new Error(`${server.name} died:\n${server.output}`);
  if (result.requests === 0) {
    throw new Error(
      `${label}: no request completed in ${plan.durationSeconds} s; raise --duration`,
    );
  }
  return {
    label,
    connections: plan.connections,
    load: result,
    serverTicks: after.server - before.server,
    databaseTicks: backendDelta(before.backends, after.backends),
  };
}

/** Fetches each id from both servers and requires the same status, ETag and JSON body. */
async function verifySameAnswers(
  api: Server,
  baseline: Server,
  ids: string[],
  authorization: string,
): Promise<void> {
  for (const id of ids) {
    const [fromApi, fromBaseline] = await Promise.all(
      [api, baseline].map(async (server) => {
        const response = await fetch(`${server.url}/v1/engagements/${id}`, {
          headers: { authorization },
        });
        return {
          status: response.status,
          etag: response.headers.get('etag'),
          body: await response.text(),
        };
      }),
    );
    const same =
      fromApi.status === 200 &&
      fromBaseline.status === 200 &&
      fromApi.etag === fromBaseline.etag &&
      isDeepStrictEqual(JSON.parse(fromApi.body), JSON.parse(fromBaseline.body));
    if (!same) {
      throw new Error(
        `The servers answer GET /v1/engagements/${id} differently:\n` +
          `API (${fromApi.status}, ETag ${fromApi.etag}): ${fromApi.body}\n` +
          `baseline (${fromBaseline.status}, ETag ${fromBaseline.etag}): ${fromBaseline.body}`,
      );
    }
  }
}

/** Requires the API to send exactly the baseline's statements for one GET by id. */
async function verifySameStatements(running: RunningApp, id: string, authorization: string) {
  const counter = StatementCounter.attach(running.app.get(DataSource));
  try {
    // The first request may refresh the key's last_used_at; both servers do that the same way.
    for (const attempt of ['first', 'second']) {
      const { result, statements } = await counter.during(() =>
        running.app.inject({
          method: 'GET',
          url: `/v1/engagements/${id}`,
          headers: { authorization },
        }),
      );
      if (result.statusCode !== 200) throw new Error(`the API answered ${result.statusCode}`);
      const withoutTouch = statements.filter((statement) => statement !== TOUCH_API_KEY);
      if (!isDeepStrictEqual(withoutTouch, REQUEST_STATEMENTS)) {
        throw new Error(
          `On the ${attempt} request the API sent other SQL than scripts/bench/baseline-sql.ts ` +
            `holds; update that file from these:\n${statements.join('\n---\n')}`,
        );
      }
    }
  } finally {
    counter.detach();
  }
}

function positiveInteger(value: string | undefined, name: string, max: number): number {
  const number = Number(value);
  if (!Number.isInteger(number) || number < 1 || number > max) {
    console.error(`--${name} must be an integer from 1 to ${max}\n\n${USAGE}`);
    process.exit(64);
  }
  return number;
}

const formatLoad = (load: [number, number, number]) => load.map((n) => n.toFixed(2)).join(' ');

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      engagements: { type: 'string', default: '20000' },
      connections: { type: 'string', default: '10' },
      'list-connections': { type: 'string', default: '1' },
      'list-duration': { type: 'string' },
      duration: { type: 'string', default: '15' },
      warmup: { type: 'string', default: '3' },
      ids: { type: 'string', default: '1000' },
      help: { type: 'boolean' },
    },
  });
  if (values.help) {
    console.error(USAGE);
    return;
  }
  const engagements = positiveInteger(values.engagements, 'engagements', 1_000_000);
  const connections = positiveInteger(values.connections, 'connections', 1000);
  const listConnections = positiveInteger(values['list-connections'], 'list-connections', 1000);
  const durationSeconds = positiveInteger(values.duration, 'duration', 600);
  const listDurationSeconds = positiveInteger(
    values['list-duration'] ?? values.duration,
    'list-duration',
    600,
  );
  const warmupSeconds = Number(values.warmup);
  if (!Number.isInteger(warmupSeconds) || warmupSeconds < 0 || warmupSeconds > 600) {
    console.error(`--warmup must be an integer from 0 to 600\n\n${USAGE}`);
    process.exit(64);
  }
  const idCount = Math.min(positiveInteger(values.ids, 'ids', 100_000), engagements);

  const pin = spawnSync('taskset', ['-c', `${SERVER_CORE},${LOAD_CORE}`, 'true']).status === 0;
  if (!pin) log('WARNING: taskset is missing or cannot pin to cores 0 and 1: running unpinned.');
  const clockTicks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
  const loadAtStart = loadavg() as [number, number, number];

  const serverUrl = process.env.DATABASE_URL || DEFAULT_SERVER;
  const database = `handover_bench_${process.pid}_${randomBytes(4).toString('hex')}`;
  const databaseUrl = new URL(serverUrl);
  databaseUrl.pathname = `/${database}`;
  const adminKey = `bench-admin-${randomBytes(24).toString('hex')}`;
  const authorization = `Bearer ${adminKey}`;
  const serverEnv: NodeJS.ProcessEnv = {
    ...process.env,
    DATABASE_URL: databaseUrl.toString(),
    ADMIN_API_KEY: adminKey,
    LOG_LEVEL: 'warn',
    RATE_LIMIT_MAX: '0',
  };

  const admin = new pg.Client({ connectionString: serverUrl, application_name: 'handover-bench' });
  await admin.connect();
  const children = new Set<ChildProcess>();
  let running: RunningApp | undefined;
  let created = false;
  let cleaning: Promise<void> | undefined;
  const cleanup = () =>
    (cleaning ??= (async () => {
      for (const child of children) child.kill('SIGTERM');
      await running?.close().catch(() => undefined);
      if (created) {
        await admin.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
        log(`Dropped ${database}.`);
      }
      await admin.end();
    })());
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      log(`${signal}: stopping the servers and dropping the scratch database…`);
      void cleanup().finally(() => process.exit(130));
    });
  }

  try {
    const { rows } = await admin.query<{ server_version: string }>('SHOW server_version');
    const serverVersion = rows[0].server_version;
    await admin.query(`CREATE DATABASE "${database}"`);
    created = true;
    log(`Scratch database ${redactUrl(databaseUrl.toString())} (PostgreSQL ${serverVersion}).`);

    running = await createApp(loadConfig({ ...serverEnv, LOG_LEVEL: 'silent' }));
    const dataSource = running.app.get(DataSource);
    log(`Seeding ${engagements} engagements…`);
    const seedStarted = performance.now();
    const counts = await seedDemoPortfolio(dataSource, engagements);
    await dataSource.query('ANALYZE');
    log(
      `Seeded in ${((performance.now() - seedStarted) / 1000).toFixed(1)} s: ` +
        Object.entries(counts)
          .map(([name, n]) => `${n} ${name}`)
          .join(', '),
    );
    // A fixed set spread over the portfolio (uuids are random, so ordering by id spreads them).
    const ids = (
      await dataSource.query<{ id: string }[]>('SELECT id FROM engagements ORDER BY id LIMIT $1', [
        idCount,
      ])
    ).map((row) => row.id);
    await verifySameStatements(running, ids[0], authorization);
    log('The API sends exactly the statements in scripts/bench/baseline-sql.ts.');
    await running.close();
    running = undefined;

    log(`Starting the API and the baseline${pin ? ` pinned to core ${SERVER_CORE}` : ''}…`);
    const api = await startServer('API', 'src/main.js', serverEnv, pin, children);
    const baseline = await startServer(
      'baseline',
      'scripts/bench/baseline-server.js',
      serverEnv,
      pin,
      children,
    );
    const sample = ids.filter((_, index) => index % Math.max(1, Math.floor(ids.length / 50)) === 0);
    await verifySameAnswers(api, baseline, sample, authorization);
    log(`Both servers answer the same JSON for ${sample.length} sampled engagements.`);

    const runs: Measurement[] = [];
    const run = async (
      label: string,
      server: Server,
      applicationName: string,
      load: Pick<LoadPlan, 'paths' | 'connections' | 'durationSeconds'>,
    ) => {
      const plan = { ...load, authorization, warmupSeconds };
      runs.push(
        await measure(label, server, plan, pin, children, admin, database, applicationName),
      );
    };
    const byId = {
      paths: ids.map((id) => `/v1/engagements/${id}`),
      connections,
      durationSeconds,
    };
    await run('API       GET /v1/engagements/{id}', api, 'handover', byId);
    await run('baseline  GET /v1/engagements/{id}', baseline, 'handover-baseline', byId);
    for (const path of [
      '/v1/engagements?status=active&limit=50',
      '/v1/engagements?minRiskLevel=high&limit=50',
    ]) {
      await run(`API       GET ${path}`, api, 'handover', {
        paths: [path],
        connections: listConnections,
        durationSeconds: listDurationSeconds,
      });
    }
    await stopServer(api);
    await stopServer(baseline);
    const loadAtEnd = loadavg() as [number, number, number];

    const microsPerRequest = (ticks: number, requests: number) =>
      ((ticks / clockTicks) * 1e6) / requests;
    const rows2 = runs.map((m) => ({
      label: m.label,
      connections: m.connections,
      seconds: m.load.seconds,
      requests: m.load.requests,
      rps: m.load.requests / m.load.seconds,
      latency: m.load.latencyMs,
      cpu: microsPerRequest(m.serverTicks, m.load.requests),
      db: microsPerRequest(m.databaseTicks, m.load.requests),
    }));
    const [apiRow, baselineRow] = rows2;
    const cells = rows2.map((row) => [
      row.label,
      String(row.connections),
      row.seconds.toFixed(0),
      String(row.requests),
      row.rps.toFixed(1),
      row.latency.p50.toFixed(1),
      row.latency.p95.toFixed(1),
      row.latency.p99.toFixed(1),
      row.cpu.toFixed(0),
      row.db.toFixed(0),
    ]);
    const ratio = (a: number, b: number) => `${(a / b).toFixed(2)}×`;
    cells.splice(2, 0, [
      'ratio API / baseline',
      '',
      '',
      '',
      ratio(apiRow.rps, baselineRow.rps),
      ratio(apiRow.latency.p50, baselineRow.latency.p50),
      ratio(apiRow.latency.p95, baselineRow.latency.p95),
      ratio(apiRow.latency.p99, baselineRow.latency.p99),
      ratio(apiRow.cpu, baselineRow.cpu),
      ratio(apiRow.db, baselineRow.db),
    ]);

    console.log(
      `\nnpm run bench: ${engagements} engagements (${counts.artifacts} artifacts), ` +
        `${ids.length} engagement ids round-robin for GET by id.\n` +
        `autocannon: ${warmupSeconds} s warm-up, then the measured window (s) of each row; ` +
        (pin
          ? `server on core ${SERVER_CORE}, load generator on core ${LOAD_CORE} (taskset).\n`
          : 'NOT pinned (taskset unavailable).\n') +
        `Node ${process.version}, PostgreSQL ${serverVersion} (same machine, unpinned), ` +
        `${cpus().length} cores (${cpus()[0]?.model.trim() ?? 'unknown CPU'}), CLK_TCK ${clockTicks}.\n` +
        `Load average (1, 5, 15 min): ${formatLoad(loadAtStart)} at start, ${formatLoad(loadAtEnd)} at end ` +
        '(other processes share the machine).\n',
    );
    console.log(
      table(
        [
          'server    request',
          'conns',
          's',
          'requests',
          'req/s',
          'p50 ms',
          'p95 ms',
          'p99 ms',
          'CPU µs/req',
          'PG CPU µs/req',
        ],
        cells,
        [false, true, true, true, true, true, true, true, true, true],
      ),
    );
    console.log(
      '\nCPU µs/req: utime+stime of the server process (all its threads) from /proc/<pid>/stat ' +
        'over the measured window ÷ 2xx responses. PG CPU µs/req: the same for the PostgreSQL ' +
        'backends of that server’s pool (the SQL work; it should be about equal for both). ' +
        'conns: concurrent connections kept busy by autocannon. Latency: from sending a request ' +
        'to the end of its response (p95 and p99 of a few requests are close to the maximum).',
    );
  } finally {
    await cleanup();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : error);
  process.exit(1);
});
