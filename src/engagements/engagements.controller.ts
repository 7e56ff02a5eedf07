import { Body, Controller, Get, HttpCode, Patch, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { type Actor, CurrentActor, Roles } from '../auth/actor.js';
import { CHANGE_ROLES, READ_ROLES } from '../auth/role.js';
import { ApiIfMatch, IfMatch } from '../common/concurrency.js';
import { ApiProblems } from '../common/openapi.js';
import { ApiPageResponse, type Page } from '../common/pagination.js';
import { UuidParam } from '../common/validation.js';
import {
  CancelEngagementDto,
  CreateEngagementDto,
  ListEngagementsQuery,
  UpdateEngagementDto,
} from './dto/engagement.dto.js';
import { EngagementResponse } from './dto/engagement.response.js';
import { EngagementLifecycleService } from './engagement-lifecycle.service.js';
import { EngagementListService } from './engagement-list.service.js';
import { EngagementsService } from './engagements.service.js';

@ApiTags('Engagements')
@Controller('v1/engagements')
export class EngagementsController {
  constructor(
    private readonly engagements: EngagementsService,
    private readonly lifecycle: EngagementLifecycleService,
    private readonly listing: EngagementListService,
  ) {}

  @Post()
  @Roles('admin', 'procurement', 'integration')
  @ApiOperation({
    summary: 'Create an engagement (draft)',
    description:
      'The spec is mandatory and judged whole: every missing, short or placeholder field is named.',
  })
  @ApiCreatedResponse({
    type: EngagementResponse,
    description: 'The created engagement, in status `draft`',
  })
  @ApiProblems(400, 409)
  create(
    @CurrentActor() actor: Actor,
    @Body() input: CreateEngagementDto,
  ): Promise<EngagementResponse> {
    return this.engagements.create(actor, input);
  }

  @Get()
  @Roles(...READ_ROLES)
  @ApiOperation({
    summary: 'List engagements, oldest first',
    description:
      'Every engagement the filters match, each with its current risk, oldest first or highest risk score first (`sort=-riskScore`). Filters combine; pass the `nextCursor` of a page as `cursor` for the next one.',
  })
  @ApiPageResponse(EngagementResponse, 'A page of engagements')
  list(@Query() query: ListEngagementsQuery): Promise<Page<EngagementResponse>> {
    return this.listing.list(query);
  }

  @Get(':id')
  @Roles(...READ_ROLES)
  @ApiOperation({
    summary: 'Get an engagement',
    description:
      'The engagement with its spec, people, exit clock, current risk and `version`, also sent as ETag.',
  })
  @ApiOkResponse({ type: EngagementResponse, description: 'The engagement' })
  @ApiProblems(404)
  get(@UuidParam('id') id: string): Promise<EngagementResponse> {
    return this.engagements.get(id);
  }

  @Patch(':id')
  @Roles(...CHANGE_ROLES)
  @ApiOperation({
    summary: 'Change an engagement',
    description:
      'A product owner changes only engagements they own. Completed and cancelled ones are read-only (409).',
  })
  @ApiIfMatch()
  @ApiOkResponse({ type: EngagementResponse, description: 'The updated engagement' })
  @ApiProblems(404, 409, 412)
  update(
    @CurrentActor() actor: Actor,
    @UuidParam('id') id: string,
    @Body() input: UpdateEngagementDto,
    @IfMatch() ifMatch: number | undefined,
  ): Promise<EngagementResponse> {
    return this.engagements.update(actor, id, input, ifMatch);
  }

  @Post(':id/activate')
  @HttpCode(200)
  @Roles(...CHANGE_ROLES)
  @ApiOperation({
    summary: 'Activate (the contract is signed)',
    description:
      'Needs status draft, one final_handover milestone, at least one KT artifact and one knowledge recipient; ' +
      "freezes every milestone's baseline due date. 409 lists every unmet precondition.",
  })
  @ApiIfMatch()
  @ApiOkResponse({ type: EngagementResponse, description: 'The engagement, now `active`' })
  @ApiProblems(404, 409, 412)
  activate(
    @CurrentActor() actor: Actor,
    @UuidParam('id') id: string,
    @IfMatch() ifMatch: number | undefined,
  ): Promise<EngagementResponse> {
    return this.lifecycle.activate(actor, id, ifMatch);
  }

  @Post(':id/complete')
  @HttpCode(200)
  @Roles(...CHANGE_ROLES)
  @ApiOperation({
    summary: 'Complete',
    description:
      'Needs status active, the final handover completed and every KT artifact accepted.',
  })
  @ApiIfMatch()
  @ApiOkResponse({ type: EngagementResponse, description: 'The engagement, now `completed`' })
  @ApiProblems(404, 409, 412)
  complete(
    @CurrentActor() actor: Actor,
    @UuidParam('id') id: string,
    @IfMatch() ifMatch: number | undefined,
  ): Promise<EngagementResponse> {
    return this.lifecycle.complete(actor, id, ifMatch);
  }

  @Post(':id/cancel')
  @HttpCode(200)
  @Roles(...CHANGE_ROLES)
  @ApiOperation({
    summary: 'Cancel a draft or active engagement',
    description: 'A reason is required.',
  })
  @ApiIfMatch()
  @ApiOkResponse({ type: EngagementResponse, description: 'The engagement, now `cancelled`' })
  @ApiProblems(404, 409, 412)
  cancel(
    @CurrentActor() actor: Actor,
    @UuidParam('id') id: string,
    @Body() input: CancelEngagementDto,
    @IfMatch() ifMatch: number | undefined,
  ): Promise<EngagementResponse> {
    return this.lifecycle.cancel(actor, id, input, ifMatch);
  }
}
