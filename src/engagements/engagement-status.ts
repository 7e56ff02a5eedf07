export const ENGAGEMENT_STATUSES = ['draft', 'active', 'completed', 'cancelled'] as const;
export type EngagementStatus = (typeof ENGAGEMENT_STATUSES)[number];

/** Draft and active engagements are open: judged for risk, reported and escalated. */
export const OPEN_STATUSES = ['draft', 'active'] as const satisfies readonly EngagementStatus[];

/** Completed and cancelled engagements are read-only, with their milestones and artifacts. */
export const isClosed = (status: EngagementStatus): boolean =>
  !(OPEN_STATUSES as readonly EngagementStatus[]).includes(status);

/** SQL that is true when `column` holds an open status. */
export const openStatusSql = (column: string): string =>
  `${column} IN (${OPEN_STATUSES.map((status) => `'${status}'`).join(', ')})`;
