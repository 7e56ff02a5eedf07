import { Readable } from 'node:stream';
import { Injectable } from '@nestjs/common';
import { DataSource, type QueryRunner } from 'typeorm';
import type { Actor } from '../auth/actor.js';
import { csvField } from '../common/csv.js';
import type { EngagementResponse } from '../engagements/dto/engagement.response.js';
import { EngagementListService } from '../engagements/engagement-list.service.js';
import { EngagementResponses } from '../engagements/engagement-responses.js';
import { ExportBeyondOwnEngagementsError } from './bulk.errors.js';
import type { ExportFormat, ExportQuery } from './dto/export.dto.js';
import { EXPORT_COLUMNS, type ExportNames, exportRecord } from './engagement-csv.js';

/** Rows fetched from the cursor at a time: the memory an export holds, whatever its size. */
const BATCH_ROWS = 500;

const CURSOR = 'engagement_export';

/**
 * The export (SPEC §10): every engagement the list's filters match, with today's risk, read
 * through a database cursor in one read-only snapshot and written as it is read, so memory
 * does not grow with the row count and a slow reader slows the reading.
 */
@Injectable()
export class ExportsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly listing: EngagementListService,
    private readonly responses: EngagementResponses,
  ) {}

  export(actor: Actor, query: ExportQuery, format: ExportFormat): Readable {
    const filters = { ...query, productOwnerId: this.ownerScope(actor, query.productOwnerId) };
    return Readable.from(this.lines(filters, format), { objectMode: false });
  }

  /** A product owner exports only the engagements they own. */
  private ownerScope(actor: Actor, productOwnerId: string | undefined): string | undefined {
    if (actor.role !== 'product_owner') return productOwnerId;
    const own = actor.personId?.toLowerCase();
    if (!own || (productOwnerId && productOwnerId.toLowerCase() !== own)) {
      throw new ExportBeyondOwnEngagementsError();
    }
    return own;
  }

  private async *lines(query: ExportQuery, format: ExportFormat): AsyncGenerator<string> {
    const runner = this.dataSource.createQueryRunner();
    await runner.connect();
    try {
      await runner.startTransaction('REPEATABLE READ');
      await runner.query('SET TRANSACTION READ ONLY');
      const { text, parameters } = this.listing.selection(query);
      await runner.query(`DECLARE ${CURSOR} NO SCROLL CURSOR FOR ${text}`, parameters);
      if (format === 'csv') yield csvLine(EXPORT_COLUMNS);
      for (;;) {
        const rows: { id: string }[] = await runner.query(`FETCH ${BATCH_ROWS} FROM ${CURSOR}`);
        if (rows.length === 0) break;
        const engagements = await this.responses.load(
          rows.map((row) => row.id),
          runner.manager,
        );
        if (format === 'ndjson') {
          yield engagements.map((engagement) => `${JSON.stringify(engagement)}\n`).join('');
        } else {
          const names = await namesOf(runner, engagements);
          yield engagements
            .map((engagement) =>
              csvLine(Object.values(exportRecord(engagement, names(engagement)))),
            )
            .join('');
        }
      }
      await runner.commitTransaction();
    } finally {
      if (runner.isTransactionActive) await runner.rollbackTransaction();
      await runner.release();
    }
  }
}

function csvLine(values: readonly unknown[]): string {
  return `${values.map(csvField).join(',')}\r\n`;
}

/** The vendor names, e-mails and final handover dates a batch of export rows shows. */
async function namesOf(
  runner: QueryRunner,
  engagements: EngagementResponse[],
): Promise<(engagement: EngagementResponse) => ExportNames> {
  const ids = engagements.map((engagement) => engagement.id);
  const vendorIds = [...new Set(engagements.map((engagement) => engagement.vendorId))];
  const personIds = [
    ...new Set(
      engagements.flatMap((engagement) => [
        engagement.productOwnerId,
        engagement.spec.tradeOffOwnerId,
        ...engagement.knowledgeRecipientIds,
      ]),
    ),
  ];
  const [vendors, people, finals] = [
    (await runner.query('SELECT id, name AS value FROM vendors WHERE id = ANY($1::uuid[])', [
      vendorIds,
    ])) as { id: string; value: string }[],
    (await runner.query('SELECT id, email AS value FROM people WHERE id = ANY($1::uuid[])', [
      personIds,
    ])) as { id: string; value: string }[],
    (await runner.query(
      `SELECT engagement_id AS id, to_char(due_date, 'YYYY-MM-DD') AS value FROM milestones
        WHERE kind = 'final_handover' AND engagement_id = ANY($1::uuid[])`,
      [ids],
    )) as { id: string; value: string }[],
  ].map((rows) => new Map(rows.map((row) => [row.id, row.value])));
  return (engagement) => ({
    vendorName: vendors.get(engagement.vendorId) ?? '',
    emails: people,
    finalHandoverDate: finals.get(engagement.id) ?? null,
  });
}
