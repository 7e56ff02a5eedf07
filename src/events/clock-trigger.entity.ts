import { CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

export const CLOCK_TRIGGERS = ['due_soon', 'overdue', 'risk_level', 'escalation'] as const;
export type ClockTriggerKind = (typeof CLOCK_TRIGGERS)[number];

/**
 * A time-triggered event that has fired: one row per subject, trigger and date. The primary
 * key is what makes the clock emit each of them exactly once across instances.
 */
@Entity('clock_triggers')
export class ClockTrigger {
  /** The milestone (due_soon, overdue) or engagement (risk_level, escalation). */
  @PrimaryColumn({ type: 'uuid' })
  subjectId!: string;

  @PrimaryColumn({ type: 'varchar', length: 20 })
  kind!: ClockTriggerKind;

  /** The due date, the day the level changed, or the day the engagement escalates. */
  @PrimaryColumn({ type: 'date' })
  onDate!: string;

  @CreateDateColumn({ type: 'timestamptz', precision: 3 })
  firedAt!: Date;
}
