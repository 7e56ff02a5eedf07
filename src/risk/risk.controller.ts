import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Roles } from '../auth/actor.js';
import { READ_ROLES } from '../auth/role.js';
import { ApiProblems } from '../common/openapi.js';
import { ApiPageResponse, type Page, PageQuery } from '../common/pagination.js';
import { UuidParam } from '../common/validation.js';
import { RiskHistoryResponse, RiskQuery, RiskResponse } from './dto/risk.dto.js';
import { RiskService } from './risk.service.js';

@ApiTags('Risk')
@Controller('v1/engagements/:id/risk')
export class RiskController {
  constructor(private readonly risk: RiskService) {}

  @Get()
  @Roles(...READ_ROLES)
  @ApiOperation({
    summary: "The engagement's dependency-trap risk",
    description:
      'Computed from the current facts as of `asOf`; completed and cancelled engagements carry no risk. `forecast` lists the days ahead on which the judgement would change if nothing else happens.',
  })
  @ApiOkResponse({ type: RiskResponse, description: 'The risk of the engagement as of `asOf`' })
  @ApiProblems(404)
  get(@UuidParam('id') id: string, @Query() query: RiskQuery): Promise<RiskResponse> {
    return this.risk.forEngagement(id, query.asOf);
  }

  @Get('history')
  @Roles(...READ_ROLES)
  @ApiOperation({
    summary: "The engagement's risk level changes, newest first",
    description:
      'One entry per change of level: `cause: change` when a write moved it. Entries caused by the date passing (`cause: time`) are written by the clock job.',
  })
  @ApiPageResponse(RiskHistoryResponse, 'A page of level changes')
  @ApiProblems(400, 404)
  history(
    @UuidParam('id') id: string,
    @Query() query: PageQuery,
  ): Promise<Page<RiskHistoryResponse>> {
    return this.risk.history(id, query);
  }
}
