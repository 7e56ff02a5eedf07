import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProperty, ApiTags } from '@nestjs/swagger';
import { DataSource } from 'typeorm';
import { Public } from '../auth/actor.js';
import { DatabaseNotReadyError } from './health.errors.js';

export class HealthResponse {
  @ApiProperty({ enum: ['ok'], example: 'ok' })
  status!: 'ok';

  @ApiProperty({ enum: ['up'], example: 'up', required: false })
  database?: 'up';
}

@ApiTags('Health')
@Public()
@Controller('health')
export class HealthController {
  constructor(private readonly dataSource: DataSource) {}

  @Get('live')
  @ApiOperation({
    summary: 'The process is running',
    description:
      'Answers 200 while the process runs, without touching the database: use it as the liveness probe and restart the process when it fails. Needs no API key.',
  })
  @ApiOkResponse({ type: HealthResponse, description: 'The process is running' })
  live(): HealthResponse {
    return { status: 'ok' };
  }

  @Get('ready')
  @ApiOperation({
    summary: 'The API can serve requests: the database answers',
    description:
      'Answers 200 when the database answers a query, and 503 with Retry-After when it does not: use it as the readiness probe and route traffic only to instances that pass. Needs no API key.',
  })
  @ApiOkResponse({
    type: HealthResponse,
    description: 'The process is running and the database answers',
  })
  async ready(): Promise<HealthResponse> {
    try {
      await this.dataSource.query('SELECT 1');
    } catch {
      throw new DatabaseNotReadyError();
    }
    return { status: 'ok', database: 'up' };
  }
}
