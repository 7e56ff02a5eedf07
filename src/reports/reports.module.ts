import { Module } from '@nestjs/common';
import { RiskModule } from '../risk/risk.module.js';
import { ReportsController } from './reports.controller.js';
import { ReportsService } from './reports.service.js';

@Module({ imports: [RiskModule], controllers: [ReportsController], providers: [ReportsService] })
export class ReportsModule {}
