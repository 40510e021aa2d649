// Account conditions shared by the CLI, the IPC layer and sync, in a module light enough for
// commands that never talk to Google (no google-auth-library loaded just to name an error).
// The lowest layer that raises them is gmail/ (account-auth.ts); sync, ipc, the core and the CLI use them too.
import { MailmirrorError } from '../errors';

/** No account with that id or address in the mirror. */
export class AccountNotFoundError extends MailmirrorError {
  readonly code = 'ACCOUNT_NOT_FOUND';
  readonly ipcCode = 'NOT_FOUND';
}

/**
 * The account cannot use Gmail until the user connects it again: Google refused its token (invalid_grant, a 401 after
 * a refresh, another OAuth client's token) or the stored one cannot be read. The account is flagged
 * "needs reconnect" and keeps every byte of its mirror; jobs stop retrying on this class.
 */
export class AccountNeedsReconnectError extends MailmirrorError {
  readonly code = 'NEEDS_RECONNECT';
  readonly ipcCode = 'AUTH_EXPIRED';
}
