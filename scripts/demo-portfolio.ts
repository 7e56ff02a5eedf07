import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { ARTIFACT_KINDS } from '../src/artifacts/artifact.entity.js';
import { addDays, todayUtc } from '../src/common/dates.js';
import { DEFAULT_RISK_POLICY, type RiskPolicy } from '../src/risk/assess-risk.js';
import { rebuildRisk } from '../src/risk/risk-maintenance.js';

/**
 * The demo portfolio behind `npm run seed:demo`, also used by the query-count test and
 * `npm run bench:risk`: vendors, people, engagements in every status, milestones with slipped
 * handovers and their ledger, artifacts delivered, accepted and rejected, written with bulk
 * inserts in one transaction. The shape depends only on the engagement count.
 */

const BATCH = 5000;
/** Demo ledger entries were not made through an API key: a nil id marks them. */
const DEMO_ACTOR = '00000000-0000-0000-0000-000000000000';

/** A small deterministic generator, so two runs give the same portfolio shape. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

const VENDORS = [
  'Acme AI Labs',
  'Northwind Analytics',
  'Blue Heron Data',
  'Quantix Consulting',
  'Vectorworks ML',
  'Lumen Automation',
  'Cobalt Cloud Partners',
  'Meridian Insights',
];
const FIRST = [
  'Priya',
  'Sam',
  'Jonas',
  'Aiko',
  'Mateo',
  'Fatima',
  'Liam',
  'Chen',
  'Olga',
  'Kwame',
  'Sofia',
  'Ravi',
];
const LAST = [
  'Raman',
  'Okafor',
  'Berg',
  'Tanaka',
  'Silva',
  'Haddad',
  'Murphy',
  'Wei',
  'Ivanova',
  'Mensah',
  'Rossi',
  'Patel',
];
const TEAMS = [
  'Data Platform',
  'Finance Systems',
  'Customer Care',
  'Supply Chain',
  'Security',
  'Growth',
];
const SUBJECTS = [
  [
    'Invoice data extraction',
    'Accounts payable keys thousands of supplier invoices by hand each month',
  ],
  ['Support ticket triage', 'Agents spend a third of their day routing tickets to the right queue'],
  ['Demand forecasting', 'Stock-outs on top sellers cost sales while slow movers tie up capital'],
  ['Contract clause review', 'Legal reviews every supplier contract line by line before signature'],
  ['Fraud scoring', 'Chargebacks rose sharply and the rule engine misses new fraud patterns'],
  ['Churn prediction', 'Retention calls go to customers who would have stayed anyway'],
  [
    'Document search assistant',
    'Engineers cannot find the runbooks and decisions that already exist',
  ],
  ['Route optimisation', 'Delivery vans drive empty kilometres because routes are planned by hand'],
];

type Row = unknown[];

/** Inserts rows in batches through unnest: one statement per 5,000 rows. */
type Query = (sql: string, parameters: unknown[]) => Promise<unknown>;

async function bulkInsert(query: Query, table: string, columns: [string, string][], rows: Row[]) {
  for (let start = 0; start < rows.length; start += BATCH) {
    const batch = rows.slice(start, start + BATCH);
    const arrays = columns.map((_, index) => batch.map((row) => row[index]));
    const list = columns.map(([name]) => `"${name}"`).join(', ');
    const unnest = columns.map(([, type], index) => `$${index + 1}::${type}[]`).join(', ');
    await query(`INSERT INTO ${table} (${list}) SELECT * FROM unnest(${unnest})`, arrays);
  }
}

/** What seedDemoPortfolio inserted, by table. */
export type DemoPortfolioCounts = Record<
  'vendors' | 'people' | 'engagements' | 'milestones' | 'dateChanges' | 'artifacts',
  number
>;

/** A fixed shape for every engagement instead of the demo's varied one (benchmarks). */
export interface PortfolioShape {
  /** Milestones per engagement, the final handover included (≥ 1). */
  milestones: number;
  /** Artifacts per engagement, spread over its milestones. */
  artifacts: number;
}

const INTERIM_MILESTONES: [string, string][] = [
  ['Architecture walkthrough', 'handover'],
  ['Pilot in production', 'delivery'],
  ['Runbook review', 'handover'],
  ['Load test sign-off', 'delivery'],
  ['Shadowing week', 'handover'],
];

/**
 * Inserts a portfolio of `engagementCount` engagements into a migrated database and derives
 * every engagement's risk facts and timeline, as the write pipeline would have. `suffix` is
 * appended to vendor names and people's e-mails (which are unique) to add a second portfolio
 * to a database that already holds one.
 */
export async function seedDemoPortfolio(
  dataSource: DataSource,
  engagementCount: number,
  suffix = '',
  shape?: PortfolioShape,
  policy: RiskPolicy = DEFAULT_RISK_POLICY,
): Promise<DemoPortfolioCounts> {
  const counts = await insertDemoRows(dataSource, engagementCount, suffix, shape);
  await rebuildRisk(dataSource, policy);
  return counts;
}

/** The demo portfolio's rows alone: vendors, people, engagements and what is in them. */
export async function insertDemoRows(
  dataSource: DataSource,
  engagementCount: number,
  suffix = '',
  shape?: PortfolioShape,
): Promise<DemoPortfolioCounts> {
  const next = random(engagementCount);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)];
  const between = (low: number, high: number) => low + Math.floor(next() * (high - low + 1));
  const today = todayUtc();

  const vendors = VENDORS.map((name) => [
    randomUUID(),
    `${name}${suffix}`,
    `delivery@${name.split(' ')[0].toLowerCase()}.example`,
  ]);
  const peopleCount = Math.max(12, Math.ceil(engagementCount / 2));
  const people = Array.from({ length: peopleCount }, (_, index) => {
    const first = FIRST[index % FIRST.length];
    const last = LAST[Math.floor(index / FIRST.length) % LAST.length];
    const email = `${first}.${last}.${index}${suffix.replace(/\W/g, '')}@example.com`.toLowerCase();
    return [randomUUID(), `${first} ${last}`, email, pick(TEAMS)];
  });

  const engagements: Row[] = [];
  const recipients: Row[] = [];
  const milestones: Row[] = [];
  const dateChanges: Row[] = [];
  const artifacts: Row[] = [];
  const statuses = ['active', 'active', 'active', 'draft', 'completed', 'cancelled'] as const;

  for (let index = 0; index < engagementCount; index++) {
    const id = randomUUID();
    const status = statuses[index % statuses.length];
    const [subject, problem] = SUBJECTS[index % SUBJECTS.length];
    const owner = pick(people)[0];
    const finalDue =
      status === 'completed'
        ? addDays(today, -between(10, 200))
        : addDays(today, between(-30, 180));
    const slipDays = status !== 'draft' && next() < 0.35 ? between(7, 60) : 0;
    const baseline = status === 'draft' ? null : addDays(finalDue, -slipDays);
    const contractEnd = addDays(finalDue, between(-20, 120));
    const created = new Date(Date.now() - between(30, 400) * 86_400_000 + index);
    engagements.push([
      id,
      `${subject} ${Math.floor(index / SUBJECTS.length) + 1}`,
      pick(vendors)[0],
      `PO-${suffix.replace(/\W/g, '') || 'DEMO'}-${String(index + 1).padStart(6, '0')}`,
      status,
      owner,
      `${problem}; the work is to be delivered by the vendor and owned internally afterwards.`,
      JSON.stringify([
        {
          name: 'Automated share',
          target: `≥ ${between(60, 95)} %`,
          measurement: 'Monthly sample review',
        },
      ]),
      JSON.stringify(['Data stays in the EU', 'Runs on our own cloud tenant']),
      owner,
      'Quality over speed; the budget cap decides the rest.',
      addDays(finalDue, -between(90, 240)),
      contractEnd,
      pick([0, 30, 60, 90]),
      status === 'draft' ? null : created,
      status === 'completed' ? new Date() : null,
      status === 'cancelled' ? new Date() : null,
      status === 'cancelled' ? 'Budget withdrawn in the portfolio review' : null,
      created,
    ]);
    const recipientCount = index % 7 === 0 ? 1 : between(2, 3);
    const chosen = new Set<string>();
    while (chosen.size < recipientCount) chosen.add(pick(people)[0] as string);
    chosen.forEach((personId) => recipients.push([id, personId]));

    const plan: [string, string, string][] = shape
      ? [
          ...Array.from({ length: shape.milestones - 1 }, (_, step): [string, string, string] => {
            const [name, kind] = INTERIM_MILESTONES[step % INTERIM_MILESTONES.length];
            const weeksBefore = shape.milestones - 1 - step;
            return [name, kind, addDays(finalDue, -weeksBefore * between(10, 20))];
          }),
          ['Final handover', 'final_handover', finalDue],
        ]
      : [
          ['Architecture walkthrough', 'handover', addDays(finalDue, -between(40, 80))],
          ['Pilot in production', 'delivery', addDays(finalDue, -between(15, 35))],
          ['Final handover', 'final_handover', finalDue],
        ];
    plan.forEach(([name, kind, due], position) => {
      const milestoneId = randomUUID();
      const isFinal = kind === 'final_handover';
      const completed =
        status === 'completed' || (status === 'active' && !isFinal && due < today && next() < 0.6);
      milestones.push([
        milestoneId,
        id,
        name,
        kind,
        due,
        status === 'draft' ? null : isFinal ? baseline : due,
        completed ? due : null,
        created,
      ]);
      if (isFinal && slipDays > 0) {
        const firstStep = slipDays > 20 && next() < 0.5 ? Math.floor(slipDays / 2) : slipDays;
        dateChanges.push([
          randomUUID(),
          milestoneId,
          id,
          baseline,
          addDays(baseline as string, firstStep),
          'Vendor lost two engineers; new plan agreed in the steering meeting',
          created,
          DEMO_ACTOR,
          'Demo data',
        ]);
        if (firstStep !== slipDays) {
          dateChanges.push([
            randomUUID(),
            milestoneId,
            id,
            addDays(baseline as string, firstStep),
            finalDue,
            'Integration environment was not ready',
            created,
            DEMO_ACTOR,
            'Demo data',
          ]);
        }
      }
      const artifactCount = shape
        ? Math.floor(shape.artifacts / plan.length) +
          (position < shape.artifacts % plan.length ? 1 : 0)
        : status === 'draft' && index % 5 === 0
          ? 0
          : between(1, 4);
      for (let a = 0; a < artifactCount; a++) {
        const roll = next();
        const artifactStatus =
          status === 'completed' || completed
            ? 'accepted'
            : status === 'draft'
              ? 'required'
              : roll < 0.3
                ? 'required'
                : roll < 0.5
                  ? 'delivered'
                  : roll < 0.65
                    ? 'rejected'
                    : 'accepted';
        const delivered = artifactStatus !== 'required';
        artifacts.push([
          randomUUID(),
          id,
          milestoneId,
          pick(ARTIFACT_KINDS),
          `${pick(['Runbook', 'Architecture decision record', 'Code walkthrough', 'Training session', 'Test suite'])} ${a + 1}`,
          artifactStatus,
          delivered ? `https://wiki.example.com/handover/${id.slice(0, 8)}/${a + 1}` : null,
          delivered ? created : null,
          artifactStatus === 'accepted' ? created : null,
          artifactStatus === 'accepted' ? owner : null,
          artifactStatus === 'rejected' ? 'Missing the recovery procedure' : null,
          artifactStatus === 'rejected' ? 1 : artifactStatus === 'accepted' && next() < 0.2 ? 1 : 0,
          created,
        ]);
      }
    });
  }

  await dataSource.transaction(async (manager) => {
    const insert = (table: string, columns: [string, string][], rows: Row[]) =>
      bulkInsert((sql, parameters) => manager.query(sql, parameters), table, columns, rows);
    await insert(
      'vendors',
      [
        ['id', 'uuid'],
        ['name', 'varchar'],
        ['contact_email', 'varchar'],
      ],
      vendors,
    );
    await insert(
      'people',
      [
        ['id', 'uuid'],
        ['name', 'varchar'],
        ['email', 'varchar'],
        ['team', 'varchar'],
      ],
      people,
    );
    await insert(
      'engagements',
      [
        ['id', 'uuid'],
        ['title', 'varchar'],
        ['vendor_id', 'uuid'],
        ['contract_ref', 'varchar'],
        ['status', 'engagement_status'],
        ['product_owner_id', 'uuid'],
        ['spec_problem', 'text'],
        ['spec_success_metrics', 'jsonb'],
        ['spec_constraints', 'jsonb'],
        ['spec_trade_off_owner_id', 'uuid'],
        ['spec_trade_off_rule', 'text'],
        ['start_date', 'date'],
        ['contract_end_date', 'date'],
        ['notice_period_days', 'int'],
        ['activated_at', 'timestamptz'],
        ['completed_at', 'timestamptz'],
        ['cancelled_at', 'timestamptz'],
        ['cancel_reason', 'text'],
        ['created_at', 'timestamptz'],
      ],
      engagements,
    );
    await insert(
      'engagement_knowledge_recipients',
      [
        ['engagement_id', 'uuid'],
        ['person_id', 'uuid'],
      ],
      recipients,
    );
    await insert(
      'milestones',
      [
        ['id', 'uuid'],
        ['engagement_id', 'uuid'],
        ['name', 'varchar'],
        ['kind', 'milestone_kind'],
        ['due_date', 'date'],
        ['baseline_due_date', 'date'],
        ['completed_on', 'date'],
        ['created_at', 'timestamptz'],
      ],
      milestones,
    );
    await insert(
      'milestone_date_changes',
      [
        ['id', 'uuid'],
        ['milestone_id', 'uuid'],
        ['engagement_id', 'uuid'],
        ['from_date', 'date'],
        ['to_date', 'date'],
        ['reason', 'text'],
        ['changed_at', 'timestamptz'],
        ['changed_by_api_key_id', 'uuid'],
        ['changed_by_name', 'varchar'],
      ],
      dateChanges,
    );
    await insert(
      'artifacts',
      [
        ['id', 'uuid'],
        ['engagement_id', 'uuid'],
        ['milestone_id', 'uuid'],
        ['kind', 'artifact_kind'],
        ['title', 'varchar'],
        ['status', 'artifact_status'],
        ['evidence_url', 'varchar'],
        ['delivered_at', 'timestamptz'],
        ['accepted_at', 'timestamptz'],
        ['accepted_by_id', 'uuid'],
        ['rejection_reason', 'text'],
        ['rejection_count', 'int'],
        ['created_at', 'timestamptz'],
      ],
      artifacts,
    );
  });
  return {
    vendors: vendors.length,
    people: people.length,
    engagements: engagements.length,
    milestones: milestones.length,
    dateChanges: dateChanges.length,
    artifacts: artifacts.length,
  };
}
