import { Body, Controller, Get, HttpCode, Post, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { type Actor, CurrentActor, Roles } from '../auth/actor.js';
import { READ_ROLES } from '../auth/role.js';
import { ApiProblems } from '../common/openapi.js';
import { ApiPageResponse, type Page } from '../common/pagination.js';
import { UuidParam } from '../common/validation.js';
import {
  AcknowledgeRiskDto,
  EscalationResponse,
  EscalationStateResponse,
  ListEscalationsQuery,
} from './dto/escalation.dto.js';
import { EscalationsService } from './escalations.service.js';

@ApiTags('Escalations')
@Controller('v1')
export class EscalationsController {
  constructor(private readonly escalations: EscalationsService) {}

  @Post('engagements/:id/risk/acknowledge')
  @HttpCode(200)
  @Roles('admin', 'product_owner')
  @ApiOperation({
    summary: 'Acknowledge an engagement’s risk: say what is done, and until when',
    description:
      'Records the note and `until` (default 14 days, at most 30) in the audit trail and the weekly report, marks an open escalation acknowledged, and restarts the grace period from `until`. Allowed at any level; a rise above the acknowledged level (and at least high) re-arms the grace period at once. The product owner of the engagement, or an admin.',
  })
  @ApiOkResponse({
    type: EscalationStateResponse,
    description: "The engagement's escalation state after the acknowledgement",
  })
  @ApiProblems(400, 404, 409)
  acknowledge(
    @CurrentActor() actor: Actor,
    @UuidParam('id') id: string,
    @Body() input: AcknowledgeRiskDto,
  ): Promise<EscalationStateResponse> {
    return this.escalations.acknowledge(actor, id, input);
  }

  @Get('engagements/:id/escalations')
  @Roles(...READ_ROLES)
  @ApiOperation({
    summary: 'The escalations of an engagement, newest first',
    description:
      'An engagement at high or above for ESCALATION_GRACE_DAYS (7) without an acknowledgement is escalated once; the escalation is resolved when the level falls below high or the engagement closes.',
  })
  @ApiPageResponse(EscalationResponse, 'A page of escalations')
  @ApiProblems(400, 404)
  forEngagement(
    @UuidParam('id') id: string,
    @Query() query: ListEscalationsQuery,
  ): Promise<Page<EscalationResponse>> {
    return this.escalations.forEngagement(id, query);
  }

  @Get('escalations')
  @Roles(...READ_ROLES)
  @ApiOperation({
    summary: 'Escalations across the portfolio, newest first',
    description: '`status=open` lists the dependency traps nobody has acted on.',
  })
  @ApiPageResponse(EscalationResponse, 'A page of escalations')
  @ApiProblems(400)
  list(@Query() query: ListEscalationsQuery): Promise<Page<EscalationResponse>> {
    return this.escalations.list(query);
  }
}
