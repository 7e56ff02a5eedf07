import {
  Column,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
  type Relation,
} from 'typeorm';
import { CreatedAtEntity } from '../database/base-entities.js';
import { Person } from '../people/person.entity.js';
import { ROLES, type Role } from './role.js';

@Entity('api_keys')
export class ApiKey extends CreatedAtEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'varchar', length: 100 })
  name!: string;

  @Column({ type: 'enum', enum: ROLES, enumName: 'api_key_role' })
  role!: Role;

  /** The product owner's person, for keys of role `product_owner`. */
  @Column({ type: 'uuid', nullable: true })
  personId!: string | null;

  @ManyToOne(() => Person, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'person_id' })
  person?: Relation<Person>;

  /** First characters of the secret: narrows the look-up before the constant-time comparison. */
  @Index('idx_api_keys_prefix')
  @Column({ type: 'varchar', length: 16 })
  prefix!: string;

  /** SHA-256 of the secret, hex; the secret itself is never stored. */
  @Index('uq_api_keys_secret_hash', { unique: true })
  @Column({ type: 'char', length: 64 })
  secretHash!: string;

  @Column({ type: 'timestamptz', precision: 3, nullable: true })
  lastUsedAt!: Date | null;

  @Column({ type: 'timestamptz', precision: 3, nullable: true })
  revokedAt!: Date | null;

  @Column({ type: 'timestamptz', precision: 3, nullable: true })
  expiresAt!: Date | null;
}
