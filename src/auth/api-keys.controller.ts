import { Body, Controller, Delete, Get, HttpCode, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiNoContentResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiProblems } from '../common/openapi.js';
import { ApiPageResponse, PageQuery, type Page } from '../common/pagination.js';
import { UuidParam } from '../common/validation.js';
import { type Actor, CurrentActor, Roles } from './actor.js';
import { ApiKeysService } from './api-keys.service.js';
import { ApiKeyResponse, CreatedApiKeyResponse } from './dto/api-key.response.js';
import { CreateApiKeyDto } from './dto/create-api-key.dto.js';

@ApiTags('API keys')
@Roles('admin')
@Controller('v1/api-keys')
export class ApiKeysController {
  constructor(private readonly apiKeys: ApiKeysService) {}

  @Post()
  @ApiOperation({
    summary: 'Create an API key; the secret is returned this once',
    description:
      'Admin only. A `product_owner` key needs `personId`: the person whose engagements it may change. The response carries `secret`, shown this once and stored only as a hash; send it as `Authorization: Bearer <secret>`.',
  })
  @ApiCreatedResponse({
    type: CreatedApiKeyResponse,
    description: 'The new key with its secret, which no later response repeats',
  })
  @ApiProblems(400)
  create(
    @CurrentActor() actor: Actor,
    @Body() input: CreateApiKeyDto,
  ): Promise<CreatedApiKeyResponse> {
    return this.apiKeys.create(actor, input);
  }

  @Get()
  @ApiOperation({
    summary: 'List API keys (never their secrets), oldest first',
    description:
      'Admin only. Every key with its name, role, person, expiry and revocation time; a secret is never returned after creation.',
  })
  @ApiPageResponse(ApiKeyResponse, 'A page of API keys')
  @ApiProblems(400)
  list(@Query() query: PageQuery): Promise<Page<ApiKeyResponse>> {
    return this.apiKeys.list(query);
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({
    summary: 'Revoke an API key; it is refused from the next request on',
    description:
      'Admin only. Requests with the key answer 401 from the next request on; what it did stays in the audit trail.',
  })
  @ApiNoContentResponse({ description: 'Revoked' })
  @ApiProblems(400, 404)
  async revoke(@CurrentActor() actor: Actor, @UuidParam('id') id: string): Promise<void> {
    await this.apiKeys.revoke(actor, id);
  }
}
