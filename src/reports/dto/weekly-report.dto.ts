import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { ENGAGEMENT_STATUSES } from '../../engagements/engagement-status.js';
import { RISK_LEVELS, SIGNAL_CODES } from '../../risk/assess-risk.js';
import { PortfolioTotals } from '../../risk/dto/portfolio.dto.js';
import { RiskSignalResponse } from '../../risk/dto/risk.dto.js';
import { REPORT_FORMATS, type ReportFormat } from '../render-report.js';
import type { WeeklyReport } from '../weekly-report.entity.js';

const WEEK_EXAMPLE = '2026-W47';
const WEEK_PATTERN = /^\d{4}-W\d{2}$/;
/** `YYYY-Www` */
const WEEK_LENGTH = 8;

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

  static from(report: WeeklyReport): WeeklyReportResponse {
    return {
      id: report.id,
      week: report.week,
      generatedAt: report.generatedAt.toISOString(),
      asOf: report.asOf,
      ...report.content,
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
