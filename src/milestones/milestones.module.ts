import { Module } from '@nestjs/common';
import { EngagementWriterModule } from '../engagements/engagement-writer.module.js';
import { MilestonesController } from './milestones.controller.js';
import { MilestonesService } from './milestones.service.js';

@Module({
  imports: [EngagementWriterModule],
  controllers: [MilestonesController],
  providers: [MilestonesService],
})
export class MilestonesModule {}
