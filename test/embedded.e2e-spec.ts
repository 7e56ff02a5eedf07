import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { createApp, type RunningApp } from '../src/app.setup.js';
import { DataDirLockedError } from '../src/database/embedded-postgres.js';
import { contractChecked } from './openapi-contract.js';
import { bearer, testConfig } from './test-app.js';

/** Embedded PostgreSQL persisted in a directory: what `npm start` uses without DATABASE_URL. */
describe('embedded database on disk', () => {
  let dataDir: string;

  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'handover-embedded-'));
  });
  afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

  const start = async (onFirstAdminKey?: (secret: string) => void): Promise<RunningApp> => {
    const config = { ...testConfig({ DATA_DIR: dataDir }), adminApiKey: undefined };
    const running = await createApp(config, { onFirstAdminKey });
    await running.app.getHttpAdapter().getInstance().ready();
    return running;
  };

  it('creates a first admin key once, and keeps data across restarts', async () => {
    const printed: string[] = [];
    const first = await start((secret) => printed.push(secret));
    expect(printed).toHaveLength(1);
    const created = await contractChecked(request(first.app.getHttpServer()))
      .post('/v1/api-keys')
      .set(bearer(printed[0]))
      .send({ name: 'Survives restarts', role: 'viewer' });
    expect(created.status).toBe(201);
    await first.close();

    const second = await start((secret) => printed.push(secret));
    try {
      expect(printed).toHaveLength(1);
      const listed = await contractChecked(request(second.app.getHttpServer()))
        .get('/v1/api-keys')
        .set(bearer(printed[0]));
      expect(listed.status).toBe(200);
      expect(listed.body.items.map((key: { name: string }) => key.name)).toEqual([
        'First administrator',
        'Survives restarts',
      ]);
    } finally {
      await second.close();
    }
  });

  it('refuses a second process on the same directory while the first keeps serving', async () => {
    const printed: string[] = [];
    const first = await start((secret) => printed.push(secret));
    try {
      const attempt = start();
      await expect(attempt).rejects.toBeInstanceOf(DataDirLockedError);
      await expect(attempt).rejects.toThrow(/already in use by another Handover process/);
      const stillServing = await contractChecked(request(first.app.getHttpServer()))
        .get('/v1/api-keys')
        .set(bearer(printed[0]));
      expect(stillServing.status).toBe(200);
    } finally {
      await first.close();
    }
    expect(existsSync(join(dataDir, '.handover.lock'))).toBe(false);
  });

  it('takes over the lock left behind by a process that was killed', async () => {
    const lockPath = join(dataDir, '.handover.lock');
    const holder = spawn(process.execPath, [
      '-e',
      `require('node:net').createServer().listen(${JSON.stringify(lockPath)}, () => console.log('listening'))`,
    ]);
    await new Promise<void>((resolve) => holder.stdout.once('data', () => resolve()));
    holder.kill('SIGKILL');
    await new Promise((resolve) => holder.once('exit', resolve));
    expect(existsSync(lockPath)).toBe(true);

    const running = await start();
    await running.close();
  });
});
