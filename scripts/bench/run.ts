import 'reflect-metadata';
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cpus, loadavg } from 'node:os';
import { createInterface } from 'node:readline';
import { isDeepStrictEqual, parseArgs } from 'node:util';
import pg from 'pg';
import { DataSource, type QueryRunner } from 'typeorm';
import { createApp, type RunningApp } from '../../src/app.setup.js';
import { loadConfig } from '../../src/config/config.js';
import { secretPrefix } from '../../src/auth/api-key-secret.js';
import { redactUrl } from '../../src/database/database.js';
import {
  backendDelta,
  backendTicks,
  clockTicksPerSecond,
  cpuTicks,
  DEFAULT_SERVER,
  DIST,
  formatCounts,
  type ServerProcess,
  startServerProcess,
  stopServerProcess,
  Tail,
  table,
} from '../bench-support.js';
import { seedDemoPortfolio } from '../demo-portfolio.js';
import { ENGAGEMENT_RESPONSE, KEY_BY_PREFIX } from './baseline-sql.js';
import type { LoadPlan, LoadResult } from './load.js';

const SERVER_CORE = '0';
const LOAD_CORE = '1';
const TARGET_RATIO = 1.5;

const USAGE = `Usage: npm run bench [-- --engagements N --rounds N --connections N --duration S --warmup S
                         --ids N --list-connections N --list-duration S --no-lists]
Creates a scratch database on DATABASE_URL's server (default ${DEFAULT_SERVER}), seeds the demo
portfolio (default 20000 engagements), and starts two servers pinned to core ${SERVER_CORE}: the API
(node dist/src/main.js) and the bare baseline (scripts/bench/baseline-server.ts: Fastify + pg, the
same API key authentication, then one prepared round trip for the engagement, its recipients
and its risk facts; the same JSON). autocannon, in its own process on core ${LOAD_CORE}, drives
GET /v1/engagements/{id} on each in turn, alternating for --rounds rounds (default 2); the table
gives req/s, latency percentiles, the server's CPU per request, the CPU per request of the
PostgreSQL backends serving it, and SQL statements per request. Then the API's filtered lists
(one connection by default: the latency a user sees, without queueing; --no-lists skips them).
The scratch database is dropped at the end, also on failure or Ctrl-C.`;

const log = (message: string) => console.error(`[bench] ${message}`);

interface Measurement {
  label: string;
  server: 'API' | 'baseline' | 'list';
  round: number;
  connections: number;
  load: LoadResult;
  /** CPU time of the server process over the measured window, in clock ticks. */
  serverTicks: number;
  /** CPU time of the PostgreSQL backends serving it over the same window, in clock ticks. */
  databaseTicks: number;
  /** Statements the server sent in the window, when it can tell (the baseline does). */
  statements?: number;
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

/** The baseline's count of statements sent so far; undefined for a server without one. */
async function statementsSent(server: ServerProcess): Promise<number | undefined> {
  if (server.name !== 'baseline') return undefined;
  const response = await fetch(`${server.url}/_baseline/statements`);
  return ((await response.json()) as { statements: number }).statements;
}

interface MeasureContext {
  pin: boolean;
  children: Set<ChildProcess>;
  admin: pg.Client;
  database: string;
}

/**
 * Runs the load generator against `server` on its own core: warm-up, then the measured window
 * framed by readings of the server's CPU time, its database backends' and its statement count.
 */
async function measure(
  label: string,
  kind: Measurement['server'],
  round: number,
  server: ServerProcess,
  applicationName: string,
  plan: Omit<LoadPlan, 'url'>,
  { pin, children, admin, database }: MeasureContext,
): Promise<Measurement> {
  const fullPlan: LoadPlan = { ...plan, url: server.url };
  const loadArgs = [DIST + 'scripts/bench/load.js'];
  const [command, args] = pin
    ? ['taskset', ['-c', LOAD_CORE, process.execPath, ...loadArgs]]
    : [process.execPath, loadArgs];
  const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'] });
  child.stdin?.write(`${JSON.stringify(fullPlan)}\n`);
  children.add(child);
  const errors = new Tail();
  child.stderr?.on('data', (chunk: Buffer) => errors.add(chunk));
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  const pid = server.process.pid as number;
  const reading = async () => ({
    server: cpuTicks(pid),
    backends: await backendTicks(admin, database, applicationName),
    statements: await statementsSent(server),
  });
  let before: Awaited<ReturnType<typeof reading>> | undefined;
  let after: typeof before;
  let result: LoadResult | undefined;
  log(`${label}: warm-up ${plan.warmupSeconds} s…`);
  for await (const line of createInterface({ input: child.stdout! })) {
    if (line === 'warm') {
      await settle(pid);
      before = await reading();
      log(
        `${label}: measuring ${plan.durationSeconds} s with ${plan.connections} connection${plan.connections === 1 ? '' : 's'}…`,
      );
      child.stdin?.write('go\n');
    } else if (line.startsWith('result ')) {
      after = await reading();
      result = JSON.parse(line.slice('result '.length)) as LoadResult;
    }
  }
  const code = await exited;
  children.delete(child);
  if (code !== 0 || !result || !before || !after) {
    throw new Error(`the load generator failed (${code}):\n${errors}`);
  }
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
    server: kind,
    round,
    connections: plan.connections,
    load: result,
    serverTicks: after.server - before.server,
    databaseTicks: backendDelta(before.backends, after.backends),
    statements:
      after.statements === undefined || before.statements === undefined
        ? undefined
        : after.statements - before.statements,
  };
}

/** Fetches each id from both servers and requires the same status, ETag and JSON body. */
async function verifySameAnswers(
  api: ServerProcess,
  baseline: ServerProcess,
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

/** A statement as sent, with the values of one request. */
interface SentStatement {
  text: string;
  values: unknown[];
}

/**
 * The statements the API sends for GET by id, recorded in-process through the data source's
 * logger (TypeORM hands it every statement, prepared ones included) on each sampled id after
 * one request that refreshes the key's last_used_at: the count per request, and each distinct
 * statement with the values of its first use.
 */
async function apiStatements(running: RunningApp, ids: string[], authorization: string) {
  const dataSource = running.app.get(DataSource);
  const previous = dataSource.logger;
  let recorded: SentStatement[] = [];
  const recording = new Proxy(previous, {
    get(target, property, receiver) {
      if (property !== 'logQuery') return Reflect.get(target, property, receiver);
      return (query: string, parameters?: unknown[], queryRunner?: QueryRunner) => {
        recorded.push({ text: query, values: parameters ?? [] });
        return target.logQuery(query, parameters, queryRunner);
      };
    },
  });
  dataSource.setOptions({ logger: recording });
  const get = (id: string) =>
    running.app.inject({ method: 'GET', url: `/v1/engagements/${id}`, headers: { authorization } });
  try {
    await get(ids[0]);
    const counts: number[] = [];
    const distinct = new Map<string, SentStatement>();
    for (const id of ids) {
      recorded = [];
      const result = await get(id);
      if (result.statusCode !== 200) throw new Error(`the API answered ${result.statusCode}`);
      counts.push(recorded.length);
      for (const statement of recorded) {
        if (!distinct.has(statement.text)) distinct.set(statement.text, statement);
      }
    }
    return { counts, distinct: [...distinct.values()] };
  } finally {
    dataSource.setOptions({ logger: previous });
  }
}

/** A value as an SQL literal, for EXECUTE (which takes no bind parameters). */
function literal(client: pg.Client, value: unknown): string {
  if (value === null || value === undefined) return 'NULL';
  if (value instanceof Date) return client.escapeLiteral(value.toISOString());
  if (Array.isArray(value)) {
    const items = value.map((item) => `"${String(item).replace(/["\\]/g, '\\$&')}"`);
    return client.escapeLiteral(`{${items.join(',')}}`);
  }
  return client.escapeLiteral(String(value));
}

interface StatementCost {
  label: string;
  sql: string;
  planningMs: number;
  executionMs: number;
  cpuMicros: number;
}

/**
 * Where PostgreSQL's time per statement goes, on a connection of its own: EXPLAIN ANALYZE of
 * the 7th EXECUTE of the statement prepared with SQL's PREPARE (by then the plan cache has
 * settled on a generic plan, or keeps planning a custom one each time), and the backend's
 * CPU per execution over `executions` runs sent as the servers send them (a named prepared
 * statement over the extended protocol). Only reads: EXPLAIN ANALYZE runs what it explains.
 */
async function statementCosts(
  url: string,
  statements: { label: string; statement: SentStatement }[],
  executions: number,
  clockTicks: number,
): Promise<StatementCost[]> {
  const client = new pg.Client({ connectionString: url, application_name: 'handover-bench-check' });
  await client.connect();
  try {
    const [{ pid }] = (await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows;
    const costs: StatementCost[] = [];
    for (const [index, { label, statement }] of statements.entries()) {
      await client.query(`PREPARE bench_check_${index} AS ${statement.text}`);
      const execute = `EXECUTE bench_check_${index}(${statement.values.map((value) => literal(client, value)).join(', ')})`;
      let plan: { 'Planning Time': number; 'Execution Time': number } | undefined;
      for (let run = 0; run < 7; run++) {
        const { rows } = await client.query<{ 'QUERY PLAN': (typeof plan)[] }>(
          `EXPLAIN (ANALYZE, FORMAT JSON) ${execute}`,
        );
        plan = rows[0]['QUERY PLAN'][0];
      }
      const named = { name: `bench_cpu_${index}`, text: statement.text, values: statement.values };
      for (let run = 0; run < 50; run++) await client.query(named);
      const before = cpuTicks(pid);
      for (let run = 0; run < executions; run++) await client.query(named);
      const after = cpuTicks(pid);
      costs.push({
        label,
        sql: statement.text,
        planningMs: plan?.['Planning Time'] ?? Number.NaN,
        executionMs: plan?.['Execution Time'] ?? Number.NaN,
        cpuMicros: (((after - before) / clockTicks) * 1e6) / executions,
      });
    }
    return costs;
  } finally {
    await client.end();
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
const oneLine = (sql: string, width = 110) => {
  const flat = sql.replace(/\s+/g, ' ').trim();
  return flat.length > width ? `${flat.slice(0, width - 1)}…` : flat;
};

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      engagements: { type: 'string', default: '20000' },
      rounds: { type: 'string', default: '2' },
      connections: { type: 'string', default: '10' },
      'list-connections': { type: 'string', default: '1' },
      'list-duration': { type: 'string' },
      'no-lists': { type: 'boolean' },
      duration: { type: 'string', default: '15' },
      warmup: { type: 'string', default: '3' },
      ids: { type: 'string', default: '1000' },
      'check-executions': { type: 'string', default: '3000' },
      help: { type: 'boolean' },
    },
  });
  if (values.help) {
    console.error(USAGE);
    return;
  }
  const engagements = positiveInteger(values.engagements, 'engagements', 1_000_000);
  const rounds = positiveInteger(values.rounds, 'rounds', 100);
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
  const checkExecutions = positiveInteger(values['check-executions'], 'check-executions', 1e6);

  const pin = spawnSync('taskset', ['-c', `${SERVER_CORE},${LOAD_CORE}`, 'true']).status === 0;
  if (!pin) log('WARNING: taskset is missing or cannot pin to cores 0 and 1: running unpinned.');
  const clockTicks = clockTicksPerSecond();
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
    const sample = ids.filter((_, index) => index % Math.max(1, Math.floor(ids.length / 50)) === 0);
    const apiSql = await apiStatements(running, sample, authorization);
    log('Explaining and timing each read statement on a connection of its own…');
    const costs = await statementCosts(
      databaseUrl.toString(),
      [
        ...apiSql.distinct
          .filter((statement) => /^\s*(SELECT|WITH)\b/i.test(statement.text))
          .map((statement, index) => ({ label: `API ${index + 1}`, statement })),
        {
          label: 'baseline 1',
          statement: { text: KEY_BY_PREFIX.text, values: [secretPrefix(adminKey)] },
        },
        { label: 'baseline 2', statement: { text: ENGAGEMENT_RESPONSE.text, values: [sample[0]] } },
      ],
      checkExecutions,
      clockTicks,
    );
    await running.close();
    running = undefined;

    log(`Starting the API and the baseline${pin ? ` pinned to core ${SERVER_CORE}` : ''}…`);
    const core = pin ? SERVER_CORE : undefined;
    const api = await startServerProcess({
      name: 'API',
      script: 'src/main.js',
      env: serverEnv,
      children,
      core,
    });
    const baseline = await startServerProcess({
      name: 'baseline',
      script: 'scripts/bench/baseline-server.js',
      env: serverEnv,
      children,
      core,
    });
    await verifySameAnswers(api, baseline, sample, authorization);
    log(`Both servers answer the same JSON and ETag for ${sample.length} sampled engagements.`);

    const context: MeasureContext = { pin, children, admin, database };
    const runs: Measurement[] = [];
    const byId = {
      paths: ids.map((id) => `/v1/engagements/${id}`),
      connections,
      durationSeconds,
      authorization,
      warmupSeconds,
    };
    for (let round = 1; round <= rounds; round++) {
      // Alternate which goes first, so drift in the machine's load does not favour one.
      const order: ['API' | 'baseline', ServerProcess, string][] = [
        ['API', api, 'handover'],
        ['baseline', baseline, 'handover-baseline'],
      ];
      if (round % 2 === 0) order.reverse();
      for (const [kind, server, applicationName] of order) {
        const label = `${kind.padEnd(8)}  GET /v1/engagements/{id}`;
        runs.push(
          await measure(`${label} #${round}`, kind, round, server, applicationName, byId, context),
        );
      }
    }
    if (!values['no-lists']) {
      for (const path of [
        '/v1/engagements?status=active&limit=50',
        '/v1/engagements?minRiskLevel=high&limit=50',
        '/v1/engagements?sort=-riskScore&limit=50',
      ]) {
        runs.push(
          await measure(
            `API       GET ${path}`,
            'list',
            1,
            api,
            'handover',
            {
              paths: [path],
              connections: listConnections,
              durationSeconds: listDurationSeconds,
              authorization,
              warmupSeconds,
            },
            context,
          ),
        );
      }
    }
    await stopServerProcess(api);
    await stopServerProcess(baseline);
    const loadAtEnd = loadavg() as [number, number, number];

    const micros = (ticks: number, requests: number) => ((ticks / clockTicks) * 1e6) / requests;
    const apiStatementsCell = formatCounts(apiSql.counts);
    const row = (m: Measurement) => [
      m.label,
      m.server === 'list' ? '' : String(m.round),
      String(m.connections),
      m.load.seconds.toFixed(0),
      String(m.load.requests),
      (m.load.requests / m.load.seconds).toFixed(1),
      m.load.latencyMs.p50.toFixed(1),
      m.load.latencyMs.p95.toFixed(1),
      m.load.latencyMs.p99.toFixed(1),
      micros(m.serverTicks, m.load.requests).toFixed(0),
      micros(m.databaseTicks, m.load.requests).toFixed(0),
      m.statements !== undefined
        ? (m.statements / m.load.requests).toFixed(3)
        : m.server === 'API'
          ? apiStatementsCell
          : '',
    ];
    const byIdRuns = runs.filter((m) => m.server !== 'list');
    const total = (kind: 'API' | 'baseline') => {
      const mine = byIdRuns.filter((m) => m.server === kind);
      const sum = (pick: (m: Measurement) => number) => mine.reduce((n, m) => n + pick(m), 0);
      const requests = sum((m) => m.load.requests);
      const seconds = sum((m) => m.load.seconds);
      return {
        requests,
        seconds,
        rps: requests / seconds,
        cpu: micros(
          sum((m) => m.serverTicks),
          requests,
        ),
        db: micros(
          sum((m) => m.databaseTicks),
          requests,
        ),
        statements: mine.every((m) => m.statements !== undefined)
          ? sum((m) => m.statements ?? 0) / requests
          : undefined,
        perRound: mine.map((m) => ({
          cpu: micros(m.serverTicks, m.load.requests),
          db: micros(m.databaseTicks, m.load.requests),
        })),
      };
    };
    const apiTotal = total('API');
    const baselineTotal = total('baseline');
    const roundRatios = (pick: (r: { cpu: number; db: number }) => number) =>
      apiTotal.perRound.map((r, index) => pick(r) / pick(baselineTotal.perRound[index]));
    const cpuRatio = apiTotal.cpu / baselineTotal.cpu;
    const dbRatio = apiTotal.db / baselineTotal.db;
    const verdict = (ratio: number) =>
      ratio <= TARGET_RATIO
        ? `target ≤ ${TARGET_RATIO}×: met`
        : `target ≤ ${TARGET_RATIO}×: MISSED`;
    const range = (ratios: number[]) =>
      ratios.length > 1
        ? ` (rounds: ${ratios.map((ratio) => `${ratio.toFixed(2)}×`).join(', ')})`
        : '';

    console.log(
      `\nnpm run bench: ${engagements} engagements (${counts.artifacts} artifacts), ` +
        `${ids.length} engagement ids round-robin for GET by id, ${rounds} round${rounds === 1 ? '' : 's'} ` +
        'alternating API and baseline.\n' +
        `autocannon: ${warmupSeconds} s warm-up, then the measured window (s) of each row; ` +
        (pin
          ? `servers on core ${SERVER_CORE}, load generator on core ${LOAD_CORE} (taskset).\n`
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
          'round',
          'conns',
          's',
          'requests',
          'req/s',
          'p50 ms',
          'p95 ms',
          'p99 ms',
          'CPU µs/req',
          'PG CPU µs/req',
          'SQL/req',
        ],
        runs.map(row),
        [false, true, true, true, true, true, true, true, true, true, true, true],
      ),
    );
    console.log(
      `\nGET /v1/engagements/{id}, all rounds together (ticks summed ÷ requests summed):\n` +
        table(
          ['server', 'requests', 'req/s', 'CPU µs/req', 'PG CPU µs/req', 'SQL statements/req'],
          [
            [
              'API',
              String(apiTotal.requests),
              apiTotal.rps.toFixed(1),
              apiTotal.cpu.toFixed(0),
              apiTotal.db.toFixed(0),
              `${apiStatementsCell} (recorded in-process on ${apiSql.counts.length} requests)`,
            ],
            [
              'baseline',
              String(baselineTotal.requests),
              baselineTotal.rps.toFixed(1),
              baselineTotal.cpu.toFixed(0),
              baselineTotal.db.toFixed(0),
              `${baselineTotal.statements?.toFixed(3) ?? '?'} (counted by the baseline in the windows)`,
            ],
            [
              'ratio API / baseline',
              '',
              `${(apiTotal.rps / baselineTotal.rps).toFixed(2)}×`,
              `${cpuRatio.toFixed(2)}×`,
              `${dbRatio.toFixed(2)}×`,
              '',
            ],
          ],
          [false, true, true, true, true, false],
        ),
    );
    console.log(
      `\n(a) server CPU per request API / baseline: ${cpuRatio.toFixed(2)}× ` +
        `(${verdict(cpuRatio)})${range(roundRatios((r) => r.cpu))}\n` +
        `(a) PostgreSQL CPU per request API / baseline: ${dbRatio.toFixed(2)}× ` +
        `(${verdict(dbRatio)})${range(roundRatios((r) => r.db))}`,
    );
    console.log(
      `\nThe API's statements for GET /v1/engagements/{id} (after the key's last_used_at is fresh):\n` +
        apiSql.distinct
          .map((statement, index) => `  ${index + 1}. ${oneLine(statement.text)}`)
          .join('\n') +
        `\nThe baseline's: its key lookup by prefix and one prepared read of engagement, recipients ` +
        'and facts (scripts/bench/baseline-sql.ts); both refresh last_used_at at most once a ' +
        'minute, which shows as a fraction above 2.',
    );
    console.log(
      `\nPostgreSQL per read statement, on a connection of its own: planning and execution time ` +
        'from EXPLAIN ANALYZE of the 7th EXECUTE of the statement (PREPAREd; by then the plan ' +
        'cache uses a generic plan, planned once, unless it judges a custom plan per execution ' +
        `cheaper), and the backend's CPU per execution over ${checkExecutions} executions as a ` +
        'named prepared statement (utime+stime ÷ executions; includes the protocol work):\n' +
        table(
          ['statement', 'planning ms', 'execution ms', 'PG CPU µs/exec', 'SQL'],
          costs.map((cost) => [
            cost.label,
            cost.planningMs.toFixed(3),
            cost.executionMs.toFixed(3),
            cost.cpuMicros.toFixed(0),
            oneLine(cost.sql, 70),
          ]),
          [false, true, true, true, false],
        ) +
        '\nA statement whose planning time stays above its execution time is planned anew on ' +
        'every request although it is prepared.',
    );
    console.log(
      '\nCPU µs/req: utime+stime of the server process (all its threads) from /proc/<pid>/stat ' +
        'over the measured window ÷ 2xx responses. PG CPU µs/req: utime+stime of the ' +
        'PostgreSQL backend processes serving that server, read the same way before and after ' +
        'the window and summed; the backends are found in pg_stat_activity by database and ' +
        'application_name (handover for the API, handover-baseline for the baseline; one ' +
        'backend process per pool connection, so they do all of that server’s SQL work: ' +
        'parsing, planning, executing, sending rows). PostgreSQL’s shared background processes ' +
        '(WAL writer, checkpointer) are not counted; a read-only load barely wakes them. ' +
        'conns: concurrent connections kept busy by autocannon. Latency: from sending a ' +
        'request to the end of its response. SQL/req: for the baseline, the statements it ' +
        'counted in the window ÷ responses; for the API, recorded through its data source’s ' +
        'logger (which TypeORM hands every statement) on sampled requests in-process before ' +
        'the servers start.',
    );
  } finally {
    await cleanup();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : error);
  process.exit(1);
});
