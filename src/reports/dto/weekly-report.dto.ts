import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { ENGAGEMENT_STATUSES } from '../../engagements/engagement-status.js';
import { RISK_LEVELS, SIGNAL_CODES } from '../../risk/assess-risk.js';
import { PortfolioTotals } from '../../risk/dto/portfolio.dto.js';
import { RiskSignalResponse } from '../../risk/dto/risk.dto.js';
import { REPORT_FORMATS, type ReportFormat } from '../report-formats.js';
import type { WeeklyReport } from '../weekly-report.entity.js';

const WEEK_EXAMPLE = '2026-W47';
const WEEK_PATTERN = /^\d{4}-W\d{2}$/;
/** `YYYY-Www` */
const WEEK_LENGTH = 8;
/** An engagement has at most this many knowledge recipients, so as many independent operators. */
const MAX_RECIPIENTS = 50;

export class GenerateWeeklyReportDto {
  @ApiPropertyOptional({
    pattern: WEEK_PATTERN.source,
    description:
      'The ISO week; only the current one (UTC) can be generated. Default: the current week',
    example: WEEK_EXAMPLE,
    maxLength: WEEK_LENGTH,
  })
  @IsOptional()
  @IsString()
  @Matches(WEEK_PATTERN, { message: 'week must be an ISO week such as 2026-W47' })
  @MaxLength(WEEK_LENGTH)
  week?: string;
}

class NamedRef {
  @ApiProperty({ format: 'uuid', example: '5a1e2b3c-4d5e-4f60-8a7b-9c0d1e2f3a4b' })
  id!: string;

  @ApiProperty({ maxLength: 200, example: 'Acme AI Labs' })
  name!: string;
}

export class ReportEngagementEntry {
  @ApiProperty({ format: 'uuid', example: '3f2b8c1a-5d4e-4f6a-9b8c-7d6e5f4a3b2c' })
  engagementId!: string;

  @ApiProperty({ maxLength: 200, example: 'Invoice data extraction' })
  title!: string;

  @ApiProperty({ type: NamedRef })
  vendor!: NamedRef;

  @ApiProperty({ type: NamedRef })
  productOwner!: NamedRef;

  @ApiProperty({ enum: ENGAGEMENT_STATUSES, example: 'active' })
  status!: string;

  @ApiProperty({ enum: RISK_LEVELS, example: 'high' })
  level!: string;

  @ApiProperty({ example: 45 })
  score!: number;

  @ApiProperty({ example: true })
  dependencyTrap!: boolean;

  @ApiProperty({ maxItems: SIGNAL_CODES.length, type: [RiskSignalResponse] })
  signals!: RiskSignalResponse[];

  @ApiProperty({
    enum: RISK_LEVELS,
    nullable: true,
    type: String,
    example: 'medium',
    description: 'The level in the latest earlier report; null when that report did not list it',
  })
  previousLevel!: string | null;

  @ApiProperty({ enum: ['new', 'raised', 'lowered', 'unchanged', 'closed'], example: 'raised' })
  change!: string;

  @ApiProperty({
    type: 'integer',
    format: 'int32',
    minimum: 0,
    maximum: MAX_RECIPIENTS,
    nullable: true,
    example: 1,
    description:
      "Knowledge recipients who passed a drill without vendor help within OPERATOR_EVIDENCE_DAYS before the report's asOf (SPEC §8); null in a report stored before drills existed",
  })
  independentOperators!: number | null;
}

export class ReportVendorEntry {
  @ApiProperty({ format: 'uuid', example: '5a1e2b3c-4d5e-4f60-8a7b-9c0d1e2f3a4b' })
  vendorId!: string;

  @ApiProperty({ maxLength: 200, example: 'Acme AI Labs' })
  name!: string;

  @ApiProperty({ description: 'Open engagements', example: 6 })
  engagements!: number;

  @ApiProperty({ example: 2 })
  flagged!: number;

  @ApiProperty({ enum: RISK_LEVELS, example: 'critical' })
  maxLevel!: string;

  @ApiProperty({ description: "Open engagements' net final-handover slip, in days", example: 35 })
  slipDays!: number;
}

export class ReportEscalationEntry {
  @ApiProperty({ format: 'uuid', example: '3f2b8c1a-5d4e-4f6a-9b8c-7d6e5f4a3b2c' })
  engagementId!: string;

  @ApiProperty({ maxLength: 200, example: 'Invoice data extraction' })
  title!: string;

  @ApiProperty({ maxLength: 200, example: 'Acme AI Labs' })
  vendorName!: string;

  @ApiProperty({ enum: RISK_LEVELS, example: 'high', description: 'The level it was raised at' })
  level!: string;

  @ApiProperty({
    format: 'date',
    example: '2026-11-02',
    description: 'The day the engagement reached that level',
  })
  since!: string;

  @ApiProperty({ format: 'date-time', example: '2026-11-09T00:05:00.000Z' })
  raisedAt!: string;

  @ApiProperty({
    format: 'date-time',
    nullable: true,
    type: String,
    example: null,
    description: 'When an acknowledgement answered it; null while nobody has',
  })
  acknowledgedAt!: string | null;
}

export class ReportAcknowledgementEntry {
  @ApiProperty({ format: 'uuid', example: '9d0e1f2a-3b4c-4d5e-8f6a-7b8c9d0e1f2a' })
  id!: string;

  @ApiProperty({ format: 'uuid', example: '3f2b8c1a-5d4e-4f6a-9b8c-7d6e5f4a3b2c' })
  engagementId!: string;

  @ApiProperty({ maxLength: 200, example: 'Invoice data extraction' })
  title!: string;

  @ApiProperty({
    enum: RISK_LEVELS,
    example: 'high',
    description: "The engagement's level when acknowledged",
  })
  level!: string;

  @ApiProperty({ maxLength: 2000, example: 'Vendor adds two walkthroughs before the handover' })
  note!: string;

  @ApiProperty({
    format: 'date',
    example: '2026-11-24',
    description: 'The grace period restarts from this day',
  })
  until!: string;

  @ApiProperty({ format: 'date-time', example: '2026-11-10T14:30:00.000Z' })
  acknowledgedAt!: string;

  @ApiProperty({
    maxLength: 100,
    example: 'Priya (product owner)',
    description: 'The name of the API key that acknowledged',
  })
  acknowledgedBy!: string;
}

export class WeeklyReportResponse {
  @ApiProperty({ format: 'uuid', example: '7b8c9d0e-1f2a-4b3c-8d4e-5f6a7b8c9d0e' })
  id!: string;

  @ApiProperty({ maxLength: 8, pattern: WEEK_PATTERN.source, example: WEEK_EXAMPLE })
  week!: string;

  @ApiProperty({ format: 'date-time', example: '2026-11-16T06:00:00.000Z' })
  generatedAt!: string;

  @ApiProperty({ format: 'date', example: '2026-11-16' })
  asOf!: string;

  @ApiProperty({ type: PortfolioTotals })
  totals!: PortfolioTotals;

  @ApiProperty({ type: [ReportEngagementEntry] })
  engagements!: ReportEngagementEntry[];

  @ApiProperty({ type: [ReportVendorEntry] })
  vendors!: ReportVendorEntry[];

  @ApiProperty({
    type: [ReportEscalationEntry],
    description: 'The open escalations of open engagements, oldest first',
  })
  escalations!: ReportEscalationEntry[];

  @ApiProperty({
    type: [ReportAcknowledgementEntry],
    description:
      'The risk acknowledgements made since the previous report (the first report: all of them), oldest first; each is in one report only',
  })
  acknowledgements!: ReportAcknowledgementEntry[];

  static from(report: WeeklyReport): WeeklyReportResponse {
    const { escalations = [], acknowledgements = [], engagements, ...content } = report.content;
    return {
      id: report.id,
      week: report.week,
      generatedAt: report.generatedAt.toISOString(),
      asOf: report.asOf,
      ...content,
      // A report stored before drills existed did not count operators: unknown, not zero.
      engagements: engagements.map(({ independentOperators = null, ...entry }) => ({
        ...entry,
        independentOperators,
      })),
      // A report stored before escalation existed had none of either.
      escalations,
      acknowledgements,
    };
  }
}

export class WeeklyReportSummary {
  @ApiProperty({ format: 'uuid', example: '7b8c9d0e-1f2a-4b3c-8d4e-5f6a7b8c9d0e' })
  id!: string;

  @ApiProperty({ maxLength: 8, pattern: WEEK_PATTERN.source, example: WEEK_EXAMPLE })
  week!: string;

  @ApiProperty({ format: 'date-time', example: '2026-11-16T06:00:00.000Z' })
  generatedAt!: string;

  @ApiProperty({ type: PortfolioTotals })
  totals!: PortfolioTotals;
}

export class ReportFormatQuery {
  @ApiPropertyOptional({
    enum: Object.keys(REPORT_FORMATS),
    description: 'Overrides the Accept header: json, csv (one row per engagement), md or html',
    example: 'html',
  })
  @IsOptional()
  @IsIn(Object.keys(REPORT_FORMATS), { message: 'format must be one of json, csv, md, html' })
  format?: ReportFormat;
}
