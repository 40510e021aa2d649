// The CLI's `export --format json`: the whole mirror of one account, in a stable order.
import { eq, sql } from 'drizzle-orm';
import type { Db } from './client';
import { guarded, inTransaction } from './internal';
import { accounts, labels, messageLabels, messages } from './schema';

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

const byString = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * The mirror as the CLI exports it: every label (Gmail's counts) and every stored message row
 * (stubs too, with '' for what they lack), sorted by id with a plain code-unit comparison.
 * Null when the account does not exist.
 */
export const exportMirror = guarded(function exportMirror(db: Db, accountId: number): MirrorExport | null {
  return inTransaction(db, () => {
    const account = db.orm
      .select({ email: accounts.email, historyId: accounts.historyId })
      .from(accounts)
      .where(eq(accounts.id, accountId))
      .get();
    if (!account) return null;
    const labelRows = db.orm
      .select({
        id: labels.gmailId,
        name: labels.name,
        type: labels.type,
        messagesTotal: labels.messagesTotal,
        messagesUnread: labels.messagesUnread,
        threadsTotal: labels.threadsTotal,
        threadsUnread: labels.threadsUnread,
      })
      .from(labels)
      .where(eq(labels.accountId, accountId))
      .all()
      .sort((a, b) => byString(a.id, b.id));
    const out: MirrorExport['messages'] = db.orm
      .select({
        id: messages.gmailId,
        threadId: messages.threadId,
        labelIds: sql`(SELECT json_group_array(${messageLabels.labelId}) FROM ${messageLabels} WHERE ${messageLabels.messageId} = ${messages.id})`.mapWith(
          (v: unknown) => (typeof v === 'string' ? (JSON.parse(v) as string[]).sort(byString) : []),
        ),
        internalDate: sql`coalesce(${messages.internalDate}, '')`.mapWith(String),
        subject: sql`coalesce(${messages.subject}, '')`.mapWith(String),
      })
      .from(messages)
      .where(eq(messages.accountId, accountId))
      .all();
    out.sort((a, b) => byString(a.id, b.id));
    return { account: account.email, historyId: account.historyId, labels: labelRows, messages: out };
  });
});
