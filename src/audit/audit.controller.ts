import { Controller, Get, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { type Actor, CurrentActor, Roles } from '../auth/actor.js';
import { ApiProblems } from '../common/openapi.js';
import { ApiPageResponse, type Page } from '../common/pagination.js';
import { AuditService } from './audit.service.js';
import { AuditEventResponse } from './dto/audit-event.response.js';
import { ListAuditEventsQuery } from './dto/list-audit-events.query.js';

@ApiTags('Audit events')
@Controller('v1/audit-events')
export class AuditController {
  constructor(private readonly audit: AuditService) {}

  @Get()
  @Roles('admin', 'procurement', 'product_owner', 'integration', 'viewer')
  @ApiOperation({
    summary: 'Audit events, newest first',
    description: 'A product owner sees the events of the engagements they own.',
  })
  @ApiPageResponse(AuditEventResponse, 'A page of audit events')
  @ApiProblems(400)
  list(
    @CurrentActor() actor: Actor,
    @Query() query: ListAuditEventsQuery,
  ): Promise<Page<AuditEventResponse>> {
    return this.audit.list(actor, query);
  }
}
