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

const statements = preparedPerConnection((orm) => ({
  ofMessage: orm.select({ labelId: messageLabels.labelId }).from(messageLabels).where(eq(messageLabels.messageId, p.messageId)).prepare(),
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

/** Makes the message's label rows exactly `labelIds` (a diff, so unchanged rows are not rewritten). */
export function replaceLabels(db: Db, accountId: number, messageId: number, labelIds: readonly string[]): void {
  const s = statements(db);
  const current = s.ofMessage.all({ messageId }).map((r) => r.labelId);
  const wanted = new Set(uniqueStrings(labelIds));
  for (const labelId of current) if (!wanted.has(labelId)) s.remove.run({ messageId, labelId });
  const have = new Set(current);
  for (const labelId of wanted) if (!have.has(labelId)) s.add.run({ messageId, accountId, labelId });
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
