import type { MigrationInterface, QueryRunner } from 'typeorm';

export class Events1796157792365 implements MigrationInterface {
  name = 'Events1796157792365';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "events" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "seq" BIGSERIAL NOT NULL, "type" character varying(64) NOT NULL, "occurred_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), "engagement_id" uuid, "vendor_id" uuid, "actor" jsonb NOT NULL, "data" jsonb NOT NULL, CONSTRAINT "PK_40731c7151fe4be3116e45ddf73" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE UNIQUE INDEX "uq_events_seq" ON "events"  ("seq") `);
    await queryRunner.query(`CREATE INDEX "idx_events_occurred" ON "events"  ("occurred_at") `);
    await queryRunner.query(`CREATE INDEX "idx_events_type" ON "events"  ("type", "seq") `);
    await queryRunner.query(`CREATE INDEX "idx_events_vendor" ON "events"  ("vendor_id", "seq") `);
    await queryRunner.query(
      `CREATE INDEX "idx_events_engagement" ON "events"  ("engagement_id", "seq") `,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."idx_events_engagement"`);
    await queryRunner.query(`DROP INDEX "public"."idx_events_vendor"`);
    await queryRunner.query(`DROP INDEX "public"."idx_events_type"`);
    await queryRunner.query(`DROP INDEX "public"."idx_events_occurred"`);
    await queryRunner.query(`DROP INDEX "public"."uq_events_seq"`);
    await queryRunner.query(`DROP TABLE "events"`);
  }
}
