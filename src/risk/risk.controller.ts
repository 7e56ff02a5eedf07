import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Roles } from '../auth/actor.js';
import { READ_ROLES } from '../auth/role.js';
import { ApiProblems } from '../common/openapi.js';
import { UuidParam } from '../common/validation.js';
import { RiskQuery, RiskResponse } from './dto/risk.dto.js';
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
      'Computed from the current facts as of `asOf`; completed and cancelled engagements carry no risk.',
  })
  @ApiOkResponse({ type: RiskResponse })
  @ApiProblems(404)
  get(@UuidParam('id') id: string, @Query() query: RiskQuery): Promise<RiskResponse> {
    return this.risk.forEngagement(id, query.asOf);
  }
}
