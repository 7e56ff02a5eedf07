import { Body, Controller, Get, HttpCode, Patch, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { type Actor, CurrentActor, Roles } from '../auth/actor.js';
import { CHANGE_ROLES, READ_ROLES } from '../auth/role.js';
import { ApiIfMatch, IfMatch } from '../common/concurrency.js';
import { ApiProblems } from '../common/openapi.js';
import { ApiPageResponse, type Page } from '../common/pagination.js';
import { UuidParam } from '../common/validation.js';
import { ArtifactsService } from './artifacts.service.js';
import {
  AcceptArtifactDto,
  ArtifactResponse,
  CreateArtifactDto,
  DeliverArtifactDto,
  ListArtifactsQuery,
  RejectArtifactDto,
  UpdateArtifactDto,
} from './dto/artifact.dto.js';

@ApiTags('Knowledge-transfer artifacts')
@Controller('v1/engagements/:id/artifacts')
export class ArtifactsController {
  constructor(private readonly artifacts: ArtifactsService) {}

  @Post()
  @Roles(...CHANGE_ROLES)
  @ApiOperation({
    summary: 'Add a knowledge-transfer artifact, due with a milestone',
    description:
      "The artifact starts as `required`, due with the engagement's milestone `milestoneId`. Refused with 409 once the engagement is completed or cancelled.",
  })
  @ApiCreatedResponse({
    type: ArtifactResponse,
    description: 'The created artifact, in status `required`',
  })
  @ApiProblems(404, 409)
  create(
    @CurrentActor() actor: Actor,
    @UuidParam('id') engagementId: string,
    @Body() input: CreateArtifactDto,
  ): Promise<ArtifactResponse> {
    return this.artifacts.create(actor, engagementId, input);
  }

  @Get()
  @Roles(...READ_ROLES)
  @ApiOperation({
    summary: "An engagement's artifacts, oldest first",
    description:
      'Every artifact of the engagement, oldest first, optionally only those in one `status` or due with one milestone.',
  })
  @ApiPageResponse(ArtifactResponse, 'A page of artifacts')
  @ApiProblems(404)
  list(
    @UuidParam('id') engagementId: string,
    @Query() query: ListArtifactsQuery,
  ): Promise<Page<ArtifactResponse>> {
    return this.artifacts.list(engagementId, query);
  }

  @Get(':aid')
  @Roles(...READ_ROLES)
  @ApiOperation({
    summary: 'Get an artifact',
    description:
      'The artifact with its status, evidence, acceptance or rejection reason and `version`, also sent as ETag.',
  })
  @ApiOkResponse({ type: ArtifactResponse, description: 'The artifact' })
  @ApiProblems(404)
  get(
    @UuidParam('id') engagementId: string,
    @UuidParam('aid') id: string,
  ): Promise<ArtifactResponse> {
    return this.artifacts.get(engagementId, id);
  }

  @Patch(':aid')
  @Roles(...CHANGE_ROLES)
  @ApiOperation({
    summary: 'Change an artifact (not its status: use the actions)',
    description:
      'Changes the fields sent; the status moves only through deliver, accept and reject. Refused with 409 once the engagement is completed or cancelled. Send the ETag you read as If-Match to refuse a stale write (412, nothing written).',
  })
  @ApiIfMatch()
  @ApiOkResponse({ type: ArtifactResponse, description: 'The updated artifact' })
  @ApiProblems(404, 409, 412)
  update(
    @CurrentActor() actor: Actor,
    @UuidParam('id') engagementId: string,
    @UuidParam('aid') id: string,
    @Body() input: UpdateArtifactDto,
    @IfMatch() ifMatch: number | undefined,
  ): Promise<ArtifactResponse> {
    return this.artifacts.update(actor, engagementId, id, input, ifMatch);
  }

  @Post(':aid/deliver')
  @HttpCode(200)
  @Roles(...CHANGE_ROLES, 'integration')
  @ApiOperation({
    summary: 'Record that the vendor delivered the artifact',
    description: 'From required or rejected.',
  })
  @ApiIfMatch()
  @ApiOkResponse({ type: ArtifactResponse, description: 'The artifact, now `delivered`' })
  @ApiProblems(404, 409, 412)
  deliver(
    @CurrentActor() actor: Actor,
    @UuidParam('id') engagementId: string,
    @UuidParam('aid') id: string,
    @Body() input: DeliverArtifactDto,
    @IfMatch() ifMatch: number | undefined,
  ): Promise<ArtifactResponse> {
    return this.artifacts.deliver(actor, engagementId, id, input, ifMatch);
  }

  @Post(':aid/accept')
  @HttpCode(200)
  @Roles('admin', 'product_owner')
  @ApiOperation({
    summary: 'Accept a delivered artifact',
    description:
      "The acceptor must be the engagement's product owner or a knowledge recipient (400 otherwise).",
  })
  @ApiIfMatch()
  @ApiOkResponse({ type: ArtifactResponse, description: 'The artifact, now `accepted`' })
  @ApiProblems(404, 409, 412)
  accept(
    @CurrentActor() actor: Actor,
    @UuidParam('id') engagementId: string,
    @UuidParam('aid') id: string,
    @Body() input: AcceptArtifactDto,
    @IfMatch() ifMatch: number | undefined,
  ): Promise<ArtifactResponse> {
    return this.artifacts.accept(actor, engagementId, id, input, ifMatch);
  }

  @Post(':aid/reject')
  @HttpCode(200)
  @Roles('admin', 'product_owner')
  @ApiOperation({
    summary: 'Reject a delivered artifact, with a reason',
    description:
      'Only a `delivered` artifact can be rejected (409 otherwise). The `reason` tells the vendor what to fix; the vendor may then deliver it again.',
  })
  @ApiIfMatch()
  @ApiOkResponse({ type: ArtifactResponse, description: 'The artifact, now `rejected`' })
  @ApiProblems(404, 409, 412)
  reject(
    @CurrentActor() actor: Actor,
    @UuidParam('id') engagementId: string,
    @UuidParam('aid') id: string,
    @Body() input: RejectArtifactDto,
    @IfMatch() ifMatch: number | undefined,
  ): Promise<ArtifactResponse> {
    return this.artifacts.reject(actor, engagementId, id, input, ifMatch);
  }
}
