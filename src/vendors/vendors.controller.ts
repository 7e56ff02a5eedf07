import { Body, Controller, Delete, Get, HttpCode, Patch, Post, Query } from '@nestjs/common';
import {
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { type Actor, CurrentActor, Roles } from '../auth/actor.js';
import { READ_ROLES } from '../auth/role.js';
import { ApiIfMatch, IfMatch } from '../common/concurrency.js';
import { ApiProblems } from '../common/openapi.js';
import { ApiPageResponse, type Page } from '../common/pagination.js';
import { UuidParam } from '../common/validation.js';
import {
  CreateVendorDto,
  ListVendorsQuery,
  UpdateVendorDto,
  VendorResponse,
} from './dto/vendor.dto.js';
import { VendorsService } from './vendors.service.js';

@ApiTags('Vendors')
@Controller('v1/vendors')
export class VendorsController {
  constructor(private readonly vendors: VendorsService) {}

  @Post()
  @Roles('admin', 'procurement')
  @ApiOperation({ summary: 'Create a vendor' })
  @ApiCreatedResponse({ type: VendorResponse })
  @ApiProblems(400, 409)
  create(@CurrentActor() actor: Actor, @Body() input: CreateVendorDto): Promise<VendorResponse> {
    return this.vendors.create(actor, input);
  }

  @Get()
  @Roles(...READ_ROLES)
  @ApiOperation({ summary: 'List vendors, oldest first' })
  @ApiPageResponse(VendorResponse, 'A page of vendors')
  list(@Query() query: ListVendorsQuery): Promise<Page<VendorResponse>> {
    return this.vendors.list(query);
  }

  @Get(':id')
  @Roles(...READ_ROLES)
  @ApiOperation({ summary: 'Get a vendor' })
  @ApiOkResponse({ type: VendorResponse })
  @ApiProblems(404)
  get(@UuidParam('id') id: string): Promise<VendorResponse> {
    return this.vendors.get(id);
  }

  @Patch(':id')
  @Roles('admin', 'procurement')
  @ApiOperation({ summary: 'Change a vendor' })
  @ApiIfMatch()
  @ApiOkResponse({ type: VendorResponse })
  @ApiProblems(404, 409, 412)
  update(
    @CurrentActor() actor: Actor,
    @UuidParam('id') id: string,
    @Body() input: UpdateVendorDto,
    @IfMatch() ifMatch: number | undefined,
  ): Promise<VendorResponse> {
    return this.vendors.update(actor, id, input, ifMatch);
  }

  @Delete(':id')
  @HttpCode(204)
  @Roles('admin', 'procurement')
  @ApiOperation({ summary: 'Delete a vendor without engagements' })
  @ApiIfMatch()
  @ApiNoContentResponse({ description: 'Deleted' })
  @ApiProblems(404, 409, 412)
  async remove(
    @CurrentActor() actor: Actor,
    @UuidParam('id') id: string,
    @IfMatch() ifMatch: number | undefined,
  ): Promise<void> {
    await this.vendors.remove(actor, id, ifMatch);
  }
}
