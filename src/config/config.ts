import { resolve } from 'node:path';
import type { RiskPolicy, SprintLength } from './policies.js';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
/** `auto` is `pretty` when stdout is a terminal and `json` otherwise. */
export const LOG_FORMATS = ['auto', 'json', 'pretty'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

export interface AppConfig {
  port: number;
  host: string;
  /** External PostgreSQL; when absent an embedded PGlite database under `dataDir` is used. */
  databaseUrl: string | undefined;
  dataDir: string;
  dbPoolSize: number;
  dbMigrate: boolean;
  dbStatementTimeoutMs: number;
  adminApiKey: string | undefined;
  logLevel: LogLevel;
  logFormat: LogFormat;
  rateLimitMax: number;
  rateLimitWindowSeconds: number;
  /** Requests without a valid API key per client address and window; 0 turns the limit off. */
  rateLimitAnonMax: number;
  /** After how long an idempotency claim whose request never committed may be taken over. */
  idempotencyAbandonedAfterSeconds: number;
  /**
   * The reverse proxies in front of the API (addresses, CIDR ranges or `loopback`,
   * `linklocal`, `uniquelocal`), whose X-Forwarded-For names the client; empty: none.
   */
  trustProxy: string[];
  bodyLimitBytes: number;
  /** Bulk import limits (SPEC §10). */
  imports: { maxRows: number; maxBytes: number };
  shutdownTimeoutMs: number;
  risk: RiskPolicy;
  /** How many days ahead the risk forecast looks. */
  riskForecastDays: number;
  /** How long a learning sprint may be, in days from its first to its last day. */
  sprintLength: SprintLength;
  /** The independent operators a new engagement's completion requires unless it says otherwise. */
  defaultMinIndependentOperators: number;
  /** How long the event feed keeps events. */
  eventRetentionDays: number;
  /** How many days before a due date `milestone.due_soon` fires. */
  eventDueSoonDays: number;
  /** How often the clock looks for due dates and levels that time has moved. */
  clockIntervalMinutes: number;
  webhooks: WebhookConfig;
  /** Days an engagement may stay at high or above unacknowledged before it is escalated. */
  escalationGraceDays: number;
}

export interface WebhookConfig {
  allowHttp: boolean;
  allowLoopback: boolean;
  denyPrivate: boolean;
  timeoutMs: number;
  maxAttempts: number;
  /** The wait after each failed attempt, in milliseconds, before jitter; the last one repeats. */
  retryScheduleMs: number[];
  /** Deliveries in a row that failed for good before an endpoint is disabled. */
  disableAfter: number;
  /** How often each instance looks for due deliveries when nothing woke it. */
  pollMs: number;
  /** Attempts one instance has in flight at once. */
  concurrency: number;
}

export const APP_CONFIG = Symbol('APP_CONFIG');

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

export const MIN_ADMIN_API_KEY_LENGTH = 32;

type Env = Record<string, string | undefined>;

/**
 * Reads and validates the configuration from environment variables. Every problem is
 * reported at once, each naming the variable and what it expects.
 */
export function loadConfig(env: Env = process.env): AppConfig {
  const problems: string[] = [];
  const read = (name: string): string | undefined => {
    const value = env[name]?.trim();
    return value === '' ? undefined : value;
  };

  const integer = (name: string, fallback: number, min: number, max: number): number => {
    const raw = read(name);
    if (raw === undefined) return fallback;
    if (!/^\d+$/.test(raw) || Number(raw) < min || Number(raw) > max) {
      problems.push(`${name}="${raw}": expected a whole number from ${min} to ${max}`);
      return fallback;
    }
    return Number(raw);
  };

  const fraction = (name: string, fallback: number): number => {
    const raw = read(name);
    if (raw === undefined) return fallback;
    if (!/^(0(\.\d+)?|1(\.0+)?)$/.test(raw)) {
      problems.push(`${name}="${raw}": expected a fraction from 0 to 1, such as 0.5`);
      return fallback;
    }
    return Number(raw);
  };

  const boolean = (name: string, fallback: boolean): boolean => {
    const raw = read(name)?.toLowerCase();
    if (raw === undefined) return fallback;
    if (['true', '1', 'yes'].includes(raw)) return true;
    if (['false', '0', 'no'].includes(raw)) return false;
    problems.push(`${name}="${raw}": expected true or false`);
    return fallback;
  };

  const secondsList = (name: string, fallback: number[]): number[] => {
    const raw = read(name);
    if (raw === undefined) return fallback.map((seconds) => seconds * 1000);
    const parts = raw.split(',').map((part) => part.trim());
    if (parts.length > 20 || !parts.every((part) => /^\d{1,6}(\.\d{1,3})?$/.test(part))) {
      problems.push(
        `${name}="${raw}": expected up to 20 comma-separated waits in seconds, such as 10,60,600`,
      );
      return fallback.map((seconds) => seconds * 1000);
    }
    return parts.map((part) => Math.round(Number(part) * 1000));
  };

  const databaseUrl = read('DATABASE_URL');
  if (databaseUrl !== undefined && !/^postgres(ql)?:\/\/.+/.test(databaseUrl)) {
    problems.push(
      'DATABASE_URL: expected a PostgreSQL URL such as postgres://user:password@host:5432/handover',
    );
  }

  const logLevel = (read('LOG_LEVEL') ?? 'info').toLowerCase();
  if (!(LOG_LEVELS as readonly string[]).includes(logLevel)) {
    problems.push(`LOG_LEVEL="${logLevel}": expected one of ${LOG_LEVELS.join(', ')}`);
  }
  const logFormat = (read('LOG_FORMAT') ?? 'auto').toLowerCase();
  if (!(LOG_FORMATS as readonly string[]).includes(logFormat)) {
    problems.push(`LOG_FORMAT="${logFormat}": expected one of ${LOG_FORMATS.join(', ')}`);
  }

  const trustProxy = (read('TRUST_PROXY') ?? '')
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
  const notProxies = trustProxy.filter(
    (entry) =>
      !['loopback', 'linklocal', 'uniquelocal'].includes(entry) &&
      !/^[0-9a-f:.]+(\/\d{1,3})?$/i.test(entry),
  );
  if (notProxies.length > 0) {
    problems.push(
      `TRUST_PROXY="${notProxies.join(',')}": expected addresses or CIDR ranges of your proxies, or loopback, linklocal, uniquelocal, separated by commas`,
    );
  }

  const adminApiKey = read('ADMIN_API_KEY');
  if (adminApiKey !== undefined && !/^[\x21-\x7e]+$/.test(adminApiKey)) {
    problems.push('ADMIN_API_KEY: expected printable ASCII characters without spaces');
  } else if (adminApiKey !== undefined && adminApiKey.length < MIN_ADMIN_API_KEY_LENGTH) {
    problems.push(
      `ADMIN_API_KEY: expected at least ${MIN_ADMIN_API_KEY_LENGTH} characters (a long random secret)`,
    );
  }

  const host = read('HOST') ?? '127.0.0.1';
  if (!/^[A-Za-z0-9.:\-[\]]+$/.test(host)) {
    problems.push(`HOST="${host}": expected an IP address or host name such as 0.0.0.0`);
  }

  const problemsBeforeSprint = problems.length;
  const sprintLength = {
    minDays: integer('SPRINT_MIN_DAYS', 28, 1, 365),
    maxDays: integer('SPRINT_MAX_DAYS', 56, 1, 365),
  };
  // Compared only when both were read as given: a fallback is no value anybody set.
  if (problems.length === problemsBeforeSprint && sprintLength.minDays > sprintLength.maxDays) {
    problems.push(
      `SPRINT_MIN_DAYS=${sprintLength.minDays} is above SPRINT_MAX_DAYS=${sprintLength.maxDays}`,
    );
  }

  const config: AppConfig = {
    port: integer('PORT', 3000, 0, 65535),
    host,
    databaseUrl,
    dataDir: resolve(read('DATA_DIR') ?? './data'),
    dbPoolSize: integer('DB_POOL_SIZE', 10, 1, 1000),
    dbMigrate: boolean('DB_MIGRATE', true),
    dbStatementTimeoutMs: integer('DB_STATEMENT_TIMEOUT_MS', 15000, 0, 3_600_000),
    adminApiKey,
    logLevel: logLevel as LogLevel,
    logFormat: logFormat as LogFormat,
    rateLimitMax: integer('RATE_LIMIT_MAX', 600, 0, 1_000_000),
    rateLimitWindowSeconds: integer('RATE_LIMIT_WINDOW_SECONDS', 60, 1, 86_400),
    rateLimitAnonMax: integer('RATE_LIMIT_ANON_MAX', 60, 0, 1_000_000),
    idempotencyAbandonedAfterSeconds: integer(
      'IDEMPOTENCY_ABANDONED_AFTER_SECONDS',
      300,
      1,
      86_400,
    ),
    trustProxy,
    bodyLimitBytes: integer('BODY_LIMIT_BYTES', 1_048_576, 1024, 104_857_600),
    imports: {
      maxRows: integer('IMPORT_MAX_ROWS', 5000, 1, 100_000),
      maxBytes: integer('IMPORT_MAX_BYTES', 10_485_760, 1024, 1_073_741_824),
    },
    shutdownTimeoutMs: integer('SHUTDOWN_TIMEOUT_MS', 10000, 0, 600_000),
    risk: {
      slipDaysHigh: integer('RISK_SLIP_DAYS_HIGH', 30, 1, 3650),
      slipCountHigh: integer('RISK_SLIP_COUNT_HIGH', 2, 1, 100),
      ktWindowDays: integer('RISK_KT_WINDOW_DAYS', 30, 0, 3650),
      ktMinAccepted: fraction('RISK_KT_MIN_ACCEPTED', 0.5),
      operatorEvidenceDays: integer('OPERATOR_EVIDENCE_DAYS', 180, 1, 3650),
      // Off unless set: upskilling is advice, not a contract term, until an organisation says so.
      upskillingWindowDays:
        read('RISK_UPSKILLING_WINDOW_DAYS') === undefined
          ? null
          : integer('RISK_UPSKILLING_WINDOW_DAYS', 0, 0, 3650),
    },
    sprintLength,
    defaultMinIndependentOperators: integer('DEFAULT_MIN_INDEPENDENT_OPERATORS', 0, 0, 50),
    riskForecastDays: integer('RISK_FORECAST_DAYS', 90, 1, 3650),
    eventRetentionDays: integer('EVENT_RETENTION_DAYS', 90, 1, 3650),
    eventDueSoonDays: integer('EVENT_DUE_SOON_DAYS', 7, 0, 365),
    clockIntervalMinutes: integer('CLOCK_INTERVAL_MINUTES', 60, 1, 1440),
    webhooks: {
      allowHttp: boolean('WEBHOOK_ALLOW_HTTP', false),
      allowLoopback: boolean('WEBHOOK_ALLOW_LOOPBACK', false),
      denyPrivate: boolean('WEBHOOK_DENY_PRIVATE', false),
      timeoutMs: integer('WEBHOOK_TIMEOUT_MS', 10_000, 100, 120_000),
      maxAttempts: integer('WEBHOOK_MAX_ATTEMPTS', 8, 1, 50),
      retryScheduleMs: secondsList(
        'WEBHOOK_RETRY_SCHEDULE_SECONDS',
        [10, 60, 600, 3600, 10_800, 21_600, 43_200, 86_400],
      ),
      disableAfter: integer('WEBHOOK_DISABLE_AFTER', 20, 1, 10_000),
      pollMs: integer('WEBHOOK_POLL_MS', 1000, 10, 60_000),
      concurrency: integer('WEBHOOK_CONCURRENCY', 8, 1, 256),
    },
    escalationGraceDays: integer('ESCALATION_GRACE_DAYS', 7, 0, 365),
  };
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}
