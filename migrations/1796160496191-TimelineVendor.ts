import type { MigrationInterface, QueryRunner } from 'typeorm';

export class TimelineVendor1796160496191 implements MigrationInterface {
  name = 'TimelineVendor1796160496191';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "risk_timeline" ADD "vendor_id" uuid`);
    await queryRunner.query(`ALTER TABLE "risk_timeline" ADD "open" boolean`);
    await queryRunner.query(
      `UPDATE "risk_timeline" t SET "vendor_id" = e."vendor_id", "open" = e."status" IN ('draft', 'active')
         FROM "engagements" e WHERE e."id" = t."engagement_id"`,
    );
    await queryRunner.query(`ALTER TABLE "risk_timeline" ALTER COLUMN "vendor_id" SET NOT NULL`);
    await queryRunner.query(`ALTER TABLE "risk_timeline" ALTER COLUMN "open" SET NOT NULL`);
    // The portfolio's counts read only this index: open engagements' segments by date.
    await queryRunner.query(
      `CREATE INDEX "idx_risk_timeline_open" ON "risk_timeline" ("valid_from", "valid_until") INCLUDE ("vendor_id", "level", "signals", "score") WHERE "open"`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."idx_risk_timeline_open"`);
    await queryRunner.query(`ALTER TABLE "risk_timeline" DROP COLUMN "open"`);
    await queryRunner.query(`ALTER TABLE "risk_timeline" DROP COLUMN "vendor_id"`);
  }
}
