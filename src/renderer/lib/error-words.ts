// Every error a user sees, in plain words with one next step. The contract's error codes
// (IPC_ERROR_CODES) map to a sentence and what to do; the core's own message — which may carry codes,
// hostnames or Google's jargon such as "invalid_grant" — is kept for a "Details" disclosure.
import type { IpcErrorCode } from '../../shared/ipc';

/** What was being done when it failed: the same code reads differently while syncing or signing in. */
export type ErrorContext = 'general' | 'sync' | 'connect' | 'search' | 'download' | 'export';

export type PlainError = {
  code: IpcErrorCode | null;
  /** What happened, in plain words. */
  text: string;
  /** The one thing to do next (may be empty when the screen's own button is that step). */
  next: string;
  /** The original message (and code) for the Details disclosure; null when it adds nothing. */
  detail: string | null;
};

type Words = { text: string; next: string };

const WORDS: Record<IpcErrorCode, Words> = {
  INVALID_REQUEST: { text: 'Mailmirror could not do that with what it was given.', next: 'Check what you typed (a search is at most 500 characters) and try again.' },
  NOT_FOUND: { text: 'That is no longer in the mirror.', next: 'It may have been removed in Gmail — pick another item or wait for the next sync.' },
  AUTH_EXPIRED: { text: 'Gmail no longer accepts this account’s sign-in. Your mirrored mail is kept.', next: 'Reconnect the account to resume syncing.' },
  RATE_LIMITED: { text: 'Gmail asked Mailmirror to slow down for a while.', next: 'Nothing to do: Mailmirror carries on by itself in a few minutes.' },
  OFFLINE: { text: 'Gmail cannot be reached right now. Your mirrored mail stays readable.', next: 'Check your internet connection; Mailmirror retries on its own.' },
  CANCELLED: { text: 'That was cancelled.', next: 'Start it again when you are ready.' },
  TIMEOUT: { text: 'That took too long and was stopped.', next: 'Try again.' },
  UNSUPPORTED: { text: 'This copy of Mailmirror cannot do that.', next: 'Use another way in, such as Connect Gmail.' },
  CLIENT_NOT_CONFIGURED: { text: 'Google sign-in is not set up yet.', next: 'Set up Google sign-in, then connect again.' },
  CLIENT_INVALID: { text: 'That is not a usable Google sign-in client.', next: 'Download the client’s JSON again from Google Cloud (type “Desktop app”) and add it here.' },
  FORBIDDEN: { text: 'This window is not allowed to do that.', next: 'Open Mailmirror again from its link.' },
  UNAVAILABLE: { text: 'Mailmirror’s background service is not answering.', next: 'Wait a moment and try again; if it persists, restart Mailmirror.' },
  DB_DAMAGED: { text: 'The mailbox database on this computer is damaged. Nothing is lost in Gmail.', next: 'Rebuild it from Gmail.' },
  INTERNAL: { text: 'Something went wrong inside Mailmirror.', next: 'Try again. If it keeps happening, restart Mailmirror.' },
};

/** Where the same code means something more precise. */
const IN_CONTEXT: Partial<Record<ErrorContext, Partial<Record<IpcErrorCode, Words>>>> = {
  sync: {
    INTERNAL: { text: 'The last sync failed.', next: 'Retry; if it fails again, restart Mailmirror.' },
    UNAVAILABLE: { text: 'The sync service is not answering.', next: 'Retry in a moment; if it persists, restart Mailmirror.' },
    TIMEOUT: { text: 'Gmail took too long to answer.', next: 'Retry, or wait: Mailmirror tries again on its own.' },
  },
  connect: {
    OFFLINE: { text: 'Google cannot be reached, so the sign-in could not finish.', next: 'Check your internet connection, then try again.' },
    TIMEOUT: { text: 'The sign-in was not finished in time.', next: 'Try again and complete the sign-in in your browser.' },
    AUTH_EXPIRED: { text: 'Google did not accept the sign-in.', next: 'Try again and allow Mailmirror’s read-only access.' },
    INTERNAL: { text: 'The account could not be connected.', next: 'Try again. If it keeps happening, restart Mailmirror.' },
    UNSUPPORTED: { text: 'The demo mailbox is not available in this copy of Mailmirror.', next: 'Connect your Gmail account instead.' },
  },
  // Opening an attachment, viewing or saving an original: what is not kept offline comes from Gmail.
  download: {
    OFFLINE: {
      text: 'This is not kept offline, and Gmail cannot be reached right now to fetch it.',
      next: 'Try again when you are online. Everything else in your mirror stays readable.',
    },
    TIMEOUT: { text: 'Gmail took too long to send it.', next: 'Try again in a moment.' },
    NOT_FOUND: { text: 'Gmail no longer has this message.', next: 'It was probably deleted there; the next sync removes it here too.' },
    INTERNAL: { text: 'It could not be opened.', next: 'Try again. If it keeps happening, restart Mailmirror.' },
  },
  export: {
    INTERNAL: { text: 'The export could not be written.', next: 'Check that the folder exists and you may write to it, then try again.' },
    OFFLINE: { text: 'Gmail cannot be reached, and some messages are not kept offline.', next: 'Try again when you are online.' },
  },
};

/** Codes whose message is already the plain, precise reason (written for the user by the contract). */
const MESSAGE_IS_THE_TEXT: ReadonlySet<IpcErrorCode> = new Set(['CLIENT_INVALID']);

export type ErrorShape = { code: IpcErrorCode | null; message: string };

/** An error as data: an ApiError, the contract's `{ code, message }`, or anything thrown. */
export function errorShape(e: unknown): ErrorShape {
  if (e && typeof e === 'object' && 'message' in e) {
    const code = 'code' in e && typeof e.code === 'string' && e.code in WORDS ? (e.code as IpcErrorCode) : null;
    return { code, message: String(e.message) };
  }
  return { code: null, message: String(e) };
}

/** The plain words for an error: what happened, the next step, and the original for Details. */
export function plainError(e: unknown, context: ErrorContext = 'general'): PlainError {
  const { code, message } = errorShape(e);
  const words = (code && IN_CONTEXT[context]?.[code]) ?? WORDS[code ?? 'INTERNAL'];
  // Those messages already name the fault and the fix; another sentence would only repeat them.
  if (code && MESSAGE_IS_THE_TEXT.has(code) && message) return { code, text: message, next: '', detail: null };
  // A search the parser could not read: its message points at the part and says what would be understood.
  if (context === 'search' && code === 'INVALID_REQUEST' && message.startsWith('Cannot read the search')) {
    return { code, text: message, next: '', detail: null };
  }
  // An export the core refused (the file is already there, the path is not usable): its message says which, in
  // words written for the user (accounts:export in the contract).
  if (context === 'export' && code === 'INVALID_REQUEST' && message) return { code, text: message, next: '', detail: null };
  const detail = message ? (code ? `${message} [${code}]` : message) : code;
  return { code, text: words.text, next: words.next, detail };
}
