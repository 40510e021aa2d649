// Which stored message carries which Gmail label (message_labels). Triggers keep label_local_counts and each row's
// copy of the message's date in step (migration label_counts), so this file only adds and removes rows.
import { and, eq, sql } from 'drizzle-orm';
import type { Db } from './client';
import { guarded, inTransaction, preparedPerConnection, uniqueStrings } from './internal';
import { messageLabels, messages } from './schema';

const p = {
  messageId: sql.placeholder('messageId'),
  accountId: sql.placeholder('accountId'),
  labelId: sql.placeholder('labelId'),
  gmailId: sql.placeholder('gmailId'),
};

const statements = preparedPerConnection((orm, sqlite) => ({
  // Many messages' label rows at once (a JSON array of message ids), and rows added at once (a JSON array of
  // [messageId, labelId]): one statement for a batch of fetched messages instead of one per row.
  ofMessages: sqlite.prepare<[string], { messageId: number; labelId: string }>(
    'SELECT message_id AS messageId, label_id AS labelId FROM message_labels WHERE message_id IN (SELECT value FROM json_each(?))',
  ),
  addMany: sqlite.prepare<[number, string]>(
    `INSERT INTO message_labels (message_id, account_id, label_id, internal_date)
       SELECT m.id, ?, j.value ->> 1, m.internal_date FROM json_each(?) j JOIN messages m ON m.id = j.value ->> 0 WHERE true
       ON CONFLICT DO NOTHING`,
  ),
  // The message's date is copied in here rather than by the trigger's extra UPDATE.
  add: orm
    .insert(messageLabels)
    .values({
      messageId: p.messageId,
      accountId: p.accountId,
      labelId: p.labelId,
      internalDate: sql`(SELECT ${messages.internalDate} FROM ${messages} WHERE ${messages.id} = ${p.messageId})`,
    })
    .onConflictDoNothing()
    .prepare(),
  remove: orm
    .delete(messageLabels)
    .where(and(eq(messageLabels.messageId, p.messageId), eq(messageLabels.labelId, p.labelId)))
    .prepare(),
  addToFetched: orm
    .insert(messageLabels)
    .select(
      orm
        .select({ messageId: messages.id, accountId: messages.accountId, labelId: sql<string>`${p.labelId}`.as('label_id'), internalDate: messages.internalDate })
        .from(messages)
        .where(and(eq(messages.accountId, p.accountId), eq(messages.gmailId, p.gmailId), eq(messages.detailsFetched, true))),
    )
    .onConflictDoNothing()
    .prepare(),
  removeByGmailId: orm
    .delete(messageLabels)
    .where(
      and(
        eq(messageLabels.accountId, p.accountId),
        eq(messageLabels.labelId, p.labelId),
        eq(
          messageLabels.messageId,
          sql`(SELECT ${messages.id} FROM ${messages} WHERE ${messages.accountId} = ${p.accountId} AND ${messages.gmailId} = ${p.gmailId})`,
        ),
      ),
    )
    .prepare(),
}));

/** Gives the message a label (no-op when it has it). Inside the caller's transaction. */
export function addLabel(db: Db, accountId: number, messageId: number, labelId: string): void {
  statements(db).add.run({ messageId, accountId, labelId });
}

export function removeLabel(db: Db, messageId: number, labelId: string): void {
  statements(db).remove.run({ messageId, labelId });
}

/**
 * Makes each message's label rows exactly its `labelIds` (a diff, so unchanged rows are not rewritten), for a batch
 * of fetched messages: their rows read, and the missing ones added, in one statement each. Inside the caller's transaction.
 */
export function replaceLabels(db: Db, accountId: number, wanted: ReadonlyMap<number, readonly string[]>): void {
  if (wanted.size === 0) return;
  const s = statements(db);
  const current = new Map<number, Set<string>>();
  for (const r of s.ofMessages.all(JSON.stringify([...wanted.keys()]))) {
    let set = current.get(r.messageId);
    if (!set) current.set(r.messageId, (set = new Set()));
    set.add(r.labelId);
  }
  const add: Array<[number, string]> = [];
  for (const [messageId, labelIds] of wanted) {
    const have = current.get(messageId);
    const want = new Set(uniqueStrings(labelIds));
    if (have) for (const labelId of have) if (!want.has(labelId)) s.remove.run({ messageId, labelId });
    for (const labelId of want) if (!have?.has(labelId)) add.push([messageId, labelId]);
  }
  if (add.length > 0) s.addMany.run(accountId, JSON.stringify(add));
}

/** Gmail ids of fetched messages that carry a label in the mirror. */
export const fetchedWithLabel = guarded(function fetchedWithLabel(db: Db, accountId: number, labelId: string): Set<string> {
  const rows = db.orm
    .select({ id: messages.gmailId })
    .from(messageLabels)
    .innerJoin(messages, eq(messages.id, messageLabels.messageId))
    .where(and(eq(messageLabels.accountId, accountId), eq(messageLabels.labelId, labelId), eq(messages.detailsFetched, true)))
    .all();
  return new Set(rows.map((r) => r.id));
});

/** Sets one label's membership on fetched messages (label reconcile), in one transaction. */
export const setLabelMembership = guarded(function setLabelMembership(
  db: Db,
  accountId: number,
  labelId: string,
  add: readonly string[],
  remove: readonly string[],
): void {
  const s = statements(db);
  inTransaction(db, () => {
    for (const gmailId of add) s.addToFetched.run({ accountId, labelId, gmailId });
    for (const gmailId of remove) s.removeByGmailId.run({ accountId, labelId, gmailId });
  });
});
