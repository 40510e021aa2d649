// One process at a time owns a data folder's embedded Redis and workers: a pid file, taken over when
// the process that wrote it is gone (a crash leaves it behind).
import { openSync, writeSync, closeSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { MailmirrorError } from './errors';

export class DataDirBusyError extends MailmirrorError {
  readonly code = 'DATA_DIR_BUSY';
  readonly ipcCode = 'UNAVAILABLE';
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export class DataDirLock {
  private constructor(private readonly file: string) {}

  static acquire(dataDir: string): DataDirLock {
    const file = join(dataDir, 'mailmirror.pid');
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        const fd = openSync(file, 'wx', 0o600);
        writeSync(fd, String(process.pid));
        closeSync(fd);
        return new DataDirLock(file);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
        const pid = Number(readFileSync(file, 'utf8').trim());
        if (pid && pid !== process.pid && alive(pid)) {
          throw new DataDirBusyError(
            `Mailmirror is already running on ${dataDir} (pid ${pid}): stop it first, or use --data-dir for another mirror.`,
          );
        }
        rmSync(file, { force: true });
      }
    }
    throw new DataDirBusyError(`could not lock ${dataDir}`);
  }

  release(): void {
    try {
      if (Number(readFileSync(this.file, 'utf8').trim()) === process.pid) rmSync(this.file, { force: true });
    } catch {
      /* already gone */
    }
  }
}
