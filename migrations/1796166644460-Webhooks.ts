import type { MigrationInterface, QueryRunner } from 'typeorm';

export class Webhooks1796166644460 implements MigrationInterface {
  name = 'Webhooks1796166644460';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "escalations" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "engagement_id" uuid NOT NULL, "level" character varying(10) NOT NULL, "since" date NOT NULL, "raised_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL, "acknowledged_at" TIMESTAMP(3) WITH TIME ZONE, "resolved_at" TIMESTAMP(3) WITH TIME ZONE, CONSTRAINT "PK_652a394609addaa4b0f2b3032a1" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "idx_escalations_engagement" ON "escalations"  ("engagement_id", "raised_at", "id") `,
    );
    await queryRunner.query(
      `CREATE TABLE "risk_acknowledgements" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "engagement_id" uuid NOT NULL, "level" character varying(10) NOT NULL, "note" text NOT NULL, "until" date NOT NULL, "acknowledged_by" jsonb NOT NULL, "acknowledged_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), "escalation_id" uuid, CONSTRAINT "PK_ce29ddd20feb4f11d2eb184931d" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "idx_risk_acknowledgements_engagement" ON "risk_acknowledgements"  ("engagement_id", "acknowledged_at", "id") `,
    );
    await queryRunner.query(
      `CREATE TABLE "webhook_endpoints" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "url" character varying(2048) NOT NULL, "description" character varying(500), "event_types" character varying(64) array NOT NULL, "engagement_id" uuid, "vendor_id" uuid, "enabled" boolean NOT NULL DEFAULT true, "disabled_reason" character varying(16), "secret" character varying(64) NOT NULL, "previous_secret" character varying(64), "previous_secret_expires_at" TIMESTAMP(3) WITH TIME ZONE, "owner_api_key_id" uuid, "consecutive_failures" integer NOT NULL DEFAULT '0', "created_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), "version" integer NOT NULL DEFAULT '1', CONSTRAINT "PK_054c4cfb95223732f5939d2d546" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "idx_webhook_endpoints_owner" ON "webhook_endpoints"  ("owner_api_key_id", "created_at", "id") `,
    );
    await queryRunner.query(
      `CREATE TABLE "webhook_deliveries" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "endpoint_id" uuid NOT NULL, "event_id" uuid, "message_id" uuid NOT NULL, "event_type" character varying(64) NOT NULL, "status" character varying(16) NOT NULL DEFAULT 'pending', "attempts" integer NOT NULL DEFAULT '0', "next_attempt_at" TIMESTAMP(3) WITH TIME ZONE, "last_attempt_at" TIMESTAMP(3) WITH TIME ZONE, "last_response" jsonb, "created_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "uq_webhook_deliveries_message" UNIQUE ("endpoint_id", "message_id"), CONSTRAINT "PK_535dd409947fb6d8fc6dfc0112a" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "idx_webhook_deliveries_endpoint" ON "webhook_deliveries"  ("endpoint_id", "created_at", "id") `,
    );
    // Partial indexes TypeORM cannot declare: the deliveries due, and one open escalation each.
    await queryRunner.query(
      `CREATE INDEX "idx_webhook_deliveries_due" ON "webhook_deliveries" ("next_attempt_at") WHERE "status" = 'pending'`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "uq_escalations_open" ON "escalations" ("engagement_id") WHERE "resolved_at" IS NULL`,
    );
    await queryRunner.query(
      `ALTER TABLE "escalations" ADD CONSTRAINT "FK_e9fc3d86643715fb48d59932c21" FOREIGN KEY ("engagement_id") REFERENCES "engagements"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "risk_acknowledgements" ADD CONSTRAINT "FK_1a39092063d3a96434d050a3e25" FOREIGN KEY ("engagement_id") REFERENCES "engagements"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "risk_acknowledgements" ADD CONSTRAINT "FK_87cfcf4e1220686cd0b997f68fe" FOREIGN KEY ("escalation_id") REFERENCES "escalations"("id") ON DELETE SET NULL ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "webhook_endpoints" ADD CONSTRAINT "FK_40138e9f8fa985810e02336d908" FOREIGN KEY ("engagement_id") REFERENCES "engagements"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "webhook_endpoints" ADD CONSTRAINT "FK_b4cc02a0998d09d08e47d9bcade" FOREIGN KEY ("vendor_id") REFERENCES "vendors"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "webhook_endpoints" ADD CONSTRAINT "FK_1915cfcbb39893bc815d2ba80f8" FOREIGN KEY ("owner_api_key_id") REFERENCES "api_keys"("id") ON DELETE SET NULL ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "webhook_deliveries" ADD CONSTRAINT "FK_0b882c26a9b91c26e6e86b4867c" FOREIGN KEY ("endpoint_id") REFERENCES "webhook_endpoints"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "webhook_deliveries" ADD CONSTRAINT "FK_27d1ee90033bdafe0ffe8f1be6f" FOREIGN KEY ("event_id") REFERENCES "events"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE "webhook_deliveries" DROP CONSTRAINT "FK_27d1ee90033bdafe0ffe8f1be6f"`,
    );
    await queryRunner.query(
      `ALTER TABLE "webhook_deliveries" DROP CONSTRAINT "FK_0b882c26a9b91c26e6e86b4867c"`,
    );
    await queryRunner.query(
      `ALTER TABLE "webhook_endpoints" DROP CONSTRAINT "FK_1915cfcbb39893bc815d2ba80f8"`,
    );
    await queryRunner.query(
      `ALTER TABLE "webhook_endpoints" DROP CONSTRAINT "FK_b4cc02a0998d09d08e47d9bcade"`,
    );
    await queryRunner.query(
      `ALTER TABLE "webhook_endpoints" DROP CONSTRAINT "FK_40138e9f8fa985810e02336d908"`,
    );
    await queryRunner.query(
      `ALTER TABLE "risk_acknowledgements" DROP CONSTRAINT "FK_87cfcf4e1220686cd0b997f68fe"`,
    );
    await queryRunner.query(
      `ALTER TABLE "risk_acknowledgements" DROP CONSTRAINT "FK_1a39092063d3a96434d050a3e25"`,
    );
    await queryRunner.query(
      `ALTER TABLE "escalations" DROP CONSTRAINT "FK_e9fc3d86643715fb48d59932c21"`,
    );
    await queryRunner.query(`DROP INDEX "public"."uq_escalations_open"`);
    await queryRunner.query(`DROP INDEX "public"."idx_webhook_deliveries_due"`);
    await queryRunner.query(`DROP INDEX "public"."idx_webhook_deliveries_endpoint"`);
    await queryRunner.query(`DROP TABLE "webhook_deliveries"`);
    await queryRunner.query(`DROP INDEX "public"."idx_webhook_endpoints_owner"`);
    await queryRunner.query(`DROP TABLE "webhook_endpoints"`);
    await queryRunner.query(`DROP INDEX "public"."idx_risk_acknowledgements_engagement"`);
    await queryRunner.query(`DROP TABLE "risk_acknowledgements"`);
    await queryRunner.query(`DROP INDEX "public"."idx_escalations_engagement"`);
    await queryRunner.query(`DROP TABLE "escalations"`);
  }
}
