import { createHash } from 'node:crypto';
import { Inject, Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '../../config/config.js';
import {
  IdempotencyKeyReusedError,
  IdempotentRequestInProgressError,
  IdempotentResponseLostError,
} from './idempotency.errors.js';
import { currentRequest } from '../request-context.js';
import { stableJson } from '../same-value.js';

export type Claim = { state: 'claimed' } | { state: 'replay'; status: number; body: unknown };

const EXPIRES_AFTER = '24 hours';
const CLEANUP_INTERVAL_MS = 3_600_000;

/** The same body with its members in another order is the same request. */
export function requestHash(method: string, path: string, body: unknown): string {
  return createHash('sha256')
    .update(`${method} ${path}\n${stableJson(body ?? null)}`)
    .digest('hex');
}

/**
 * Stores the first successful response to a POST per (API key, Idempotency-Key).
 *
 * The request's write transaction marks its claim committed as it commits (a transaction
 * subscriber, in that transaction), so a process that dies between its commit and storing the
 * response leaves a claim that is never taken over: a retry gets 409, never a second resource.
 * A claim that never committed is taken over once it is IDEMPOTENCY_ABANDONED_AFTER_SECONDS old.
 */
@Injectable()
export class IdempotencyService implements OnModuleInit, OnModuleDestroy {
  private cleanupTimer: NodeJS.Timeout | undefined;
  private readonly abandonedAfter: string;

  constructor(
    private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.abandonedAfter = `${config.idempotencyAbandonedAfterSeconds} seconds`;
  }

  onModuleInit(): void {
    this.dataSource.subscribers.push({
      beforeTransactionCommit: async ({ queryRunner }) => {
        const claim = currentRequest()?.idempotency;
        if (!claim) return;
        await queryRunner.query(
          `UPDATE idempotency_records SET committed_at = now()
            WHERE api_key_id = $1 AND key = $2 AND committed_at IS NULL`,
          [claim.apiKeyId, claim.key],
        );
      },
    });
    this.cleanupTimer = setInterval(
      () => void this.deleteExpired().catch(() => undefined),
      CLEANUP_INTERVAL_MS,
    );
    this.cleanupTimer.unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.cleanupTimer);
  }

  /**
   * Claims the key for this request, or returns the stored response of its first use.
   * The primary key makes the claim atomic across instances.
   */
  async claim(apiKeyId: string, key: string, path: string, hash: string): Promise<Claim> {
    await this.dataSource.query(
      `DELETE FROM idempotency_records
        WHERE api_key_id = $1 AND key = $2
          AND (created_at < now() - interval '${EXPIRES_AFTER}'
               OR (response_status IS NULL AND committed_at IS NULL
                   AND created_at < now() - $3::interval))`,
      [apiKeyId, key, this.abandonedAfter],
    );
    const inserted: unknown[] = await this.dataSource.query(
      `INSERT INTO idempotency_records (api_key_id, key, path, request_hash)
       VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING RETURNING key`,
      [apiKeyId, key, path, hash],
    );
    if (inserted.length > 0) {
      const context = currentRequest();
      if (context) context.idempotency = { apiKeyId, key };
      return { state: 'claimed' };
    }

    const [existing]: {
      path: string;
      request_hash: string;
      response_status: number | null;
      response_body: unknown;
      lost: boolean;
    }[] = await this.dataSource.query(
      `SELECT path, request_hash, response_status, response_body,
              committed_at IS NOT NULL AND created_at < now() - $3::interval AS lost
           FROM idempotency_records WHERE api_key_id = $1 AND key = $2`,
      [apiKeyId, key, this.abandonedAfter],
    );
    if (!existing) return this.claim(apiKeyId, key, path, hash);
    if (existing.request_hash !== hash) {
      throw new IdempotencyKeyReusedError(existing.path === path ? undefined : existing.path);
    }
    if (existing.response_status === null && existing.lost) {
      throw new IdempotentResponseLostError();
    }
    if (existing.response_status === null) {
      throw new IdempotentRequestInProgressError();
    }
    return { state: 'replay', status: existing.response_status, body: existing.response_body };
  }

  async complete(apiKeyId: string, key: string, status: number, body: unknown): Promise<void> {
    await this.dataSource.query(
      `UPDATE idempotency_records SET response_status = $3, response_body = $4::jsonb
        WHERE api_key_id = $1 AND key = $2`,
      [apiKeyId, key, status, JSON.stringify(body ?? null)],
    );
  }

  /**
   * Only successful responses are kept: a failed request may be retried with its key, unless
   * it failed after its write committed.
   */
  async release(apiKeyId: string, key: string): Promise<void> {
    await this.dataSource.query(
      `DELETE FROM idempotency_records
        WHERE api_key_id = $1 AND key = $2 AND response_status IS NULL AND committed_at IS NULL`,
      [apiKeyId, key],
    );
  }

  async deleteExpired(): Promise<void> {
    await this.dataSource.query(
      `DELETE FROM idempotency_records WHERE created_at < now() - interval '${EXPIRES_AFTER}'`,
    );
  }
}
