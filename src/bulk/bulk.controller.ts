import {
  Controller,
  createParamDecorator,
  type ExecutionContext,
  Get,
  Headers,
  Post,
  Query,
  Res,
  StreamableFile,
} from '@nestjs/common';
import { RouteConfig } from '@nestjs/platform-fastify';
import {
  ApiBody,
  ApiConsumes,
  ApiCreatedResponse,
  ApiExtraModels,
  ApiOkResponse,
  ApiOperation,
  ApiProduces,
  ApiResponse,
  ApiTags,
  getSchemaPath,
} from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { type Actor, CurrentActor, Roles } from '../auth/actor.js';
import { READ_ROLES } from '../auth/role.js';
import { negotiate, Produces } from '../common/content-negotiation.js';
import { ApiProblems } from '../common/openapi.js';
import { PROBLEM_CONTENT_TYPE } from '../common/problem.js';
import { Clock } from '../common/clock.js';
import { EXPORT_FORMATS, type ExportFormat, ExportQuery } from './dto/export.dto.js';
import {
  DryRunResponse,
  ImportEngagementDto,
  ImportQuery,
  ImportResponse,
} from './dto/import.dto.js';
import { ExportsService } from './exports.service.js';
import { IMPORT_COLUMNS, READ_ONLY_COLUMNS } from './engagement-csv.js';
import { ImportProblemDetails } from './import-problem.js';
import { type ImportBody, ImportsService } from './imports.service.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The import route: Fastify parses text/csv for it and allows IMPORT_MAX_BYTES. */
    handoverImport?: boolean;
  }
}

/** The import's body as parsed: a CSV text or a JSON value, by its Content-Type. */
const ImportBodyParam = createParamDecorator((_: unknown, context: ExecutionContext) => {
  const request = context.switchToHttp().getRequest<FastifyRequest>();
  const csv = /^text\/csv\b/i.test(request.headers['content-type'] ?? '');
  return (
    csv ? { format: 'csv', text: request.body as string } : { format: 'json', rows: request.body }
  ) satisfies ImportBody;
});

const CSV_EXAMPLE = [
  'title,vendorName,contractRef,productOwnerEmail,problem,successMetrics,constraints,tradeOffOwnerEmail,knowledgeRecipientEmails,startDate,contractEndDate,noticePeriodDays,finalHandoverDate,criticality',
  'Invoice data extraction,Acme AI,PO-2026-0142,priya.raman@example.com,"Accounts payable keys 4,000 supplier invoices a month by hand.","Fields extracted correctly: ≥ 97 %;Straight-through rate: ≥ 80 %",Invoices never leave the EU;Runs on our Azure tenant,li.wei@example.com,li.wei@example.com;sam.okafor@example.com,2026-12-01,2027-06-30,60,2027-04-30,important',
].join('\r\n');

@ApiTags('Bulk data')
@Controller()
export class BulkController {
  constructor(
    private readonly imports: ImportsService,
    private readonly exports: ExportsService,
    private readonly clock: Clock,
  ) {}

  @Post('v1/imports/engagements')
  @RouteConfig({ handoverImport: true })
  @Roles('admin', 'procurement', 'integration')
  @ApiOperation({
    summary: 'Import engagements, all or nothing',
    description:
      'A JSON array of `POST /v1/engagements` bodies, where a vendor or person may be named ' +
      'by its natural key (`vendorName`, `productOwnerEmail`, `spec.tradeOffOwnerEmail`, ' +
      '`knowledgeRecipientEmails`), plus `finalHandoverDate` and, in JSON only, `milestones` ' +
      'with their `artifacts`; or an RFC 4180 `text/csv` file with a header row, whose ' +
      `columns are ${IMPORT_COLUMNS.map((column) => `\`${column}\``).join(', ')}. ` +
      '`successMetrics` are `name: target` pairs separated by `;`, `constraints` and ' +
      '`knowledgeRecipientEmails` are `;`-separated (escape a `;` or `:` inside with `\\`). ' +
      'Empty cells are absent values; the export’s read-only columns ' +
      `(${READ_ONLY_COLUMNS.join(', ')}) are ignored, any other unknown column is 400. ` +
      'Every row is checked with the rules of `POST /v1/engagements`; any problem in any row ' +
      'is a 422 listing each one with its row, and nothing is written. Otherwise every ' +
      'engagement is created as a draft in one transaction, with its audit, risk and events. ' +
      'At most IMPORT_MAX_ROWS rows (5,000) and IMPORT_MAX_BYTES (10 MiB).',
  })
  @ApiConsumes('application/json', 'text/csv')
  @ApiExtraModels(ImportEngagementDto)
  @ApiBody({
    schema: {
      oneOf: [
        {
          type: 'array',
          items: { $ref: getSchemaPath(ImportEngagementDto) },
          maxItems: 100_000,
        },
        { type: 'string', maxLength: 1_073_741_824, example: CSV_EXAMPLE },
      ],
    },
  })
  @ApiCreatedResponse({ type: ImportResponse, description: 'Every row was imported' })
  @ApiOkResponse({ type: DryRunResponse, description: '`dryRun=true`: every row would import' })
  @ApiResponse({
    status: 422,
    description: 'Rows that cannot be imported (every problem, with its row), or too many rows',
    content: { [PROBLEM_CONTENT_TYPE]: { schema: { $ref: getSchemaPath(ImportProblemDetails) } } },
  })
  @ApiExtraModels(ImportProblemDetails)
  @ApiProblems(409)
  async importEngagements(
    @CurrentActor() actor: Actor,
    @ImportBodyParam() body: ImportBody,
    @Query() query: ImportQuery,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<ImportResponse | DryRunResponse> {
    const outcome = await this.imports.importEngagements(actor, body, query);
    if ('valid' in outcome) reply.status(200);
    return outcome;
  }

  @Get('v1/engagements/export')
  @Roles(...READ_ROLES)
  @Produces(...Object.values(EXPORT_FORMATS))
  @ApiOperation({
    summary: 'Export engagements as CSV or NDJSON',
    description:
      'Every engagement the list’s filters match, with its risk as of today, streamed as it ' +
      'is read. `text/csv` has the import’s columns (references by name and e-mail) plus the ' +
      'read-only ones, formula-safe, and imports again with `createMissing=true`; ' +
      '`application/x-ndjson` has one engagement (as `GET /v1/engagements/{id}`) per line. ' +
      'Chosen by `format` or the Accept header (CSV by default). A product owner key exports ' +
      'its own engagements.',
  })
  @ApiProduces(...Object.values(EXPORT_FORMATS))
  @ApiOkResponse({
    description: 'The engagements, one per line after the CSV header row',
    headers: {
      'Content-Disposition': {
        description:
          'A file name with today\'s date: `attachment; filename="handover-engagements-2026-12-01.csv"`',
        schema: { type: 'string', maxLength: 100 },
      },
    },
    content: {
      'text/csv': { schema: { type: 'string', maxLength: 1_073_741_824 } },
      'application/x-ndjson': { schema: { type: 'string', maxLength: 1_073_741_824 } },
    },
  })
  @ApiProblems(400, 406)
  export(
    @CurrentActor() actor: Actor,
    @Query() query: ExportQuery,
    @Headers('accept') accept: string | undefined,
  ): StreamableFile {
    const format: ExportFormat =
      query.format ??
      (negotiate(accept, Object.values(EXPORT_FORMATS)) === EXPORT_FORMATS.ndjson
        ? 'ndjson'
        : 'csv');
    return new StreamableFile(this.exports.export(actor, query, format), {
      type: `${EXPORT_FORMATS[format]}; charset=utf-8`,
      disposition: `attachment; filename="handover-engagements-${this.clock.today()}.${format}"`,
    });
  }
}
