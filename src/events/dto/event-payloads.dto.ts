import { DrillResponse } from '../../drills/dto/drill.dto.js';
import { LearningSprintResponse } from '../../learning/dto/learning-sprint.dto.js';
import { ApiProperty } from '@nestjs/swagger';
import type { OpenAPIObject } from '@nestjs/swagger';
import { ArtifactResponse } from '../../artifacts/dto/artifact.dto.js';
import { DATE_LENGTH } from '../../common/dto-helpers.js';
import { EngagementResponse } from '../../engagements/dto/engagement.response.js';
import { EscalationResponse } from '../../escalations/dto/escalation.dto.js';
import { MilestoneResponse } from '../../milestones/dto/milestone.dto.js';
import { SIGNAL_CODES } from '../../risk/assess-risk.js';
import { PortfolioTotals } from '../../risk/dto/portfolio.dto.js';
import { LevelAndScore } from '../../risk/dto/risk.dto.js';
import { EVENT_TYPES, type EventType } from '../event-types.js';

/** The `data` of each event type (SPEC §6), as the feed and every delivery carry it. */

export class EngagementUpdatedEventData extends EngagementResponse {
  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description: 'Each changed field with its value before and after: `{ field: { from, to } }`',
    example: { title: { from: 'Invoice OCR', to: 'Invoice data extraction' } },
  })
  changes!: Record<string, { from: unknown; to: unknown }>;
}

export class MilestoneDateChangedEventData {
  @ApiProperty({ type: MilestoneResponse })
  milestone!: MilestoneResponse;

  @ApiProperty({ format: 'date', maxLength: DATE_LENGTH, example: '2027-03-31' })
  fromDate!: string;

  @ApiProperty({ format: 'date', maxLength: DATE_LENGTH, example: '2027-04-28' })
  toDate!: string;

  @ApiProperty({ nullable: true, type: String, maxLength: 2000, example: 'Vendor staffing' })
  reason!: string | null;

  @ApiProperty({ description: 'The date moved later after activation' })
  slip!: boolean;

  @ApiProperty({
    type: 'integer',
    format: 'int32',
    minimum: 0,
    maximum: 100_000,
    example: 28,
    description: '`toDate − fromDate` for a slip, else 0',
  })
  slipDays!: number;
}

export class MilestoneDueSoonEventData {
  @ApiProperty({ type: MilestoneResponse })
  milestone!: MilestoneResponse;

  @ApiProperty({ format: 'date', maxLength: DATE_LENGTH, example: '2027-03-31' })
  dueDate!: string;

  @ApiProperty({ type: 'integer', format: 'int32', minimum: 0, maximum: 365, example: 7 })
  daysLeft!: number;
}

export class MilestoneOverdueEventData {
  @ApiProperty({ type: MilestoneResponse })
  milestone!: MilestoneResponse;

  @ApiProperty({
    format: 'date',
    maxLength: DATE_LENGTH,
    example: '2027-03-31',
    description: 'The due date it is overdue against, even when told late',
  })
  dueDate!: string;
}

export class RiskLevelChangedEventData {
  @ApiProperty({ type: LevelAndScore })
  from!: LevelAndScore;

  @ApiProperty({ type: LevelAndScore })
  to!: LevelAndScore;

  @ApiProperty({ enum: SIGNAL_CODES, isArray: true, maxItems: SIGNAL_CODES.length })
  raised!: string[];

  @ApiProperty({ enum: SIGNAL_CODES, isArray: true, maxItems: SIGNAL_CODES.length })
  cleared!: string[];

  @ApiProperty({ enum: ['change', 'time'], description: 'A write moved it, or the date did' })
  cause!: 'change' | 'time';
}

export class ReportCreatedEventData {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ maxLength: 8, example: '2026-W49', pattern: '^\\d{4}-W\\d{2}$' })
  week!: string;

  @ApiProperty({ type: PortfolioTotals })
  totals!: PortfolioTotals;
}

export class WebhookPingEventData {
  @ApiProperty({ format: 'uuid' })
  endpointId!: string;
}

/** Every data class above, for `ApiExtraModels`. */
export const EVENT_DATA_MODELS = [
  ArtifactResponse,
  DrillResponse,
  EngagementResponse,
  EngagementUpdatedEventData,
  EscalationResponse,
  MilestoneResponse,
  MilestoneDateChangedEventData,
  MilestoneDueSoonEventData,
  MilestoneOverdueEventData,
  RiskLevelChangedEventData,
  ReportCreatedEventData,
  WebhookPingEventData,
  LearningSprintResponse,
];

/** Which schema each type's `data` is. */
const DATA_OF: Record<EventType | 'webhook.ping', string> = {
  'engagement.created': EngagementResponse.name,
  'engagement.updated': EngagementUpdatedEventData.name,
  'engagement.activated': EngagementResponse.name,
  'engagement.completed': EngagementResponse.name,
  'engagement.cancelled': EngagementResponse.name,
  'milestone.created': MilestoneResponse.name,
  'milestone.updated': MilestoneResponse.name,
  'milestone.completed': MilestoneResponse.name,
  'milestone.date_changed': MilestoneDateChangedEventData.name,
  'artifact.created': ArtifactResponse.name,
  'artifact.delivered': ArtifactResponse.name,
  'artifact.accepted': ArtifactResponse.name,
  'artifact.rejected': ArtifactResponse.name,
  'drill.created': DrillResponse.name,
  'drill.recorded': DrillResponse.name,
  'learning_sprint.created': LearningSprintResponse.name,
  'learning_sprint.completed': LearningSprintResponse.name,
  'risk.level_changed': RiskLevelChangedEventData.name,
  'milestone.due_soon': MilestoneDueSoonEventData.name,
  'milestone.overdue': MilestoneOverdueEventData.name,
  'escalation.raised': EscalationResponse.name,
  'escalation.resolved': EscalationResponse.name,
  'report.created': ReportCreatedEventData.name,
  'webhook.ping': WebhookPingEventData.name,
};

const schemaName = (type: string) =>
  `WebhookEvent_${type.replace(/(^|[._])([a-z])/g, (_, __, letter: string) => letter.toUpperCase())}`;

/**
 * The body of a delivery, one schema per event type, and `WebhookEvent`: their union with
 * `type` as discriminator, so a generated client gets typed events. OpenAPI 3.0 has no
 * `webhooks` section; these are components that the webhook operations point to.
 */
export function addWebhookEventSchemas(document: OpenAPIObject): void {
  const schemas = (document.components ??= {}).schemas ?? (document.components.schemas = {});
  const types = [...EVENT_TYPES, 'webhook.ping' as const];
  for (const type of types) {
    schemas[schemaName(type)] = {
      type: 'object',
      additionalProperties: false,
      required: ['id', 'type', 'timestamp', 'data'],
      description: `The body of a \`${type}\` delivery.`,
      properties: {
        id: { type: 'string', format: 'uuid', description: 'The event id: `webhook-id`' },
        type: { type: 'string', enum: [type] },
        timestamp: { type: 'string', format: 'date-time', maxLength: 40 },
        ...(type === 'webhook.ping'
          ? {}
          : {
              seq: {
                type: 'integer',
                format: 'int64',
                minimum: 1,
                maximum: Number.MAX_SAFE_INTEGER,
                description: 'Commit order: order deliveries by it',
              },
              engagementId: { type: 'string', format: 'uuid', nullable: true },
              vendorId: { type: 'string', format: 'uuid', nullable: true },
            }),
        data: { $ref: `#/components/schemas/${DATA_OF[type]}` },
      },
    };
  }
  schemas.WebhookEvent = {
    description:
      'What a webhook delivery POSTs (JSON), by `type`; signed per Standard Webhooks in the `webhook-id`, `webhook-timestamp` and `webhook-signature` headers.',
    oneOf: types.map((type) => ({ $ref: `#/components/schemas/${schemaName(type)}` })),
    discriminator: {
      propertyName: 'type',
      mapping: Object.fromEntries(
        types.map((type) => [type, `#/components/schemas/${schemaName(type)}`]),
      ),
    },
  };
}
