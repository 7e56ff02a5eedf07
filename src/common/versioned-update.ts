import type { EntityManager, ObjectLiteral } from 'typeorm';
import { assertVersion } from './concurrency.js';
import { sameValue } from './same-value.js';
import { type NotFoundProblem, PreconditionFailedProblem } from './problem.js';

interface Versioned extends ObjectLiteral {
  id: string;
  version: number;
}

/** Reads a row for update: it stays locked until the transaction ends. 404 when missing. */
export async function lockForUpdate<T extends Versioned>(
  manager: EntityManager,
  entity: new () => T,
  id: string,
  notFound: new (id: string) => NotFoundProblem,
): Promise<T> {
  const row = await manager.findOne(entity, {
    where: { id } as never,
    lock: { mode: 'pessimistic_write' },
  });
  if (!row) throw new notFound(id);
  return row;
}

/**
 * Applies `patch` only if the row still has the version that was read, bumping it: two racing
 * writers can never both win. Checks If-Match first. Returns the updated row; a patch that
 * changes nothing writes nothing.
 */
export async function updateVersioned<T extends Versioned>(
  manager: EntityManager,
  entity: new () => T,
  current: T,
  expectedVersion: number | undefined,
  patch: NoInfer<Partial<T>>,
): Promise<T> {
  assertVersion(expectedVersion, current.version);
  const changed = Object.entries(patch).some(([key, value]) => !sameValue(value, current[key]));
  if (!changed) return current;
  const result = await manager
    .createQueryBuilder()
    .update(entity)
    .set({ ...patch, version: () => 'version + 1' } as never)
    .where('id = :id AND version = :version', { id: current.id, version: current.version })
    .execute();
  if (result.affected === 0) throw new PreconditionFailedProblem(current.version + 1);
  return manager.findOneOrFail(entity, { where: { id: current.id } as never });
}
