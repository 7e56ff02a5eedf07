import { Module } from '@nestjs/common';
import { EngagementWriterModule } from '../engagements/engagement-writer.module.js';
import { ArtifactsController } from './artifacts.controller.js';
import { ArtifactsService } from './artifacts.service.js';

@Module({
  imports: [EngagementWriterModule],
  controllers: [ArtifactsController],
  providers: [ArtifactsService],
})
export class ArtifactsModule {}
