import { Module } from '@nestjs/common';
import { PortfolioController } from './portfolio.controller.js';
import { PortfolioService } from './portfolio.service.js';
import { RiskFactsRepository } from './risk-facts.repository.js';
import { RiskController } from './risk.controller.js';
import { RiskService } from './risk.service.js';

@Module({
  controllers: [RiskController, PortfolioController],
  providers: [RiskFactsRepository, RiskService, PortfolioService],
  exports: [RiskFactsRepository, RiskService],
})
export class RiskModule {}
