import type { MigrationInterface, QueryRunner } from 'typeorm';

export class Engagements1795300999549 implements MigrationInterface {
  name = 'Engagements1795300999549';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "people" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "name" character varying(200) NOT NULL, "email" character varying(320) NOT NULL, "team" character varying(200), "created_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), "version" integer NOT NULL DEFAULT '1', CONSTRAINT "PK_aa866e71353ee94c6cc51059c5b" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "vendors" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "name" character varying(200) NOT NULL, "contact_email" character varying(320), "website" character varying(2048), "notes" text, "created_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), "version" integer NOT NULL DEFAULT '1', CONSTRAINT "PK_9c956c9797edfae5c6ddacc4e6e" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE TYPE "public"."engagement_status" AS ENUM('draft', 'active', 'completed', 'cancelled')`,
    );
    await queryRunner.query(
      `CREATE TABLE "engagements" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "title" character varying(200) NOT NULL, "vendor_id" uuid NOT NULL, "contract_ref" character varying(100), "status" "public"."engagement_status" NOT NULL DEFAULT 'draft', "product_owner_id" uuid NOT NULL, "spec_problem" text NOT NULL, "spec_success_metrics" jsonb NOT NULL, "spec_constraints" jsonb NOT NULL, "spec_trade_off_owner_id" uuid NOT NULL, "spec_trade_off_rule" text, "start_date" date, "contract_end_date" date, "notice_period_days" integer NOT NULL DEFAULT '0', "activated_at" TIMESTAMP(3) WITH TIME ZONE, "completed_at" TIMESTAMP(3) WITH TIME ZONE, "cancelled_at" TIMESTAMP(3) WITH TIME ZONE, "cancel_reason" text, "created_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), "version" integer NOT NULL DEFAULT '1', CONSTRAINT "PK_aec8c95c82a37a5791001cdb9ae" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "idx_engagements_vendor" ON "engagements"  ("vendor_id") `,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "uq_engagements_contract_ref" ON "engagements"  ("contract_ref") `,
    );
    await queryRunner.query(`CREATE INDEX "idx_engagements_status" ON "engagements"  ("status") `);
    await queryRunner.query(
      `CREATE INDEX "idx_engagements_product_owner" ON "engagements"  ("product_owner_id") `,
    );
    await queryRunner.query(
      `CREATE INDEX "idx_engagements_created" ON "engagements"  ("created_at", "id") `,
    );
    await queryRunner.query(
      `CREATE TABLE "engagement_knowledge_recipients" ("engagement_id" uuid NOT NULL, "person_id" uuid NOT NULL, CONSTRAINT "PK_b586620d1f6a667efcd8f1b4b1a" PRIMARY KEY ("engagement_id", "person_id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "idx_knowledge_recipients_person" ON "engagement_knowledge_recipients"  ("person_id") `,
    );
    await queryRunner.query(
      `CREATE TYPE "public"."milestone_kind" AS ENUM('delivery', 'handover', 'final_handover')`,
    );
    await queryRunner.query(
      `CREATE TABLE "milestones" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "engagement_id" uuid NOT NULL, "name" character varying(200) NOT NULL, "kind" "public"."milestone_kind" NOT NULL, "due_date" date NOT NULL, "baseline_due_date" date, "completed_on" date, "created_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), "version" integer NOT NULL DEFAULT '1', CONSTRAINT "PK_0bdbfe399c777a6a8520ff902d9" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "uq_milestones_final_handover" ON "milestones"  ("engagement_id") WHERE "kind" = 'final_handover'`,
    );
    await queryRunner.query(
      `CREATE INDEX "idx_milestones_engagement" ON "milestones"  ("engagement_id", "due_date") `,
    );
    await queryRunner.query(
      `CREATE TABLE "milestone_date_changes" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "milestone_id" uuid NOT NULL, "engagement_id" uuid NOT NULL, "from_date" date NOT NULL, "to_date" date NOT NULL, "reason" text NOT NULL, "changed_by_api_key_id" uuid NOT NULL, "changed_by_name" character varying(100) NOT NULL, "changed_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_7af6d894e3f0be9053e55f9c6ea" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "idx_milestone_date_changes_milestone" ON "milestone_date_changes"  ("milestone_id", "changed_at") `,
    );
    await queryRunner.query(
      `CREATE TYPE "public"."artifact_kind" AS ENUM('documentation', 'runbook', 'architecture_decision_record', 'code_walkthrough', 'training_session', 'recorded_demo', 'source_code_access', 'operational_access', 'test_suite', 'other')`,
    );
    await queryRunner.query(
      `CREATE TYPE "public"."artifact_status" AS ENUM('required', 'delivered', 'accepted', 'rejected')`,
    );
    await queryRunner.query(
      `CREATE TABLE "artifacts" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "engagement_id" uuid NOT NULL, "milestone_id" uuid NOT NULL, "kind" "public"."artifact_kind" NOT NULL, "title" character varying(200) NOT NULL, "description" text, "status" "public"."artifact_status" NOT NULL DEFAULT 'required', "evidence_url" character varying(2048), "delivered_at" TIMESTAMP(3) WITH TIME ZONE, "accepted_at" TIMESTAMP(3) WITH TIME ZONE, "accepted_by_id" uuid, "rejection_reason" text, "rejection_count" integer NOT NULL DEFAULT '0', "created_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), "version" integer NOT NULL DEFAULT '1', CONSTRAINT "PK_6516bbed3c129918e05c5012edb" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "idx_artifacts_milestone" ON "artifacts"  ("milestone_id") `,
    );
    await queryRunner.query(
      `CREATE INDEX "idx_artifacts_engagement" ON "artifacts"  ("engagement_id", "created_at", "id") `,
    );
    await queryRunner.query(
      `CREATE TABLE "audit_events" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), "actor_api_key_id" uuid, "actor_name" character varying(100) NOT NULL, "actor_role" character varying(32) NOT NULL, "action" character varying(64) NOT NULL, "entity_type" character varying(32) NOT NULL, "entity_id" uuid NOT NULL, "engagement_id" uuid, "changes" jsonb NOT NULL DEFAULT '{}', CONSTRAINT "PK_910f64d901a5c3e9878f0d4a407" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "idx_audit_events_engagement" ON "audit_events"  ("engagement_id") `,
    );
    await queryRunner.query(`CREATE INDEX "idx_audit_events_at" ON "audit_events"  ("at", "id") `);
    await queryRunner.query(
      `CREATE INDEX "idx_audit_events_entity" ON "audit_events"  ("entity_type", "entity_id", "at", "id") `,
    );
    await queryRunner.query(
      `CREATE TABLE "idempotency_records" ("api_key_id" uuid NOT NULL, "key" character varying(255) NOT NULL, "path" character varying(2048) NOT NULL, "request_hash" character(64) NOT NULL, "response_status" integer, "response_body" jsonb, "created_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_d06966628049ab585a95f67df2a" PRIMARY KEY ("api_key_id", "key"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "idx_idempotency_records_created" ON "idempotency_records"  ("created_at") `,
    );
    await queryRunner.query(
      `ALTER TABLE "engagements" ADD CONSTRAINT "FK_266292d796880581d914bfb6a4d" FOREIGN KEY ("vendor_id") REFERENCES "vendors"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "engagements" ADD CONSTRAINT "FK_e0d1cab7ef15accef1b51dabc50" FOREIGN KEY ("product_owner_id") REFERENCES "people"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "engagements" ADD CONSTRAINT "FK_8b0e6358154204992e7d41c00cd" FOREIGN KEY ("spec_trade_off_owner_id") REFERENCES "people"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "engagement_knowledge_recipients" ADD CONSTRAINT "FK_98c7a88ae52c4eaeea66be75853" FOREIGN KEY ("engagement_id") REFERENCES "engagements"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "engagement_knowledge_recipients" ADD CONSTRAINT "FK_65fb4ea0fd265611f42896b9323" FOREIGN KEY ("person_id") REFERENCES "people"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "milestones" ADD CONSTRAINT "FK_f1ed46fdbb365c363c4e32f7b09" FOREIGN KEY ("engagement_id") REFERENCES "engagements"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "milestone_date_changes" ADD CONSTRAINT "FK_e03bda9194daa097aef1b45da46" FOREIGN KEY ("milestone_id") REFERENCES "milestones"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "artifacts" ADD CONSTRAINT "FK_c3378ca7ed87ebff6cd9b765b08" FOREIGN KEY ("engagement_id") REFERENCES "engagements"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "artifacts" ADD CONSTRAINT "FK_954596b15042755c90681188804" FOREIGN KEY ("milestone_id") REFERENCES "milestones"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "artifacts" ADD CONSTRAINT "FK_f97744f66773bde55e058007113" FOREIGN KEY ("accepted_by_id") REFERENCES "people"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "api_keys" ADD CONSTRAINT "FK_5e19943c81194a4e9c8bdbd297d" FOREIGN KEY ("person_id") REFERENCES "people"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    // Case-insensitive uniqueness: expression indexes the entities declare with synchronize: false.
    await queryRunner.query(
      `CREATE UNIQUE INDEX "uq_vendors_name_lower" ON "vendors" (lower("name"))`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "uq_people_email_lower" ON "people" (lower("email"))`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."uq_people_email_lower"`);
    await queryRunner.query(`DROP INDEX "public"."uq_vendors_name_lower"`);
    await queryRunner.query(
      `ALTER TABLE "api_keys" DROP CONSTRAINT "FK_5e19943c81194a4e9c8bdbd297d"`,
    );
    await queryRunner.query(
      `ALTER TABLE "artifacts" DROP CONSTRAINT "FK_f97744f66773bde55e058007113"`,
    );
    await queryRunner.query(
      `ALTER TABLE "artifacts" DROP CONSTRAINT "FK_954596b15042755c90681188804"`,
    );
    await queryRunner.query(
      `ALTER TABLE "artifacts" DROP CONSTRAINT "FK_c3378ca7ed87ebff6cd9b765b08"`,
    );
    await queryRunner.query(
      `ALTER TABLE "milestone_date_changes" DROP CONSTRAINT "FK_e03bda9194daa097aef1b45da46"`,
    );
    await queryRunner.query(
      `ALTER TABLE "milestones" DROP CONSTRAINT "FK_f1ed46fdbb365c363c4e32f7b09"`,
    );
    await queryRunner.query(
      `ALTER TABLE "engagement_knowledge_recipients" DROP CONSTRAINT "FK_65fb4ea0fd265611f42896b9323"`,
    );
    await queryRunner.query(
      `ALTER TABLE "engagement_knowledge_recipients" DROP CONSTRAINT "FK_98c7a88ae52c4eaeea66be75853"`,
    );
    await queryRunner.query(
      `ALTER TABLE "engagements" DROP CONSTRAINT "FK_8b0e6358154204992e7d41c00cd"`,
    );
    await queryRunner.query(
      `ALTER TABLE "engagements" DROP CONSTRAINT "FK_e0d1cab7ef15accef1b51dabc50"`,
    );
    await queryRunner.query(
      `ALTER TABLE "engagements" DROP CONSTRAINT "FK_266292d796880581d914bfb6a4d"`,
    );
    await queryRunner.query(`DROP INDEX "public"."idx_idempotency_records_created"`);
    await queryRunner.query(`DROP TABLE "idempotency_records"`);
    await queryRunner.query(`DROP INDEX "public"."idx_audit_events_entity"`);
    await queryRunner.query(`DROP INDEX "public"."idx_audit_events_at"`);
    await queryRunner.query(`DROP INDEX "public"."idx_audit_events_engagement"`);
    await queryRunner.query(`DROP TABLE "audit_events"`);
    await queryRunner.query(`DROP INDEX "public"."idx_artifacts_engagement"`);
    await queryRunner.query(`DROP INDEX "public"."idx_artifacts_milestone"`);
    await queryRunner.query(`DROP TABLE "artifacts"`);
    await queryRunner.query(`DROP TYPE "public"."artifact_status"`);
    await queryRunner.query(`DROP TYPE "public"."artifact_kind"`);
    await queryRunner.query(`DROP INDEX "public"."idx_milestone_date_changes_milestone"`);
    await queryRunner.query(`DROP TABLE "milestone_date_changes"`);
    await queryRunner.query(`DROP INDEX "public"."idx_milestones_engagement"`);
    await queryRunner.query(`DROP INDEX "public"."uq_milestones_final_handover"`);
    await queryRunner.query(`DROP TABLE "milestones"`);
    await queryRunner.query(`DROP TYPE "public"."milestone_kind"`);
    await queryRunner.query(`DROP INDEX "public"."idx_knowledge_recipients_person"`);
    await queryRunner.query(`DROP TABLE "engagement_knowledge_recipients"`);
    await queryRunner.query(`DROP INDEX "public"."idx_engagements_created"`);
    await queryRunner.query(`DROP INDEX "public"."idx_engagements_product_owner"`);
    await queryRunner.query(`DROP INDEX "public"."idx_engagements_status"`);
    await queryRunner.query(`DROP INDEX "public"."uq_engagements_contract_ref"`);
    await queryRunner.query(`DROP INDEX "public"."idx_engagements_vendor"`);
    await queryRunner.query(`DROP TABLE "engagements"`);
    await queryRunner.query(`DROP TYPE "public"."engagement_status"`);
    await queryRunner.query(`DROP TABLE "vendors"`);
    await queryRunner.query(`DROP TABLE "people"`);
  }
}
