import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { openApiContract } from './openapi-contract.js';

/** One request the receiver got, verified with the Standard Webhooks reference library. */
export interface Received {
  at: number;
  headers: IncomingHttpHeaders;
  body: string;
  payload: { id: string; type: string; timestamp: string; data: Record<string, unknown> } & Record<
    string,
    unknown
  >;
  /** The status the receiver answered (0 when it hung). */
  answered: number;
}

/** What the receiver answers to the next requests: a status, or no answer at all. */
export type Answer = number | 'hang';

/**
 * A webhook receiver on loopback for tests: it records every request, checks its signature
 * with `standardwebhooks`' own `verify` (a request that fails it fails the test that reads
 * it), and answers 204 unless told to answer otherwise for the next requests.
 */
export class WebhookReceiver {
  readonly received: Received[] = [];
  private readonly queued: Answer[] = [];
  private readonly waiters: { count: number; resolve: () => void }[] = [];
  private readonly hanging = new Set<() => void>();
  secrets: string[] = [];

  private constructor(private readonly server: Server) {}

  static async start(): Promise<WebhookReceiver> {
    const server = createServer();
    const receiver = new WebhookReceiver(server);
    server.on('request', (request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const answer = receiver.queued.shift() ?? 204;
        const body = Buffer.concat(chunks).toString('utf8');
        receiver.received.push({
          at: Date.now(),
          headers: request.headers,
          body,
          payload: JSON.parse(body),
          answered: answer === 'hang' ? 0 : answer,
        });
        receiver.notify();
        if (answer === 'hang') {
          receiver.hanging.add(() => response.destroy());
          return;
        }
        response.statusCode = answer;
        response.end(answer === 204 ? undefined : `answered ${answer}`);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return receiver;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/hook`;
  }

  /** Answers the next requests with these, in order; then 204 again. */
  answer(...answers: Answer[]): void {
    this.queued.push(...answers);
  }

  /** Resolves once `count` requests in all have arrived; rejects after `timeoutMs`. */
  waitFor(count: number, timeoutMs = 20_000): Promise<void> {
    if (this.received.length >= count) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`${this.received.length} of ${count} deliveries arrived`)),
        timeoutMs,
      );
      this.waiters.push({
        count,
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
      });
    });
  }

  /**
   * The payload of each request, after checking that every secret given verifies it and that
   * it is the `WebhookEvent` openapi.json documents.
   */
  verified(secrets: string[] = this.secrets): Received[] {
    for (const request of this.received) {
      const problems = openApiContract().componentProblems('WebhookEvent', request.payload);
      if (problems.length > 0) throw new Error(`${problems.join('\n')}\nbody: ${request.body}`);
      for (const secret of secrets) {
        new Webhook(secret).verify(request.body, {
          'webhook-id': request.headers['webhook-id'] as string,
          'webhook-timestamp': request.headers['webhook-timestamp'] as string,
          'webhook-signature': request.headers['webhook-signature'] as string,
        });
      }
    }
    return this.received;
  }

  async close(): Promise<void> {
    for (const release of this.hanging) release();
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }

  private notify(): void {
    for (const waiter of [...this.waiters]) {
      if (this.received.length >= waiter.count) {
        this.waiters.splice(this.waiters.indexOf(waiter), 1);
        waiter.resolve();
      }
    }
  }
}
