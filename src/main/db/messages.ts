// Messages: stubs from messages.list, details from messages.get/threads.get, history deltas,
// listing, search and the CLI export. Hot paths use cached raw prepared statements and every
// multi-row write is one transaction (STACK.md).
import type { Db } from './client';
import { InvalidCursorError } from './errors';
import { guarded, historyIdToBigInt, inTransaction, stmt, uniqueStrings } from './internal';

/** Attachment metadata; the data is fetched on demand with messages.attachments.get. */
export type ParsedAttachment = {
  gmailAttachmentId: string | null;
  partId: string | null;
  filename: string | null;
  mimeType: string | null;
  size: number | null;
  contentId: string | null;
};

/** A Gmail message as the parser (src/main/sync/parse-message.ts) hands it to the store. */
export type ParsedMessage = {
  gmailId: string;
  threadId: string;
  labelIds: string[];
  /** Decimal string; compare as BigInt. */
  historyId: string | null;
  /** ms since epoch (Gmail's internalDate). */
  internalDate: number | null;
  sizeEstimate: number | null;
  snippet: string | null;
  subject: string | null;
  from: string | null;
  to: string | null;
  cc: string | null;
  date: string | null;
  messageIdHeader: string | null;
  references: string | null;
  /** Plain text; for HTML-only messages a text rendition, so search finds them. */
  textBody: string | null;
  htmlBody: string | null;
  attachments: ParsedAttachment[];
  /** Why parsing failed (the rest is what could be read), null when it did not. */
  parseError: string | null;
};

export type MessageStub = {
  gmailId: string;
  threadId: string;
  /** Lower runs first: 0 incremental, 1 INBOX, 2 the rest. */
  priority: number;
  /** Position in the listing (newest first): the fetch order within a priority. */
  listSeq: number;
};

/**
 * One change from history.list, in order
 * (https://developers.google.com/workspace/gmail/api/reference/rest/v1/users.history/list).
 * `historyId` is the id of the history record the change belongs to.
 */
export type HistoryOp =
  | { kind: 'added'; gmailId: string; threadId: string; labelIds: string[]; historyId: string }
  | { kind: 'deleted'; gmailId: string; historyId?: string }
  | { kind: 'labelsAdded' | 'labelsRemoved'; gmailId: string; threadId: string; labelIds: string[]; historyId: string };

export type SaveDetailsResult = { written: number; skipped: number };
export type Progress = { total: number; fetched: number; pending: number };
export type LabelProgress = { labelId: string; fetched: number; total: number | null };

export type MessageListRow = {
  /** Local row id. */
  id: number;
  gmailId: string;
  threadId: string;
  from: string | null;
  subject: string | null;
  snippet: string | null;
  internalDate: number | null;
  /** Has the UNREAD label. */
  unread: boolean;
  /** Sorted. */
  labelIds: string[];
  hasAttachments: boolean;
};

export type MessageListPage = {
  items: MessageListRow[];
  /** Pass back as `cursor` for the next (older) page; null when this page is the last. */
  nextCursor: string | null;
};

export type AttachmentRow = ParsedAttachment & { id: number };

export type MessageDetail = MessageListRow & {
  historyId: string | null;
  sizeEstimate: number | null;
  to: string | null;
  cc: string | null;
  date: string | null;
  messageIdHeader: string | null;
  references: string | null;
  textBody: string | null;
  htmlBody: string | null;
  detailsFetched: boolean;
  parseError: string | null;
  attachments: AttachmentRow[];
};

/** The CLI's `export --format json` document (issue 3). */
export type MirrorExport = {
  account: string;
  historyId: string | null;
  labels: Array<{
    id: string;
    name: string;
    type: string;
    messagesTotal: number;
    messagesUnread: number;
    threadsTotal: number;
    threadsUnread: number;
  }>;
  messages: Array<{ id: string; threadId: string; labelIds: string[]; internalDate: string; subject: string }>;
};

// ---------------------------------------------------------------------------------------------
// Stubs and progress

/**
 * Upserts listing stubs. An existing row keeps its details and only gets the more urgent
 * (smaller) priority. Returns how many rows were new.
 */
export const insertStubs = guarded(function insertStubs(db: Db, accountId: number, stubs: readonly MessageStub[]): number {
  return inTransaction(db, () => {
    const insert = stmt(
      db,
      `INSERT INTO messages (account_id, gmail_id, thread_id, fetch_priority, list_seq) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (account_id, gmail_id) DO NOTHING`,
    );
    const lower = stmt(
      db,
      'UPDATE messages SET fetch_priority = ? WHERE account_id = ? AND gmail_id = ? AND fetch_priority > ?',
    );
    let added = 0;
    for (const s of stubs) {
      const priority = Math.trunc(s.priority);
      if (insert.run(accountId, s.gmailId, s.threadId, priority, Math.trunc(s.listSeq)).changes > 0) added++;
      else lower.run(priority, accountId, s.gmailId, priority);
    }
    return added;
  });
});

/** Stubs still to fetch, most urgent first (priority, then listing order = newest first). */
export const nextPendingStubs = guarded(function nextPendingStubs(
  db: Db,
  accountId: number,
  limit: number,
  excludeIds?: ReadonlySet<string>,
): Array<{ gmailId: string; threadId: string }> {
  const out: Array<{ gmailId: string; threadId: string }> = [];
  if (limit <= 0) return out;
  const q = stmt<unknown[], { gmailId: string; threadId: string }>(
    db,
    `SELECT gmail_id AS gmailId, thread_id AS threadId FROM messages
     WHERE account_id = ? AND details_fetched = 0 ORDER BY fetch_priority, list_seq, id`,
  );
  // Streams the index and stops early, so a large exclude set (work in flight) costs no sort.
  for (const row of q.iterate(accountId)) {
    if (excludeIds?.has(row.gmailId)) continue;
    out.push(row);
    if (out.length >= limit) break;
  }
  return out;
});

export const countProgress = guarded(function countProgress(db: Db, accountId: number): Progress {
  const r = stmt<unknown[], { total: number; fetched: number | null }>(
    db,
    'SELECT count(*) AS total, sum(details_fetched) AS fetched FROM messages WHERE account_id = ?',
  ).get(accountId);
  const total = r?.total ?? 0;
  const fetched = r?.fetched ?? 0;
  return { total, fetched, pending: total - fetched };
});

/**
 * Per label: fetched messages carrying it (a stub's labels are unknown) and Gmail's
 * messagesTotal for it (null when the label is not stored).
 */
export const labelProgress = guarded(function labelProgress(db: Db, accountId: number, labelIds: readonly string[]): LabelProgress[] {
  const fetchedQ = stmt<unknown[], { n: number }>(
    db,
    `SELECT count(*) AS n FROM message_labels ml JOIN messages m ON m.id = ml.message_id
     WHERE ml.account_id = ? AND ml.label_id = ? AND m.details_fetched = 1`,
  );
  const totalQ = stmt<unknown[], { n: number }>(db, 'SELECT messages_total AS n FROM labels WHERE account_id = ? AND gmail_id = ?');
  return uniqueStrings(labelIds).map((labelId) => ({
    labelId,
    fetched: fetchedQ.get(accountId, labelId)?.n ?? 0,
    total: totalQ.get(accountId, labelId)?.n ?? null,
  }));
});

// ---------------------------------------------------------------------------------------------
// Details

const DETAIL_UPDATE = `
  UPDATE messages SET thread_id = @threadId, internal_date = @internalDate, history_id = @historyId,
    size_estimate = @sizeEstimate, snippet = @snippet, subject = @subject, from_addr = @from, to_addr = @to,
    cc_addr = @cc, date_header = @date, message_id_header = @messageIdHeader, references_header = @references,
    text_body = @textBody, html_body = @htmlBody, details_fetched = 1, parse_error = @parseError,
    labels_history_id = coalesce(@labelsHistoryId, labels_history_id), updated_at = @now
  WHERE id = @id`;

const DETAIL_INSERT = `
  INSERT INTO messages (account_id, gmail_id, thread_id, internal_date, history_id, size_estimate, snippet,
    subject, from_addr, to_addr, cc_addr, date_header, message_id_header, references_header, text_body,
    html_body, details_fetched, fetch_priority, list_seq, labels_history_id, parse_error, updated_at)
  VALUES (@accountId, @gmailId, @threadId, @internalDate, @historyId, @sizeEstimate, @snippet, @subject, @from,
    @to, @cc, @date, @messageIdHeader, @references, @textBody, @htmlBody, 1, 2, 0, @labelsHistoryId,
    @parseError, @now)`;

function detailParams(item: ParsedMessage, now: number) {
  const internalDate = typeof item.internalDate === 'number' && Number.isFinite(item.internalDate) ? Math.trunc(item.internalDate) : 0;
  const size = typeof item.sizeEstimate === 'number' && Number.isFinite(item.sizeEstimate) ? Math.trunc(item.sizeEstimate) : null;
  return {
    threadId: item.threadId,
    // A fetched message is always listed; Gmail always sends internalDate, 0 only guards bad input.
    internalDate,
    historyId: item.historyId ?? null,
    sizeEstimate: size,
    snippet: item.snippet ?? null,
    subject: item.subject ?? null,
    from: item.from ?? null,
    to: item.to ?? null,
    cc: item.cc ?? null,
    date: item.date ?? null,
    messageIdHeader: item.messageIdHeader ?? null,
    references: item.references ?? null,
    textBody: item.textBody ?? null,
    htmlBody: item.htmlBody ?? null,
    parseError: item.parseError ?? null,
    now,
  };
}

/** Makes the message's label rows exactly `labelIds` (a diff, so unchanged rows are not rewritten). */
function replaceLabels(db: Db, accountId: number, messageId: number, labelIds: readonly string[]): void {
  const current = (
    stmt(db, 'SELECT label_id AS labelId FROM message_labels WHERE message_id = ?').all(messageId) as Array<{ labelId: string }>
  ).map((r) => r.labelId);
  const wanted = new Set(uniqueStrings(labelIds));
  const del = stmt(db, 'DELETE FROM message_labels WHERE message_id = ? AND label_id = ?');
  for (const l of current) if (!wanted.has(l)) del.run(messageId, l);
  const have = new Set(current);
  const add = addLabelStmt(db);
  for (const l of wanted) if (!have.has(l)) add.run(messageId, accountId, l, messageId);
}

function addLabelStmt(db: Db) {
  return stmt(
    db,
    `INSERT INTO message_labels (message_id, account_id, label_id, internal_date)
     VALUES (?, ?, ?, (SELECT internal_date FROM messages WHERE id = ?)) ON CONFLICT DO NOTHING`,
  );
}

function replaceAttachments(db: Db, messageId: number, attachments: readonly ParsedAttachment[]): void {
  stmt(db, 'DELETE FROM attachments WHERE message_id = ?').run(messageId);
  const ins = stmt(
    db,
    `INSERT INTO attachments (message_id, gmail_attachment_id, part_id, filename, mime_type, size, content_id)
     VALUES (?, ?, ?, ?, ?, ?, ?)`,
  );
  for (const a of attachments) {
    const size = typeof a.size === 'number' && Number.isFinite(a.size) ? Math.trunc(a.size) : null;
    ins.run(messageId, a.gmailAttachmentId ?? null, a.partId ?? null, a.filename ?? null, a.mimeType ?? null, size, a.contentId ?? null);
  }
}

/**
 * Writes fetched details in one transaction. Labels are replaced by the fetched set unless the
 * stored labels_history_id is newer than the message's historyId: then a concurrent incremental
 * pass already applied later label changes, and the fetched set is stale. Rows that do not exist
 * (deleted meanwhile) are inserted only with insertMissing.
 */
export const saveMessageDetails = guarded(function saveMessageDetails(
  db: Db,
  accountId: number,
  items: readonly ParsedMessage[],
  options: { insertMissing: boolean },
): SaveDetailsResult {
  return inTransaction(db, () => {
    const find = stmt<unknown[], { id: number; labelsHistoryId: string | null }>(
      db,
      'SELECT id, labels_history_id AS labelsHistoryId FROM messages WHERE account_id = ? AND gmail_id = ?',
    );
    const update = stmt(db, DETAIL_UPDATE);
    const insert = stmt(db, DETAIL_INSERT);
    const now = Date.now();
    let written = 0;
    let skipped = 0;
    for (const item of items) {
      if (!item.gmailId) {
        skipped++;
        continue;
      }
      const existing = find.get(accountId, item.gmailId);
      const params = detailParams(item, now);
      const fetchedHistory = historyIdToBigInt(item.historyId);
      let messageId: number;
      let takeLabels: boolean;
      if (existing) {
        const storedHistory = historyIdToBigInt(existing.labelsHistoryId);
        // Without a comparable fetched historyId the stored (history-applied) labels win.
        takeLabels = storedHistory === null || (fetchedHistory !== null && storedHistory <= fetchedHistory);
        messageId = existing.id;
        update.run({ ...params, id: messageId, labelsHistoryId: takeLabels ? (item.historyId ?? null) : null });
      } else if (options.insertMissing) {
        takeLabels = true;
        messageId = Number(
          insert.run({ ...params, accountId, gmailId: item.gmailId, labelsHistoryId: fetchedHistory === null ? null : item.historyId })
            .lastInsertRowid,
        );
      } else {
        skipped++;
        continue;
      }
      if (takeLabels) replaceLabels(db, accountId, messageId, Array.isArray(item.labelIds) ? item.labelIds : []);
      replaceAttachments(db, messageId, Array.isArray(item.attachments) ? item.attachments : []);
      written++;
    }
    return { written, skipped };
  });
});

/** Deletes messages (and their labels, attachments, index entries). Returns how many existed. */
export const deleteMessagesByGmailId = guarded(function deleteMessagesByGmailId(db: Db, accountId: number, ids: readonly string[]): number {
  return inTransaction(db, () => {
    const del = stmt(db, 'DELETE FROM messages WHERE account_id = ? AND gmail_id = ?');
    let n = 0;
    for (const id of ids) n += del.run(accountId, id).changes;
    return n;
  });
});

// ---------------------------------------------------------------------------------------------
// History

/**
 * Applies one incremental pass in one transaction, together with the new historyId
 * (DESIGN.md "Incremental sync"). Ops run in order. A label op older than the labels already
 * stored for that message (labels_history_id, set from a fetch or an earlier op) is skipped, so
 * replaying a pass changes nothing. Returns the gmail ids touched that still need fetching.
 * The account's history_id never moves backwards.
 */
export const applyHistory = guarded(function applyHistory(
  db: Db,
  accountId: number,
  ops: readonly HistoryOp[],
  newHistoryId: string,
): string[] {
  return inTransaction(db, () => {
    const find = stmt<unknown[], { id: number; labelsHistoryId: string | null }>(
      db,
      'SELECT id, labels_history_id AS labelsHistoryId FROM messages WHERE account_id = ? AND gmail_id = ?',
    );
    const insertStub = stmt(
      db,
      `INSERT INTO messages (account_id, gmail_id, thread_id, fetch_priority, list_seq, labels_history_id)
       VALUES (?, ?, ?, 0, 0, ?)`,
    );
    const urgent = stmt(db, 'UPDATE messages SET fetch_priority = 0 WHERE id = ? AND details_fetched = 0 AND fetch_priority > 0');
    const setLabelsHistory = stmt(db, 'UPDATE messages SET labels_history_id = ? WHERE id = ?');
    const del = stmt(db, 'DELETE FROM messages WHERE account_id = ? AND gmail_id = ?');
    const addLabel = addLabelStmt(db);
    const removeLabel = stmt(db, 'DELETE FROM message_labels WHERE message_id = ? AND label_id = ?');
    const touched: string[] = [];
    const touchedSet = new Set<string>();
    const touch = (id: string) => {
      if (!touchedSet.has(id)) {
        touchedSet.add(id);
        touched.push(id);
      }
    };

    for (const op of ops) {
      if (op.kind === 'deleted') {
        del.run(accountId, op.gmailId);
        continue;
      }
      touch(op.gmailId);
      const existing = find.get(accountId, op.gmailId);
      if (op.kind === 'added') {
        if (existing) {
          urgent.run(existing.id);
          continue;
        }
        const id = Number(insertStub.run(accountId, op.gmailId, op.threadId, op.historyId ?? null).lastInsertRowid);
        for (const l of uniqueStrings(op.labelIds)) addLabel.run(id, accountId, l, id);
        continue;
      }
      const opHistory = historyIdToBigInt(op.historyId);
      let messageId: number;
      if (existing) {
        const stored = historyIdToBigInt(existing.labelsHistoryId);
        if (stored !== null && opHistory !== null && opHistory < stored) continue;
        messageId = existing.id;
        urgent.run(messageId);
        if (opHistory !== null) setLabelsHistory.run(op.historyId, messageId);
      } else {
        // Not stored: a stub so it gets fetched; the fetch brings its full label set. The delta is
        // still recorded so that replaying this pass gives the same rows.
        messageId = Number(insertStub.run(accountId, op.gmailId, op.threadId, opHistory === null ? null : op.historyId).lastInsertRowid);
      }
      for (const l of uniqueStrings(op.labelIds)) {
        if (op.kind === 'labelsAdded') addLabel.run(messageId, accountId, l, messageId);
        else removeLabel.run(messageId, l);
      }
    }

    const account = stmt<unknown[], { historyId: string | null }>(db, 'SELECT history_id AS historyId FROM accounts WHERE id = ?').get(
      accountId,
    );
    const current = historyIdToBigInt(account?.historyId);
    const next = historyIdToBigInt(newHistoryId);
    const historyId = current !== null && next !== null && next < current ? account?.historyId : newHistoryId;
    stmt(db, 'UPDATE accounts SET history_id = ?, last_incremental_sync_at = ? WHERE id = ?').run(historyId, Date.now(), accountId);

    const pending = stmt<unknown[], { n: number }>(
      db,
      'SELECT details_fetched AS n FROM messages WHERE account_id = ? AND gmail_id = ?',
    );
    return touched.filter((id) => pending.get(accountId, id)?.n === 0);
  });
});

// ---------------------------------------------------------------------------------------------
// Reading

type ListDbRow = {
  id: number;
  gmailId: string;
  threadId: string;
  from: string | null;
  subject: string | null;
  snippet: string | null;
  internalDate: number | null;
  unread: number;
  labelIds: string | null;
  hasAttachments: number;
};

const LIST_COLUMNS = `m.id AS id, m.gmail_id AS gmailId, m.thread_id AS threadId, m.from_addr AS "from",
  m.subject AS subject, m.snippet AS snippet, m.internal_date AS internalDate,
  EXISTS (SELECT 1 FROM message_labels u WHERE u.message_id = m.id AND u.label_id = 'UNREAD') AS unread,
  (SELECT json_group_array(l.label_id) FROM message_labels l WHERE l.message_id = m.id) AS labelIds,
  EXISTS (SELECT 1 FROM attachments a WHERE a.message_id = m.id) AS hasAttachments`;

function toListRow(r: ListDbRow): MessageListRow {
  let labelIds: string[] = [];
  if (r.labelIds) {
    labelIds = (JSON.parse(r.labelIds) as string[]).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  }
  return {
    id: r.id,
    gmailId: r.gmailId,
    threadId: r.threadId,
    from: r.from,
    subject: r.subject,
    snippet: r.snippet,
    internalDate: r.internalDate,
    unread: r.unread === 1,
    labelIds,
    hasAttachments: r.hasAttachments === 1,
  };
}

function encodeCursor(internalDate: number, id: number): string {
  return Buffer.from(JSON.stringify([internalDate, id]), 'utf8').toString('base64url');
}

function decodeCursor(cursor: string): [number, number] {
  try {
    const v: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(v) && v.length === 2 && Number.isSafeInteger(v[0]) && Number.isSafeInteger(v[1])) {
      return [v[0] as number, v[1] as number];
    }
  } catch {
    // fall through
  }
  throw new InvalidCursorError();
}

/**
 * Fetched messages newest first (internal_date desc, id desc), optionally of one label, with
 * keyset pagination: each page is an index range read, so page 1,000 costs what page 1 does,
 * and rows arriving meanwhile never shift or repeat a page. Stubs are not listed.
 */
export const listMessages = guarded(function listMessages(
  db: Db,
  accountId: number,
  options: { labelId?: string | null; cursor?: string | null; limit: number },
): MessageListPage {
  const limit = Math.max(1, Math.min(500, Math.trunc(options.limit) || 50));
  const after = options.cursor ? decodeCursor(options.cursor) : null;
  let rows: ListDbRow[];
  if (options.labelId) {
    const base = `SELECT ${LIST_COLUMNS} FROM message_labels ml JOIN messages m ON m.id = ml.message_id
      WHERE ml.account_id = ? AND ml.label_id = ? AND ml.internal_date IS NOT NULL`;
    const order = 'ORDER BY ml.internal_date DESC, ml.message_id DESC LIMIT ?';
    rows = after
      ? stmt<unknown[], ListDbRow>(db, `${base} AND (ml.internal_date, ml.message_id) < (?, ?) ${order}`).all(
          accountId,
          options.labelId,
          after[0],
          after[1],
          limit + 1,
        )
      : stmt<unknown[], ListDbRow>(db, `${base} ${order}`).all(accountId, options.labelId, limit + 1);
  } else {
    const base = `SELECT ${LIST_COLUMNS} FROM messages m WHERE m.account_id = ? AND m.internal_date IS NOT NULL`;
    const order = 'ORDER BY m.internal_date DESC, m.id DESC LIMIT ?';
    rows = after
      ? stmt<unknown[], ListDbRow>(db, `${base} AND (m.internal_date, m.id) < (?, ?) ${order}`).all(accountId, after[0], after[1], limit + 1)
      : stmt<unknown[], ListDbRow>(db, `${base} ${order}`).all(accountId, limit + 1);
  }
  const more = rows.length > limit;
  const items = (more ? rows.slice(0, limit) : rows).map(toListRow);
  const last = items[items.length - 1];
  return { items, nextCursor: more && last ? encodeCursor(last.internalDate ?? 0, last.id) : null };
});

type DetailDbRow = ListDbRow & {
  historyId: string | null;
  sizeEstimate: number | null;
  to: string | null;
  cc: string | null;
  date: string | null;
  messageIdHeader: string | null;
  references: string | null;
  textBody: string | null;
  htmlBody: string | null;
  detailsFetched: number;
  parseError: string | null;
};

/** One message with its labels and attachment metadata; null when not stored. */
export const getMessage = guarded(function getMessage(db: Db, accountId: number, gmailId: string): MessageDetail | null {
  const r = stmt<unknown[], DetailDbRow>(
    db,
    `SELECT ${LIST_COLUMNS}, m.history_id AS historyId, m.size_estimate AS sizeEstimate, m.to_addr AS "to",
       m.cc_addr AS cc, m.date_header AS date, m.message_id_header AS messageIdHeader,
       m.references_header AS "references", m.text_body AS textBody, m.html_body AS htmlBody,
       m.details_fetched AS detailsFetched, m.parse_error AS parseError
     FROM messages m WHERE m.account_id = ? AND m.gmail_id = ?`,
  ).get(accountId, gmailId);
  if (!r) return null;
  const attachments = stmt<unknown[], AttachmentRow>(
    db,
    `SELECT id, gmail_attachment_id AS gmailAttachmentId, part_id AS partId, filename, mime_type AS mimeType, size,
       content_id AS contentId
     FROM attachments WHERE message_id = ? ORDER BY id`,
  ).all(r.id);
  return {
    ...toListRow(r),
    historyId: r.historyId,
    sizeEstimate: r.sizeEstimate,
    to: r.to,
    cc: r.cc,
    date: r.date,
    messageIdHeader: r.messageIdHeader,
    references: r.references,
    textBody: r.textBody,
    htmlBody: r.htmlBody,
    detailsFetched: r.detailsFetched === 1,
    parseError: r.parseError,
    attachments,
  };
});

const MAX_SEARCH_TERMS = 32;
const TOKEN_CHAR = /[\p{L}\p{N}]/u;
// FTS5 reads a query string up to its first NUL, so a NUL inside a quoted term leaves it
// "unterminated"; no control character is searchable text (the tokenizer splits on them), so all
// of them separate terms like spaces do.
const CONTROL_CHARS = /\p{Cc}/gu;

/**
 * Turns what a user typed into an FTS5 query that cannot be a syntax error: every term is a
 * quoted string (quotes doubled), so operators, `*`, `NEAR(`, column filters and stray quotes
 * are plain text, and control characters (NUL included) are spaces; terms are ANDed and the last
 * one is a prefix (search-as-you-type). Returns null when nothing searchable is left.
 * https://sqlite.org/fts5.html#full_text_query_syntax
 */
export function toFtsQuery(input: string): string | null {
  const terms = input
    .replace(CONTROL_CHARS, ' ')
    .split(/\s+/u)
    .filter((t) => TOKEN_CHAR.test(t))
    .slice(0, MAX_SEARCH_TERMS);
  if (terms.length === 0) return null;
  return terms.map((t, i) => `"${t.replaceAll('"', '""')}"${i === terms.length - 1 ? '*' : ''}`).join(' ');
}

/**
 * Full-text search over subject, from, to and body text, best match first (bm25, subject
 * weighted most), then newest.
 */
export const search = guarded(function search(db: Db, accountId: number, query: string, limit: number): MessageListRow[] {
  const match = toFtsQuery(query);
  if (match === null) return [];
  const n = Math.max(1, Math.min(500, Math.trunc(limit) || 50));
  return stmt<unknown[], ListDbRow>(
    db,
    `SELECT ${LIST_COLUMNS} FROM messages_fts JOIN messages m ON m.id = messages_fts.rowid
     WHERE messages_fts MATCH ? AND m.account_id = ?
     ORDER BY bm25(messages_fts, 10.0, 4.0, 2.0, 1.0), m.internal_date DESC, m.id DESC LIMIT ?`,
  )
    .all(match, accountId, n)
    .map(toListRow);
});

const byString = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * The mirror as the CLI exports it: every label (Gmail's counts) and every stored message row
 * (stubs too, with '' for what they lack), sorted by id with a plain code-unit comparison.
 * Null when the account does not exist.
 */
export const exportMirror = guarded(function exportMirror(db: Db, accountId: number): MirrorExport | null {
  return inTransaction(db, () => {
    const account = stmt<unknown[], { email: string; historyId: string | null }>(
      db,
      'SELECT email, history_id AS historyId FROM accounts WHERE id = ?',
    ).get(accountId);
    if (!account) return null;
    const labels = stmt<unknown[], MirrorExport['labels'][number]>(
      db,
      `SELECT gmail_id AS id, name, type, messages_total AS messagesTotal, messages_unread AS messagesUnread,
         threads_total AS threadsTotal, threads_unread AS threadsUnread
       FROM labels WHERE account_id = ?`,
    )
      .all(accountId)
      .sort((a, b) => byString(a.id, b.id));
    const labelsByMessage = new Map<number, string[]>();
    for (const r of stmt<unknown[], { messageId: number; labelId: string }>(
      db,
      'SELECT message_id AS messageId, label_id AS labelId FROM message_labels WHERE account_id = ?',
    ).iterate(accountId)) {
      const list = labelsByMessage.get(r.messageId);
      if (list) list.push(r.labelId);
      else labelsByMessage.set(r.messageId, [r.labelId]);
    }
    const messages: MirrorExport['messages'] = [];
    for (const r of stmt<unknown[], { rowId: number; id: string; threadId: string; internalDate: number | null; subject: string | null }>(
      db,
      `SELECT id AS rowId, gmail_id AS id, thread_id AS threadId, internal_date AS internalDate, subject
       FROM messages WHERE account_id = ?`,
    ).iterate(accountId)) {
      messages.push({
        id: r.id,
        threadId: r.threadId,
        labelIds: (labelsByMessage.get(r.rowId) ?? []).sort(byString),
        internalDate: r.internalDate === null ? '' : String(r.internalDate),
        subject: r.subject ?? '',
      });
    }
    messages.sort((a, b) => byString(a.id, b.id));
    return { account: account.email, historyId: account.historyId, labels, messages };
  });
});
