import { Agent } from 'node:http';
import { type Answer, send } from './net.js';

export interface Write extends Answer {
  /** The vendor name: unique, so the database tells whether this write took effect. */
  name: string;
}

export interface WriteLoadOptions {
  /** Each client waits for its answer before sending its next write. */
  clients: number;
  prefix: string;
  timeoutMs: number;
  /** Pause after a failed write, so an outage is not a busy loop. */
  pauseAfterFailureMs?: number;
  /** A client stops after a connection error (the server is gone). */
  stopOnConnectionError?: boolean;
}

/** Several clients creating vendors with unique names, continuously, until `stop()`. */
export class WriteLoad {
  readonly writes: Write[] = [];
  private running = true;
  private readonly agent = new Agent({ keepAlive: true });
  private readonly clients: Promise<void>[];
  private sequence = 0;

  constructor(
    private readonly base: string,
    private readonly key: string,
    private readonly options: WriteLoadOptions,
  ) {
    this.clients = Array.from({ length: options.clients }, (_, client) => this.client(client));
  }

  async stop(): Promise<Write[]> {
    this.running = false;
    await Promise.all(this.clients);
    this.agent.destroy();
    return this.writes;
  }

  private async client(client: number): Promise<void> {
    while (this.running) {
      const name = `${this.options.prefix}-${client}-${this.sequence++}`;
      const answer = await send(this.base, '/v1/vendors', {
        method: 'POST',
        headers: { Authorization: `Bearer ${this.key}` },
        body: { name },
        timeoutMs: this.options.timeoutMs,
        agent: this.agent,
      });
      this.writes.push({ ...answer, name });
      if (answer.error && this.options.stopOnConnectionError) return;
      if (answer.status !== 201) {
        await new Promise((resolve) => setTimeout(resolve, this.options.pauseAfterFailureMs ?? 0));
      }
    }
  }
}

export const succeeded = (answer: Answer) =>
  answer.status !== undefined && answer.status >= 200 && answer.status < 300;

/** Prints a figure so that the CI log shows it (Jest would decorate console.log). */
export function report(line: string): void {
  process.stdout.write(`[faults] ${line}\n`);
}
