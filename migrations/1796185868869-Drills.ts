import type { MigrationInterface, QueryRunner } from 'typeorm';

export class Drills1796185868869 implements MigrationInterface {
  name = 'Drills1796185868869';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TYPE "public"."drill_kind" AS ENUM('deploy', 'restore', 'incident_response', 'change', 'explain', 'exit_rehearsal', 'other')`,
    );
    await queryRunner.query(`CREATE TYPE "public"."drill_status" AS ENUM('scheduled', 'recorded')`);
    await queryRunner.query(
      `CREATE TYPE "public"."drill_outcome" AS ENUM('passed', 'partial', 'failed')`,
    );
    await queryRunner.query(
      `CREATE TYPE "public"."drill_vendor_assistance" AS ENUM('none', 'advice', 'hands_on')`,
    );
    await queryRunner.query(
      `CREATE TABLE "drills" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "engagement_id" uuid NOT NULL, "kind" "public"."drill_kind" NOT NULL, "title" character varying(200) NOT NULL, "scenario" text NOT NULL, "scheduled_on" date, "status" "public"."drill_status" NOT NULL DEFAULT 'scheduled', "outcome" "public"."drill_outcome", "performed_on" date, "vendor_assistance" "public"."drill_vendor_assistance", "duration_minutes" integer, "evidence_url" character varying(2048), "observed_by_id" uuid, "notes" text, "recorded_at" TIMESTAMP(3) WITH TIME ZONE, "created_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), "version" integer NOT NULL DEFAULT '1', CONSTRAINT "PK_21a05ff68e78209b76f3dcf8da1" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "idx_drills_engagement" ON "drills"  ("engagement_id", "created_at", "id") `,
    );
    await queryRunner.query(
      `CREATE TABLE "drill_participants" ("drill_id" uuid NOT NULL, "person_id" uuid NOT NULL, CONSTRAINT "PK_01f953e61ed6503c1f6ecbc793e" PRIMARY KEY ("drill_id", "person_id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "idx_drill_participants_person" ON "drill_participants"  ("person_id") `,
    );
    await queryRunner.query(
      `CREATE TABLE "drill_artifacts" ("drill_id" uuid NOT NULL, "artifact_id" uuid NOT NULL, CONSTRAINT "PK_5ad9daaab242b3b6d384742d1ef" PRIMARY KEY ("drill_id", "artifact_id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "idx_drill_artifacts_artifact" ON "drill_artifacts"  ("artifact_id") `,
    );
    await queryRunner.query(
      `CREATE TYPE "public"."engagement_criticality" AS ENUM('standard', 'important', 'critical')`,
    );
    await queryRunner.query(
      `ALTER TABLE "engagements" ADD "criticality" "public"."engagement_criticality" NOT NULL DEFAULT 'standard'`,
    );
    await queryRunner.query(`ALTER TABLE "engagements" ADD "exit_plan" jsonb`);
    await queryRunner.query(
      `ALTER TABLE "engagements" ADD "min_independent_operators" integer NOT NULL DEFAULT '0'`,
    );
    // Every engagement so far is standard, without an exit plan or drills: that is its facts.
    await queryRunner.query(
      `ALTER TABLE "engagement_risk_facts" ADD "criticality" "public"."engagement_criticality" NOT NULL DEFAULT 'standard'`,
    );
    await queryRunner.query(
      `ALTER TABLE "engagement_risk_facts" ADD "has_exit_plan" boolean NOT NULL DEFAULT false`,
    );
    await queryRunner.query(
      `ALTER TABLE "engagement_risk_facts" ADD "operator_evidence" jsonb NOT NULL DEFAULT '[]'`,
    );
    await queryRunner.query(
      `ALTER TABLE "engagement_risk_facts" ADD "exit_rehearsals" jsonb NOT NULL DEFAULT '[]'`,
    );
    for (const column of ['criticality', 'has_exit_plan', 'operator_evidence', 'exit_rehearsals']) {
      await queryRunner.query(
        `ALTER TABLE "engagement_risk_facts" ALTER COLUMN "${column}" DROP DEFAULT`,
      );
    }
    await queryRunner.query(
      `ALTER TABLE "drills" ADD CONSTRAINT "FK_f898e753a8b3761c7046545486c" FOREIGN KEY ("engagement_id") REFERENCES "engagements"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "drills" ADD CONSTRAINT "FK_c73f7b5748dcd9180096419d17a" FOREIGN KEY ("observed_by_id") REFERENCES "people"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "drill_participants" ADD CONSTRAINT "FK_7f1f44c2f5b84e8be8542e15f4f" FOREIGN KEY ("drill_id") REFERENCES "drills"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "drill_participants" ADD CONSTRAINT "FK_75acc6973a07f2e7bc3815faf1b" FOREIGN KEY ("person_id") REFERENCES "people"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "drill_artifacts" ADD CONSTRAINT "FK_4d81695a75640f3131918e5d0c6" FOREIGN KEY ("drill_id") REFERENCES "drills"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "drill_artifacts" ADD CONSTRAINT "FK_f72b85bf9f5529fcbf5a5873107" FOREIGN KEY ("artifact_id") REFERENCES "artifacts"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE "drill_artifacts" DROP CONSTRAINT "FK_f72b85bf9f5529fcbf5a5873107"`,
    );
    await queryRunner.query(
      `ALTER TABLE "drill_artifacts" DROP CONSTRAINT "FK_4d81695a75640f3131918e5d0c6"`,
    );
    await queryRunner.query(
      `ALTER TABLE "drill_participants" DROP CONSTRAINT "FK_75acc6973a07f2e7bc3815faf1b"`,
    );
    await queryRunner.query(
      `ALTER TABLE "drill_participants" DROP CONSTRAINT "FK_7f1f44c2f5b84e8be8542e15f4f"`,
    );
    await queryRunner.query(
      `ALTER TABLE "drills" DROP CONSTRAINT "FK_c73f7b5748dcd9180096419d17a"`,
    );
    await queryRunner.query(
      `ALTER TABLE "drills" DROP CONSTRAINT "FK_f898e753a8b3761c7046545486c"`,
    );
    await queryRunner.query(`ALTER TABLE "engagement_risk_facts" DROP COLUMN "exit_rehearsals"`);
    await queryRunner.query(`ALTER TABLE "engagement_risk_facts" DROP COLUMN "operator_evidence"`);
    await queryRunner.query(`ALTER TABLE "engagement_risk_facts" DROP COLUMN "has_exit_plan"`);
    await queryRunner.query(`ALTER TABLE "engagement_risk_facts" DROP COLUMN "criticality"`);
    await queryRunner.query(`ALTER TABLE "engagements" DROP COLUMN "min_independent_operators"`);
    await queryRunner.query(`ALTER TABLE "engagements" DROP COLUMN "exit_plan"`);
    await queryRunner.query(`ALTER TABLE "engagements" DROP COLUMN "criticality"`);
    await queryRunner.query(`DROP TYPE "public"."engagement_criticality"`);
    await queryRunner.query(`DROP INDEX "public"."idx_drill_artifacts_artifact"`);
    await queryRunner.query(`DROP TABLE "drill_artifacts"`);
    await queryRunner.query(`DROP INDEX "public"."idx_drill_participants_person"`);
    await queryRunner.query(`DROP TABLE "drill_participants"`);
    await queryRunner.query(`DROP INDEX "public"."idx_drills_engagement"`);
    await queryRunner.query(`DROP TABLE "drills"`);
    await queryRunner.query(`DROP TYPE "public"."drill_vendor_assistance"`);
    await queryRunner.query(`DROP TYPE "public"."drill_outcome"`);
    await queryRunner.query(`DROP TYPE "public"."drill_status"`);
    await queryRunner.query(`DROP TYPE "public"."drill_kind"`);
  }
}
