import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { freePort, send, sleep } from './net.js';
import { cleanUpWhenGone } from './watchdog.js';

const MAIN = resolve('dist/src/main.js');

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  at: number;
}

/** The shipped server (`node dist/src/main.js`) as its own process, on a port of its own. */
export class ApiProcess {
  readonly exited: Promise<Exit>;
  private output = '';

  private constructor(
    private readonly child: ChildProcess,
    readonly base: string,
    readonly adminKey: string,
  ) {
    const keep = (chunk: Buffer) => {
      // The last lines are enough to explain a failure.
      this.output = (this.output + chunk.toString('utf8')).slice(-8000);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    // Killed even if the test process dies first: an orphaned server would outlive CI's job.
    const watchdog = cleanUpWhenGone({ kill: [child.pid as number] });
    this.exited = new Promise((resolveExit) =>
      child.once('exit', (code, signal) => {
        watchdog.kill('SIGKILL');
        resolveExit({ code, signal, at: performance.now() });
      }),
    );
  }

  get pid(): number {
    return this.child.pid as number;
  }

  /** Starts the server and waits until /health/ready answers 200. */
  static async start(
    databaseUrl: string,
    env: Record<string, string> = {},
    adminKey = `faults-admin-${randomBytes(24).toString('hex')}`,
  ): Promise<ApiProcess> {
    if (!existsSync(MAIN)) {
      throw new Error(`${MAIN} is missing: run "npm run build" first (npm run test:faults does).`);
    }
    const port = await freePort();
    const child = spawn(process.execPath, [MAIN], {
      env: {
        PATH: process.env.PATH ?? '',
        DATABASE_URL: databaseUrl,
        HOST: '127.0.0.1',
        PORT: String(port),
        ADMIN_API_KEY: adminKey,
        RATE_LIMIT_MAX: '0',
        LOG_LEVEL: 'warn',
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const api = new ApiProcess(child, `http://127.0.0.1:${port}`, adminKey);
    const deadline = performance.now() + 60_000;
    let exited = false;
    void api.exited.then(() => (exited = true));
    while (performance.now() < deadline && !exited) {
      const ready = await send(api.base, '/health/ready', { timeoutMs: 2000 });
      if (ready.status === 200) return api;
      await sleep(100);
    }
    api.kill();
    throw new Error(`The API did not become ready:\n${api.output}`);
  }

  signal(signal: NodeJS.Signals): void {
    this.child.kill(signal);
  }

  kill(): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
  }

  /** Stops the server (SIGTERM) and waits for it to exit. */
  async stop(): Promise<Exit> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.signal('SIGTERM');
    return this.exited;
  }

  /** The server's last output lines, for a failure message. */
  log(): string {
    return this.output;
  }
}
