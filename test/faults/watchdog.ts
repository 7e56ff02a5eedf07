import { type ChildProcess, spawn } from 'node:child_process';

export interface Cleanup {
  /** Processes to SIGKILL. */
  kill?: number[];
  /** A command to run, its failure ignored. */
  run?: { command: string; args: string[]; cwd: string };
  /** A directory to remove. */
  remove?: string;
}

const SCRIPT = `
const { execFileSync } = require('node:child_process');
const { rmSync } = require('node:fs');
const { parent, kill = [], run, remove } = JSON.parse(process.argv[1]);
const alive = () => {
  try {
    process.kill(parent, 0);
    return true;
  } catch (error) {
    return error.code === 'EPERM';
  }
};
const timer = setInterval(() => {
  if (alive()) return;
  clearInterval(timer);
  for (const pid of kill) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {}
  }
  if (run) {
    try {
      execFileSync(run.command, run.args, { stdio: 'ignore', cwd: run.cwd, timeout: 30000 });
    } catch {}
  }
  if (remove) rmSync(remove, { recursive: true, force: true });
}, 250);
`;

/**
 * Cleans up once the test process is gone, however it went: normal exit, a failure that skipped
 * the tests' own cleanup, SIGINT/SIGTERM (whose default action ends the process before any
 * `exit` hook could run), even SIGKILL. A process of its own, because Jest runs tests with a copy
 * of `process` whose `exit` and signal listeners never fire. Detached, so that Ctrl-C on the
 * terminal, which signals the whole foreground process group, spares it. Kill the returned
 * process once the cleanup has been done in-process.
 */
export function cleanUpWhenGone(cleanup: Cleanup): ChildProcess {
  const watchdog = spawn(
    process.execPath,
    ['-e', SCRIPT, JSON.stringify({ parent: process.pid, ...cleanup })],
    { detached: true, stdio: 'ignore' },
  );
  watchdog.unref();
  return watchdog;
}
