import { type DynamicModule, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ArtifactsModule } from './artifacts/artifacts.module.js';
import { AuditModule } from './audit/audit.module.js';
import { AuthModule } from './auth/auth.module.js';
import { BulkModule } from './bulk/bulk.module.js';
import { ClockModule } from './common/clock.js';
import { IdempotencyModule } from './common/idempotency/idempotency.module.js';
import type { AppConfig } from './config/config.js';
import { ConfigModule } from './config/config.module.js';
import { type DatabaseConnection, dataSourceOptions } from './database/data-source.js';
import { EngagementsModule } from './engagements/engagements.module.js';
import { EventsModule } from './events/events.module.js';
import { WebhooksModule } from './webhooks/webhooks.module.js';
import { EscalationsModule } from './escalations/escalations.module.js';
import { HealthController } from './health/health.controller.js';
import { MilestonesModule } from './milestones/milestones.module.js';
import { DrillsModule } from './drills/drills.module.js';
import { LearningModule } from './learning/learning.module.js';
import { PeopleModule } from './people/people.module.js';
import { ReportsModule } from './reports/reports.module.js';
import { RiskModule } from './risk/risk.module.js';
import { VendorsModule } from './vendors/vendors.module.js';

@Module({})
export class AppModule {
  static forRoot(config: AppConfig, connection: DatabaseConnection): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        ClockModule,
        TypeOrmModule.forRoot({
          ...dataSourceOptions(connection),
          retryAttempts: 5,
          retryDelay: 2000,
        }),
        AuthModule,
        AuditModule,
        EventsModule,
        WebhooksModule,
        EscalationsModule,
        IdempotencyModule,
        VendorsModule,
        PeopleModule,
        EngagementsModule,
        BulkModule,
        MilestonesModule,
        DrillsModule,
        LearningModule,
        ArtifactsModule,
        RiskModule,
        ReportsModule,
      ],
      controllers: [HealthController],
    };
  }
}
