import { Agent, request as httpRequest } from 'node:http';
import { connect, createServer } from 'node:net';

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

export interface RawAnswer {
  status: number;
  headers: Record<string, string>;
  body: unknown;
}

/**
 * A request sent in two parts over one TCP connection: the request line now, the rest on
 * `finish()`. The server sees it arrive, unfinished, before whatever happens in between.
 */
export async function splitRequest(
  base: string,
  method: string,
  path: string,
  headers: Record<string, string>,
  body: unknown,
): Promise<{ finish(): Promise<RawAnswer> }> {
  const { hostname, port } = new URL(base);
  const socket = connect(Number(port), hostname);
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  const received: Buffer[] = [];
  socket.on('data', (chunk: Buffer) => received.push(chunk));
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  socket.write(`${method} ${path} HTTP/1.1\r\nHost: ${hostname}:${port}\r\n`);
  return {
    finish: async () => {
      const payload = JSON.stringify(body);
      const rest = {
        ...headers,
        'Content-Type': 'application/json',
        'Content-Length': String(Buffer.byteLength(payload)),
        Connection: 'close',
      };
      socket.end(
        `${Object.entries(rest)
          .map(([name, value]) => `${name}: ${value}\r\n`)
          .join('')}\r\n${payload}`,
      );
      await closed;
      const text = Buffer.concat(received).toString('utf8');
      const [head, ...bodyParts] = text.split('\r\n\r\n');
      const [statusLine, ...headerLines] = head.split('\r\n');
      const parsedHeaders = Object.fromEntries(
        headerLines.map((line) => {
          const colon = line.indexOf(':');
          return [line.slice(0, colon).toLowerCase(), line.slice(colon + 1).trim()];
        }),
      );
      return {
        status: Number(statusLine.split(' ')[1]),
        headers: parsedHeaders,
        body: JSON.parse(bodyParts.join('\r\n\r\n') || 'null'),
      };
    },
  };
}
