// The store's schema. SQLite is the source of truth for sync state; Redis only holds jobs.
// camelCase keys map to snake_case columns (drizzle convention). Generate migrations with
// `npx drizzle-kit generate` after changing this file; never edit an applied migration.
import { sql } from 'drizzle-orm';
import {
  sqliteTable,
  integer,
  text,
  blob,
  index,
  uniqueIndex,
  primaryKey,
} from 'drizzle-orm/sqlite-core';

export const accounts = sqliteTable('accounts', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  email: text('email').notNull().unique(),
  /** Gmail historyId (decimal string, compare as BigInt) the mirror is consistent with. */
  historyId: text('history_id'),
  initialSyncCompleted: integer('initial_sync_completed', { mode: 'boolean' }).notNull().default(false),
  labelSyncCompleted: integer('label_sync_completed', { mode: 'boolean' }).notNull().default(false),
  lastFullSyncAt: integer('last_full_sync_at', { mode: 'timestamp_ms' }),
  lastIncrementalSyncAt: integer('last_incremental_sync_at', { mode: 'timestamp_ms' }),
  /** 'active' | 'needs_reconnect' | 'error' */
  status: text('status', { enum: ['active', 'needs_reconnect', 'error'] }).notNull().default('active'),
  lastError: text('last_error'),
  /** Encrypted OAuth token set (never the clear text). */
  tokenCipher: text('token_cipher'),
  /** From getProfile: used to pick the fetch strategy and to show totals. */
  messagesTotal: integer('messages_total'),
  threadsTotal: integer('threads_total'),
  /** 'messages' | 'threads' — how details are fetched (chosen per account). */
  fetchStrategy: text('fetch_strategy', { enum: ['messages', 'threads'] }),
  includeSpamTrash: integer('include_spam_trash', { mode: 'boolean' }).notNull().default(true),
  /**
   * Gmail's quota table the account was found on ('2026' | 'legacy') with MAILMIRROR_QUOTA_PROFILE=auto, and when;
   * null: not found out yet (gmail/quota-profile.ts).
   */
  quotaProfile: text('quota_profile', { enum: ['2026', 'legacy'] }),
  quotaProfileCheckedAt: integer('quota_profile_checked_at', { mode: 'timestamp_ms' }),
  createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull().default(sql`(unixepoch('subsec') * 1000)`),
});

export const labels = sqliteTable(
  'labels',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    accountId: integer('account_id').notNull().references(() => accounts.id, { onDelete: 'cascade' }),
    /** Gmail label id (INBOX, Label_12, …): unique only within an account. */
    gmailId: text('gmail_id').notNull(),
    name: text('name').notNull(),
    type: text('type', { enum: ['system', 'user'] }).notNull(),
    color: text('color'),
    textColor: text('text_color'),
    labelListVisibility: text('label_list_visibility'),
    messageListVisibility: text('message_list_visibility'),
    messagesTotal: integer('messages_total').notNull().default(0),
    messagesUnread: integer('messages_unread').notNull().default(0),
    threadsTotal: integer('threads_total').notNull().default(0),
    threadsUnread: integer('threads_unread').notNull().default(0),
    lastSyncedAt: integer('last_synced_at', { mode: 'timestamp_ms' }),
  },
  (t) => [uniqueIndex('labels_account_gmail_id').on(t.accountId, t.gmailId)],
);

export const messages = sqliteTable(
  'messages',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    accountId: integer('account_id').notNull().references(() => accounts.id, { onDelete: 'cascade' }),
    gmailId: text('gmail_id').notNull(),
    threadId: text('thread_id').notNull(),
    /** Gmail internalDate, ms since epoch (null for a stub not yet fetched). */
    internalDate: integer('internal_date'),
    historyId: text('history_id'),
    sizeEstimate: integer('size_estimate'),
    snippet: text('snippet'),
    subject: text('subject'),
    fromAddr: text('from_addr'),
    toAddr: text('to_addr'),
    ccAddr: text('cc_addr'),
    /** Only on messages the user sent (Gmail keeps the sender's Bcc header). */
    bccAddr: text('bcc_addr'),
    dateHeader: text('date_header'),
    messageIdHeader: text('message_id_header'),
    referencesHeader: text('references_header'),
    textBody: text('text_body'),
    htmlBody: text('html_body'),
    /**
     * The attachments' file names, one per line: a copy of attachments.filename kept beside the other searched
     * text so the full-text index (an external-content FTS5 table over this table, migration search) covers it.
     */
    attachmentNames: text('attachment_names'),
    /** Stub (false) until messages.get/threads.get wrote its details. */
    detailsFetched: integer('details_fetched', { mode: 'boolean' }).notNull().default(false),
    /** Lower runs first: 0 incremental, 1 INBOX, 2 the rest. */
    fetchPriority: integer('fetch_priority').notNull().default(2),
    /** Position in the listing (messages.list is newest first): the fetch order within a priority. */
    listSeq: integer('list_seq').notNull().default(0),
    /**
     * Id of the last history record applied to this message's labels. A detail fetch whose
     * message.historyId is older must not overwrite them (a concurrent incremental pass is newer).
     */
    labelsHistoryId: text('labels_history_id'),
    /** Why parsing failed, if it did (the message is still stored with what could be read). */
    parseError: text('parse_error'),
    updatedAt: integer('updated_at', { mode: 'timestamp_ms' }),
  },
  (t) => [
    uniqueIndex('messages_account_gmail_id').on(t.accountId, t.gmailId),
    index('messages_pending').on(t.accountId, t.detailsFetched, t.fetchPriority, t.listSeq),
    index('messages_account_date').on(t.accountId, t.internalDate),
    // A thread's messages by date: the conversation list asks "is there a newer message of this thread in the
    // label?" and the reader reads a thread in order, both as one range of this index (its prefix serves every
    // lookup by thread, so it replaces the old (account_id, thread_id) index).
    index('messages_thread_date').on(t.accountId, t.threadId, t.internalDate),
    // Search: rfc822msgid: finds a message by its Message-ID header, larger:/smaller: by size, without a scan.
    index('messages_message_id_header').on(t.accountId, t.messageIdHeader),
    index('messages_account_size').on(t.accountId, t.sizeEstimate),
    // Search: what filtering and ordering the full-text index's matches reads of each one, in a narrow covering
    // index instead of the wide rows (bodies); SQLite picks it for the rowid lookups (3× faster at 100k messages).
    index('messages_search').on(t.id, t.accountId, t.internalDate, t.gmailId),
  ],
);

export const messageLabels = sqliteTable(
  'message_labels',
  {
    messageId: integer('message_id').notNull().references(() => messages.id, { onDelete: 'cascade' }),
    accountId: integer('account_id').notNull(),
    /** Gmail label id; not a foreign key: history may name a label before labels.list shows it. */
    labelId: text('label_id').notNull(),
    /**
     * Copy of messages.internal_date (kept by a trigger, migration label_counts) so a label's
     * message list pages newest-first straight from an index instead of sorting the whole label.
     * Null while the message is a stub.
     */
    internalDate: integer('internal_date'),
  },
  (t) => [
    primaryKey({ columns: [t.messageId, t.labelId] }),
    index('message_labels_account_label').on(t.accountId, t.labelId, t.messageId),
    index('message_labels_account_label_date').on(t.accountId, t.labelId, t.internalDate, t.messageId),
  ],
);

/**
 * How many stored messages carry each label, and how many of those also carry UNREAD: the local
 * mirror's counts, shown next to Gmail's. Maintained only by triggers on message_labels
 * (migration label_counts), so reading them costs one row per label instead of a scan of every
 * label row. Never written by application code.
 */
export const labelLocalCounts = sqliteTable(
  'label_local_counts',
  {
    accountId: integer('account_id').notNull().references(() => accounts.id, { onDelete: 'cascade' }),
    labelId: text('label_id').notNull(),
    messagesTotal: integer('messages_total').notNull().default(0),
    messagesUnread: integer('messages_unread').notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.accountId, t.labelId] })],
);

export const attachments = sqliteTable(
  'attachments',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    messageId: integer('message_id').notNull().references(() => messages.id, { onDelete: 'cascade' }),
    /** Gmail attachment id for messages.attachments.get (data fetched on demand). */
    gmailAttachmentId: text('gmail_attachment_id'),
    partId: text('part_id'),
    filename: text('filename'),
    mimeType: text('mime_type'),
    size: integer('size'),
    contentId: text('content_id'),
    /**
     * The attachment's bytes as sent (still transfer-encoded: see transferEncoding), a piece of the message's original
     * (sourcePieces); null when they are not in the mirror (over the cap, or the message came without its original).
     */
    blobId: integer('blob_id'),
    /** Content-Transfer-Encoding of the stored bytes (base64, quoted-printable; null: as they are). */
    transferEncoding: text('transfer_encoding'),
  },
  (t) => [index('attachments_message').on(t.messageId)],
);

/**
 * Content-addressed bytes (sha-256): the pieces of messages' originals. An attachment sent twice is one row. Kept out
 * of the hot tables so lists and counts never read them; a row goes when the last piece using it does (trigger,
 * migration full_copies).
 */
export const blobs = sqliteTable(
  'blobs',
  {
    id: integer('id').primaryKey(),
    /** sha-256 of the bytes (not of `data`). */
    hash: blob('hash', { mode: 'buffer' }).notNull(),
    /** Bytes the blob holds (before compression). */
    size: integer('size').notNull(),
    /** How `data` holds them: 0 as they are, 1 deflated (raw deflate, RFC 1951). */
    codec: integer('codec').notNull().default(0),
    data: blob('data', { mode: 'buffer' }).notNull(),
  },
  (t) => [uniqueIndex('blobs_hash').on(t.hash)],
);

/**
 * A message's original (Gmail's format=raw) as the ordered pieces that make it up: the text between attachments, and
 * each attachment's encoded bytes. Put together they are the original byte for byte. A piece whose blob is null is
 * not in the mirror (an attachment over the user's cap): its size says what is missing. No row: no original yet.
 */
export const sourcePieces = sqliteTable(
  'source_pieces',
  {
    messageId: integer('message_id').notNull().references(() => messages.id, { onDelete: 'cascade' }),
    seq: integer('seq').notNull(),
    blobId: integer('blob_id'),
    size: integer('size').notNull(),
  },
  (t) => [primaryKey({ columns: [t.messageId, t.seq] }), index('source_pieces_blob').on(t.blobId)],
);

export const syncRuns = sqliteTable(
  'sync_runs',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    accountId: integer('account_id').notNull().references(() => accounts.id, { onDelete: 'cascade' }),
    type: text('type', { enum: ['labels', 'initial', 'full', 'incremental'] }).notNull(),
    status: text('status', { enum: ['pending', 'running', 'completed', 'failed'] }).notNull().default('pending'),
    /** historyId from getProfile taken before listing (initial/full), or the start id (incremental). */
    startHistoryId: text('start_history_id'),
    /** messages.list checkpoint: the next page to read; null before the first page. */
    pageToken: text('page_token'),
    listingDone: integer('listing_done', { mode: 'boolean' }).notNull().default(false),
    /** Gmail ids seen by this run's listing are stamped with it (full resync: delete the rest). */
    listedCount: integer('listed_count').notNull().default(0),
    error: text('error'),
    startedAt: integer('started_at', { mode: 'timestamp_ms' }),
    finishedAt: integer('finished_at', { mode: 'timestamp_ms' }),
    updatedAt: integer('updated_at', { mode: 'timestamp_ms' }),
  },
  (t) => [index('sync_runs_account').on(t.accountId, t.status)],
);

/** Messages seen by an in-progress full resync's listing (reconcile: what is not here is gone). */
export const listedIds = sqliteTable(
  'listed_ids',
  {
    runId: integer('run_id').notNull().references(() => syncRuns.id, { onDelete: 'cascade' }),
    gmailId: text('gmail_id').notNull(),
  },
  (t) => [primaryKey({ columns: [t.runId, t.gmailId] })],
);

export type Account = typeof accounts.$inferSelect;
export type Label = typeof labels.$inferSelect;
export type Message = typeof messages.$inferSelect;
export type SyncRun = typeof syncRuns.$inferSelect;
export type Attachment = typeof attachments.$inferSelect;
