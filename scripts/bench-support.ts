import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import pg from 'pg';
import type { DataSource, EntitySubscriberInterface } from 'typeorm';
import { type AppConfig, loadConfig } from '../src/config/config.js';
import { redactUrl } from '../src/database/database.js';

/** Shared by the benchmark scripts: scratch databases, percentiles and plain-text tables. */
export const DEFAULT_SERVER = 'postgres://postgres@127.0.0.1:5432/postgres';

/** Percentile by linear interpolation between the closest ranks (p in 0–100). */
export function percentile(values: number[], p: number): number {
  return percentileOfSorted(
    [...values].sort((a, b) => a - b),
    p,
  );
}

/** The same on values already sorted ascending (saves sorting a large sample per percentile). */
export function percentileOfSorted(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = (p / 100) * (sorted.length - 1);
  const low = Math.floor(rank);
  const high = Math.ceil(rank);
  return sorted[low] + (sorted[high] - sorted[low]) * (rank - low);
}

export const formatBytes = (bytes: number): string =>
  bytes < 1024
    ? `${bytes} B`
    : bytes < 1024 * 1024
      ? `${(bytes / 1024).toFixed(1)} KiB`
      : `${(bytes / 1024 / 1024).toFixed(1)} MiB`;

/** One number when every request ran the same statements, else the range. */
export function formatCounts(counts: number[]): string {
  const low = Math.min(...counts);
  const high = Math.max(...counts);
  return low === high ? String(low) : `${low}–${high}`;
}

export function table(header: string[], rows: string[][], rightAligned: boolean[]): string {
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => row[column].length)),
  );
  const line = (cells: string[]) =>
    cells
      .map((cell, column) =>
        rightAligned[column] ? cell.padStart(widths[column]) : cell.padEnd(widths[column]),
      )
      .join('  ')
      .trimEnd();
  return [
    line(header),
    widths.map((width) => '-'.repeat(width)).join('  '),
    ...rows.map(line),
  ].join('\n');
}

export async function withClient<T>(
  url: string,
  action: (client: pg.Client) => Promise<T>,
): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await action(client);
  } finally {
    await client.end();
  }
}

export interface ScratchDatabase {
  url: string;
  name: string;
  serverVersion: string;
  drop(): Promise<void>;
}

/** A new database on the server of `serverUrl`, for one benchmark run. */
export async function createScratchDatabase(serverUrl: string): Promise<ScratchDatabase> {
  const name = `handover_bench_${process.pid}_${randomBytes(4).toString('hex')}`;
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const serverVersion = await withClient(serverUrl, async (client) => {
    await client.query(`CREATE DATABASE "${name}"`);
    const { rows } = await client.query<{ server_version: string }>('SHOW server_version');
    return rows[0].server_version;
  });
  console.error(`Scratch database ${redactUrl(url.toString())} (PostgreSQL ${serverVersion})`);
  return {
    url: url.toString(),
    name,
    serverVersion,
    drop: async () => {
      await withClient(serverUrl, (client) =>
        client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`),
      );
      console.error(`Dropped ${name}.`);
    },
  };
}

/**
 * Sums the time TypeORM measures for each statement (from sending it to parsing its rows, in
 * whole ms) through a data source subscriber.
 */
export class SqlTimer {
  ms = 0;
  private readonly subscriber: EntitySubscriberInterface = {
    afterQuery: (event) => {
      this.ms += event.executionTime ?? 0;
    },
  };

  constructor(private readonly dataSource: DataSource) {
    dataSource.subscribers.push(this.subscriber);
  }

  reset(): void {
    this.ms = 0;
  }

  detach(): void {
    this.dataSource.subscribers.splice(this.dataSource.subscribers.indexOf(this.subscriber), 1);
  }
}

/** The API's configuration for a benchmark: quiet, no rate limit, a fresh admin key. */
export function benchConfig(databaseUrl: string): AppConfig & { adminApiKey: string } {
  const adminApiKey = `bench-admin-${randomBytes(24).toString('hex')}`;
  const config = loadConfig({
    ...process.env,
    DATABASE_URL: databaseUrl,
    LOG_LEVEL: 'silent',
    ADMIN_API_KEY: adminApiKey,
    RATE_LIMIT_MAX: '0',
  });
  return { ...config, adminApiKey };
}

/** The last bytes a child process wrote, shown when it fails. */
export class Tail {
  private text = '';
  constructor(private readonly limit = 16_384) {}
  add(chunk: Buffer | string): void {
    this.text = (this.text + chunk.toString()).slice(-this.limit);
  }
  toString(): string {
    return this.text;
  }
}

/** Clock ticks per second of the CPU times in /proc/<pid>/stat. */
export function clockTicksPerSecond(): number {
  return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
}

/** User plus system CPU time of a process, in clock ticks (fields 14 and 15 of /proc/<pid>/stat). */
export function cpuTicks(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name (field 2) is in parentheses and may hold spaces: count from after it.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]);
}

/** Resident set size now (VmRSS) and its peak since the process started (VmHWM), in bytes. */
export function memoryOf(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (field: string) =>
    Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1]);
  return { rss: kib('VmRSS') * 1024, peak: kib('VmHWM') * 1024 };
}

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (address === null || typeof address === 'string') throw new Error('no free port');
  return address.port;
}

/** The compiled project (dist/), where the servers' scripts are. */
export const DIST = new URL('..', import.meta.url).pathname;

/** A server run as a child process by a benchmark. */
export interface ServerProcess {
  name: string;
  url: string;
  process: ChildProcess;
  output: Tail;
}

/**
 * Starts `node dist/<script>` on a free port with `env` (pinned to `core` with taskset when
 * given) and waits until it answers `GET /health/live` (at most `startTimeoutMs`).
 */
export async function startServerProcess(options: {
  name: string;
  script: string;
  env: NodeJS.ProcessEnv;
  children: Set<ChildProcess>;
  core?: string;
  startTimeoutMs?: number;
}): Promise<ServerProcess> {
  const { name, script, env, children, core, startTimeoutMs = 60_000 } = options;
  const port = await freePort();
  const nodeArgs = [DIST + script];
  const [command, args] =
    core === undefined
      ? [process.execPath, nodeArgs]
      : ['taskset', ['-c', core, process.execPath, ...nodeArgs]];
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
  const deadline = Date.now() + startTimeoutMs;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`${name} exited during start-up:\n${output.toString()}`);
    }
    try {
      if ((await fetch(`${url}/health/live`)).ok) break;
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) {
      throw new Error(`${name} did not start in ${startTimeoutMs / 1000} s:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return { name, url, process: child, output };
}

export async function stopServerProcess(server: ServerProcess): Promise<void> {
  const { process: child } = server;
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

/**
 * CPU ticks (utime+stime) of each PostgreSQL backend connected to `database` under
 * `applicationName`, by backend pid. PostgreSQL runs one process per connection, so the
 * backends of a server's pool do all the SQL work of that server's requests.
 */
export async function backendTicks(
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

/** CPU ticks the backends spent between two readings of backendTicks. */
export function backendDelta(before: Map<number, number>, after: Map<number, number>): number {
  let total = 0;
  // A backend that appeared during the window counts from zero: it started then.
  for (const [pid, ticks] of after) total += ticks - (before.get(pid) ?? 0);
  return total;
}
