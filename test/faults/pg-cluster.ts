import { type ChildProcess, execFile, execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { chown, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './net.js';
import { cleanUpWhenGone } from './watchdog.js';

/** The directory holding initdb, pg_ctl and postgres: PG_BINDIR, pg_config, or Debian's layout. */
export function findPostgresBinDir(): string {
  const candidates: string[] = [];
  if (process.env.PG_BINDIR) candidates.push(process.env.PG_BINDIR);
  try {
    candidates.push(execFileSync('pg_config', ['--bindir'], { encoding: 'utf8' }).trim());
  } catch {
    // pg_config is optional: Debian keeps the server binaries under /usr/lib/postgresql.
  }
  if (existsSync('/usr/lib/postgresql')) {
    const versions = readdirSync('/usr/lib/postgresql')
      .filter((name) => /^\d+$/.test(name))
      .sort((a, b) => Number(b) - Number(a));
    candidates.push(...versions.map((version) => `/usr/lib/postgresql/${version}/bin`));
  }
  const found = candidates.find((dir) =>
    ['initdb', 'pg_ctl', 'postgres'].every((tool) => existsSync(join(dir, tool))),
  );
  if (!found) {
    throw new Error(
      'The fault tests need the PostgreSQL server binaries (initdb, pg_ctl, postgres) and found ' +
        `none in ${candidates.length > 0 ? candidates.join(', ') : '(no candidate directories)'}. ` +
        'Install PostgreSQL (Debian: apt-get install postgresql) or set PG_BINDIR.',
    );
  }
  return found;
}

/** initdb refuses to run as root: as root the cluster belongs to this OS user instead. */
const CLUSTER_OS_USER = process.env.PG_OS_USER ?? 'postgres';

function osUserIds(user: string): { uid: number; gid: number } {
  try {
    const uid = Number(execFileSync('id', ['-u', user], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', user], { encoding: 'utf8' }).trim());
    return { uid, gid };
  } catch {
    throw new Error(
      `Running as root, the fault tests start PostgreSQL as the OS user "${CLUSTER_OS_USER}" ` +
        '(initdb refuses root), and that user does not exist. Create it, set PG_OS_USER to ' +
        'another unprivileged user, or run the tests as a non-root user.',
    );
  }
}

/**
 * A PostgreSQL cluster of the test's own: a temporary directory, its own port, trust auth on
 * 127.0.0.1 only. fsync is off: the faults here kill PostgreSQL, not the machine, so committed
 * WAL survives in the page cache and crash recovery still replays it.
 */
export class ThrowawayCluster {
  private watchdog: ChildProcess | undefined;

  private constructor(
    readonly binDir: string,
    readonly dir: string,
    readonly port: number,
    private readonly runAs: string | undefined,
  ) {}

  get dataDir(): string {
    return join(this.dir, 'data');
  }

  get url(): string {
    return `postgres://postgres@127.0.0.1:${this.port}/postgres`;
  }

  /** Whatever fails half-way, nothing stays behind: no directory, no server. */
  static async create(): Promise<ThrowawayCluster> {
    const binDir = findPostgresBinDir();
    const root = process.getuid?.() === 0;
    const ids = root ? osUserIds(CLUSTER_OS_USER) : undefined;
    const dir = await mkdtemp(join(tmpdir(), 'handover-faults-'));
    let cluster: ThrowawayCluster | undefined;
    try {
      if (ids) await chown(dir, ids.uid, ids.gid);
      cluster = new ThrowawayCluster(
        binDir,
        dir,
        await freePort(),
        ids ? CLUSTER_OS_USER : undefined,
      );
      cluster.watch();
      await cluster.run('initdb', [
        '-D',
        cluster.dataDir,
        '-U',
        'postgres',
        '-A',
        'trust',
        '-E',
        'UTF8',
        '--locale=C',
        '--no-sync',
        '--no-instructions',
      ]);
      await cluster.start();
      return cluster;
    } catch (error) {
      if (cluster) await cluster.destroy();
      else await rm(dir, { recursive: true, force: true });
      throw error;
    }
  }

  async start(): Promise<void> {
    // pg_ctl hands -o to a shell: quoted, a directory with spaces stays one argument.
    const options = [
      `-p ${this.port}`,
      `-k ${shellQuote(this.dir)}`,
      '-c listen_addresses=127.0.0.1',
      '-c fsync=off',
      '-c max_connections=60',
    ].join(' ');
    await this.run('pg_ctl', [
      'start',
      '-D',
      this.dataDir,
      '-l',
      join(this.dir, 'postgres.log'),
      '-w',
      '-t',
      '60',
      '-o',
      options,
    ]);
  }

  /** `fast` ends sessions (57P01) and checkpoints; `immediate` kills them like a crash. */
  async stop(mode: 'fast' | 'immediate'): Promise<void> {
    await this.run('pg_ctl', ['stop', '-D', this.dataDir, '-m', mode, '-w', '-t', '60']);
  }

  async destroy(): Promise<void> {
    this.stopSync();
    await rm(this.dir, { recursive: true, force: true });
    this.watchdog?.kill('SIGKILL');
    this.watchdog = undefined;
  }

  /** The server's log, for a failure message. */
  log(): string {
    try {
      return readFileSync(join(this.dir, 'postgres.log'), 'utf8').split('\n').slice(-30).join('\n');
    } catch {
      return '(no log)';
    }
  }

  /** Also after a failed or timed-out `start()`: the server may be up all the same. */
  private stopSync(): void {
    if (!existsSync(this.pidFile)) return;
    try {
      const [command, args] = this.immediateStop();
      execFileSync(command, args, { stdio: 'ignore', cwd: this.dir, timeout: 60_000 });
    } catch {
      // Already gone: nothing to stop.
    }
  }

  private get pidFile(): string {
    return join(this.dataDir, 'postmaster.pid');
  }

  private immediateStop(): [string, string[]] {
    return this.command('pg_ctl', ['stop', '-D', this.dataDir, '-m', 'immediate', '-w']);
  }

  /** Stops the server and removes the directory should the test process end first. */
  private watch(): void {
    const [command, args] = this.immediateStop();
    this.watchdog = cleanUpWhenGone({
      run: { command, args, cwd: this.dir },
      remove: this.dir,
    });
  }

  /** Asynchronous, so that the load the tests drive keeps running while PostgreSQL stops. */
  private async run(tool: string, args: string[]): Promise<void> {
    const [command, commandArgs] = this.command(tool, args);
    try {
      await execFileAsync(command, commandArgs, { cwd: this.dir });
    } catch (error) {
      const { stderr, stdout } = error as { stderr?: string; stdout?: string };
      throw new Error(
        `${tool} ${args.join(' ')} failed: ${stderr ?? ''}${stdout ?? ''}\n${this.log()}`,
      );
    }
  }

  private command(tool: string, args: string[]): [string, string[]] {
    const binary = join(this.binDir, tool);
    if (!this.runAs) return [binary, args];
    if (hasRunuser()) return ['runuser', ['-u', this.runAs, '--', binary, ...args]];
    return ['su', ['-s', '/bin/sh', this.runAs, '-c', [binary, ...args].map(shellQuote).join(' ')]];
  }
}

const execFileAsync = promisify(execFile);

function hasRunuser(): boolean {
  try {
    execFileSync('runuser', ['--help'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const shellQuote = (value: string) => `'${value.replaceAll("'", `'\\''`)}'`;
