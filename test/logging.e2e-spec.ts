import { Writable } from 'node:stream';
import { jest } from '@jest/globals';
import { pino } from 'pino';
import { VendorsService } from '../src/vendors/vendors.service.js';
import { bearer, createTestApp, expectProblem, type TestApp } from './test-app.js';

interface LogEntry {
  level: number;
  msg: string;
  context?: string;
  reqId?: string;
  apiKeyId?: string;
  [field: string]: unknown;
}

const DEBUG = 20;
const BOOTSTRAP_CONTEXTS = ['InstanceLoader', 'RoutesResolver', 'RouterExplorer'];

/** An app whose log lines are collected, parsed, at `level`. */
async function loggedApp(level: string): Promise<{ t: TestApp; entries: LogEntry[] }> {
  const entries: LogEntry[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      entries.push(JSON.parse(String(chunk)) as LogEntry);
      done();
    },
  });
  const t = await createTestApp({ logger: pino({ level }, sink) });
  return { t, entries };
}

describe('logs', () => {
  let t: TestApp;
  let entries: LogEntry[];

  beforeAll(async () => {
    ({ t, entries } = await loggedApp('info'));
  });
  afterAll(() => t.close());

  it("keeps Nest's module and route chatter out of the info log at start-up", async () => {
    expect(entries.filter((entry) => BOOTSTRAP_CONTEXTS.includes(entry.context ?? ''))).toEqual([]);
    expect(entries.length).toBeLessThan(10);

    const verbose = await loggedApp('debug');
    try {
      const chatter = verbose.entries.filter((entry) =>
        BOOTSTRAP_CONTEXTS.includes(entry.context ?? ''),
      );
      expect(chatter.length).toBeGreaterThan(10);
      expect(chatter.every((entry) => entry.level === DEBUG)).toBe(true);
    } finally {
      await verbose.t.close();
    }
  });

  it('writes one line per request, with its request id, API key id, status and duration', async () => {
    const before = entries.length;
    const response = await t
      .http()
      .get('/v1/vendors')
      .set(bearer(t.adminKey))
      .set('X-Request-Id', 'one-line');
    expect(response.status).toBe(200);
    const lines = entries.slice(before).filter((entry) => entry.reqId === 'one-line');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      apiKeyId: expect.stringMatching(/^[0-9a-f-]{36}$/),
      res: { statusCode: 200 },
      responseTime: expect.any(Number),
    });
  });

  it("carries the request id and API key id on lines Nest's Logger writes during a request", async () => {
    const list = jest
      .spyOn(t.app.get(VendorsService), 'list')
      .mockRejectedValue(new Error('injected failure'));
    try {
      const before = entries.length;
      const response = await t
        .http()
        .get('/v1/vendors')
        .set(bearer(t.adminKey))
        .set('X-Request-Id', 'failing-request');
      expectProblem(response, 500, 'internal');
      const errorLine = entries.slice(before).find((entry) => entry.context === 'Errors');
      expect(errorLine).toMatchObject({
        reqId: 'failing-request',
        apiKeyId: expect.stringMatching(/^[0-9a-f-]{36}$/),
      });
    } finally {
      list.mockRestore();
    }
  });
});
