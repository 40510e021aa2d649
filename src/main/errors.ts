// The one error model of main: every failure we raise ourselves is a MailmirrorError with a
// string `code` (stable, logged, shown in "details") and the contract code the IPC boundary sends
// (`ipcCode`, what the renderer branches on). One class per outcome, as BullMQ's errors/ does;
// the IPC mapping reads `ipcCode` from the error itself instead of a table of strings.
import type { IpcErrorCode } from '../shared/ipc';

export abstract class MailmirrorError extends Error {
  /** Stable, machine-readable name of the outcome (e.g. 'ACCOUNT_NOT_FOUND'). */
  abstract readonly code: string;
  /** The contract's error code this outcome crosses the IPC boundary as. */
  abstract readonly ipcCode: IpcErrorCode;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

export function isMailmirrorError(e: unknown): e is MailmirrorError {
  return e instanceof MailmirrorError;
}
