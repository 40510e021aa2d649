// Reads of the mirror for the UI, shaped as the contract's types: the core's MirrorReadService (the router
// reaches the store only through it). The store's repositories do the querying; this maps their rows and adds
// what the UI needs on top (attachment lookup).
import type { Db } from './db/client';
import { getAccount, listAccounts } from './db/accounts';
import { listLabels } from './db/labels';
import { countProgress } from './db/stubs';
import { getAttachmentLocation, getMessage, listMessages, type MessageListRow } from './db/message-queries';
import { searchMessages } from './db/search';
import { readAttachmentPiece, sourceIsWhole } from './db/sources';
import type { AttachmentRow } from './db/message-queries';
import { listThreads, threadMessageIds, type ThreadListRow } from './db/thread-queries';
import type { AccountSummary, LabelSummary, MessageDetail, MessageSummary, ThreadSummary } from '../shared/ipc';
import { AccountNotFoundError } from './gmail/account-errors';
import { decodeTransfer } from './sync/mime/raw-mime';
import { InvalidRequestError, NotFoundError } from './ipc/errors';
import type { AttachmentRef, MirrorReadService, MessagePage, SearchResultPage, ThreadPage } from './ipc/services';


const ms = (d: Date | null | undefined): number | null => (d ? d.getTime() : null);

function requireAccount(db: Db, accountId: number): void {
  if (!getAccount(db, accountId)) throw new AccountNotFoundError(`No account with id ${accountId}`);
}

function listAccountSummaries(db: Db): AccountSummary[] {
  return listAccounts(db).map((a) => {
    const full = ms(a.lastFullSyncAt);
    const inc = ms(a.lastIncrementalSyncAt);
    return {
      id: a.id,
      email: a.email,
      status: a.status,
      lastError: a.lastError,
      initialSyncCompleted: a.initialSyncCompleted,
      lastSyncAt: full === null ? inc : inc === null ? full : Math.max(full, inc),
      messagesTotal: a.messagesTotal,
      localMessages: countProgress(db, a.id).fetched,
    };
  });
}

function listLabelSummaries(db: Db, accountId: number): LabelSummary[] {
  requireAccount(db, accountId);
  return listLabels(db, accountId).map((l) => ({
    id: l.id,
    name: l.name,
    type: l.type,
    color: l.color ? { background: l.color, text: l.textColor ?? '#ffffff' } : null,
    visible: l.labelListVisibility !== 'labelHide',
    messagesTotal: l.messagesTotal,
    messagesUnread: l.messagesUnread,
    threadsTotal: l.threadsTotal,
    threadsUnread: l.threadsUnread,
    localTotal: l.localMessagesTotal,
    localUnread: l.localMessagesUnread,
  }));
}

function toSummary(r: MessageListRow): MessageSummary {
  return {
    id: r.gmailId,
    threadId: r.threadId,
    internalDate: r.internalDate,
    from: r.from,
    to: r.to,
    subject: r.subject,
    snippet: r.snippet,
    unread: r.unread,
    starred: r.labelIds.includes('STARRED'),
    hasAttachments: r.hasAttachments,
    labelIds: r.labelIds,
  };
}

function badCursor(e: unknown, what = 'list'): never {
  if ((e as { code?: unknown }).code === 'INVALID_CURSOR') throw new InvalidRequestError(`The ${what} position (cursor) is not valid`);
  throw e;
}

function listMessagePage(
  db: Db,
  q: { accountId: number; labelId: string | null; cursor: string | null; limit: number },
): MessagePage {
  requireAccount(db, q.accountId);
  let page;
  try {
    page = listMessages(db, q.accountId, { labelId: q.labelId, cursor: q.cursor, limit: q.limit });
  } catch (e) {
    badCursor(e);
  }
  return { messages: page.items.map(toSummary), nextCursor: page.nextCursor };
}

function toThreadSummary(t: ThreadListRow): ThreadSummary {
  return {
    ...toSummary(t.latest),
    subject: t.subject,
    unread: t.unreadCount > 0,
    starred: t.starred,
    hasAttachments: t.hasAttachments,
    labelIds: t.labelIds,
    messageCount: t.messageCount,
    unreadCount: t.unreadCount,
    senders: t.senders,
  };
}

function listThreadPage(
  db: Db,
  q: { accountId: number; labelId: string | null; cursor: string | null; limit: number },
): ThreadPage {
  requireAccount(db, q.accountId);
  let page;
  try {
    page = listThreads(db, q.accountId, { labelId: q.labelId, cursor: q.cursor, limit: q.limit });
  } catch (e) {
    badCursor(e);
  }
  return { threads: page.items.map(toThreadSummary), nextCursor: page.nextCursor };
}

function getThreadDetail(db: Db, accountId: number, threadId: string, labelId: string | null): MessageDetail[] {
  requireAccount(db, accountId);
  const ids = threadMessageIds(db, accountId, threadId, labelId);
  if (ids.length === 0) throw new NotFoundError('That conversation is not in the mirror');
  return ids.map((id) => getMessageDetail(db, accountId, id));
}

function searchMessagePage(
  db: Db,
  q: { accountId: number; query: string; cursor: string | null; limit: number; order?: 'newest' | 'relevance' },
): SearchResultPage {
  requireAccount(db, q.accountId);
  let page;
  try {
    page = searchMessages(db, q.accountId, q.query, { limit: q.limit, cursor: q.cursor, order: q.order });
  } catch (e) {
    badCursor(e, 'search');
  }
  return { messages: page.items.map(toSummary), nextCursor: page.nextCursor, total: page.total };
}

function getMessageDetail(db: Db, accountId: number, gmailId: string): MessageDetail {
  requireAccount(db, accountId);
  const m = getMessage(db, accountId, gmailId);
  if (!m) throw new NotFoundError('That message is not in the mirror');
  const inline = inlineImages(db, m.htmlBody, m.attachments);
  return {
    ...toSummary(m),
    to: m.to,
    cc: m.cc,
    dateHeader: m.date,
    textBody: m.textBody,
    detailsFetched: m.detailsFetched,
    parseError: m.parseError,
    htmlBody: inline.html,
    sourceOffline: m.detailsFetched && sourceIsWhole(db, m.id),
    attachments: m.attachments.map((a) => ({
      id: String(a.id),
      filename: a.filename,
      mimeType: a.mimeType,
      size: a.size,
      contentId: a.contentId,
      offline: a.blobId !== null,
      inline: inline.shown.has(a.id),
    })),
  };
}

/** The biggest picture shown inside a message from the mirror (a bigger one stays a listed attachment). */
const MAX_INLINE_IMAGE_BYTES = 5 * 1024 * 1024;

/**
 * The HTML with each `cid:` picture it shows that the mirror has (RFC 2392: Content-ID of a part of the same
 * message) as a `data:` URL, so it renders in the reader's frame offline and without any request; `shown`: those
 * attachments (the reader does not list them again).
 */
function inlineImages(db: Db, html: string | null, list: readonly AttachmentRow[]): { html: string | null; shown: Set<number> } {
  const shown = new Set<number>();
  if (html === null || !/cid:/i.test(html)) return { html, shown };
  let out = html;
  for (const a of list) {
    if (!a.contentId || a.blobId === null || !/^image\/[a-z0-9.+-]+$/i.test(a.mimeType ?? '') || (a.size ?? 0) > MAX_INLINE_IMAGE_BYTES) continue;
    // The reference as HTML writes it: `cid:` then the id, maybe %-encoded (RFC 2392), case as sent.
    const ref = new RegExp(`cid:(?:${escapeRegExp(a.contentId)}|${escapeRegExp(encodeURIComponent(a.contentId))})(?=["'\\s)>])`, 'gi');
    if (!ref.test(out)) continue;
    const piece = readAttachmentPiece(db, a.id);
    if (!piece) continue;
    const base64 =
      piece.transferEncoding === 'base64' ? piece.data.toString('latin1').replace(/[^A-Za-z0-9+/=]/g, '') : decodeTransfer(piece.data, piece.transferEncoding).toString('base64');
    out = out.replace(ref, `data:${a.mimeType!.toLowerCase()};base64,${base64}`);
    shown.add(a.id);
  }
  return { html: out, shown };
}

const escapeRegExp = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The stored attachment, checked to belong to that message of that account. */
function getAttachmentRef(db: Db, accountId: number, messageGmailId: string, attachmentId: string): AttachmentRef {
  requireAccount(db, accountId);
  if (!/^\d{1,15}$/.test(attachmentId)) throw new NotFoundError('No such attachment');
  const row = getAttachmentLocation(db, accountId, messageGmailId, Number(attachmentId));
  if (!row) throw new NotFoundError('No such attachment');
  return { accountId, messageGmailId, ...row };
}

/** The store as the UI reads it; `db` is asked each time (a damaged store is swapped for a stand-in). */
export class MirrorReads implements MirrorReadService {
  constructor(private readonly db: () => Db) {}

  requireAccount(accountId: number): void {
    requireAccount(this.db(), accountId);
  }

  accounts(): AccountSummary[] {
    return listAccountSummaries(this.db());
  }

  labels(accountId: number): LabelSummary[] {
    return listLabelSummaries(this.db(), accountId);
  }

  messagePage(q: { accountId: number; labelId: string | null; cursor: string | null; limit: number }): MessagePage {
    return listMessagePage(this.db(), q);
  }

  searchPage(q: { accountId: number; query: string; cursor: string | null; limit: number; order?: 'newest' | 'relevance' }): SearchResultPage {
    return searchMessagePage(this.db(), q);
  }

  message(accountId: number, gmailId: string): MessageDetail {
    return getMessageDetail(this.db(), accountId, gmailId);
  }

  threadPage(q: { accountId: number; labelId: string | null; cursor: string | null; limit: number }): ThreadPage {
    return listThreadPage(this.db(), q);
  }

  thread(accountId: number, threadId: string, labelId: string | null): MessageDetail[] {
    return getThreadDetail(this.db(), accountId, threadId, labelId);
  }

  attachmentRef(accountId: number, messageGmailId: string, attachmentId: string): AttachmentRef {
    return getAttachmentRef(this.db(), accountId, messageGmailId, attachmentId);
  }
}
