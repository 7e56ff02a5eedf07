/** True when the error is PostgreSQL's unique violation, optionally of the named constraint or index. */
export function isUniqueViolation(error: unknown, constraint?: string): boolean {
  const driverError =
    (error as { driverError?: { code?: string; constraint?: string } })?.driverError ??
    (error as { code?: string; constraint?: string });
  return (
    driverError?.code === '23505' &&
    (constraint === undefined || driverError.constraint === constraint)
  );
}
