import type { MigrationInterface, QueryRunner } from 'typeorm';

export class LearningSprints1796188292755 implements MigrationInterface {
  name = 'LearningSprints1796188292755';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TYPE "public"."learning_sprint_status" AS ENUM('planned', 'completed')`,
    );
    await queryRunner.query(
      `CREATE TYPE "public"."learning_sprint_outcome" AS ENUM('shipped', 'partial', 'not_shipped')`,
    );
    await queryRunner.query(
      `CREATE TABLE "learning_sprints" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "engagement_id" uuid NOT NULL, "milestone_id" uuid NOT NULL, "goal" text NOT NULL, "mentor_id" uuid NOT NULL, "starts_on" date NOT NULL, "ends_on" date NOT NULL, "status" "public"."learning_sprint_status" NOT NULL DEFAULT 'planned', "outcome" "public"."learning_sprint_outcome", "evidence_url" character varying(2048), "lessons" text, "completed_at" TIMESTAMP(3) WITH TIME ZONE, "created_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), "version" integer NOT NULL DEFAULT '1', CONSTRAINT "PK_a1744b71d278c16578a36c8c98f" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "idx_learning_sprints_mentor" ON "learning_sprints"  ("mentor_id", "starts_on") `,
    );
    await queryRunner.query(
      `CREATE INDEX "idx_learning_sprints_engagement" ON "learning_sprints"  ("engagement_id", "created_at", "id") `,
    );
    await queryRunner.query(
      `CREATE TABLE "learning_sprint_learners" ("sprint_id" uuid NOT NULL, "person_id" uuid NOT NULL, CONSTRAINT "PK_aa7727a5ed7e0d2c2bd5f6bee21" PRIMARY KEY ("sprint_id", "person_id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "idx_learning_sprint_learners_person" ON "learning_sprint_learners"  ("person_id") `,
    );
    // No sprint exists yet: every recipient is one without.
    await queryRunner.query(
      `ALTER TABLE "engagement_risk_facts" ADD "recipients_not_upskilled" integer NOT NULL DEFAULT 0`,
    );
    await queryRunner.query(
      `UPDATE "engagement_risk_facts" SET "recipients_not_upskilled" = "recipient_count"`,
    );
    await queryRunner.query(
      `ALTER TABLE "engagement_risk_facts" ALTER COLUMN "recipients_not_upskilled" DROP DEFAULT`,
    );
    // The playbook's full-text search: the same expressions as PlaybookService's queries.
    await queryRunner.query(
      `CREATE INDEX "idx_learning_sprints_lessons_search" ON "learning_sprints" USING gin (to_tsvector('english', "goal" || ' ' || "lessons")) WHERE "lessons" IS NOT NULL`,
    );
    await queryRunner.query(
      `CREATE INDEX "idx_drills_notes_search" ON "drills" USING gin (to_tsvector('english', "title" || ' ' || "notes")) WHERE "notes" IS NOT NULL`,
    );
    await queryRunner.query(
      `ALTER TABLE "learning_sprints" ADD CONSTRAINT "FK_a6d1578a9cedd6187d4db28f7b7" FOREIGN KEY ("engagement_id") REFERENCES "engagements"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "learning_sprints" ADD CONSTRAINT "FK_fe207b391983ab2cb37b12e5d9c" FOREIGN KEY ("milestone_id") REFERENCES "milestones"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "learning_sprints" ADD CONSTRAINT "FK_9d30cf13eca985f799df13d998e" FOREIGN KEY ("mentor_id") REFERENCES "people"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "learning_sprint_learners" ADD CONSTRAINT "FK_86972c96f7fa663d477cba8b355" FOREIGN KEY ("sprint_id") REFERENCES "learning_sprints"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "learning_sprint_learners" ADD CONSTRAINT "FK_c2aa7f0aa66d7a7d09ed47280dd" FOREIGN KEY ("person_id") REFERENCES "people"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE "learning_sprint_learners" DROP CONSTRAINT "FK_c2aa7f0aa66d7a7d09ed47280dd"`,
    );
    await queryRunner.query(
      `ALTER TABLE "learning_sprint_learners" DROP CONSTRAINT "FK_86972c96f7fa663d477cba8b355"`,
    );
    await queryRunner.query(
      `ALTER TABLE "learning_sprints" DROP CONSTRAINT "FK_9d30cf13eca985f799df13d998e"`,
    );
    await queryRunner.query(
      `ALTER TABLE "learning_sprints" DROP CONSTRAINT "FK_fe207b391983ab2cb37b12e5d9c"`,
    );
    await queryRunner.query(
      `ALTER TABLE "learning_sprints" DROP CONSTRAINT "FK_a6d1578a9cedd6187d4db28f7b7"`,
    );
    await queryRunner.query(`DROP INDEX "public"."idx_drills_notes_search"`);
    await queryRunner.query(`DROP INDEX "public"."idx_learning_sprints_lessons_search"`);
    await queryRunner.query(
      `ALTER TABLE "engagement_risk_facts" DROP COLUMN "recipients_not_upskilled"`,
    );
    await queryRunner.query(`DROP INDEX "public"."idx_learning_sprint_learners_person"`);
    await queryRunner.query(`DROP TABLE "learning_sprint_learners"`);
    await queryRunner.query(`DROP INDEX "public"."idx_learning_sprints_engagement"`);
    await queryRunner.query(`DROP INDEX "public"."idx_learning_sprints_mentor"`);
    await queryRunner.query(`DROP TABLE "learning_sprints"`);
    await queryRunner.query(`DROP TYPE "public"."learning_sprint_outcome"`);
    await queryRunner.query(`DROP TYPE "public"."learning_sprint_status"`);
  }
}
