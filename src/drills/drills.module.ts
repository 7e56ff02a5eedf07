import { Module } from '@nestjs/common';
import { EngagementWriterModule } from '../engagements/engagement-writer.module.js';
import { DrillsController } from './drills.controller.js';
import { DrillsService } from './drills.service.js';

@Module({
  imports: [EngagementWriterModule],
  controllers: [DrillsController],
  providers: [DrillsService],
})
export class DrillsModule {}
