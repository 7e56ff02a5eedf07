import { randomBytes } from 'node:crypto';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Client } from 'pg';
import type { Logger as PinoLogger } from 'pino';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { createApp, type RunningApp } from '../src/app.setup.js';
import { ApiKeysService } from '../src/auth/api-keys.service.js';
import type { Role } from '../src/auth/role.js';
import { type AppConfig, loadConfig } from '../src/config/config.js';
import { contractChecked } from './openapi-contract.js';

/** The PostgreSQL server the e2e tests use; absent means embedded PGlite in memory. */
export const externalDatabaseUrl = process.env.DATABASE_URL;

export interface TestApp {
  app: NestFastifyApplication;
  running: RunningApp;
  config: AppConfig;
  dataSource: DataSource;
  adminKey: string;
  /** A supertest agent whose every response is checked against openapi.json. */
  http: () => ReturnType<typeof request>;
  /** A new API key of the given role; returns its secret. */
  keyFor(role: Role, personId?: string): Promise<string>;
  close(): Promise<void>;
}

/** A throwaway database on the external server, dropped again by `drop`. */
export async function createScratchDatabase(
  serverUrl: string,
): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `handover_e2e_${process.pid}_${randomBytes(4).toString('hex')}`;
  const admin = new Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${name}"`);
  await admin.end();
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const client = new Client({ connectionString: serverUrl });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await client.end();
    },
  };
}

export function testConfig(env: Record<string, string> = {}): AppConfig {
  return loadConfig({
    LOG_LEVEL: 'silent',
    ADMIN_API_KEY: `test-admin-${randomBytes(24).toString('hex')}`,
    RATE_LIMIT_MAX: '0',
    RATE_LIMIT_ANON_MAX: '0',
    ...env,
  });
}

export interface TestAppOptions {
  env?: Record<string, string>;
  logger?: PinoLogger;
  /** Rewrites the database URL the app connects to (e.g. through a proxy). */
  databaseUrl?: (url: string) => Promise<string> | string;
}

/**
 * The shipped application on a database of its own: a fresh database on DATABASE_URL's
 * server when set, otherwise embedded PGlite in memory.
 */
export async function createTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const scratch = externalDatabaseUrl
    ? await createScratchDatabase(externalDatabaseUrl)
    : undefined;
  let config = testConfig(options.env);
  if (scratch) config = { ...config, databaseUrl: scratch.url };
  if (options.databaseUrl && scratch) {
    config = { ...config, databaseUrl: await options.databaseUrl(scratch.url) };
  }
  let running: RunningApp;
  try {
    running = await createApp(config, { embeddedDir: 'memory', logger: options.logger });
  } catch (error) {
    await scratch?.drop();
    throw error;
  }
  const { app } = running;
  await app.getHttpAdapter().getInstance().ready();
  const adminKey = config.adminApiKey as string;
  return {
    app,
    running,
    config,
    dataSource: app.get(DataSource),
    adminKey,
    http: () => contractChecked(request(app.getHttpServer())),
    keyFor: async (role, personId) => {
      const key = await app.get(ApiKeysService).issue({
        name: `${role} test key`,
        role,
        personId: personId ?? null,
        expiresAt: null,
      });
      return key.secret;
    },
    close: async () => {
      await running.close();
      await scratch?.drop();
    },
  };
}

export const bearer = (secret: string) => ({ Authorization: `Bearer ${secret}` });

/** Asserts the common shape of a problem+json response and returns its body. */
export function expectProblem(
  response: request.Response,
  status: number,
  type?: string,
): {
  type: string;
  title: string;
  status: number;
  detail: string;
  requestId: string;
  errors?: { field?: string; code?: string; message: string }[];
} {
  expect(response.status).toBe(status);
  expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
  expect(response.body).toMatchObject({
    status,
    title: expect.any(String),
    detail: expect.any(String),
  });
  expect(response.body.type).toMatch(/^urn:handover:problem:/);
  expect(response.body.requestId).toBe(response.headers['x-request-id']);
  if (type) expect(response.body.type).toBe(`urn:handover:problem:${type}`);
  return response.body;
}
