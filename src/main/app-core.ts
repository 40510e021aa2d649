// The composition root of the headless core: store, Redis, queues, workers, Gmail access, sync engine.
// The Electron shell, the browser host and the CLI all start the app through here.
import type { AppConfig } from './config';
import { openDatabase, type Db } from './db/client';
import { DatabaseDamagedError } from './db/errors';
import { damageRecorded, recordDamage, recordedDamage, storeProblems, damageMessage } from './db/store-health';
import type { RestoredAccount } from './db/accounts';
import { restoreAccounts } from './db/accounts';
import { accountsToCarryOver, databaseFile, openStore, rebuildStore } from './store';
import { decryptTokens } from './gmail/token-store';
import { RedisSupervisor, isRedisConnectionError } from './redis';
import { ensureDataDir } from './data-dir';
import { QuotaGovernor } from './gmail/quota-governor';
import { GmailAccess } from './gmail/gmail-access';
import { FileKeySecretBox, type SecretBox } from './gmail/secret-box';
import { SyncQueues } from './queues/sync-queues';
import { SyncWorkers } from './sync/workers';
import { SyncEvents } from './sync/sync-events';
import { SyncController } from './sync/sync-controller';
import type { SyncDeps } from './sync/sync-deps';
import { createLogger, errorText, type Logger } from './log';
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
  /**
   * Start even when the store is damaged, in the damaged state (no workers, nothing written, every account's
   * status says so), so the app can offer the rebuild. Without it a damaged store throws DatabaseDamagedError.
   */
  openDamaged?: boolean;
};

/** What rebuildStore() did: the damaged file's new name, and which accounts must be reconnected. */
export type StoreRebuilt = { keptAs: string | null; accounts: { email: string; reconnect: boolean }[] };

/** What the app says to do about a damaged store (its button calls rebuildStore()). */
const REBUILD_IN_APP =
  'Nothing more is written to it. Rebuild the mirror from Gmail: your mail is downloaded again into a new file, and the damaged one is kept aside.';

/** What happened to the store, and the way out the app offers. */
function damageAdvice(damage: DatabaseDamagedError): string {
  return `${damage.message.replace(/[.\s]+$/, '')}. ${REBUILD_IN_APP}`;
}

/** A rebuild was asked of a store that checks out healthy. */
export class StoreNotDamagedError extends Error {
  readonly code = 'STORE_NOT_DAMAGED';
}

/** The store, and everything built over it (replaced together when a damaged store is set aside). */
type StoreParts = { db: Db; deps: SyncDeps; sync: SyncController };

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
  private parts: StoreParts;
  private workers: SyncWorkers | null = null;
  /** Workers being stopped because the store turned out damaged (awaited by close()). */
  private workersStopping: Promise<void> | null = null;
  /** Set once the store is known damaged: `db` is then a stand-in in memory holding the accounts a rebuild keeps. */
  private damage: DatabaseDamagedError | null;
  private carryOver: RestoredAccount[] = [];
  private rebuilding: Promise<StoreRebuilt> | null = null;

  private constructor(
    readonly config: AppConfig,
    store: Db | null,
    damage: DatabaseDamagedError | null,
    readonly redis: RedisSupervisor,
    readonly queues: SyncQueues,
    readonly events: SyncEvents,
    private readonly governor: QuotaGovernor,
    readonly box: SecretBox,
    readonly log: Logger,
    private readonly runWorkers: boolean,
    private readonly lock: DataDirLock | null,
  ) {
    this.settings = loadSettings(config.dataDir, {
      syncIntervalSeconds: Math.max(30, Math.round(config.syncIntervalMs / 1000)),
      includeSpamTrash: true,
      remoteImages: 'ask',
    });
    this.damage = damage;
    if (damage || !store) {
      this.carryOver = this.readCarryOver();
      store = this.standIn(this.carryOver);
    }
    this.parts = this.partsOver(store);
  }

  /** The open store (a stand-in holding only the accounts while the real one is damaged). */
  get db(): Db {
    return this.parts.db;
  }

  get deps(): SyncDeps {
    return this.parts.deps;
  }

  get sync(): SyncController {
    return this.parts.sync;
  }

  private partsOver(db: Db): StoreParts {
    const { config, box, governor, queues, events, log } = this;
    const deps: SyncDeps = { db, config, gmail: new GmailAccess({ db, config, box, governor }), queues, events, log };
    return { db, deps, sync: new SyncController(deps) };
  }

  private startWorkers(): void {
    this.workers = new SyncWorkers(this.deps, this.redis.connection('worker'), this.config.queuePrefix, {
      storeDamage: () => this.storeDamage(),
      onStoreError: (e) => this.reportStoreError(e),
    });
  }

  /** Bull Board for `serve` (built on first use: it loads express and the board's UI). */
  get monitor(): QueueMonitor {
    return (this.queueMonitor ??= createQueueMonitor(this.queues, { writable: this.config.queuesWritable }));
  }

  // ---- AppServices (what the IPC router and so the UI can ask) ----

  async connectAccount(opts: { openUrl: (url: string) => void; signal: AbortSignal }): Promise<{ email: string }> {
    this.throwIfDamaged();
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
    this.throwIfDamaged();
    await this.queues.unscheduleIncremental(accountId);
    await removeAccount({ db: this.db, config: this.config, box: this.box }, accountId);
    this.deps.gmail.forget(accountId);
    this.meters.delete(accountId);
    this.events.emit('account', { accountId });
  }

  async syncNow(accountId: number, opts?: { full?: boolean }): Promise<void> {
    this.throwIfDamaged();
    try {
      await this.sync.requestSync(accountId, opts);
    } catch (e) {
      throw this.reportStoreError(e);
    }
    this.events.emit('progress', { accountId });
  }

  async syncStatus(accountId: number): Promise<SyncStatus> {
    const damage = this.storeDamage();
    if (damage) return this.damagedStatus(accountId, damage);
    try {
      return this.storedStatus(accountId);
    } catch (e) {
      const mapped = this.reportStoreError(e);
      if (mapped instanceof DatabaseDamagedError) return this.damagedStatus(accountId, mapped);
      throw mapped;
    }
  }

  storeDamageMessage(): string | null {
    const damage = this.storeDamage();
    return damage ? damageAdvice(damage) : null;
  }

  /** What the UI shows of every account while the store is damaged: that, and what to do. */
  private damagedStatus(accountId: number, damage: DatabaseDamagedError): SyncStatus {
    if (!getAccount(this.db, accountId)) throw Object.assign(new Error(`no account with id ${accountId}`), { code: 'NOT_FOUND' });
    return {
      accountId,
      phase: 'error',
      processed: 0,
      total: null,
      ratePerSecond: null,
      etaSeconds: null,
      error: { code: 'DB_DAMAGED', message: damageAdvice(damage) },
      offline: false,
      initialSyncCompleted: false,
      lastSyncAt: null,
      labels: [],
    };
  }

  private storedStatus(accountId: number): SyncStatus {
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
    let damage: DatabaseDamagedError | null = null;
    let redis: RedisSupervisor | null = null;
    try {
      try {
        db = openStore(config.dataDir);
      } catch (e) {
        if (!(opts.openDamaged && e instanceof DatabaseDamagedError)) throw e;
        damage = e;
        log.error({ err: e.message }, 'the mailbox database is damaged: started without workers; a rebuild from Gmail is needed');
      }
      redis = await RedisSupervisor.start({
        dataDir: config.dataDir,
        redisUrl: config.redisUrl,
        // Without workers this process only enqueues and exits: its redis-server must not be shared.
        transient: !opts.runWorkers,
        logger: (msg: string) => log.info({ component: 'redis' }, msg),
      });
      // A long-lived process tells Redis outages in one line each (the health monitor), not per connection.
      if (opts.runWorkers) redis.watchHealth();
      const queues = new SyncQueues(redis.connection('queue'), config.queuePrefix, (e, queue) => {
        if (!isRedisConnectionError(e)) log.warn({ component: 'queues', queue, err: errorText(e) }, 'queue error');
      });
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
      const core = new AppCore(config, db, damage, redis, queues, events, governor, box, log, opts.runWorkers, lock);
      db = core.db;
      if (opts.runWorkers) {
        // Everything in an embedded Redis is derived from the store: after a crash, drop it and rebuild
        // it from SQLite at once instead of waiting for BullMQ's stalled-job check.
        if (lock) await queues.obliterateAll();
        // A damaged store gets no workers: nothing may write to it (rebuildStore() starts them on the new one).
        if (!damage) await core.startSyncing();
      }
      return core;
    } catch (e) {
      await redis?.stop().catch(() => undefined);
      db?.close();
      lock?.release();
      throw e;
    }
  }

  private async startSyncing(): Promise<void> {
    this.startWorkers();
    await this.sync.reconcileAll();
    await this.queues.scheduleMaintenance(6 * 3600 * 1000);
  }

  /** Set while the disk under the data folder is full: the sync is paused until space is freed. */
  storageFailure(): string | null {
    return this.workers?.storageFailure() ?? null;
  }

  // ---- A damaged store (db/store-health.ts): one unrecoverable state, left only by a rebuild from Gmail.

  /**
   * Why the store cannot be used (DatabaseDamagedError), or null. Also notices damage another process recorded
   * beside the file (workers ask this before every job).
   */
  storeDamage(): DatabaseDamagedError | null {
    if (!this.damage && damageRecorded(databaseFile(this.config.dataDir))) {
      const recorded = recordedDamage(databaseFile(this.config.dataDir));
      if (recorded) this.enterDamaged(recorded);
    }
    return this.damage;
  }

  /**
   * Anything thrown while using the store goes through here: SQLITE_CORRUPT / SQLITE_NOTADB, from wherever it came,
   * puts the core in the damaged state. Returns the error to throw (a StoreError when it was SQLite's).
   */
  reportStoreError(e: unknown): unknown {
    const mapped = this.parts.db.noteError(e);
    if (mapped instanceof DatabaseDamagedError) this.enterDamaged(mapped);
    return mapped;
  }

  /**
   * Stops the workers (no job is retried, nothing more is written), remembers the damage beside the file, and swaps
   * the store for an in-memory stand-in with the accounts a rebuild keeps, so the UI can still list them and say
   * what happened. The damaged connection is closed: a job still running fails at its next read or write.
   */
  private enterDamaged(e: DatabaseDamagedError): void {
    if (this.damage) return;
    this.damage = e;
    const file = databaseFile(this.config.dataDir);
    recordDamage(file, e);
    this.log.error({ err: e.message }, 'the mailbox database is damaged: sync stopped, nothing more is written to it');
    const workers = this.workers;
    this.workers = null;
    if (workers) this.workersStopping = workers.close(1000).catch(() => undefined);
    const damaged = this.parts.db;
    damaged.noteError(e);
    this.carryOver = this.readCarryOver();
    this.parts = this.partsOver(this.standIn(this.carryOver));
    damaged.close();
    for (const a of this.carryOver) {
      this.events.emit('account', { accountId: a.id });
      this.events.emit('progress', { accountId: a.id });
    }
  }

  private readCarryOver(): RestoredAccount[] {
    return accountsToCarryOver(this.config.dataDir, (cipher) => {
      try {
        decryptTokens(this.box, cipher);
        return true;
      } catch {
        return false;
      }
    });
  }

  private standIn(accounts: RestoredAccount[]): Db {
    const db = openDatabase(':memory:');
    restoreAccounts(db, accounts);
    return db;
  }

  private throwIfDamaged(): void {
    const damage = this.storeDamage();
    if (damage) throw damage;
  }

  /**
   * Rebuilds the mirror from Gmail: the damaged file is set aside as `mailmirror.damaged-<time>.db` (with its
   * -wal/-shm), a new store gets the accounts whose rows could be read (with their tokens when those still decrypt;
   * the others must be reconnected), and a full sync of each starts. On a store not known damaged it checks the
   * whole file first and refuses (StoreNotDamagedError) when it is healthy.
   */
  rebuildStore(): Promise<StoreRebuilt> {
    this.rebuilding ??= this.doRebuild().finally(() => {
      this.rebuilding = null;
    });
    return this.rebuilding;
  }

  private async doRebuild(): Promise<StoreRebuilt> {
    if (!this.storeDamage()) {
      const problems = storeProblems(this.db.sqlite, 'quick');
      if (problems.length === 0) {
        throw new StoreNotDamagedError('The mailbox database is not damaged (PRAGMA quick_check: ok): there is nothing to rebuild');
      }
      this.enterDamaged(new DatabaseDamagedError(damageMessage(problems), { cause: new Error(problems.join('\n')) }));
    }
    await this.workersStopping;
    // Every job in Redis was derived from the damaged store.
    await this.queues.obliterateAll();
    const carry = this.carryOver;
    const rebuilt = rebuildStore(this.config.dataDir, carry);
    const standIn = this.parts.db;
    this.parts = this.partsOver(rebuilt.db);
    standIn.close();
    this.damage = null;
    this.meters.clear();
    this.log.warn({ keptAs: rebuilt.keptAs, accounts: carry.length }, 'mailbox database rebuilt: the damaged file is kept aside');
    if (this.runWorkers) await this.startSyncing();
    for (const a of carry) {
      if (!a.needsReconnect) await this.sync.requestSync(a.id);
      this.events.emit('account', { accountId: a.id });
      this.events.emit('progress', { accountId: a.id });
    }
    return { keptAs: rebuilt.keptAs, accounts: carry.map((a) => ({ email: a.email, reconnect: a.needsReconnect !== null })) };
  }

  /** Stops everything; running jobs get `graceMs` to finish (quitting the app must take < 2 s). */
  async close(opts: { graceMs?: number } = {}): Promise<void> {
    const t0 = Date.now();
    await this.rebuilding?.catch(() => undefined);
    await this.workers?.close(opts.graceMs ?? 700);
    await this.workersStopping;
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
