import { Module } from '@nestjs/common';
import { EngagementWriterModule } from '../engagements/engagement-writer.module.js';
import { EngagementsModule } from '../engagements/engagements.module.js';
import { BulkController } from './bulk.controller.js';
import { ExportsService } from './exports.service.js';
import { ImportsService } from './imports.service.js';

@Module({
  imports: [EngagementsModule, EngagementWriterModule],
  controllers: [BulkController],
  providers: [ImportsService, ExportsService],
})
export class BulkModule {}
