import { todayUtc } from '../src/common/dates.js';
import type { MigrationInterface, QueryRunner } from 'typeorm';

export class Clock1796158937743 implements MigrationInterface {
  name = 'Clock1796158937743';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "clock_triggers" ("subject_id" uuid NOT NULL, "kind" character varying(20) NOT NULL, "on_date" date NOT NULL, "fired_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_f4daefb79b64bf4f8a27c552f00" PRIMARY KEY ("subject_id", "kind", "on_date"))`,
    );
    // Existing timelines count as derived today (the API process's date, as the clock's): the
    // clock tells of changes from now on.
    await queryRunner.query(
      `ALTER TABLE "risk_timeline" ADD "derived_on" date NOT NULL DEFAULT '${todayUtc()}'`,
    );
    await queryRunner.query(`ALTER TABLE "risk_timeline" ALTER COLUMN "derived_on" DROP DEFAULT`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "risk_timeline" DROP COLUMN "derived_on"`);
    await queryRunner.query(`DROP TABLE "clock_triggers"`);
  }
}
