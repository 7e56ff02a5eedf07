export const ENGAGEMENT_STATUSES = ['draft', 'active', 'completed', 'cancelled'] as const;
export type EngagementStatus = (typeof ENGAGEMENT_STATUSES)[number];

/** Completed and cancelled engagements are read-only, with their milestones and artifacts. */
export const isClosed = (status: EngagementStatus): boolean =>
  status === 'completed' || status === 'cancelled';
