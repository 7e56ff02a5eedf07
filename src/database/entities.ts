import { Artifact } from '../artifacts/artifact.entity.js';
import { AuditEvent } from '../audit/audit-event.entity.js';
import { ApiKey } from '../auth/api-key.entity.js';
import { IdempotencyRecord } from '../common/idempotency/idempotency-record.entity.js';
import { Engagement, EngagementKnowledgeRecipient } from '../engagements/engagement.entity.js';
import { Escalation, RiskAcknowledgement } from '../escalations/escalation.entity.js';
import { ClockTrigger } from '../events/clock-trigger.entity.js';
import { DomainEvent } from '../events/event.entity.js';
import { Milestone, MilestoneDateChange } from '../milestones/milestone.entity.js';
import { Person } from '../people/person.entity.js';
import { WeeklyReport } from '../reports/weekly-report.entity.js';
import {
  EngagementRiskFacts,
  RiskHistoryEntry,
  RiskTimelineSegment,
  RiskTimelineState,
} from '../risk/risk-facts.entity.js';
import { Vendor } from '../vendors/vendor.entity.js';
import { WebhookDelivery } from '../webhooks/webhook-delivery.entity.js';
import { Drill, DrillArtifact, DrillParticipant } from '../drills/drill.entity.js';
import { LearningSprint, LearningSprintLearner } from '../learning/learning-sprint.entity.js';
import { WebhookEndpoint } from '../webhooks/webhook-endpoint.entity.js';

/** Every entity of the application: the single list shared by the app and the migration CLI. */
export const entities = [
  ApiKey,
  Vendor,
  Person,
  Engagement,
  EngagementKnowledgeRecipient,
  Milestone,
  MilestoneDateChange,
  Artifact,
  AuditEvent,
  IdempotencyRecord,
  WeeklyReport,
  EngagementRiskFacts,
  RiskTimelineSegment,
  RiskHistoryEntry,
  RiskTimelineState,
  DomainEvent,
  ClockTrigger,
  WebhookEndpoint,
  WebhookDelivery,
  Escalation,
  RiskAcknowledgement,
  Drill,
  DrillParticipant,
  DrillArtifact,
  LearningSprint,
  LearningSprintLearner,
];
