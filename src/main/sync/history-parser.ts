// Turns Gmail history records into ordered store operations.
// https://developers.google.com/workspace/gmail/api/guides/sync#partial_synchronization
// Each record's own labelIds delta is applied in order; the `message.labelIds` inside a record is not a
// reliable snapshot of that moment (DESIGN.md), so it is used only as a first guess for a new stub.
import type { gmail_v1 } from 'googleapis';
import type { HistoryOp } from '../db/history';

/** Compare Gmail history ids as integers: they increase with gaps, and '10' < '9' as strings. */
export function historyIdGreater(a: string | null | undefined, b: string | null | undefined): boolean {
  if (!a) return false;
  if (!b) return true;
  return BigInt(a) > BigInt(b);
}

export function historyToOps(records: readonly gmail_v1.Schema$History[]): HistoryOp[] {
  const ops: HistoryOp[] = [];
  for (const r of records) {
    const historyId = r.id ?? '0';
    for (const a of r.messagesAdded ?? []) {
      const m = a.message;
      if (!m?.id) continue;
      ops.push({ kind: 'added', gmailId: m.id, threadId: m.threadId ?? m.id, labelIds: m.labelIds ?? [], historyId });
    }
    for (const a of r.labelsAdded ?? []) {
      const m = a.message;
      if (!m?.id || !a.labelIds?.length) continue;
      ops.push({ kind: 'labelsAdded', gmailId: m.id, threadId: m.threadId ?? m.id, labelIds: a.labelIds, historyId });
    }
    for (const a of r.labelsRemoved ?? []) {
      const m = a.message;
      if (!m?.id || !a.labelIds?.length) continue;
      ops.push({ kind: 'labelsRemoved', gmailId: m.id, threadId: m.threadId ?? m.id, labelIds: a.labelIds, historyId });
    }
    for (const d of r.messagesDeleted ?? []) {
      const m = d.message;
      if (!m?.id) continue;
      ops.push({ kind: 'deleted', gmailId: m.id });
    }
  }
  return ops;
}
