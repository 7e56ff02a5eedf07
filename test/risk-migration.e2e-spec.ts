import { DataSource } from 'typeorm';
import { migrations } from '../migrations/index.js';
import { insertDemoRows } from '../scripts/demo-portfolio.js';
import { createApp, type RunningApp } from '../src/app.setup.js';
import { addDays, todayUtc } from '../src/common/dates.js';
import { type DatabaseConnection, dataSourceOptions } from '../src/database/data-source.js';
import { revertLastMigration, runMigrations } from '../src/database/migrate.js';
import type { RiskPolicy } from '../src/config/policies.js';
import { assessRisk, DEFAULT_RISK_POLICY, type RiskFacts } from '../src/risk/assess-risk.js';
import { type FactsRow, refreshFactsSql, toFacts } from '../src/risk/risk-facts.repository.js';
import { ensureTimelinesCurrent, verifyRisk } from '../src/risk/risk-maintenance.js';
import { contractChecked } from './openapi-contract.js';
import { bearer, createScratchDatabase, externalDatabaseUrl, testConfig } from './test-app.js';
import request from 'supertest';

/**
 * The RiskFacts migration on a database that existed before it: built by every earlier
 * migration and filled with the demo portfolio's rows (what `seed:demo` inserted then), it
 * backfills each engagement's facts, and the app's start-up derives the timelines. Runs on a
 * PostgreSQL server only: the embedded database holds one database per process, in memory.
 */
const ENGAGEMENTS = 200;
/** The migration under test, and the ones before it. */
const RISK_FACTS_INDEX = migrations.findIndex((migration) =>
  migration.name.startsWith('RiskFacts'),
);
const LATEST = migrations[RISK_FACTS_INDEX].name;
const UP_TO_RISK_FACTS = migrations.slice(0, RISK_FACTS_INDEX + 1);

// Skipped without DATABASE_URL: the migration is tested on a scratch database of a server.
const describeWithExternalDatabase = externalDatabaseUrl ? describe : describe.skip;

const connection = (url: string): DatabaseConnection => ({
  url,
  poolSize: 2,
  statementTimeoutMs: 0,
  preparedStatements: true,
});

/**
 * Each engagement's facts computed here from the source rows, independently of the SQL in
 * src/ and in the migrations: SPEC §2's, §8's and §9's definitions written out in TypeScript.
 * Needs the schema of every migration (drills, criticality, exit plans, learning sprints).
 */
async function factsFromSourceRows(dataSource: DataSource): Promise<Map<string, RiskFacts>> {
  const engagements: {
    id: string;
    status: RiskFacts['status'];
    contract_end_date: string | null;
    notice_period_days: number;
    criticality: RiskFacts['criticality'];
    has_exit_plan: boolean;
  }[] = await dataSource.query(
    `SELECT id, status::text, contract_end_date, notice_period_days, criticality::text,
            exit_plan IS NOT NULL AS has_exit_plan
       FROM engagements`,
  );
  const milestones: {
    id: string;
    engagement_id: string;
    kind: string;
    due_date: string;
    baseline_due_date: string | null;
    completed_on: string | null;
  }[] = await dataSource.query(
    'SELECT id, engagement_id, kind::text, due_date, baseline_due_date, completed_on FROM milestones',
  );
  const changes: { milestone_id: string; from_date: string; to_date: string }[] =
    await dataSource.query('SELECT milestone_id, from_date, to_date FROM milestone_date_changes');
  const artifacts: { engagement_id: string; milestone_id: string; status: string }[] =
    await dataSource.query('SELECT engagement_id, milestone_id, status::text FROM artifacts');
  const recipients: { engagement_id: string; person_id: string }[] = await dataSource.query(
    'SELECT engagement_id, person_id FROM engagement_knowledge_recipients',
  );
  const drills: {
    id: string;
    engagement_id: string;
    kind: string;
    outcome: string | null;
    vendor_assistance: string | null;
    performed_on: string | null;
  }[] = await dataSource.query(
    `SELECT id, engagement_id, kind::text, outcome::text, vendor_assistance::text, performed_on
       FROM drills`,
  );
  const participants: { drill_id: string; person_id: string }[] = await dataSource.query(
    'SELECT drill_id, person_id FROM drill_participants',
  );
  const sprints: { id: string; engagement_id: string; ends_on: string }[] = await dataSource.query(
    'SELECT id, engagement_id, ends_on FROM learning_sprints',
  );
  const learners: { sprint_id: string; person_id: string }[] = await dataSource.query(
    'SELECT sprint_id, person_id FROM learning_sprint_learners',
  );
  const newestFirst = (a: string, b: string) => b.localeCompare(a);

  const dueOf = new Map(milestones.map((milestone) => [milestone.id, milestone.due_date]));
  const facts = new Map<string, RiskFacts>();
  for (const engagement of engagements) {
    const own = milestones.filter((milestone) => milestone.engagement_id === engagement.id);
    const final = own.find((milestone) => milestone.kind === 'final_handover');
    const ownArtifacts = artifacts.filter((artifact) => artifact.engagement_id === engagement.id);
    const ownRecipients = new Set(
      recipients.filter((row) => row.engagement_id === engagement.id).map((row) => row.person_id),
    );
    const passed = drills.filter(
      (drill) =>
        drill.engagement_id === engagement.id &&
        drill.outcome === 'passed' &&
        drill.performed_on !== null,
    );
    // §8: each current recipient who took part in a drill passed without vendor help, per day.
    const evidence = new Map<string, { personId: string; performedOn: string }>();
    for (const drill of passed.filter((candidate) => candidate.vendor_assistance === 'none')) {
      for (const { person_id } of participants.filter((row) => row.drill_id === drill.id)) {
        if (!ownRecipients.has(person_id)) continue;
        const performedOn = drill.performed_on as string;
        evidence.set(`${person_id} ${performedOn}`, { personId: person_id, performedOn });
      }
    }
    const rehearsals = new Set(
      passed
        .filter((drill) => drill.kind === 'exit_rehearsal')
        .map((drill) => drill.performed_on as string),
    );
    // §9: recipients who learn in no sprint of this engagement ending on or before the final
    // handover's due date (every recipient when there is no final handover: nothing ends by it).
    const upskilled = new Set(
      sprints
        .filter(
          (sprint) =>
            sprint.engagement_id === engagement.id &&
            final !== undefined &&
            sprint.ends_on <= final.due_date,
        )
        .flatMap((sprint) => learners.filter((row) => row.sprint_id === sprint.id))
        .map((row) => row.person_id),
    );
    const unaccepted = new Map<string, number>();
    for (const artifact of ownArtifacts.filter((candidate) => candidate.status !== 'accepted')) {
      const due = dueOf.get(artifact.milestone_id) as string;
      unaccepted.set(due, (unaccepted.get(due) ?? 0) + 1);
    }
    facts.set(engagement.id, {
      status: engagement.status,
      finalHandover: final
        ? {
            dueDate: final.due_date,
            baselineDueDate: final.baseline_due_date,
            completedOn: final.completed_on,
            slipCount: changes.filter(
              (change) => change.milestone_id === final.id && change.to_date > change.from_date,
            ).length,
          }
        : null,
      openMilestones: own
        .filter((milestone) => milestone.kind !== 'final_handover' && !milestone.completed_on)
        .sort((a, b) => a.due_date.localeCompare(b.due_date) || a.id.localeCompare(b.id))
        .map((milestone) => ({ id: milestone.id, dueDate: milestone.due_date })),
      unacceptedArtifactsByDueDate: [...unaccepted]
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([dueDate, count]) => ({ dueDate, count })),
      artifactCount: ownArtifacts.length,
      acceptedArtifactCount: ownArtifacts.filter((artifact) => artifact.status === 'accepted')
        .length,
      rejectedArtifactCount: ownArtifacts.filter((artifact) => artifact.status === 'rejected')
        .length,
      knowledgeRecipientCount: ownRecipients.size,
      lastSafeHandoverDate: engagement.contract_end_date
        ? addDays(engagement.contract_end_date, -engagement.notice_period_days)
        : null,
      criticality: engagement.criticality,
      hasExitPlan: engagement.has_exit_plan,
      operatorEvidence: [...evidence.values()].sort(
        (a, b) => newestFirst(a.performedOn, b.performedOn) || a.personId.localeCompare(b.personId),
      ),
      passedExitRehearsals: [...rehearsals].sort(newestFirst),
      recipientsNotUpskilled: [...ownRecipients].filter((personId) => !upskilled.has(personId))
        .length,
    });
  }
  return facts;
}

async function storedFacts(dataSource: DataSource): Promise<Map<string, RiskFacts>> {
  const rows: FactsRow[] = await dataSource.query('SELECT * FROM engagement_risk_facts');
  return new Map(rows.map((row) => [row.engagement_id, toFacts(row)]));
}

const tableExists = async (dataSource: DataSource, table: string): Promise<boolean> => {
  const [{ exists }] = await dataSource.query('SELECT to_regclass($1) IS NOT NULL AS exists', [
    table,
  ]);
  return exists;
};

/** The migrations after RiskFacts, as the app's start-up applies them. */
async function runLaterMigrations(url: string): Promise<void> {
  const full = new DataSource(dataSourceOptions(connection(url)));
  await full.initialize();
  try {
    await runMigrations(full);
  } finally {
    await full.destroy();
  }
}

describeWithExternalDatabase(
  'the RiskFacts migration on a filled database (PostgreSQL only: needs DATABASE_URL)',
  () => {
    let scratch: { url: string; drop(): Promise<void> };
    let dataSource: DataSource;

    beforeAll(async () => {
      scratch = await createScratchDatabase(externalDatabaseUrl as string);
      const previous = new DataSource({
        ...dataSourceOptions(connection(scratch.url)),
        migrations: migrations.slice(0, RISK_FACTS_INDEX),
      });
      await previous.initialize();
      try {
        const applied = await runMigrations(previous);
        expect(applied.map((migration) => migration.name)).not.toContain(LATEST);
        expect(await tableExists(previous, 'engagement_risk_facts')).toBe(false);
        await insertDemoRows(previous, ENGAGEMENTS);
      } finally {
        await previous.destroy();
      }
      dataSource = new DataSource({
        ...dataSourceOptions(connection(scratch.url)),
        migrations: UP_TO_RISK_FACTS,
      });
      await dataSource.initialize();
    }, 120_000);

    afterAll(async () => {
      await dataSource?.destroy();
      await scratch?.drop();
    });

    it('applies the latest migration alone and backfills every engagement’s facts', async () => {
      const applied = await runMigrations(dataSource);
      expect(applied.map((migration) => migration.name)).toEqual([LATEST]);
      expect(await tableExists(dataSource, 'engagement_risk_facts')).toBe(true);
      // verifyRisk computes the facts of today's schema (drills, criticality, exit plans): the
      // later migrations add those columns and backfill them, without deriving any timeline.
      await runLaterMigrations(scratch.url);
      // The facts are right before any timeline exists: only the timelines are reported.
      const { mismatches } = await verifyRisk(dataSource, DEFAULT_RISK_POLICY, 1000);
      expect(mismatches.filter((mismatch) => mismatch.part === 'facts')).toEqual([]);
      expect(mismatches.length).toBeGreaterThan(0);
    });

    it('leaves 0 mismatches for 200 engagements once the timelines are derived at start-up', async () => {
      expect(await ensureTimelinesCurrent(dataSource, DEFAULT_RISK_POLICY)).toBe(true);
      expect(await verifyRisk(dataSource, DEFAULT_RISK_POLICY)).toEqual({
        checked: ENGAGEMENTS,
        mismatches: [],
      });
      expect(await ensureTimelinesCurrent(dataSource, DEFAULT_RISK_POLICY)).toBe(false);
    });

    it('stores for each engagement the facts its rows give, computed independently here', async () => {
      const expected = await factsFromSourceRows(dataSource);
      const stored = await storedFacts(dataSource);
      expect(stored.size).toBe(ENGAGEMENTS);
      expect(Object.fromEntries(stored)).toEqual(Object.fromEntries(expected));
      // The demo portfolio exercises the rules: several levels and the slip ledger.
      const levels = new Set(
        [...expected.values()].map((facts) => assessRisk(facts, todayUtc()).level),
      );
      expect(levels.size).toBeGreaterThanOrEqual(3);
      expect(
        [...expected.values()].some((facts) => (facts.finalHandover?.slipCount ?? 0) > 0),
      ).toBe(true);
    });

    it('serves through the API the risk that assessRisk gives the independently computed facts', async () => {
      const config = { ...testConfig(), databaseUrl: scratch.url };
      let running: RunningApp | undefined;
      try {
        running = await createApp(config);
        await running.app.getHttpAdapter().getInstance().ready();
        const server = running.app.getHttpServer();
        const expected = await factsFromSourceRows(dataSource);
        // A few of each status, and some with a slipped final handover.
        const byStatus = new Map<string, string[]>();
        for (const [id, facts] of expected) {
          byStatus.set(facts.status, [...(byStatus.get(facts.status) ?? []), id]);
        }
        const slipped = [...expected]
          .filter(([, facts]) => (facts.finalHandover?.slipCount ?? 0) > 0)
          .map(([id]) => id);
        const sample = [
          ...new Set([
            ...[...byStatus.values()].flatMap((ids) => ids.slice(0, 3)),
            ...slipped.slice(0, 4),
          ]),
        ];
        expect(sample.length).toBeGreaterThanOrEqual(12);
        for (const asOf of [todayUtc(), addDays(todayUtc(), 45)]) {
          for (const id of sample) {
            const response = await contractChecked(request(server))
              .get(`/v1/engagements/${id}/risk`)
              .query({ asOf })
              .set(bearer(config.adminApiKey as string));
            expect(response.status).toBe(200);
            const { level, score, dependencyTrap, signals } = response.body;
            expect({ id, asOf, level, score, dependencyTrap, signals }).toEqual({
              id,
              asOf,
              ...assessRisk(expected.get(id) as RiskFacts, asOf, DEFAULT_RISK_POLICY),
            });
          }
        }
      } finally {
        await running?.close();
      }
    }, 60_000);

    it('reverts the RiskFacts migration on the filled database and applies it again', async () => {
      const [{ before }] = await dataSource.query(
        'SELECT count(*)::int AS before FROM engagements',
      );
      // The later migrations are applied too (first test, and the app above): revert them and
      // RiskFacts.
      const full = new DataSource(dataSourceOptions(connection(scratch.url)));
      await full.initialize();
      try {
        const appliedNames = async () =>
          ((await full.query('SELECT name FROM migrations')) as { name: string }[]).map(
            (row) => row.name,
          );
        while ((await appliedNames()).includes(LATEST)) await revertLastMigration(full);
        for (const table of [
          'engagement_risk_facts',
          'risk_timeline',
          'risk_history',
          'risk_timeline_state',
        ]) {
          expect({ table, exists: await tableExists(full, table) }).toEqual({
            table,
            exists: false,
          });
        }
        const [{ after }] = await full.query('SELECT count(*)::int AS after FROM engagements');
        expect(after).toBe(before);

        const applied = await runMigrations(full);
        expect(applied.map((migration) => migration.name)[0]).toBe(LATEST);
        const pending = await full.driver.createSchemaBuilder().log();
        expect(pending.upQueries.map((query) => query.query)).toEqual([]);
      } finally {
        await full.destroy();
      }
      expect(await ensureTimelinesCurrent(dataSource, DEFAULT_RISK_POLICY)).toBe(true);
      expect(await verifyRisk(dataSource, DEFAULT_RISK_POLICY)).toEqual({
        checked: ENGAGEMENTS,
        mismatches: [],
      });
      expect(Object.fromEntries(await storedFacts(dataSource))).toEqual(
        Object.fromEntries(await factsFromSourceRows(dataSource)),
      );
    });

    it('counts the recipients not upskilled as computed here once learning sprints exist (SPEC §9)', async () => {
      // The demo portfolio predates learning sprints: every recipient is one without.
      for (const facts of (await storedFacts(dataSource)).values()) {
        expect(facts.recipientsNotUpskilled).toBe(facts.knowledgeRecipientCount);
      }
      const candidates: {
        engagement_id: string;
        milestone_id: string;
        due_date: string | null;
        person_ids: string[];
      }[] = await dataSource.query(
        `SELECT e.id AS engagement_id, m.id AS milestone_id, fh.due_date,
                array_agg(r.person_id::text ORDER BY r.person_id) AS person_ids
           FROM engagements e
           JOIN LATERAL (SELECT id FROM milestones WHERE engagement_id = e.id
                          ORDER BY due_date, id LIMIT 1) m ON true
           LEFT JOIN milestones fh ON fh.engagement_id = e.id AND fh.kind = 'final_handover'
           JOIN engagement_knowledge_recipients r ON r.engagement_id = e.id
          GROUP BY e.id, m.id, fh.due_date
         HAVING count(*) >= 2
          ORDER BY e.id`,
      );
      const withFinal = candidates.filter((row) => row.due_date !== null).slice(0, 6);
      const withoutFinal = candidates.filter((row) => row.due_date === null).slice(0, 2);
      expect(withFinal).toHaveLength(6);
      expect(withoutFinal.length).toBeGreaterThan(0);
      const [{ mentor }] = await dataSource.query(
        'SELECT id AS mentor FROM people ORDER BY id LIMIT 1',
      );
      const sprint = async (
        row: (typeof candidates)[number],
        endsOn: string,
        learnerIds: string[],
      ): Promise<void> => {
        const [{ id }] = await dataSource.query(
          `INSERT INTO learning_sprints (engagement_id, milestone_id, goal, mentor_id, starts_on, ends_on)
           VALUES ($1, $2, 'Run the deploy pipeline alone', $3, $4, $5) RETURNING id`,
          [row.engagement_id, row.milestone_id, mentor, addDays(endsOn, -28), endsOn],
        );
        for (const personId of learnerIds) {
          await dataSource.query(
            'INSERT INTO learning_sprint_learners (sprint_id, person_id) VALUES ($1, $2)',
            [id, personId],
          );
        }
      };
      /** Recipients not upskilled that each engagement should have, worked out by hand. */
      const expected = new Map<string, number>();
      for (const [index, row] of withFinal.entries()) {
        const due = row.due_date as string;
        const [first, second, ...others] = row.person_ids;
        // Ending on the due date upskills; ending the day after does not.
        await sprint(row, due, [first]);
        await sprint(row, addDays(due, 1), [second]);
        // The same learner in a second sprint counts once.
        if (index % 2 === 0) await sprint(row, addDays(due, -60), [first]);
        // A sprint of another engagement does not upskill a recipient of this one.
        if (index % 3 === 0) await sprint(withoutFinal[0], addDays(due, -60), [second]);
        expected.set(row.engagement_id, 1 + others.length);
      }
      for (const row of withoutFinal) {
        // Without a final handover nothing ends by it: every recipient stays not upskilled.
        await sprint(row, '2026-01-31', row.person_ids);
        expected.set(row.engagement_id, row.person_ids.length);
      }
      await dataSource.query(refreshFactsSql('true'));

      const independent = await factsFromSourceRows(dataSource);
      const stored = await storedFacts(dataSource);
      expect(Object.fromEntries(stored)).toEqual(Object.fromEntries(independent));
      expect(
        Object.fromEntries(
          [...expected.keys()].map((id) => [id, stored.get(id)?.recipientsNotUpskilled]),
        ),
      ).toEqual(Object.fromEntries(expected));

      // With the signal on, the start-up rebuilds the timelines and the API judges the facts so.
      const policy: RiskPolicy = { ...DEFAULT_RISK_POLICY, upskillingWindowDays: 14 };
      expect(await ensureTimelinesCurrent(dataSource, policy)).toBe(true);
      expect(await verifyRisk(dataSource, policy)).toEqual({
        checked: ENGAGEMENTS,
        mismatches: [],
      });
      const config = {
        ...testConfig({ RISK_UPSKILLING_WINDOW_DAYS: '14' }),
        databaseUrl: scratch.url,
      };
      expect(config.risk).toEqual(policy);
      let running: RunningApp | undefined;
      try {
        running = await createApp(config);
        await running.app.getHttpAdapter().getInstance().ready();
        const server = running.app.getHttpServer();
        let raised = 0;
        for (const row of withFinal) {
          const due = row.due_date as string;
          for (const asOf of [addDays(due, -15), addDays(due, -14), todayUtc()]) {
            const response = await contractChecked(request(server))
              .get(`/v1/engagements/${row.engagement_id}/risk`)
              .query({ asOf })
              .set(bearer(config.adminApiKey as string));
            expect(response.status).toBe(200);
            const { level, score, dependencyTrap, signals } = response.body;
            const judged = assessRisk(
              independent.get(row.engagement_id) as RiskFacts,
              asOf,
              policy,
            );
            expect({ id: row.engagement_id, asOf, level, score, dependencyTrap, signals }).toEqual({
              id: row.engagement_id,
              asOf,
              ...judged,
            });
            if (judged.signals.some((signal) => signal.code === 'RECIPIENT_NOT_UPSKILLED'))
              raised++;
          }
        }
        expect(raised).toBeGreaterThan(0);
      } finally {
        await running?.close();
      }
    }, 60_000);
  },
);
