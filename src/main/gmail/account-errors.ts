// Account conditions shared by the CLI, the IPC layer and sync, in a module light enough for
// commands that never talk to Google (no google-auth-library loaded just to name an error).

export class AccountNotFoundError extends Error {
  readonly code = 'ACCOUNT_NOT_FOUND';
}

/** The stored token cannot be used any more (invalid_grant, or undecryptable): reconnect. */
export class AccountTokenRevokedError extends Error {
  readonly code = 'AUTH_REVOKED';
}
