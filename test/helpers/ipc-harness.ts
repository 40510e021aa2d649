// Test harness for the IPC router, the browser host and the renderer: the REAL app core (AppCore over a
// store in a temp folder, a redis-server of the test's own, the Gmail emulator as Gmail), with no
// workers running, so what a test seeds stays as seeded and what the core queues can be read back.
// Two test-only levers, both outside the core: the event bus is the test's (AppCoreOptions.events),
// so a test can nudge the router as the sync engine would, and `override` replaces one service
// method (e.g. syncStatus, to show a 96,000-message sync the store does not hold).
import { Queue } from 'bullmq';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmulator, type Emulator, type Mailbox } from '../../src/emulator';
import { attachmentIdFor } from '../../src/emulator/gmail-render';
import { createAppCore, type AppCore } from '../../src/main/app-core';
import { resolveConfig } from '../../src/main/config';
import { CoreEvents, type CoreEventMap, type CoreEventName } from '../../src/main/core-events';
import { databaseFile, openDatabase, type Db } from '../../src/main/db/client';
import { getAccountByEmail, updateAccount } from '../../src/main/db/accounts';
import { setLabelCounts, upsertLabels, type GmailLabel } from '../../src/main/db/labels';
import { saveMessageDetails, type ParsedMessage } from '../../src/main/db/message-details';
import type { AppServices } from '../../src/main/ipc/services';
import { emulatorEnv } from './cli';
import { startTestRedis, type TestRedis } from './redis';

export const HARNESS_EMAIL = 'alice@example.com';

export type Harness = {
  core: AppCore;
  /** The test's own connection to the core's store file (seeding and tampering from outside the core). */
  readonly db: Db;
  dir: string;
  emu: Emulator;
  /** The Gmail mailbox of HARNESS_EMAIL in the emulator. */
  mailbox: Mailbox;
  /** What the router is built over: the core, with any overridden method in front. */
  services: AppServices;
  /** Replaces one of the core's service methods for this harness (null: the core's own again). */
  override<K extends keyof AppServices>(name: K, fn: AppServices[K] | null): void;
  /** Pushes a core event, as the sync engine would. */
  emit<K extends CoreEventName>(name: K, payload: CoreEventMap[K]): void;
  /** Jobs the core queued (no worker runs them): name and data. */
  queued(): Promise<{ name: string; data: Record<string, unknown> }[]>;
  /** Drops every queued job (the seeded store is already synced: what connecting queued is moot). */
  dropQueued(): Promise<void>;
  close(): Promise<void>;
};

export type HarnessOptions = {
  /** Start with no OAuth client (the user must bring one through client:set). */
  noClient?: boolean;
  /** The emulator's OAuth client secret (a client the user brings must match it to connect). */
  clientSecret?: string;
  /** Addresses the emulator knows besides HARNESS_EMAIL (the first consents unless told otherwise). */
  gmailAccounts?: string[];
  /**
   * The conversations setting. The e2e suites written before conversations existed read one row per message, so the
   * harness turns conversations off unless told `true` (then the app's default applies: on).
   */
  conversations?: boolean;
};

export async function createHarness(opts: HarnessOptions = {}): Promise<Harness> {
  const dir = mkdtempSync(join(tmpdir(), 'mm-ipc-'));
  if (opts.conversations !== true) writeFileSync(join(dir, 'settings.json'), JSON.stringify({ conversations: false }));
  const emu = await startEmulator(opts.clientSecret ? { clientSecret: opts.clientSecret } : {});
  const mailbox = emu.addAccount(HARNESS_EMAIL, { messages: 1, seed: 1 });
  for (const email of opts.gmailAccounts ?? []) emu.addAccount(email, { messages: 1, seed: 2 });
  const redis: TestRedis = await startTestRedis();
  const prefix = `h${process.pid}`;
  const env = emulatorEnv(emu, dir, { REDIS_URL: redis.url, MAILMIRROR_QUEUE_PREFIX: prefix });
  if (opts.noClient) {
    delete env.MAILMIRROR_CLIENT_ID;
    delete env.MAILMIRROR_CLIENT_SECRET;
  }
  const events = new CoreEvents();
  const core = await createAppCore(resolveConfig({}, env), { runWorkers: false, events });
  const overrides: Partial<Record<keyof AppServices, unknown>> = {};
  const services = new Proxy(core, {
    get(target, prop, receiver) {
      if (prop in overrides) return overrides[prop as keyof AppServices];
      const v: unknown = Reflect.get(target, prop, receiver === services ? target : receiver);
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  }) as AppServices;
  const db = openDatabase(databaseFile(dir));
  const queue = new Queue('gmail-sync', { connection: { path: redis.socket, maxRetriesPerRequest: null }, prefix });
  return {
    core,
    db,
    dir,
    emu,
    mailbox,
    services,
    override(name, fn) {
      if (fn === null) delete overrides[name];
      else overrides[name] = fn;
    },
    emit(name, payload) {
      (events as unknown as { emit(n: string, p: unknown): void }).emit(name, payload);
    },
    async queued() {
      const jobs = await queue.getJobs(['waiting', 'prioritized', 'delayed', 'active']);
      return jobs.map((j) => ({ name: j.name, data: j.data as Record<string, unknown> }));
    },
    async dropQueued() {
      await queue.obliterate({ force: true });
    },
    async close() {
      await queue.close();
      db.close();
      await core.close();
      await redis.stop();
      await emu.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Connects HARNESS_EMAIL through the core's real OAuth flow (the emulator consents at once). */
export async function connectHarnessAccount(h: Harness): Promise<number> {
  h.emu.setConsentAccount(HARNESS_EMAIL);
  await h.core.connectAccount({ openUrl: (url) => void fetch(url).catch(() => undefined), signal: new AbortController().signal });
  return getAccountByEmail(h.db, HARNESS_EMAIL)!.id;
}

// ---------------------------------------------------------------------------------------------
// A small mailbox written with the store's own functions.

export const SYSTEM_LABELS: GmailLabel[] = [
  'INBOX', 'SENT', 'DRAFT', 'SPAM', 'TRASH', 'UNREAD', 'STARRED', 'IMPORTANT',
  'CATEGORY_PERSONAL', 'CATEGORY_SOCIAL', 'CATEGORY_PROMOTIONS', 'CATEGORY_UPDATES', 'CATEGORY_FORUMS',
].map((id) => ({ id, name: id, type: 'system' }));

export const USER_LABELS: GmailLabel[] = [
  { id: 'Label_1', name: 'Work', type: 'user', color: { backgroundColor: '#4a86e8', textColor: '#ffffff' } },
  { id: 'Label_2', name: 'Work/Projects', type: 'user', color: { backgroundColor: '#16a766', textColor: '#ffffff' } },
  { id: 'Label_3', name: 'Work/Projects/Apollo', type: 'user' },
  { id: 'Label_4', name: 'Travel', type: 'user', color: { backgroundColor: '#f691b3', textColor: '#000000' } },
  { id: 'Label_5', name: 'Receipts', type: 'user' },
];

/** The hostile message of the security tests: everything that must not run or load. */
export const HOSTILE_HTML = `<!doctype html><html><head>
<style>.hi { color: #b00; font-weight: bold }</style>
<script>window.parent.postMessage('script-ran', '*'); fetch('http://127.0.0.1:9/script-fetch');</script>
</head><body>
<p class="hi">Quarterly report attached — the zeppelin numbers look great.</p>
<img src="REMOTE_IMAGE_URL" alt="tracker" width="20" height="20">
<img src="x" onerror="fetch('http://127.0.0.1:9/onerror')">
<div style="background-image:url(REMOTE_IMAGE_URL?bg=1)">styled</div>
<form action="http://127.0.0.1:9/form" method="post"><input name="pw" value="secret"><button>Send</button></form>
<iframe src="http://127.0.0.1:9/iframe"></iframe>
<a href="javascript:alert(1)">js link</a>
<a href="https://example.com/ok">a safe link</a>
<svg onload="fetch('http://127.0.0.1:9/svg')"></svg>
<object data="http://127.0.0.1:9/object"></object>
</body></html>`;

export type SeedOptions = {
  /** Plain messages to add besides the few special ones. */
  count?: number;
  remoteImageUrl?: string;
  /**
   * Adds a conversation of nine messages (thread `tlong`, newest in the Inbox): replies quoting the one before, one
   * sent by the user (Sent only), one HTML, one to a long list of recipients; the 7th and the 9th unread.
   */
  longThread?: boolean;
};

export type Seeded = {
  accountId: number;
  hostileId: string;
  plainId: string;
  attachmentId: string;
  ids: string[];
  /** The long conversation's message ids, oldest first (empty unless asked for). */
  longThreadIds: string[];
};

/** The nine messages of SeedOptions.longThread, oldest first, the newest at `newest`. */
function longThread(newest: number): ParsedMessage[] {
  const people = [
    'Ada Lovelace <ada@engines.example>',
    `Alice Example <${HARNESS_EMAIL}>`,
    '"Grace Hopper" <grace@navy.example>',
    'Ada Lovelace <ada@engines.example>',
    'Alan Turing <alan@bletchley.example>',
    '"Grace Hopper" <grace@navy.example>',
    '"Katherine Johnson" <kj@nasa.example>',
    'Ada Lovelace <ada@engines.example>',
    '"Grace Hopper" <grace@navy.example>',
  ];
  const lines = [
    'Shall we hold the offsite in Lisbon this year? I can look at venues.',
    'Lisbon works for me. Early October is best.',
    'October is fine. I will ask the travel desk about flights.',
    'Found two venues near the river; both have a large room for the workshop.',
    'The first one has better rail links. I vote for it.',
    'Agreed. Flights are booked for the 6th, returning on the 9th.',
    'Could we add a half day for the launch rehearsal? I will need the big room.',
    'Added to the agenda: Tuesday afternoon is the rehearsal.',
    'Final agenda attached below. See you all in Lisbon!',
  ];
  const crowd = ['ada@engines.example', 'grace@navy.example', 'alan@bletchley.example', 'kj@nasa.example', 'mh@apollo.example', 'linus@kernel.example', 'bob@example.com', 'carol@example.com'];
  return people.map((from, i) => {
    const at = newest - (8 - i) * 2 * 3_600_000;
    const quote = i > 0 ? `\n\nOn ${new Date(at - 2 * 3_600_000).toUTCString()}, ${people[i - 1].replace(/ <.*/, '').replaceAll('"', '')} wrote:\n> ${lines[i - 1]}\n> \n> (earlier messages trimmed)` : '';
    const labelIds = i === 1 ? ['SENT'] : ['INBOX'];
    if (i === 6 || i === 8) labelIds.push('UNREAD');
    return {
      gmailId: `long${i + 1}`,
      threadId: 'tlong',
      labelIds,
      historyId: String(5100 + i),
      internalDate: at,
      sizeEstimate: 1500,
      snippet: lines[i],
      subject: i === 0 ? 'Offsite planning' : 'Re: Offsite planning',
      from,
      to: i === 7 ? crowd.join(', ') : i === 1 ? 'Ada Lovelace <ada@engines.example>' : HARNESS_EMAIL,
      cc: null,
      date: new Date(at).toUTCString(),
      messageIdHeader: `<long${i + 1}@example.com>`,
      references: i > 0 ? `<long${i}@example.com>` : null,
      textBody: `${lines[i]}${quote}`,
      htmlBody: i === 4 ? `<p>${lines[i]}</p><blockquote class="gmail_quote">${lines[i - 1]}</blockquote>` : null,
      attachments: [],
      parseError: null,
    };
  });
}

/** The hostile message as Gmail holds it: text and HTML, and a CSV attachment (Gmail part 1). */
function hostileMime(html: string): string {
  return [
    'From: "Mallory Example" <mallory@evil.example>',
    `To: ${HARNESS_EMAIL}`,
    'Subject: Quarterly report (with surprises)',
    'Message-ID: <hostile@evil.example>',
    'MIME-Version: 1.0',
    'Content-Type: multipart/mixed; boundary="mixed"',
    '',
    '--mixed',
    'Content-Type: multipart/alternative; boundary="alt"',
    '',
    '--alt',
    'Content-Type: text/plain; charset=utf-8',
    '',
    'Quarterly report attached.',
    '--alt',
    'Content-Type: text/html; charset=utf-8',
    '',
    html,
    '--alt--',
    '--mixed',
    'Content-Type: text/csv; name="report.csv"',
    'Content-Disposition: attachment; filename="report.csv"',
    '',
    'id,total\n1,42\n2,7\n',
    '--mixed--',
    '',
  ].join('\r\n');
}

/**
 * Connects HARNESS_EMAIL and writes a mailbox of `count` messages (newest first ids m00000…) into the store with the
 * store's own functions, labels with Gmail-like counts. The hostile message with an attachment is in Gmail too, so
 * the core's real attachment download finds it there.
 */
export async function seedMailbox(h: Harness, opts: SeedOptions = {}): Promise<Seeded> {
  const db = h.db;
  const account = { id: await connectHarnessAccount(h) };
  upsertLabels(db, account.id, [...SYSTEM_LABELS, ...USER_LABELS], { deleteMissing: true });
  const count = opts.count ?? 60;
  const base = Date.UTC(2025, 5, 1, 12, 0, 0);
  const senders = [
    '"Grace Hopper" <grace@navy.example>',
    'Ada Lovelace <ada@engines.example>',
    'linus@kernel.example',
    '"Margaret Hamilton" <mh@apollo.example>',
    '"Katherine Johnson" <kj@nasa.example>',
    'Alan Turing <alan@bletchley.example>',
  ];
  const topics = [
    ['Status update', 'Here is where things stand this week'],
    ['Design review notes', 'Thanks everyone for the thoughtful comments on the draft'],
    ['Invoice', 'Your invoice is attached; payment is due in 30 days'],
    ['Lunch on Friday?', 'There is a new place around the corner we could try'],
    ['Release checklist', 'Before we ship, please confirm each item below'],
    ['Flight confirmation', 'Your booking is confirmed; check-in opens 24 hours before departure'],
    ['Weekly digest', 'The most read stories from your team this week'],
  ];
  const userIds = USER_LABELS.map((l) => l.id);
  const items: ParsedMessage[] = [];
  for (let i = 0; i < count; i++) {
    const labelIds = ['INBOX'];
    if (i % 3 === 0) labelIds.push('UNREAD');
    if (i % 7 === 0) labelIds.push('STARRED');
    if (i % 4 === 0) labelIds.push(userIds[(i >> 2) % userIds.length]);
    const [topic, gist] = topics[i % topics.length];
    items.push({
      gmailId: `m${String(i).padStart(5, '0')}`,
      threadId: `t${String(Math.floor(i / 2)).padStart(5, '0')}`,
      labelIds,
      historyId: String(1000 + i),
      internalDate: base - i * 5 * 3_600_000,
      sizeEstimate: 2000,
      snippet: `${gist} — it&#39;s message ${i}, a routine update`,
      subject: `${topic} #${i}`,
      from: senders[i % senders.length],
      to: 'alice@example.com',
      cc: null,
      date: new Date(base - i * 5 * 3_600_000).toUTCString(),
      messageIdHeader: `<m${i}@example.com>`,
      references: null,
      textBody: `Hello Alice,\n\nThis is routine update number ${i}.\n\nBest`,
      htmlBody: null,
      attachments: [],
      parseError: null,
    });
  }
  const hostileHtml = HOSTILE_HTML.replaceAll('REMOTE_IMAGE_URL', opts.remoteImageUrl ?? 'http://127.0.0.1:9/remote.png');
  const hostileId = h.mailbox.addMessage({ labelIds: ['INBOX', 'UNREAD', 'IMPORTANT'], raw: hostileMime(hostileHtml) });
  const attachmentId = attachmentIdFor(hostileId, '1');
  const special: ParsedMessage[] = [
    {
      gmailId: hostileId,
      threadId: 'thostile',
      labelIds: ['INBOX', 'UNREAD', 'IMPORTANT', 'Label_1'],
      historyId: '5000',
      internalDate: base + 3_600_000,
      sizeEstimate: 4000,
      snippet: 'Quarterly report attached — the zeppelin numbers look great.',
      subject: 'Quarterly report (with surprises)',
      from: '"Mallory Example" <mallory@evil.example>',
      to: 'alice@example.com',
      cc: 'bob@example.com',
      date: new Date(base + 3_600_000).toUTCString(),
      messageIdHeader: '<hostile@evil.example>',
      references: null,
      textBody: 'Quarterly report attached — the zeppelin numbers look great.',
      htmlBody: hostileHtml,
      attachments: [
        { gmailAttachmentId: attachmentId, partId: '1', filename: 'report.csv', mimeType: 'text/csv', size: 18, contentId: null },
      ],
      parseError: null,
    },
    {
      gmailId: 'plain0001',
      threadId: 'tplain',
      labelIds: ['INBOX', 'Label_4'],
      historyId: '5001',
      internalDate: base + 1_800_000,
      sizeEstimate: 900,
      snippet: 'Your itinerary for the trip to Lisbon',
      subject: 'Trip to Lisbon — itinerary',
      from: 'Travel Desk <trips@travel.example>',
      to: 'alice@example.com',
      cc: null,
      date: new Date(base + 1_800_000).toUTCString(),
      messageIdHeader: '<plain@travel.example>',
      references: null,
      textBody: 'Your itinerary for the trip to Lisbon.\nFlight TP1234 departs 09:40.\nDetails: https://travel.example/trip/1',
      htmlBody: null,
      attachments: [],
      parseError: null,
    },
  ];
  const long = opts.longThread ? longThread(base + 3 * 3_600_000) : [];
  saveMessageDetails(db, account.id, [...special, ...items, ...long], { insertMissing: true });

  // Gmail's counts, as labels.get would report them for this mailbox.
  const all = [...special, ...items, ...long];
  const counts = [...SYSTEM_LABELS, ...USER_LABELS].map((l) => {
    const withLabel = all.filter((m) => m.labelIds.includes(l.id));
    const unread = withLabel.filter((m) => m.labelIds.includes('UNREAD')).length;
    const threads = new Set(withLabel.map((m) => m.threadId));
    const unreadThreads = new Set(withLabel.filter((m) => m.labelIds.includes('UNREAD')).map((m) => m.threadId));
    return { id: l.id, messagesTotal: withLabel.length, messagesUnread: unread, threadsTotal: threads.size, threadsUnread: unreadThreads.size };
  });
  setLabelCounts(db, account.id, counts);
  updateAccount(db, account.id, { initialSyncCompleted: true, labelSyncCompleted: true, lastFullSyncAt: new Date(), historyId: '6000' });
  await h.dropQueued();
  return {
    accountId: account.id,
    hostileId,
    plainId: 'plain0001',
    attachmentId,
    ids: all.map((m) => m.gmailId),
    longThreadIds: long.map((m) => m.gmailId),
  };
}
