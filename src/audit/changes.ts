import { sameValue } from '../common/same-value.js';
import type { FieldChanges } from './audit-event.entity.js';

/** The fields whose values differ between two snapshots, as `{ field: { from, to } }`. */
export function diffChanges(
  before: Record<string, unknown>,
  after: Record<string, unknown>,
): FieldChanges {
  const changes: FieldChanges = {};
  for (const field of new Set([...Object.keys(before), ...Object.keys(after)])) {
    const from = before[field] ?? null;
    const to = after[field] ?? null;
    if (!sameValue(from, to)) changes[field] = { from, to };
  }
  return changes;
}

/** Changes of a newly created entity: every field from null. */
export function creationChanges(after: Record<string, unknown>): FieldChanges {
  return diffChanges({}, after);
}

/** The audited view of a response: every field but the ones that identify or keep books. */
export function auditedView<T extends object>(
  response: T,
  bookkeeping: readonly (keyof T & string)[],
): Record<string, unknown> {
  const fields: Record<string, unknown> = { ...(response as Record<string, unknown>) };
  for (const key of bookkeeping) delete fields[key];
  return fields;
}
