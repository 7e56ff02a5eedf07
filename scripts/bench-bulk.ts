import { csvField, joinList, joinPairs } from '../src/common/csv.js';
import 'reflect-metadata';
import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import pg from 'pg';
import type { DataSource } from 'typeorm';
import { addDays, todayUtc } from '../src/common/dates.js';
import { createDataSource } from '../src/database/data-source.js';
import { runMigrations } from '../src/database/migrate.js';
import {
  backendDelta,
  backendTicks,
  benchConfig,
  clockTicksPerSecond,
  cpuTicks,
  createScratchDatabase,
  DEFAULT_SERVER,
  formatBytes,
  memoryOf,
  type ScratchDatabase,
  type ServerProcess,
  startServerProcess,
  stopServerProcess,
  table,
} from './bench-support.js';
import { seedDemoPortfolio } from './demo-portfolio.js';

const USAGE = `Usage: npm run bench:bulk [-- --rows N] [-- --export N,N,…|none] [-- --quick]
Bulk import and export figures (SPEC §10), on three scratch databases (created on DATABASE_URL's
server, default ${DEFAULT_SERVER}, migrated, and dropped at the end, also on failure or Ctrl-C).
The API runs as a child process (node dist/src/main.js, default pool), restarted before each
measured request, which is sent alone over loopback after one small untimed request of its kind:
 1. Import: --rows rows (default 5000, at most IMPORT_MAX_ROWS' default 5000) as one JSON
    POST /v1/imports/engagements?createMissing=true, each row naming its vendor and people by
    natural key, with 3 milestones (delivery, handover, final_handover) and 5 KT artifacts;
    then as many other rows as one text/csv POST (finalHandoverDate, no plan; the vendors and
    people exist by then). Wall time, rows/s, the API's peak RSS during the request. Baseline:
    the same rows written by this process with bare SQL (one INSERT … SELECT FROM unnest(…)
    per table, one transaction, ids made here) into a second scratch database.
 2. Export: for each N of --export (default 10000,100000, ascending), a demo portfolio topped
    up to N engagements (as npm run bench:risk seeds: bare SQL, then the risk rebuild), then
    GET /v1/engagements/export as text/csv streamed and counted, never kept: wall time, rows/s,
    and the API's RSS right before it and at its peak during it. Baseline: COPY (SELECT the
    same columns with the joins they need) TO STDOUT WITH CSV through pg, counted the same way.
--export none skips part 2 (BENCH_EXPORT=none in the environment does the same).
--quick is --rows 1000 --export 2000,10000 (a smoke run).`;

const TARGETS = { importSeconds: 10, importRssMiB: 400 };

/** One row of the JSON import (SPEC §10); the CSV import gets the same fields but the plan. */
interface BenchRow {
  title: string;
  vendorName: string;
  contractRef: string;
  productOwnerEmail: string;
  spec: {
    problem: string;
    successMetrics: { name: string; target: string }[];
    constraints: string[];
    tradeOffOwnerEmail: string;
    tradeOffRule: string;
  };
  knowledgeRecipientEmails: string[];
  startDate: string;
  contractEndDate: string;
  noticePeriodDays: number;
  criticality: 'standard' | 'important';
  finalHandoverDate?: string;
  milestones?: {
    name: string;
    kind: 'delivery' | 'handover' | 'final_handover';
    dueDate: string;
    artifacts: { kind: 'runbook'; title: string }[];
  }[];
}

const VENDOR_COUNT = 25;
const OWNER_COUNT = 150;
const LEAD_COUNT = 100;
const ENGINEER_COUNT = 250;

/**
 * Row `index` of an import: references by natural key, spread over 25 vendors and 500 people
 * (150 product owners, 100 trade-off owners, 250 knowledge recipients, 2 per engagement).
 */
function benchRow(index: number, batch: string, today: string, withPlan: boolean): BenchRow {
  const start = addDays(today, -30 - (index % 60));
  const delivery = addDays(today, 45 + (index % 90));
  const handover = addDays(delivery, 30);
  const final = addDays(handover, 30 + (index % 30));
  const row: BenchRow = {
    title: `Bench ${batch} engagement ${index + 1}: invoice data extraction`,
    vendorName: `Bench Vendor ${String((index % VENDOR_COUNT) + 1).padStart(2, '0')}`,
    contractRef: `BENCH-${batch}-${String(index + 1).padStart(6, '0')}`,
    productOwnerEmail: `owner.${index % OWNER_COUNT}@bench.example`,
    spec: {
      problem:
        `Accounts payable keys 4,000 supplier invoices a month by hand; errors delay ` +
        `payments by 6 days ("bench" row ${index + 1}).`,
      successMetrics: [
        { name: 'Fields extracted correctly', target: '≥ 97 % on the audit sample' },
        { name: 'Straight-through rate', target: '≥ 80 % of invoices' },
      ],
      constraints: ['Invoices never leave the EU', 'Runs on our Azure tenant'],
      tradeOffOwnerEmail: `lead.${index % LEAD_COUNT}@bench.example`,
      tradeOffRule: 'Accuracy over latency, cost caps everything at 8k EUR a month.',
    },
    knowledgeRecipientEmails: [
      `engineer.${(2 * index) % ENGINEER_COUNT}@bench.example`,
      `engineer.${(2 * index + 1) % ENGINEER_COUNT}@bench.example`,
    ],
    startDate: start,
    contractEndDate: addDays(final, 60),
    noticePeriodDays: 30 + (index % 60),
    criticality: index % 5 === 0 ? 'important' : 'standard',
  };
  if (!withPlan) return { ...row, finalHandoverDate: final };
  const runbook = (title: string) => ({ kind: 'runbook' as const, title });
  row.milestones = [
    {
      name: 'Pipeline delivered',
      kind: 'delivery',
      dueDate: delivery,
      artifacts: [runbook('On-call runbook'), runbook('Replay of failed batches')],
    },
    {
      name: 'Operations handed over',
      kind: 'handover',
      dueDate: handover,
      artifacts: [runbook('Deployment runbook'), runbook('Credential rotation runbook')],
    },
    {
      name: 'Final handover',
      kind: 'final_handover',
      dueDate: final,
      artifacts: [runbook('Disaster recovery runbook')],
    },
  ];
  return row;
}

const CSV_COLUMNS = [
  'title',
  'vendorName',
  'contractRef',
  'productOwnerEmail',
  'problem',
  'successMetrics',
  'constraints',
  'tradeOffOwnerEmail',
  'tradeOffRule',
  'knowledgeRecipientEmails',
  'startDate',
  'contractEndDate',
  'noticePeriodDays',
  'finalHandoverDate',
  'criticality',
] as const;

function csvOf(rows: BenchRow[]): string {
  const lines = rows.map((row) => {
    const cells: Record<(typeof CSV_COLUMNS)[number], string | number | undefined> = {
      title: row.title,
      vendorName: row.vendorName,
      contractRef: row.contractRef,
      productOwnerEmail: row.productOwnerEmail,
      problem: row.spec.problem,
      successMetrics: joinPairs(row.spec.successMetrics),
      constraints: joinList(row.spec.constraints, ';'),
      tradeOffOwnerEmail: row.spec.tradeOffOwnerEmail,
      tradeOffRule: row.spec.tradeOffRule,
      knowledgeRecipientEmails: joinList(row.knowledgeRecipientEmails, ';'),
      startDate: row.startDate,
      contractEndDate: row.contractEndDate,
      noticePeriodDays: row.noticePeriodDays,
      finalHandoverDate: row.finalHandoverDate,
      criticality: row.criticality,
    };
    return CSV_COLUMNS.map((column) => csvField(cells[column])).join(',');
  });
  return [CSV_COLUMNS.join(','), ...lines].join('\r\n') + '\r\n';
}

/** The milestones (with artifacts) a row creates: its plan, or the one of finalHandoverDate. */
const planOf = (row: BenchRow) =>
  row.milestones ??
  (row.finalHandoverDate
    ? [
        {
          name: 'Final handover',
          kind: 'final_handover' as const,
          dueDate: row.finalHandoverDate,
          artifacts: [],
        },
      ]
    : []);

const countsOf = (rows: BenchRow[]) => ({
  milestones: rows.reduce((sum, row) => sum + planOf(row).length, 0),
  artifacts: rows.reduce(
    (sum, row) => sum + planOf(row).reduce((inner, plan) => inner + plan.artifacts.length, 0),
    0,
  ),
});

/** CSV records in a byte stream: line feeds outside double quotes (RFC 4180). */
class CsvRecordCounter {
  records = 0;
  bytes = 0;
  private quoted = false;
  private last = -1;

  add(chunk: Uint8Array): void {
    let quoted = this.quoted;
    let records = 0;
    for (let index = 0; index < chunk.length; index++) {
      const byte = chunk[index];
      if (byte === 0x22) quoted = !quoted;
      else if (byte === 0x0a && !quoted) records++;
    }
    this.quoted = quoted;
    this.records += records;
    this.bytes += chunk.length;
    if (chunk.length > 0) this.last = chunk[chunk.length - 1];
  }

  /** Records, the last one counted even without a final line break. */
  get total(): number {
    return this.records + (this.bytes > 0 && this.last !== 0x0a ? 1 : 0);
  }
}

/**
 * `COPY … TO STDOUT` through a plain pg.Client: a submittable query that hands each CopyData
 * message's bytes to `onChunk` and keeps none of them (pg itself has no COPY OUT stream).
 */
class CopyOut {
  readonly done: Promise<void>;
  private resolve!: () => void;
  private reject!: (error: Error) => void;
  private failed = false;

  constructor(
    private readonly text: string,
    private readonly onChunk: (chunk: Uint8Array) => void,
  ) {
    this.done = new Promise<void>((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
  }

  submit(connection: { query(text: string): void }): void {
    connection.query(this.text);
  }

  handleCopyData(message: { chunk: Uint8Array }): void {
    this.onChunk(message.chunk);
  }

  handleCommandComplete(): void {}
  handleRowDescription(): void {}
  handleDataRow(): void {}
  handleEmptyQuery(): void {}

  handleReadyForQuery(): void {
    if (!this.failed) this.resolve();
  }

  handleError(error: Error): void {
    this.failed = true;
    this.reject(error);
  }
}

/** The export's columns (EXPORT_COLUMNS), with the joins each needs and nothing more. */
const COPY_SQL = `COPY (
  SELECT e.id, e.title, v.name AS vendor_name, e.contract_ref, po.email AS product_owner_email,
         e.spec_problem,
         (SELECT string_agg((m->>'name') || ': ' || (m->>'target'), ';')
            FROM jsonb_array_elements(e.spec_success_metrics) m) AS success_metrics,
         (SELECT string_agg(c, ';') FROM jsonb_array_elements_text(e.spec_constraints) c)
           AS constraints,
         tro.email AS trade_off_owner_email, e.spec_trade_off_rule,
         (SELECT string_agg(p.email, ';' ORDER BY p.email)
            FROM engagement_knowledge_recipients r JOIN people p ON p.id = r.person_id
           WHERE r.engagement_id = e.id) AS knowledge_recipient_emails,
         e.start_date, e.contract_end_date, e.notice_period_days,
         fh.due_date AS final_handover_date, e.criticality, e.status,
         t.level AS risk_level, t.score AS risk_score, t.level >= 3 AS dependency_trap,
         f.last_safe_handover_date, e.created_at
    FROM engagements e
    JOIN vendors v ON v.id = e.vendor_id
    JOIN people po ON po.id = e.product_owner_id
    JOIN people tro ON tro.id = e.spec_trade_off_owner_id
    LEFT JOIN milestones fh ON fh.engagement_id = e.id AND fh.kind = 'final_handover'
    LEFT JOIN engagement_risk_facts f ON f.engagement_id = e.id
    LEFT JOIN risk_timeline t ON t.engagement_id = e.id
          AND t.valid_from <= current_date AND t.valid_until > current_date
   ORDER BY e.created_at, e.id
) TO STDOUT WITH (FORMAT csv, HEADER)`;

interface MemoryFigures {
  /** VmRSS of the API right after its start-up (it answered /health/live), before the warm-up. */
  atStart: number;
  /** Seconds from spawning the API to its first /health/live answer. */
  startSeconds: number;
  before: number;
  peak: number;
  after: number;
  /** Whether VmHWM could be reset before the operation (else the peak is sampled VmRSS). */
  exact: boolean;
}

/**
 * The API's RSS over one operation: VmHWM reset to the current RSS just before it (writing 5
 * to /proc/<pid>/clear_refs), read after it; VmRSS sampled every 20 ms as well.
 */
function watchMemory(
  pid: number,
  start: { rss: number; seconds: number },
): { peakSoFar: () => number; stop: () => MemoryFigures } {
  let exact = true;
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5');
  } catch {
    exact = false;
  }
  const before = memoryOf(pid).rss;
  let sampled = before;
  const timer = setInterval(() => {
    try {
      sampled = Math.max(sampled, memoryOf(pid).rss);
    } catch {
      // The process ended.
    }
  }, 20);
  const peakSoFar = () => {
    const now = memoryOf(pid);
    return Math.max(sampled, now.rss, exact ? now.peak : 0);
  };
  const stop = () => {
    clearInterval(timer);
    const now = memoryOf(pid);
    return {
      atStart: start.rss,
      startSeconds: start.seconds,
      before,
      peak: Math.max(sampled, now.rss, exact ? now.peak : 0),
      after: now.rss,
      exact,
    };
  };
  return { peakSoFar, stop };
}

/** One measured operation: wall time, CPU of its process and of PostgreSQL, and the API's RSS. */
interface Measured {
  ms: number;
  cpuSeconds: number;
  postgresSeconds: number;
  memory?: MemoryFigures;
}

const ticksToSeconds = (ticks: number) => ticks / clockTicksPerSecond();

/** The API on one database, with what measures its process and its PostgreSQL backends. */
class Api {
  private constructor(
    readonly server: ServerProcess,
    private readonly authorization: string,
    private readonly admin: pg.Client,
    private readonly database: string,
    private readonly start: { rss: number; seconds: number },
  ) {}

  static async start(options: {
    scratch: ScratchDatabase;
    adminApiKey: string;
    admin: pg.Client;
    children: Set<ChildProcess>;
  }): Promise<Api> {
    const started = performance.now();
    const server = await startServerProcess({
      name: 'API',
      script: 'src/main.js',
      env: {
        ...process.env,
        DATABASE_URL: options.scratch.url,
        ADMIN_API_KEY: options.adminApiKey,
        LOG_LEVEL: 'warn',
        RATE_LIMIT_MAX: '0',
      },
      children: options.children,
      startTimeoutMs: 300_000,
    });
    return new Api(server, `Bearer ${options.adminApiKey}`, options.admin, options.scratch.name, {
      rss: memoryOf(server.process.pid as number).rss,
      seconds: (performance.now() - started) / 1000,
    });
  }

  get pid(): number {
    return this.server.process.pid as number;
  }

  stop(): Promise<void> {
    return stopServerProcess(this.server);
  }

  async measure<T>(
    action: (peakSoFar: () => number) => Promise<T>,
  ): Promise<{ result: T; figures: Measured }> {
    const backends = await backendTicks(this.admin, this.database, 'handover');
    const ticks = cpuTicks(this.pid);
    const memory = watchMemory(this.pid, this.start);
    const started = performance.now();
    const result = await action(memory.peakSoFar);
    const ms = performance.now() - started;
    const figures: Measured = {
      ms,
      memory: memory.stop(),
      cpuSeconds: ticksToSeconds(cpuTicks(this.pid) - ticks),
      postgresSeconds: ticksToSeconds(
        backendDelta(backends, await backendTicks(this.admin, this.database, 'handover')),
      ),
    };
    return { result, figures };
  }

  /** POST /v1/imports/engagements, the body read to its end. */
  async import(
    body: string,
    contentType: string,
    query: string,
    expected: number,
  ): Promise<Record<string, unknown>> {
    const response = await fetch(`${this.server.url}/v1/imports/engagements${query}`, {
      method: 'POST',
      headers: { authorization: this.authorization, 'content-type': contentType },
      body,
    });
    const text = await response.text();
    if (response.status !== expected) {
      throw new Error(
        `POST /v1/imports/engagements${query} answered ${response.status}: ${text.slice(0, 4000)}`,
      );
    }
    return JSON.parse(text) as Record<string, unknown>;
  }

  /** GET /v1/engagements/export as CSV, each chunk counted as it arrives and dropped. */
  export(
    query = '',
    onRecords?: (records: number) => void,
  ): Promise<{ firstByteMs: number; counter: CsvRecordCounter }> {
    const started = performance.now();
    return new Promise((resolve, reject) => {
      const request = httpRequest(
        `${this.server.url}/v1/engagements/export${query}`,
        { headers: { authorization: this.authorization, accept: 'text/csv' } },
        (response) => {
          const counter = new CsvRecordCounter();
          let firstByteMs = Number.NaN;
          const failed = response.statusCode !== 200;
          let text = '';
          response.on('data', (chunk: Buffer) => {
            if (Number.isNaN(firstByteMs)) firstByteMs = performance.now() - started;
            if (failed) text += chunk.toString();
            else {
              counter.add(chunk);
              onRecords?.(counter.records);
            }
          });
          response.on('error', reject);
          response.on('end', () =>
            failed
              ? reject(
                  new Error(`GET /v1/engagements/export answered ${response.statusCode}: ${text}`),
                )
              : resolve({ firstByteMs, counter }),
          );
        },
      );
      request.on('error', reject);
      request.end();
    });
  }
}

/** A scratch database with the schema, as the API and npm run risk:* migrate it. */
async function migrated(scratch: ScratchDatabase): Promise<DataSource> {
  const dataSource = createDataSource({
    url: scratch.url,
    poolSize: 2,
    statementTimeoutMs: 0,
    preparedStatements: false,
  });
  // Not 'handover': PostgreSQL CPU is counted for the API's backends only.
  dataSource.setOptions({ applicationName: 'bench-bulk' });
  await dataSource.initialize();
  await runMigrations(dataSource);
  return dataSource;
}

/** The ids the bare baseline gave the vendors and people, by name and e-mail. */
interface BareReferences {
  vendors: Map<string, string>;
  people: Map<string, string>;
}

/**
 * The bare baseline of an import: the same rows as the API's, written by this process with
 * one INSERT … SELECT FROM unnest(…) per table in one transaction: the vendors and people the
 * rows name that are not in `references` yet, the engagements, their knowledge recipients,
 * milestones and artifacts. No validation, audit, risk facts or events. Ids are made here.
 */
async function bareImport(
  client: pg.Client,
  rows: BenchRow[],
  references: BareReferences,
): Promise<Measured> {
  const backendPid = (await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]
    .pid;
  const backendBefore = cpuTicks(backendPid);
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  await client.query('BEGIN');
  const newVendors = [...new Set(rows.map((row) => row.vendorName))].filter(
    (name) => !references.vendors.has(name),
  );
  const newPeople = [
    ...new Set(
      rows.flatMap((row) => [
        row.productOwnerEmail,
        row.spec.tradeOffOwnerEmail,
        ...row.knowledgeRecipientEmails,
      ]),
    ),
  ].filter((email) => !references.people.has(email));
  for (const name of newVendors) references.vendors.set(name, randomUUID());
  for (const email of newPeople) references.people.set(email, randomUUID());
  if (newVendors.length > 0) {
    await client.query(
      'INSERT INTO vendors (id, name) SELECT * FROM unnest($1::uuid[], $2::text[])',
      [newVendors.map((name) => references.vendors.get(name)), newVendors],
    );
  }
  if (newPeople.length > 0) {
    await client.query(
      'INSERT INTO people (id, name, email) SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[])',
      [newPeople.map((email) => references.people.get(email)), newPeople, newPeople],
    );
  }
  const person = (email: string) => references.people.get(email) as string;
  const ids = rows.map(() => randomUUID());
  await client.query(
    `INSERT INTO engagements (id, title, vendor_id, contract_ref, product_owner_id, spec_problem,
            spec_success_metrics, spec_constraints, spec_trade_off_owner_id, spec_trade_off_rule,
            start_date, contract_end_date, notice_period_days, criticality)
     SELECT * FROM unnest($1::uuid[], $2::text[], $3::uuid[], $4::text[], $5::uuid[], $6::text[],
            $7::jsonb[], $8::jsonb[], $9::uuid[], $10::text[], $11::date[], $12::date[],
            $13::int[], $14::engagement_criticality[])`,
    [
      ids,
      rows.map((row) => row.title),
      rows.map((row) => references.vendors.get(row.vendorName)),
      rows.map((row) => row.contractRef),
      rows.map((row) => person(row.productOwnerEmail)),
      rows.map((row) => row.spec.problem),
      rows.map((row) => JSON.stringify(row.spec.successMetrics)),
      rows.map((row) => JSON.stringify(row.spec.constraints)),
      rows.map((row) => person(row.spec.tradeOffOwnerEmail)),
      rows.map((row) => row.spec.tradeOffRule),
      rows.map((row) => row.startDate),
      rows.map((row) => row.contractEndDate),
      rows.map((row) => row.noticePeriodDays),
      rows.map((row) => row.criticality),
    ],
  );
  const recipients = rows.flatMap((row, index) =>
    row.knowledgeRecipientEmails.map((email) => [ids[index], person(email)]),
  );
  await client.query(
    `INSERT INTO engagement_knowledge_recipients (engagement_id, person_id)
     SELECT * FROM unnest($1::uuid[], $2::uuid[])`,
    [recipients.map(([engagement]) => engagement), recipients.map(([, recipient]) => recipient)],
  );
  const milestones: {
    id: string;
    engagementId: string;
    name: string;
    kind: string;
    dueDate: string;
  }[] = [];
  const artifacts: { id: string; engagementId: string; milestoneId: string; title: string }[] = [];
  rows.forEach((row, index) => {
    for (const plan of planOf(row)) {
      const milestone = {
        id: randomUUID(),
        engagementId: ids[index],
        name: plan.name,
        kind: plan.kind,
        dueDate: plan.dueDate,
      };
      milestones.push(milestone);
      for (const artifact of plan.artifacts) {
        artifacts.push({
          id: randomUUID(),
          engagementId: ids[index],
          milestoneId: milestone.id,
          title: artifact.title,
        });
      }
    }
  });
  await client.query(
    `INSERT INTO milestones (id, engagement_id, name, kind, due_date)
     SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::milestone_kind[], $5::date[])`,
    [
      milestones.map((milestone) => milestone.id),
      milestones.map((milestone) => milestone.engagementId),
      milestones.map((milestone) => milestone.name),
      milestones.map((milestone) => milestone.kind),
      milestones.map((milestone) => milestone.dueDate),
    ],
  );
  if (artifacts.length > 0) {
    await client.query(
      `INSERT INTO artifacts (id, engagement_id, milestone_id, kind, title)
       SELECT u.id, u.engagement_id, u.milestone_id, 'runbook', u.title
         FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::text[])
           AS u (id, engagement_id, milestone_id, title)`,
      [
        artifacts.map((artifact) => artifact.id),
        artifacts.map((artifact) => artifact.engagementId),
        artifacts.map((artifact) => artifact.milestoneId),
        artifacts.map((artifact) => artifact.title),
      ],
    );
  }
  await client.query('COMMIT');
  const ms = performance.now() - started;
  const cpu = process.cpuUsage(cpuBefore);
  return {
    ms,
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
    postgresSeconds: ticksToSeconds(cpuTicks(backendPid) - backendBefore),
  };
}

/** The bare baseline of an export: COPY of the same columns, counted as the API's is. */
async function bareExport(url: string): Promise<{ figures: Measured; counter: CsvRecordCounter }> {
  const client = new pg.Client({ connectionString: url, application_name: 'bench-bulk' });
  await client.connect();
  try {
    const backendPid = (await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid'))
      .rows[0].pid;
    const backendBefore = cpuTicks(backendPid);
    const cpuBefore = process.cpuUsage();
    const counter = new CsvRecordCounter();
    const started = performance.now();
    const copy = new CopyOut(COPY_SQL, (chunk) => counter.add(chunk));
    client.query(copy as unknown as pg.Submittable);
    await copy.done;
    const ms = performance.now() - started;
    const cpu = process.cpuUsage(cpuBefore);
    return {
      counter,
      figures: {
        ms,
        cpuSeconds: (cpu.user + cpu.system) / 1e6,
        postgresSeconds: ticksToSeconds(cpuTicks(backendPid) - backendBefore),
      },
    };
  } finally {
    await client.end();
  }
}

/** Row counts of the tables an import writes, the database's size and the events' payload. */
async function tableCounts(
  dataSource: DataSource,
): Promise<{ counts: Record<string, number>; databaseBytes: number; eventBytes: number }> {
  const tables = [
    'vendors',
    'people',
    'engagements',
    'engagement_knowledge_recipients',
    'milestones',
    'artifacts',
    'audit_events',
    'events',
    'engagement_risk_facts',
    'risk_timeline',
  ];
  const [counts] = await dataSource.query<Record<string, number>[]>(
    `SELECT ${tables.map((name) => `(SELECT count(*)::int FROM ${name}) AS "${name}"`).join(', ')}`,
  );
  const [sizes] = await dataSource.query<{ database: string; events: string | null }[]>(
    `SELECT pg_database_size(current_database()) AS database,
            (SELECT sum(octet_length(data::text)) FROM events) AS events`,
  );
  return { counts, databaseBytes: Number(sizes.database), eventBytes: Number(sizes.events ?? 0) };
}

interface ImportFigure {
  name: string;
  rows: number;
  milestones: number;
  artifacts: number;
  bodyBytes?: number;
  figures: Measured;
  target: boolean;
}

interface ExportFigure {
  name: string;
  engagements: number;
  records: number;
  bytes: number;
  firstByteMs?: number;
  figures: Measured;
  /** The API's peak RSS by the time 25, 50, 75 and 100 % of the rows had arrived. */
  quarters?: number[];
}

interface Report {
  serverVersion: string;
  loadAtStart: number[];
  rows: number;
  imports: ImportFigure[];
  importCounts: Awaited<ReturnType<typeof tableCounts>>;
  bareCounts: Awaited<ReturnType<typeof tableCounts>>;
  exports: ExportFigure[];
  seeding: { engagements: number; seconds: number }[];
  createdVendors: number;
  createdPeople: number;
}

const formatLoad = (load: number[]) => load.map((n) => n.toFixed(2)).join(' ');
const seconds = (ms: number) => (ms / 1000).toFixed(2);
const perSecond = (count: number, ms: number) =>
  Math.round(count / (ms / 1000)).toLocaleString('en');
const cpu = (value: number) => value.toFixed(2);
const mib = (bytes: number) => bytes / 1024 / 1024;
const rise = (memory: MemoryFigures) => `+${formatBytes(Math.max(0, memory.peak - memory.before))}`;

function print(report: Report): void {
  const { imports, exports } = report;
  console.log(
    `\nnpm run bench:bulk: PostgreSQL ${report.serverVersion}, Node ${process.version}. The API ` +
      'as a child process (node dist/src/main.js, default pool), restarted before each ' +
      'measured request; each request alone over HTTP on loopback after one small untimed ' +
      'request of its kind.\n' +
      `Load average (1, 5, 15 min): ${formatLoad(report.loadAtStart)} at start, ` +
      `${formatLoad(loadavg())} at the end (other processes share this 2-core machine: ` +
      'timings are noisy).\n',
  );
  const memoryCells = (memory?: MemoryFigures) =>
    memory
      ? [
          formatBytes(memory.atStart),
          formatBytes(memory.before),
          formatBytes(memory.peak),
          rise(memory),
        ]
      : ['—', '—', '—', '—'];
  const importRows = imports.map((one) => {
    const verdict =
      !one.target || !one.figures.memory
        ? '—'
        : one.figures.ms / 1000 < TARGETS.importSeconds &&
            mib(one.figures.memory.peak) < TARGETS.importRssMiB
          ? 'met'
          : `MISSED (${[
              one.figures.ms / 1000 >= TARGETS.importSeconds ? 'time' : '',
              mib(one.figures.memory.peak) >= TARGETS.importRssMiB ? 'RSS' : '',
            ]
              .filter(Boolean)
              .join(', ')})`;
    return [
      one.name,
      String(one.rows),
      String(one.milestones),
      String(one.artifacts),
      one.bodyBytes === undefined ? '—' : formatBytes(one.bodyBytes),
      seconds(one.figures.ms),
      perSecond(one.rows, one.figures.ms),
      cpu(one.figures.cpuSeconds),
      cpu(one.figures.postgresSeconds),
      ...memoryCells(one.figures.memory),
      verdict,
    ];
  });
  const ratio = (api: ImportFigure | undefined, bare: ImportFigure | undefined) =>
    api && bare ? `${(api.figures.ms / bare.figures.ms).toFixed(1)}×` : '—';
  const [json, csv, bareJson, bareCsv] = imports;
  console.log(
    `1. Import of ${report.rows} rows (target: < ${TARGETS.importSeconds} s and peak RSS < ` +
      `${TARGETS.importRssMiB} MiB per request)\n`,
  );
  console.log(
    table(
      [
        'writer',
        'rows',
        'milestones',
        'artifacts',
        'body',
        'wall s',
        'rows/s',
        'client CPU s',
        'PG CPU s',
        'RSS at start',
        'RSS before',
        'peak RSS',
        'rise',
        'target',
      ],
      [
        ...importRows,
        ['API / bare, JSON', '', '', '', '', ratio(json, bareJson), '', '', '', '', '', '', '', ''],
        ['API / bare, CSV', '', '', '', '', ratio(csv, bareCsv), '', '', '', '', '', '', '', ''],
      ],
      [false, true, true, true, true, true, true, true, true, true, true, true, true, false],
    ),
  );
  const countsLine = ({ counts, databaseBytes, eventBytes }: Report['importCounts']) =>
    Object.entries(counts)
      .map(([name, count]) => `${count} ${name}`)
      .join(', ') +
    ` (events' data as JSON text: ${formatBytes(eventBytes)}; database size ` +
    `${formatBytes(databaseBytes)})`;
  console.log(
    `\nRows in the API's database after both imports: ${countsLine(report.importCounts)}. ` +
      `The JSON import created ${report.createdVendors} vendors and ${report.createdPeople} ` +
      `people (createMissing=true).\nRows in the bare baseline's database: ` +
      `${countsLine(report.bareCounts)}.`,
  );

  if (exports.length === 0) {
    console.log('\n2. Export: skipped (--export none).');
  } else {
    printExports(report);
  }
  printFootnotes(report);
}

function printExports(report: Report): void {
  const { exports } = report;
  const memoryCells = (memory?: MemoryFigures) =>
    memory
      ? [
          formatBytes(memory.atStart),
          formatBytes(memory.before),
          formatBytes(memory.peak),
          rise(memory),
        ]
      : ['—', '—', '—', '—'];
  console.log(`\n2. Export as CSV (GET /v1/engagements/export, Accept: text/csv)\n`);
  const exportRows = exports.map((one) => [
    one.name,
    String(one.engagements),
    String(one.records),
    formatBytes(one.bytes),
    seconds(one.figures.ms),
    one.firstByteMs === undefined ? '—' : one.firstByteMs.toFixed(0),
    perSecond(one.records, one.figures.ms),
    cpu(one.figures.cpuSeconds),
    cpu(one.figures.postgresSeconds),
    ...memoryCells(one.figures.memory),
    one.quarters && one.figures.memory
      ? `${one.quarters
          .map(
            (peak) =>
              `+${mib(Math.max(0, peak - (one.figures.memory as MemoryFigures).before)).toFixed(0)}`,
          )
          .join(' / ')} MiB`
      : '—',
  ]);
  console.log(
    table(
      [
        'reader',
        'engagements',
        'rows',
        'bytes',
        'wall s',
        'first byte ms',
        'rows/s',
        'client CPU s',
        'PG CPU s',
        'RSS at start',
        'RSS before',
        'peak RSS',
        'rise',
        'rise by 25 / 50 / 75 / 100 % of rows',
      ],
      exportRows,
      [false, true, true, true, true, true, true, true, true, true, true, true, true, true],
    ),
  );
  const apiExports = exports.filter((one) => one.figures.memory);
  if (apiExports.length >= 2) {
    const first = apiExports[0];
    const last = apiExports[apiExports.length - 1];
    const riseOf = (one: ExportFigure) =>
      Math.max(
        0,
        (one.figures.memory as MemoryFigures).peak - (one.figures.memory as MemoryFigures).before,
      );
    console.log(
      `\nRSS rise of the API during the export: ${formatBytes(riseOf(first))} at ` +
        `${first.engagements} engagements, ${formatBytes(riseOf(last))} at ${last.engagements} ` +
        `(${(last.engagements / first.engagements).toFixed(0)}× the rows); peak RSS ` +
        `${formatBytes((first.figures.memory as MemoryFigures).peak)} and ` +
        `${formatBytes((last.figures.memory as MemoryFigures).peak)}.`,
    );
    const ratios = apiExports.map((one) => {
      const bare = exports.find(
        (other) => !other.figures.memory && other.engagements === one.engagements,
      );
      return bare
        ? `${(one.figures.ms / bare.figures.ms).toFixed(1)}× at ${one.engagements}`
        : undefined;
    });
    console.log(`API / COPY wall time: ${ratios.filter(Boolean).join(', ')}.`);
  }
  console.log(
    `Seeding the export database (demo portfolio, bare SQL and risk rebuild, not timed above): ` +
      report.seeding
        .map((one) => `up to ${one.engagements} in ${one.seconds.toFixed(1)} s`)
        .join(', ') +
      '.',
  );
}

function printFootnotes(report: Report): void {
  const { imports, exports } = report;
  const startUps = [...imports, ...exports].flatMap((one) =>
    one.figures.memory
      ? [
          `${one.name.replace(/^API: /, '')}${'engagements' in one ? ` at ${one.engagements}` : ''} ` +
            `${one.figures.memory.startSeconds.toFixed(1)} s`,
        ]
      : [],
  );
  console.log(
    `API start-ups (spawn to the first /health/live answer; the clock job's first run is ` +
      `part of it): ${startUps.join(', ')}.`,
  );
  const exact = [...imports, ...exports].every((one) => one.figures.memory?.exact ?? true);
  console.log(
    '\nWall time: from sending the request to the last byte of the response, measured by ' +
      "this process; the export's body is counted as it arrives (records: line feeds outside " +
      'quotes, the header included) and not kept. Client CPU: utime+stime of the API process ' +
      '(/proc/<pid>/stat), or for the bare rows of this process (process.cpuUsage: making the ' +
      'ids and parameters, or counting the COPY output). PG CPU: of the PostgreSQL backends ' +
      "of the API's pool (application name 'handover') or of the baseline's one connection. " +
      'RSS: of the API process; at start is VmRSS once it answered /health/live; before is ' +
      `VmRSS right before the request, after its untimed warm-up; peak is ${exact ? 'VmHWM, reset to the RSS by writing 5 to /proc/<pid>/clear_refs right before the request, ' : ''}` +
      'and VmRSS sampled every 20 ms during it, whichever is higher; the rise by each quarter ' +
      'of the export is that peak read when that share of the rows had arrived. Warm-ups: a dryRun=true ' +
      'import of 10 rows of the same kind; an export of one product owner. The bare import ' +
      'writes only the rows (no validation, audit, risk facts or events), into its own ' +
      'database; the bare export runs on the same database right after the API export.',
  );
}

function numberOption(value: string | undefined, name: string, min: number, max: number) {
  const number = Number(value);
  if (!Number.isInteger(number) || number < min || number > max) {
    console.error(`--${name} must be an integer from ${min} to ${max}\n\n${USAGE}`);
    process.exit(64);
  }
  return number;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      rows: { type: 'string' },
      export: { type: 'string' },
      quick: { type: 'boolean' },
      help: { type: 'boolean' },
    },
  });
  if (values.help) {
    console.error(USAGE);
    return;
  }
  const rowCount = numberOption(values.rows ?? (values.quick ? '1000' : '5000'), 'rows', 10, 5000);
  const exportOption =
    values.export ?? process.env.BENCH_EXPORT ?? (values.quick ? '2000,10000' : '10000,100000');
  const exportSizes = [
    ...new Set(
      (exportOption.trim() === 'none' ? [] : exportOption.split(',')).map((size) =>
        numberOption(size.trim(), 'export', 2, 1_000_000),
      ),
    ),
  ].sort((a, b) => a - b);

  const loadAtStart = loadavg();
  const serverUrl = process.env.DATABASE_URL || DEFAULT_SERVER;
  const scratches: ScratchDatabase[] = [];
  const dataSources: DataSource[] = [];
  const children = new Set<ChildProcess>();
  let admin: pg.Client | undefined;
  let bare: pg.Client | undefined;
  let cleaning: Promise<void> | undefined;
  const cleanup = () =>
    (cleaning ??= (async () => {
      for (const child of children) child.kill('SIGTERM');
      await bare?.end().catch(() => undefined);
      await admin?.end().catch(() => undefined);
      for (const dataSource of dataSources) await dataSource.destroy().catch(() => undefined);
      for (const scratch of scratches) await scratch.drop().catch(() => undefined);
    })());
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      console.error(`${signal}: stopping the API and dropping the scratch databases…`);
      void cleanup().finally(() => process.exit(130));
    });
  }

  try {
    const scratch = async () => {
      const one = await createScratchDatabase(serverUrl);
      scratches.push(one);
      const dataSource = await migrated(one);
      dataSources.push(dataSource);
      return { scratch: one, dataSource };
    };
    const importDb = await scratch();
    const bareDb = await scratch();
    const exportDb = exportSizes.length > 0 ? await scratch() : undefined;
    const { adminApiKey } = benchConfig(importDb.scratch.url);
    admin = new pg.Client({ connectionString: serverUrl, application_name: 'bench-bulk' });
    await admin.connect();
    const start = (database: ScratchDatabase) =>
      Api.start({ scratch: database, adminApiKey, admin: admin as pg.Client, children });

    // 1. Imports.
    const today = todayUtc();
    const jsonRows = Array.from({ length: rowCount }, (_, index) =>
      benchRow(index, 'J', today, true),
    );
    const csvRows = Array.from({ length: rowCount }, (_, index) =>
      benchRow(index, 'C', today, false),
    );
    const jsonBody = JSON.stringify(jsonRows);
    const csvBody = csvOf(csvRows);
    const imports: ImportFigure[] = [];

    console.error(`1. JSON import of ${rowCount} rows (${formatBytes(jsonBody.length)})…`);
    let api = await start(importDb.scratch);
    await api.import(
      JSON.stringify(jsonRows.slice(0, 10)),
      'application/json',
      '?createMissing=true&dryRun=true',
      200,
    );
    const jsonImport = await api.measure(() =>
      api.import(jsonBody, 'application/json', '?createMissing=true', 201),
    );
    await api.stop();
    if (jsonImport.result.created !== rowCount) {
      throw new Error(`The JSON import created ${String(jsonImport.result.created)} engagements`);
    }
    imports.push({
      name: 'API: JSON, createMissing=true',
      rows: rowCount,
      ...countsOf(jsonRows),
      bodyBytes: Buffer.byteLength(jsonBody),
      figures: jsonImport.figures,
      target: true,
    });
    console.error(`   ${seconds(jsonImport.figures.ms)} s`);

    console.error(`1. CSV import of ${rowCount} rows (${formatBytes(csvBody.length)})…`);
    api = await start(importDb.scratch);
    await api.import(csvOf(csvRows.slice(0, 10)), 'text/csv', '?dryRun=true', 200);
    const csvImport = await api.measure(() => api.import(csvBody, 'text/csv', '', 201));
    await api.stop();
    if (csvImport.result.created !== rowCount) {
      throw new Error(`The CSV import created ${String(csvImport.result.created)} engagements`);
    }
    imports.push({
      name: 'API: CSV (finalHandoverDate)',
      rows: rowCount,
      ...countsOf(csvRows),
      bodyBytes: Buffer.byteLength(csvBody),
      figures: csvImport.figures,
      target: true,
    });
    console.error(`   ${seconds(csvImport.figures.ms)} s`);

    console.error('1. The bare baseline: the same rows with unnest INSERTs…');
    bare = new pg.Client({ connectionString: bareDb.scratch.url, application_name: 'bench-bulk' });
    await bare.connect();
    const references: BareReferences = { vendors: new Map(), people: new Map() };
    imports.push({
      name: 'bare SQL: JSON rows (+ vendors, people)',
      rows: rowCount,
      ...countsOf(jsonRows),
      figures: await bareImport(bare, jsonRows, references),
      target: false,
    });
    imports.push({
      name: 'bare SQL: CSV rows',
      rows: rowCount,
      ...countsOf(csvRows),
      figures: await bareImport(bare, csvRows, references),
      target: false,
    });
    await bare.end();
    bare = undefined;

    // 2. Exports.
    const exports: ExportFigure[] = [];
    const seeding: Report['seeding'] = [];
    let seeded = 0;
    for (const [index, size] of exportSizes.entries()) {
      console.error(`2. Seeding ${size - seeded} engagements (up to ${size})…`);
      const seedStarted = performance.now();
      if (!exportDb) break;
      await seedDemoPortfolio(
        exportDb.dataSource,
        size - seeded,
        index === 0 ? '' : ` (${index + 1})`,
      );
      await exportDb.dataSource.query('ANALYZE');
      seeded = size;
      seeding.push({ engagements: size, seconds: (performance.now() - seedStarted) / 1000 });
      const [{ owner }] = await exportDb.dataSource.query<{ owner: string }[]>(
        'SELECT product_owner_id AS owner FROM engagements ORDER BY created_at LIMIT 1',
      );
      console.error(`2. Export of ${size} engagements…`);
      api = await start(exportDb.scratch);
      await api.export(`?productOwnerId=${owner}`);
      // The peak RSS so far each time another quarter of the rows has arrived.
      const quarters: number[] = [];
      const viaApi = await api.measure((peakSoFar) =>
        api.export('', (records) => {
          while (quarters.length < 4 && records - 1 >= ((quarters.length + 1) * size) / 4) {
            quarters.push(peakSoFar());
          }
        }),
      );
      await api.stop();
      const rows = viaApi.result.counter.total - 1;
      if (rows !== size) throw new Error(`The export had ${rows} rows, not ${size}`);
      exports.push({
        name: 'API: GET /v1/engagements/export',
        engagements: size,
        records: rows,
        bytes: viaApi.result.counter.bytes,
        firstByteMs: viaApi.result.firstByteMs,
        figures: viaApi.figures,
        quarters,
      });
      console.error(`   ${seconds(viaApi.figures.ms)} s; the bare COPY…`);
      const copy = await bareExport(exportDb.scratch.url);
      const copyRows = copy.counter.total - 1;
      if (copyRows !== size) throw new Error(`The COPY had ${copyRows} rows, not ${size}`);
      exports.push({
        name: 'bare: COPY (SELECT …) TO STDOUT CSV',
        engagements: size,
        records: copyRows,
        bytes: copy.counter.bytes,
        figures: copy.figures,
      });
    }

    print({
      serverVersion: importDb.scratch.serverVersion,
      loadAtStart,
      rows: rowCount,
      imports,
      importCounts: await tableCounts(importDb.dataSource),
      bareCounts: await tableCounts(bareDb.dataSource),
      exports,
      seeding,
      createdVendors: (jsonImport.result.createdVendors as unknown[]).length,
      createdPeople: (jsonImport.result.createdPeople as unknown[]).length,
    });
  } finally {
    await cleanup();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : error);
  process.exit(1);
});
