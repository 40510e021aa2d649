// The IPC router over the real app core (ipc-harness: AppCore, a real store, Redis and the Gmail emulator): every channel rejects malformed requests with a typed
// INVALID_REQUEST error, and valid requests answer from the store.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createRouter, type IpcEventMessage, type IpcRouter } from '../../src/main/ipc/router';
import { INVOKE_CHANNELS, ipcChannels, type InvokeChannel, type IpcResult } from '../../src/shared/ipc';
import { APP_VERSION } from '../../src/main/version';
import { createHarness, seedMailbox, type Harness, type Seeded } from '../helpers/ipc-harness';

let h: Harness;
let router: IpcRouter;
let seeded: Seeded;

beforeEach(async () => {
  h = await createHarness({ gmailAccounts: ['bob@example.com'], conversations: true });
  seeded = await seedMailbox(h, { count: 250 });
  router = createRouter(h.services, { throttleMs: { 'sync:progress': 100, 'labels:changed': 100, 'messages:changed': 100 } });
});

afterEach(async () => {
  router.close();
  await h.close();
});

function expectInvalid(r: IpcResult<unknown>) {
  expect(r.ok).toBe(false);
  if (r.ok) return;
  expect(r.error.code).toBe('INVALID_REQUEST');
  expect(typeof r.error.message).toBe('string');
  expect(r.error.message).not.toMatch(/\n\s+at /); // never a stack
}

function value<T>(r: IpcResult<T>): T {
  if (!r.ok) throw new Error(`expected ok, got ${r.error.code}: ${r.error.message}`);
  return r.value;
}

/** Malformed requests every channel must refuse, whatever its schema. */
const ALWAYS_BAD: unknown[] = [null, undefined, 42, 'labels', [], true, { unexpected: 1 }];

/** Requests that look plausible but break each channel's own schema. */
const BAD_FOR: Record<InvokeChannel, unknown[]> = {
  'app:info': [{ verbose: true }],
  'accounts:list': [{ accountId: 1 }],
  'accounts:connect': [{ email: 'x@example.com' }],
  'accounts:connectResult': [{}, { flowId: '' }, { flowId: 7 }, { flowId: 'x'.repeat(500) }],
  'accounts:connectCancel': [{}, { flowId: null }],
  'accounts:connectDemo': [{ seed: 1 }],
  'accounts:remove': [{}, { accountId: '1' }, { accountId: 0 }, { accountId: -3 }, { accountId: 1.5 }],
  'sync:now': [{}, { accountId: 'a' }, { accountId: 1, full: 'yes' }],
  'sync:status': [{}, { accountId: null }],
  'labels:list': [{}, { accountId: '1' }, { accountId: 1, extra: true }],
  'messages:list': [
    {},
    { accountId: 1 },
    { accountId: 1, labelId: 5 },
    { accountId: 1, labelId: 'INBOX', limit: 0 },
    { accountId: 1, labelId: 'INBOX', limit: 10_000 },
    { accountId: 1, labelId: 'INBOX', cursor: 3 },
    { accountId: 1, labelId: '' },
  ],
  'messages:get': [{}, { accountId: 1 }, { accountId: 1, messageId: '' }, { accountId: 1, messageId: 12 }],
  'messages:original': [{}, { accountId: 1 }, { accountId: 1, messageId: '' }, { accountId: 1, messageId: 'm', extra: 1 }],
  'messages:source': [{}, { messageId: 'm' }, { accountId: 0, messageId: 'm' }],
  'export:defaults': [{}, { accountId: 'me@example.com' }],
  'accounts:export': [
    {},
    { accountId: 1, format: 'mbox' },
    { accountId: 1, format: 'pst', path: '/tmp/x' },
    { accountId: 1, format: 'eml', path: '' },
    { accountId: 1, format: 'eml', path: '/tmp/x', force: 'yes' },
  ],
  'accounts:exportCancel': [{}, { accountId: 'me@example.com' }, { accountId: 1, format: 'mbox' }],
  'messages:search': [
    {},
    { accountId: 1 },
    { accountId: 1, query: '' },
    { accountId: 1, query: '   ' },
    { accountId: 1, query: 'x'.repeat(501) },
    { accountId: 1, query: 'a', limit: -1 },
  ],
  'threads:list': [
    {},
    { accountId: 1 },
    { accountId: 1, labelId: 5 },
    { accountId: 1, labelId: 'INBOX', limit: 0 },
    { accountId: 1, labelId: 'INBOX', limit: 501 },
    { accountId: 1, labelId: 'INBOX', cursor: '' },
    { accountId: 1, labelId: 'INBOX', query: 'x' },
  ],
  'threads:get': [{}, { accountId: 1 }, { accountId: 1, threadId: '' }, { accountId: 1, threadId: 7 }, { accountId: 1, threadId: 't', labelId: 3 }],
  'attachments:download': [{}, { accountId: 1, messageId: 'm' }, { accountId: 1, messageId: 'm', attachmentId: 5 }],
  'settings:get': [{ all: true }],
  'settings:set': [
    { syncIntervalSeconds: 5 },
    { syncIntervalSeconds: '60' },
    { includeSpamTrash: 'no' },
    { remoteImages: 'sometimes' },
    { conversations: 'yes' },
    { theme: 'dark' },
  ],
  'client:status': [{ clientSecret: true }],
  'client:set': [
    {},
    { json: 5 },
    { name: 'client_secret.json' },
    { json: '{}', clientId: 'a.apps.googleusercontent.com' },
    { json: '{}', name: 'x'.repeat(300) },
    { clientId: 5, clientSecret: 's' },
    { clientId: 'a.apps.googleusercontent.com', clientSecret: 's', dataDir: '/' },
  ],
  'client:clear': [{ all: true }],
  'store:rebuild': [{ all: true }, { file: 'mailmirror.db' }],
};

describe('IPC router: malformed requests', () => {
  it('covers every channel of the contract', () => {
    expect(Object.keys(BAD_FOR).sort()).toEqual([...INVOKE_CHANNELS].sort());
    expect(Object.keys(ipcChannels).sort()).toEqual([...INVOKE_CHANNELS].sort());
  });

  for (const channel of INVOKE_CHANNELS) {
    it(`${channel} rejects malformed requests with INVALID_REQUEST`, async () => {
      for (const bad of [...ALWAYS_BAD, ...BAD_FOR[channel]]) {
        const r = await router.handle(channel, bad, { transport: 'direct' });
        expectInvalid(r);
      }
    });
  }

  it('rejects unknown and non-string channels', async () => {
    for (const ch of ['labels:delete', 'accounts:list ', '__proto__', 'constructor', 42, null, { c: 1 }]) {
      expectInvalid(await router.handle(ch, {}));
    }
  });

  it('says where a request was wrong', async () => {
    const r = await router.handle('messages:list', { accountId: 'one', labelId: 'INBOX' });
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.issues?.[0].path).toBe('accountId');
      expect(r.error.message).toContain('accountId');
    }
  });

  it('refuses a forged list cursor as INVALID_REQUEST', async () => {
    const r = await router.invoke('messages:list', { accountId: seeded.accountId, labelId: 'INBOX', cursor: 'not-a-cursor' });
    expectInvalid(r);
    expectInvalid(await router.invoke('threads:list', { accountId: seeded.accountId, labelId: 'INBOX', cursor: 'not-a-cursor' }));
    expectInvalid(await router.invoke('messages:search', { accountId: seeded.accountId, query: 'update', cursor: 'o99999' }));
  });
});

describe('IPC router: answers from the store', () => {
  it('app:info and accounts:list', async () => {
    expect(value(await router.invoke('app:info', {}))).toEqual({ version: APP_VERSION, demoAvailable: false });
    const accounts = value(await router.invoke('accounts:list', {}));
    expect(accounts).toHaveLength(1);
    expect(accounts[0]).toMatchObject({ id: seeded.accountId, email: 'alice@example.com', status: 'active', localMessages: 252 });
    // Nothing secret crosses: the stored token cipher is not part of the answer.
    expect(JSON.stringify(accounts)).not.toContain('token');
  });

  it('labels:list has Gmail counts and local counts', async () => {
    const labels = value(await router.invoke('labels:list', { accountId: seeded.accountId }));
    const inbox = labels.find((l) => l.id === 'INBOX');
    expect(inbox).toMatchObject({ type: 'system', messagesTotal: 252, localTotal: 252 });
    expect(inbox?.messagesUnread).toBe(inbox?.localUnread);
    expect(inbox?.messagesUnread).toBeGreaterThan(0);
    const nested = labels.find((l) => l.id === 'Label_2');
    expect(nested).toMatchObject({ name: 'Work/Projects', type: 'user', color: { background: '#16a766', text: '#ffffff' } });
    for (const l of labels) expect(l.localTotal).toBe(l.messagesTotal);
  });

  it('messages:list pages a label newest first by cursor, with no repeats', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page: { messages: { id: string }[]; nextCursor: string | null } = value(
        await router.invoke('messages:list', { accountId: seeded.accountId, labelId: 'INBOX', cursor, limit: 100 }),
      );
      seen.push(...page.messages.map((m) => m.id));
      cursor = page.nextCursor;
      pages++;
    } while (cursor && pages < 10);
    expect(pages).toBe(3);
    expect(new Set(seen).size).toBe(252);
    expect(seen[0]).toBe(seeded.hostileId);
    expect(seen[1]).toBe('plain0001');
    expect(seen[2]).toBe('m00000');
    const first = value(await router.invoke('messages:list', { accountId: seeded.accountId, labelId: 'Label_4', limit: 5 }));
    expect(first.messages.every((m) => m.labelIds.includes('Label_4'))).toBe(true);
    const all = value(await router.invoke('messages:list', { accountId: seeded.accountId, labelId: null, limit: 3 }));
    expect(all.messages.map((m) => m.id)).toEqual([seeded.hostileId, 'plain0001', 'm00000']);
    expect(all.messages[0]).toMatchObject({ unread: true, starred: false, hasAttachments: true });
  });

  it('threads:list pages conversations: one row per thread with its count, senders and any-message markers', async () => {
    const rows: { id: string; threadId: string; messageCount: number }[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page: { threads: { id: string; threadId: string; messageCount: number }[]; nextCursor: string | null } = value(
        await router.invoke('threads:list', { accountId: seeded.accountId, labelId: 'INBOX', cursor, limit: 40 }),
      );
      rows.push(...page.threads);
      cursor = page.nextCursor;
      pages++;
    } while (cursor && pages < 20);
    // 250 seeded messages in pairs, plus two threads of one: 127 conversations, none twice, newest first.
    expect(rows).toHaveLength(127);
    expect(new Set(rows.map((t) => t.threadId)).size).toBe(127);
    expect(rows.slice(0, 4).map((t) => [t.threadId, t.id, t.messageCount])).toEqual([
      ['thostile', seeded.hostileId, 1],
      ['tplain', 'plain0001', 1],
      ['t00000', 'm00000', 2],
      ['t00001', 'm00002', 2],
    ]);
    const first = value(await router.invoke('threads:list', { accountId: seeded.accountId, labelId: 'INBOX', limit: 3 })).threads[2];
    // m00000 is unread and starred, m00001 (the older) is neither: the conversation is both; its subject is m00001's.
    expect(first).toMatchObject({ unread: true, unreadCount: 1, starred: true, subject: 'Design review notes #1' });
    expect(first.senders).toEqual([
      { from: 'Ada Lovelace <ada@engines.example>', unread: false },
      { from: '"Grace Hopper" <grace@navy.example>', unread: true },
    ]);
    // Gmail's own counts for the Inbox (labels.get) agree with the rows.
    const inbox = value(await router.invoke('labels:list', { accountId: seeded.accountId })).find((l) => l.id === 'INBOX');
    expect(inbox?.threadsTotal).toBe(127);
    const whole = value(await router.invoke('threads:list', { accountId: seeded.accountId, labelId: 'INBOX', limit: 500 }));
    expect(whole.nextCursor).toBeNull();
    const unreadRows = whole.threads.filter((t) => t.unread);
    expect(unreadRows).toHaveLength(inbox?.threadsUnread ?? -1);
  });

  it('threads:get answers the conversation oldest first with bodies; an unknown thread is NOT_FOUND', async () => {
    const messages = value(await router.invoke('threads:get', { accountId: seeded.accountId, threadId: 't00000' }));
    expect(messages.map((m) => m.id)).toEqual(['m00001', 'm00000']);
    expect(messages[1]).toMatchObject({ subject: 'Status update #0', unread: true, textBody: expect.stringContaining('routine update number 0') as unknown });
    const hostile = value(await router.invoke('threads:get', { accountId: seeded.accountId, threadId: 'thostile', labelId: 'INBOX' }));
    expect(hostile[0].attachments[0]).toMatchObject({ filename: 'report.csv' });
    const missing = await router.invoke('threads:get', { accountId: seeded.accountId, threadId: 'nope' });
    expect(missing.ok === false && missing.error.code).toBe('NOT_FOUND');
    const noAccount = await router.invoke('threads:list', { accountId: 999, labelId: null });
    expect(noAccount.ok === false && noAccount.error.code).toBe('NOT_FOUND');
  });

  it('messages:get answers the bodies and attachment list; unknown ids are NOT_FOUND', async () => {
    const m = value(await router.invoke('messages:get', { accountId: seeded.accountId, messageId: seeded.hostileId }));
    expect(m.subject).toBe('Quarterly report (with surprises)');
    expect(m.htmlBody).toContain('zeppelin');
    expect(m.cc).toBe('bob@example.com');
    expect(m.attachments).toHaveLength(1);
    expect(m.attachments[0]).toMatchObject({ filename: 'report.csv', mimeType: 'text/csv', size: 18 });
    const missing = await router.invoke('messages:get', { accountId: seeded.accountId, messageId: 'nope' });
    expect(missing.ok === false && missing.error.code).toBe('NOT_FOUND');
    const noAccount = await router.invoke('labels:list', { accountId: 999 });
    expect(noAccount.ok === false && noAccount.error.code).toBe('NOT_FOUND');
  });

  it('messages:search finds by a body word, newest first, counts every match and pages through them', async () => {
    const r = value(await router.invoke('messages:search', { accountId: seeded.accountId, query: 'zeppelin' }));
    expect(r.messages.map((m) => m.id)).toEqual([seeded.hostileId]);
    expect(r.total).toBe(1);
    const lisbon = value(await router.invoke('messages:search', { accountId: seeded.accountId, query: 'TP1234' }));
    expect(lisbon.messages.map((m) => m.id)).toEqual([seeded.plainId]);
    const p1 = value(await router.invoke('messages:search', { accountId: seeded.accountId, query: 'routine', limit: 100 }));
    expect(p1.messages).toHaveLength(100);
    expect(p1.total).toBe(250);
    expect(p1.nextCursor).not.toBeNull();
    const p2 = value(await router.invoke('messages:search', { accountId: seeded.accountId, query: 'routine', limit: 100, cursor: p1.nextCursor }));
    const p3 = value(await router.invoke('messages:search', { accountId: seeded.accountId, query: 'routine', limit: 100, cursor: p2.nextCursor }));
    expect(p3.nextCursor).toBeNull();
    const all = [...p1.messages, ...p2.messages, ...p3.messages];
    expect(new Set(all.map((m) => m.id)).size).toBe(250);
    const dates = all.map((m) => m.internalDate ?? 0);
    expect(dates).toEqual([...dates].sort((a, b) => b - a));
  });

  it('messages:search reads Gmail operators, ranks by relevance when asked, and points at what it cannot read', async () => {
    const ids = async (query: string, order?: 'newest' | 'relevance') =>
      value(await router.invoke('messages:search', { accountId: seeded.accountId, query, limit: 500, order })).messages.map((m) => m.id);
    expect(await ids('filename:report.csv')).toEqual([seeded.hostileId]);
    expect(await ids('cc:bob from:mallory has:attachment')).toEqual([seeded.hostileId]);
    expect(await ids('"trip to lisbon" OR zeppelin')).toEqual([seeded.hostileId, seeded.plainId]);
    expect(await ids('lisbon -itinerary')).toEqual([]);
    expect(await ids('rfc822msgid:plain@travel.example')).toEqual([seeded.plainId]);
    const unread = value(await router.invoke('messages:search', { accountId: seeded.accountId, query: 'in:inbox is:unread', limit: 10 }));
    const seededUnread = value(await router.invoke('labels:list', { accountId: seeded.accountId })).find((l) => l.id === 'UNREAD');
    expect(unread.total).toBe(seededUnread?.localTotal);
    // Relevance: the subject match ranks above the body-only ones.
    expect((await ids('quarterly report', 'relevance'))[0]).toBe(seeded.hostileId);

    const odd = await router.invoke('messages:search', { accountId: seeded.accountId, query: '"unbalanced AND (NEAR' });
    expectInvalid(odd);
    expect(odd.ok === false && odd.error.message).toContain('(character 1): this quote is never closed');
    const bad = await router.invoke('messages:search', { accountId: seeded.accountId, query: 'zeppelin older_than:3x' });
    expectInvalid(bad);
    expect(bad.ok === false && bad.error.message).toBe(
      'Cannot read the search at "older_than:3x" (character 10): older_than: needs a number followed by d (days), m (months) or y (years), like older_than:2d',
    );
  });

  it('messages:search with NUL or other control characters searches, or says why not — never INTERNAL', async () => {
    const nul = value(await router.invoke('messages:search', { accountId: seeded.accountId, query: 'zeppelin\u0000numbers' }));
    expect(nul.messages.map((m) => m.id)).toEqual([seeded.hostileId]);
    const esc = value(await router.invoke('messages:search', { accountId: seeded.accountId, query: '\u001bTP1234\u0007' }));
    expect(esc.messages.map((m) => m.id)).toEqual([seeded.plainId]);
    const nothing = await router.invoke('messages:search', { accountId: seeded.accountId, query: '\u0000\u0001 \u007f' });
    expectInvalid(nothing);
    expect(nothing.ok === false && nothing.error.message).toContain('type something to search for');
  });

  it('attachments:download returns the bytes; another message’s attachment is NOT_FOUND', async () => {
    const m = value(await router.invoke('messages:get', { accountId: seeded.accountId, messageId: seeded.hostileId }));
    const a = value(await router.invoke('attachments:download', { accountId: seeded.accountId, messageId: seeded.hostileId, attachmentId: m.attachments[0].id }));
    expect(a).toMatchObject({ filename: 'report.csv', mimeType: 'text/csv', size: 18 });
    expect(Buffer.from(a.dataBase64, 'base64').toString()).toBe('id,total\n1,42\n2,7\n');
    const wrong = await router.invoke('attachments:download', { accountId: seeded.accountId, messageId: seeded.plainId, attachmentId: m.attachments[0].id });
    expect(wrong.ok === false && wrong.error.code).toBe('NOT_FOUND');
  });

  it('attachments:download names the file without bidi tricks, control characters or a path', async () => {
    h.db.sqlite.prepare('UPDATE attachments SET filename = ? WHERE gmail_attachment_id = ?').run('../invoice\u202Efdp\u0000.sh', seeded.attachmentId);
    const m = value(await router.invoke('messages:get', { accountId: seeded.accountId, messageId: seeded.hostileId }));
    const a = value(await router.invoke('attachments:download', { accountId: seeded.accountId, messageId: seeded.hostileId, attachmentId: m.attachments[0].id }));
    expect(a.filename).toBe('invoicefdp.sh');
  });

  it('settings, sync and account removal go to the core', async () => {
    expect(value(await router.invoke('settings:get', {}))).toEqual({
      syncIntervalSeconds: 60,
      includeSpamTrash: true,
      remoteImages: 'ask',
      imagesAllowedFrom: [],
      readingPane: 'right',
      sidebarWidth: null,
      listWidth: null,
      listHeight: null,
      conversations: true,
      keepOriginals: 'all',
      attachmentCapMb: 25,
    });
    expect(value(await router.invoke('settings:set', { remoteImages: 'always' }))).toMatchObject({ remoteImages: 'always' });
    expect(value(await router.invoke('settings:set', { conversations: false }))).toMatchObject({ conversations: false, remoteImages: 'always' });
    expect(value(await router.invoke('sync:now', { accountId: seeded.accountId, full: true }))).toBeNull();
    // Queued for the workers: the labels, then a full resync.
    const queued = await h.queued();
    expect(queued).toContainEqual({ name: 'initialSync', data: { accountId: seeded.accountId, mode: 'full' } });
    const status = value(await router.invoke('sync:status', { accountId: seeded.accountId }));
    // The sync just asked for shows (no worker runs here to finish it).
    expect(status).toMatchObject({ accountId: seeded.accountId, processed: 252, total: 252, phase: 'incremental', percent: 100 });
    const demo = await router.invoke('accounts:connectDemo', {});
    expect(demo.ok === false && demo.error.code).toBe('UNSUPPORTED');
    expect(value(await router.invoke('accounts:remove', { accountId: seeded.accountId }))).toBeNull();
    expect(value(await router.invoke('accounts:list', {}))).toEqual([]);
    const gone = await router.invoke('sync:now', { accountId: seeded.accountId });
    expect(gone.ok === false && gone.error.code).toBe('NOT_FOUND');
  });

  it('connects through the consent URL and can cancel a flow', async () => {
    h.emu.setConsentAccount('bob@example.com');
    const flow = value(await router.invoke('accounts:connect', {}));
    expect(flow.authUrl.startsWith(h.emu.oauth.authUrl)).toBe(true);
    const result = router.invoke('accounts:connectResult', { flowId: flow.flowId });
    await fetch(flow.authUrl);
    expect(value(await result)).toEqual({ email: 'bob@example.com' });
    expect(value(await router.invoke('accounts:list', {})).map((a) => a.email)).toContain('bob@example.com');

    const second = value(await router.invoke('accounts:connect', {}));
    const waiting = router.invoke('accounts:connectResult', { flowId: second.flowId });
    expect(value(await router.invoke('accounts:connectCancel', { flowId: second.flowId }))).toBeNull();
    const cancelled = await waiting;
    expect(cancelled.ok === false && cancelled.error.code).toBe('CANCELLED');
    const unknown = await router.invoke('accounts:connectResult', { flowId: 'no-such-flow' });
    expect(unknown.ok === false && unknown.error.code).toBe('NOT_FOUND');
  });

  it('turns a thrown error into the typed shape without leaking a token or a stack', async () => {
    h.override('syncNow', async () => {
      throw new Error('refresh failed: {"access_token":"ya29.a0AfH6SMBxsecretsecret","refresh_token":"1//0gsecretrefresh"}\n    at Object.<anonymous> (/src/x.ts:1:1)');
    });
    const r = await router.invoke('sync:now', { accountId: seeded.accountId });
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.code).toBe('INTERNAL');
      expect(r.error.message).not.toContain('ya29.');
      expect(r.error.message).not.toContain('1//0g');
      expect(r.error.message).not.toContain(' at ');
    }
  });
});

describe('IPC router: events', () => {
  it('throttles a burst of progress nudges and always delivers the last state', async () => {
    const got: IpcEventMessage[] = [];
    router.subscribe((e) => got.push(e));
    for (let i = 0; i < 200; i++) h.emit('sync:progress', { accountId: seeded.accountId });
    await new Promise((r) => setTimeout(r, 450));
    const progress = got.filter((e) => e.name === 'sync:progress');
    expect(progress.length).toBeGreaterThanOrEqual(1);
    expect(progress.length).toBeLessThanOrEqual(3);
    const last = progress[progress.length - 1];
    expect(last.name === 'sync:progress' && last.payload.processed).toBe(252);
  });

  it('merges label sets of messages:changed and drops payloads outside the contract', async () => {
    const got: IpcEventMessage[] = [];
    router.subscribe((e) => got.push(e));
    h.emit('messages:changed', { accountId: seeded.accountId, labelIds: ['INBOX'] });
    h.emit('messages:changed', { accountId: seeded.accountId, labelIds: ['Label_1'] });
    h.emit('messages:changed', { accountId: seeded.accountId, labelIds: ['Label_2'] });
    h.emit('labels:changed', { accountId: -1 });
    await new Promise((r) => setTimeout(r, 300));
    const changed = got.filter((e) => e.name === 'messages:changed');
    expect(changed).toHaveLength(2);
    expect(changed[1].payload).toEqual({ accountId: seeded.accountId, labelIds: ['Label_1', 'Label_2'] });
    expect(got.some((e) => e.name === 'labels:changed')).toBe(false);
  });
});

describe('IPC router: the OAuth client a user brings', () => {
  let hc: Harness;
  let rc: IpcRouter;
  const ID = 'mailmirror-emulator.apps.googleusercontent.com';
  const SECRET = 'GOCSPX-router-test-secret-123';
  const installed = (extra: Record<string, unknown> = {}) =>
    JSON.stringify({ installed: { client_id: ID, project_id: 'p', client_secret: SECRET, redirect_uris: ['http://localhost'], ...extra } });

  beforeEach(async () => {
    hc = await createHarness({ noClient: true, clientSecret: SECRET });
    rc = createRouter(hc.services);
  });

  afterEach(async () => {
    rc.close();
    await hc.close();
  });

  function refused(r: IpcResult<unknown>, code: string, text: RegExp) {
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error.code).toBe(code);
    expect(r.error.message).toMatch(text);
    expect(r.error.message).not.toMatch(/^Invalid request/);
  }

  it('says no client is configured, and connecting answers CLIENT_NOT_CONFIGURED', async () => {
    expect(value(await rc.invoke('client:status', {}))).toEqual({ configured: false, source: null, clientId: null });
    refused(await rc.invoke('accounts:connect', {}), 'CLIENT_NOT_CONFIGURED', /no OAuth client is configured/);
  });

  it('refuses anything but a Desktop app client with a precise message', async () => {
    const set = (json: string, name = 'client_secret_1.json') => rc.invoke('client:set', { json, name });
    refused(await set('{"installed":'), 'CLIENT_INVALID', /^client_secret_1\.json is not JSON: /);
    refused(await set(JSON.stringify({ web: { client_id: ID, client_secret: SECRET } })), 'CLIENT_INVALID', /'Web application' client; Mailmirror needs a 'Desktop app' client: create one under Credentials → Create credentials → OAuth client ID → Desktop app/);
    refused(await set(JSON.stringify({ something: {} })), 'CLIENT_INVALID', /no "installed" section/);
    refused(await set(installed({ client_secret: undefined })), 'CLIENT_INVALID', /has no client_secret/);
    refused(await set(installed({ client_id: '' })), 'CLIENT_INVALID', /has no client_id/);
    refused(await set(installed({ client_id: '12345' })), 'CLIENT_INVALID', /"12345" is not a Google OAuth client ID/);
    refused(await rc.invoke('client:set', { clientId: ID, clientSecret: '' }), 'CLIENT_INVALID', /client secret is empty/);
    // Past the schema's own limit (the router never hands 10 MB to a handler): the same words, not "invalid request".
    refused(await set('x'.repeat(10 * 1024 * 1024), 'big.json'), 'CLIENT_INVALID', /^big\.json is 10\.0 MB; a Google client JSON is under 1 KB — pick the file named client_secret_….json$/);
    refused(await set(`{"pad":"${'y'.repeat(70_000)}"}`, 'pad.json'), 'CLIENT_INVALID', /^pad\.json is 68\.4 KB; /);
    expect(value(await rc.invoke('client:status', {})).configured).toBe(false);
  });

  it('saves a valid client (never answering its secret), then connects; clear removes it', async () => {
    const saved = value(await rc.invoke('client:set', { json: installed(), name: 'client_secret_1.json' }));
    expect(saved).toEqual({ configured: true, source: 'user', clientId: ID });
    expect(JSON.stringify(saved)).not.toContain(SECRET);
    expect(value(await rc.invoke('client:status', {}))).toEqual(saved);
    const flow = value(await rc.invoke('accounts:connect', {}));
    await (await fetch(flow.authUrl)).text();
    expect(value(await rc.invoke('accounts:connectResult', { flowId: flow.flowId })).email).toBe('alice@example.com');

    const pasted = value(await rc.invoke('client:set', { clientId: ` other.apps.googleusercontent.com `, clientSecret: 's3cret-pasted' }));
    expect(pasted).toEqual({ configured: true, source: 'user', clientId: 'other.apps.googleusercontent.com' });
    expect(value(await rc.invoke('client:clear', {}))).toEqual({ configured: false, source: null, clientId: null });
  });
});
