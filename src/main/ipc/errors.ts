// The one place where anything thrown in main becomes the contract's error shape. Our own failures are
// MailmirrorErrors and carry the contract code they cross as (`ipcCode`); only foreign errors (SQLite's,
// Node's network errors, the client refusal src/shared throws) are mapped here. Stacks, paths and tokens never
// cross the boundary.
import type { z } from 'zod';
import type { IpcError, IpcErrorCode } from '../../shared/ipc';
import { IPC_ERROR_CODES } from '../../shared/ipc';
import { OAuthClientRefusedError } from '../../shared/oauth-client';
import { safeErrorMessage } from '../gmail/redact';
import { toStoreError } from '../db/errors';
import { MailmirrorError } from '../errors';

/** The request did not match the channel's schema. */
export class InvalidRequestError extends MailmirrorError {
  readonly code = 'INVALID_REQUEST';
  readonly ipcCode = 'INVALID_REQUEST';
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
export class RefusedRequestError extends MailmirrorError {
  readonly code = 'REQUEST_REFUSED';
  constructor(
    readonly ipcCode: IpcErrorCode,
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

/**
 * A label, message, attachment or sign-in the caller named is not in the mirror (an unknown account is
 * AccountNotFoundError, shared with the CLI and sync).
 */
export class NotFoundError extends MailmirrorError {
  readonly code = 'NOT_FOUND';
  readonly ipcCode = 'NOT_FOUND';
}

/** This build cannot do what was asked (e.g. no demo mailbox). */
export class UnsupportedError extends MailmirrorError {
  readonly code = 'UNSUPPORTED';
  readonly ipcCode = 'UNSUPPORTED';
}

/** A handler answered something outside the contract: a bug in main, reported as INTERNAL. */
export class ContractViolationError extends MailmirrorError {
  readonly code = 'CONTRACT_VIOLATION';
  readonly ipcCode = 'INTERNAL';
}

const CONTRACT_CODES: ReadonlySet<string> = new Set(IPC_ERROR_CODES);

// Node's (and undici's) codes for a network failure: the one kind of foreign error with a contract code of its own.
const NETWORK_CODES: ReadonlySet<string> = new Set([
  'ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENETDOWN',
  'UND_ERR_SOCKET', 'UND_ERR_CONNECT_TIMEOUT',
]);

export function contractCodeOf(e: unknown): IpcErrorCode {
  // SQLite's own errors (SQLITE_CORRUPT, SQLITE_NOTADB, SQLITE_FULL, …), however wrapped, as the store's classes.
  const err = toStoreError(e);
  if (err instanceof MailmirrorError) return err.ipcCode;
  // Shared with the renderer (which refuses an oversized file itself), so not a MailmirrorError.
  if (err instanceof OAuthClientRefusedError) return 'CLIENT_INVALID';
  const code = typeof err === 'object' && err !== null ? (err as { code?: unknown }).code : undefined;
  if (typeof code === 'string' && NETWORK_CODES.has(code)) return 'OFFLINE';
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
  if (e instanceof ContractViolationError) message = 'Mailmirror answered something unexpected';
  if (!message) message = code === 'INTERNAL' ? 'Something went wrong' : code.toLowerCase().replace(/_/g, ' ');
  if (message.length > MAX_MESSAGE) message = `${message.slice(0, MAX_MESSAGE - 1)}…`;
  const out: IpcError = { code, message };
  if (e instanceof InvalidRequestError && e.issues.length > 0) out.issues = e.issues;
  return out;
}
