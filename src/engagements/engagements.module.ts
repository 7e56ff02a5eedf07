import { Module } from '@nestjs/common';
import { RiskModule } from '../risk/risk.module.js';
import { EngagementLifecycleService } from './engagement-lifecycle.service.js';
import { EngagementListService } from './engagement-list.service.js';
import { EngagementWriterModule } from './engagement-writer.module.js';
import { EngagementsController } from './engagements.controller.js';
import { EngagementsService } from './engagements.service.js';

@Module({
  imports: [RiskModule, EngagementWriterModule],
  controllers: [EngagementsController],
  providers: [EngagementsService, EngagementLifecycleService, EngagementListService],
  exports: [EngagementListService],
})
export class EngagementsModule {}
