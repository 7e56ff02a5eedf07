import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Keyset, type Page, timeThenId } from '../common/pagination.js';
import { escapeHtml } from '../common/html.js';
import {
  PLAYBOOK_KINDS,
  type PlaybookEntry,
  type PlaybookKind,
  type PlaybookQuery,
} from './dto/playbook.dto.js';

interface EntryRow {
  kind: PlaybookEntry['kind'];
  id: string;
  engagement_id: string;
  title: string;
  text: string;
  outcome: string;
  at: Date;
  rank: number;
  headline: string | null;
}

const timeColumns = timeThenId<EntryRow>('at', (row) => row.at, 'id');
const NEWEST_FIRST = new Keyset(timeColumns, 'DESC');
const BEST_MATCH_FIRST = new Keyset<EntryRow>(
  [{ sql: 'rank', kind: 'real', cursorValue: (row) => row.rank }, ...timeColumns],
  'DESC',
);

/** A headline safe to show as HTML: the text escaped, only the matches in <b>…</b>. */
export const highlighted = (headline: string): string =>
  escapeHtml(headline).replaceAll('\u0001', '<b>').replaceAll('\u0002', '</b>');

/**
 * Where each kind of entry comes from; `document` is the searchable text as its GIN index
 * (migration LearningSprints) is built: a query uses the index only with the very same expression.
 */
const SOURCES = {
  sprint: {
    alias: 's',
    table: 'learning_sprints',
    title: 's.goal',
    text: 's.lessons',
    at: 's.completed_at',
    document: `to_tsvector('english', s.goal || ' ' || s.lessons)`,
  },
  drill: {
    alias: 'd',
    table: 'drills',
    title: 'd.title',
    text: 'd.notes',
    at: 'd.recorded_at',
    document: `to_tsvector('english', d.title || ' ' || d.notes)`,
  },
} as const satisfies Record<PlaybookKind, Record<string, string>>;

/**
 * The internal playbook (SPEC §9): lessons of completed sprints and notes of recorded drills,
 * newest first, or with `q` ranked by PostgreSQL full-text search with the match highlighted.
 * `websearch_to_tsquery` reads any text as a query, so operators in `q` are never a syntax error.
 */
@Injectable()
export class PlaybookService {
  constructor(private readonly dataSource: DataSource) {}

  async search(query: PlaybookQuery): Promise<Page<PlaybookEntry>> {
    const parameters: unknown[] = [];
    const param = (value: unknown) => `$${parameters.push(value)}`;
    const searching = !!query.q;
    const tsquery = searching ? `websearch_to_tsquery('english', ${param(query.q)})` : '';
    const branch = (kind: PlaybookKind) => {
      const { alias, table, title, text, at, document } = SOURCES[kind];
      const ready = `${text} IS NOT NULL`;
      const conditions = [ready];
      if (searching) conditions.push(`${document} @@ ${tsquery}`);
      if (query.engagementId)
        conditions.push(`${alias}.engagement_id = ${param(query.engagementId)}::uuid`);
      return `SELECT '${kind}' AS kind, ${alias}.id, ${alias}.engagement_id, ${title} AS title,
                     ${text} AS text, ${alias}.outcome::text AS outcome, ${at} AS at,
                     ${searching ? `ts_rank(${document}, ${tsquery})` : '0::real'} AS rank
                FROM ${table} ${alias} WHERE ${conditions.join(' AND ')}`;
    };
    const branches = (query.kind ? [query.kind] : PLAYBOOK_KINDS).map(branch);
    const keyset = searching ? BEST_MATCH_FIRST : NEWEST_FIRST;
    const position = keyset.positionOf(query.cursor);
    const cursor = position ? `WHERE ${keyset.conditionAfter(position, param)}` : '';
    const limit = param(query.limit + 1);
    // The headline is the expensive part: made for the page's rows only. Matches are marked with
    // control characters (removed from the text first) and become <b> once the text is escaped.
    const rows: EntryRow[] = await this.dataSource.query(
      `SELECT page.*, ${searching ? `ts_headline('english', translate(page.text, chr(1) || chr(2), ''), ${tsquery}, 'StartSel=' || chr(1) || ', StopSel=' || chr(2) || ', MaxFragments=2, MaxWords=25, MinWords=8')` : 'NULL'} AS headline
         FROM (SELECT * FROM (${branches.join(' UNION ALL ')}) entries ${cursor}
                ORDER BY ${keyset.orderBy()} LIMIT ${limit}) page
        ORDER BY ${keyset.orderBy()}`,
      parameters,
    );
    return keyset.page(rows, query.limit, (row) => ({
      kind: row.kind,
      id: row.id,
      engagementId: row.engagement_id,
      title: row.title,
      text: row.text,
      outcome: row.outcome,
      at: row.at.toISOString(),
      ...(searching ? { headline: highlighted(row.headline ?? ''), rank: row.rank } : {}),
    }));
  }
}
