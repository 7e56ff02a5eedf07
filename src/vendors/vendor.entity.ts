import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { VersionedEntity } from '../database/base-entities.js';

@Entity('vendors')
// Names are unique case-insensitively: an expression index, maintained by the migrations.
@Index('uq_vendors_name_lower', { synchronize: false })
export class Vendor extends VersionedEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'varchar', length: 200 })
  name!: string;

  @Column({ type: 'varchar', length: 320, nullable: true })
  contactEmail!: string | null;

  @Column({ type: 'varchar', length: 2048, nullable: true })
  website!: string | null;

  @Column({ type: 'text', nullable: true })
  notes!: string | null;
}
