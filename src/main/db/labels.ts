// Labels: Gmail's definitions and counts (labels.get), next to the local mirror's counts.
// Unique per (account, Gmail label id): INBOX exists in every account (DESIGN.md).
import type { Db } from './client';
import { guarded, inTransaction, stmt, uniqueStrings } from './internal';

/**
 * A label as Gmail describes it (users.labels resource,
 * https://developers.google.com/workspace/gmail/api/reference/rest/v1/users.labels).
 * labels.list returns no counts; labels.get does, so counts are optional here.
 */
export type GmailLabel = {
  id: string;
  name: string;
  type?: string | null;
  /** Gmail's color object, or its backgroundColor already picked out (then textColor beside it). */
  color?: { backgroundColor?: string | null; textColor?: string | null } | string | null;
  textColor?: string | null;
  labelListVisibility?: string | null;
  messageListVisibility?: string | null;
  messagesTotal?: number | null;
  messagesUnread?: number | null;
  threadsTotal?: number | null;
  threadsUnread?: number | null;
};

/** Counts from labels.get; a missing count keeps the stored one. */
export type LabelCounts = {
  id: string;
  messagesTotal?: number | null;
  messagesUnread?: number | null;
  threadsTotal?: number | null;
  threadsUnread?: number | null;
};

export type LabelRow = {
  /** Gmail label id (INBOX, Label_12, …). */
  id: string;
  name: string;
  type: 'system' | 'user';
  color: string | null;
  textColor: string | null;
  labelListVisibility: string | null;
  messageListVisibility: string | null;
  /** Gmail's counts, as last read from labels.get. */
  messagesTotal: number;
  messagesUnread: number;
  threadsTotal: number;
  threadsUnread: number;
  /** The local mirror: stored messages with this label, and how many of them are UNREAD. */
  localMessagesTotal: number;
  localMessagesUnread: number;
  /** When Gmail's definition or counts were last written (ms), null if never. */
  lastSyncedAt: number | null;
};

export type UpsertLabelsResult = { upserted: number; deleted: string[] };

const num = (v: number | null | undefined): number | null => (typeof v === 'number' && Number.isFinite(v) ? Math.trunc(v) : null);

const UPSERT = `
  INSERT INTO labels (account_id, gmail_id, name, type, color, text_color, label_list_visibility,
    message_list_visibility, messages_total, messages_unread, threads_total, threads_unread, last_synced_at)
  VALUES (@accountId, @gmailId, @name, @type, @color, @textColor, @llv, @mlv,
    coalesce(@mt, 0), coalesce(@mu, 0), coalesce(@tt, 0), coalesce(@tu, 0), @now)
  ON CONFLICT (account_id, gmail_id) DO UPDATE SET
    name = excluded.name, type = excluded.type, color = excluded.color, text_color = excluded.text_color,
    label_list_visibility = excluded.label_list_visibility,
    message_list_visibility = excluded.message_list_visibility,
    messages_total = coalesce(@mt, messages_total), messages_unread = coalesce(@mu, messages_unread),
    threads_total = coalesce(@tt, threads_total), threads_unread = coalesce(@tu, threads_unread),
    last_synced_at = excluded.last_synced_at`;

/**
 * Inserts or updates the account's labels. With deleteMissing (the list is labels.list's full
 * answer) labels gone from Gmail are deleted, and every stored message loses the label ids that
 * are no longer in the list: DESIGN.md says not to wait for history records about them.
 */
export const upsertLabels = guarded(function upsertLabels(
  db: Db,
  accountId: number,
  labels: readonly GmailLabel[],
  options: { deleteMissing: boolean },
): UpsertLabelsResult {
  return inTransaction(db, () => {
    const now = Date.now();
    const upsert = stmt(db, UPSERT);
    const seen = new Set<string>();
    for (const l of labels) {
      if (!l.id || seen.has(l.id)) continue;
      seen.add(l.id);
      upsert.run({
        accountId,
        gmailId: l.id,
        name: l.name ?? l.id,
        type: l.type === 'system' ? 'system' : 'user',
        color: typeof l.color === 'string' ? l.color : (l.color?.backgroundColor ?? null),
        textColor: typeof l.color === 'string' || !l.color ? (l.textColor ?? null) : (l.color.textColor ?? l.textColor ?? null),
        llv: l.labelListVisibility ?? null,
        mlv: l.messageListVisibility ?? null,
        mt: num(l.messagesTotal),
        mu: num(l.messagesUnread),
        tt: num(l.threadsTotal),
        tu: num(l.threadsUnread),
        now,
      });
    }
    let deleted: string[] = [];
    if (options.deleteMissing) {
      const keep = JSON.stringify([...seen]);
      deleted = (
        stmt(db, 'SELECT gmail_id AS id FROM labels WHERE account_id = ? AND gmail_id NOT IN (SELECT value FROM json_each(?))').all(
          accountId,
          keep,
        ) as Array<{ id: string }>
      ).map((r) => r.id);
      stmt(db, 'DELETE FROM labels WHERE account_id = ? AND gmail_id NOT IN (SELECT value FROM json_each(?))').run(accountId, keep);
      stmt(db, 'DELETE FROM message_labels WHERE account_id = ? AND label_id NOT IN (SELECT value FROM json_each(?))').run(accountId, keep);
    }
    return { upserted: seen.size, deleted };
  });
});

/** Stores Gmail's counts (from labels.get) for labels already known; unknown ids are ignored. */
export const setLabelCounts = guarded(function setLabelCounts(db: Db, accountId: number, counts: readonly LabelCounts[]): number {
  return inTransaction(db, () => {
    const update = stmt(
      db,
      `UPDATE labels SET messages_total = coalesce(?, messages_total), messages_unread = coalesce(?, messages_unread),
         threads_total = coalesce(?, threads_total), threads_unread = coalesce(?, threads_unread), last_synced_at = ?
       WHERE account_id = ? AND gmail_id = ?`,
    );
    const now = Date.now();
    let changed = 0;
    for (const c of counts) {
      changed += update.run(
        num(c.messagesTotal),
        num(c.messagesUnread),
        num(c.threadsTotal),
        num(c.threadsUnread),
        now,
        accountId,
        c.id,
      ).changes;
    }
    return changed;
  });
});

type LabelDbRow = {
  id: string;
  name: string;
  type: string;
  color: string | null;
  textColor: string | null;
  labelListVisibility: string | null;
  messageListVisibility: string | null;
  messagesTotal: number;
  messagesUnread: number;
  threadsTotal: number;
  threadsUnread: number;
  localMessagesTotal: number;
  localMessagesUnread: number;
  lastSyncedAt: number | null;
};

/**
 * The account's labels (system first, then by name) with Gmail's and the local mirror's counts.
 * Local counts come from label_local_counts (trigger-maintained): one row per label, no scan.
 */
export const listLabels = guarded(function listLabels(db: Db, accountId: number): LabelRow[] {
  const rows = stmt<unknown[], LabelDbRow>(
    db,
    `SELECT l.gmail_id AS id, l.name, l.type, l.color, l.text_color AS textColor,
       l.label_list_visibility AS labelListVisibility, l.message_list_visibility AS messageListVisibility,
       l.messages_total AS messagesTotal, l.messages_unread AS messagesUnread,
       l.threads_total AS threadsTotal, l.threads_unread AS threadsUnread,
       coalesce(c.messages_total, 0) AS localMessagesTotal, coalesce(c.messages_unread, 0) AS localMessagesUnread,
       l.last_synced_at AS lastSyncedAt
     FROM labels l
     LEFT JOIN label_local_counts c ON c.account_id = l.account_id AND c.label_id = l.gmail_id
     WHERE l.account_id = ?
     ORDER BY l.type = 'user', l.name COLLATE NOCASE, l.gmail_id`,
  ).all(accountId);
  return rows.map((r) => ({ ...r, type: r.type === 'system' ? 'system' : 'user' }));
});

/** The local mirror's counts for any label ids (also ids with no label definition stored). */
export const localLabelCounts = guarded(function localLabelCounts(
  db: Db,
  accountId: number,
  labelIds: readonly string[],
): Array<{ labelId: string; messagesTotal: number; messagesUnread: number }> {
  const q = stmt<unknown[], { messagesTotal: number; messagesUnread: number }>(
    db,
    'SELECT messages_total AS messagesTotal, messages_unread AS messagesUnread FROM label_local_counts WHERE account_id = ? AND label_id = ?',
  );
  return uniqueStrings(labelIds).map((labelId) => {
    const r = q.get(accountId, labelId);
    return { labelId, messagesTotal: r?.messagesTotal ?? 0, messagesUnread: r?.messagesUnread ?? 0 };
  });
});
