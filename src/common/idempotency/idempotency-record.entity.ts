import { Column, Entity, Index } from 'typeorm';
import { CreatedAtEntity } from '../../database/base-entities.js';

/** The first response to a POST with an Idempotency-Key, kept for 24 hours. */
@Entity('idempotency_records')
@Index('idx_idempotency_records_created', ['createdAt'])
export class IdempotencyRecord extends CreatedAtEntity {
  @Column({ type: 'uuid', primary: true })
  apiKeyId!: string;

  @Column({ type: 'varchar', length: 255, primary: true })
  key!: string;

  @Column({ type: 'varchar', length: 2048 })
  path!: string;

  /** SHA-256 of method, path and body. */
  @Column({ type: 'char', length: 64 })
  requestHash!: string;

  /**
   * Set by the request's write transaction as it commits: from then on the request has had its
   * effect, and the claim is never taken over, even if its response was never stored.
   */
  @Column({ type: 'timestamptz', precision: 3, nullable: true })
  committedAt!: Date | null;

  @Column({ type: 'integer', nullable: true })
  responseStatus!: number | null;

  @Column({ type: 'jsonb', nullable: true })
  responseBody!: unknown;
}
