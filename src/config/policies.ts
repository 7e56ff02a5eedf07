// The shapes of the domain rules' settings: configuration fills them, the rules read them.

/** The thresholds of SPEC §2, configurable. */
export interface RiskPolicy {
  slipDaysHigh: number;
  slipCountHigh: number;
  ktWindowDays: number;
  ktMinAccepted: number;
  /** How long a drill passed without vendor help keeps its participants independent operators. */
  operatorEvidenceDays: number;
  /**
   * Days before the final handover from which a recipient without a learning sprint ending by
   * then raises RECIPIENT_NOT_UPSKILLED; null: the signal is off (SPEC §9).
   */
  upskillingWindowDays: number | null;
}

/** How long a learning sprint may be, in days from its first to its last day (SPEC §9). */
export interface SprintLength {
  minDays: number;
  maxDays: number;
}
