import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { VersionedEntity } from '../database/base-entities.js';

/** Internal staff: product owners, trade-off owners, knowledge recipients, acceptors. */
@Entity('people')
// E-mail addresses are unique case-insensitively: an expression index, maintained by the migrations.
@Index('uq_people_email_lower', { synchronize: false })
export class Person extends VersionedEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'varchar', length: 200 })
  name!: string;

  @Column({ type: 'varchar', length: 320 })
  email!: string;

  @Column({ type: 'varchar', length: 200, nullable: true })
  team!: string | null;
}
