import { createInterface } from 'node:readline';
import autocannon from 'autocannon';
import { percentileOfSorted } from '../bench-support.js';

/**
 * The load generator of `npm run bench`, run as its own process (pinned to its own core) so it
 * does not share CPU with the server it measures. Talks to its parent over lines: it reads the
 * plan (JSON) on stdin (not argv: it holds the bearer key and maybe thousands of paths), warms
 * up, writes `warm` and waits for `go` on stdin (the parent reads the server's CPU time then),
 * measures, and writes `result <JSON>`.
 */

export interface LoadPlan {
  url: string;
  /** Request paths, sent round-robin across all connections. */
  paths: string[];
  authorization: string;
  connections: number;
  warmupSeconds: number;
  durationSeconds: number;
}

export interface LoadResult {
  /** Responses with a 2xx status in the measured window. */
  requests: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  seconds: number;
  latencyMs: { p50: number; p95: number; p99: number };
}

function drive(plan: LoadPlan, seconds: number, latencies?: number[]) {
  let next = 0;
  const instance = autocannon({
    url: plan.url,
    connections: plan.connections,
    duration: seconds,
    timeout: 30,
    headers: { authorization: plan.authorization },
    requests: [
      {
        method: 'GET',
        setupRequest: (request) => ({
          ...request,
          path: plan.paths[next++ % plan.paths.length],
        }),
      },
    ],
  });
  if (latencies) {
    instance.on('response', (_client, statusCode, _bytes, responseTime) => {
      if (statusCode >= 200 && statusCode < 300) latencies.push(responseTime);
    });
  }
  return instance;
}

async function main(): Promise<void> {
  const lines = createInterface({ input: process.stdin })[Symbol.asyncIterator]();
  const plan = JSON.parse(String((await lines.next()).value)) as LoadPlan;
  if (plan.warmupSeconds > 0) await drive(plan, plan.warmupSeconds);
  process.stdout.write('warm\n');
  const { value } = await lines.next();
  if (value !== 'go') throw new Error(`expected "go" from the parent, got ${String(value)}`);

  const latencies: number[] = [];
  const result = await drive(plan, plan.durationSeconds, latencies);
  latencies.sort((a, b) => a - b);
  const summary: LoadResult = {
    requests: result['2xx'],
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    seconds: result.duration,
    latencyMs: {
      p50: percentileOfSorted(latencies, 50),
      p95: percentileOfSorted(latencies, 95),
      p99: percentileOfSorted(latencies, 99),
    },
  };
  process.stdout.write(`result ${JSON.stringify(summary)}\n`);
  process.exit(0);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : error}\n`);
  process.exit(1);
});
