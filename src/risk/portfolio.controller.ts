import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Roles } from '../auth/actor.js';
import { READ_ROLES } from '../auth/role.js';
import { ApiProblems } from '../common/openapi.js';
import { UuidParam } from '../common/validation.js';
import {
  RiskPortfolioResponse,
  RiskSummaryQuery,
  VendorScorecardResponse,
} from './dto/portfolio.dto.js';
import { RiskQuery } from './dto/risk.dto.js';
import { PortfolioService } from './portfolio.service.js';

@ApiTags('Risk')
@Controller('v1')
export class PortfolioController {
  constructor(private readonly portfolio: PortfolioService) {}

  @Get('risk/summary')
  @Roles(...READ_ROLES)
  @ApiOperation({
    summary:
      'The portfolio: open engagements by risk level and by signal, the dependency traps, per vendor counts',
    description:
      '`flagged` lists at most `limit` dependency traps, highest score first; `flaggedTotal` says how many there are.',
  })
  @ApiOkResponse({ type: RiskPortfolioResponse, description: 'The portfolio as of `asOf`' })
  @ApiProblems(400)
  summary(@Query() query: RiskSummaryQuery): Promise<RiskPortfolioResponse> {
    return this.portfolio.summary(query.asOf, query.limit);
  }

  @Get('vendors/:id/scorecard')
  @Roles(...READ_ROLES)
  @ApiTags('Vendors')
  @ApiOperation({
    summary:
      "A vendor's track record: handovers on time, slips, artifact acceptance, drills, current risk",
    description:
      'Counts over every engagement of the vendor: handovers completed on time (on or before the baseline) or late, final-handover slips, artifacts accepted over those delivered, drills passed without vendor help, and the risk levels of its open engagements as of `asOf`.',
  })
  @ApiOkResponse({ type: VendorScorecardResponse, description: "The vendor's scorecard" })
  @ApiProblems(404)
  scorecard(
    @UuidParam('id') vendorId: string,
    @Query() query: RiskQuery,
  ): Promise<VendorScorecardResponse> {
    return this.portfolio.scorecard(vendorId, query.asOf);
  }
}
