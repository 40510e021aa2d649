import { describe, expect } from 'vitest';
import {
  getAccount,
  updateAccount,
  upsertLabels,
  setLabelCounts,
  labelCountsOlderThan,
  labelsWithStaleCounts,
  insertStubs,
  allPendingStubs,
  countProgress,
  labelProgress,
  saveMessageDetails,
  deleteMessagesByGmailId,
  applyHistory,
  listMessages,
  getMessage,
  exportMirror,
  InvalidCursorError,
  type Db,
  type HistoryOp,
} from '../../src/main/db';
import { sampleMessage } from '../helpers/parsed-message';
import { storeTest } from '../helpers/fixtures';

const it = storeTest;

const msg = sampleMessage;

const labelsOf = (db: Db, acc: number, gmailId: string): string[] => getMessage(db, acc, gmailId)?.labelIds ?? [];

/** Everything a user could observe about the account's messages, for idempotence checks. */
function snapshot(db: Db, acc: number): unknown {
  return {
    messages: db.sqlite
      .prepare(
        `SELECT gmail_id, thread_id, details_fetched, fetch_priority, labels_history_id, subject FROM messages
         WHERE account_id = ? ORDER BY gmail_id`,
      )
      .all(acc),
    labels: db.sqlite
      .prepare(
        `SELECT m.gmail_id, ml.label_id FROM message_labels ml JOIN messages m ON m.id = ml.message_id
         WHERE ml.account_id = ? ORDER BY 1, 2`,
      )
      .all(acc),
    historyId: getAccount(db, acc)?.historyId,
  };
}

describe('stubs', () => {
  it('inserts stubs once, keeps the more urgent priority and never resets details', ({ db, acc }) => {
    expect(
      insertStubs(db, acc, [
        { gmailId: 'a', threadId: 't1', priority: 2, listSeq: 0 },
        { gmailId: 'b', threadId: 't1', priority: 1, listSeq: 1 },
      ]),
    ).toBe(2);
    saveMessageDetails(db, acc, [msg('a', ['INBOX'])], { insertMissing: false });
    expect(
      insertStubs(db, acc, [
        { gmailId: 'a', threadId: 't1', priority: 0, listSeq: 5 },
        { gmailId: 'b', threadId: 't1', priority: 2, listSeq: 6 },
        { gmailId: 'c', threadId: 't2', priority: 2, listSeq: 7 },
        // Listed twice in one page (a message that moved while the listing read): one stub, the more urgent.
        { gmailId: 'd', threadId: 't3', priority: 2, listSeq: 8 },
        { gmailId: 'd', threadId: 't3', priority: 1, listSeq: 9 },
      ]),
    ).toBe(2);
    const rows = db.sqlite
      .prepare('SELECT gmail_id AS id, fetch_priority AS p, details_fetched AS f, subject FROM messages ORDER BY gmail_id')
      .all() as Array<{ id: string; p: number; f: number; subject: string | null }>;
    expect(rows).toEqual([
      { id: 'a', p: 0, f: 1, subject: 'subject a' },
      { id: 'b', p: 1, f: 0, subject: null },
      { id: 'c', p: 2, f: 0, subject: null },
      { id: 'd', p: 1, f: 0, subject: null },
    ]);
    expect(labelsOf(db, acc, 'a')).toEqual(['INBOX']);
  });

  it('hands out pending stubs by priority then listing order, skipping fetched ones', ({ db, acc }) => {
    insertStubs(db, acc, [
      { gmailId: 'old-other', threadId: 't', priority: 2, listSeq: 3 },
      { gmailId: 'new-other', threadId: 't', priority: 2, listSeq: 0 },
      { gmailId: 'inbox-old', threadId: 't', priority: 1, listSeq: 2 },
      { gmailId: 'inbox-new', threadId: 't', priority: 1, listSeq: 1 },
      { gmailId: 'fetched', threadId: 't', priority: 0, listSeq: 0 },
    ]);
    saveMessageDetails(db, acc, [msg('fetched', [])], { insertMissing: false });
    expect(allPendingStubs(db, acc).map((s) => s.gmailId)).toEqual(['inbox-new', 'inbox-old', 'new-other', 'old-other']);
    expect(allPendingStubs(db, acc)[0]).toEqual({ gmailId: 'inbox-new', threadId: 't', priority: 1 });
  });

  it('counts progress from the store', ({ db, acc }) => {
    expect(countProgress(db, acc)).toEqual({ total: 0, fetched: 0, pending: 0 });
    insertStubs(
      db,
      acc,
      ['a', 'b', 'c'].map((g, i) => ({ gmailId: g, threadId: 't', priority: 2, listSeq: i })),
    );
    saveMessageDetails(db, acc, [msg('a', ['INBOX']), msg('b', ['INBOX', 'Label_1'])], { insertMissing: false });
    expect(countProgress(db, acc)).toEqual({ total: 3, fetched: 2, pending: 1 });
    upsertLabels(db, acc, [{ id: 'INBOX', name: 'INBOX', type: 'system' }], { deleteMissing: false });
    setLabelCounts(db, acc, [{ id: 'INBOX', messagesTotal: 3, messagesUnread: 0, threadsTotal: 3, threadsUnread: 0 }]);
    expect(labelProgress(db, acc, ['INBOX', 'Label_1'])).toEqual([
      { labelId: 'INBOX', fetched: 2, total: 3 },
      { labelId: 'Label_1', fetched: 1, total: null },
    ]);
  });
});

describe('saveMessageDetails', () => {
  it('writes details, labels and attachments in one go, skipping rows deleted meanwhile unless asked', ({ db, acc }) => {
    insertStubs(db, acc, [{ gmailId: 'a', threadId: 't', priority: 2, listSeq: 0 }]);
    const r = saveMessageDetails(
      db,
      acc,
      [
        msg('a', ['INBOX', 'UNREAD', 'INBOX'], {
          attachments: [
            { gmailAttachmentId: 'ANGj1', partId: '1', filename: 'report.pdf', mimeType: 'application/pdf', size: 1234, contentId: null },
          ],
        }),
        msg('gone', ['INBOX']),
      ],
      { insertMissing: false },
    );
    expect(r).toEqual({ written: 1, skipped: 1 });
    expect(getMessage(db, acc, 'gone')).toBeNull();
    const m = getMessage(db, acc, 'a');
    expect(m).toMatchObject({
      gmailId: 'a',
      threadId: 't-a',
      subject: 'subject a',
      detailsFetched: true,
      unread: true,
      hasAttachments: true,
      labelIds: ['INBOX', 'UNREAD'],
      historyId: '100',
    });
    expect(m?.attachments).toEqual([
      {
        id: expect.any(Number), gmailAttachmentId: 'ANGj1', partId: '1', filename: 'report.pdf', mimeType: 'application/pdf', size: 1234, contentId: null,
        // From format=full: the bytes are Gmail's (messages.attachments.get), not in the mirror.
        blobId: null, transferEncoding: null,
      },
    ]);
    expect(saveMessageDetails(db, acc, [msg('gone', ['INBOX'])], { insertMissing: true })).toEqual({ written: 1, skipped: 0 });
    expect(getMessage(db, acc, 'gone')?.detailsFetched).toBe(true);
  });

  it('gives a paperclip to a message with a file attached, not to one whose only picture its HTML shows in place', ({ db, acc }) => {
    const logo = { gmailAttachmentId: 'l', partId: '1.2', filename: 'logo.png', mimeType: 'image/png', size: 900, contentId: 'logo@x' };
    const photo = { gmailAttachmentId: 'p', partId: '2', filename: 'photo.png', mimeType: 'image/png', size: 9000, contentId: null };
    const invite = { gmailAttachmentId: 'i', partId: '3', filename: 'invite.ics', mimeType: 'text/calendar', size: 300, contentId: 'inv@x' };
    saveMessageDetails(
      db,
      acc,
      [msg('logo', ['INBOX'], { attachments: [logo] }), msg('photo', ['INBOX'], { attachments: [logo, photo] }), msg('ics', ['INBOX'], { attachments: [invite] })],
      { insertMissing: true },
    );
    const rows = new Map(listMessages(db, acc, { labelId: 'INBOX', limit: 10 }).items.map((r) => [r.gmailId, r.hasAttachments]));
    expect(Object.fromEntries(rows)).toEqual({ logo: false, photo: true, ics: true });
  });

  it('replaces labels and attachments on a refetch', ({ db, acc }) => {
    saveMessageDetails(
      db,
      acc,
      [msg('a', ['INBOX', 'UNREAD'], { attachments: [{ gmailAttachmentId: 'x', partId: '1', filename: 'a', mimeType: 'a/b', size: 1, contentId: null }] })],
      { insertMissing: true },
    );
    saveMessageDetails(db, acc, [msg('a', ['Label_1'], { historyId: '101', subject: 'new' })], { insertMissing: false });
    const m = getMessage(db, acc, 'a');
    expect(m).toMatchObject({ labelIds: ['Label_1'], subject: 'new', hasAttachments: false, unread: false });
    expect(m?.attachments).toEqual([]);
  });

  it('keeps labels applied by a newer history pass (historyIds compared as integers, not strings)', ({ db, acc }) => {
    insertStubs(db, acc, [{ gmailId: 'a', threadId: 't', priority: 2, listSeq: 0 }]);
    // Incremental pass at history 1000 (as a string, "1000" < "999").
    applyHistory(db, acc, [{ kind: 'labelsAdded', gmailId: 'a', threadId: 't', labelIds: ['STARRED'], historyId: '1000' }], '1000');
    // A detail fetch that started before that pass: message.historyId 999.
    saveMessageDetails(db, acc, [msg('a', ['INBOX'], { historyId: '999', subject: 'details' })], { insertMissing: false });
    const m = getMessage(db, acc, 'a');
    expect(m?.labelIds).toEqual(['STARRED']);
    expect(m?.subject).toBe('details');
    expect(m?.detailsFetched).toBe(true);
    // A fetch at the same or a newer history id wins.
    saveMessageDetails(db, acc, [msg('a', ['INBOX', 'STARRED'], { historyId: '1000' })], { insertMissing: false });
    expect(labelsOf(db, acc, 'a')).toEqual(['INBOX', 'STARRED']);
    saveMessageDetails(db, acc, [msg('a', ['INBOX'], { historyId: '12345678901234567890' })], { insertMissing: false });
    expect(labelsOf(db, acc, 'a')).toEqual(['INBOX']);
    saveMessageDetails(db, acc, [msg('a', ['TRASH'], { historyId: '12345678901234567889' })], { insertMissing: false });
    expect(labelsOf(db, acc, 'a')).toEqual(['INBOX']);
  });

  it('stores a message that failed to parse with what could be read', ({ db, acc }) => {
    saveMessageDetails(db, acc, [msg('a', ['INBOX'], { subject: null, textBody: null, parseError: 'broken', internalDate: null })], {
      insertMissing: true,
    });
    const m = getMessage(db, acc, 'a');
    expect(m).toMatchObject({ parseError: 'broken', detailsFetched: true, subject: null });
    expect(listMessages(db, acc, { limit: 10 }).items.map((i) => i.gmailId)).toEqual(['a']);
  });

  it('deletes messages by Gmail id', ({ db, acc }) => {
    saveMessageDetails(db, acc, [msg('a', ['INBOX']), msg('b', ['INBOX'])], { insertMissing: true });
    expect(deleteMessagesByGmailId(db, acc, ['a', 'zzz'])).toBe(1);
    expect(getMessage(db, acc, 'a')).toBeNull();
    expect(getMessage(db, acc, 'b')).not.toBeNull();
  });
});

describe('applyHistory', () => {
  it('applies ops in order with the new historyId, and returns what needs fetching', ({ db, acc }) => {
    saveMessageDetails(db, acc, [msg('known', ['INBOX', 'UNREAD'], { historyId: '50' })], { insertMissing: true });
    const ops: HistoryOp[] = [
      { kind: 'added', gmailId: 'new1', threadId: 'tn', labelIds: ['INBOX', 'UNREAD'], historyId: '101' },
      { kind: 'labelsRemoved', gmailId: 'known', threadId: 't-known', labelIds: ['UNREAD'], historyId: '102' },
      { kind: 'labelsAdded', gmailId: 'known', threadId: 't-known', labelIds: ['STARRED'], historyId: '103' },
      { kind: 'labelsAdded', gmailId: 'unknown', threadId: 'tu', labelIds: ['Label_1'], historyId: '104' },
      { kind: 'added', gmailId: 'short-lived', threadId: 'ts', labelIds: ['INBOX'], historyId: '105' },
      { kind: 'deleted', gmailId: 'short-lived', historyId: '106' },
      { kind: 'added', gmailId: 'known', threadId: 't-known', labelIds: ['SPAM'], historyId: '107' },
    ];
    const { toFetch, touched } = applyHistory(db, acc, ops, '110');
    expect(toFetch).toEqual(['new1', 'unknown']);
    // Added messages bring their labels with their fetch; 'known' turned read: its thread's labels too.
    expect(touched).toEqual({ labels: ['INBOX', 'Label_1', 'STARRED', 'UNREAD'], unknown: false });
    expect(labelsOf(db, acc, 'new1')).toEqual(['INBOX', 'UNREAD']);
    // 'added' for a stored message leaves its labels alone.
    expect(labelsOf(db, acc, 'known')).toEqual(['INBOX', 'STARRED']);
    expect(getMessage(db, acc, 'short-lived')).toBeNull();
    expect(getMessage(db, acc, 'unknown')?.detailsFetched).toBe(false);
    const account = getAccount(db, acc);
    expect(account?.historyId).toBe('110');
    expect(account?.lastIncrementalSyncAt).toBeInstanceOf(Date);
    // New stubs are fetched before anything from the initial listing.
    insertStubs(db, acc, [{ gmailId: 'listed', threadId: 't', priority: 1, listSeq: 0 }]);
    expect(allPendingStubs(db, acc).map((s) => s.gmailId).slice(-1)).toEqual(['listed']);
  });

  it('is idempotent: the same pass applied twice gives the same state', ({ db, acc }) => {
    saveMessageDetails(db, acc, [msg('a', ['INBOX', 'UNREAD'], { historyId: '50' }), msg('b', ['INBOX'], { historyId: '50' })], {
      insertMissing: true,
    });
    const ops: HistoryOp[] = [
      { kind: 'labelsAdded', gmailId: 'a', threadId: 't', labelIds: ['X'], historyId: '60' },
      { kind: 'labelsRemoved', gmailId: 'a', threadId: 't', labelIds: ['X', 'UNREAD'], historyId: '61' },
      { kind: 'labelsAdded', gmailId: 'a', threadId: 't', labelIds: ['X'], historyId: '61' },
      { kind: 'deleted', gmailId: 'b' },
      { kind: 'added', gmailId: 'b', threadId: 't', labelIds: ['INBOX'], historyId: '63' },
      { kind: 'labelsAdded', gmailId: 'c', threadId: 'tc', labelIds: ['Y'], historyId: '64' },
      { kind: 'labelsRemoved', gmailId: 'c', threadId: 'tc', labelIds: ['Y'], historyId: '65' },
      { kind: 'added', gmailId: 'd', threadId: 'td', labelIds: ['INBOX'], historyId: '66' },
      { kind: 'deleted', gmailId: 'd' },
    ];
    const first = applyHistory(db, acc, ops, '70');
    const after = snapshot(db, acc);
    const second = applyHistory(db, acc, ops, '70');
    expect(snapshot(db, acc)).toEqual(after);
    expect(second.toFetch).toEqual(first.toFetch);
    // Replayed, 'b' is deleted as a stub whose labels Gmail never told: every label's counts are to be read.
    expect(second.touched.unknown).toBe(true);
    expect(labelsOf(db, acc, 'a')).toEqual(['INBOX', 'X']);
    expect(labelsOf(db, acc, 'b')).toEqual(['INBOX']);
    expect(labelsOf(db, acc, 'c')).toEqual([]);
    expect(getMessage(db, acc, 'd')).toBeNull();
  });

  it('names the labels whose Gmail counts may have moved, and only those', ({ db, acc }) => {
    saveMessageDetails(
      db,
      acc,
      [
        msg('a', ['INBOX', 'CATEGORY_SOCIAL', 'UNREAD'], { threadId: 't1' }),
        msg('a2', ['Label_9'], { threadId: 't1' }),
        msg('z', ['Label_5', 'IMPORTANT'], { threadId: 't2' }),
        msg('quiet', ['Label_7'], { threadId: 't3' }),
      ],
      { insertMissing: true },
    );
    // Read: the unread counts of every label of that message move.
    expect(applyHistory(db, acc, [{ kind: 'labelsRemoved', gmailId: 'a', threadId: 't1', labelIds: ['UNREAD'], historyId: '101' }], '101').touched).toEqual({
      labels: ['CATEGORY_SOCIAL', 'INBOX', 'UNREAD'],
      unknown: false,
    });
    // Starred: that label alone.
    expect(applyHistory(db, acc, [{ kind: 'labelsAdded', gmailId: 'a2', threadId: 't1', labelIds: ['STARRED'], historyId: '102' }], '102').touched).toEqual({
      labels: ['STARRED'],
      unknown: false,
    });
    // A stored message deleted: the labels it carried.
    expect(applyHistory(db, acc, [{ kind: 'deleted', gmailId: 'z' }], '103').touched).toEqual({ labels: ['IMPORTANT', 'Label_5'], unknown: false });
    // A message never stored deleted: its labels are unknown.
    expect(applyHistory(db, acc, [{ kind: 'deleted', gmailId: 'never-seen' }], '104').touched.unknown).toBe(true);
  });

  it('marks the counts a pass may have moved stale with the pass itself, so a crash before reading them loses nothing', ({ db, acc }) => {
    const ids = ['INBOX', 'UNREAD', 'STARRED', 'Label_1', 'Label_2'];
    upsertLabels(db, acc, ids.map((id) => ({ id, name: id, type: id.startsWith('Label_') ? 'user' : 'system', messagesTotal: 1, messagesUnread: 0, threadsTotal: 1, threadsUnread: 0 })), { deleteMissing: true });
    saveMessageDetails(db, acc, [msg('a', ['INBOX', 'UNREAD'], { threadId: 't1' }), msg('b', ['Label_2'], { threadId: 't2' })], { insertMissing: true });
    expect(labelsWithStaleCounts(db, acc)).toEqual([]);
    expect(labelCountsOlderThan(db, acc, Date.now() - 60_000)).toBe(false);

    // The pass applies its changes … and dies before labels.get: the marks are in the store.
    applyHistory(db, acc, [{ kind: 'labelsAdded', gmailId: 'a', threadId: 't1', labelIds: ['STARRED'], historyId: '101' }], '101');
    expect(labelsWithStaleCounts(db, acc)).toEqual(['STARRED']);
    // Marked labels are read on their own, not taken for "every label is due".
    expect(labelCountsOlderThan(db, acc, Date.now() - 60_000)).toBe(false);
    // The next pass reads them; the mark goes with the read.
    setLabelCounts(db, acc, [{ id: 'STARRED', messagesTotal: 1, messagesUnread: 0, threadsTotal: 1, threadsUnread: 0 }]);
    expect(labelsWithStaleCounts(db, acc)).toEqual([]);

    // A message never stored deleted: which counts moved is unknown, so every label is marked.
    applyHistory(db, acc, [{ kind: 'deleted', gmailId: 'never-seen' }], '102');
    expect(labelsWithStaleCounts(db, acc)).toEqual([...ids].sort());
  });

  it('skips label changes older than what a fetch already stored', ({ db, acc }) => {
    saveMessageDetails(db, acc, [msg('a', ['INBOX'], { historyId: '200' })], { insertMissing: true });
    applyHistory(
      db,
      acc,
      [
        { kind: 'labelsAdded', gmailId: 'a', threadId: 't', labelIds: ['UNREAD'], historyId: '150' },
        { kind: 'labelsAdded', gmailId: 'a', threadId: 't', labelIds: ['STARRED'], historyId: '201' },
      ],
      '210',
    );
    expect(labelsOf(db, acc, 'a')).toEqual(['INBOX', 'STARRED']);
  });

  it('never moves the account historyId backwards', ({ db, acc }) => {
    updateAccount(db, acc, { historyId: '5000' });
    applyHistory(db, acc, [], '4999');
    expect(getAccount(db, acc)?.historyId).toBe('5000');
    applyHistory(db, acc, [], '10000');
    expect(getAccount(db, acc)?.historyId).toBe('10000');
  });
});

describe('listMessages', () => {
  function seed(db: Db, acc: number, n: number, sameDate = false): void {
    saveMessageDetails(
      db,
      acc,
      Array.from({ length: n }, (_, i) =>
        msg(`m${String(i).padStart(3, '0')}`, i % 2 === 0 ? ['INBOX', 'UNREAD'] : ['Label_1'], {
          internalDate: sameDate ? 1_700_000_000_000 : 1_700_000_000_000 + i * 1000,
        }),
      ),
      { insertMissing: true },
    );
  }

  function all(db: Db, acc: number, labelId: string | undefined, limit: number): string[] {
    const out: string[] = [];
    let cursor: string | null = null;
    for (let guard = 0; guard < 1000; guard++) {
      const page = listMessages(db, acc, { labelId, cursor, limit });
      out.push(...page.items.map((i) => i.gmailId));
      if (!page.nextCursor) break;
      cursor = page.nextCursor;
    }
    return out;
  }

  it('pages newest first, every message exactly once, with or without a label', ({ db, acc }) => {
    seed(db, acc, 25);
    const everything = all(db, acc, undefined, 7);
    expect(everything).toHaveLength(25);
    expect(everything[0]).toBe('m024');
    expect(everything[24]).toBe('m000');
    expect(new Set(everything).size).toBe(25);
    const inbox = all(db, acc, 'INBOX', 4);
    expect(inbox).toEqual(everything.filter((id) => Number(id.slice(1)) % 2 === 0));
    const first = listMessages(db, acc, { labelId: 'INBOX', limit: 1 }).items[0];
    expect(first).toMatchObject({ gmailId: 'm024', unread: true, labelIds: ['INBOX', 'UNREAD'], hasAttachments: false, subject: 'subject m024' });
  });

  it('leaves Spam and Trash out of All Mail, as Gmail does, and lists them under their own labels', ({ db, acc }) => {
    seed(db, acc, 6);
    saveMessageDetails(
      db,
      acc,
      [msg('spam1', ['SPAM', 'UNREAD'], { internalDate: 1_900_000_000_000 }), msg('bin1', ['TRASH'], { internalDate: 1_900_000_001_000 })],
      { insertMissing: true },
    );
    const everything = all(db, acc, undefined, 4);
    expect(everything).toEqual(['m005', 'm004', 'm003', 'm002', 'm001', 'm000']);
    expect(all(db, acc, 'SPAM', 4)).toEqual(['spam1']);
    expect(all(db, acc, 'TRASH', 4)).toEqual(['bin1']);
  });

  it('breaks ties on equal dates by id so pages never repeat or skip', ({ db, acc }) => {
    seed(db, acc, 13, true);
    const ids = all(db, acc, undefined, 5);
    expect(ids).toHaveLength(13);
    expect(new Set(ids).size).toBe(13);
    expect(all(db, acc, 'Label_1', 2)).toHaveLength(6);
  });

  it('stays stable while new mail arrives between pages', ({ db, acc }) => {
    seed(db, acc, 10);
    const p1 = listMessages(db, acc, { limit: 4 });
    saveMessageDetails(db, acc, [msg('newest', ['INBOX'], { internalDate: 1_800_000_000_000 })], { insertMissing: true });
    const p2 = listMessages(db, acc, { limit: 4, cursor: p1.nextCursor });
    expect(p1.items.map((i) => i.gmailId)).toEqual(['m009', 'm008', 'm007', 'm006']);
    expect(p2.items.map((i) => i.gmailId)).toEqual(['m005', 'm004', 'm003', 'm002']);
  });

  it('does not list stubs, and shows a message once its details arrive', ({ db, acc }) => {
    insertStubs(db, acc, [{ gmailId: 's', threadId: 't', priority: 0, listSeq: 0 }]);
    applyHistory(db, acc, [{ kind: 'added', gmailId: 'h', threadId: 't', labelIds: ['INBOX'], historyId: '5' }], '6');
    expect(listMessages(db, acc, { limit: 10 }).items).toEqual([]);
    expect(listMessages(db, acc, { labelId: 'INBOX', limit: 10 }).items).toEqual([]);
    saveMessageDetails(db, acc, [msg('h', ['INBOX'], { historyId: '6' })], { insertMissing: false });
    expect(listMessages(db, acc, { labelId: 'INBOX', limit: 10 }).items.map((i) => i.gmailId)).toEqual(['h']);
  });

  it('rejects a forged cursor with InvalidCursorError', ({ db, acc }) => {
    expect(() => listMessages(db, acc, { limit: 5, cursor: 'not-a-cursor' })).toThrow(InvalidCursorError);
    expect(() => listMessages(db, acc, { limit: 5, cursor: Buffer.from('[1,"x"]').toString('base64url') })).toThrow(
      expect.objectContaining({ code: 'INVALID_CURSOR' }),
    );
  });

  it('reads a label page from its index, not by sorting the whole label', ({ db }) => {
    const plan = db.sqlite
      .prepare(
        `EXPLAIN QUERY PLAN SELECT m.id FROM message_labels ml JOIN messages m ON m.id = ml.message_id
         WHERE ml.account_id = ? AND ml.label_id = ? AND ml.internal_date IS NOT NULL AND (ml.internal_date, ml.message_id) < (?, ?)
         ORDER BY ml.internal_date DESC, ml.message_id DESC LIMIT 50`,
      )
      .all(1, 'INBOX', 1, 1) as Array<{ detail: string }>;
    const text = plan.map((p) => p.detail).join('\n');
    expect(text).toContain('message_labels_account_label_date');
    expect(text).not.toContain('TEMP B-TREE');
  });
});

describe('exportMirror', () => {
  it('exports every label and every stored message, sorted by plain string order', ({ db, acc }) => {
    upsertLabels(
      db,
      acc,
      [
        { id: 'Label_10', name: 'Ten', type: 'user', messagesTotal: 1, messagesUnread: 0, threadsTotal: 1, threadsUnread: 0 },
        { id: 'INBOX', name: 'INBOX', type: 'system', messagesTotal: 2, messagesUnread: 1, threadsTotal: 2, threadsUnread: 1 },
        { id: 'Label_9', name: 'Nine', type: 'user' },
      ],
      { deleteMissing: true },
    );
    updateAccount(db, acc, { historyId: '777' });
    saveMessageDetails(
      db,
      acc,
      [msg('b', ['UNREAD', 'INBOX'], { subject: 'Grüße', internalDate: 1_600_000_000_001 }), msg('B', ['Label_10'], { subject: null })],
      { insertMissing: true },
    );
    insertStubs(db, acc, [{ gmailId: 'a', threadId: 'ta', priority: 2, listSeq: 0 }]);
    const x = exportMirror(db, acc);
    expect(x).toEqual({
      account: 'me@example.com',
      historyId: '777',
      labels: [
        { id: 'INBOX', name: 'INBOX', type: 'system', messagesTotal: 2, messagesUnread: 1, threadsTotal: 2, threadsUnread: 1 },
        { id: 'Label_10', name: 'Ten', type: 'user', messagesTotal: 1, messagesUnread: 0, threadsTotal: 1, threadsUnread: 0 },
        { id: 'Label_9', name: 'Nine', type: 'user', messagesTotal: 0, messagesUnread: 0, threadsTotal: 0, threadsUnread: 0 },
      ],
      messages: [
        { id: 'B', threadId: 't-B', labelIds: ['Label_10'], internalDate: '1700000000000', subject: '' },
        { id: 'a', threadId: 'ta', labelIds: [], internalDate: '', subject: '' },
        { id: 'b', threadId: 't-b', labelIds: ['INBOX', 'UNREAD'], internalDate: '1600000000001', subject: 'Grüße' },
      ],
    });
    expect(exportMirror(db, 999)).toBeNull();
  });
});
