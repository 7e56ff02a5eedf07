import fc from 'fast-check';
import type { DataSource } from 'typeorm';
import type { Role } from '../../src/auth/role.js';
import { IMPORT_COLUMNS } from '../../src/bulk/engagement-csv.js';
import { csvField, joinList, joinPairs } from '../../src/common/csv.js';
import { addDays, todayUtc } from '../../src/common/dates.js';
import { abbreviate } from './arbitraries.js';
import type { RawRequest } from './http.js';

/**
 * Generated bodies for `POST /v1/imports/engagements` (SPEC §10): JSON arrays and CSV files of
 * rows that are valid or carry known faults, malformed CSV, foreign content types and flags.
 * Every case knows what it expects: the statuses its faults allow (any of them, since which
 * check answers first is not specified), which rows a 422 must name, and for a valid import
 * what it creates and what each engagement reads back as.
 */

export const IMPORT_PATH = '/v1/imports/engagements';

/** Vendors and people that exist before the fuzzing, by id and natural key. */
export interface BulkWorld {
  vendors: { id: string; name: string }[];
  people: { id: string; email: string }[];
  /** A contract reference an engagement already holds. */
  takenContractRef: string;
}

export async function bulkWorld(dataSource: DataSource, takenContractRef: string) {
  const vendors: BulkWorld['vendors'] = await dataSource.query(
    'SELECT id, name FROM vendors ORDER BY name',
  );
  const people: BulkWorld['people'] = await dataSource.query(
    'SELECT id, email FROM people ORDER BY email',
  );
  return { vendors, people, takenContractRef } satisfies BulkWorld;
}

// ---- References ---------------------------------------------------------------------------

/** An existing vendor or person (by index into the world) or a new one (by token). */
type Ref =
  | { by: 'id'; index: number }
  | { by: 'key'; index: number; upper: boolean }
  | { by: 'new'; token: number };

/** Who a reference is, whatever way it is written: the same person twice has the same identity. */
const identity = (ref: Ref) => (ref.by === 'new' ? `new:${ref.token}` : `old:${ref.index}`);

/** New vendors and people are few, so that rows share them and createMissing must dedupe. */
const NEW_TOKENS = 3;

function refArbitrary(count: number, allowId: boolean): fc.Arbitrary<Ref> {
  const index = fc.nat({ max: count - 1 });
  const choices: fc.WeightedArbitrary<Ref>[] = [
    {
      weight: 4,
      arbitrary: fc.record({ by: fc.constant('key' as const), index, upper: fc.boolean() }),
    },
    {
      weight: 1,
      arbitrary: fc.record({
        by: fc.constant('new' as const),
        token: fc.nat({ max: NEW_TOKENS - 1 }),
      }),
    },
  ];
  if (allowId) {
    choices.push({ weight: 2, arbitrary: fc.record({ by: fc.constant('id' as const), index }) });
  }
  return fc.oneof(...choices);
}

// ---- Text ---------------------------------------------------------------------------------

/** Cells a spreadsheet runs as formulas: they must import, and read back, as plain text. */
export const FORMULAS = [
  '=1+1',
  '=SUM(A1:A9)',
  '+49 30 1234567',
  '-5+3',
  '@SUM(1;2)',
  '=HYPERLINK("https://evil.example/x","click me")',
  "=cmd|' /C calc'!A0",
  '=A1,B2',
  '+x:y',
  '-2;3',
  '@handover',
];

/** Words that exercise CSV quoting and the `;`/`:` list escapes (none leads or ends a value). */
const WORDS = [
  'invoice',
  'extraction',
  'Ünïcødé',
  'مرحبا',
  '数据平台',
  '👩‍💻',
  "O'Brien",
  'say "hi"',
  'a,b',
  'x;y',
  'k:v',
  'back\\slash',
  'line\nbreak',
  'crlf\r\nbreak',
  'tab\there',
  '<b>bold</b>',
  '=inner',
  '%00',
  'e\u0301',
];

const EDGE_WORDS = ['Alpha', 'beta', 'Gamma', 'delta', 'Kappa7', 'zeta'];

/**
 * A value without leading or trailing whitespace (the import trims some fields and splits
 * lists at trimmed items), never a placeholder, sometimes starting like a formula.
 */
function text(options: { minLength?: number; formula?: number } = {}): fc.Arbitrary<string> {
  const minLength = options.minLength ?? 1;
  const formulaWeight = Math.round((options.formula ?? 0.3) * 100);
  return fc
    .tuple(
      fc.oneof(
        { weight: formulaWeight, arbitrary: fc.constantFrom(...FORMULAS) },
        { weight: 100 - formulaWeight, arbitrary: fc.constant('') },
      ),
      fc.constantFrom(...EDGE_WORDS),
      fc.array(fc.constantFrom(...WORDS), { maxLength: 3 }),
      fc.constantFrom(...EDGE_WORDS),
      fc.boolean(),
    )
    .map(([formula, first, middle, last, formulaOnly]) => {
      let value =
        formula && formulaOnly ? formula : `${formula}${[first, ...middle, last].join(' ')}`;
      // A formula ends in a letter or digit or `)`, a quote or `!A0`: never whitespace.
      if (value.length < minLength) value = `${value} ${'handover problem statement'}`;
      return value;
    });
}

// ---- Rows ---------------------------------------------------------------------------------

/** Problems that make a row invalid, each one the import must name with the row's number. */
export const ROW_FAULTS = [
  'shortTitle',
  'missingTitle',
  'nulInTitle',
  'placeholderProblem',
  'shortProblem',
  'noMetrics',
  'metricWithoutTarget',
  'badDate',
  'badNotice',
  'badCriticality',
  'badEmail',
  'unknownVendorId',
  'bothVendorRefs',
  'noVendorRef',
  'noOwnerRef',
  'repeatedRecipient',
  'takenContractRef',
  'duplicateContractRef',
  // JSON only (a CSV file has no types, fields or plan beyond its columns):
  'wrongType',
  'unknownField',
  'notAnObject',
  'badPlan',
  'finalHandoverTwice',
] as const;
export type RowFault = (typeof ROW_FAULTS)[number];

const JSON_ONLY = new Set<RowFault>([
  'wrongType',
  'unknownField',
  'notAnObject',
  'badPlan',
  'finalHandoverTwice',
]);

interface PlanMilestone {
  name: string;
  kind: 'delivery' | 'handover' | 'final_handover';
  dueDate: string;
  artifacts: { kind: string; title: string }[];
}

export interface RowModel {
  title: string;
  vendor: Ref;
  /**
   * A contract reference, unique to its row (`row`, set once the rows are known) unless a
   * duplicateContractRef row copies another's.
   */
  contractRef: { group: number; prefix: string; row: number } | null;
  owner: Ref;
  problem: string;
  metrics: { name: string; target: string }[];
  constraints: string[];
  tradeOffOwner: Ref;
  tradeOffRule: string | null;
  /** Distinct people (by identity). */
  recipients: Ref[];
  startDate: string | null;
  contractEndDate: string | null;
  noticePeriodDays: number | null;
  finalHandoverDate: string | null;
  criticality: 'standard' | 'important' | 'critical' | null;
  /** JSON only: milestones with their artifacts. */
  plan: PlanMilestone[];
  fault: RowFault | null;
  /** Which variant of the fault (e.g. which wrong type). */
  variant: number;
}

const date = fc.integer({ min: -400, max: 800 }).map((days) => addDays(todayUtc(), days));
const orNull = <T>(arbitrary: fc.Arbitrary<T>) =>
  fc.oneof({ weight: 3, arbitrary }, { weight: 1, arbitrary: fc.constant(null) });

function planArbitrary(): fc.Arbitrary<PlanMilestone[]> {
  const milestone = fc.record({
    name: text({ formula: 0.2 }),
    kind: fc.constantFrom('delivery' as const, 'handover' as const),
    dueDate: date,
    artifacts: fc.array(
      fc.record({
        kind: fc.constantFrom('documentation', 'runbook', 'test_suite', 'other'),
        title: text({ formula: 0.3 }),
      }),
      { maxLength: 2 },
    ),
  });
  return fc.oneof(
    { weight: 3, arbitrary: fc.constant<PlanMilestone[]>([]) },
    { weight: 1, arbitrary: fc.array(milestone, { minLength: 1, maxLength: 2 }) },
  );
}

function rowArbitrary(world: BulkWorld, format: 'json' | 'csv', faulty: number) {
  const faults = ROW_FAULTS.filter((fault) => format === 'json' || !JSON_ONLY.has(fault));
  const faultWeight = Math.round(faulty * 100);
  return fc.record<RowModel>({
    title: text({ minLength: 3 }),
    vendor: refArbitrary(world.vendors.length, true),
    contractRef: orNull(
      fc.record({
        group: fc.nat({ max: 1_000_000 }),
        row: fc.constant(0),
        prefix: fc.constantFrom('PO-', '=PO-', '+PO-', '-PO-', '@PO-', 'Vertrag "Q" ', 'c,r;'),
      }),
    ),
    owner: refArbitrary(world.people.length, true),
    problem: text({ minLength: 20 }),
    metrics: fc.array(fc.record({ name: text(), target: text() }), { minLength: 1, maxLength: 3 }),
    constraints: fc.array(text(), { minLength: 1, maxLength: 3 }),
    tradeOffOwner: refArbitrary(world.people.length, true),
    tradeOffRule: orNull(text()),
    recipients: fc.uniqueArray(refArbitrary(world.people.length, format === 'json'), {
      maxLength: 3,
      selector: identity,
    }),
    startDate: orNull(date),
    contractEndDate: orNull(date),
    noticePeriodDays: orNull(fc.integer({ min: 0, max: 3650 })),
    finalHandoverDate: orNull(date),
    criticality: orNull(
      fc.constantFrom('standard' as const, 'important' as const, 'critical' as const),
    ),
    plan: format === 'json' ? planArbitrary() : fc.constant([]),
    fault: fc.oneof(
      { weight: faultWeight, arbitrary: fc.constantFrom(...faults) },
      { weight: 100 - faultWeight, arbitrary: fc.constant(null) },
    ),
    variant: fc.nat({ max: 5 }),
  });
}

// ---- Whole cases --------------------------------------------------------------------------

/** What is wrong with the body as a whole: each is a 400 (or 415 for the media type). */
export const BODY_FAULTS = [
  'unclosedQuote',
  'strayQuote',
  'textAfterQuote',
  'raggedRow',
  'unknownColumn',
  'repeatedColumn',
  'headerOnly',
  'emptyFile',
  'notAnArray',
  'emptyArray',
  'malformedJson',
] as const;
export type BodyFault = (typeof BODY_FAULTS)[number];

const CSV_BODY_FAULTS: BodyFault[] = [
  'unclosedQuote',
  'strayQuote',
  'textAfterQuote',
  'raggedRow',
  'unknownColumn',
  'repeatedColumn',
  'headerOnly',
  'emptyFile',
];
const JSON_BODY_FAULTS: BodyFault[] = ['notAnArray', 'emptyArray', 'malformedJson'];

/** Content types the import refuses (415), or the other format's type for a body (400). */
export const FOREIGN_CONTENT_TYPES = [
  'text/plain',
  'application/x-www-form-urlencoded',
  'application/xml',
  'multipart/form-data; boundary=x',
  'application/csv',
  'text/tab-separated-values',
  'text/csvx',
];

export type ContentTypeChoice =
  | { kind: 'proper'; spelling: number }
  | { kind: 'foreign'; type: string }
  | { kind: 'swapped' }
  | { kind: 'none' };

export type FlagValue = 'true' | 'false' | 'bad' | null;

export interface ImportCase {
  format: 'json' | 'csv';
  rows: RowModel[];
  role: Role | 'none';
  dryRun: FlagValue;
  createMissing: FlagValue;
  badFlagValue: string;
  contentType: ContentTypeChoice;
  bodyFault: BodyFault | null;
  idempotent: boolean;
  csv: {
    encoding: 'raw' | 'neutralized' | 'quoted';
    eol: '\n' | '\r\n';
    bom: boolean;
    trailingEol: boolean;
    blankLines: boolean;
    readOnlyColumns: string[];
    /** A seed for column order and for where a fault goes. */
    shuffle: number;
  };
  json: { pretty: boolean };
}

const ALLOWED_ROLES: Role[] = ['admin', 'procurement', 'integration'];
const REFUSED_ROLES: Role[] = ['product_owner', 'viewer', 'reporter'];

function flag(): fc.Arbitrary<FlagValue> {
  return fc.oneof(
    { weight: 6, arbitrary: fc.constant(null) },
    { weight: 3, arbitrary: fc.constantFrom('true' as const, 'false' as const) },
    { weight: 1, arbitrary: fc.constant('bad' as const) },
  );
}

/**
 * A whole import request. Most are well-formed, allowed and valid (so that imports happen and
 * what they create is checked), the others carry one or more faults of any kind.
 */
export function importCase(world: BulkWorld, maxRows: number): fc.Arbitrary<ImportCase> {
  return fc
    .record({
      format: fc.constantFrom('json' as const, 'csv' as const),
      faulty: fc.constantFrom(0, 0, 0.15, 0.5),
      rowCount: fc.oneof(
        { weight: 12, arbitrary: fc.integer({ min: 1, max: 4 }) },
        { weight: 2, arbitrary: fc.integer({ min: 5, max: 12 }) },
        { weight: 1, arbitrary: fc.integer({ min: maxRows - 1, max: maxRows + 2 }) },
      ),
    })
    .chain(({ format, faulty, rowCount }) =>
      fc.record<ImportCase>({
        format: fc.constant(format),
        rows: fc.array(rowArbitrary(world, format, faulty), {
          minLength: rowCount,
          maxLength: rowCount,
        }),
        role: fc.oneof(
          { weight: 30, arbitrary: fc.constantFrom(...ALLOWED_ROLES) },
          { weight: 2, arbitrary: fc.constantFrom(...REFUSED_ROLES) },
          { weight: 1, arbitrary: fc.constant('none' as const) },
        ),
        dryRun: flag(),
        createMissing: fc.oneof(
          { weight: 1, arbitrary: flag() },
          { weight: 1, arbitrary: fc.constant('true' as const) },
        ),
        badFlagValue: fc.constantFrom('yes', '1', '', 'TRUE', 'null', 'true,false'),
        contentType: fc.oneof(
          {
            weight: 25,
            arbitrary: fc.record({
              kind: fc.constant('proper' as const),
              spelling: fc.nat({ max: 3 }),
            }),
          },
          {
            weight: 1,
            arbitrary: fc.record({
              kind: fc.constant('foreign' as const),
              type: fc.constantFrom(...FOREIGN_CONTENT_TYPES),
            }),
          },
          { weight: 1, arbitrary: fc.constant({ kind: 'swapped' as const }) },
          { weight: 1, arbitrary: fc.constant({ kind: 'none' as const }) },
        ),
        bodyFault: fc.oneof(
          { weight: 12, arbitrary: fc.constant(null) },
          {
            weight: 2,
            arbitrary: fc.constantFrom(...(format === 'csv' ? CSV_BODY_FAULTS : JSON_BODY_FAULTS)),
          },
        ),
        idempotent: fc.boolean(),
        csv: fc.record({
          encoding: fc.constantFrom('raw' as const, 'neutralized' as const, 'quoted' as const),
          eol: fc.constantFrom('\n' as const, '\r\n' as const),
          bom: fc.boolean(),
          trailingEol: fc.boolean(),
          blankLines: fc.boolean(),
          readOnlyColumns: fc.subarray(['id', 'status', 'riskLevel', 'riskScore', 'createdAt'], {
            maxLength: 2,
          }),
          shuffle: fc.nat(),
        }),
        json: fc.record({ pretty: fc.boolean() }),
      }),
    )
    .map(settleDuplicates);
}

/**
 * A duplicateContractRef row copies the reference of an earlier row that is otherwise valid
 * (the import compares the references of rows that passed their field checks); without one it
 * has no fault. The first row of a case never duplicates.
 */
function settleDuplicates(fuzz: ImportCase): ImportCase {
  const rows = fuzz.rows.map((row, index) => ({
    ...row,
    contractRef: row.contractRef && { ...row.contractRef, row: index },
  }));
  rows.forEach((row, index) => {
    if (row.fault !== 'duplicateContractRef') return;
    const earlier = rows.slice(0, index).find((one) => one.fault === null && one.contractRef);
    if (earlier?.contractRef) row.contractRef = { ...earlier.contractRef };
    else row.fault = null;
  });
  return { ...fuzz, rows };
}

// ---- What a case expects ------------------------------------------------------------------

export interface Expectation {
  /** Every status the case's faults allow; a fault-free case allows exactly one. */
  statuses: Set<number>;
  /** The kinds of fault the case has (auth, mediaType, flags, body, rows). */
  causes: string[];
  /** 1-based rows a 422 import-invalid must name, exactly. */
  faultyRows: number[];
  /** True when more rows than IMPORT_MAX_ROWS are sent. */
  tooManyRows: boolean;
  /** Query fields a 400 names. */
  badFlags: string[];
  createMissing: boolean;
  dryRun: boolean;
}

export function expectationOf(fuzz: ImportCase, maxRows: number): Expectation {
  const statuses = new Set<number>();
  const createMissing = fuzz.createMissing === 'true';
  const dryRun = fuzz.dryRun === 'true';
  if (fuzz.role === 'none') statuses.add(401);
  else if (REFUSED_ROLES.includes(fuzz.role)) statuses.add(403);
  if (fuzz.contentType.kind === 'foreign') statuses.add(415);
  if (fuzz.contentType.kind === 'none') statuses.add(415).add(400);
  if (fuzz.contentType.kind === 'swapped') statuses.add(400);
  const badFlags = [
    ...(fuzz.dryRun === 'bad' ? ['dryRun'] : []),
    ...(fuzz.createMissing === 'bad' ? ['createMissing'] : []),
  ];
  if (badFlags.length > 0) statuses.add(400);
  if (fuzz.bodyFault) statuses.add(400);
  const tooManyRows = fuzz.rows.length > maxRows;
  const faultyRows = fuzz.rows.flatMap((row, index) =>
    row.fault !== null ||
    (!createMissing &&
      [row.vendor, row.owner, row.tradeOffOwner, ...row.recipients].some((ref) => ref.by === 'new'))
      ? [index + 1]
      : [],
  );
  if (tooManyRows || faultyRows.length > 0) statuses.add(422);
  if (statuses.size === 0) statuses.add(dryRun ? 200 : 201);
  const causes = [
    ...(fuzz.role === 'none' || REFUSED_ROLES.includes(fuzz.role) ? ['auth'] : []),
    ...(fuzz.contentType.kind !== 'proper' ? ['mediaType'] : []),
    ...(badFlags.length > 0 ? ['flags'] : []),
    ...(fuzz.bodyFault ? ['body'] : []),
    ...(tooManyRows || faultyRows.length > 0 ? ['rows'] : []),
  ];
  return { statuses, causes, faultyRows, tooManyRows, badFlags, createMissing, dryRun };
}

// ---- Bytes --------------------------------------------------------------------------------

/** Names that make one request's new vendors, people and contract refs its own. */
export interface Uniques {
  send: number;
  run: string;
}

const newVendorName = (u: Uniques, token: number) => `Fuzz vendor ${u.run}-${u.send}-${token}`;
const newEmail = (u: Uniques, token: number) => `new-${u.run}-${u.send}-${token}@fuzz.example.com`;
const contractRefOf = (u: Uniques, ref: { group: number; prefix: string; row: number }) =>
  `${ref.prefix}${u.run}-${u.send}-${ref.row}-${ref.group}`;

function vendorKey(world: BulkWorld, u: Uniques, ref: Ref): string {
  if (ref.by === 'new') return newVendorName(u, ref.token);
  const name = world.vendors[ref.index].name;
  return ref.by === 'key' && ref.upper ? name.toUpperCase() : name;
}

function personKey(world: BulkWorld, u: Uniques, ref: Ref): string {
  if (ref.by === 'new') return newEmail(u, ref.token);
  const email = world.people[ref.index].email;
  return ref.by === 'key' && ref.upper ? email.toUpperCase() : email;
}

const UNKNOWN_UUID = '0b6f1e2a-3c4d-4e5f-8a9b-0c1d2e3f4a5b';

/** The JSON body of a row, natural keys and ids as its references say, its fault applied. */
function jsonRow(world: BulkWorld, u: Uniques, row: RowModel): unknown {
  const body: Record<string, unknown> = { title: row.title };
  const spec: Record<string, unknown> = {
    problem: row.problem,
    successMetrics: row.metrics,
    constraints: row.constraints,
  };
  const vendor =
    row.vendor.by === 'id'
      ? { vendorId: world.vendors[row.vendor.index].id }
      : { vendorName: vendorKey(world, u, row.vendor) };
  Object.assign(body, vendor);
  if (row.contractRef) body.contractRef = contractRefOf(u, row.contractRef);
  if (row.owner.by === 'id') body.productOwnerId = world.people[row.owner.index].id;
  else body.productOwnerEmail = personKey(world, u, row.owner);
  if (row.tradeOffOwner.by === 'id')
    spec.tradeOffOwnerId = world.people[row.tradeOffOwner.index].id;
  else spec.tradeOffOwnerEmail = personKey(world, u, row.tradeOffOwner);
  if (row.tradeOffRule !== null) spec.tradeOffRule = row.tradeOffRule;
  body.spec = spec;
  const ids = row.recipients.filter((ref) => ref.by === 'id');
  const emails = row.recipients.filter((ref) => ref.by !== 'id');
  if (ids.length > 0)
    body.knowledgeRecipientIds = ids.map(
      (ref) => world.people[(ref as { index: number }).index].id,
    );
  if (emails.length > 0)
    body.knowledgeRecipientEmails = emails.map((ref) => personKey(world, u, ref));
  for (const field of [
    'startDate',
    'contractEndDate',
    'noticePeriodDays',
    'finalHandoverDate',
    'criticality',
  ] as const) {
    if (row[field] !== null) body[field] = row[field];
  }
  if (row.plan.length > 0) body.milestones = row.plan;
  switch (row.fault) {
    case 'wrongType': {
      const wrong: [string, unknown][] = [
        ['title', 42],
        ['spec', 'spec'],
        ['knowledgeRecipientEmails', 'li.wei@example.com'],
        ['noticePeriodDays', '60'],
        ['startDate', 20261201],
        ['milestones', { name: 'x' }],
      ];
      const [field, value] = wrong[row.variant % wrong.length];
      body[field] = value;
      break;
    }
    case 'unknownField':
      body[['colour', 'vendor', 'knowledgeRecipients', 'Title'][row.variant % 4]] = 'blue';
      break;
    case 'notAnObject':
      return [7, 'row', null, [], true, [body]][row.variant % 6];
    case 'badPlan':
      body.milestones = [
        row.variant % 2 === 0
          ? { name: 'Launch', kind: 'launch', dueDate: addDays(todayUtc(), 30) }
          : {
              name: 'Handover',
              kind: 'handover',
              dueDate: addDays(todayUtc(), 30),
              artifacts: [{ kind: 'memo', title: 'A memo' }],
            },
      ];
      break;
    case 'finalHandoverTwice':
      body.finalHandoverDate = addDays(todayUtc(), 100);
      body.milestones = [
        { name: 'Exit', kind: 'final_handover', dueDate: addDays(todayUtc(), 90) },
      ];
      break;
    default:
      applyCommonFault(world, u, row, {
        set: (field, value) => {
          if (['problem', 'successMetrics', 'constraints', 'tradeOffOwnerEmail'].includes(field)) {
            if (value === undefined) delete spec[field];
            else spec[field] = value;
          } else if (value === undefined) delete body[field];
          else body[field] = value;
        },
        metricWithoutTarget: () => [{ name: 'Accuracy' }],
        noMetrics: () => [],
      });
  }
  return body;
}

interface FaultTarget {
  /** Sets a field by its JSON name (spec fields by their own name); undefined removes it. */
  set(field: string, value: unknown): void;
  metricWithoutTarget(): unknown;
  noMetrics(): unknown;
}

/** The faults JSON and CSV share, applied to a row's fields. */
function applyCommonFault(world: BulkWorld, u: Uniques, row: RowModel, target: FaultTarget) {
  const { set } = target;
  switch (row.fault) {
    case 'shortTitle':
      set('title', ['ab', ' x ', '=1'][row.variant % 3]);
      break;
    case 'missingTitle':
      set('title', undefined);
      break;
    case 'nulInTitle':
      set('title', `${row.title}\u0000`);
      break;
    case 'placeholderProblem':
      set('problem', ['TBD', 'n/a', '...', 'To be defined', '-', '?'][row.variant % 6]);
      break;
    case 'shortProblem':
      set('problem', 'Too short to say');
      break;
    case 'noMetrics':
      set('successMetrics', target.noMetrics());
      break;
    case 'metricWithoutTarget':
      set('successMetrics', target.metricWithoutTarget());
      break;
    case 'badDate':
      set(
        ['startDate', 'contractEndDate', 'finalHandoverDate'][row.variant % 3],
        ['2026-02-30', '2026-13-01', 'tomorrow', '2026-1-1'][row.variant % 4],
      );
      break;
    case 'badNotice':
      set('noticePeriodDays', [-1, 3651, 1.5, 99_999_999_999][row.variant % 4]);
      break;
    case 'badCriticality':
      set('criticality', ['extreme', 'Critical', 'none'][row.variant % 3]);
      break;
    case 'badEmail':
      set('productOwnerId', undefined);
      set(
        'productOwnerEmail',
        ['not-an-email', 'a@', '@example.com', 'a b@example.com'][row.variant % 4],
      );
      break;
    case 'unknownVendorId':
      set('vendorName', undefined);
      set('vendorId', row.variant % 2 === 0 ? UNKNOWN_UUID : 'not-a-uuid');
      break;
    case 'bothVendorRefs':
      set('vendorId', world.vendors[0].id);
      set('vendorName', world.vendors[0].name);
      break;
    case 'noVendorRef':
      set('vendorId', undefined);
      set('vendorName', undefined);
      break;
    case 'noOwnerRef':
      set('productOwnerId', undefined);
      set('productOwnerEmail', undefined);
      break;
    case 'repeatedRecipient': {
      const email = world.people[row.variant % world.people.length].email;
      set('knowledgeRecipientEmails', [email, email.toUpperCase()]);
      break;
    }
    case 'takenContractRef':
      set('contractRef', world.takenContractRef);
      break;
    default:
      break;
  }
}

/** The cells of a row by column, its fault applied; absent values are empty cells. */
function csvCells(world: BulkWorld, u: Uniques, row: RowModel): Record<string, string> {
  const cells: Record<string, string> = {
    title: row.title,
    problem: row.problem,
    successMetrics: joinPairs(row.metrics),
    constraints: joinList(row.constraints, ';'),
    tradeOffRule: row.tradeOffRule ?? '',
    knowledgeRecipientEmails: joinList(
      row.recipients.map((ref) => personKey(world, u, ref)),
      ';',
    ),
    contractRef: row.contractRef ? contractRefOf(u, row.contractRef) : '',
  };
  if (row.vendor.by === 'id') cells.vendorId = world.vendors[row.vendor.index].id;
  else cells.vendorName = vendorKey(world, u, row.vendor);
  if (row.owner.by === 'id') cells.productOwnerId = world.people[row.owner.index].id;
  else cells.productOwnerEmail = personKey(world, u, row.owner);
  if (row.tradeOffOwner.by === 'id')
    cells.tradeOffOwnerId = world.people[row.tradeOffOwner.index].id;
  else cells.tradeOffOwnerEmail = personKey(world, u, row.tradeOffOwner);
  for (const field of [
    'startDate',
    'contractEndDate',
    'noticePeriodDays',
    'finalHandoverDate',
    'criticality',
  ] as const) {
    if (row[field] !== null) cells[field] = String(row[field]);
  }
  applyCommonFault(world, u, row, {
    set: (field, value) => {
      if (value === undefined) delete cells[field];
      else cells[field] = Array.isArray(value) ? joinList(value as string[], ';') : String(value);
    },
    metricWithoutTarget: () => 'Accuracy',
    noMetrics: () => undefined,
  });
  if (row.fault === 'badNotice' && row.variant % 4 === 2) cells.noticePeriodDays = 'sixty';
  return cells;
}

/** A deterministic shuffle of `items` by `seed`. */
function shuffled<T>(items: T[], seed: number): T[] {
  const out = [...items];
  let state = seed || 1;
  for (let i = out.length - 1; i > 0; i--) {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    const j = state % (i + 1);
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

function csvBody(world: BulkWorld, u: Uniques, fuzz: ImportCase): string {
  const { csv } = fuzz;
  const encode = (value: string) =>
    csv.encoding === 'neutralized'
      ? csvField(value)
      : csv.encoding === 'quoted'
        ? `"${value.replace(/"/g, '""')}"`
        : /[",\r\n]/.test(value)
          ? `"${value.replace(/"/g, '""')}"`
          : value;
  let header = shuffled([...IMPORT_COLUMNS, ...csv.readOnlyColumns], csv.shuffle);
  if (fuzz.bodyFault === 'unknownColumn') header = [...header, 'colour'];
  if (fuzz.bodyFault === 'repeatedColumn')
    header = [...header, header[csv.shuffle % header.length]];
  const lines = [header.map(encode).join(',')];
  const readOnly: Record<string, string> = {
    id: UNKNOWN_UUID,
    status: 'active',
    riskLevel: 'critical',
    riskScore: '=99',
    createdAt: 'yesterday',
    colour: 'blue',
  };
  if (fuzz.bodyFault !== 'headerOnly' && fuzz.bodyFault !== 'emptyFile') {
    fuzz.rows.forEach((row, index) => {
      const cells = csvCells(world, u, row);
      const values = header.map((column) => cells[column] ?? readOnly[column] ?? '');
      const encoded = values.map((value) => (value === '' ? '' : encode(value)));
      const target = csv.shuffle % fuzz.rows.length;
      if (index === target) {
        if (fuzz.bodyFault === 'raggedRow') {
          if (csv.shuffle % 2 === 0) encoded.push('extra');
          else encoded.pop();
        }
        if (fuzz.bodyFault === 'strayQuote') encoded[0] = 'ab"cd';
        if (fuzz.bodyFault === 'textAfterQuote') encoded[0] = '"ab"cd';
      }
      if (csv.blankLines && index % 2 === 1) lines.push('');
      lines.push(encoded.join(','));
    });
  }
  // A quote opened on the last line and never closed: nothing after it can close it.
  if (fuzz.bodyFault === 'unclosedQuote') lines.push(`"unclosed${','.repeat(header.length - 1)}`);
  if (fuzz.bodyFault === 'emptyFile')
    return csv.bom ? '\uFEFF' : ['', csv.eol, ' '][csv.shuffle % 3];
  return (csv.bom ? '\uFEFF' : '') + lines.join(csv.eol) + (csv.trailingEol ? csv.eol : '');
}

function jsonBody(world: BulkWorld, u: Uniques, fuzz: ImportCase): string {
  const rows = fuzz.rows.map((row) => jsonRow(world, u, row));
  const stringify = (value: unknown) =>
    fuzz.json.pretty ? JSON.stringify(value, null, 2) : JSON.stringify(value);
  switch (fuzz.bodyFault) {
    case 'notAnArray':
      return stringify(rows.length === 1 ? rows[0] : { rows });
    case 'emptyArray':
      return '[]';
    case 'malformedJson': {
      const text = stringify(rows);
      return text.slice(0, Math.max(1, Math.floor(text.length / 2)));
    }
    default:
      return stringify(rows);
  }
}

const PROPER_TYPES = {
  json: [
    'application/json',
    'application/json; charset=utf-8',
    'application/json;charset=UTF-8',
    'application/json',
  ],
  csv: [
    'text/csv',
    'text/csv; charset=utf-8',
    'text/csv; header=present',
    'text/csv;charset=UTF-8',
  ],
};

/** The request's bytes, with the API key of its role and names unique to this send. */
export function importRequest(
  world: BulkWorld,
  u: Uniques,
  fuzz: ImportCase,
  keys: Record<Role, string>,
): RawRequest {
  const text = fuzz.format === 'csv' ? csvBody(world, u, fuzz) : jsonBody(world, u, fuzz);
  const headers: Record<string, string> = {};
  const other = fuzz.format === 'csv' ? 'json' : 'csv';
  switch (fuzz.contentType.kind) {
    case 'proper':
      headers['Content-Type'] = PROPER_TYPES[fuzz.format][fuzz.contentType.spelling];
      break;
    case 'foreign':
      headers['Content-Type'] = fuzz.contentType.type;
      break;
    case 'swapped':
      headers['Content-Type'] = PROPER_TYPES[other][0];
      break;
    case 'none':
      break;
  }
  if (fuzz.role !== 'none') headers.Authorization = `Bearer ${keys[fuzz.role]}`;
  if (fuzz.idempotent) headers['Idempotency-Key'] = `fuzz-import-${u.run}-${u.send}`;
  const query: string[] = [];
  for (const name of ['dryRun', 'createMissing'] as const) {
    const value = fuzz[name];
    if (value === null) continue;
    if (value !== 'bad') query.push(`${name}=${value}`);
    else if (fuzz.badFlagValue === 'true,false') query.push(`${name}=true&${name}=false`);
    else query.push(`${name}=${encodeURIComponent(fuzz.badFlagValue)}`);
  }
  return {
    method: 'POST',
    path: IMPORT_PATH + (query.length > 0 ? `?${query.join('&')}` : ''),
    headers,
    body: Buffer.from(text, 'utf8'),
  };
}

/** A request as a failure report shows it: enough to replay it with curl. */
export function describeImport(request: RawRequest): string {
  const headers = { ...request.headers };
  if (headers.Authorization) headers.Authorization = 'Bearer <key of the role>';
  return [
    `${request.method} ${request.path}`,
    `headers: ${JSON.stringify(headers)}`,
    `body: ${JSON.stringify(abbreviate(request.body?.toString('utf8') ?? '', 4000))}`,
  ].join('\n  ');
}

// ---- What a valid import reads back as ----------------------------------------------------

export interface ExpectedEngagement {
  title: string;
  contractRef: string | null;
  vendor: { id: string } | { newName: string };
  productOwner: { id: string } | { newEmail: string };
  spec: {
    problem: string;
    successMetrics: { name: string; target: string }[];
    constraints: string[];
    tradeOffRule: string | null;
  };
  recipients: number;
  startDate: string | null;
  contractEndDate: string | null;
  noticePeriodDays: number;
  criticality: string;
  milestones: number;
  artifacts: number;
}

/** What each row of a fault-free case creates, and the new vendors and people it names. */
export function expectedImport(world: BulkWorld, u: Uniques, fuzz: ImportCase) {
  const newVendors = new Set<string>();
  const newPeople = new Set<string>();
  const engagements = fuzz.rows.map((row): ExpectedEngagement => {
    for (const ref of [row.owner, row.tradeOffOwner, ...row.recipients]) {
      if (ref.by === 'new') newPeople.add(newEmail(u, ref.token));
    }
    if (row.vendor.by === 'new') newVendors.add(newVendorName(u, row.vendor.token));
    return {
      title: row.title,
      contractRef: row.contractRef ? contractRefOf(u, row.contractRef) : null,
      vendor:
        row.vendor.by === 'new'
          ? { newName: newVendorName(u, row.vendor.token) }
          : { id: world.vendors[row.vendor.index].id },
      productOwner:
        row.owner.by === 'new'
          ? { newEmail: newEmail(u, row.owner.token) }
          : { id: world.people[row.owner.index].id },
      spec: {
        problem: row.problem,
        successMetrics: row.metrics,
        constraints: row.constraints,
        tradeOffRule: row.tradeOffRule,
      },
      recipients: row.recipients.length,
      startDate: row.startDate,
      contractEndDate: row.contractEndDate,
      noticePeriodDays: row.noticePeriodDays ?? 0,
      criticality: row.criticality ?? 'standard',
      milestones: row.plan.length + (row.finalHandoverDate ? 1 : 0),
      artifacts: row.plan.reduce((sum, milestone) => sum + milestone.artifacts.length, 0),
    };
  });
  return { engagements, newVendors: [...newVendors], newPeople: [...newPeople] };
}
