// The one pid-file lock of the app: a file created exclusively and holding its holder's pid, taken over when that
// process is gone (a crash leaves the file behind). It guards the data folder (data-dir-lock.ts: one app, worker
// or syncing CLI at a time) and the right to start the folder's redis-server (redis/redis-supervisor.ts).
import { closeSync, openSync, readFileSync, rmSync, statSync, writeSync } from 'node:fs';

/** An empty lock file younger than this is being written by its holder (open and write are two steps). */
const WRITE_GRACE_MS = 5_000;

/** Whether a process with this pid exists (EPERM: it does, but is another user's). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * What a failed attempt found: the live holder's pid; 'writing' while another process is still writing its pid
 * in; null when the file was a dead process's (or this process's own) and has been removed, so the next attempt's
 * exclusive create decides who gets the lock.
 */
export type PidLockHolder = number | 'writing' | null;

export class PidLock {
  private constructor(readonly file: string) {}

  /** The lock, or who holds it (see PidLockHolder). Never waits. */
  static tryAcquire(file: string): PidLock | { heldBy: PidLockHolder } {
    let fd: number;
    try {
      fd = openSync(file, 'wx', 0o600);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      return { heldBy: PidLock.holder(file) };
    }
    try {
      writeSync(fd, String(process.pid));
    } catch (e) {
      closeSync(fd);
      rmSync(file, { force: true });
      throw e;
    }
    closeSync(fd);
    return new PidLock(file);
  }

  /** Removes the file, if it still holds this process's pid. */
  static release(file: string): void {
    try {
      if (Number(readFileSync(file, 'utf8').trim()) === process.pid) rmSync(file, { force: true });
    } catch {
      // already gone
    }
  }

  private static holder(file: string): PidLockHolder {
    let pid: number;
    let age: number;
    try {
      pid = Number(readFileSync(file, 'utf8').trim());
      age = Date.now() - statSync(file).mtimeMs;
    } catch {
      return null; // released meanwhile: try again
    }
    if (pid > 0) {
      if (pid !== process.pid && processAlive(pid)) return pid;
    } else if (age < WRITE_GRACE_MS) {
      return 'writing';
    }
    // A lock of a dead process (a crash): remove it; the next attempt's exclusive create decides who gets it.
    rmSync(file, { force: true });
    return null;
  }

  release(): void {
    PidLock.release(this.file);
  }
}
