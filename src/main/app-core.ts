// The composition root of the headless core: store, Redis, queues, workers, Gmail access, sync engine.
// The Electron shell, the browser host and the CLI all start the app through here.
import { join } from 'node:path';
import type { AppConfig } from './config';
import { openDatabase, type Db } from './db/client';
import { RedisSupervisor, ensureDataDir } from './redis';
import { QuotaGovernor } from './gmail/quota-governor';
import { GmailAccess } from './gmail/gmail-access';
import { FileKeySecretBox, type SecretBox } from './gmail/secret-box';
import { SyncQueues } from './queues/sync-queues';
import { SyncWorkers } from './sync/workers';
import { SyncEvents } from './sync/sync-events';
import { SyncController } from './sync/sync-controller';
import type { SyncDeps } from './sync/sync-deps';
import { createLogger, type Logger } from './log';
import { DataDirLock } from './data-dir-lock';
import type { AppServices, AttachmentRef, CoreEventMap, CoreEventName } from './ipc/services';
import type { ClientStatus, Settings, SyncStatus, SyncPhase, IpcErrorCode } from '../shared/ipc';
import { connectAccount, removeAccount } from './gmail/account-auth';
import { listAccounts, getAccount, updateAccount } from './db/accounts';
import { labelProgress } from './db/messages';
import { listLabels } from './db/labels';
import { accountSyncStatus } from './sync/status';
import { RateMeter } from './sync/rate-meter';
import { loadSettings, saveSettings } from './settings';
import { APP_VERSION } from './version';
import { createQueueMonitor, type QueueMonitor } from './queues/monitor';
import { OAuthClientStore } from './gmail/oauth-client-store';

export type AppCoreOptions = {
  /** Run BullMQ workers in this process (the app, `serve`, `sync --wait`, `worker`). */
  runWorkers: boolean;
  /** Electron passes its safeStorage box; headless uses a key file in the data folder. */
  secretBox?: SecretBox;
  logger?: Logger;
};

/** Maps the store's phase (and what the queues are doing) onto the UI's. */
function uiPhase(p: ReturnType<typeof accountSyncStatus>['phase']): SyncPhase {
  switch (p) {
    case 'needs_reconnect':
      return 'needs_reconnect';
    case 'listing':
      return 'listing';
    case 'fetching':
      return 'fetching';
    case 'failed':
      return 'error';
    case 'not_synced':
      return 'queued';
    default:
      return 'idle';
  }
}

const EVENT_MAP = {
  progress: 'sync:progress',
  labels: 'labels:changed',
  messages: 'messages:changed',
  account: 'accounts:changed',
} as const;

export class AppCore implements AppServices {
  readonly version = APP_VERSION;
  /** Set by hosts that offer the demo mailbox (`serve --demo`). */
  connectDemo?: () => Promise<{ email: string }>;
  private readonly meters = new Map<number, RateMeter>();
  private queueMonitor: QueueMonitor | null = null;
  private settings: Settings;

  private constructor(
    readonly config: AppConfig,
    readonly db: Db,
    readonly redis: RedisSupervisor,
    readonly queues: SyncQueues,
    readonly events: SyncEvents,
    readonly sync: SyncController,
    readonly deps: SyncDeps,
    readonly box: SecretBox,
    readonly log: Logger,
    private readonly workers: SyncWorkers | null,
    private readonly lock: DataDirLock | null,
  ) {
    this.settings = loadSettings(config.dataDir, {
      syncIntervalSeconds: Math.max(30, Math.round(config.syncIntervalMs / 1000)),
      includeSpamTrash: true,
      remoteImages: 'ask',
    });
  }

  /** Bull Board for `serve` (built on first use: it loads express and the board's UI). */
  get monitor(): QueueMonitor {
    return (this.queueMonitor ??= createQueueMonitor(this.queues, { writable: this.config.queuesWritable }));
  }

  // ---- AppServices (what the IPC router and so the UI can ask) ----

  async connectAccount(opts: { openUrl: (url: string) => void; signal: AbortSignal }): Promise<{ email: string }> {
    const connected = await connectAccount(
      { db: this.db, config: this.config, box: this.box },
      { onUrl: opts.openUrl, openBrowser: false, signal: opts.signal },
    );
    this.deps.gmail.forget(connected.accountId);
    updateAccount(this.db, connected.accountId, { includeSpamTrash: this.settings.includeSpamTrash });
    this.events.emit('account', { accountId: connected.accountId });
    await this.sync.requestSync(connected.accountId);
    return { email: connected.email };
  }

  async removeAccount(accountId: number): Promise<void> {
    await this.queues.unscheduleIncremental(accountId);
    await removeAccount({ db: this.db, config: this.config, box: this.box }, accountId);
    this.deps.gmail.forget(accountId);
    this.meters.delete(accountId);
    this.events.emit('account', { accountId });
  }

  async syncNow(accountId: number, opts?: { full?: boolean }): Promise<void> {
    await this.sync.requestSync(accountId, opts);
    this.events.emit('progress', { accountId });
  }

  async syncStatus(accountId: number): Promise<SyncStatus> {
    const acct = getAccount(this.db, accountId);
    if (!acct) throw Object.assign(new Error(`no account with id ${accountId}`), { code: 'NOT_FOUND' });
    const s = accountSyncStatus(this.db, acct);
    let meter = this.meters.get(accountId);
    if (!meter) this.meters.set(accountId, (meter = new RateMeter()));
    const rate = meter.push(s.processed);
    const busy = s.phase === 'listing' || s.phase === 'fetching';
    const labelNames = new Map(listLabels(this.db, accountId).map((l) => [l.id, l.name]));
    const tracked = ['INBOX', 'SENT'].filter((id) => labelNames.has(id));
    const errCode: IpcErrorCode = s.phase === 'needs_reconnect' ? 'AUTH_EXPIRED' : 'INTERNAL';
    const offline = this.deps.gmail.offline(accountId);
    const last = Math.max(s.lastFullSyncAt?.getTime() ?? 0, s.lastIncrementalSyncAt?.getTime() ?? 0);
    return {
      accountId,
      phase: offline && s.phase !== 'needs_reconnect' ? 'error' : uiPhase(s.phase),
      processed: s.processed,
      total: s.total || null,
      ratePerSecond: busy && rate > 0 ? rate : null,
      etaSeconds: busy && rate > 0 && s.total ? Math.max(0, (s.total - s.processed) / rate) : null,
      error: offline
        ? { code: 'OFFLINE', message: 'Gmail cannot be reached: the mirror works offline and syncing resumes when the network is back.' }
        : s.error
          ? { code: errCode, message: s.error }
          : null,
      offline: offline !== null,
      initialSyncCompleted: acct.initialSyncCompleted,
      lastSyncAt: last || null,
      labels: labelProgress(this.db, accountId, tracked).map((p) => ({
        labelId: p.labelId,
        name: labelNames.get(p.labelId) ?? p.labelId,
        processed: p.fetched,
        total: Math.max(p.total ?? 0, p.fetched),
      })),
    };
  }

  async fetchAttachment(ref: AttachmentRef): Promise<Uint8Array> {
    if (!ref.gmailAttachmentId) {
      throw Object.assign(new Error('this attachment has no Gmail attachment id'), { code: 'NOT_FOUND' });
    }
    const res = await this.deps.gmail.call(ref.accountId, 'messages.attachments.get', (g) =>
      g.users.messages.attachments.get({ userId: 'me', messageId: ref.messageGmailId, id: ref.gmailAttachmentId! }),
    );
    return new Uint8Array(Buffer.from(res.data.data ?? '', 'base64url'));
  }

  // The OAuth client (explicit > the user's > built in): a change applies to the config every OAuth2Client
  // is built from, and the cached per-account clients are dropped so the next call builds them again.
  private clientStore?: OAuthClientStore;
  private get clients(): OAuthClientStore {
    return (this.clientStore ??= new OAuthClientStore(this.config, () => this.box, () => this.deps.gmail.forgetAll()));
  }

  async clientStatus(): Promise<ClientStatus> {
    return this.clients.status();
  }

  async setClient(input: Parameters<AppServices['setClient']>[0]): Promise<ClientStatus> {
    return this.clients.set(input).status;
  }

  async clearClient(): Promise<ClientStatus> {
    return this.clients.clear().status;
  }

  async getSettings(): Promise<Settings> {
    return { ...this.settings };
  }

  async setSettings(patch: Partial<Settings>): Promise<Settings> {
    const next = { ...this.settings, ...patch };
    saveSettings(this.config.dataDir, next);
    this.settings = next;
    for (const a of listAccounts(this.db)) {
      if (patch.includeSpamTrash !== undefined && a.includeSpamTrash !== patch.includeSpamTrash) {
        updateAccount(this.db, a.id, { includeSpamTrash: patch.includeSpamTrash });
      }
      if (patch.syncIntervalSeconds !== undefined && a.initialSyncCompleted && a.status !== 'needs_reconnect') {
        await this.queues.scheduleIncremental(a.id, next.syncIntervalSeconds * 1000);
      }
    }
    return { ...next };
  }

  onEvent<K extends CoreEventName>(name: K, fn: (payload: CoreEventMap[K]) => void): () => void {
    const source = (Object.keys(EVENT_MAP) as (keyof typeof EVENT_MAP)[]).find((k) => EVENT_MAP[k] === name)!;
    const listener = (p: { accountId: number }) => fn(p as CoreEventMap[K]);
    this.events.on(source, listener);
    return () => {
      this.events.off(source, listener);
    };
  }

  static async create(config: AppConfig, opts: AppCoreOptions): Promise<AppCore> {
    ensureDataDir(config.dataDir); // DataDirNotWritableError on a read-only disk / a folder not ours
    const log = opts.logger ?? createLogger(config.dataDir);
    // One process owns an embedded Redis and the workers of a data folder at a time.
    const lock = opts.runWorkers && !config.redisUrl ? DataDirLock.acquire(config.dataDir) : null;
    let db: Db | null = null;
    let redis: RedisSupervisor | null = null;
    try {
      db = openDatabase(join(config.dataDir, 'mailmirror.db'));
      redis = await RedisSupervisor.start({
        dataDir: config.dataDir,
        redisUrl: config.redisUrl,
        // Without workers this process only enqueues and exits: its redis-server must not be shared.
        transient: !opts.runWorkers,
        logger: (msg: string) => log.info({ component: 'redis' }, msg),
      });
      const queues = new SyncQueues(redis.connection('queue'), config.queuePrefix);
      const box = opts.secretBox ?? new FileKeySecretBox(config.dataDir);
      // The core works on its own copy of the config, holding the OAuth client in effect.
      config = { ...config };
      for (const w of new OAuthClientStore(config, () => box).apply().warnings) log.warn({ component: 'oauth-client' }, w);
      const governor = new QuotaGovernor(redis.connection('client'), {
        profile: config.quotaProfile,
        scale: config.quotaScale,
        maxInFlight: config.maxInFlight,
        keyPrefix: `${config.queuePrefix}:quota`,
      });
      const events = new SyncEvents();
      const deps: SyncDeps = { db, config, gmail: new GmailAccess({ db, config, box, governor }), queues, events, log };
      const sync = new SyncController(deps);
      let workers: SyncWorkers | null = null;
      if (opts.runWorkers) {
        // Everything in an embedded Redis is derived from the store: after a crash, drop it and rebuild
        // it from SQLite at once instead of waiting for BullMQ's stalled-job check.
        if (lock) await queues.obliterateAll();
        workers = new SyncWorkers(deps, redis.connection('worker'), config.queuePrefix);
        await sync.reconcileAll();
        await queues.scheduleMaintenance(6 * 3600 * 1000);
      }
      return new AppCore(config, db, redis, queues, events, sync, deps, box, log, workers, lock);
    } catch (e) {
      await redis?.stop().catch(() => undefined);
      db?.close();
      lock?.release();
      throw e;
    }
  }

  /** Set while the disk under the data folder is full: the sync is paused until space is freed. */
  storageFailure(): string | null {
    return this.workers?.storageFailure() ?? null;
  }

  /** Stops everything; running jobs get `graceMs` to finish (quitting the app must take < 2 s). */
  async close(opts: { graceMs?: number } = {}): Promise<void> {
    const t0 = Date.now();
    await this.workers?.close(opts.graceMs ?? 700);
    const tWorkers = Date.now();
    await this.queues.close();
    const tQueues = Date.now();
    await this.redis.stop();
    this.db.close();
    this.lock?.release();
    this.log.info({ workersMs: tWorkers - t0, queuesMs: tQueues - tWorkers, redisMs: Date.now() - tQueues }, 'core closed');
    this.log.flush();
  }
}

export function createAppCore(config: AppConfig, opts: AppCoreOptions): Promise<AppCore> {
  return AppCore.create(config, opts);
}
