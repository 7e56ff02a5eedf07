import { Body, Controller, Get, HttpCode, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { type Actor, CurrentActor, Roles } from '../auth/actor.js';
import { CHANGE_ROLES, READ_ROLES } from '../auth/role.js';
import { ApiIfMatch, IfMatch } from '../common/concurrency.js';
import { ApiProblems } from '../common/openapi.js';
import { ApiPageResponse, type Page, PageQuery } from '../common/pagination.js';
import { UuidParam } from '../common/validation.js';
import { LearningPathResponse } from './dto/learning-path.dto.js';
import {
  CompleteLearningSprintDto,
  CreateLearningSprintDto,
  LearningSprintResponse,
} from './dto/learning-sprint.dto.js';
import { PlaybookEntry, PlaybookQuery } from './dto/playbook.dto.js';
import { LearningPathsService } from './learning-paths.service.js';
import { LearningSprintsService } from './learning-sprints.service.js';
import { PlaybookService } from './playbook.service.js';

@ApiTags('Learning')
@Controller('v1/engagements/:id/learning-sprints')
export class LearningSprintsController {
  constructor(private readonly sprints: LearningSprintsService) {}

  @Post()
  @Roles(...CHANGE_ROLES)
  @ApiOperation({
    summary: 'Plan a learning sprint',
    description:
      'Knowledge recipients learn by building a milestone of this engagement with a mentor, in SPRINT_MIN_DAYS to SPRINT_MAX_DAYS (28–56) ending on or before the milestone is due (400). A mentor has at most 3 distinct learners across overlapping sprints in every engagement (409 MENTOR_OVERLOADED).',
  })
  @ApiCreatedResponse({ type: LearningSprintResponse, description: 'The planned sprint' })
  @ApiProblems(404, 409)
  create(
    @CurrentActor() actor: Actor,
    @UuidParam('id') engagementId: string,
    @Body() input: CreateLearningSprintDto,
  ): Promise<LearningSprintResponse> {
    return this.sprints.create(actor, engagementId, input);
  }

  @Get()
  @Roles(...READ_ROLES)
  @ApiOperation({
    summary: "An engagement's learning sprints, oldest first",
    description:
      'Every learning sprint of the engagement, oldest first, with its mentor and learners and, once completed, its outcome and lessons.',
  })
  @ApiPageResponse(LearningSprintResponse, 'A page of learning sprints')
  @ApiProblems(404)
  list(
    @UuidParam('id') engagementId: string,
    @Query() query: PageQuery,
  ): Promise<Page<LearningSprintResponse>> {
    return this.sprints.list(engagementId, query);
  }

  @Post(':sid/complete')
  @HttpCode(200)
  @Roles(...CHANGE_ROLES)
  @ApiOperation({
    summary: 'Complete a learning sprint',
    description:
      'Once, on or after its first day (409 SPRINT_NOT_STARTED before it); the lessons go into the playbook.',
  })
  @ApiIfMatch()
  @ApiOkResponse({ type: LearningSprintResponse, description: 'The completed sprint' })
  @ApiProblems(404, 409, 412)
  complete(
    @CurrentActor() actor: Actor,
    @UuidParam('id') engagementId: string,
    @UuidParam('sid') id: string,
    @Body() input: CompleteLearningSprintDto,
    @IfMatch() ifMatch: number | undefined,
  ): Promise<LearningSprintResponse> {
    return this.sprints.complete(actor, engagementId, id, input, ifMatch);
  }
}

@ApiTags('Learning')
@Controller('v1')
export class LearningController {
  constructor(
    private readonly paths: LearningPathsService,
    private readonly playbook: PlaybookService,
  ) {}

  @Get('people/:id/learning')
  @Roles(...READ_ROLES)
  @ApiOperation({
    summary: "A person's learning path",
    description:
      'The sprints they learn or mentor in, the drills they took part in and how they went, and the engagements they will own, with the handover dates: where their skills are taking them.',
  })
  @ApiOkResponse({ type: LearningPathResponse, description: 'The learning path' })
  @ApiProblems(404)
  learningPath(@UuidParam('id') personId: string): Promise<LearningPathResponse> {
    return this.paths.forPerson(personId);
  }

  @Get('playbook')
  @Roles(...READ_ROLES)
  @ApiOperation({
    summary: 'The internal playbook',
    description:
      'Lessons of completed learning sprints and notes of recorded drills across engagements, newest first; with q, a full-text search ranked best first with the match highlighted.',
  })
  @ApiPageResponse(PlaybookEntry, 'A page of playbook entries')
  search(@Query() query: PlaybookQuery): Promise<Page<PlaybookEntry>> {
    return this.playbook.search(query);
  }
}
