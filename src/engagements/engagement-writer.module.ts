import { Module } from '@nestjs/common';
import { RiskModule } from '../risk/risk.module.js';
import { EngagementWriter } from './engagement-writer.js';

@Module({
  imports: [RiskModule],
  providers: [EngagementWriter],
  exports: [EngagementWriter],
})
export class EngagementWriterModule {}
