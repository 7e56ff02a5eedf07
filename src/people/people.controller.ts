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
  @ApiOperation({ summary: 'Add a person to the internal staff directory' })
  @ApiCreatedResponse({ type: PersonResponse })
  @ApiProblems(400, 409)
  create(@CurrentActor() actor: Actor, @Body() input: CreatePersonDto): Promise<PersonResponse> {
    return this.people.create(actor, input);
  }

  @Get()
  @Roles(...READ_ROLES)
  @ApiOperation({ summary: 'List people, oldest first' })
  @ApiPageResponse(PersonResponse, 'A page of people')
  list(@Query() query: ListPeopleQuery): Promise<Page<PersonResponse>> {
    return this.people.list(query);
  }

  @Get(':id')
  @Roles(...READ_ROLES)
  @ApiOperation({ summary: 'Get a person' })
  @ApiOkResponse({ type: PersonResponse })
  @ApiProblems(404)
  get(@UuidParam('id') id: string): Promise<PersonResponse> {
    return this.people.get(id);
  }

  @Patch(':id')
  @Roles('admin', 'procurement')
  @ApiOperation({ summary: 'Change a person' })
  @ApiIfMatch()
  @ApiOkResponse({ type: PersonResponse })
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
