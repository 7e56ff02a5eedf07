import { Module } from '@nestjs/common';
import { EngagementWriterModule } from '../engagements/engagement-writer.module.js';
import { EscalationsController } from './escalations.controller.js';
import { EscalationsService } from './escalations.service.js';

@Module({
  imports: [EngagementWriterModule],
  controllers: [EscalationsController],
  providers: [EscalationsService],
})
export class EscalationsModule {}
