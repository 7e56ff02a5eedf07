import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import type { StoredReportContent } from './build-weekly-report.js';

/** The weekly risk report: an immutable snapshot, exactly one per ISO week. */
@Entity('weekly_reports')
export class WeeklyReport {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Index('uq_weekly_reports_week', { unique: true })
  @Column({ type: 'varchar', length: 8 })
  week!: string;

  @CreateDateColumn({ type: 'timestamptz', precision: 3 })
  generatedAt!: Date;

  @Column({ type: 'date' })
  asOf!: string;

  @Column({ type: 'uuid', nullable: true })
  generatedByApiKeyId!: string | null;

  @Column({ type: 'jsonb' })
  content!: StoredReportContent;
}
