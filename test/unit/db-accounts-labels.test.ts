import { describe, expect } from 'vitest';
import {
  createAccount,
  getAccount,
  getAccountByEmail,
  listAccounts,
  updateAccount,
  deleteAccount,
  upsertLabels,
  setLabelCounts,
  listLabels,
  localLabelCounts,
  insertStubs,
  saveMessageDetails,
  applyHistory,
  deleteMessagesByGmailId,
  createRun,
  type Db,
} from '../../src/main/db';
import { sampleMessage } from '../helpers/parsed-message';
import { storeTest } from '../helpers/fixtures';

const it = storeTest;

const msg = sampleMessage;

const count = (db: Db, sql: string, ...params: unknown[]): number => (db.sqlite.prepare(sql).get(...params) as { n: number }).n;

describe('accounts', () => {
  it('creates an account once per address, whatever its case', ({ db }) => {
    const a = createAccount(db, { email: 'Alice@Example.com ' });
    const again = createAccount(db, { email: 'alice@example.com' });
    expect(again.id).toBe(a.id);
    expect(a.email).toBe('alice@example.com');
    expect(a.status).toBe('active');
    expect(a.initialSyncCompleted).toBe(false);
    expect(a.createdAt).toBeInstanceOf(Date);
    expect(getAccountByEmail(db, 'ALICE@example.com')?.id).toBe(a.id);
    expect(getAccount(db, a.id)?.email).toBe('alice@example.com');
    expect(getAccount(db, 999)).toBeNull();
    createAccount(db, { email: 'b@example.com' });
    expect(listAccounts(db).map((x) => x.email)).toEqual(['alice@example.com', 'b@example.com']);
  });

  it('updates the fields given and leaves the rest', ({ db }) => {
    const a = createAccount(db, { email: 'a@example.com' });
    const when = new Date(1_700_000_000_123);
    const u = updateAccount(db, a.id, { historyId: '12345', initialSyncCompleted: true, lastFullSyncAt: when, status: 'needs_reconnect' });
    expect(u).toMatchObject({ historyId: '12345', initialSyncCompleted: true, status: 'needs_reconnect', email: 'a@example.com' });
    expect(u?.lastFullSyncAt?.getTime()).toBe(when.getTime());
    expect(updateAccount(db, 999, { historyId: '1' })).toBeNull();
  });

  it('deleting an account removes everything it owns and nothing of other accounts', ({ db }) => {
    const a = createAccount(db, { email: 'a@example.com' });
    const b = createAccount(db, { email: 'b@example.com' });
    for (const acc of [a, b]) {
      upsertLabels(db, acc.id, [{ id: 'INBOX', name: 'INBOX', type: 'system' }], { deleteMissing: false });
      insertStubs(db, acc.id, [{ gmailId: 'm1', threadId: 't1', priority: 1, listSeq: 0 }]);
      saveMessageDetails(
        db,
        acc.id,
        [msg('m1', ['INBOX', 'UNREAD'], { attachments: [{ gmailAttachmentId: 'att', partId: '1', filename: 'a.pdf', mimeType: 'application/pdf', size: 10, contentId: null }] })],
        { insertMissing: false },
      );
      createRun(db, { accountId: acc.id, type: 'initial' });
    }
    expect(deleteAccount(db, a.id)).toBe(true);
    expect(deleteAccount(db, a.id)).toBe(false);
    for (const table of ['labels', 'messages', 'message_labels', 'sync_runs', 'label_local_counts']) {
      expect(count(db, `SELECT count(*) AS n FROM ${table} WHERE account_id = ?`, a.id)).toBe(0);
      expect(count(db, `SELECT count(*) AS n FROM ${table} WHERE account_id = ?`, b.id)).toBeGreaterThan(0);
    }
    expect(count(db, 'SELECT count(*) AS n FROM attachments')).toBe(1);
    expect(count(db, `SELECT count(*) AS n FROM messages_fts WHERE messages_fts MATCH 'm1'`)).toBe(1);
    expect(listLabels(db, b.id)[0]).toMatchObject({ id: 'INBOX', localMessagesTotal: 1, localMessagesUnread: 1 });
  });
});

describe('labels', () => {
  it('upserts by (account, label id): INBOX in two accounts are two labels', ({ db }) => {
    const a = createAccount(db, { email: 'a@example.com' });
    const b = createAccount(db, { email: 'b@example.com' });
    upsertLabels(db, a.id, [{ id: 'INBOX', name: 'INBOX', type: 'system', messagesTotal: 5 }], { deleteMissing: false });
    upsertLabels(db, b.id, [{ id: 'INBOX', name: 'INBOX', type: 'system', messagesTotal: 7 }], { deleteMissing: false });
    expect(listLabels(db, a.id).map((l) => l.messagesTotal)).toEqual([5]);
    expect(listLabels(db, b.id).map((l) => l.messagesTotal)).toEqual([7]);
  });

  it('keeps stored counts when the update carries none (labels.list) and updates definitions', ({ db }) => {
    const a = createAccount(db, { email: 'a@example.com' });
    upsertLabels(
      db,
      a.id,
      [
        {
          id: 'Label_1',
          name: 'Work',
          type: 'user',
          color: { backgroundColor: '#000000', textColor: '#ffffff' },
          labelListVisibility: 'labelShow',
          messagesTotal: 10,
          messagesUnread: 2,
          threadsTotal: 8,
          threadsUnread: 1,
        },
      ],
      { deleteMissing: false },
    );
    upsertLabels(db, a.id, [{ id: 'Label_1', name: 'Work/Projects', type: 'user' }], { deleteMissing: false });
    const [l] = listLabels(db, a.id);
    expect(l).toMatchObject({ id: 'Label_1', name: 'Work/Projects', type: 'user', messagesTotal: 10, messagesUnread: 2, threadsTotal: 8, threadsUnread: 1 });
    expect(l.color).toBeNull();
    expect(l.lastSyncedAt).toEqual(expect.any(Number));
  });

  it('accepts the color already split into color/textColor', ({ db }) => {
    const a = createAccount(db, { email: 'a@example.com' });
    upsertLabels(db, a.id, [{ id: 'Label_1', name: 'W', type: 'user', color: '#16a765', textColor: '#ffffff' }], { deleteMissing: false });
    expect(listLabels(db, a.id)[0]).toMatchObject({ color: '#16a765', textColor: '#ffffff' });
  });

  it('deleteMissing drops labels gone from Gmail and removes them from every stored message of that account only', ({ db }) => {
    const a = createAccount(db, { email: 'a@example.com' });
    const b = createAccount(db, { email: 'b@example.com' });
    const defs = [
      { id: 'INBOX', name: 'INBOX', type: 'system' },
      { id: 'Label_1', name: 'Keep', type: 'user' },
      { id: 'Label_2', name: 'Gone', type: 'user' },
    ];
    for (const acc of [a, b]) {
      upsertLabels(db, acc.id, defs, { deleteMissing: true });
      saveMessageDetails(db, acc.id, [msg('m1', ['INBOX', 'Label_1', 'Label_2']), msg('m2', ['Label_2', 'Label_9'])], { insertMissing: true });
    }
    const r = upsertLabels(db, a.id, defs.slice(0, 2), { deleteMissing: true });
    expect(r.deleted).toEqual(['Label_2']);
    expect(listLabels(db, a.id).map((l) => l.id)).toEqual(['INBOX', 'Label_1']);
    // Label_9 was never defined: not in labels.list either, so it goes too.
    expect(db.sqlite.prepare('SELECT DISTINCT label_id AS l FROM message_labels WHERE account_id = ? ORDER BY 1').pluck().all(a.id)).toEqual([
      'INBOX',
      'Label_1',
    ]);
    expect(db.sqlite.prepare('SELECT DISTINCT label_id AS l FROM message_labels WHERE account_id = ? ORDER BY 1').pluck().all(b.id)).toEqual([
      'INBOX',
      'Label_1',
      'Label_2',
      'Label_9',
    ]);
    expect(localLabelCounts(db, a.id, ['Label_2'])).toEqual([{ labelId: 'Label_2', messagesTotal: 0, messagesUnread: 0 }]);
    // Without deleteMissing nothing is removed.
    upsertLabels(db, b.id, defs.slice(0, 1), { deleteMissing: false });
    expect(listLabels(db, b.id)).toHaveLength(3);
  });

  it('setLabelCounts stores Gmail counts for known labels and ignores unknown ids', ({ db }) => {
    const a = createAccount(db, { email: 'a@example.com' });
    upsertLabels(db, a.id, [{ id: 'INBOX', name: 'INBOX', type: 'system' }], { deleteMissing: false });
    const n = setLabelCounts(db, a.id, [
      { id: 'INBOX', messagesTotal: 120, messagesUnread: 3, threadsTotal: 100, threadsUnread: 2 },
      { id: 'NOPE', messagesTotal: 1, messagesUnread: 1, threadsTotal: 1, threadsUnread: 1 },
    ]);
    expect(n).toBe(1);
    expect(listLabels(db, a.id)[0]).toMatchObject({ messagesTotal: 120, messagesUnread: 3, threadsTotal: 100, threadsUnread: 2 });
  });

  it('lists system labels first, then user labels by name', ({ db }) => {
    const a = createAccount(db, { email: 'a@example.com' });
    upsertLabels(
      db,
      a.id,
      [
        { id: 'Label_2', name: 'beta', type: 'user' },
        { id: 'INBOX', name: 'INBOX', type: 'system' },
        { id: 'Label_1', name: 'Alpha', type: 'user' },
      ],
      { deleteMissing: false },
    );
    expect(listLabels(db, a.id).map((l) => l.name)).toEqual(['INBOX', 'Alpha', 'beta']);
  });

  it('local counts stay exact through any mix of label writes, history, deletes and cascades', ({ db }) => {
    const a = createAccount(db, { email: 'a@example.com' });
    const ids = ['INBOX', 'UNREAD', 'STARRED', 'Label_1', 'Label_2'];
    upsertLabels(
      db,
      a.id,
      ids.map((id) => ({ id, name: id, type: id.startsWith('Label') ? 'user' : 'system' })),
      { deleteMissing: false },
    );
    let seed = 42;
    const rnd = (n: number): number => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed % n;
    };
    const pick = (): string[] => ids.filter(() => rnd(2) === 0);
    let history = 1000;
    for (let i = 0; i < 400; i++) {
      const id = `m${rnd(40)}`;
      switch (rnd(5)) {
        case 0: {
          // A batch of fetched messages, as the sync writes them: some listed (or added by history) with labels
          // already, some new, the same message twice now and then.
          const batch = [id, ...Array.from({ length: rnd(4) }, () => `m${rnd(40)}`)];
          saveMessageDetails(db, a.id, batch.map((b) => msg(b, pick(), { historyId: String(history++) })), { insertMissing: true });
          break;
        }
        case 1:
          applyHistory(db, a.id, [{ kind: 'labelsAdded', gmailId: id, threadId: 't', labelIds: pick(), historyId: String(history++) }], String(history));
          break;
        case 2:
          applyHistory(db, a.id, [{ kind: 'labelsRemoved', gmailId: id, threadId: 't', labelIds: pick(), historyId: String(history++) }], String(history));
          break;
        case 3:
          applyHistory(db, a.id, [{ kind: 'added', gmailId: id, threadId: 't', labelIds: pick(), historyId: String(history++) }], String(history));
          break;
        default:
          deleteMessagesByGmailId(db, a.id, [id]);
      }
    }
    const truth = new Map<string, [number, number]>();
    const rows = db.sqlite
      .prepare(
        `SELECT ml.label_id AS l, count(*) AS t, count(u.message_id) AS u FROM message_labels ml
         LEFT JOIN message_labels u ON u.message_id = ml.message_id AND u.label_id = 'UNREAD'
         WHERE ml.account_id = ? GROUP BY ml.label_id`,
      )
      .all(a.id) as Array<{ l: string; t: number; u: number }>;
    for (const r of rows) truth.set(r.l, [r.t, r.u]);
    expect(rows.length).toBeGreaterThan(0);
    for (const l of listLabels(db, a.id)) {
      expect([l.id, l.localMessagesTotal, l.localMessagesUnread]).toEqual([l.id, ...(truth.get(l.id) ?? [0, 0])]);
    }
  });
});
