import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { ApiKey } from '../auth/api-key.entity.js';
import { Engagement } from '../engagements/engagement.entity.js';
import { Vendor } from '../vendors/vendor.entity.js';
import { VersionedEntity } from '../database/base-entities.js';

export const DISABLED_REASONS = ['gone', 'failing'] as const;
export type DisabledReason = (typeof DISABLED_REASONS)[number];

/** Where events are delivered (SPEC §6 "Webhook endpoints"), owned by the key that made it. */
@Entity('webhook_endpoints')
@Index('idx_webhook_endpoints_owner', ['ownerApiKeyId', 'createdAt', 'id'])
export class WebhookEndpoint extends VersionedEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'varchar', length: 2048 })
  url!: string;

  @Column({ type: 'varchar', length: 500, nullable: true })
  description!: string | null;

  /** Subscribed types, or `*` for all. */
  @Column({ type: 'varchar', length: 64, array: true })
  eventTypes!: string[];

  @Column({ type: 'uuid', nullable: true })
  engagementId!: string | null;

  @ManyToOne(() => Engagement, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'engagement_id' })
  engagement?: Engagement;

  @Column({ type: 'uuid', nullable: true })
  vendorId!: string | null;

  @ManyToOne(() => Vendor, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'vendor_id' })
  vendor?: Vendor;

  @Column({ type: 'boolean', default: true })
  enabled!: boolean;

  @Column({ type: 'varchar', length: 16, nullable: true })
  disabledReason!: DisabledReason | null;

  /** `whsec_` + base64 of 32 random bytes: the HMAC key must be readable to sign. */
  @Column({ type: 'varchar', length: 64 })
  secret!: string;

  /** The secret before the last rotation, still signing until `previousSecretExpiresAt`. */
  @Column({ type: 'varchar', length: 64, nullable: true })
  previousSecret!: string | null;

  @Column({ type: 'timestamptz', precision: 3, nullable: true })
  previousSecretExpiresAt!: Date | null;

  @Column({ type: 'uuid', nullable: true })
  ownerApiKeyId!: string | null;

  @ManyToOne(() => ApiKey, { onDelete: 'SET NULL' })
  @JoinColumn({ name: 'owner_api_key_id' })
  ownerApiKey?: ApiKey;

  /** Deliveries in a row that failed for good; a success resets it. */
  @Column({ type: 'integer', default: 0 })
  consecutiveFailures!: number;
}
