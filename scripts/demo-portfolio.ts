import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { ARTIFACT_KINDS } from '../src/artifacts/artifact.entity.js';
import { addDays, daysBetween, todayUtc } from '../src/common/dates.js';
import type { DrillKind, DrillOutcome, VendorAssistance } from '../src/drills/drill.entity.js';
import type { Criticality, ExitPlan, ExitStrategy } from '../src/engagements/engagement.entity.js';
import type { SprintOutcome } from '../src/learning/learning-sprint.entity.js';
import {
  type DateRange,
  MENTOR_MAX_LEARNERS,
  mentorLearners,
  overlaps,
} from '../src/learning/learning-rules.js';
import type { RiskPolicy } from '../src/config/policies.js';
import { DEFAULT_RISK_POLICY } from '../src/risk/assess-risk.js';
import { rebuildRisk } from '../src/risk/risk-maintenance.js';

/**
 * The demo portfolio behind `npm run seed:demo`, also used by the query-count test and
 * `npm run bench:risk`: vendors, people, engagements in every status, milestones with slipped
 * handovers and their ledger, artifacts delivered, accepted and rejected, drills (passed without
 * help, with advice or hands-on help, failed, planned; exit rehearsals), criticality and exit
 * plans, learning sprints (planned, running, completed with their lessons: the playbook),
 * written with bulk inserts in one transaction. The shape depends only on the engagement count.
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

const STATUSES = ['active', 'active', 'active', 'draft', 'completed', 'cancelled'] as const;

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
  | 'vendors'
  | 'people'
  | 'engagements'
  | 'milestones'
  | 'dateChanges'
  | 'artifacts'
  | 'drills'
  | 'sprints',
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

/** A drill in a demo engagement's story. */
interface DemoDrill {
  kind: DrillKind;
  /** `null`: planned and not run (yet). */
  outcome: DrillOutcome | null;
  help: VendorAssistance;
  /** Recipients taking part: `people` of them from the `from`-th on, so drills share or split people. */
  people: number;
  from?: number;
  /** Days before today it was performed (or is planned: negative for days ahead). */
  daysAgo: [number, number];
}

/** What an engagement's capability evidence looks like, and what its dates must be for it. */
interface Story {
  criticality?: Criticality;
  exitPlan?: ExitStrategy;
  minIndependentOperators?: number;
  drills?: DemoDrill[];
  /**
   * `soon`: the final handover is due in 3–28 days, inside the KT window where capability
   * counts; `overdue`: it was due 1–25 days ago.
   */
  handover?: 'soon' | 'overdue';
  /** The vendor is behind: no milestone completed, no artifact accepted. */
  behind?: boolean;
  /** A draft whose final handover is not planned yet. */
  noFinalHandover?: boolean;
  /**
   * Which recipients have a learning sprint ending by the final handover (RECIPIENT_NOT_UPSKILLED
   * when RISK_UPSKILLING_WINDOW_DAYS is set): all, all but one, or none. Unset: drawn at random.
   */
  upskilled?: Upskilling;
}

type Upskilling = 'all' | 'some' | 'none';

const passed = (
  kind: DrillKind,
  help: VendorAssistance,
  people: number,
  daysAgo: [number, number],
  from = 0,
): DemoDrill => ({ kind, outcome: 'passed', help, people, from, daysAgo });
const planned = (kind: DrillKind, people: number, daysAgo: [number, number]): DemoDrill => ({
  kind,
  outcome: null,
  help: 'none',
  people,
  daysAgo,
});

/**
 * The stories, taken in turn by the engagements of each status, so that every signal shows in
 * the default 24-engagement portfolio and in the same proportions at any size. Stories needing
 * one recipient only sit where the generator gives engagements a single recipient (every
 * seventh engagement) in the default portfolio.
 */
const STORIES: Record<(typeof STATUSES)[number], Story[]> = {
  active: [
    // One person inside ran it alone, one only with advice: CAPABILITY_UNPROVEN medium; no
    // learning sprint yet.
    {
      handover: 'soon',
      upskilled: 'none',
      minIndependentOperators: 2,
      drills: [
        passed('deploy', 'none', 1, [10, 60]),
        passed('incident_response', 'advice', 1, [5, 30], 1),
      ],
    },
    // Two independent operators and a rehearsed exit plan, every recipient upskilled: nothing to
    // flag on capability.
    {
      handover: 'soon',
      upskilled: 'all',
      criticality: 'critical',
      exitPlan: 'insource',
      minIndependentOperators: 2,
      drills: [
        passed('restore', 'none', 2, [20, 70]),
        passed('exit_rehearsal', 'none', 2, [30, 120], 1),
        planned('explain', 1, [-21, -7]),
      ],
    },
    // The vendor still holds the keyboard and is behind on KT: CAPABILITY_UNPROVEN high,
    // KT_BEHIND_SCHEDULE, and an exit plan only partly rehearsed: EXIT_PLAN_UNTESTED. One
    // recipient had no sprint.
    {
      handover: 'soon',
      upskilled: 'some',
      behind: true,
      criticality: 'important',
      exitPlan: 'alternative_vendor',
      drills: [
        passed('deploy', 'hands_on', 2, [10, 40]),
        { kind: 'restore', outcome: 'failed', help: 'none', people: 1, daysAgo: [20, 60] },
        { kind: 'exit_rehearsal', outcome: 'partial', help: 'advice', people: 2, daysAgo: [5, 30] },
      ],
    },
    // Two operators whose evidence runs out within the forecast.
    {
      drills: [passed('change', 'none', 2, [150, 175]), planned('deploy', 2, [-30, -10])],
    },
    // Critical and no exit plan: EXIT_PLAN_MISSING.
    { criticality: 'critical', drills: [passed('explain', 'none', 1, [30, 120])] },
    // An exit plan nobody has rehearsed yet: EXIT_PLAN_UNTESTED.
    {
      criticality: 'important',
      exitPlan: 'retire',
      drills: [planned('exit_rehearsal', 2, [-45, -14])],
    },
    // Passed, but only with the vendor's help: no independent operator.
    {
      drills: [
        passed('incident_response', 'advice', 2, [10, 90]),
        passed('deploy', 'hands_on', 1, [30, 100], 1),
      ],
    },
    // The handover date has passed, nobody has rehearsed or learnt anything.
    { handover: 'overdue', upskilled: 'none' },
    // Failed first, passed alone on the second try.
    {
      minIndependentOperators: 1,
      drills: [
        { kind: 'restore', outcome: 'failed', help: 'none', people: 1, daysAgo: [60, 100] },
        passed('restore', 'none', 1, [10, 45]),
      ],
    },
    {
      criticality: 'critical',
      exitPlan: 'insource',
      minIndependentOperators: 1,
      drills: [
        passed('exit_rehearsal', 'none', 2, [30, 200]),
        passed('deploy', 'none', 1, [10, 60], 1),
      ],
    },
    { criticality: 'important' },
    { drills: [passed('explain', 'none', 3, [5, 60])] },
  ],
  draft: [
    { criticality: 'critical' },
    { noFinalHandover: true },
    { criticality: 'important', exitPlan: 'alternative_vendor' },
    { drills: [planned('deploy', 1, [-40, -20])] },
  ],
  completed: [
    // Completion waited for two independent operators.
    {
      upskilled: 'all',
      minIndependentOperators: 2,
      drills: [passed('deploy', 'none', 2, [20, 90]), passed('restore', 'advice', 1, [60, 120])],
    },
    {
      criticality: 'important',
      exitPlan: 'insource',
      minIndependentOperators: 1,
      drills: [passed('exit_rehearsal', 'none', 2, [30, 150])],
    },
    {},
    { drills: [passed('explain', 'hands_on', 1, [40, 150])] },
  ],
  cancelled: [
    { drills: [planned('deploy', 1, [20, 60])] },
    {
      drills: [{ kind: 'restore', outcome: 'failed', help: 'none', people: 1, daysAgo: [30, 90] }],
    },
    {},
    {},
  ],
};

const DRILL_TEXT: Record<DrillKind, [title: string, scenario: string]> = {
  deploy: [
    'Deploy a release without the vendor',
    'Build, test and deploy the current release to production from the runbook, the vendor out of the room.',
  ],
  restore: [
    "Restore the database from last night's backup",
    'The primary database is lost at 09:00; restore it from the nightly backup and replay the queue.',
  ],
  incident_response: [
    'Respond to a failed nightly run',
    'The nightly run fails at 02:00 with half the records processed; find why, fix it and rerun it.',
  ],
  change: [
    'Ship a small change end to end',
    'Add a field the business asked for: code, review, tests, deploy and a check in production.',
  ],
  explain: [
    'Explain the design to a new colleague',
    'Walk a new colleague through the architecture and the decisions behind it, without slides from the vendor.',
  ],
  exit_rehearsal: [
    'Rehearse the exit plan',
    "Run the exit plan's first week on the staging copy: take over access, pipelines and on-call from the vendor.",
  ],
  other: ['Drill', 'A drill.'],
};

/** Drills that follow a runbook: they link the engagement's first artifact. */
const FOLLOWS_RUNBOOK = new Set<DrillKind>(['deploy', 'restore', 'incident_response']);

/** What the observer wrote down, by outcome and help: the playbook reads these. */
const DRILL_NOTES: Record<string, string[]> = {
  'passed none': [
    'Done from the runbook alone; the alert thresholds were worth writing down.',
    'Took twice as long as the vendor would, but nobody had to call them.',
    'Found a stale step in the runbook and fixed it during the drill.',
  ],
  'passed advice': [
    'Passed after the vendor explained how the queue is replayed: the runbook misses it.',
    'One call to the vendor about the feature flags; the rest was done inside.',
  ],
  'passed hands_on': [
    "The vendor's engineer took the keyboard for the migration step; not repeatable inside yet.",
    'The vendor ran the deployment while we watched: a demo, not yet a skill.',
  ],
  partial: ['Half done: access was taken over, the pipelines still needed the vendor.'],
  failed: [
    'Stopped after an hour: the credentials for the backup bucket sit only with the vendor.',
    'The restore worked but the replay did not; nobody inside knew the order of the jobs.',
  ],
};

const EXIT_PLANS: Record<ExitStrategy, Omit<ExitPlan, 'strategy' | 'alternativeVendorId'>> = {
  insource: {
    summary:
      'The internal team takes over operations with the runbooks; the vendor stays on call for 60 days.',
    triggers: ['The vendor misses two handover dates', 'The vendor is acquired'],
  },
  alternative_vendor: {
    summary:
      'A second vendor from the framework agreement takes over from the runbooks and the source code.',
    triggers: ['The vendor misses two handover dates', 'The contract is not renewed'],
  },
  retire: {
    summary:
      'The service is switched off and the manual process comes back; the data goes to the archive.',
    triggers: ['Running costs exceed the savings for two quarters'],
  },
};

/** What a learning sprint is about: its goal, and what it taught by outcome (the playbook). */
interface SprintTheme {
  /** `{names}`: the learners' first names, `{system}`: the engagement's subject. */
  goal: string;
  lessons: Record<SprintOutcome, string[]>;
  /** Advice for the next team, added to any outcome. */
  tips: string[];
}

const SPRINT_THEMES: Record<string, SprintTheme> = {
  deploy: {
    goal: '{names} can ship {system} releases through the deploy pipeline without the vendor',
    lessons: {
      shipped: [
        "The deploy pipeline ran on the vendor's build agent; moving it to ours took a day and two secrets nobody had written down.",
        'A release is three steps, not one: migrate the database, deploy, warm the cache. The runbook now says so.',
        'We deployed four times in the last week of the sprint, once with a rollback; each deploy took twenty minutes.',
      ],
      partial: [
        "We deploy to staging alone; production still needs the vendor's approval in the change board, which moves to us next month.",
      ],
      not_shipped: [
        'No deploy left staging: the production credentials sit with the vendor and the access request took the whole sprint.',
      ],
    },
    tips: [
      'Keep the rollback command next to the deploy command in the runbook.',
      'Deploy in the morning: the business checks the output the same day.',
    ],
  },
  restore: {
    goal: '{names} can restore the {system} service from backup and replay its queue',
    lessons: {
      shipped: [
        'The nightly backup restores in forty minutes; the replay needs the queue offsets from the monitoring dashboard first.',
        'Restoring to a fresh instance found a backup job that had silently failed for a week; it now alerts.',
      ],
      partial: [
        'The database restore works; restoring the object store still depends on a vendor script we have not rewritten.',
      ],
      not_shipped: [
        "The backup bucket is in the vendor's cloud account: we could not test a restore at all.",
      ],
    },
    tips: [
      'Time every restore: the recovery time objective is a number, not a feeling.',
      'Rehearse the restore on a copy, never on the primary.',
    ],
  },
  retrain: {
    goal: '{names} can retrain and redeploy the {system} model on fresh data',
    lessons: {
      shipped: [
        'Retraining needs the labelled sample from the business first; with it, a retrain and redeploy takes half a day.',
        'The evaluation notebook fixed a random seed; retraining with other seeds moved accuracy by two points, so we report a range.',
      ],
      partial: [
        "We can retrain, but the model registry and the redeploy still go through the vendor's account.",
      ],
      not_shipped: [
        "The training data pipeline ran from a vendor engineer's laptop: no retrain was possible in the sprint.",
      ],
    },
    tips: [
      "Compare a retrained model with the live one on last month's data before you deploy it.",
      'Write down where each feature is computed: half of them come from the warehouse, not the code.',
    ],
  },
  monitoring: {
    goal: '{names} can run the monitoring and alerting of {system}',
    lessons: {
      shipped: [
        'We rebuilt the dashboard around four signals: latency, errors, queue depth and model drift. Two old alerts went, one new one came.',
        'The queue depth alert fired every night at 02:00 because of the batch load; its threshold now follows the schedule.',
      ],
      partial: [
        "The dashboards are ours now; the log pipeline still runs in the vendor's monitoring tenant.",
      ],
      not_shipped: [
        "Metrics were never exported from the vendor's tenant, so there was nothing to monitor from our side.",
      ],
    },
    tips: [
      'Every alert needs a runbook link, or it wakes someone up for nothing.',
      'Monitor the business output, not only the servers: a healthy service can still produce empty results.',
    ],
  },
  cost: {
    goal: '{names} can explain and cut the running cost of {system}',
    lessons: {
      shipped: [
        'Half the cloud cost was an idle GPU node kept for retraining; it now scales to zero between runs.',
        'Tagging every resource made a monthly cost report per engagement possible in a day.',
      ],
      partial: [
        "We found the cost drivers, but the reserved capacity is on the vendor's contract until renewal.",
      ],
      not_shipped: [
        'The billing account belongs to the vendor: we never saw the invoices, only a monthly total.',
      ],
    },
    tips: [
      'Track the cost per processed document, not the monthly total.',
      'Set a budget alert at 80 % before changing anything.',
    ],
  },
  on_call: {
    goal: '{names} can take over the on-call rota for {system} from the vendor',
    lessons: {
      shipped: [
        "Two weeks shadowing the vendor's on-call, two weeks on our own: three incidents, all closed without calling them.",
        "The escalation path in the runbook still named the vendor's engineers; the pager rota is ours now.",
      ],
      partial: [
        'Daytime on-call is ours; nights stay with the vendor until a second person is trained.',
      ],
      not_shipped: [
        'The pager integration needs an admin right only the vendor has, so we never went on call.',
      ],
    },
    tips: [
      'Write the incident review the same day, while the shell history is still there.',
      'Start on-call with the runbook open and the vendor on standby, not on the phone.',
    ],
  },
  data_quality: {
    goal: '{names} can run the data quality checks of {system} and fix what they find',
    lessons: {
      shipped: [
        'Schema checks on the input feed caught a supplier changing its date format before the model did.',
        'A third of the rejected records were duplicates from a retried upload; deduplication now runs first.',
      ],
      partial: [
        "The checks run, but the reference data they compare with is still maintained in the vendor's spreadsheet.",
      ],
      not_shipped: [
        'The data contract with the source system was never agreed, so the checks had nothing stable to test.',
      ],
    },
    tips: [
      'Fail loudly on a schema change; fix the data quietly only when you know why it changed.',
      'Keep a sample of bad records: it is the best test data there is.',
    ],
  },
  access: {
    goal: '{names} can hold every credential and access path of {system}',
    lessons: {
      shipped: [
        'We rotated every secret the vendor knew; two of them were hard-coded in a cron job.',
        'Access now goes through our identity provider; the shared admin account is gone.',
      ],
      partial: [
        'Application secrets are in our vault; the cloud root account is still registered to a vendor address.',
      ],
      not_shipped: [
        'Nobody could say which service accounts were in use, and the vendor asked to keep them until the contract ends.',
      ],
    },
    tips: [
      'List the secrets before rotating them, and rotate one at a time.',
      'An access review every quarter finds what the handover forgot.',
    ],
  },
};

/** Themes that fit a milestone: handovers teach operations, deliveries teach shipping. */
const THEMES_BY_KIND: Record<string, string[]> = {
  handover: ['restore', 'monitoring', 'access', 'data_quality', 'on_call'],
  delivery: ['deploy', 'retrain', 'cost', 'data_quality', 'monitoring'],
  final_handover: ['on_call', 'restore', 'retrain', 'cost', 'deploy', 'access'],
};

/** Completed sprints' outcomes, taken in turn by status: every outcome shows in a small portfolio. */
const SPRINT_OUTCOMES_BY_STATUS: Record<(typeof STATUSES)[number], SprintOutcome[]> = {
  active: ['shipped', 'partial', 'shipped', 'not_shipped', 'shipped', 'partial', 'shipped'],
  completed: ['shipped', 'partial', 'shipped', 'shipped'],
  cancelled: ['not_shipped', 'partial'],
  draft: ['shipped'],
};

/** How the sprint ended for its deliverable. */
const SPRINT_ENDINGS: Record<SprintOutcome, (milestone: string, daysToSpare: number) => string> = {
  shipped: (milestone, days) =>
    days === 0
      ? `It shipped on the day the ${milestone} was due.`
      : `It shipped for the ${milestone} with ${days} day${days === 1 ? '' : 's'} to spare.`,
  partial: (milestone) =>
    `Part of it reached the ${milestone}; the rest goes into the next sprint.`,
  not_shipped: (milestone) =>
    `Nothing reached the ${milestone}: that part is still with the vendor.`,
};

const MENTOR_NOTES = [
  'Pairing with {mentor} for an hour a day helped more than any document.',
  '{mentor} reviewed every change; the review comments are now in the runbook.',
  'Asking {mentor} first and the vendor second saved most of the calls.',
];

/** A sprint as the mentor-load check sees it. */
type MentorSprint = DateRange & { learnerIds: string[] };

/** Whether a mentor can take the sprint: at most 3 learners across it and overlapping ones,
 * and every overlapping sprint stays within the limit too, whatever the order of creation. */
function mentorCanTake(existing: MentorSprint[], sprint: MentorSprint): boolean {
  if (mentorLearners(sprint, existing).length > MENTOR_MAX_LEARNERS) return false;
  return existing
    .filter((other) => overlaps(other, sprint))
    .every(
      (other) =>
        mentorLearners(other, [...existing.filter((o) => o !== other), sprint]).length <=
        MENTOR_MAX_LEARNERS,
    );
}

/** The tables insertDemoRows writes to on today's schema. */
const SEEDED_TABLES = [
  'vendors',
  'people',
  'engagements',
  'engagement_knowledge_recipients',
  'milestones',
  'milestone_date_changes',
  'artifacts',
  'drills',
  'drill_participants',
  'drill_artifacts',
  'learning_sprints',
  'learning_sprint_learners',
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
  // Planner statistics for the tables just filled: without them, the facts' per-engagement
  // subqueries (learning sprints' learners above all) are planned as scans of whole tables.
  await dataSource.query(`ANALYZE ${SEEDED_TABLES.join(', ')}`);
  await rebuildRisk(dataSource, policy);
  return counts;
}

/**
 * The demo portfolio's rows alone: vendors, people, engagements and what is in them. On a
 * schema from before drills (test/risk-migration.e2e-spec.ts fills one) the same portfolio is
 * written without its drills, criticality, exit plans and operator minimums, and on one from
 * before learning sprints without its sprints: each draws from its own random sequence.
 */
export async function insertDemoRows(
  dataSource: DataSource,
  engagementCount: number,
  suffix = '',
  shape?: PortfolioShape,
): Promise<DemoPortfolioCounts> {
  const next = random(engagementCount);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)];
  const between = (low: number, high: number) => low + Math.floor(next() * (high - low + 1));
  // Drills draw from their own sequence: the rest of the portfolio is the same with or without.
  const nextDrill = random(engagementCount + 0x5eed);
  const drillBetween = ([low, high]: [number, number]) =>
    low + Math.floor(nextDrill() * (high - low + 1));
  const pickNote = (notes: string[]) => notes[Math.floor(nextDrill() * notes.length)];
  // So do learning sprints.
  const nextSprint = random(engagementCount + 0x1ea2);
  const sprintPick = <T>(items: readonly T[]): T => items[Math.floor(nextSprint() * items.length)];
  const sprintBetween = (low: number, high: number) =>
    low + Math.floor(nextSprint() * (high - low + 1));
  const today = todayUtc();
  const [{ withDrills, withSprints }]: { withDrills: boolean; withSprints: boolean }[] =
    await dataSource.query(
      `SELECT to_regclass('drills') IS NOT NULL AS "withDrills",
              to_regclass('learning_sprints') IS NOT NULL AS "withSprints"`,
    );

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
  const fullNames = new Map(people.map(([id, name]) => [id, name as string]));
  const firstNames = new Map(people.map(([id, name]) => [id, (name as string).split(' ')[0]]));
  // Senior people mentor in engagements they are not part of: one in six.
  const seniors = people.filter((_, index) => index % 6 === 5).map(([id]) => id as string);
  /** Each mentor's sprints, for the load limit (SPEC §9) across every engagement. */
  const mentorSprints = new Map<string, MentorSprint[]>();
  const completedSprints: Record<(typeof STATUSES)[number], number> = {
    active: 0,
    draft: 0,
    completed: 0,
    cancelled: 0,
  };

  const engagements: Row[] = [];
  const recipients: Row[] = [];
  const milestones: Row[] = [];
  const dateChanges: Row[] = [];
  const artifacts: Row[] = [];
  const drills: Row[] = [];
  const drillParticipants: Row[] = [];
  const drillArtifacts: Row[] = [];
  const sprints: Row[] = [];
  const sprintLearners: Row[] = [];
  const seen: Record<(typeof STATUSES)[number], number> = {
    active: 0,
    draft: 0,
    completed: 0,
    cancelled: 0,
  };

  /**
   * An engagement's learning sprints: groups of its recipients, each learning towards one of its
   * milestones with a mentor who has room (the product owner, a colleague who already runs the
   * system alone, or a senior person), 28–56 days ending shortly before the milestone is due and
   * not before the engagement existed. The dates give the state: ahead planned, under way
   * running, past mostly completed with an outcome and lessons.
   */
  function planSprints(engagement: {
    id: string;
    status: (typeof STATUSES)[number];
    story: Story;
    subject: string;
    created: Date;
    owner: string;
    team: string[];
    operators: Set<string>;
    milestones: { id: string; name: string; kind: string; due: string }[];
  }): void {
    const { id, status, team, owner } = engagement;
    const roll = nextSprint();
    const upskilled =
      engagement.story.upskilled ?? (roll < 0.45 ? 'all' : roll < 0.8 ? 'some' : 'none');
    const groups =
      upskilled === 'none'
        ? []
        : upskilled === 'some'
          ? team.length > 1
            ? [team.slice(0, -1)]
            : []
          : team.length === 3 && nextSprint() < 0.5
            ? [team.slice(0, 2), team.slice(2)]
            : [team];
    // Now and then the first learner goes on to a second sprint, towards a later milestone.
    const followUp = groups.length > 0 && nextSprint() < 0.3 ? [groups[0][0]] : null;
    const milestones = [...engagement.milestones].sort((a, b) => a.due.localeCompare(b.due));
    const firstDay = addDays(todayUtc(engagement.created), 1);
    const busy: MentorSprint[] = [];

    const fit = (due: string): DateRange | null => {
      const length = sprintBetween(28, 56);
      let endsOn = addDays(due, -sprintBetween(0, 7));
      let startsOn = addDays(endsOn, -length);
      // Milestones due before the engagement was recorded are history, and so are their sprints.
      if (startsOn < firstDay && due >= firstDay) {
        startsOn = firstDay;
        endsOn = addDays(startsOn, length) < due ? addDays(startsOn, length) : due;
        if (daysBetween(startsOn, endsOn) < 28) return null;
      }
      return { startsOn, endsOn };
    };
    const mentorFor = (sprint: MentorSprint): string | undefined => {
      const colleagues = [...engagement.operators].filter((p) => !sprint.learnerIds.includes(p));
      const senior = () => sprintPick(seniors);
      const r = nextSprint();
      const candidates =
        r < 0.55
          ? [owner, senior(), senior()]
          : r < 0.75 && colleagues.length > 0
            ? [sprintPick(colleagues), owner, senior()]
            : [senior(), owner, senior()];
      return [...candidates, senior(), senior(), senior()].find(
        (candidate) =>
          !sprint.learnerIds.includes(candidate) &&
          mentorCanTake(mentorSprints.get(candidate) ?? [], sprint),
      );
    };

    for (const [position, learnerIds] of [...groups, ...(followUp ? [followUp] : [])].entries()) {
      const isFollowUp = followUp !== null && position === groups.length;
      // Mostly the first deliverable: upskilling starts early.
      const start = nextSprint() < 0.6 ? 0 : Math.floor(nextSprint() * milestones.length);
      const order = isFollowUp
        ? [...milestones].reverse()
        : [...milestones.slice(start), ...milestones.slice(0, start)];
      for (const milestone of order) {
        const dates = fit(milestone.due);
        if (!dates) continue;
        // A draft plans ahead; a cancelled engagement kept only what it had finished.
        if (status === 'draft' && dates.startsOn <= today) continue;
        if (status === 'cancelled' && dates.endsOn >= today) continue;
        const sprint = { ...dates, learnerIds: [...learnerIds].sort() };
        if (
          busy.some(
            (other) =>
              overlaps(other, sprint) && other.learnerIds.some((p) => learnerIds.includes(p)),
          )
        )
          continue;
        const mentor = mentorFor(sprint);
        if (!mentor) continue;
        mentorSprints.set(mentor, [...(mentorSprints.get(mentor) ?? []), sprint]);
        busy.push(sprint);

        const sprintId = randomUUID();
        const theme =
          SPRINT_THEMES[
            sprintPick(THEMES_BY_KIND[milestone.kind] ?? THEMES_BY_KIND.final_handover)
          ];
        // First names, unless two learners share one.
        const firstOf = sprint.learnerIds.map((p) => firstNames.get(p) ?? 'They');
        const names =
          new Set(firstOf).size < firstOf.length
            ? sprint.learnerIds.map((p) => fullNames.get(p) ?? 'They')
            : firstOf;
        const goal = `${theme.goal
          .replace(
            '{names}',
            names.length > 1 ? `${names.slice(0, -1).join(', ')} and ${names.at(-1)}` : names[0],
          )
          .replace(
            '{system}',
            engagement.subject.toLowerCase(),
          )}, for the ${milestone.name.toLowerCase()}`;
        const completed =
          dates.endsOn < today &&
          (status === 'completed' || status === 'cancelled' || nextSprint() < 0.85);
        const outcomes = SPRINT_OUTCOMES_BY_STATUS[status];
        const outcome = completed ? outcomes[completedSprints[status]++ % outcomes.length] : null;
        const lessons =
          outcome &&
          [
            sprintPick(theme.lessons[outcome]),
            SPRINT_ENDINGS[outcome](
              milestone.name.toLowerCase(),
              daysBetween(dates.endsOn, milestone.due),
            ),
            sprintPick(theme.tips),
            ...(nextSprint() < 0.35
              ? [
                  sprintPick(MENTOR_NOTES).replace(
                    '{mentor}',
                    firstNames.get(mentor) ?? 'the mentor',
                  ),
                ]
              : []),
          ].join(' ');
        // Planned one to three weeks ahead (a sprint far ahead: in the last two weeks), after
        // the engagement was created, never in the future.
        const createdAt = new Date(
          Math.min(
            Math.max(
              Math.min(
                Date.parse(`${dates.startsOn}T09:00:00Z`) - sprintBetween(7, 21) * 86_400_000,
                Date.now() - sprintBetween(1, 14) * 86_400_000,
              ),
              engagement.created.getTime(),
            ),
            Date.now(),
          ),
        );
        // Completed a few days after its end (yesterday at the latest: it ended before today),
        // after it was recorded, never in the future.
        const completedAt = completed
          ? new Date(
              Math.min(
                Math.max(
                  Date.parse(
                    `${[addDays(dates.endsOn, sprintBetween(0, 3)), addDays(today, -1)].sort()[0]}T16:00:00Z`,
                  ),
                  createdAt.getTime() + 3_600_000,
                ),
                Date.now(),
              ),
            )
          : null;
        const slug = engagement.subject.toLowerCase().replace(/\W+/g, '-');
        sprints.push([
          sprintId,
          id,
          milestone.id,
          goal,
          mentor,
          dates.startsOn,
          dates.endsOn,
          completed ? 'completed' : 'planned',
          outcome,
          outcome === null
            ? null
            : outcome === 'not_shipped'
              ? `https://wiki.example.com/learning/${sprintId.slice(0, 8)}/retrospective`
              : `https://git.example.com/${slug}/merge_requests/${sprintBetween(10, 900)}`,
          lessons,
          completedAt,
          createdAt,
          completedAt ?? createdAt,
          completed ? 2 : 1,
        ]);
        sprint.learnerIds.forEach((personId) => sprintLearners.push([sprintId, personId]));
        break;
      }
    }
  }

  for (let index = 0; index < engagementCount; index++) {
    const id = randomUUID();
    const status = STATUSES[index % STATUSES.length];
    const stories = STORIES[status];
    const story = stories[seen[status]++ % stories.length];
    const [subject, problem] = SUBJECTS[index % SUBJECTS.length];
    const vendor = pick(vendors)[0] as string;
    const owner = pick(people)[0] as string;
    let finalDue =
      status === 'completed'
        ? addDays(today, -between(10, 200))
        : addDays(today, between(-30, 180));
    if (story.handover === 'soon') finalDue = addDays(today, between(3, 28));
    if (story.handover === 'overdue') finalDue = addDays(today, -between(1, 25));
    const slipDays = status !== 'draft' && next() < 0.35 ? between(7, 60) : 0;
    const baseline = status === 'draft' ? null : addDays(finalDue, -slipDays);
    const contractEnd = addDays(finalDue, between(-20, 120));
    const created = new Date(Date.now() - between(30, 400) * 86_400_000 + index);
    const recipientCount = index % 7 === 0 ? 1 : between(2, 3);
    // The product owner judges the handover from outside: never one of its recipients.
    const chosen = new Set<string>();
    while (chosen.size < recipientCount) {
      const personId = pick(people)[0] as string;
      if (personId !== owner) chosen.add(personId);
    }
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
          ...(story.noFinalHandover
            ? []
            : [['Final handover', 'final_handover', finalDue] as [string, string, string]]),
        ];
    const ownArtifacts: string[] = [];
    const ownMilestones: { id: string; name: string; kind: string; due: string }[] = [];
    plan.forEach(([name, kind, due], position) => {
      const milestoneId = randomUUID();
      ownMilestones.push({ id: milestoneId, name, kind, due });
      const isFinal = kind === 'final_handover';
      const completed =
        status === 'completed' ||
        (status === 'active' && !isFinal && !story.behind && due < today && next() < 0.6);
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
                  : roll < 0.65 || (story.behind && roll < 0.8)
                    ? 'rejected'
                    : story.behind
                      ? 'delivered'
                      : 'accepted';
        const delivered = artifactStatus !== 'required';
        const artifactId = randomUUID();
        ownArtifacts.push(artifactId);
        artifacts.push([
          artifactId,
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

    // Drills: participants are recipients; the observer is the product owner or, now and then,
    // a recipient who does not take part. None before the engagement existed.
    const team = [...chosen];
    const operators = new Set<string>();
    for (const drill of withDrills ? (story.drills ?? []) : []) {
      const from = (drill.from ?? 0) % team.length;
      const participants = [...team.slice(from), ...team.slice(0, from)].slice(0, drill.people);
      const bystanders = team.filter((personId) => !participants.includes(personId));
      const observer =
        bystanders.length > 0 && nextDrill() < 0.35
          ? bystanders[Math.floor(nextDrill() * bystanders.length)]
          : owner;
      const drillId = randomUUID();
      const earliest = addDays(todayUtc(created), 1);
      const rawDay = addDays(today, -drillBetween(drill.daysAgo));
      const recorded = drill.outcome !== null;
      const day = recorded && rawDay < earliest ? earliest : rawDay;
      const scheduledOn = recorded ? addDays(day, -drillBetween([0, 14])) : day;
      // Planned a week before it was due, after the engagement was created, never in the future.
      const createdAt = new Date(
        Math.min(
          Math.max(Date.parse(`${scheduledOn}T09:00:00Z`) - 7 * 86_400_000, created.getTime()),
          Date.now(),
        ),
      );
      const recordedAt = recorded ? new Date(Date.parse(`${day}T16:30:00Z`)) : null;
      const [title, scenario] = DRILL_TEXT[drill.kind];
      const help = drill.outcome === 'passed' ? `passed ${drill.help}` : (drill.outcome ?? '');
      drills.push([
        drillId,
        id,
        drill.kind,
        title,
        scenario,
        scheduledOn,
        recorded ? 'recorded' : 'scheduled',
        drill.outcome,
        recorded ? day : null,
        recorded ? drill.help : null,
        recorded ? drillBetween([30, 240]) : null,
        recorded ? `https://wiki.example.com/drills/${drillId.slice(0, 8)}` : null,
        recorded ? observer : null,
        recorded ? pickNote(DRILL_NOTES[help]) : null,
        recordedAt,
        createdAt,
        recordedAt ?? createdAt,
        recorded ? 2 : 1,
      ]);
      participants.forEach((personId) => drillParticipants.push([drillId, personId]));
      if (FOLLOWS_RUNBOOK.has(drill.kind) && ownArtifacts.length > 0) {
        drillArtifacts.push([drillId, ownArtifacts[0]]);
      }
      if (drill.outcome === 'passed' && drill.help === 'none') {
        participants.forEach((personId) => operators.add(personId));
      }
    }
    if (withSprints) {
      planSprints({
        id,
        status,
        story,
        subject,
        created,
        owner,
        team,
        operators,
        milestones: ownMilestones,
      });
    }

    // A completed engagement met its minimum: no more than the operators it had.
    const minIndependentOperators =
      status === 'completed'
        ? Math.min(story.minIndependentOperators ?? 0, operators.size)
        : (story.minIndependentOperators ?? 0);
    const alternative =
      vendors[(vendors.findIndex(([vendorId]) => vendorId === vendor) + 1) % vendors.length];
    const exitPlan: ExitPlan | null = story.exitPlan
      ? {
          strategy: story.exitPlan,
          ...EXIT_PLANS[story.exitPlan],
          ...(story.exitPlan === 'alternative_vendor'
            ? { alternativeVendorId: alternative[0] as string }
            : {}),
        }
      : null;

    engagements.push([
      id,
      `${subject} ${Math.floor(index / SUBJECTS.length) + 1}`,
      vendor,
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
      // Only written where the schema has them (see below).
      story.criticality ?? 'standard',
      exitPlan && JSON.stringify(exitPlan),
      minIndependentOperators,
    ]);
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
        // The row's last values: left out (bulkInsert reads only the columns named) before drills.
        ...(withDrills
          ? ([
              ['criticality', 'engagement_criticality'],
              ['exit_plan', 'jsonb'],
              ['min_independent_operators', 'int'],
            ] as [string, string][])
          : []),
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
    if (!withDrills) return;
    await insert(
      'drills',
      [
        ['id', 'uuid'],
        ['engagement_id', 'uuid'],
        ['kind', 'drill_kind'],
        ['title', 'varchar'],
        ['scenario', 'text'],
        ['scheduled_on', 'date'],
        ['status', 'drill_status'],
        ['outcome', 'drill_outcome'],
        ['performed_on', 'date'],
        ['vendor_assistance', 'drill_vendor_assistance'],
        ['duration_minutes', 'int'],
        ['evidence_url', 'varchar'],
        ['observed_by_id', 'uuid'],
        ['notes', 'text'],
        ['recorded_at', 'timestamptz'],
        ['created_at', 'timestamptz'],
        ['updated_at', 'timestamptz'],
        ['version', 'int'],
      ],
      drills,
    );
    await insert(
      'drill_participants',
      [
        ['drill_id', 'uuid'],
        ['person_id', 'uuid'],
      ],
      drillParticipants,
    );
    await insert(
      'drill_artifacts',
      [
        ['drill_id', 'uuid'],
        ['artifact_id', 'uuid'],
      ],
      drillArtifacts,
    );
    if (!withSprints) return;
    await insert(
      'learning_sprints',
      [
        ['id', 'uuid'],
        ['engagement_id', 'uuid'],
        ['milestone_id', 'uuid'],
        ['goal', 'text'],
        ['mentor_id', 'uuid'],
        ['starts_on', 'date'],
        ['ends_on', 'date'],
        ['status', 'learning_sprint_status'],
        ['outcome', 'learning_sprint_outcome'],
        ['evidence_url', 'varchar'],
        ['lessons', 'text'],
        ['completed_at', 'timestamptz'],
        ['created_at', 'timestamptz'],
        ['updated_at', 'timestamptz'],
        ['version', 'int'],
      ],
      sprints,
    );
    await insert(
      'learning_sprint_learners',
      [
        ['sprint_id', 'uuid'],
        ['person_id', 'uuid'],
      ],
      sprintLearners,
    );
  });
  return {
    vendors: vendors.length,
    people: people.length,
    engagements: engagements.length,
    milestones: milestones.length,
    dateChanges: dateChanges.length,
    artifacts: artifacts.length,
    drills: drills.length,
    sprints: sprints.length,
  };
}
