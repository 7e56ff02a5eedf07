import type { MigrationInterface, QueryRunner } from 'typeorm';

export class RiskFacts1796155810790 implements MigrationInterface {
  name = 'RiskFacts1796155810790';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "engagement_risk_facts" ("engagement_id" uuid NOT NULL, "status" "public"."engagement_status" NOT NULL, "last_safe_handover_date" date, "final_due_date" date, "final_baseline_due_date" date, "final_completed_on" date, "final_slip_count" integer NOT NULL, "open_milestones" jsonb NOT NULL, "unaccepted_by_due_date" jsonb NOT NULL, "artifact_count" integer NOT NULL, "accepted_count" integer NOT NULL, "rejected_count" integer NOT NULL, "recipient_count" integer NOT NULL, CONSTRAINT "PK_902ea0baae1b3a24b2a6f602cf8" PRIMARY KEY ("engagement_id"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "risk_timeline" ("engagement_id" uuid NOT NULL, "valid_from" date NOT NULL, "valid_until" date NOT NULL, "level" smallint NOT NULL, "score" smallint NOT NULL, "signals" integer NOT NULL, "engagement_created_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL, CONSTRAINT "PK_3d02b284bb8619572e45581cdcf" PRIMARY KEY ("engagement_id", "valid_from"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "risk_history" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "engagement_id" uuid NOT NULL, "at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), "changed_on" date NOT NULL, "from_level" character varying(10) NOT NULL, "from_score" smallint NOT NULL, "to_level" character varying(10) NOT NULL, "to_score" smallint NOT NULL, "raised" text array NOT NULL, "cleared" text array NOT NULL, "cause" character varying(10) NOT NULL, "event_id" uuid, CONSTRAINT "PK_f05484b1dffef6be64efb6d16eb" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "idx_risk_history_engagement" ON "risk_history"  ("engagement_id", "at", "id") `,
    );
    await queryRunner.query(
      `CREATE TABLE "risk_timeline_state" ("id" smallint NOT NULL, "fingerprint" character varying(64) NOT NULL, "built_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL, CONSTRAINT "PK_6abefcccdff1cb5f6cc57dd3834" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `ALTER TABLE "engagement_risk_facts" ADD CONSTRAINT "FK_902ea0baae1b3a24b2a6f602cf8" FOREIGN KEY ("engagement_id") REFERENCES "engagements"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "risk_timeline" ADD CONSTRAINT "FK_fb6d3bede9d2dccbab9ac455296" FOREIGN KEY ("engagement_id") REFERENCES "engagements"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "risk_history" ADD CONSTRAINT "FK_b642eb9ea779b141b6a6342bc0e" FOREIGN KEY ("engagement_id") REFERENCES "engagements"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    // The timeline indexes hold what the risk lists filter on, so those scans need no heap.
    await queryRunner.query(
      `CREATE INDEX "idx_risk_timeline_created" ON "risk_timeline" ("engagement_created_at", "engagement_id") INCLUDE ("valid_from", "valid_until", "level", "score")`,
    );
    await queryRunner.query(
      `CREATE INDEX "idx_risk_timeline_score" ON "risk_timeline" ((-"score"), "engagement_created_at", "engagement_id") INCLUDE ("valid_from", "valid_until", "level")`,
    );
    // Backfill: every existing engagement's facts, from its rows as they are now. (A copy of
    // the definition of this release, as a migration must be; the timelines follow at start-up.)
    await queryRunner.query(`INSERT INTO engagement_risk_facts (engagement_id, status, last_safe_handover_date, final_due_date, final_baseline_due_date, final_completed_on, final_slip_count, open_milestones, unaccepted_by_due_date, artifact_count, accepted_count, rejected_count, recipient_count)
SELECT e.id, e.status,
       CASE WHEN e.contract_end_date IS NULL THEN NULL ELSE (e.contract_end_date - e.notice_period_days)::date END,
       fh.due_date, fh.baseline_due_date, fh.completed_on,
       (SELECT count(*)::int FROM milestone_date_changes c WHERE c.milestone_id = fh.id AND c.to_date > c.from_date),
       COALESCE((SELECT jsonb_agg(jsonb_build_object('id', m.id, 'dueDate', m.due_date) ORDER BY m.due_date, m.id)
                   FROM milestones m
                  WHERE m.engagement_id = e.id AND m.kind <> 'final_handover' AND m.completed_on IS NULL), '[]'::jsonb),
       COALESCE((SELECT jsonb_agg(jsonb_build_object('dueDate', g.due_date, 'count', g.n) ORDER BY g.due_date)
                   FROM (SELECT m.due_date, count(*)::int AS n
                           FROM artifacts a JOIN milestones m ON m.id = a.milestone_id
                          WHERE a.engagement_id = e.id AND a.status <> 'accepted'
                          GROUP BY m.due_date) g), '[]'::jsonb),
       ac.total, ac.accepted, ac.rejected,
       (SELECT count(*)::int FROM engagement_knowledge_recipients r WHERE r.engagement_id = e.id)
  FROM engagements e
  LEFT JOIN milestones fh ON fh.engagement_id = e.id AND fh.kind = 'final_handover'
 CROSS JOIN LATERAL (
       SELECT count(*)::int AS total,
              count(*) FILTER (WHERE a.status = 'accepted')::int AS accepted,
              count(*) FILTER (WHERE a.status = 'rejected')::int AS rejected
         FROM artifacts a WHERE a.engagement_id = e.id) ac`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE "risk_history" DROP CONSTRAINT "FK_b642eb9ea779b141b6a6342bc0e"`,
    );
    await queryRunner.query(
      `ALTER TABLE "risk_timeline" DROP CONSTRAINT "FK_fb6d3bede9d2dccbab9ac455296"`,
    );
    await queryRunner.query(
      `ALTER TABLE "engagement_risk_facts" DROP CONSTRAINT "FK_902ea0baae1b3a24b2a6f602cf8"`,
    );
    await queryRunner.query(`DROP TABLE "risk_timeline_state"`);
    await queryRunner.query(`DROP INDEX "public"."idx_risk_history_engagement"`);
    await queryRunner.query(`DROP TABLE "risk_history"`);
    await queryRunner.query(`DROP INDEX "public"."idx_risk_timeline_score"`);
    await queryRunner.query(`DROP INDEX "public"."idx_risk_timeline_created"`);
    await queryRunner.query(`DROP TABLE "risk_timeline"`);
    await queryRunner.query(`DROP TABLE "engagement_risk_facts"`);
  }
}
