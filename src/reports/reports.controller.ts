import { Body, Controller, Get, Headers, Param, Post, Query, Res } from '@nestjs/common';
import {
  ApiCreatedResponse,
  ApiExtraModels,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiTags,
  getSchemaPath,
} from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { type Actor, CurrentActor, Roles } from '../auth/actor.js';
import { ROLES } from '../auth/role.js';
import { Produces } from '../common/content-negotiation.js';
import { ApiProblems } from '../common/openapi.js';
import { ApiPageResponse, type Page, PageQuery } from '../common/pagination.js';
import { UuidParam } from '../common/validation.js';
import {
  GenerateWeeklyReportDto,
  ReportFormatQuery,
  WeeklyReportResponse,
  WeeklyReportSummary,
} from './dto/weekly-report.dto.js';
import { chooseFormat, renderReport } from './render-report.js';
import { REPORT_FORMATS, type ReportFormat } from './report-formats.js';
import { ReportsService } from './reports.service.js';

const FORMATS_DESCRIPTION =
  'JSON, or by Accept (or `?format=`) CSV with one row per engagement, Markdown, or an HTML page with charts.';

const ApiReportResponse = () =>
  ApiOkResponse({
    description: 'The stored report',
    content: {
      'application/json': { schema: { $ref: getSchemaPath(WeeklyReportResponse) } },
      'text/csv': { schema: { type: 'string' } },
      'text/markdown': { schema: { type: 'string' } },
      'text/html': { schema: { type: 'string' } },
    },
  });

@ApiTags('Reports')
@ApiExtraModels(WeeklyReportResponse)
@Controller('v1/reports')
export class ReportsController {
  constructor(private readonly reports: ReportsService) {}

  @Post('weekly')
  @Roles('admin', 'reporter')
  @ApiOperation({
    summary: "Generate this ISO week's risk report, or return it when it exists",
    description:
      'The first call of a week creates the report (201); every later call returns it (200).',
  })
  @ApiCreatedResponse({ type: WeeklyReportResponse, description: 'Created by this call' })
  @ApiOkResponse({ type: WeeklyReportResponse, description: "This week's report already existed" })
  @ApiProblems(400, 422)
  async generate(
    @CurrentActor() actor: Actor,
    @Body() input: GenerateWeeklyReportDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<WeeklyReportResponse> {
    const { created, report } = await this.reports.generate(actor, input.week);
    reply.status(created ? 201 : 200);
    return report;
  }

  @Get()
  @Roles(...ROLES)
  @ApiOperation({
    summary: 'Weekly reports, newest first',
    description:
      'Each weekly report as a summary (week, generation time, totals by level), newest first. GET /v1/reports/{id} returns a whole report.',
  })
  @ApiPageResponse(WeeklyReportSummary, 'A page of reports')
  list(@Query() query: PageQuery): Promise<Page<WeeklyReportSummary>> {
    return this.reports.list(query);
  }

  @Get('weekly/:week')
  @Roles(...ROLES)
  @Produces(...Object.values(REPORT_FORMATS))
  @ApiOperation({ summary: 'The report of an ISO week', description: FORMATS_DESCRIPTION })
  @ApiParam({
    name: 'week',
    description: 'The ISO week, `YYYY-Www`; 404 when no report was generated for that week',
    example: '2026-W47',
    schema: { type: 'string', maxLength: 8, pattern: '^\\d{4}-W\\d{2}$' },
  })
  @ApiReportResponse()
  @ApiProblems(404)
  async getByWeek(
    @Param('week') week: string,
    @Query() query: ReportFormatQuery,
    @Headers('accept') accept: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<WeeklyReportResponse | string> {
    return render(await this.reports.getByWeek(week), chooseFormat(query.format, accept), reply);
  }

  @Get(':id')
  @Roles(...ROLES)
  @Produces(...Object.values(REPORT_FORMATS))
  @ApiOperation({ summary: 'A report', description: FORMATS_DESCRIPTION })
  @ApiReportResponse()
  @ApiProblems(404)
  async get(
    @UuidParam('id') id: string,
    @Query() query: ReportFormatQuery,
    @Headers('accept') accept: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<WeeklyReportResponse | string> {
    return render(await this.reports.get(id), chooseFormat(query.format, accept), reply);
  }
}

/** Sets the content type of a text format; a CSV or Markdown file is named after its week. */
function render(
  report: WeeklyReportResponse,
  format: ReportFormat,
  reply: FastifyReply,
): WeeklyReportResponse | string {
  if (format !== 'json') {
    reply.type(`${REPORT_FORMATS[format]}; charset=utf-8`);
    if (format === 'csv' || format === 'md') {
      reply.header(
        'Content-Disposition',
        `inline; filename="handover-risk-${report.week}.${format}"`,
      );
    }
  }
  return renderReport(report, format);
}
