// Fetching details from Gmail for a list of work items (single messages, whole threads): calls of the same method go
// to Gmail's batch endpoint (https://developers.google.com/workspace/gmail/api/guides/batch), never more units at once
// than the governor's burst, so grouping never lowers the pace: one googleapis request measured ~0.9 ms of CPU here
// against ~0.15 ms per part of a batch, and the server side spends less too. Each part is charged as its own call
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
  const costs = quota.costs;
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

  // The most parts one batch may carry. Paced (Gmail): no more units than the burst the governor tolerates, and no
  // more than a third of the requests allowed in flight (the governor gives a batch one slot per part: Gmail may run
  // them as concurrent requests). The slots bound how much is in flight, and at a quota-bound pace a batch is granted
  // every ~25 ms against a round trip of ~40 ms: a batch as big as every slot waits for all of them to free, so the
  // quota idles meanwhile (a trace showed 35–40% of the time so); with two batches the next still waited for a slot
  // ~15 ms in every ~30 (quota 0.935 / 0.940 of the ceiling); three deep, 0.944 / 0.948, and the spare slot serves the
  // metadata calls. Unpaced (emulators only): Gmail's recommended 50.
  const burst = quota.burstUnits;
  const aThirdOfTheSlots = Math.max(1, Math.floor(deps.config.maxInFlight / 3));
  const parts = (method: 'messages.get' | 'threads.get'): number =>
    burst > 0
      ? Math.max(1, Math.min(RECOMMENDED_BATCH_PARTS, aThirdOfTheSlots, Math.floor(burst / costs[method])))
      : RECOMMENDED_BATCH_PARTS;
  const calls: Array<{ method: 'messages.get' | 'threads.get'; ws: Work[] }> = [
    ...chunk(work.filter((w) => w.kind === 'thread'), parts('threads.get')).map((ws) => ({ method: 'threads.get' as const, ws })),
    ...chunk(work.filter((w) => w.kind === 'message'), parts('messages.get')).map((ws) => ({ method: 'messages.get' as const, ws })),
  ];
  // Lower first: the job's BullMQ priority (incremental, INBOX, the rest, backfill), then the order jobs started in.
  await callPriority.run(opts.priority * 2 ** 32 + ++jobSeq, () => mapLimit(calls, deps.config.maxInFlight, (c) => batch(c.method, c.ws)));
  return { parsed, dropped };

}
