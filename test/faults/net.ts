import { Agent, request as httpRequest } from 'node:http';
import { createServer } from 'node:net';

/** A TCP port nobody listens on right now. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export interface Answer {
  /** HTTP status, or undefined when no answer came (see `error`). */
  status?: number;
  headers: Record<string, string | string[] | undefined>;
  body: unknown;
  /** ECONNREFUSED, ECONNRESET, TIMEOUT… when no answer came. */
  error?: string;
  startedAt: number;
  endedAt: number;
}

export interface SendOptions {
  method?: string;
  headers?: Record<string, string>;
  body?: unknown;
  /** The client gives up after this long: an answer slower than this counts as a hang. */
  timeoutMs: number;
  /** Omit for a fresh connection per request. */
  agent?: Agent;
}

/** One HTTP request that always settles: with an answer, or with the reason there was none. */
export function send(base: string, path: string, options: SendOptions): Promise<Answer> {
  const startedAt = performance.now();
  const payload = options.body === undefined ? undefined : JSON.stringify(options.body);
  return new Promise((resolve) => {
    let settled = false;
    const finish = (answer: Omit<Answer, 'startedAt' | 'endedAt'>) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve({ ...answer, startedAt, endedAt: performance.now() });
    };
    const req = httpRequest(
      `${base}${path}`,
      {
        method: options.method ?? 'GET',
        agent: options.agent ?? false,
        headers: {
          ...(payload === undefined ? {} : { 'Content-Type': 'application/json' }),
          ...options.headers,
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', (error: NodeJS.ErrnoException) =>
          finish({ headers: {}, body: undefined, error: error.code ?? error.message }),
        );
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let body: unknown = text;
          try {
            body = text === '' ? undefined : JSON.parse(text);
          } catch {
            // Not JSON: keep the text.
          }
          finish({ status: res.statusCode, headers: res.headers, body });
        });
      },
    );
    const timer = setTimeout(() => {
      finish({ headers: {}, body: undefined, error: 'TIMEOUT' });
      req.destroy();
    }, options.timeoutMs);
    req.on('error', (error: NodeJS.ErrnoException) =>
      finish({ headers: {}, body: undefined, error: error.code ?? error.message }),
    );
    req.end(payload);
  });
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
