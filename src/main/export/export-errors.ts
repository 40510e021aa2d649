// What an export can end with besides success, each its own outcome (src/main/errors.ts).
import { MailmirrorError } from '../errors';

/**
 * The file or folder to write exists and `force` was not given (`forceable`: asking to replace it would do), or it is
 * not something an export may replace. The message names the path and says what to do, in words for the app; the CLI
 * adds its flag.
 */
export class ExportTargetExistsError extends MailmirrorError {
  readonly code = 'EXPORT_TARGET_EXISTS';
  readonly ipcCode = 'INVALID_REQUEST';
  readonly forceable: boolean;

  constructor(message: string, opts: { forceable?: boolean } = {}) {
    super(message);
    this.forceable = opts.forceable === true;
  }
}

/** Writing the export failed (disk full, permission, a missing folder, …): the message says which path and why. */
export class ExportWriteError extends MailmirrorError {
  readonly code = 'EXPORT_WRITE_FAILED';
  readonly ipcCode = 'INTERNAL';
}

/** The export was stopped (Ctrl-C, the window's Cancel) before it was whole: nothing is left under the final name. */
export class ExportCancelledError extends MailmirrorError {
  readonly code = 'EXPORT_CANCELLED';
  readonly ipcCode = 'CANCELLED';
}

const WHY: Record<string, string> = {
  ENOENT: 'its folder does not exist',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  ENOSPC: 'the disk is full',
  EDQUOT: 'the disk quota is used up',
  EROFS: 'the disk is read-only',
  EIO: 'the disk reported an input/output error',
  ENOTDIR: 'a part of the path is not a folder',
  EISDIR: 'it is a folder',
  ENAMETOOLONG: 'the name is too long',
  EFBIG: 'the file grew larger than this system allows',
  EMFILE: 'too many open files',
  EPIPE: 'the program reading it closed it',
};

/** A file-system error while writing `path`, in plain words with the system's code in brackets. */
export function writeFailure(path: string, e: unknown): ExportWriteError {
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  const why = (code && WHY[code]) ?? (e instanceof Error ? e.message : String(e));
  return new ExportWriteError(`cannot write ${path}: ${why}${code ? ` (${code})` : ''}`, { cause: e });
}
