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
  @ApiOperation({
    summary: 'Create a vendor',
    description: 'Admin or procurement. The name must be unique, ignoring case (409 otherwise).',
  })
  @ApiCreatedResponse({ type: VendorResponse, description: 'The created vendor' })
  @ApiProblems(400, 409)
  create(@CurrentActor() actor: Actor, @Body() input: CreateVendorDto): Promise<VendorResponse> {
    return this.vendors.create(actor, input);
  }

  @Get()
  @Roles(...READ_ROLES)
  @ApiOperation({
    summary: 'List vendors, oldest first',
    description:
      'Every vendor, oldest first, optionally only those whose name contains `q`. Pass the `nextCursor` of a page as `cursor` for the next one.',
  })
  @ApiPageResponse(VendorResponse, 'A page of vendors')
  list(@Query() query: ListVendorsQuery): Promise<Page<VendorResponse>> {
    return this.vendors.list(query);
  }

  @Get(':id')
  @Roles(...READ_ROLES)
  @ApiOperation({
    summary: 'Get a vendor',
    description: 'The vendor with its contact details and `version`, also sent as ETag.',
  })
  @ApiOkResponse({ type: VendorResponse, description: 'The vendor' })
  @ApiProblems(404)
  get(@UuidParam('id') id: string): Promise<VendorResponse> {
    return this.vendors.get(id);
  }

  @Patch(':id')
  @Roles('admin', 'procurement')
  @ApiOperation({
    summary: 'Change a vendor',
    description:
      'Admin or procurement. Changes only the fields sent. Send the ETag you read as If-Match to refuse a stale write (412, nothing written).',
  })
  @ApiIfMatch()
  @ApiOkResponse({ type: VendorResponse, description: 'The updated vendor' })
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
  @ApiOperation({
    summary: 'Delete a vendor without engagements',
    description:
      'Admin or procurement. Refused with 409 while any engagement refers to the vendor. Send the ETag you read as If-Match to refuse a stale write (412, nothing written).',
  })
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
