// The one place where anything thrown in main becomes the contract's error shape. Every other
// module throws its own error class with a string `code`; this maps those codes to the few the
// renderer branches on, and keeps stacks, paths and tokens out of what crosses the boundary.
import type { z } from 'zod';
import type { IpcError, IpcErrorCode } from '../../shared/ipc';
import { IPC_ERROR_CODES } from '../../shared/ipc';
import { safeErrorMessage } from '../gmail/redact';
import { toStoreError } from '../db/errors';

/** The request did not match the channel's schema. */
export class InvalidRequestError extends Error {
  readonly code = 'INVALID_REQUEST';
  constructor(
    message: string,
    readonly issues: { path: string; message: string }[] = [],
  ) {
    super(message);
  }

  static fromZod(channel: string, error: z.ZodError): InvalidRequestError {
    const issues = error.issues.slice(0, 20).map((i) => ({
      path: i.path.map(String).join('.') || '(request)',
      message: i.message,
    }));
    const first = issues[0];
    return new InvalidRequestError(`Invalid request for ${channel}: ${first ? `${first.path}: ${first.message}` : 'malformed'}`, issues);
  }
}

/** A request the contract's schema refused with a code of its own and a message meant for the user. */
export class RefusedRequestError extends Error {
  constructor(
    readonly code: IpcErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/**
 * What a failed request parse becomes: the schema's own refusal when its first issue names a
 * contract code (`params.ipcCode`, e.g. an oversized client file → CLIENT_INVALID), else INVALID_REQUEST.
 */
export function requestErrorFromZod(channel: string, error: z.ZodError): Error {
  const first = error.issues[0];
  const ipcCode: unknown = first?.code === 'custom' ? (first.params as { ipcCode?: unknown } | undefined)?.ipcCode : undefined;
  if (typeof ipcCode === 'string' && CONTRACT_CODES.has(ipcCode)) return new RefusedRequestError(ipcCode as IpcErrorCode, first.message);
  return InvalidRequestError.fromZod(channel, error);
}

/** An account, label, message or attachment the caller named is not in the mirror. */
export class NotFoundError extends Error {
  readonly code = 'NOT_FOUND';
}

/** A connect flow (or another long call) was cancelled. */
export class CancelledError extends Error {
  readonly code = 'CANCELLED';
}

/** This build cannot do what was asked (e.g. no demo mailbox). */
export class UnsupportedError extends Error {
  readonly code = 'UNSUPPORTED';
}

/** A handler answered something outside the contract: a bug in main, reported as INTERNAL. */
export class ContractViolationError extends Error {
  readonly code = 'CONTRACT_VIOLATION';
}

const CONTRACT_CODES: ReadonlySet<string> = new Set(IPC_ERROR_CODES);

// Codes other modules use (src/main/gmail/errors.ts, oauth.ts, …) mapped to the contract's.
const CODE_MAP: Readonly<Record<string, IpcErrorCode>> = {
  AUTH_REVOKED: 'AUTH_EXPIRED',
  NEEDS_RECONNECT: 'AUTH_EXPIRED',
  SECRET_UNREADABLE: 'AUTH_EXPIRED',
  QUOTA_EXHAUSTED: 'RATE_LIMITED',
  ENDPOINT_UNREACHABLE: 'OFFLINE',
  GMAIL_UNAVAILABLE: 'OFFLINE',
  OAUTH_ABORTED: 'CANCELLED',
  OAUTH_DENIED: 'CANCELLED',
  OAUTH_TIMEOUT: 'TIMEOUT',
  OAUTH_CLIENT_MISSING: 'CLIENT_NOT_CONFIGURED',
  CONFIG_INVALID: 'UNSUPPORTED',
  REDIS_NOT_FOUND: 'UNAVAILABLE',
  STORE_NOT_DAMAGED: 'UNSUPPORTED',
};

const NETWORK_CODES: ReadonlySet<string> = new Set([
  'ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENETDOWN',
  'UND_ERR_SOCKET', 'UND_ERR_CONNECT_TIMEOUT',
]);

function codeOf(e: unknown): string | undefined {
  if (typeof e === 'object' && e !== null && 'code' in e) {
    const c = (e as { code: unknown }).code;
    if (typeof c === 'string') return c;
  }
  return undefined;
}

export function contractCodeOf(e: unknown): IpcErrorCode {
  // SQLite's own errors (SQLITE_CORRUPT, SQLITE_NOTADB, SQLITE_FULL, …), however wrapped, as the store's codes.
  const code = codeOf(toStoreError(e));
  if (code === undefined) return 'INTERNAL';
  if (CONTRACT_CODES.has(code)) return code as IpcErrorCode;
  const mapped = CODE_MAP[code];
  if (mapped) return mapped;
  if (NETWORK_CODES.has(code)) return 'OFFLINE';
  if (code.endsWith('_NOT_FOUND')) return 'NOT_FOUND';
  return 'INTERNAL';
}

const MAX_MESSAGE = 400;

/**
 * Any thrown value as the contract's error: a code the renderer can branch on and a one-line,
 * redacted message (never a stack: only the first line of the message survives).
 */
export function toIpcError(e: unknown): IpcError {
  const code = contractCodeOf(e);
  let message = safeErrorMessage(toStoreError(e)).split('\n')[0].trim();
  if (code === 'INTERNAL' && codeOf(e) === 'CONTRACT_VIOLATION') message = 'Mailmirror answered something unexpected';
  if (!message) message = code === 'INTERNAL' ? 'Something went wrong' : code.toLowerCase().replace(/_/g, ' ');
  if (message.length > MAX_MESSAGE) message = `${message.slice(0, MAX_MESSAGE - 1)}…`;
  const out: IpcError = { code, message };
  if (e instanceof InvalidRequestError && e.issues.length > 0) out.issues = e.issues;
  return out;
}
