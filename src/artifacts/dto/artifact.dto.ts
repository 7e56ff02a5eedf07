import { VersionedResponse } from '../../common/versioned.response.js';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsNotEmpty, IsOptional, IsString, IsUUID, MaxLength } from 'class-validator';
import { IsEvidenceUrl, Nullable, Optional, Trim, UUID_LENGTH } from '../../common/dto-helpers.js';
import { PageQuery } from '../../common/pagination.js';
import {
  ARTIFACT_KINDS,
  ARTIFACT_STATUSES,
  type Artifact,
  type ArtifactKind,
  type ArtifactStatus,
} from '../artifact.entity.js';

export class CreateArtifactDto {
  @ApiProperty({
    format: 'uuid',
    description: 'The milestone it is due with',
    example: '6b7c8d9e-0f1a-4b2c-8d3e-4f5a6b7c8d9e',
    maxLength: UUID_LENGTH,
  })
  @IsUUID('all', { message: 'milestoneId must be a UUID' })
  milestoneId!: string;

  @ApiProperty({ enum: ARTIFACT_KINDS, example: 'runbook' })
  @IsIn(ARTIFACT_KINDS, { message: `kind must be one of ${ARTIFACT_KINDS.join(', ')}` })
  kind!: ArtifactKind;

  @ApiProperty({ example: 'On-call runbook for the extraction pipeline', maxLength: 200 })
  @Trim()
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  title!: string;

  @ApiPropertyOptional({
    nullable: true,
    type: String,
    example: 'Alerts, dashboards, replay of failed batches',
    maxLength: 10000,
  })
  @Nullable()
  @IsString()
  @MaxLength(10000)
  description?: string | null;
}

export class UpdateArtifactDto extends CreateArtifactDto {
  @ApiPropertyOptional({
    format: 'uuid',
    example: '6b7c8d9e-0f1a-4b2c-8d3e-4f5a6b7c8d9e',
    maxLength: UUID_LENGTH,
  })
  @Optional()
  override milestoneId!: string;

  @ApiPropertyOptional({ enum: ARTIFACT_KINDS, example: 'runbook' })
  @Optional()
  override kind!: ArtifactKind;

  @ApiPropertyOptional({ example: 'On-call runbook for the extraction pipeline', maxLength: 200 })
  @Optional()
  override title!: string;
}

const Notes = () =>
  ApiPropertyOptional({ example: 'Walked through with the on-call engineers', maxLength: 5000 });

export class DeliverArtifactDto {
  @ApiProperty({
    format: 'uri',
    description: 'Where the delivered artifact can be reviewed',
    example: 'https://wiki.example.com/runbooks/extraction',
    maxLength: 2048,
  })
  @IsEvidenceUrl()
  evidenceUrl!: string;

  @Notes()
  @IsOptional()
  @IsString()
  @MaxLength(5000)
  notes?: string;
}

export class AcceptArtifactDto {
  @ApiProperty({
    format: 'uuid',
    description:
      "The accepting person: the engagement's product owner or one of its knowledge recipients",
    example: '1c9d2e3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f',
    maxLength: UUID_LENGTH,
  })
  @IsUUID('all', { message: 'acceptedById must be a UUID' })
  acceptedById!: string;

  @Notes()
  @IsOptional()
  @IsString()
  @MaxLength(5000)
  notes?: string;
}

export class RejectArtifactDto {
  @ApiProperty({ example: 'Skips the replay procedure; no escalation contacts', maxLength: 5000 })
  @Trim()
  @IsString()
  @IsNotEmpty({ message: 'reason is required' })
  @MaxLength(5000)
  reason!: string;
}

export class ListArtifactsQuery extends PageQuery {
  @ApiPropertyOptional({
    enum: ARTIFACT_STATUSES,
    description: 'Only artifacts in this review status',
    example: 'delivered',
  })
  @IsOptional()
  @IsIn(ARTIFACT_STATUSES, { message: `status must be one of ${ARTIFACT_STATUSES.join(', ')}` })
  status?: ArtifactStatus;

  @ApiPropertyOptional({
    format: 'uuid',
    maxLength: UUID_LENGTH,
    description: 'Only artifacts due with this milestone (its id)',
  })
  @IsOptional()
  @IsUUID('all', { message: 'milestoneId must be a UUID' })
  milestoneId?: string;
}

export class ArtifactResponse extends VersionedResponse {
  @ApiProperty({ format: 'uuid', example: '4e5f6a7b-8c9d-4e0f-9a1b-2c3d4e5f6a7b' })
  id!: string;

  @ApiProperty({ format: 'uuid', example: '3f2b8c1a-5d4e-4f6a-9b8c-7d6e5f4a3b2c' })
  engagementId!: string;

  @ApiProperty({ format: 'uuid', example: '6b7c8d9e-0f1a-4b2c-8d3e-4f5a6b7c8d9e' })
  milestoneId!: string;

  @ApiProperty({ enum: ARTIFACT_KINDS, example: 'runbook' })
  kind!: ArtifactKind;

  @ApiProperty({ maxLength: 200, example: 'On-call runbook for the extraction pipeline' })
  title!: string;

  @ApiProperty({ maxLength: 10000, nullable: true, type: String, example: null })
  description!: string | null;

  @ApiProperty({
    enum: ARTIFACT_STATUSES,
    example: 'delivered',
    description: 'Changed only by the actions',
  })
  status!: ArtifactStatus;

  @ApiProperty({
    format: 'uri',
    maxLength: 2048,
    nullable: true,
    type: String,
    example: 'https://wiki.example.com/runbooks/extraction',
  })
  evidenceUrl!: string | null;

  @ApiProperty({
    nullable: true,
    type: String,
    format: 'date-time',
    example: '2027-02-01T14:00:00.000Z',
  })
  deliveredAt!: string | null;

  @ApiProperty({ nullable: true, type: String, format: 'date-time', example: null })
  acceptedAt!: string | null;

  @ApiProperty({ nullable: true, type: String, format: 'uuid', example: null })
  acceptedById!: string | null;

  @ApiProperty({ maxLength: 5000, nullable: true, type: String, example: null })
  rejectionReason!: string | null;

  static from(artifact: Artifact): ArtifactResponse {
    return {
      id: artifact.id,
      engagementId: artifact.engagementId,
      milestoneId: artifact.milestoneId,
      kind: artifact.kind,
      title: artifact.title,
      description: artifact.description,
      status: artifact.status,
      evidenceUrl: artifact.evidenceUrl,
      deliveredAt: artifact.deliveredAt?.toISOString() ?? null,
      acceptedAt: artifact.acceptedAt?.toISOString() ?? null,
      acceptedById: artifact.acceptedById,
      rejectionReason: artifact.rejectionReason,
      ...VersionedResponse.fieldsOf(artifact),
    };
  }
}
