import { Body, Controller, Get, HttpCode, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { type Actor, CurrentActor, Roles } from '../auth/actor.js';
import { CHANGE_ROLES, READ_ROLES } from '../auth/role.js';
import { ApiIfMatch, IfMatch } from '../common/concurrency.js';
import { ApiProblems } from '../common/openapi.js';
import { ApiPageResponse, type Page, PageQuery } from '../common/pagination.js';
import { UuidParam } from '../common/validation.js';
import { CreateDrillDto, DrillResponse, RecordDrillDto } from './dto/drill.dto.js';
import { DrillsService } from './drills.service.js';

@ApiTags('Drills')
@Controller('v1/engagements/:id/drills')
export class DrillsController {
  constructor(private readonly drills: DrillsService) {}

  @Post()
  @Roles(...CHANGE_ROLES)
  @ApiOperation({
    summary: 'Plan a drill',
    description:
      'A rehearsal in which knowledge recipients operate the system without the vendor: deploy, restore, respond to an incident, make a change, explain it, or run the exit plan. Participants must be recipients of the engagement (400); linked artifacts must be its own (400). 409 on a completed or cancelled engagement.',
  })
  @ApiCreatedResponse({ type: DrillResponse, description: 'The planned drill' })
  @ApiProblems(404, 409)
  create(
    @CurrentActor() actor: Actor,
    @UuidParam('id') engagementId: string,
    @Body() input: CreateDrillDto,
  ): Promise<DrillResponse> {
    return this.drills.create(actor, engagementId, input);
  }

  @Get()
  @Roles(...READ_ROLES)
  @ApiOperation({
    summary: "An engagement's drills, oldest first",
    description: 'Every drill of the engagement, scheduled or recorded, oldest first.',
  })
  @ApiPageResponse(DrillResponse, 'A page of drills')
  @ApiProblems(404)
  list(
    @UuidParam('id') engagementId: string,
    @Query() query: PageQuery,
  ): Promise<Page<DrillResponse>> {
    return this.drills.list(engagementId, query);
  }

  @Get(':did')
  @Roles(...READ_ROLES)
  @ApiOperation({
    summary: 'Get a drill',
    description:
      'The drill with its participants and linked artifacts and, once recorded, its outcome and how much the vendor helped.',
  })
  @ApiOkResponse({ type: DrillResponse, description: 'The drill' })
  @ApiProblems(404)
  get(@UuidParam('id') engagementId: string, @UuidParam('did') id: string): Promise<DrillResponse> {
    return this.drills.get(engagementId, id);
  }

  @Post(':did/record')
  @HttpCode(200)
  @Roles(...CHANGE_ROLES)
  @ApiOperation({
    summary: 'Record how a drill went',
    description:
      'Once: a recorded drill is evidence and never changes (409). performedOn is not in the future; the observer is the product owner or a recipient who did not take part (400). A pass with vendorAssistance none makes every participant an independent operator for OPERATOR_EVIDENCE_DAYS.',
  })
  @ApiIfMatch()
  @ApiOkResponse({ type: DrillResponse, description: 'The recorded drill' })
  @ApiProblems(404, 409, 412)
  record(
    @CurrentActor() actor: Actor,
    @UuidParam('id') engagementId: string,
    @UuidParam('did') id: string,
    @Body() input: RecordDrillDto,
    @IfMatch() ifMatch: number | undefined,
  ): Promise<DrillResponse> {
    return this.drills.record(actor, engagementId, id, input, ifMatch);
  }
}
