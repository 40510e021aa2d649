// What the IPC router needs from the app core. The router reads the mirror itself (the store's
// repositories and ./queries); everything that talks to Gmail, the queues or the workers comes
// through this interface, which src/main/app-core.ts implements over the real parts (and the
// tests' harness over a real store and a real emulator).
import type { AccountSummary, ClientStatus, LabelSummary, MessageDetail, MessageSummary, Settings, SyncStatus, ThreadSummary } from '../../shared/ipc';

/** Where an attachment is, as stored: enough for the core to fetch its bytes from Gmail. */
export type AttachmentRef = {
  /** The stored attachment's row. */
  id: number;
  accountId: number;
  messageGmailId: string;
  /** Gmail's attachment id (messages.attachments.get), when the part had one. */
  gmailAttachmentId: string | null;
  /** MIME part id (e.g. `1.2`): finds the part again when there is no attachment id. */
  partId: string | null;
  filename: string | null;
  mimeType: string | null;
};

/**
 * Nudges from the core, under the contract's event names. They carry ids only: the router throttles them per
 * account and reads what changed itself (e.g. `sync:progress` makes it call syncStatus() at most ~5 times/s).
 */
export type { CoreEventMap, CoreEventName } from '../core-events';
import type { CoreEventMap, CoreEventName } from '../core-events';

export type MessagePage = { messages: MessageSummary[]; nextCursor: string | null };
export type ThreadPage = { threads: ThreadSummary[]; nextCursor: string | null };

/** A page of search results, and how many messages match in all. */
export type SearchResultPage = MessagePage & { total: number };

/** The mirror as the UI reads it (the core implements it over its store: src/main/mirror-reads.ts). */
export interface MirrorReadService {
  /** NOT_FOUND (AccountNotFoundError) unless the account exists. */
  requireAccount(accountId: number): void;
  accounts(): AccountSummary[];
  labels(accountId: number): LabelSummary[];
  messagePage(q: { accountId: number; labelId: string | null; cursor: string | null; limit: number }): MessagePage;
  /** SearchQueryError (INVALID_REQUEST) for a query that cannot be read. */
  searchPage(q: { accountId: number; query: string; cursor: string | null; limit: number; order?: 'newest' | 'relevance' }): SearchResultPage;
  message(accountId: number, gmailId: string): MessageDetail;
  /** One row per conversation of a label (null: All Mail), newest first. */
  threadPage(q: { accountId: number; labelId: string | null; cursor: string | null; limit: number }): ThreadPage;
  /** A conversation's messages, oldest first, as opened from `labelId`; NOT_FOUND when none is stored. */
  thread(accountId: number, threadId: string, labelId: string | null): MessageDetail[];
  /** The stored attachment, checked to belong to that message of that account. */
  attachmentRef(accountId: number, messageGmailId: string, attachmentId: string): AttachmentRef;
}

export interface AppServices {
  /** Reads of the mirror (the store is written only by the core). */
  readonly mirror: MirrorReadService;
  /** The app's version, shown in the UI. */
  readonly version: string;

  /**
   * Runs Gmail's OAuth installed-app flow: calls `openUrl` once with the consent URL, resolves
   * with the connected address once the loopback redirect arrived and the account is stored and
   * its first sync queued. Rejects with the OAuth module's errors (codes OAUTH_*), or an error
   * with code OAUTH_ABORTED when `signal` fires.
   */
  connectAccount(opts: { openUrl: (url: string) => void; signal: AbortSignal }): Promise<{ email: string }>;
  /** "Try the demo mailbox": starts the built-in emulator and connects its account. Absent: not offered. */
  connectDemo?(): Promise<{ email: string }>;
  /** Revokes the token, stops the account's jobs and deletes its mirror. */
  removeAccount(accountId: number): Promise<unknown>;
  /** Queues a sync (incremental, or initial/full as the account needs; `full` forces a resync). */
  syncNow(accountId: number, opts?: { full?: boolean }): Promise<void>;
  /** Phase, progress from the store, rate and ETA, last error, per-label progress. */
  syncStatus(accountId: number): Promise<SyncStatus>;
  /** An attachment's bytes: from the mirror, or fetched from Gmail when it does not hold them (over the cap). */
  fetchAttachment(ref: AttachmentRef): Promise<Uint8Array>;
  /** A message's original bytes (RFC 822, as Gmail's format=raw): from the mirror, or fetched from Gmail and kept. */
  messageSource(accountId: number, gmailId: string): Promise<Buffer>;
  /** Where "Export account…" proposes to write. */
  exportDefaults(accountId: number): Promise<{ mbox: string; eml: string }>;
  /** Exports the account's mirror (see the contract's `accounts:export`). */
  exportAccount(req: { accountId: number; format: 'mbox' | 'eml'; path: string; force: boolean }): Promise<{
    path: string;
    messages: number;
    bytes: number;
    skipped: number;
  }>;
  /** Stops the account's running export; false when none was running. */
  cancelExport(accountId: number): Promise<boolean>;
  getSettings(): Promise<Settings>;
  setSettings(patch: Partial<Settings>): Promise<Settings>;
  /** The OAuth client connecting uses and where it comes from (explicit > the user's > built in). */
  clientStatus(): Promise<ClientStatus>;
  /**
   * Saves the user's own OAuth client (Google's downloaded JSON, or an id and secret) encrypted in
   * the data folder and makes it the one in effect unless an explicit one overrides it. Rejects
   * with OAuthClientRefusedError (code CLIENT_INVALID) and the precise reason.
   */
  setClient(input: { json: string; name?: string } | { clientId: string; clientSecret: string }): Promise<ClientStatus>;
  /** Removes the user's saved client; answers what is in effect now. */
  clearClient(): Promise<ClientStatus>;
  /**
   * Rebuilds a damaged store from Gmail into a new file, the damaged one kept aside (see AppCore.rebuildStore).
   * Absent: this host cannot rebuild (the router answers UNSUPPORTED).
   */
  rebuildStore?(): Promise<{ keptAs: string | null; accounts: { email: string; reconnect: boolean }[] }>;
  /**
   * Told of every error a request met while reading the store, so SQLite's corrupt / not-a-database errors put the
   * core in the damaged state wherever they were met.
   */
  reportStoreError?(e: unknown): unknown;
  /** What the UI says while the store is damaged (what happened, what to do), or null when it is not. */
  storeDamageMessage?(): string | null;
  /** Subscribes to the core's nudges; returns the unsubscribe function. */
  onEvent<K extends CoreEventName>(name: K, fn: (payload: CoreEventMap[K]) => void): () => void;
}
