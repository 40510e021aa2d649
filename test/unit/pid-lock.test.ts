// The one pid-file lock (src/main/pid-lock.ts) and the data folder's lock built on it.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DataDirBusyError, DataDirLock } from '../../src/main/data-dir-lock';
import { PidLock } from '../../src/main/pid-lock';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'mm-pidlock-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** The pid of a process that has exited. */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(r.stdout);
}

describe('PidLock', () => {
  it('is taken when free, holds this pid, and is released only by its holder', () => {
    const file = join(dir, 'x.lock');
    const lock = PidLock.tryAcquire(file);
    expect(lock).toBeInstanceOf(PidLock);
    expect(readFileSync(file, 'utf8')).toBe(String(process.pid));
    (lock as PidLock).release();
    expect(existsSync(file)).toBe(false);
    writeFileSync(file, String(process.ppid));
    PidLock.release(file);
    expect(existsSync(file)).toBe(true);
  });

  it('names a live holder, and takes over a dead one on the next attempt', () => {
    const file = join(dir, 'x.lock');
    writeFileSync(file, String(process.ppid));
    expect(PidLock.tryAcquire(file)).toEqual({ heldBy: process.ppid });
    writeFileSync(file, String(deadPid()));
    expect(PidLock.tryAcquire(file)).toEqual({ heldBy: null });
    expect(PidLock.tryAcquire(file)).toBeInstanceOf(PidLock);
  });

  it('waits for a holder still writing its pid, but not for ever', () => {
    const file = join(dir, 'x.lock');
    writeFileSync(file, '');
    expect(PidLock.tryAcquire(file)).toEqual({ heldBy: 'writing' });
    const old = new Date(Date.now() - 60_000);
    utimesSync(file, old, old);
    expect(PidLock.tryAcquire(file)).toEqual({ heldBy: null });
    expect(PidLock.tryAcquire(file)).toBeInstanceOf(PidLock);
  });
});

describe('DataDirLock', () => {
  it('refuses a data folder another live process holds, naming it', () => {
    writeFileSync(join(dir, 'mailmirror.pid'), String(process.ppid));
    expect(() => DataDirLock.acquire(dir)).toThrow(DataDirBusyError);
    expect(() => DataDirLock.acquire(dir)).toThrow(`(pid ${process.ppid})`);
  });

  it('takes over the pid file a crash left, and removes it on release', () => {
    writeFileSync(join(dir, 'mailmirror.pid'), String(deadPid()));
    const lock = DataDirLock.acquire(dir);
    expect(readFileSync(join(dir, 'mailmirror.pid'), 'utf8')).toBe(String(process.pid));
    lock.release();
    expect(existsSync(join(dir, 'mailmirror.pid'))).toBe(false);
  });
});
