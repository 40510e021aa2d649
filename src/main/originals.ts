// Originals on demand: what the reader asks for that the mirror does not hold whole yet — an attachment over the
// user's cap, the original of a message copied before full copies — is fetched from Gmail once (messages.get
// format=raw, like the sync), kept, and read back from the store. Everything the mirror holds is read offline.
import { getActiveRun } from './db/sync-runs';
import { saveMessageDetails } from './db/message-details';
import { findAttachmentByPart } from './db/message-queries';
import { countMessagesMissingSource, messagesMissingSource, readAttachmentPiece, readSource } from './db/sources';
import { getAccount } from './db/accounts';
import { PRIORITY } from './queues/definitions';
import { copyOriginals } from './sync/source-backfill';
import { writeInGroup } from './db/write-group';
import { NotFoundError } from './ipc/errors';
import { GmailNotFoundError } from './gmail/errors';
import type { AttachmentRef } from './ipc/services';
import { decodeTransfer } from './sync/mime/raw-mime';
import { parseGmailMessage } from './sync/parse-message';
import type { SyncDeps } from './sync/sync-deps';

/** Fetches a message's original from Gmail and keeps it whole (whatever the cap: the user asked for it). */
async function fetchOriginal(deps: SyncDeps, accountId: number, gmailId: string): Promise<Buffer> {
  let res;
  try {
    res = await deps.gmail.call(accountId, 'messages.get', (g) => g.users.messages.get({ userId: 'me', id: gmailId, format: 'raw' }), undefined, {
      interactive: true,
    });
  } catch (e) {
    if (e instanceof GmailNotFoundError) throw new NotFoundError('Gmail no longer has this message (it was deleted)');
    throw e;
  }
  const parsed = parseGmailMessage(res.data);
  const running = !!getActiveRun(deps.db, accountId, ['initial', 'full']);
  await writeInGroup(deps.db, () => saveMessageDetails(deps.db, accountId, [parsed], { insertMissing: running }));
  deps.events.emit('messages:changed', { accountId });
  return Buffer.from(res.data.raw ?? '', 'base64url');
}

/** A message's original: from the mirror when it holds it whole, else from Gmail (then kept). */
export async function messageOriginal(deps: SyncDeps, accountId: number, gmailId: string): Promise<Buffer> {
  const stored = readSource(deps.db, accountId, gmailId);
  if (stored.state === 'whole') return stored.bytes;
  return fetchOriginal(deps, accountId, gmailId);
}

/**
 * An attachment's bytes: from the mirror when it holds them, else from Gmail — by messages.attachments.get when the
 * message came with Gmail's attachment ids (format=full), else its original, kept, which holds every attachment.
 */
export async function attachmentBytes(deps: SyncDeps, ref: AttachmentRef): Promise<Uint8Array> {
  const piece = readAttachmentPiece(deps.db, ref.id);
  if (piece) return decodeTransfer(piece.data, piece.transferEncoding);
  if (ref.gmailAttachmentId) {
    const res = await deps.gmail.call(
      ref.accountId,
      'messages.attachments.get',
      (g) => g.users.messages.attachments.get({ userId: 'me', messageId: ref.messageGmailId, id: ref.gmailAttachmentId! }),
      undefined,
      { interactive: true },
    );
    return Buffer.from(res.data.data ?? '', 'base64url');
  }
  await fetchOriginal(deps, ref.accountId, ref.messageGmailId);
  // Kept now: the attachment's row was written again with the original (same part, new row).
  const again = ref.partId === null ? null : findAttachmentByPart(deps.db, ref.accountId, ref.messageGmailId, ref.partId);
  const kept = again === null ? null : readAttachmentPiece(deps.db, again);
  if (!kept) throw new NotFoundError('This attachment is not in the message Gmail has now');
  return decodeTransfer(kept.data, kept.transferEncoding);
}

/**
 * Before an export from the app: the originals the mirror does not hold whole (attachments over the cap, messages
 * not copied yet) are fetched from Gmail and kept, as far as Gmail answers — one that cannot be reached ends it at
 * once, and the export leaves those messages out and says how many. Stops between slices once `signal` is aborted;
 * `onProgress`: messages tried of those missing when it began.
 */
export async function fetchMissingOriginals(
  deps: SyncDeps,
  accountId: number,
  opts: { signal?: AbortSignal; onProgress?: (done: number, total: number) => void } = {},
): Promise<void> {
  const acct = getAccount(deps.db, accountId);
  if (!acct || acct.status === 'needs_reconnect' || deps.gmail.offline(accountId)) return;
  const total = countMessagesMissingSource(deps.db, accountId, null);
  if (total === 0) return;
  let after = 0;
  let done = 0;
  opts.onProgress?.(0, total);
  while (!opts.signal?.aborted) {
    const rows = messagesMissingSource(deps.db, accountId, after, 50, null);
    if (rows.length === 0) return;
    after = rows[rows.length - 1].id;
    try {
      await copyOriginals(deps, acct, rows, null, PRIORITY.incrementalBatch);
      done += rows.length;
      // Messages the sync wrote meanwhile may add to what was counted: the total grows with them.
      opts.onProgress?.(done, Math.max(done, total));
    } catch (e) {
      deps.log.warn({ accountId, err: e instanceof Error ? e.message : String(e) }, 'export: originals not in the mirror could not be fetched');
      return;
    }
  }
}
