import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import helmet from '@fastify/helmet';
import { NestFactory, Reflector } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { SwaggerModule } from '@nestjs/swagger';
import { LogController } from 'fastify';
import type { Logger as PinoLogger } from 'pino';
import { DataSource } from 'typeorm';
import { AppModule } from './app.module.js';
import { bootstrapApiKeys } from './auth/bootstrap.js';
import { ApiKeysService } from './auth/api-keys.service.js';
import { ETagInterceptor } from './common/concurrency.js';
import { ContentNegotiationInterceptor } from './common/content-negotiation.js';
import { BodyTooDeepError } from './common/error-classification.js';
import {
  answerClientError,
  MAX_PARAM_LENGTH,
  sendFrameworkError,
} from './common/framework-errors.js';
import { createLogger, NestPinoLogger } from './common/logger.js';
import { runInRequestContext } from './common/request-context.js';
import { buildOpenApiDocument } from './common/openapi.js';
import { REQUEST_ID_PATTERN, sendProblem } from './common/problem.js';
import { ProblemFilter } from './common/problem.filter.js';
import { ESSENTIAL_SECURITY_HEADERS, HELMET_OPTIONS } from './common/security-headers.js';
import { InputValidationPipe, MAX_BODY_DEPTH, nestsDeeperThan } from './common/validation.js';
import type { AppConfig } from './config/config.js';
import { type OpenedDatabase, openDatabase } from './database/database.js';
import { runMigrations } from './database/migrate.js';
import { ensureTimelinesCurrent } from './risk/risk-maintenance.js';

/** Honours a well-formed incoming X-Request-Id, otherwise makes one. */
function requestId(request: IncomingMessage): string {
  const incoming = request.headers['x-request-id'];
  return typeof incoming === 'string' && REQUEST_ID_PATTERN.test(incoming)
    ? incoming
    : randomUUID();
}

/** The router's own 400s: written before any hook runs, helmet's included, hence its headers here. */
function sendFrameworkErrorWithHeaders(
  ...[error, request, reply]: Parameters<typeof sendFrameworkError>
) {
  reply.headers(ESSENTIAL_SECURITY_HEADERS);
  sendFrameworkError(error, request, reply);
}

/**
 * Everything that makes the application behave as shipped: parsers, pipes, filters, docs.
 * Used by main.ts and by every test, so the tested app is the shipped app.
 */
export function configureApp(app: NestFastifyApplication, config: AppConfig): void {
  const fastify = app.getHttpAdapter().getInstance();
  // Security headers (CSP, nosniff, …; src/common/security-headers.ts) on every response:
  // registered first so that its onRequest hook runs before any hook below that answers early.
  void fastify.register(helmet, HELMET_OPTIONS);
  // JSON is the only accepted body; anything else is 415 rather than parsed loosely.
  fastify.removeAllContentTypeParsers();
  const parseJson = fastify.getDefaultJsonParser('error', 'error');
  fastify.addContentTypeParser(
    'application/json',
    { parseAs: 'string', bodyLimit: config.bodyLimitBytes },
    // Actions such as activate take no body; clients often still send Content-Type: application/json.
    (request, body, done) => {
      if (body === '') return done(null, undefined);
      parseJson(request, body as string, (error, parsed) => {
        if (error) return done(error, undefined);
        // Recursive walks (validation, idempotency hashing) would overflow on deeper bodies.
        if (nestsDeeperThan(parsed, MAX_BODY_DEPTH))
          return done(new BodyTooDeepError(MAX_BODY_DEPTH), undefined);
        done(null, parsed);
      });
    },
  );
  // The import alone reads CSV, and bodies up to IMPORT_MAX_BYTES (SPEC §10).
  fastify.addContentTypeParser(
    'text/csv',
    { parseAs: 'string', bodyLimit: config.imports.maxBytes },
    (request, body, done) => {
      if (request.routeOptions.config.handoverImport) {
        return done(null, body);
      }
      done(Object.assign(new Error('Unsupported Media Type'), { statusCode: 415 }), undefined);
    },
  );
  fastify.addHook('onRoute', (route) => {
    if (!route.config?.handoverImport) return;
    route.bodyLimit = config.imports.maxBytes;
    route.onRequest = async (request, reply) => {
      const length = Number(request.headers['content-length']);
      if (length > config.imports.maxBytes) {
        return sendProblem(request, reply, {
          status: 413,
          type: 'payload-too-large',
          detail: `The import is ${length} bytes; at most ${config.imports.maxBytes} (IMPORT_MAX_BYTES) are accepted. Nothing was imported.`,
        });
      }
    };
  });
  let closing = false;
  fastify.addHook('onRequest', async (request, reply) => {
    reply.header('X-Request-Id', request.id);
    // A request that arrives while closing is turned away as a problem (Fastify's own
    // return503OnClosing answer is plain JSON written past every hook, hence switched off).
    if (closing) {
      return sendProblem(request, reply, {
        status: 503,
        type: 'shutting-down',
        detail: 'This instance is shutting down; retry on another.',
        headers: { 'Retry-After': '5' },
      });
    }
  });
  // The request's own context (src/common/request-context.ts) for the rest of its handling.
  fastify.addHook('onRequest', (request, _reply, done) => runInRequestContext(request.log, done));
  fastify.addHook('onResponse', async (request, reply) => {
    request.log.info(
      {
        req: { method: request.method, url: request.url },
        res: { statusCode: reply.statusCode },
        responseTime: Math.round(reply.elapsedTime * 10) / 10,
      },
      'request completed',
    );
  });
  fastify.addHook('preClose', async () => {
    closing = true;
  });
  fastify.addHook('onSend', async (_request, reply, payload) => {
    // A response finished during shutdown closes its connection: a kept-alive socket would hold
    // the shutdown open until the client lets go.
    if (closing) reply.header('Connection', 'close');
    return payload;
  });

  app.useGlobalPipes(new InputValidationPipe());
  app.useGlobalFilters(new ProblemFilter());
  app.useGlobalInterceptors(
    new ContentNegotiationInterceptor(app.get(Reflector)),
    new ETagInterceptor(),
  );
  SwaggerModule.setup('docs', app, () => buildOpenApiDocument(app), {
    jsonDocumentUrl: 'docs-json',
    yamlDocumentUrl: 'docs-yaml',
    customSiteTitle: 'Handover API',
  });
}

export interface RunningApp {
  app: NestFastifyApplication;
  database: OpenedDatabase;
  logger: PinoLogger;
  /** Stops serving, waits for in-flight requests, closes the database. */
  close(): Promise<void>;
}

export interface CreateAppOptions {
  /** Where the embedded database lives when DATABASE_URL is absent (default DATA_DIR). */
  embeddedDir?: string | 'memory';
  logger?: PinoLogger;
  /** Called with the secret of an admin key created on first start. */
  onFirstAdminKey?: (secret: string) => void;
}

/** Opens the database, migrates it, and builds the configured, initialised application. */
export async function createApp(
  config: AppConfig,
  options: CreateAppOptions = {},
): Promise<RunningApp> {
  const logger = options.logger ?? createLogger(config.logLevel, config.logFormat);
  const database = await openDatabase(config, options.embeddedDir);
  logger.info({ embedded: database.embedded }, `Database: ${database.description}`);
  let app: NestFastifyApplication | undefined;
  try {
    const adapter = new FastifyAdapter({
      loggerInstance: logger,
      bodyLimit: config.bodyLimitBytes,
      genReqId: requestId,
      // One line per request, written when it is answered (the onResponse hook below).
      logController: new LogController({ disableRequestLogging: true }),
      trustProxy: config.trustProxy.length > 0 ? config.trustProxy.join(',') : false,
      return503OnClosing: false,
      routerOptions: { maxParamLength: MAX_PARAM_LENGTH },
      frameworkErrors: sendFrameworkErrorWithHeaders,
      clientErrorHandler: answerClientError,
    });
    app = await NestFactory.create<NestFastifyApplication>(
      AppModule.forRoot(config, database.connection),
      adapter,
      { logger: new NestPinoLogger(logger), bodyParser: false, abortOnError: false },
    );
    configureApp(app, config);
    if (config.dbMigrate) {
      const applied = await runMigrations(app.get(DataSource));
      logger.info(
        applied.length > 0
          ? `Applied migrations: ${applied.map((migration) => migration.name).join(', ')}`
          : 'Database schema is up to date',
      );
    }
    if (
      await ensureTimelinesCurrent(app.get(DataSource), config.risk, (message) =>
        logger.info(message),
      )
    ) {
      logger.info('Risk timelines rebuilt for the current rules and RISK_* settings');
    }
    await app.init();
    await bootstrapApiKeys(
      app.get(ApiKeysService),
      config,
      database.embedded,
      logger,
      options.onFirstAdminKey,
    );
  } catch (error) {
    await app?.close();
    await database.close();
    throw error;
  }
  const initialised = app;
  return {
    app: initialised,
    database,
    logger,
    close: async () => {
      await initialised.close();
      await database.close();
    },
  };
}
