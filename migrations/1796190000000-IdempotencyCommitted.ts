import type { MigrationInterface, QueryRunner } from 'typeorm';

export class IdempotencyCommitted1796190000000 implements MigrationInterface {
  name = 'IdempotencyCommitted1796190000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE "idempotency_records" ADD "committed_at" TIMESTAMP(3) WITH TIME ZONE`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "idempotency_records" DROP COLUMN "committed_at"`);
  }
}
