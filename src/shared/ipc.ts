/**
 * The IPC contract between the renderer and main: one table of invoke channels with zod request
 * and response schemas, one table of push events. Both transports (Electron's ipcMain/preload and
 * the browser host's WebSocket) speak exactly this; main validates every request against it and
 * every response too (zod strips unknown keys, so nothing the core did not mean to send — a token,
 * a file path — can ride along).
 *
 * Conventions: ids of Gmail objects are Gmail's strings; local account ids are integers; times are
 * milliseconds since the epoch (JSON-safe); a channel with nothing to return answers `null`.
 * Errors cross as data (`IpcResult`), never as thrown exceptions.
 */
import { z } from 'zod';
import type { EventName, InvokeChannel } from './ipc-channels';
import { MAX_CLIENT_FIELD_CHARS, MAX_CLIENT_JSON_BYTES, OAUTH_CLIENT_SOURCES, clientFileTooLarge, utf8Length } from './oauth-client';
import { safeFileName, stripControlChars } from './safe-text';

export { EVENT_CHANNELS, INVOKE_CHANNELS, isEventName, isInvokeChannel } from './ipc-channels';
export type { EventName, InvokeChannel } from './ipc-channels';

// ---------------------------------------------------------------------------------------------
// Errors

export const IPC_ERROR_CODES = [
  /** The request did not match the channel's schema (or the channel does not exist). */
  'INVALID_REQUEST',
  /** The account, label, message or attachment is not in the mirror. */
  'NOT_FOUND',
  /** Gmail no longer accepts the account's token: the user must reconnect it. */
  'AUTH_EXPIRED',
  /** Gmail's quota for the account is exhausted for now. */
  'RATE_LIMITED',
  /** Gmail (or the OAuth server) cannot be reached. The local mirror still works. */
  'OFFLINE',
  /** The user (or a newer request) cancelled the operation. */
  'CANCELLED',
  /** The operation took too long (e.g. nobody completed the sign-in in the browser). */
  'TIMEOUT',
  /** This build or configuration cannot do that (e.g. no demo mailbox available). */
  'UNSUPPORTED',
  /** Connecting needs an OAuth client and none is configured: the UI opens the guided client setup. */
  'CLIENT_NOT_CONFIGURED',
  /** The OAuth client given to client:set is not a usable Desktop app client; the message says why. */
  'CLIENT_INVALID',
  /** The caller is not allowed to use this channel. */
  'FORBIDDEN',
  /** The app core is not reachable (starting, stopping, or the connection dropped). */
  'UNAVAILABLE',
  /**
   * The mailbox database is damaged (SQLite found it malformed, not a database, or emptied): nothing more is
   * written to it and syncing has stopped. The way out is `store:rebuild`; the message says so.
   */
  'DB_DAMAGED',
  /** Anything else. The message is safe to show; details are in the logs. */
  'INTERNAL',
] as const;

export type IpcErrorCode = (typeof IPC_ERROR_CODES)[number];

export const ipcErrorSchema = z.object({
  code: z.enum(IPC_ERROR_CODES),
  message: z.string(),
  /** For INVALID_REQUEST: where the request was wrong. */
  issues: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
});
export type IpcError = z.infer<typeof ipcErrorSchema>;

/** What every invoke resolves to, on both transports. */
export type IpcResult<T> = { ok: true; value: T } | { ok: false; error: IpcError };

// ---------------------------------------------------------------------------------------------
// Domain shapes that cross the boundary

const accountId = z.int().positive();
/** Gmail ids (messages, threads, labels, attachments) are short opaque strings. */
const gmailId = z.string().min(1).max(512);
const cursor = z.string().min(1).max(512);
const epochMs = z.number().int().nonnegative();
const httpUrl = z.url({ protocol: /^https?$/ });

export const accountSummarySchema = z.object({
  id: accountId,
  email: z.string(),
  /** `needs_reconnect`: Gmail refused the token (invalid_grant); every byte of data is kept. */
  status: z.enum(['active', 'needs_reconnect', 'error']),
  lastError: z.string().nullable(),
  initialSyncCompleted: z.boolean(),
  /** Last finished sync of any kind. */
  lastSyncAt: epochMs.nullable(),
  /** From Gmail's getProfile (null until known). */
  messagesTotal: z.int().nonnegative().nullable(),
  /** Messages whose details are in the mirror. */
  localMessages: z.int().nonnegative(),
});
export type AccountSummary = z.infer<typeof accountSummarySchema>;

export const labelSummarySchema = z.object({
  /** Gmail's label id (`INBOX`, `Label_12`, …). */
  id: gmailId,
  /** Full name; nested labels use `/` (`Work/Projects`). */
  name: z.string(),
  type: z.enum(['system', 'user']),
  color: z.object({ background: z.string(), text: z.string() }).nullable(),
  /** Gmail's `labelListVisibility` is not `labelHide`. */
  visible: z.boolean(),
  /** Counts as Gmail reported them (labels.get) at the last label sync. */
  messagesTotal: z.int().nonnegative(),
  messagesUnread: z.int().nonnegative(),
  threadsTotal: z.int().nonnegative(),
  threadsUnread: z.int().nonnegative(),
  /** Counts in the local mirror (messages whose details are stored). */
  localTotal: z.int().nonnegative(),
  localUnread: z.int().nonnegative(),
});
export type LabelSummary = z.infer<typeof labelSummarySchema>;

export const messageSummarySchema = z.object({
  /** Gmail message id. */
  id: gmailId,
  threadId: gmailId,
  /** Gmail's internalDate (ms). Imported mail can predate 1970: any integer. */
  internalDate: z.number().int().nullable(),
  /** The decoded From header (`"Name" <addr>`). */
  from: z.string().nullable(),
  /** The decoded To header (a list): Sent and Drafts rows show recipients, not the user as sender. Absent from older cores. */
  to: z.string().nullable().optional(),
  subject: z.string().nullable(),
  snippet: z.string().nullable(),
  unread: z.boolean(),
  starred: z.boolean(),
  hasAttachments: z.boolean(),
  labelIds: z.array(gmailId),
});
export type MessageSummary = z.infer<typeof messageSummarySchema>;

/**
 * A conversation as a list row: `id`, date, from, to and snippet are those of its newest message in the label listed;
 * `subject` is the conversation's (its first message's); unread, starred, attachments and labels are any of its
 * messages'.
 */
export const threadSummarySchema = messageSummarySchema.extend({
  /** Messages in the conversation (Spam and Trash left out unless listed there). */
  messageCount: z.int().positive(),
  unreadCount: z.int().nonnegative(),
  /** Who wrote in it, in the order they first did (the first one and the latest few of a long thread). */
  senders: z.array(z.object({ from: z.string(), unread: z.boolean() })),
});
export type ThreadSummary = z.infer<typeof threadSummarySchema>;

export const attachmentSummarySchema = z.object({
  /** Opaque id for `attachments:download`. */
  id: z.string().min(1).max(64),
  filename: z.string().nullable(),
  mimeType: z.string().nullable(),
  size: z.int().nonnegative().nullable(),
  /** Set for inline parts referenced as `cid:` from the HTML. */
  contentId: z.string().nullable(),
  /**
   * The bytes are in the mirror and open offline; false: over the size cap the user set, or not copied yet
   * (a mirror made before full copies), fetched from Gmail when opened.
   */
  offline: z.boolean(),
  /** Shown inside the message (an image its HTML shows by `cid:`): the reader does not list it again. */
  inline: z.boolean(),
});
export type AttachmentSummary = z.infer<typeof attachmentSummarySchema>;

export const messageDetailSchema = messageSummarySchema.extend({
  to: z.string().nullable(),
  cc: z.string().nullable(),
  /** The Date header as sent (internalDate is the reliable one). */
  dateHeader: z.string().nullable(),
  /** Decoded text/plain body, if any. */
  textBody: z.string().nullable(),
  /** Decoded text/html body, if any. Unsanitized: the renderer sanitizes and sandboxes it. */
  htmlBody: z.string().nullable(),
  attachments: z.array(attachmentSummarySchema),
  /** False for a stub whose details are not fetched yet. */
  detailsFetched: z.boolean(),
  /** Why parsing failed, if it did (the message is shown with what could be read). */
  parseError: z.string().nullable(),
  /**
   * The original message (its RFC 822 source as Gmail keeps it) is in the mirror whole: "View original" and
   * "Save as .eml" work offline. False: parts of it are over the size cap, or it is not copied yet.
   */
  sourceOffline: z.boolean(),
});
export type MessageDetail = z.infer<typeof messageDetailSchema>;

export const syncPhaseSchema = z.enum([
  /** Nothing to do: the mirror is up to date. */
  'idle',
  /** A sync is requested and waiting for a worker. */
  'queued',
  /** Listing message ids (initial or full sync, phase 1). */
  'listing',
  /** Fetching message details (phase 2). */
  'fetching',
  /** Checking Gmail's history for changes (a sync the user asked for, not finished yet). */
  'incremental',
  /**
   * Syncing cannot go on right now (see `error`): the last sync failed, Gmail is unreachable (`offline`) or
   * answering with errors, the local queue or the disk is in trouble. It is retried, or can be retried by the user.
   */
  'error',
  /** Gmail refused the token: the account must be reconnected. */
  'needs_reconnect',
]);
export type SyncPhase = z.infer<typeof syncPhaseSchema>;

export const syncStatusSchema = z.object({
  accountId,
  phase: syncPhaseSchema,
  /** Messages with details in the mirror. */
  processed: z.int().nonnegative(),
  /** Messages known to exist (null while not known yet). */
  total: z.int().nonnegative().nullable(),
  /** processed/total in percent, one decimal (100 only once synced): the CLI shows the same figure. */
  percent: z.number().min(0).max(100),
  /** Recent detail-fetch rate, messages per second. */
  ratePerSecond: z.number().nonnegative().nullable(),
  /** Estimated seconds to finish the current phase. */
  etaSeconds: z.number().nonnegative().nullable(),
  error: z.object({ code: z.enum(IPC_ERROR_CODES), message: z.string() }).nullable(),
  /** The last attempt to reach Gmail failed for lack of network. */
  offline: z.boolean(),
  initialSyncCompleted: z.boolean(),
  lastSyncAt: epochMs.nullable(),
  /** Per-label progress (e.g. INBOX first), when the core tracks it. */
  labels: z.array(
    z.object({ labelId: gmailId, name: z.string(), processed: z.int().nonnegative(), total: z.int().nonnegative() }),
  ),
  /**
   * Gmail's quota table the account is paced to (DESIGN.md: `2026` or `legacy`), when the core says: it decides how
   * fast a full sync can go.
   */
  quotaProfile: z.enum(['2026', 'legacy']).optional(),
  /**
   * How that table was chosen: `set` (MAILMIRROR_QUOTA_PROFILE), `detected` (found out for this account), `assumed`
   * (`auto`, not found out yet: the stricter `2026`).
   */
  quotaProfileSource: z.enum(['set', 'detected', 'assumed']).optional(),
});
export type SyncStatus = z.infer<typeof syncStatusSchema>;

/** How many senders the per-sender image allowance keeps (a settings file stays small). */
export const MAX_IMAGE_SENDERS = 1000;

export const settingsSchema = z.object({
  /** Interval of the incremental sync scheduler. */
  syncIntervalSeconds: z.int().min(30).max(86_400),
  /** Mirror SPAM and TRASH too (Gmail's includeSpamTrash). */
  includeSpamTrash: z.boolean(),
  /** `ask`: remote images stay blocked until allowed for a message; `always`: loaded. */
  remoteImages: z.enum(['ask', 'always']),
  /** Senders (lower-case addresses) whose remote images load without asking, in `ask` mode. */
  imagesAllowedFrom: z.array(z.string().min(3).max(320)).max(MAX_IMAGE_SENDERS),
  /**
   * Where a message opens: beside the list, below it, or (`off`) in place of the list.
   * Layout lives here rather than in the renderer's localStorage because `serve` picks a new port,
   * and so a new browser origin with an empty localStorage, on every run.
   */
  readingPane: z.enum(['right', 'below', 'off']),
  /** Pane sizes in CSS pixels as the user dragged them; null: the app's default for the window. */
  sidebarWidth: z.int().min(0).max(4000).nullable(),
  listWidth: z.int().min(0).max(4000).nullable(),
  /** The list's height when the reading pane is below it. */
  listHeight: z.int().min(0).max(4000).nullable(),
  /** Lists show one row per conversation and the reader the whole conversation, as Gmail does; off: one row per message. */
  conversations: z.boolean(),
  /**
   * What the mirror keeps of each message besides its text: `all` (default) the original message with every
   * attachment, so everything opens offline; `capped` the original but attachments over `attachmentCapMb`,
   * fetched from Gmail when opened.
   */
  keepOriginals: z.enum(['all', 'capped']),
  /** The cap of `capped`, in MB (10^6 bytes) per attachment. */
  attachmentCapMb: z.int().min(1).max(1000),
});
export type Settings = z.infer<typeof settingsSchema>;

const messagePage = z.object({
  messages: z.array(messageSummarySchema),
  /** Pass back as `cursor` for the next page; null when there is none. */
  nextCursor: cursor.nullable(),
});

const nothing = z.strictObject({});

/** The most characters of an original `messages:original` sends to look at (Save as .eml has it whole). */
export const ORIGINAL_TEXT_MAX = 2_000_000;

export const clientStatusSchema = z.object({
  configured: z.boolean(),
  /** Where the client in effect comes from: flags/env, the user's saved one, or built into the package. */
  source: z.enum(OAUTH_CLIENT_SOURCES).nullable(),
  /** Not a secret (every consent URL carries it). The client secret never crosses. */
  clientId: z.string().nullable(),
});
export type ClientStatus = z.infer<typeof clientStatusSchema>;

/**
 * A refusal the schema makes with the contract's own code and a message for the user, instead of
 * a generic INVALID_REQUEST (the router honours `params.ipcCode`, see src/main/ipc/errors.ts).
 */
function refuse(ctx: z.RefinementCtx, ipcCode: IpcErrorCode, message: string, path: string[]) {
  ctx.addIssue({ code: 'custom', message, path, params: { ipcCode } });
}

// The client JSON crosses whole; anything over the limit is refused here with the same words the
// file picker and the CLI use. Field sizes are bounded so no transport carries megabytes of it.
const clientSetRequest = z
  .strictObject({
    /** The text of Google's downloaded client_secret_….json. */
    json: z.string().optional(),
    /**
     * The file's name, used in messages ("client_secret_123.json is not JSON: …"); control and
     * bidirectional characters are taken out so the name cannot disguise the message.
     */
    name: z
      .string()
      .max(255)
      .transform((n) => safeFileName(n, 'This file'))
      .optional(),
    clientId: z.string().optional(),
    clientSecret: z.string().optional(),
  })
  .superRefine((r, ctx) => {
    if (r.json !== undefined) {
      if (r.json.length > MAX_CLIENT_JSON_BYTES) {
        refuse(ctx, 'CLIENT_INVALID', clientFileTooLarge(utf8Length(r.json), r.name || 'This file').message, ['json']);
      }
      if (r.clientId !== undefined || r.clientSecret !== undefined) {
        ctx.addIssue({ code: 'custom', message: 'give either json or clientId and clientSecret, not both', path: [] });
      }
      return;
    }
    if (r.clientId === undefined && r.clientSecret === undefined) {
      ctx.addIssue({ code: 'custom', message: 'give json, or clientId and clientSecret', path: [] });
      return;
    }
    for (const k of ['clientId', 'clientSecret'] as const) {
      const v = r[k];
      if (v !== undefined && v.length > MAX_CLIENT_FIELD_CHARS) {
        refuse(ctx, 'CLIENT_INVALID', `The ${k === 'clientId' ? 'client ID' : 'client secret'} is ${v.length} characters long; Google's are under 100 — copy only that field`, [k]);
      }
    }
  });

// ---------------------------------------------------------------------------------------------
// Invoke channels

type ChannelDef = { request: z.ZodType; response: z.ZodType };

export const ipcChannels = {
  /** Facts about this build that change what the UI offers. */
  'app:info': {
    request: nothing,
    response: z.object({
      version: z.string(),
      demoAvailable: z.boolean(),
      /** Present when the mailbox database is damaged (DB_DAMAGED): what happened and what to do (store:rebuild). */
      storeDamaged: z.string().optional(),
    }),
  },
  /** Every connected account, in the order they were added. */
  'accounts:list': {
    request: nothing,
    response: z.array(accountSummarySchema),
  },
  /**
   * Starts Gmail's OAuth installed-app flow and answers as soon as the consent URL is known. The
   * renderer opens it (window.open: Electron hands http(s) URLs to the system browser); the flow
   * finishes when the browser reaches the loopback redirect. Await it with accounts:connectResult.
   */
  'accounts:connect': {
    request: nothing,
    response: z.object({ flowId: z.string(), authUrl: httpUrl }),
  },
  /** Waits for a flow started by accounts:connect; answers the connected address. */
  'accounts:connectResult': {
    request: z.strictObject({ flowId: z.string().min(1).max(128) }),
    response: z.object({ email: z.string() }),
  },
  /** Abandons a flow started by accounts:connect (its connectResult answers CANCELLED). */
  'accounts:connectCancel': {
    request: z.strictObject({ flowId: z.string().min(1).max(128) }),
    response: z.null(),
  },
  /** Starts the built-in demo mailbox (a local Gmail emulator) and connects it. */
  'accounts:connectDemo': {
    request: nothing,
    response: z.object({ email: z.string() }),
  },
  /** Disconnects an account: revokes its token and deletes its mirror. */
  'accounts:remove': {
    request: z.strictObject({ accountId }),
    response: z.null(),
  },
  /** Requests a sync now (incremental, or initial/full as needed; `full` forces a full resync). */
  'sync:now': {
    request: z.strictObject({ accountId, full: z.boolean().optional() }),
    response: z.null(),
  },
  /** The account's sync state (also pushed as `sync:progress`). */
  'sync:status': {
    request: z.strictObject({ accountId }),
    response: syncStatusSchema,
  },
  /** Every label of an account with Gmail's counts and the mirror's own. */
  'labels:list': {
    request: z.strictObject({ accountId }),
    response: z.array(labelSummarySchema),
  },
  /**
   * One page of a label's messages (null label: All Mail), newest first. Keyset-paged, so a page
   * costs the same at message 100,000 as at message 0.
   */
  'messages:list': {
    request: z.strictObject({
      accountId,
      labelId: gmailId.nullable(),
      cursor: cursor.nullable().optional(),
      limit: z.int().min(1).max(500).optional(),
    }),
    response: messagePage,
  },
  /** One message with its bodies and attachment list. */
  'messages:get': {
    request: z.strictObject({ accountId, messageId: gmailId }),
    response: messageDetailSchema,
  },
  /**
   * Gmail search over the account's mirror, offline: Gmail's operators (from:, label:, is:unread, has:attachment,
   * after:, older_than:, OR, -, { }, …; src/shared/gmail-query.ts), words over subject, body, names, addresses and
   * attachment names. Spam and trash are left out unless the query names them (in:anywhere, in:spam, …). Newest
   * first, or best match first with `order: 'relevance'`; `total` counts every match. A query that cannot be read
   * is INVALID_REQUEST with a message naming the part and its position.
   */
  'messages:search': {
    request: z.strictObject({
      accountId,
      /** As typed; control characters (NUL, ESC, …) are word separators, not text. */
      query: z
        .string()
        .max(2000)
        .transform((q) => stripControlChars(q).trim())
        .pipe(z.string().min(1, 'type something to search for').max(500)),
      cursor: cursor.nullable().optional(),
      limit: z.int().min(1).max(500).optional(),
      /** Default `newest`. */
      order: z.enum(['newest', 'relevance']).optional(),
    }),
    response: messagePage.extend({
      /** How many messages match in all (every page together). */
      total: z.int().nonnegative(),
    }),
  },
  /**
   * One page of a label's conversations (null label: All Mail): one row per thread with any message in the label,
   * newest first by its newest message there. Keyset-paged like messages:list.
   */
  'threads:list': {
    request: z.strictObject({
      accountId,
      labelId: gmailId.nullable(),
      cursor: cursor.nullable().optional(),
      limit: z.int().min(1).max(500).optional(),
    }),
    response: z.object({
      threads: z.array(threadSummarySchema),
      /** Pass back as `cursor` for the next page; null when there is none. */
      nextCursor: cursor.nullable(),
    }),
  },
  /**
   * A conversation's messages, oldest first, with their bodies. Opened from Spam or Trash (`labelId`) it holds the
   * messages there; from anywhere else, every message but those in Spam and Trash, as Gmail shows it.
   */
  'threads:get': {
    request: z.strictObject({ accountId, threadId: gmailId, labelId: gmailId.nullable().optional() }),
    response: z.array(messageDetailSchema),
  },
  /** An attachment's bytes, fetched from Gmail on demand (base64, so both transports carry it). */
  'attachments:download': {
    request: z.strictObject({ accountId, messageId: gmailId, attachmentId: z.string().min(1).max(64) }),
    response: z.object({ filename: z.string(), mimeType: z.string(), size: z.int().nonnegative(), dataBase64: z.string() }),
  },
  /**
   * A message's original, as text to look at ("View original"): its RFC 822 source as Gmail keeps it, bytes that
   * are not UTF-8 shown as U+FFFD, at most `ORIGINAL_TEXT_MAX` characters (`truncated` then). Read from the mirror;
   * a part not in it (over the cap, or not copied yet) is fetched from Gmail first (OFFLINE when it cannot be).
   */
  'messages:original': {
    request: z.strictObject({ accountId, messageId: gmailId }),
    response: z.object({ size: z.int().nonnegative(), text: z.string(), truncated: z.boolean() }),
  },
  /**
   * A message's original bytes ("Save as .eml"), exactly as Gmail's `format=raw` gives them, base64; `filename` is
   * a safe name from the subject (`<subject>.eml`). Fetched from Gmail first when not whole in the mirror.
   */
  'messages:source': {
    request: z.strictObject({ accountId, messageId: gmailId }),
    response: z.object({ filename: z.string(), size: z.int().nonnegative(), dataBase64: z.string() }),
  },
  /** Where "Export account…" proposes to write, per format (absolute paths in the user's Downloads or home folder). */
  'export:defaults': {
    request: z.strictObject({ accountId }),
    response: z.object({ mbox: z.string(), eml: z.string() }),
  },
  /**
   * Exports the account's mirror like `mailmirror export`: `mbox` one mboxrd file, `eml` a folder with one
   * `<gmail id>.eml` per message, each message's bytes its original. Written under a temporary name and renamed when
   * whole; an existing file or folder is refused (INVALID_REQUEST, saying so) unless `force`. `skipped`: messages
   * whose original is not whole in the mirror (over the cap, not copied yet) and could not be fetched from Gmail.
   */
  'accounts:export': {
    request: z.strictObject({
      accountId,
      format: z.enum(['mbox', 'eml']),
      path: z.string().min(1).max(4096),
      force: z.boolean().optional(),
    }),
    response: z.object({ path: z.string(), messages: z.int().nonnegative(), bytes: z.int().nonnegative(), skipped: z.int().nonnegative() }),
  },
  /**
   * Stops the account's export that is running (its `accounts:export` then fails with CANCELLED, and nothing is left
   * under the name asked for). `stopped`: false when none was running (it had finished, or never started).
   */
  'accounts:exportCancel': {
    request: z.strictObject({ accountId }),
    response: z.object({ stopped: z.boolean() }),
  },
  'settings:get': {
    request: nothing,
    response: settingsSchema,
  },
  /** Changes some settings; answers all of them. */
  'settings:set': {
    request: settingsSchema.partial().strict(),
    response: settingsSchema,
  },
  /** Which OAuth client connecting uses and where it comes from (never its secret). */
  'client:status': {
    request: nothing,
    response: clientStatusSchema,
  },
  /**
   * Saves the user's own OAuth client (a "Desktop app" client: Google's downloaded JSON, or its id
   * and secret), encrypted like tokens, and answers the client now in effect. A file that is not
   * such a client is refused with CLIENT_INVALID and a message that says what is wrong.
   */
  'client:set': {
    request: clientSetRequest,
    response: clientStatusSchema,
  },
  /** Removes the user's saved client; answers what is in effect now (a built-in one, or none). */
  'client:clear': {
    request: nothing,
    response: clientStatusSchema,
  },
  /**
   * Rebuilds a damaged mailbox database (DB_DAMAGED) from Gmail: the damaged file is kept aside under a new name,
   * a new one gets the accounts (those whose sign-in was lost with it must be reconnected) and their full sync
   * starts. Refused (UNSUPPORTED) when the database is not damaged.
   */
  'store:rebuild': {
    request: nothing,
    response: z.object({
      /** The damaged file's new name in the data folder (`mailmirror.damaged-<time>.db`), null if there was none. */
      keptAs: z.string().nullable(),
      /** Every account carried over; `reconnect`: its sign-in was lost and it must be connected again. */
      accounts: z.array(z.object({ email: z.string(), reconnect: z.boolean() })),
    }),
  },
} as const satisfies { [C in InvokeChannel]: ChannelDef };

export type RequestOf<C extends InvokeChannel> = z.input<(typeof ipcChannels)[C]['request']>;
/** The request after validation (defaults applied) — what handlers receive. */
export type ParsedRequestOf<C extends InvokeChannel> = z.output<(typeof ipcChannels)[C]['request']>;
/** What a handler returns (before the response schema strips unknown keys). */
export type HandlerResponseOf<C extends InvokeChannel> = z.input<(typeof ipcChannels)[C]['response']>;
export type ResponseOf<C extends InvokeChannel> = z.output<(typeof ipcChannels)[C]['response']>;

// ---------------------------------------------------------------------------------------------
// Push events

export const ipcEvents = {
  /** Sync progress of one account (throttled by main to a few per second per account). */
  'sync:progress': syncStatusSchema,
  /** An account was added, removed, or changed state: re-read accounts:list. */
  'accounts:changed': z.object({ accountId: accountId.optional() }),
  /** An account's labels or their counts changed: re-read labels:list. */
  'labels:changed': z.object({ accountId }),
  /** Messages of an account were added, removed or relabelled (labelIds: which labels, if known). */
  'messages:changed': z.object({ accountId, labelIds: z.array(gmailId).optional() }),
  /**
   * A running export of an account (throttled like sync:progress): `fetching` the originals the mirror does not
   * hold whole from Gmail first, then `writing` the messages; `done` of `total` messages, `bytes` written so far.
   * The last event of every export, however it ended, is `ended` (its outcome is `accounts:export`'s answer).
   */
  'export:progress': z.object({
    accountId,
    phase: z.enum(['fetching', 'writing', 'ended']),
    done: z.int().nonnegative(),
    total: z.int().nonnegative(),
    bytes: z.int().nonnegative(),
  }),
} as const satisfies { [E in EventName]: z.ZodType };

export type EventPayload<E extends EventName> = z.output<(typeof ipcEvents)[E]>;

/**
 * What `window.mailmirror` is, whichever transport carries it (Electron preload or the browser
 * host's WebSocket).
 */
export interface MailmirrorApi {
  invoke<C extends InvokeChannel>(channel: C, request: RequestOf<C>): Promise<IpcResult<ResponseOf<C>>>;
  /** Subscribes to a push event; returns the unsubscribe function. */
  on<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void): () => void;
}
