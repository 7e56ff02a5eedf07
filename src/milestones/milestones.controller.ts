import { Body, Controller, Get, HttpCode, Patch, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { type Actor, CurrentActor, Roles } from '../auth/actor.js';
import { CHANGE_ROLES, READ_ROLES } from '../auth/role.js';
import { ApiIfMatch, IfMatch } from '../common/concurrency.js';
import { ApiProblems } from '../common/openapi.js';
import { ApiPageResponse, type Page, PageQuery } from '../common/pagination.js';
import { UuidParam } from '../common/validation.js';
import {
  CompleteMilestoneDto,
  CreateMilestoneDto,
  DateChangeResponse,
  MilestoneResponse,
  UpdateMilestoneDto,
} from './dto/milestone.dto.js';
import { MilestonesService } from './milestones.service.js';

@ApiTags('Milestones')
@Controller('v1/engagements/:id/milestones')
export class MilestonesController {
  constructor(private readonly milestones: MilestonesService) {}

  @Post()
  @Roles(...CHANGE_ROLES)
  @ApiOperation({
    summary: 'Add a milestone',
    description: 'At most one final_handover per engagement (409).',
  })
  @ApiCreatedResponse({ type: MilestoneResponse, description: 'The created milestone' })
  @ApiProblems(404, 409)
  create(
    @CurrentActor() actor: Actor,
    @UuidParam('id') engagementId: string,
    @Body() input: CreateMilestoneDto,
  ): Promise<MilestoneResponse> {
    return this.milestones.create(actor, engagementId, input);
  }

  @Get()
  @Roles(...READ_ROLES)
  @ApiOperation({
    summary: "An engagement's milestones, by due date",
    description:
      'Every milestone of the engagement, earliest due date first, with its baseline due date (fixed at activation) and completion date.',
  })
  @ApiPageResponse(MilestoneResponse, 'A page of milestones')
  @ApiProblems(404)
  list(
    @UuidParam('id') engagementId: string,
    @Query() query: PageQuery,
  ): Promise<Page<MilestoneResponse>> {
    return this.milestones.list(engagementId, query);
  }

  @Get(':mid')
  @Roles(...READ_ROLES)
  @ApiOperation({
    summary: 'Get a milestone',
    description:
      'The milestone with its due date, baseline due date (null before activation) and `version`, also sent as ETag.',
  })
  @ApiOkResponse({ type: MilestoneResponse, description: 'The milestone' })
  @ApiProblems(404)
  get(
    @UuidParam('id') engagementId: string,
    @UuidParam('mid') id: string,
  ): Promise<MilestoneResponse> {
    return this.milestones.get(engagementId, id);
  }

  @Patch(':mid')
  @Roles(...CHANGE_ROLES)
  @ApiOperation({
    summary: 'Change a milestone',
    description:
      'After activation a dueDate change needs `reason` and is kept in the date-change ledger; a later date is a slip.',
  })
  @ApiIfMatch()
  @ApiOkResponse({ type: MilestoneResponse, description: 'The updated milestone' })
  @ApiProblems(404, 409, 412)
  update(
    @CurrentActor() actor: Actor,
    @UuidParam('id') engagementId: string,
    @UuidParam('mid') id: string,
    @Body() input: UpdateMilestoneDto,
    @IfMatch() ifMatch: number | undefined,
  ): Promise<MilestoneResponse> {
    return this.milestones.update(actor, engagementId, id, input, ifMatch);
  }

  @Post(':mid/complete')
  @HttpCode(200)
  @Roles(...CHANGE_ROLES)
  @ApiOperation({
    summary: 'Complete a milestone',
    description:
      'Needs an active engagement and every artifact due at the milestone accepted (409 lists the others).',
  })
  @ApiIfMatch()
  @ApiOkResponse({ type: MilestoneResponse, description: 'The completed milestone' })
  @ApiProblems(404, 409, 412)
  complete(
    @CurrentActor() actor: Actor,
    @UuidParam('id') engagementId: string,
    @UuidParam('mid') id: string,
    @Body() input: CompleteMilestoneDto,
    @IfMatch() ifMatch: number | undefined,
  ): Promise<MilestoneResponse> {
    return this.milestones.complete(actor, engagementId, id, input, ifMatch);
  }

  @Get(':mid/date-changes')
  @Roles(...READ_ROLES)
  @ApiOperation({
    summary: "The milestone's due-date ledger, oldest first",
    description:
      "Every change of the milestone's due date since activation, oldest first, with who made it, when and why. A change to a later date is a slip; nothing erases this ledger.",
  })
  @ApiPageResponse(DateChangeResponse, 'A page of date changes')
  @ApiProblems(404)
  dateChanges(
    @UuidParam('id') engagementId: string,
    @UuidParam('mid') id: string,
    @Query() query: PageQuery,
  ): Promise<Page<DateChangeResponse>> {
    return this.milestones.dateChanges(engagementId, id, query);
  }
}
