// One process at a time owns a data folder's embedded Redis and workers: <dataDir>/mailmirror.pid, a PidLock
// (pid-lock.ts), taken over when the process that wrote it is gone (a crash leaves it behind).
import { join } from 'node:path';
import { MailmirrorError } from './errors';
import { PidLock } from './pid-lock';

export class DataDirBusyError extends MailmirrorError {
  readonly code = 'DATA_DIR_BUSY';
  readonly ipcCode = 'UNAVAILABLE';
}

export class DataDirLock {
  private constructor(private readonly lock: PidLock) {}

  static acquire(dataDir: string): DataDirLock {
    const file = join(dataDir, 'mailmirror.pid');
    for (let attempt = 0; attempt < 2; attempt++) {
      const got = PidLock.tryAcquire(file);
      if (got instanceof PidLock) return new DataDirLock(got);
      if (typeof got.heldBy === 'number') {
        throw new DataDirBusyError(
          `Mailmirror is already running on ${dataDir} (pid ${got.heldBy}): stop it first, or use --data-dir for another mirror.`,
        );
      }
      if (got.heldBy === 'writing') throw new DataDirBusyError(`another Mailmirror process is starting on ${dataDir}: try again`);
      // null: a dead process's file, removed: the next attempt takes it.
    }
    throw new DataDirBusyError(`could not lock ${dataDir}`);
  }

  release(): void {
    this.lock.release();
  }
}
