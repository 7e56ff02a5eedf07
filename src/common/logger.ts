import type { LoggerService } from '@nestjs/common';
import { pino, type Logger as PinoLogger } from 'pino';
import pretty from 'pino-pretty';
import type { LogFormat, LogLevel } from '../config/config.js';
import { currentRequest, type RequestLog } from './request-context.js';

/** Paths never written to logs, whatever a caller passes to the logger. */
const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'headers.authorization',
  'authorization',
  'secret',
  '*.secret',
  'adminApiKey',
  '*.adminApiKey',
];

/** Nest's start-up chatter (one line per module and route): debug, not info. */
const BOOTSTRAP_CONTEXTS = new Set([
  'NestFactory',
  'InstanceLoader',
  'RoutesResolver',
  'RouterExplorer',
  'NestApplication',
]);

/**
 * Structured JSON logs on stdout, one object per line; `pretty` (or `auto` on a terminal)
 * writes them as coloured text lines for a person instead.
 */
export function createLogger(level: LogLevel, format: LogFormat = 'json'): PinoLogger {
  const options = {
    level,
    base: { service: 'handover' },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
  };
  const readable = format === 'pretty' || (format === 'auto' && process.stdout.isTTY === true);
  if (!readable) return pino(options);
  return pino(options, pretty({ sync: true, ignore: 'pid,hostname,service' }));
}

/** Replaces the current request's logger, e.g. with a child that names the API key. */
export function bindRequestLog(log: RequestLog): void {
  const context = currentRequest();
  if (context) context.log = log;
}

/** Routes Nest's own log calls into the same stream, through the request's logger if any. */
export class NestPinoLogger implements LoggerService {
  constructor(private readonly logger: PinoLogger) {}

  log(message: unknown, ...rest: unknown[]): void {
    const context = rest[rest.length - 1];
    const chatter = typeof context === 'string' && BOOTSTRAP_CONTEXTS.has(context);
    this.write(chatter ? 'debug' : 'info', message, rest);
  }
  error(message: unknown, ...rest: unknown[]): void {
    this.write('error', message, rest);
  }
  warn(message: unknown, ...rest: unknown[]): void {
    this.write('warn', message, rest);
  }
  debug(message: unknown, ...rest: unknown[]): void {
    this.write('debug', message, rest);
  }
  verbose(message: unknown, ...rest: unknown[]): void {
    this.write('trace', message, rest);
  }
  fatal(message: unknown, ...rest: unknown[]): void {
    this.write('fatal', message, rest);
  }

  private write(
    level: 'info' | 'error' | 'warn' | 'debug' | 'trace' | 'fatal',
    message: unknown,
    rest: unknown[],
  ): void {
    // Nest passes the context (a class name) as the last argument, and a stack before it for errors.
    const context = typeof rest[rest.length - 1] === 'string' ? (rest.pop() as string) : undefined;
    const stack = typeof rest[0] === 'string' ? rest[0] : undefined;
    const logger = currentRequest()?.log ?? this.logger;
    if (message !== null && typeof message === 'object' && !(message instanceof Error)) {
      const { msg, ...fields } = message as Record<string, unknown> & { msg?: string };
      logger[level]({ context, ...fields }, msg ?? stack ?? '');
      return;
    }
    if (message instanceof Error) {
      logger[level]({ context, err: message }, message.message);
      return;
    }
    logger[level]({ context, ...(stack ? { stack } : {}) }, String(message));
  }
}
