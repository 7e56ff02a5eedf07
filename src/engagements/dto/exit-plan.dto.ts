import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsIn,
  IsString,
  IsUUID,
  MaxLength,
  MinLength,
  ValidateBy,
} from 'class-validator';
import { Optional, Trim, UUID_LENGTH } from '../../common/dto-helpers.js';
import { EXIT_STRATEGIES, type ExitStrategy } from '../engagement.entity.js';
import { isPlaceholder } from '../spec-validation.js';

export const MIN_EXIT_SUMMARY_LENGTH = 20;

/** Rejects values such as `TBD` or `n/a`: an exit plan nobody wrote is no exit plan. */
const IsNotPlaceholder = (field: string, each = false) =>
  ValidateBy(
    {
      name: 'isNotPlaceholder',
      validator: {
        validate: (value: unknown) => typeof value !== 'string' || !isPlaceholder(value),
      },
    },
    { each, message: `${field} must say something, not a placeholder such as TBD` },
  );

export class ExitPlanDto {
  @ApiProperty({
    enum: EXIT_STRATEGIES,
    example: 'insource',
    description: 'Who runs the system after the exit: us, another vendor, or nobody (retired)',
  })
  @IsIn(EXIT_STRATEGIES, {
    message: `exitPlan.strategy must be one of ${EXIT_STRATEGIES.join(', ')}`,
  })
  strategy!: ExitStrategy;

  @ApiProperty({
    example:
      'The Data Platform team takes over operations with the runbooks; the vendor stays on call for 60 days.',
    minLength: MIN_EXIT_SUMMARY_LENGTH,
    maxLength: 5000,
  })
  @Trim()
  @IsString({ message: 'exitPlan.summary must be a string' })
  @IsNotPlaceholder('exitPlan.summary')
  @MinLength(MIN_EXIT_SUMMARY_LENGTH, {
    message: `exitPlan.summary must be at least ${MIN_EXIT_SUMMARY_LENGTH} characters`,
  })
  @MaxLength(5000)
  summary!: string;

  @ApiProperty({
    type: [String],
    description: 'What makes the company leave: at least one',
    example: ['The vendor misses two handover dates', 'The vendor is acquired'],
    minItems: 1,
    maxItems: 20,
    maxLength: 500,
  })
  @IsArray({ message: 'exitPlan.triggers must be an array' })
  @ArrayMinSize(1, { message: 'exitPlan.triggers must name at least one trigger' })
  @ArrayMaxSize(20)
  @IsString({ each: true, message: 'exitPlan.triggers must contain strings' })
  @IsNotPlaceholder('exitPlan.triggers', true)
  @MaxLength(500, { each: true })
  triggers!: string[];

  @ApiPropertyOptional({
    format: 'uuid',
    // No example: the exit plan's example insources, so no other vendor takes over.
    description: 'The vendor that takes over (strategy alternative_vendor)',
    maxLength: UUID_LENGTH,
  })
  @Optional()
  @IsUUID('all', { message: 'exitPlan.alternativeVendorId must be a UUID' })
  alternativeVendorId?: string;
}

export class ExitPlanResponse extends ExitPlanDto {
  @ApiProperty({
    nullable: true,
    type: String,
    format: 'date',
    description: 'The latest passed exit_rehearsal drill',
    example: '2026-11-20',
  })
  lastTestedOn!: string | null;
}
