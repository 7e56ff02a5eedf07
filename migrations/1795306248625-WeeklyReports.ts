import type { MigrationInterface, QueryRunner } from 'typeorm';

export class WeeklyReports1795306248625 implements MigrationInterface {
  name = 'WeeklyReports1795306248625';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "weekly_reports" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "week" character varying(8) NOT NULL, "generated_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), "as_of" date NOT NULL, "generated_by_api_key_id" uuid, "content" jsonb NOT NULL, CONSTRAINT "PK_1a8cd4b8d43d7a359597b75f792" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "uq_weekly_reports_week" ON "weekly_reports"  ("week") `,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."uq_weekly_reports_week"`);
    await queryRunner.query(`DROP TABLE "weekly_reports"`);
  }
}
