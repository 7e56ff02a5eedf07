import { Body, Controller, Get, Param, Post, Query, Res } from '@nestjs/common';
import {
  ApiCreatedResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiTags,
} from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { type Actor, CurrentActor, Roles } from '../auth/actor.js';
import { ROLES } from '../auth/role.js';
import { ApiProblems } from '../common/openapi.js';
import { ApiPageResponse, type Page, PageQuery } from '../common/pagination.js';
import { UuidParam } from '../common/validation.js';
import {
  GenerateWeeklyReportDto,
  WeeklyReportResponse,
  WeeklyReportSummary,
} from './dto/weekly-report.dto.js';
import { ReportsService } from './reports.service.js';

@ApiTags('Reports')
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
  @ApiOperation({ summary: 'Weekly reports, newest first' })
  @ApiPageResponse(WeeklyReportSummary, 'A page of reports')
  list(@Query() query: PageQuery): Promise<Page<WeeklyReportSummary>> {
    return this.reports.list(query);
  }

  @Get('weekly/:week')
  @Roles(...ROLES)
  @ApiOperation({ summary: 'The report of an ISO week' })
  @ApiParam({ name: 'week', example: '2026-W47' })
  @ApiOkResponse({ type: WeeklyReportResponse })
  @ApiProblems(404)
  getByWeek(@Param('week') week: string): Promise<WeeklyReportResponse> {
    return this.reports.getByWeek(week);
  }

  @Get(':id')
  @Roles(...ROLES)
  @ApiOperation({ summary: 'A report' })
  @ApiOkResponse({ type: WeeklyReportResponse })
  @ApiProblems(404)
  get(@UuidParam('id') id: string): Promise<WeeklyReportResponse> {
    return this.reports.get(id);
  }
}
