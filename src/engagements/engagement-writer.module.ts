import { Module } from '@nestjs/common';
import { RiskModule } from '../risk/risk.module.js';
import { EngagementResponses } from './engagement-responses.js';
import { EngagementWriter } from './engagement-writer.js';

@Module({
  imports: [RiskModule],
  providers: [EngagementWriter, EngagementResponses],
  exports: [EngagementWriter, EngagementResponses],
})
export class EngagementWriterModule {}
