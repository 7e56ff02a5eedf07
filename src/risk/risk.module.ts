import { Module } from '@nestjs/common';
import { RiskFactsRepository } from './risk-facts.repository.js';
import { RiskController } from './risk.controller.js';
import { RiskService } from './risk.service.js';

@Module({
  controllers: [RiskController],
  providers: [RiskFactsRepository, RiskService],
  exports: [RiskFactsRepository, RiskService],
})
export class RiskModule {}
