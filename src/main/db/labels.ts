// Labels: Gmail's definitions and counts (labels.get), next to the local mirror's counts.
// Unique per (account, Gmail label id): INBOX exists in every account (DESIGN.md).
import { and, asc, eq, inArray, notInArray, sql } from 'drizzle-orm';
import type { Db } from './client';
import { guarded, inTransaction, preparedPerConnection, uniqueStrings } from './internal';
import { labelLocalCounts, labels, messageLabels, type Label } from './schema';

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

/** A label with Gmail's counts (as last read from labels.get) and the local mirror's. */
export type LabelRow = Pick<
  Label,
  'name' | 'type' | 'color' | 'textColor' | 'labelListVisibility' | 'messageListVisibility' | 'messagesTotal' | 'messagesUnread' | 'threadsTotal' | 'threadsUnread'
> & {
  /** Gmail label id (INBOX, Label_12, …). */
  id: Label['gmailId'];
  /** The local mirror: stored messages with this label, and how many of them are UNREAD. */
  localMessagesTotal: number;
  localMessagesUnread: number;
  /** When Gmail's counts were last read (labels.get, ms), null if never. */
  lastSyncedAt: number | null;
};

/** The local mirror's counts of one label (label_local_counts, kept by triggers: one row per label, no scan). */
export type LocalLabelCounts = { labelId: string; messagesTotal: number; messagesUnread: number };

/** A label's fetch progress: stored messages carrying it against Gmail's messagesTotal (null when not stored). */
export type LabelProgress = { labelId: string; fetched: number; total: number | null };

export type UpsertLabelsResult = { upserted: number; deleted: string[] };

const num = (v: number | null | undefined): number | null => (typeof v === 'number' && Number.isFinite(v) ? Math.trunc(v) : null);

const p = {
  accountId: sql.placeholder('accountId'),
  gmailId: sql.placeholder('gmailId'),
  mt: sql.placeholder('mt'),
  mu: sql.placeholder('mu'),
  tt: sql.placeholder('tt'),
  tu: sql.placeholder('tu'),
  now: sql.placeholder('now'),
};

const statements = preparedPerConnection((orm) => ({
  upsert: orm
    .insert(labels)
    .values({
      accountId: p.accountId,
      gmailId: p.gmailId,
      name: sql.placeholder('name'),
      type: sql.placeholder('type'),
      color: sql.placeholder('color'),
      textColor: sql.placeholder('textColor'),
      labelListVisibility: sql.placeholder('llv'),
      messageListVisibility: sql.placeholder('mlv'),
      messagesTotal: sql`coalesce(${p.mt}, 0)`,
      messagesUnread: sql`coalesce(${p.mu}, 0)`,
      threadsTotal: sql`coalesce(${p.tt}, 0)`,
      threadsUnread: sql`coalesce(${p.tu}, 0)`,
      // When Gmail's counts were read: a definition alone (labels.list) leaves it as it was.
      lastSyncedAt: sql`CASE WHEN ${p.mt} IS NULL THEN NULL ELSE ${p.now} END`,
    })
    .onConflictDoUpdate({
      target: [labels.accountId, labels.gmailId],
      set: {
        name: sql`excluded.name`,
        type: sql`excluded.type`,
        color: sql`excluded.color`,
        textColor: sql`excluded.text_color`,
        labelListVisibility: sql`excluded.label_list_visibility`,
        messageListVisibility: sql`excluded.message_list_visibility`,
        messagesTotal: sql`coalesce(${p.mt}, ${labels.messagesTotal})`,
        messagesUnread: sql`coalesce(${p.mu}, ${labels.messagesUnread})`,
        threadsTotal: sql`coalesce(${p.tt}, ${labels.threadsTotal})`,
        threadsUnread: sql`coalesce(${p.tu}, ${labels.threadsUnread})`,
        lastSyncedAt: sql`CASE WHEN ${p.mt} IS NULL THEN ${labels.lastSyncedAt} ELSE excluded.last_synced_at END`,
      },
    })
    .prepare(),
  setCounts: orm
    .update(labels)
    .set({
      messagesTotal: sql`coalesce(${p.mt}, ${labels.messagesTotal})`,
      messagesUnread: sql`coalesce(${p.mu}, ${labels.messagesUnread})`,
      threadsTotal: sql`coalesce(${p.tt}, ${labels.threadsTotal})`,
      threadsUnread: sql`coalesce(${p.tu}, ${labels.threadsUnread})`,
      lastSyncedAt: sql`${p.now}`,
    })
    .where(and(eq(labels.accountId, p.accountId), eq(labels.gmailId, p.gmailId)))
    .prepare(),
}));

/**
 * Inserts or updates the account's labels. With deleteMissing (the list is labels.list's full
 * answer) labels gone from Gmail are deleted, and every stored message loses the label ids that
 * are no longer in the list: DESIGN.md says not to wait for history records about them.
 */
export const upsertLabels = guarded(function upsertLabels(
  db: Db,
  accountId: number,
  list: readonly GmailLabel[],
  options: { deleteMissing: boolean },
): UpsertLabelsResult {
  const s = statements(db);
  return inTransaction(db, () => {
    const now = Date.now();
    const seen = new Set<string>();
    for (const l of list) {
      if (!l.id || seen.has(l.id)) continue;
      seen.add(l.id);
      s.upsert.run({
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
      const keep = [...seen];
      const gone = and(eq(labels.accountId, accountId), notInArray(labels.gmailId, keep));
      deleted = db.orm.select({ id: labels.gmailId }).from(labels).where(gone).all().map((r) => r.id);
      db.orm.delete(labels).where(gone).run();
      db.orm
        .delete(messageLabels)
        .where(and(eq(messageLabels.accountId, accountId), notInArray(messageLabels.labelId, keep)))
        .run();
    }
    return { upserted: seen.size, deleted };
  });
});

/** Stores Gmail's counts (from labels.get) for labels already known; unknown ids are ignored. */
export const setLabelCounts = guarded(function setLabelCounts(db: Db, accountId: number, counts: readonly LabelCounts[]): number {
  const s = statements(db);
  return inTransaction(db, () => {
    const now = Date.now();
    let changed = 0;
    for (const c of counts) {
      changed += s.setCounts.run({
        accountId,
        gmailId: c.id,
        mt: num(c.messagesTotal),
        mu: num(c.messagesUnread),
        tt: num(c.threadsTotal),
        tu: num(c.threadsUnread),
        now,
      }).changes;
    }
    return changed;
  });
});

/**
 * The read time a label's counts get when a change may have moved them (0: "stale, read these"), so that reading
 * them survives a crash between the change and the read. Not "never read" (NULL), which asks for every label.
 */
const STALE = 0;

/** Marks these labels' counts (or every label's) stale; called inside the transaction that applies the changes. */
export function markLabelCountsStale(db: Db, accountId: number, ids: readonly string[] | 'all'): void {
  if (ids !== 'all' && ids.length === 0) return;
  db.orm
    .update(labels)
    .set({ lastSyncedAt: sql`${STALE}` })
    .where(and(eq(labels.accountId, accountId), ids === 'all' ? undefined : inArray(labels.gmailId, uniqueStrings(ids))))
    .run();
}

/** The labels whose counts a change marked stale and no read has refreshed since. */
export const labelsWithStaleCounts = guarded(function labelsWithStaleCounts(db: Db, accountId: number): string[] {
  return db.orm
    .select({ id: labels.gmailId })
    .from(labels)
    .where(and(eq(labels.accountId, accountId), sql`${labels.lastSyncedAt} = ${STALE}`))
    .all()
    .map((r) => r.id)
    .sort();
});

/**
 * Whether some label's counts were never read, or last read before `before` (ms): time for a re-read of them all.
 * Labels marked stale by a change are not counted: those are read on their own (labelsWithStaleCounts).
 */
export const labelCountsOlderThan = guarded(function labelCountsOlderThan(db: Db, accountId: number, before: number): boolean {
  const row = db.orm
    .select({ n: sql<number>`count(*)` })
    .from(labels)
    .where(and(eq(labels.accountId, accountId), sql`coalesce(${labels.lastSyncedAt}, -1) <> ${STALE}`, sql`coalesce(${labels.lastSyncedAt}, 0) < ${before}`))
    .get();
  return (row?.n ?? 0) > 0;
});

/** Of these labels, those stored whose counts were never read or last read before `before` (ms). */
export const labelsWithCountsOlderThan = guarded(function labelsWithCountsOlderThan(
  db: Db,
  accountId: number,
  labelIds: readonly string[],
  before: number,
): string[] {
  const ids = uniqueStrings(labelIds);
  if (ids.length === 0) return [];
  return db.orm
    .select({ id: labels.gmailId })
    .from(labels)
    .where(and(eq(labels.accountId, accountId), inArray(labels.gmailId, ids), sql`coalesce(${labels.lastSyncedAt}, 0) < ${before}`))
    .all()
    .map((r) => r.id)
    .sort();
});

/**
 * The account's labels (system first, then by name) with Gmail's and the local mirror's counts.
 * Local counts come from label_local_counts (trigger-maintained): one row per label, no scan.
 */
export const listLabels = guarded(function listLabels(db: Db, accountId: number): LabelRow[] {
  return db.orm
    .select({
      id: labels.gmailId,
      name: labels.name,
      type: labels.type,
      color: labels.color,
      textColor: labels.textColor,
      labelListVisibility: labels.labelListVisibility,
      messageListVisibility: labels.messageListVisibility,
      messagesTotal: labels.messagesTotal,
      messagesUnread: labels.messagesUnread,
      threadsTotal: labels.threadsTotal,
      threadsUnread: labels.threadsUnread,
      localMessagesTotal: sql<number>`coalesce(${labelLocalCounts.messagesTotal}, 0)`,
      localMessagesUnread: sql<number>`coalesce(${labelLocalCounts.messagesUnread}, 0)`,
      // Raw ms, as stored (the column's mode would make it a Date).
      lastSyncedAt: sql<number | null>`${labels.lastSyncedAt}`,
    })
    .from(labels)
    .leftJoin(labelLocalCounts, and(eq(labelLocalCounts.accountId, labels.accountId), eq(labelLocalCounts.labelId, labels.gmailId)))
    .where(eq(labels.accountId, accountId))
    .orderBy(sql`${labels.type} = 'user'`, sql`${labels.name} COLLATE NOCASE`, asc(labels.gmailId))
    .all()
    .map((r) => ({ ...r, type: r.type === 'system' ? 'system' : 'user' }));
});

/** The local mirror's counts for any label ids (also ids with no label definition stored). */
export const localLabelCounts = guarded(function localLabelCounts(db: Db, accountId: number, labelIds: readonly string[]): LocalLabelCounts[] {
  const ids = uniqueStrings(labelIds);
  if (ids.length === 0) return [];
  const stored = new Map(
    db.orm
      .select({ labelId: labelLocalCounts.labelId, messagesTotal: labelLocalCounts.messagesTotal, messagesUnread: labelLocalCounts.messagesUnread })
      .from(labelLocalCounts)
      .where(and(eq(labelLocalCounts.accountId, accountId), inArray(labelLocalCounts.labelId, ids)))
      .all()
      .map((r) => [r.labelId, r]),
  );
  return ids.map((labelId) => stored.get(labelId) ?? { labelId, messagesTotal: 0, messagesUnread: 0 });
});

/**
 * Per label: stored messages carrying it (the local count above) and Gmail's messagesTotal for it (null when the
 * label is not stored). Stubs get their labels only with their details, so during a sync this is what is fetched.
 */
export const labelProgress = guarded(function labelProgress(db: Db, accountId: number, labelIds: readonly string[]): LabelProgress[] {
  const local = localLabelCounts(db, accountId, labelIds);
  if (local.length === 0) return [];
  const totals = new Map(
    db.orm
      .select({ id: labels.gmailId, total: labels.messagesTotal })
      .from(labels)
      .where(and(eq(labels.accountId, accountId), inArray(labels.gmailId, local.map((l) => l.labelId))))
      .all()
      .map((r) => [r.id, r.total]),
  );
  return local.map((l) => ({ labelId: l.labelId, fetched: l.messagesTotal, total: totals.get(l.labelId) ?? null }));
});
