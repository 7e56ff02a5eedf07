import { ApiPropertyOptional, OmitType } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';
import { ListEngagementsQuery } from '../../engagements/dto/engagement.dto.js';

export const EXPORT_FORMATS = { csv: 'text/csv', ndjson: 'application/x-ndjson' } as const;
export type ExportFormat = keyof typeof EXPORT_FORMATS;

/** The list's filters and order; the export has no pages. */
export class ExportQuery extends OmitType(ListEngagementsQuery, ['limit', 'cursor'] as const) {
  @ApiPropertyOptional({
    enum: Object.keys(EXPORT_FORMATS),
    description: 'Overrides the format the Accept header chooses',
  })
  @IsOptional()
  @IsIn(Object.keys(EXPORT_FORMATS), { message: 'format must be csv or ndjson' })
  format?: ExportFormat;
}
