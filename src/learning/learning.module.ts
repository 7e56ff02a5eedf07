import { Module } from '@nestjs/common';
import { EngagementWriterModule } from '../engagements/engagement-writer.module.js';
import { RiskModule } from '../risk/risk.module.js';
import { LearningPathsService } from './learning-paths.service.js';
import { LearningController, LearningSprintsController } from './learning-sprints.controller.js';
import { LearningSprintsService } from './learning-sprints.service.js';
import { PlaybookService } from './playbook.service.js';

@Module({
  imports: [EngagementWriterModule, RiskModule],
  controllers: [LearningSprintsController, LearningController],
  providers: [LearningSprintsService, LearningPathsService, PlaybookService],
})
export class LearningModule {}
