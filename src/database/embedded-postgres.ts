import { mkdirSync, rmSync } from 'node:fs';
import { connect, createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';

export class DataDirLockedError extends Error {
  constructor(readonly dataDir: string) {
    super(
      `The embedded database in ${dataDir} is already in use by another Handover process. ` +
        'Stop that process, or point DATA_DIR at another directory, or set DATABASE_URL to ' +
        'share one PostgreSQL server between several instances.',
    );
    this.name = 'DataDirLockedError';
  }
}

const LOCK_SOCKET = '.handover.lock';

/**
 * An exclusive lock on a data directory, held as a listening Unix socket inside it. The kernel
 * releases the socket when the process dies, so a lock left by a crash is detected (nobody
 * answers on it) and taken over, while a live holder answers and keeps it.
 */
export class DataDirLock {
  private constructor(
    private readonly server: Server,
    private readonly socketPath: string,
  ) {}

  static async acquire(dataDir: string): Promise<DataDirLock> {
    const socketPath = join(dataDir, LOCK_SOCKET);
    try {
      return new DataDirLock(await listen(socketPath), socketPath);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw error;
    }
    if (await isAnswering(socketPath)) throw new DataDirLockedError(dataDir);
    rmSync(socketPath, { force: true });
    try {
      return new DataDirLock(await listen(socketPath), socketPath);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
        throw new DataDirLockedError(dataDir);
      }
      throw error;
    }
  }

  async release(): Promise<void> {
    // close() removes the socket file of a Unix socket server.
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    rmSync(this.socketPath, { force: true });
  }
}

function listen(socketPath: string): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer((socket) => socket.destroy());
    server.once('error', reject);
    server.listen(socketPath, () => {
      server.off('error', reject);
      resolve(server);
    });
  });
}

function isAnswering(socketPath: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(socketPath);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/**
 * PostgreSQL compiled to WebAssembly (PGlite), persisted in a directory and served on a
 * loopback port so the ordinary `pg` driver and TypeORM talk to it like to any server.
 * PGlite has a single backend session: clients must use a pool of one connection.
 */
export class EmbeddedPostgres {
  private constructor(
    private readonly db: PGlite,
    private readonly server: PGLiteSocketServer,
    private readonly lock: DataDirLock | undefined,
    readonly url: string,
  ) {}

  /** Opens the database persisted in `dataDir` (created if missing), or in memory. */
  static async start(dataDir: string | 'memory'): Promise<EmbeddedPostgres> {
    let lock: DataDirLock | undefined;
    let pgdataDir: string | undefined;
    if (dataDir !== 'memory') {
      mkdirSync(dataDir, { recursive: true });
      lock = await DataDirLock.acquire(dataDir);
      pgdataDir = join(dataDir, 'pgdata');
    }
    try {
      const db = await PGlite.create(pgdataDir);
      const server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: 0 });
      await server.start();
      const url = `postgres://postgres@${server.getServerConn()}/postgres`;
      return new EmbeddedPostgres(db, server, lock, url);
    } catch (error) {
      await lock?.release();
      throw error;
    }
  }

  async stop(): Promise<void> {
    await this.server.stop();
    await this.db.close();
    await this.lock?.release();
  }
}
