import { createServer, connect, type Server, type Socket } from 'node:net';
import { bearer, createTestApp, expectProblem, type TestApp } from './test-app.js';

/** A TCP proxy in front of the database that the test can cut and restore. */
class CuttableProxy {
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  port = 0;

  constructor(
    private readonly targetHost: string,
    private readonly targetPort: number,
  ) {}

  async open(): Promise<void> {
    this.server = createServer((client) => {
      const upstream = connect(this.targetPort, this.targetHost);
      for (const socket of [client, upstream]) {
        this.sockets.add(socket);
        socket.on('close', () => this.sockets.delete(socket));
        socket.on('error', () => undefined);
      }
      client.pipe(upstream).pipe(client);
    });
    const server = this.server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', resolve);
    });
    this.port = (server.address() as { port: number }).port;
  }

  async cut(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      for (const socket of this.sockets) socket.destroy();
    });
  }
}

describe('database outage', () => {
  let t: TestApp;
  let proxy: CuttableProxy;

  beforeAll(async () => {
    t = await createTestApp({
      databaseUrl: async (url) => {
        const parsed = new URL(url);
        proxy = new CuttableProxy(parsed.hostname, Number(parsed.port || 5432));
        await proxy.open();
        parsed.hostname = '127.0.0.1';
        parsed.port = String(proxy.port);
        return parsed.toString();
      },
    });
  });
  afterAll(async () => {
    await t.close();
    await proxy?.cut();
  });

  // Embedded mode serves a database inside the process; only an external server can go away.
  const itWithExternalDatabase = process.env.DATABASE_URL ? it : it.skip;

  itWithExternalDatabase(
    'answers 503 with Retry-After while the database is unreachable, then recovers',
    async () => {
      expect((await t.http().get('/v1/api-keys').set(bearer(t.adminKey))).status).toBe(200);
      await proxy.cut();

      const during = await t.http().get('/v1/api-keys').set(bearer(t.adminKey));
      expectProblem(during, 503, 'database-unavailable');
      expect(during.headers['retry-after']).toBe('5');

      const ready = await t.http().get('/health/ready');
      expectProblem(ready, 503, 'not-ready');
      expect(ready.headers['retry-after']).toBe('5');

      await proxy.open();
      const after = await t.http().get('/v1/api-keys').set(bearer(t.adminKey));
      expect(after.status).toBe(200);
    },
  );
});
