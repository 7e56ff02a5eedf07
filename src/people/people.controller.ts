import { Body, Controller, Get, Patch, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { type Actor, CurrentActor, Roles } from '../auth/actor.js';
import { READ_ROLES } from '../auth/role.js';
import { ApiIfMatch, IfMatch } from '../common/concurrency.js';
import { ApiProblems } from '../common/openapi.js';
import { ApiPageResponse, type Page } from '../common/pagination.js';
import { UuidParam } from '../common/validation.js';
import {
  CreatePersonDto,
  ListPeopleQuery,
  PersonResponse,
  UpdatePersonDto,
} from './dto/person.dto.js';
import { PeopleService } from './people.service.js';

@ApiTags('People')
@Controller('v1/people')
export class PeopleController {
  constructor(private readonly people: PeopleService) {}

  @Post()
  @Roles('admin', 'procurement')
  @ApiOperation({
    summary: 'Add a person to the internal staff directory',
    description:
      'Admin or procurement. The e-mail must be unique, ignoring case (409 otherwise). Engagements name people as product owner, trade-off owner, knowledge recipients and acceptors.',
  })
  @ApiCreatedResponse({ type: PersonResponse, description: 'The created person' })
  @ApiProblems(400, 409)
  create(@CurrentActor() actor: Actor, @Body() input: CreatePersonDto): Promise<PersonResponse> {
    return this.people.create(actor, input);
  }

  @Get()
  @Roles(...READ_ROLES)
  @ApiOperation({
    summary: 'List people, oldest first',
    description:
      'Every person, oldest first, optionally only those whose name or e-mail contains `q`. Pass the `nextCursor` of a page as `cursor` for the next one.',
  })
  @ApiPageResponse(PersonResponse, 'A page of people')
  list(@Query() query: ListPeopleQuery): Promise<Page<PersonResponse>> {
    return this.people.list(query);
  }

  @Get(':id')
  @Roles(...READ_ROLES)
  @ApiOperation({
    summary: 'Get a person',
    description: 'The person with their name, e-mail, team and `version`, also sent as ETag.',
  })
  @ApiOkResponse({ type: PersonResponse, description: 'The person' })
  @ApiProblems(404)
  get(@UuidParam('id') id: string): Promise<PersonResponse> {
    return this.people.get(id);
  }

  @Patch(':id')
  @Roles('admin', 'procurement')
  @ApiOperation({
    summary: 'Change a person',
    description:
      'Admin or procurement. Changes only the fields sent. Send the ETag you read as If-Match to refuse a stale write (412, nothing written).',
  })
  @ApiIfMatch()
  @ApiOkResponse({ type: PersonResponse, description: 'The updated person' })
  @ApiProblems(404, 409, 412)
  update(
    @CurrentActor() actor: Actor,
    @UuidParam('id') id: string,
    @Body() input: UpdatePersonDto,
    @IfMatch() ifMatch: number | undefined,
  ): Promise<PersonResponse> {
    return this.people.update(actor, id, input, ifMatch);
  }
}
