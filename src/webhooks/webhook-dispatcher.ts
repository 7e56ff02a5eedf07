import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
} from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '../config/config.js';
import { DELIVERIES_QUEUED } from '../events/events.service.js';
import { type AttemptResult, attemptOutcome } from './delivery-rules.js';
import type { LastResponse } from './webhook-delivery.entity.js';
import { urlProblem } from './webhook-address.js';
import { WebhookSender } from './webhook-sender.js';
import { signatureHeader } from './webhook-signing.js';
import { USER_AGENT } from './user-agent.js';

/** A claimed attempt ends within the timeout; the lease adds room for recording its result. */
const LEASE_MARGIN_MS = 30_000;
/** How long shutdown waits for attempts in flight; an unfinished one is claimed again later. */
const SHUTDOWN_WAIT_MS = 2_000;

interface ClaimedDelivery {
  id: string;
  endpoint_id: string;
  event_id: string | null;
  message_id: string;
  event_type: string;
  attempts: number;
  created_at: Date;
  url: string;
  enabled: boolean;
  disabled_reason: string | null;
  secret: string;
  previous_secret: string | null;
  previous_secret_valid: boolean | null;
  seq: string | null;
  occurred_at: Date | null;
  engagement_id: string | null;
  vendor_id: string | null;
  data: Record<string, unknown> | null;
}

/**
 * Due deliveries, claimed with SKIP LOCKED so that of several instances exactly one takes
 * each, and leased by moving `next_attempt_at` past the attempt's end. The due rows come from
 * the partial index alone, in its order, whatever the statistics say: a join to the endpoints
 * here let the planner read every due row of every endpoint on each claim once a backlog grew.
 * Whether the endpoint is still enabled is returned with each row instead.
 */
const CLAIM = `
WITH due AS (
  SELECT d.id FROM webhook_deliveries d
   WHERE d.status = 'pending' AND d.next_attempt_at <= now()
   ORDER BY d.next_attempt_at
   LIMIT $1
   FOR UPDATE SKIP LOCKED
), claimed AS (
  UPDATE webhook_deliveries d
     SET attempts = d.attempts + 1, last_attempt_at = now(),
         next_attempt_at = now() + make_interval(secs => $2::double precision / 1000)
    FROM due WHERE d.id = due.id
  RETURNING d.id, d.endpoint_id, d.event_id, d.message_id, d.event_type, d.attempts, d.created_at
)
SELECT c.*, e.url, e.enabled, e.disabled_reason, e.secret, e.previous_secret,
       e.previous_secret_expires_at > now() AS previous_secret_valid,
       ev.seq, ev.occurred_at, ev.engagement_id, ev.vendor_id, ev.data
  FROM claimed c
  JOIN webhook_endpoints e ON e.id = c.endpoint_id
  LEFT JOIN events ev ON ev.id = c.event_id`;

/** A delivery claimed for an endpoint disabled meanwhile fails unsent, and does not count. */
const FAILED_UNSENT = `
UPDATE webhook_deliveries SET status = 'failed', next_attempt_at = NULL, last_response = $3
 WHERE id = $1 AND attempts = $2 AND status = 'pending'`;

/** Each result applies only to the attempt that claimed it: a stale one changes nothing. */
const SUCCEEDED = `
WITH done AS (
  UPDATE webhook_deliveries SET status = 'succeeded', next_attempt_at = NULL, last_response = $3
   WHERE id = $1 AND attempts = $2 AND status = 'pending'
  RETURNING endpoint_id
)
UPDATE webhook_endpoints SET consecutive_failures = 0
 WHERE id IN (SELECT endpoint_id FROM done) AND consecutive_failures <> 0`;

const RETRY = `
UPDATE webhook_deliveries
   SET next_attempt_at = now() + make_interval(secs => $4::double precision / 1000), last_response = $3
 WHERE id = $1 AND attempts = $2 AND status = 'pending'`;

/**
 * Fails the delivery and counts it against the endpoint, disabling it on 410 or too many in
 * a row. The count and the reason are read from the locked row, so failures racing in
 * parallel attempts are all counted.
 */
const FAILED = `
WITH done AS (
  UPDATE webhook_deliveries SET status = 'failed', next_attempt_at = NULL, last_response = $3
   WHERE id = $1 AND attempts = $2 AND status = 'pending'
  RETURNING endpoint_id
), counted AS (
UPDATE webhook_endpoints e
   SET consecutive_failures = e.consecutive_failures + 1,
       enabled = e.enabled AND $4::varchar IS NULL AND e.consecutive_failures + 1 < $5,
       disabled_reason = CASE WHEN NOT e.enabled THEN e.disabled_reason
                              WHEN $4::varchar IS NOT NULL THEN $4::varchar
                              WHEN e.consecutive_failures + 1 >= $5 THEN 'failing' END,
       version = e.version + CASE WHEN e.enabled AND ($4::varchar IS NOT NULL OR e.consecutive_failures + 1 >= $5) THEN 1 ELSE 0 END
  FROM done WHERE e.id = done.endpoint_id
RETURNING e.id, e.enabled, e.disabled_reason
)
SELECT * FROM counted`;

/**
 * A disabled endpoint gets nothing more: what was still pending for it fails (re-enabling
 * delivers only the events from then on).
 */
export async function failPendingDeliveries(
  manager: EntityManager,
  endpointId: string,
  reason: string,
): Promise<void> {
  await manager.query(
    `UPDATE webhook_deliveries
        SET status = 'failed', next_attempt_at = NULL,
            last_response = jsonb_build_object('error', 'endpoint disabled (' || $2 || ')', 'latencyMs', 0)
      WHERE endpoint_id = $1 AND status = 'pending'`,
    [endpointId, reason],
  );
}

/**
 * Delivers webhooks (SPEC §6 "Deliveries") in every instance: it claims due deliveries from
 * the database, POSTs them signed, and records the outcome. It wakes when a transaction that
 * queued deliveries commits in this instance, and polls every WEBHOOK_POLL_MS for the others'.
 * Every claim and result is one short statement, and no transaction is held during a POST,
 * so on the embedded database's one connection requests are never starved.
 */
@Injectable()
export class WebhookDispatcher implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(WebhookDispatcher.name);
  private readonly inFlight = new Set<Promise<void>>();
  private stopped = false;
  private loop: Promise<void> | undefined;
  private wakeUp: (() => void) | undefined;
  private woken = false;

  constructor(
    private readonly dataSource: DataSource,
    private readonly sender: WebhookSender,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.dataSource.subscribers.push({
      afterTransactionCommit: ({ queryRunner }) => {
        if (!queryRunner.isTransactionActive && queryRunner.data[DELIVERIES_QUEUED]) this.wake();
      },
    });
    this.loop = this.run();
  }

  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    this.wake();
    await this.loop;
    await Promise.race([
      Promise.all(this.inFlight),
      new Promise((resolve) => setTimeout(resolve, SHUTDOWN_WAIT_MS).unref()),
    ]);
  }

  /** Looks for due deliveries now instead of at the next poll. */
  wake(): void {
    this.woken = true;
    this.wakeUp?.();
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      const free = this.config.webhooks.concurrency - this.inFlight.size;
      // Every slot busy: wait for an attempt to end (or the poll), not for the next commit.
      this.woken = false;
      if (free <= 0) {
        await this.sleep();
        continue;
      }
      let claimed: ClaimedDelivery[] = [];
      try {
        claimed = await this.dataSource.query(CLAIM, [
          free,
          this.config.webhooks.timeoutMs + LEASE_MARGIN_MS,
        ]);
      } catch (error) {
        this.logger.warn(`Claiming webhook deliveries failed: ${(error as Error).message}`);
      }
      for (const delivery of claimed) this.track(this.attempt(delivery));
      if (claimed.length === free) continue;
      await this.sleep();
    }
  }

  private track(attempt: Promise<void>): void {
    this.inFlight.add(attempt);
    void attempt.finally(() => {
      this.inFlight.delete(attempt);
      this.wake();
    });
  }

  private sleep(): Promise<void> {
    if (this.woken || this.stopped) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, this.config.webhooks.pollMs);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wakeUp = () => {
        this.wakeUp = undefined;
        done();
      };
    });
  }

  private async attempt(delivery: ClaimedDelivery): Promise<void> {
    try {
      if (!delivery.enabled) {
        await this.dataSource.query(FAILED_UNSENT, [
          delivery.id,
          delivery.attempts,
          JSON.stringify({
            error: `endpoint disabled (${delivery.disabled_reason ?? 'disabled'})`,
            latencyMs: 0,
          }),
        ]);
        return;
      }
      await this.record(delivery, await this.send(delivery));
    } catch (error) {
      // The lease runs out and another attempt follows: at least once, never lost.
      this.logger.warn(
        `Recording webhook delivery ${delivery.id} failed: ${(error as Error).message}`,
      );
    }
  }

  private send(delivery: ClaimedDelivery): Promise<AttemptResult> {
    const policy = this.config.webhooks;
    const refused = urlProblem(delivery.url, policy);
    if (refused) return Promise.resolve({ error: `forbidden url: ${refused}`, latencyMs: 0 });
    const body = JSON.stringify(payloadOf(delivery));
    const secrets = [delivery.secret];
    if (delivery.previous_secret && delivery.previous_secret_valid) {
      secrets.push(delivery.previous_secret);
    }
    // One reading of the clock for the header and the signature: they must name the same second.
    const now = new Date();
    return this.sender.send(
      {
        url: delivery.url,
        body,
        headers: {
          'webhook-id': delivery.message_id,
          'webhook-timestamp': String(Math.floor(now.getTime() / 1000)),
          'webhook-signature': signatureHeader(secrets, delivery.message_id, now, body),
          'user-agent': USER_AGENT,
        },
      },
      policy,
      policy.timeoutMs,
    );
  }

  private async record(delivery: ClaimedDelivery, result: AttemptResult): Promise<void> {
    const lastResponse: LastResponse =
      result.status === undefined
        ? { error: result.error ?? 'no response', latencyMs: result.latencyMs }
        : { status: result.status, body: result.body ?? '', latencyMs: result.latencyMs };
    const outcome = attemptOutcome(result, delivery.attempts, this.config.webhooks);
    const claim = [delivery.id, delivery.attempts, JSON.stringify(lastResponse)];
    if (outcome.kind === 'succeeded') {
      await this.dataSource.query(SUCCEEDED, claim);
    } else if (outcome.kind === 'retry') {
      await this.dataSource.query(RETRY, [...claim, outcome.delayMs]);
    } else {
      await this.dataSource.transaction(async (manager) => {
        const endpoints: { id: string; enabled: boolean; disabled_reason: string | null }[] =
          await manager.query(FAILED, [
            ...claim,
            outcome.disable ?? null,
            this.config.webhooks.disableAfter,
          ]);
        for (const endpoint of endpoints) {
          if (endpoint.enabled) continue;
          const reason = endpoint.disabled_reason ?? 'disabled';
          await failPendingDeliveries(manager, endpoint.id, reason);
          this.logger.warn(
            `Webhook endpoint ${endpoint.id} is disabled (${reason}): re-enable it with PATCH enabled=true`,
          );
        }
      });
    }
  }
}

/** The body (SPEC §6): `{ id, type, timestamp, data }`, plus what lets a receiver order and route. */
function payloadOf(delivery: ClaimedDelivery): Record<string, unknown> {
  if (delivery.event_id === null) {
    return {
      id: delivery.message_id,
      type: delivery.event_type,
      timestamp: delivery.created_at.toISOString(),
      data: { endpointId: delivery.endpoint_id },
    };
  }
  return {
    id: delivery.message_id,
    type: delivery.event_type,
    timestamp: delivery.occurred_at?.toISOString(),
    seq: Number(delivery.seq),
    engagementId: delivery.engagement_id,
    vendorId: delivery.vendor_id,
    data: delivery.data,
  };
}
