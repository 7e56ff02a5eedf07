import { CreateDateColumn, UpdateDateColumn, VersionColumn } from 'typeorm';

/**
 * The creation time of an entity that is never changed after it is written.
 *
 * Not an entity itself: TypeORM's concrete table inheritance gives each subclass's table these
 * columns, as if they were declared there.
 */
export abstract class CreatedAtEntity {
  // Millisecond precision, as in JSON, so a keyset cursor names a row's exact position.
  @CreateDateColumn({ type: 'timestamptz', precision: 3 })
  createdAt!: Date;
}

/** An entity that is changed in place: when, and how often (the version, sent as ETag). */
export abstract class VersionedEntity extends CreatedAtEntity {
  @UpdateDateColumn({ type: 'timestamptz', precision: 3 })
  updatedAt!: Date;

  @VersionColumn({ default: 1 })
  version!: number;
}
