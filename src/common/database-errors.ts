/** What the PostgreSQL drivers (pg, PGlite) put on an error; TypeORM wraps it as driverError. */
interface DriverError {
  code?: unknown;
  constraint?: unknown;
  message?: unknown;
}

/** The driver's error inside a TypeORM QueryFailedError, or the error itself. */
function driverErrorOf(error: unknown): DriverError | undefined {
  return (
    (error as { driverError?: DriverError } | undefined)?.driverError ?? (error as DriverError)
  );
}

/** The SQLSTATE (or Node's error code) of an error, read the one way every caller reads it. */
export function errorCodeOf(error: unknown): string | undefined {
  const code = driverErrorOf(error)?.code ?? (error as DriverError | undefined)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** The error's message with the driver's message, for matching known connection failures. */
export function errorMessagesOf(error: unknown): string {
  const outer = (error as DriverError | undefined)?.message;
  const driver = (error as { driverError?: DriverError } | undefined)?.driverError?.message;
  return `${outer ?? ''} ${driver ?? ''}`;
}

/** True when the error is PostgreSQL's unique violation, optionally of the named constraint or index. */
export function isUniqueViolation(error: unknown, constraint?: string): boolean {
  return (
    errorCodeOf(error) === '23505' &&
    (constraint === undefined || driverErrorOf(error)?.constraint === constraint)
  );
}
