// Labels first: labels.list (no counts, like Gmail), then labels.get per label for the counts.
// https://developers.google.com/workspace/gmail/api/reference/rest/v1/users.labels/list
import type { gmail_v1 } from 'googleapis';
import { labelCountsOlderThan, labelsWithStaleCounts, listLabels, upsertLabels, setLabelCounts, type GmailLabel, type LabelRow } from '../db/labels';
import type { TouchedLabels } from '../db/history';
import { updateAccount, getAccount } from '../db/accounts';
import { GmailNotFoundError } from '../gmail/errors';
import type { SyncDeps } from './sync-deps';
import { mapLimit } from './map-limit';

function toLabel(l: gmail_v1.Schema$Label): GmailLabel {
  return {
    id: l.id ?? '',
    name: l.name ?? l.id ?? '',
    type: l.type === 'system' ? 'system' : 'user',
    color: l.color?.backgroundColor ?? null,
    textColor: l.color?.textColor ?? null,
    labelListVisibility: l.labelListVisibility ?? null,
    messageListVisibility: l.messageListVisibility ?? null,
    messagesTotal: l.messagesTotal ?? 0,
    messagesUnread: l.messagesUnread ?? 0,
    threadsTotal: l.threadsTotal ?? 0,
    threadsUnread: l.threadsUnread ?? 0,
  };
}

/** labels.get for each id; a label deleted since the list 404s and is left out. */
async function getLabels(deps: SyncDeps, accountId: number, ids: string[]): Promise<GmailLabel[]> {
  const got = await mapLimit(ids, 4, async (id) => {
    try {
      const r = await deps.gmail.call(accountId, 'labels.get', (g) => g.users.labels.get({ userId: 'me', id }));
      return toLabel(r.data);
    } catch (e) {
      if (e instanceof GmailNotFoundError) return null;
      throw e;
    }
  });
  return got.filter((l): l is GmailLabel => l !== null);
}

/**
 * Re-reads every label definition with its counts: creates, renames, recolours and deletes (a label gone
 * from labels.list is removed from every stored message at once, not when history mentions it).
 */
export async function syncAllLabels(deps: SyncDeps, accountId: number): Promise<void> {
  const res = await deps.gmail.call(accountId, 'labels.list', (g) => g.users.labels.list({ userId: 'me' }));
  const ids = (res.data.labels ?? []).map((l) => l.id).filter((id): id is string => !!id);
  const full = await getLabels(deps, accountId, ids);
  upsertLabels(deps.db, accountId, full, { deleteMissing: true });
  updateAccount(deps.db, accountId, { labelSyncCompleted: true });
  deps.events.emit('labels:changed', { accountId });
}

/** A label's definition as labels.list gives it (no counts: Gmail sends none there). */
function definitionOf(l: gmail_v1.Schema$Label): GmailLabel {
  const { messagesTotal: _mt, messagesUnread: _mu, threadsTotal: _tt, threadsUnread: _tu, ...definition } = toLabel(l);
  return definition;
}

const sameDefinition = (a: GmailLabel, b: LabelRow): boolean =>
  a.name === b.name &&
  (a.color ?? null) === b.color &&
  (a.textColor ?? null) === b.textColor &&
  (a.labelListVisibility ?? null) === b.labelListVisibility &&
  (a.messageListVisibility ?? null) === b.messageListVisibility;

/**
 * After an incremental pass: label definitions from labels.list (1 unit; history says nothing about them), then the
 * counts (labels.get, 1 unit each) of the labels the pass touched and of new labels only, or of every label once
 * the oldest counts are `config.labelRecountMs` old or the changes cannot tell which labels moved.
 */
export async function syncTouchedLabels(deps: SyncDeps, accountId: number, touched: TouchedLabels): Promise<void> {
  const res = await deps.gmail.call(accountId, 'labels.list', (g) => g.users.labels.list({ userId: 'me' }));
  const list = (res.data.labels ?? []).filter((l) => !!l.id).map(definitionOf);
  const stored = new Map(listLabels(deps.db, accountId).map((l) => [l.id, l]));
  const due = touched.unknown || labelCountsOlderThan(deps.db, accountId, Date.now() - deps.config.labelRecountMs);
  const changed = list.length !== stored.size || list.some((l) => !stored.has(l.id) || !sameDefinition(l, stored.get(l.id)!));
  if (changed) upsertLabels(deps.db, accountId, list, { deleteMissing: true });
  // The changes' labels, and any a pass before this one marked and died before reading.
  const wanted = new Set([...touched.labels, ...labelsWithStaleCounts(deps.db, accountId)]);
  const ids = list.map((l) => l.id).filter((id) => due || wanted.has(id) || !stored.has(id));
  if (ids.length) setLabelCounts(deps.db, accountId, await getLabels(deps, accountId, ids));
  if (changed || ids.length) deps.events.emit('labels:changed', { accountId });
}

/** Counts only (labels.get), for labels whose messages changed. */
export async function refreshLabelCounts(deps: SyncDeps, accountId: number, ids: string[]): Promise<void> {
  const got = await getLabels(deps, accountId, ids);
  setLabelCounts(deps.db, accountId, got);
  deps.events.emit('labels:changed', { accountId });
}

export async function labelSyncProcessor(data: { accountId: number }, deps: SyncDeps): Promise<void> {
  const acct = getAccount(deps.db, data.accountId);
  if (!acct || acct.status === 'needs_reconnect') return;
  await syncAllLabels(deps, data.accountId);
}

export async function labelUpdateProcessor(data: { accountId: number; labelIds: string[] }, deps: SyncDeps): Promise<void> {
  const acct = getAccount(deps.db, data.accountId);
  if (!acct || acct.status === 'needs_reconnect') return;
  await refreshLabelCounts(deps, data.accountId, data.labelIds);
}
