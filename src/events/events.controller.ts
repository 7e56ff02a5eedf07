import { Controller, Get, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { type Actor, CurrentActor, Roles } from '../auth/actor.js';
import { ApiProblems } from '../common/openapi.js';
import { ApiPageResponse, type Page } from '../common/pagination.js';
import { EventResponse, ListEventsQuery } from './dto/event.dto.js';
import { EventsService } from './events.service.js';

@ApiTags('Events')
@Controller('v1/events')
export class EventsController {
  constructor(private readonly events: EventsService) {}

  @Get()
  @Roles('admin', 'procurement', 'product_owner', 'integration', 'viewer')
  @ApiOperation({
    summary: 'The event feed, oldest first',
    description:
      'Every change integrations care about, in commit order (`seq`). Poll with `after` = the last seq seen, or follow `nextCursor`, and nothing is missed. Events are kept EVENT_RETENTION_DAYS (90). A product owner sees the events of the engagements they own.',
  })
  @ApiPageResponse(EventResponse, 'A page of events')
  @ApiProblems(400)
  list(
    @CurrentActor() actor: Actor,
    @Query() query: ListEventsQuery,
  ): Promise<Page<EventResponse>> {
    return this.events.list(actor, query);
  }
}
