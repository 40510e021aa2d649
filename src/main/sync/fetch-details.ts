// Fetching details from Gmail for a list of work items (single messages, whole threads). Unpaced (an emulator, where CPU
// is the limit) calls of the same method go to Gmail's batch endpoint
// (https://developers.google.com/workspace/gmail/api/guides/batch): one googleapis request measured ~0.9 ms of CPU
// here against ~0.15 ms per part of a batch, and the server side spends less too. Paced, each call goes on its own
// (below: the quota is the limit there, and single calls use more of it). Each part is charged as its own call
// (Gmail does the same); a part that fails for another reason than a 404 is handed to the governor with its answer,
// which decides, as for any request, whether and when it is sent again on its own. A 404 means the message (or
// thread) is gone: it is reported as dropped. Used by the sync's batches and the originals' backfill.
import type { gmail_v1 } from 'googleapis';
import type { ParsedMessage } from '../db/message-details';
import { GmailNotFoundError, type GmailError } from '../gmail/errors';
import { batchGet, batchPartError, RECOMMENDED_BATCH_PARTS } from '../gmail/batch';
import { callPriority } from '../gmail/quota-governor';
import { parseGmailMessage } from './parse-message';
import type { SyncDeps } from './sync-deps';
import { chunk, mapLimit } from './map-limit';

export type Work = { kind: 'message'; id: string } | { kind: 'thread'; id: string; pending: string[] };

export type FetchOptions = {
  /** messages.get as originals (format=raw), kept up to `capBytes`; else format=full. threads.get is always full. */
  originals: boolean;
  capBytes: number | null;
  /** A thread's messages in Spam or Trash are left out unless the account mirrors those. */
  includeSpamTrash: boolean;
  /** The job's BullMQ priority (lower first): the governor serves its requests in that order. */
  priority: number;
};

/** Order in which fetches started in this process: the governor serves an older one's requests first. */
let jobSeq = 0;

export async function fetchDetails(
  deps: SyncDeps,
  accountId: number,
  work: readonly Work[],
  opts: FetchOptions,
): Promise<{ parsed: ParsedMessage[]; dropped: string[] }> {
  const parsed: ParsedMessage[] = [];
  const dropped: string[] = [];
  const { originals, capBytes } = opts;
  const quota = deps.gmail.quota(accountId);
  const accept = (w: Work, body: gmail_v1.Schema$Message | gmail_v1.Schema$Thread): void => {
    if (w.kind === 'message') {
      parsed.push(parseGmailMessage(body as gmail_v1.Schema$Message, { attachmentCapBytes: capBytes }));
      return;
    }
    const msgs: gmail_v1.Schema$Message[] = (body as gmail_v1.Schema$Thread).messages ?? [];
    const got = new Set<string>();
    for (const m of msgs) {
      if (!m.id) continue;
      if (!opts.includeSpamTrash && m.labelIds?.some((l) => l === 'SPAM' || l === 'TRASH')) continue;
      got.add(m.id);
      parsed.push(parseGmailMessage(m));
    }
    // A listed message the thread no longer has was deleted meanwhile (history replays any re-add).
    for (const id of w.pending) if (!got.has(id)) dropped.push(id);
  };
  const drop = (w: Work): void => {
    if (w.kind === 'message') dropped.push(w.id);
    else dropped.push(...w.pending);
  };
  // `answeredInBatch`: the part's answer in a batch, its first attempt (the governor's retry policy weighs it).
  const one = async (w: Work, answeredInBatch?: GmailError): Promise<void> => {
    const opts = { answeredInBatch };
    try {
      if (w.kind === 'message') {
        const r = await deps.gmail.call(accountId, 'messages.get', (g) => g.users.messages.get({ userId: 'me', id: w.id, format: originals ? 'raw' : 'full' }), undefined, opts);
        accept(w, r.data);
      } else {
        const r = await deps.gmail.call(accountId, 'threads.get', (g) => g.users.threads.get({ userId: 'me', id: w.id, format: 'full' }), undefined, opts);
        accept(w, r.data);
      }
    } catch (e) {
      if (e instanceof GmailNotFoundError) return drop(w);
      throw e;
    }
  };
  const batch = async (method: 'messages.get' | 'threads.get', ws: Work[]): Promise<void> => {
    if (ws.length === 1) return one(ws[0]);
    const kind = method === 'messages.get' ? 'messages' : 'threads';
    const parts = await deps.gmail.call(
      accountId,
      method,
      () =>
        batchGet({
          rootUrl: deps.config.gmailApiUrl,
          auth: deps.gmail.client(accountId).auth,
          requests: ws.map((w, i) => ({
            id: `p${i}`,
            path: `/gmail/v1/users/me/${kind}/${encodeURIComponent(w.id)}?format=${kind === 'messages' && originals ? 'raw' : 'full'}`,
          })),
          timeoutMs: deps.config.gmailTimeoutMs,
        }),
      ws.length,
    );
    const again: Array<{ w: Work; err: GmailError }> = [];
    parts.forEach((p, i) => {
      const err = batchPartError(p);
      if (!err) accept(ws[i], p.body as gmail_v1.Schema$Message);
      else if (err instanceof GmailNotFoundError) drop(ws[i]);
      else again.push({ w: ws[i], err });
    });
    // Rate-limited or failed parts, one by one, with their answer: the governor's retry policy decides whether and when
    // each goes again (within the same attempts as any request), and throws what is not worth retrying.
    for (const { w, err } of again) await one(w, err);
  };

  // The most parts one batch may carry. Paced (Gmail): one, i.e. each call on its own. The units are granted per
  // call as soon as the moving second has room for them, and the in-flight slots (one per part: Gmail may run a
  // batch's parts as concurrent requests) are used ten deep rather than as three batches of three, each waiting for
  // all its slots and all its units. Measured in one loaded run each (`npm run bench -- --only quota`): batches of
  // half the slots 0.935 / 0.940 of the ceiling (2026 / legacy), of a third 0.945 / 0.950, single calls 0.960 / 0.963.
  // A single call costs more CPU (~0.9 ms against ~0.15 ms per part), nothing at Gmail's pace (≤ 50 messages a
  // second unscaled). Unpaced (emulators only), where CPU is the limit: Gmail's recommended 50.
  const partsPerCall = quota.burstUnits > 0 ? 1 : RECOMMENDED_BATCH_PARTS;
  const calls: Array<{ method: 'messages.get' | 'threads.get'; ws: Work[] }> = [
    ...chunk(work.filter((w) => w.kind === 'thread'), partsPerCall).map((ws) => ({ method: 'threads.get' as const, ws })),
    ...chunk(work.filter((w) => w.kind === 'message'), partsPerCall).map((ws) => ({ method: 'messages.get' as const, ws })),
  ];
  // Lower first: the job's BullMQ priority (incremental, INBOX, the rest, backfill), then the order jobs started in.
  await callPriority.run(opts.priority * 2 ** 32 + ++jobSeq, () => mapLimit(calls, deps.config.maxInFlight, (c) => batch(c.method, c.ws)));
  return { parsed, dropped };

}
