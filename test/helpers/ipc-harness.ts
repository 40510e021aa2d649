// Test harness for the IPC router and the browser host: a real SQLite store (the store's own
// functions write it) plus a small, real implementation of the core's non-store services —
// connecting completes when something fetches the consent URL (a real loopback HTTP server),
// settings live in memory, sync status is computed from the store, events are an emitter the
// test drives. Not product code: the app's implementation is src/main/app-core.ts.
import { EventEmitter } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase, type Db } from '../../src/main/db/client';
import { createAccount, deleteAccount, getAccount, updateAccount } from '../../src/main/db/accounts';
import { setLabelCounts, upsertLabels, type GmailLabel } from '../../src/main/db/labels';
import { countProgress, saveMessageDetails, type ParsedMessage } from '../../src/main/db/messages';
import type { AppServices, AttachmentRef, CoreEventMap, CoreEventName } from '../../src/main/ipc/services';
import { resolveConfig, type AppConfig } from '../../src/main/config';
import { OAuthAbortedError, OAuthClientMissingError, runInstalledAppFlow } from '../../src/main/gmail/oauth';
import { GmailNotFoundError } from '../../src/main/gmail/errors';
import { OAuthClientStore } from '../../src/main/gmail/oauth-client-store';
import { FileKeySecretBox } from '../../src/main/gmail/secret-box';
import type { Settings, SyncStatus } from '../../src/shared/ipc';

export type Harness = {
  db: Db;
  dir: string;
  services: AppServices & {
    /** Pushes a core event, as the sync engine would. */
    emit<K extends CoreEventName>(name: K, payload: CoreEventMap[K]): void;
    syncRequests: { accountId: number; full: boolean }[];
    /** Bytes served for attachments, by Gmail attachment id. */
    attachmentData: Map<string, Uint8Array>;
    /** The email the next connect flow creates. */
    nextConnectEmail: string;
    /** Replaces parts of the computed sync status (to show syncing and failing states). */
    statusOverride: Partial<SyncStatus> | null;
  };
  close(): Promise<void>;
};

export type HarnessOptions = {
  /** A file database in the temp folder instead of ':memory:'. */
  file?: boolean;
  /** Connect with the real OAuth installed-app flow against these endpoints (e.g. the emulator). */
  oauth?: AppConfig;
  /**
   * Start with no OAuth client (the user must bring one through client:set, kept by the real store in
   * the harness's folder). Otherwise the client is explicit: `oauth`'s, or a stand-in one.
   */
  noClient?: boolean;
};

export async function createHarness(opts: HarnessOptions = {}): Promise<Harness> {
  const dir = mkdtempSync(join(tmpdir(), 'mm-ipc-'));
  const db = openDatabase(opts.file ? join(dir, 'mailmirror.db') : ':memory:');
  const events = new EventEmitter();
  let settings: Settings = { syncIntervalSeconds: 60, includeSpamTrash: true, remoteImages: 'ask' };
  const servers = new Set<Server>();
  // The OAuth client: the real store (the user's client encrypted in this folder, the same precedence).
  const clientConfig: AppConfig = { ...(opts.oauth ?? resolveConfig({ dataDir: dir }, {})), dataDir: dir };
  if (opts.noClient) Object.assign(clientConfig, { clientId: '', clientSecret: '', clientSource: null });
  else if (!clientConfig.clientId) Object.assign(clientConfig, { clientId: 'harness.apps.googleusercontent.com', clientSecret: 'harness-secret', clientSource: 'environment' });
  const clients = new OAuthClientStore(clientConfig, () => new FileKeySecretBox(dir));

  const services: Harness['services'] = {
    db,
    version: '0.0.0-test',
    syncRequests: [],
    attachmentData: new Map(),
    nextConnectEmail: 'connected@example.com',
    statusOverride: null,

    emit(name, payload) {
      events.emit(name, payload);
    },

    onEvent(name, fn) {
      const l = (p: CoreEventMap[typeof name]) => fn(p);
      events.on(name, l);
      return () => {
        events.off(name, l);
      };
    },

    // With an OAuth config: the real installed-app flow (loopback redirect, PKCE, state). Without:
    // a loopback "consent page" whose fetch connects the account, like following Gmail's redirect.
    async connectAccount({ openUrl, signal }) {
      if (!clients.status().configured) throw new OAuthClientMissingError();
      if (opts.oauth) {
        const { email } = await runInstalledAppFlow({ config: clientConfig, onUrl: openUrl, openBrowser: false, signal, timeoutMs: 60_000 });
        createAccount(db, { email });
        events.emit('accounts:changed', {});
        return { email };
      }
      const email = services.nextConnectEmail;
      const server = createServer();
      servers.add(server);
      await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
      const port = (server.address() as AddressInfo).port;
      try {
        return await new Promise<{ email: string }>((resolve, reject) => {
          signal.addEventListener('abort', () => reject(new OAuthAbortedError()), { once: true });
          server.on('request', (_req, res) => {
            res.writeHead(200, { 'Content-Type': 'text/html' }).end('<!doctype html><title>Connected</title><p>Connected.</p>');
            createAccount(db, { email });
            events.emit('accounts:changed', {});
            resolve({ email });
          });
          openUrl(`http://127.0.0.1:${port}/consent?state=test`);
        });
      } finally {
        server.closeAllConnections();
        server.close();
        servers.delete(server);
      }
    },

    async removeAccount(accountId) {
      deleteAccount(db, accountId);
      events.emit('accounts:changed', { accountId });
    },

    async syncNow(accountId, o) {
      services.syncRequests.push({ accountId, full: o?.full ?? false });
    },

    async syncStatus(accountId): Promise<SyncStatus> {
      const a = getAccount(db, accountId);
      const p = countProgress(db, accountId);
      const computed: SyncStatus = {
        accountId,
        phase: a?.status === 'needs_reconnect' ? 'needs_reconnect' : p.pending > 0 ? 'fetching' : 'idle',
        processed: p.fetched,
        total: p.total,
        ratePerSecond: null,
        etaSeconds: null,
        error: null,
        offline: false,
        initialSyncCompleted: a?.initialSyncCompleted ?? false,
        lastSyncAt: a?.lastFullSyncAt?.getTime() ?? null,
        labels: [],
      };
      return { ...computed, ...services.statusOverride, accountId };
    },

    async fetchAttachment(ref: AttachmentRef) {
      const data = ref.gmailAttachmentId ? services.attachmentData.get(ref.gmailAttachmentId) : undefined;
      if (!data) throw new GmailNotFoundError('attachment not found in Gmail', { status: 404 });
      return data;
    },

    async getSettings() {
      return settings;
    },

    async setSettings(patch) {
      settings = { ...settings, ...patch };
      return settings;
    },

    async clientStatus() {
      return clients.status();
    },

    async setClient(input) {
      return clients.set(input).status;
    },

    async clearClient() {
      return clients.clear().status;
    },
  };

  return {
    db,
    dir,
    services,
    async close() {
      for (const s of servers) {
        s.closeAllConnections();
        s.close();
      }
      events.removeAllListeners();
      db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
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
  email?: string;
  /** Plain messages to add besides the few special ones. */
  count?: number;
  remoteImageUrl?: string;
};

export type Seeded = { accountId: number; hostileId: string; plainId: string; attachmentId: string; ids: string[] };

/** A mailbox of `count` messages (newest first ids m00000…), labels with Gmail-like counts. */
export function seedMailbox(db: Db, opts: SeedOptions = {}): Seeded {
  const account = createAccount(db, { email: opts.email ?? 'alice@example.com' });
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
  const special: ParsedMessage[] = [
    {
      gmailId: 'hostile0001',
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
        { gmailAttachmentId: 'att-1', partId: '2', filename: 'report.csv', mimeType: 'text/csv', size: 18, contentId: null },
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
  saveMessageDetails(db, account.id, [...special, ...items], { insertMissing: true });

  // Gmail's counts, as labels.get would report them for this mailbox.
  const all = [...special, ...items];
  const counts = [...SYSTEM_LABELS, ...USER_LABELS].map((l) => {
    const withLabel = all.filter((m) => m.labelIds.includes(l.id));
    const unread = withLabel.filter((m) => m.labelIds.includes('UNREAD')).length;
    const threads = new Set(withLabel.map((m) => m.threadId));
    const unreadThreads = new Set(withLabel.filter((m) => m.labelIds.includes('UNREAD')).map((m) => m.threadId));
    return { id: l.id, messagesTotal: withLabel.length, messagesUnread: unread, threadsTotal: threads.size, threadsUnread: unreadThreads.size };
  });
  setLabelCounts(db, account.id, counts);
  updateAccount(db, account.id, { initialSyncCompleted: true, labelSyncCompleted: true, lastFullSyncAt: new Date(), historyId: '6000' });
  return {
    accountId: account.id,
    hostileId: 'hostile0001',
    plainId: 'plain0001',
    attachmentId: 'att-1',
    ids: all.map((m) => m.gmailId),
  };
}
