// Originals on demand: what the reader asks for that the mirror does not hold whole yet — an attachment over the
// user's cap, the original of a message copied before full copies — is fetched from Gmail once (messages.get
// format=raw, like the sync), kept, and read back from the store. Everything the mirror holds is read offline.
import { getActiveRun } from './db/sync-runs';
import { saveMessageDetails } from './db/message-details';
import { findAttachmentByPart } from './db/message-queries';
import { readAttachmentPiece, readSource } from './db/sources';
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
    res = await deps.gmail.call(accountId, 'messages.get', (g) => g.users.messages.get({ userId: 'me', id: gmailId, format: 'raw' }));
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
    const res = await deps.gmail.call(ref.accountId, 'messages.attachments.get', (g) =>
      g.users.messages.attachments.get({ userId: 'me', messageId: ref.messageGmailId, id: ref.gmailAttachmentId! }),
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
