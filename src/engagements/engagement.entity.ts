import {
  Column,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
  type Relation,
} from 'typeorm';
import { Person } from '../people/person.entity.js';
import { Vendor } from '../vendors/vendor.entity.js';
import { ENGAGEMENT_STATUSES, type EngagementStatus } from './engagement-status.js';
import { VersionedEntity } from '../database/base-entities.js';

export const CRITICALITIES = ['standard', 'important', 'critical'] as const;
/** Whether the engagement supports an important or critical function (DORA Art. 28). */
export type Criticality = (typeof CRITICALITIES)[number];

export const EXIT_STRATEGIES = ['insource', 'alternative_vendor', 'retire'] as const;
export type ExitStrategy = (typeof EXIT_STRATEGIES)[number];

/** How the company leaves the vendor if it must (SPEC §8). */
export interface ExitPlan {
  strategy: ExitStrategy;
  summary: string;
  triggers: string[];
  alternativeVendorId?: string;
}

export interface SuccessMetric {
  name: string;
  target: string;
  measurement?: string;
}

@Entity('engagements')
@Index('idx_engagements_created', ['createdAt', 'id'])
export class Engagement extends VersionedEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'varchar', length: 200 })
  title!: string;

  @Index('idx_engagements_vendor')
  @Column({ type: 'uuid' })
  vendorId!: string;

  @ManyToOne(() => Vendor, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'vendor_id' })
  vendor?: Relation<Vendor>;

  @Index('uq_engagements_contract_ref', { unique: true })
  @Column({ type: 'varchar', length: 100, nullable: true })
  contractRef!: string | null;

  @Index('idx_engagements_status')
  @Column({
    type: 'enum',
    enum: ENGAGEMENT_STATUSES,
    enumName: 'engagement_status',
    default: 'draft',
  })
  status!: EngagementStatus;

  @Index('idx_engagements_product_owner')
  @Column({ type: 'uuid' })
  productOwnerId!: string;

  @ManyToOne(() => Person, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'product_owner_id' })
  productOwner?: Relation<Person>;

  @Column({ type: 'text' })
  specProblem!: string;

  @Column({ type: 'jsonb' })
  specSuccessMetrics!: SuccessMetric[];

  @Column({ type: 'jsonb' })
  specConstraints!: string[];

  @Column({ type: 'uuid' })
  specTradeOffOwnerId!: string;

  @ManyToOne(() => Person, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'spec_trade_off_owner_id' })
  specTradeOffOwner?: Relation<Person>;

  @Column({ type: 'text', nullable: true })
  specTradeOffRule!: string | null;

  @Column({ type: 'date', nullable: true })
  startDate!: string | null;

  @Column({ type: 'date', nullable: true })
  contractEndDate!: string | null;

  @Column({ type: 'integer', default: 0 })
  noticePeriodDays!: number;

  @Column({
    type: 'enum',
    enum: CRITICALITIES,
    enumName: 'engagement_criticality',
    default: 'standard',
  })
  criticality!: Criticality;

  @Column({ type: 'jsonb', nullable: true })
  exitPlan!: ExitPlan | null;

  /** Independent operators that completion requires. */
  @Column({ type: 'integer', default: 0 })
  minIndependentOperators!: number;

  @Column({ type: 'timestamptz', precision: 3, nullable: true })
  activatedAt!: Date | null;

  @Column({ type: 'timestamptz', precision: 3, nullable: true })
  completedAt!: Date | null;

  @Column({ type: 'timestamptz', precision: 3, nullable: true })
  cancelledAt!: Date | null;

  @Column({ type: 'text', nullable: true })
  cancelReason!: string | null;
}

/** A person who must be able to own the system after handover. */
@Entity('engagement_knowledge_recipients')
export class EngagementKnowledgeRecipient {
  @Column({ type: 'uuid', primary: true })
  engagementId!: string;

  @Index('idx_knowledge_recipients_person')
  @Column({ type: 'uuid', primary: true })
  personId!: string;

  @ManyToOne(() => Engagement, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'engagement_id' })
  engagement?: Relation<Engagement>;

  @ManyToOne(() => Person, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'person_id' })
  person?: Relation<Person>;
}
