import { randomBytes } from 'node:crypto';
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
