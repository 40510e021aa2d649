// The composition root of the headless core: store, Redis, queues, workers, Gmail access, sync engine.
// The Electron shell, the browser host and the CLI all start the app through here, and use it only
// through its methods (AppServices for the router, plus what the hosts ask): its parts are private.
import type { AppConfig } from './config';
import type { Db } from './db/client';
import { DatabaseDamagedError } from './db/errors';
import { getAccount, getAccountByEmail, listAccounts, updateAccount, type Account } from './db/accounts';
import { listLabels, type LabelRow } from './db/labels';
import { readStatusSnapshot } from './db/status-snapshot';
import { tokenRepository } from './db/tokens';
import { openStore } from './store';
import type { RedisHealth, RedisSupervisor } from './redis';
import { ensureDataDir } from './data-dir';
import type { QuotaGovernor } from './gmail/quota-governor';
import { FileKeySecretBox, type SecretBox } from './gmail/secret-box';
import { connectAccount, removeAccount, type RemovedAccount } from './gmail/account-auth';
import { AccountNotFoundError } from './gmail/account-errors';
import { OAuthClientStore } from './gmail/oauth-client-store';
import type { SyncQueues } from './queues/sync-queues';
import { createQueueMonitor, type QueueMonitor } from './queues/monitor';
import { SyncWorkers } from './sync/workers';
import { accountStatus, type AccountStatus } from './sync/status';
import { LiveFacts } from './live-facts';
import { RateMeter } from './sync/rate-meter';
import { CoreEvents, type CoreEventMap, type CoreEventName } from './core-events';
import { AppStore, damageAdvice, type StoreRebuilt } from './app-store';
import { createLogger, type Logger } from './log';
import { DataDirLock } from './data-dir-lock';
import type { AppServices, AttachmentRef } from './ipc/services';
import { attachmentBytes, fetchMissingOriginals, messageOriginal } from './originals';
import { queueSourceBackfill } from './sync/source-backfill';
import { exportAccountFromCore, exportDefaultPaths } from './export/app-export';
import { RunningExports } from './export/running-exports';
import type { ClientStatus, Settings, SyncStatus } from '../shared/ipc';
import { loadSettings, saveChoices } from './settings';
import { APP_VERSION } from './version';
import { startQueueSide, type AppCoreOptions } from './core-startup';

export type { AppCoreOptions };
import { MirrorReads } from './mirror-reads';

export type { StoreRebuilt, AccountStatus, Account, LabelRow };
export { redisHealthChangeLine, type RedisHealthState } from './redis';
export { StoreNotDamagedError } from './db/errors';


type Parts = {
  redis: RedisSupervisor;
  queues: SyncQueues;
  events: CoreEvents;
  governor: QuotaGovernor;
  box: SecretBox;
  log: Logger;
  lock: DataDirLock | null;
};

export class AppCore implements AppServices {
  readonly version = APP_VERSION;
  readonly log: Logger;
  /** Reads of the mirror for the UI (the router's only way to the store). */
  readonly mirror = new MirrorReads(() => this.db);
  /** Present when the host offers the demo mailbox (`serve --demo`, the desktop app's demo). */
  readonly connectDemo?: () => Promise<{ email: string }>;
  private readonly meters = new Map<number, RateMeter>();
  private queueMonitor: QueueMonitor | null = null;
  private readonly store: AppStore;
  private workers: SyncWorkers | null = null;
  /** Workers being stopped because the store turned out damaged (awaited by close()). */
  private workersStopping: Promise<void> | null = null;
  private rebuilding: Promise<StoreRebuilt> | null = null;
  private readonly live: LiveFacts;
  private clientStore?: OAuthClientStore;
  private readonly exports = new RunningExports();

  private constructor(
    private readonly config: AppConfig,
    store: Db | null,
    damage: DatabaseDamagedError | null,
    private readonly parts: Parts,
    private readonly opts: AppCoreOptions,
  ) {
    this.log = parts.log;
    this.store = new AppStore({ config, ...parts }, store, damage);
    this.live = new LiveFacts({
      gmail: () => this.store.deps.gmail,
      redis: opts.runWorkers ? parts.redis : null,
      storage: () => this.storageFailure(),
      accounts: () => listAccounts(this.db),
      events: parts.events,
      ...(opts.runWorkers
        ? { probe: (id: number) => this.store.deps.gmail.call(id, 'users.getProfile', (g) => g.users.getProfile({ userId: 'me' })) }
        : {}),
    });
    this.store.onGmailHealth = (accountId, health) => {
      // Every open window hears it now; once Gmail is back, jobs waiting out a backoff grown meanwhile run at once.
      parts.events.emit('sync:progress', { accountId });
      if (!health && opts.runWorkers) void parts.queues.promoteDelayed(accountId).catch(() => undefined);
    };
    this.store.onDamaged = () => {
      const workers = this.workers;
      this.workers = null;
      if (workers) this.workersStopping = workers.close(1000).catch(() => undefined);
    };
    const demo = opts.demo;
    if (demo) {
      this.connectDemo = () => this.connectAccount({ openUrl: demo.consent, signal: new AbortController().signal });
    }
  }

  /** The open store (a stand-in holding only the accounts while the real one is damaged). */
  private get db(): Db {
    return this.store.db;
  }

  get dataDir(): string {
    return this.config.dataDir;
  }

  private get sync() {
    return this.store.sync;
  }

  private startWorkers(): void {
    this.workers = new SyncWorkers(this.store.deps, this.parts.redis.connection('worker'), this.config.queuePrefix, {
      storeDamage: () => this.storeDamage(),
      onStoreError: (e) => this.reportStoreError(e),
    });
  }

  /** Bull Board for `serve` (built on first use: it loads express and the board's UI). */
  get monitor(): QueueMonitor {
    return (this.queueMonitor ??= createQueueMonitor(this.parts.queues, { writable: this.config.queuesWritable }));
  }

  // ---- AppServices (what the IPC router and so the UI can ask) ----

  async connectAccount(opts: { openUrl: (url: string) => void; signal: AbortSignal }): Promise<{ email: string }> {
    this.store.throwIfDamaged();
    const connected = await connectAccount(
      { tokenRepo: tokenRepository(this.db), config: this.config, box: this.parts.box },
      { onUrl: opts.openUrl, openBrowser: false, signal: opts.signal },
    );
    this.store.deps.gmail.forget(connected.accountId);
    updateAccount(this.db, connected.accountId, { includeSpamTrash: loadSettings(this.config).includeSpamTrash });
    this.parts.events.emit('accounts:changed', { accountId: connected.accountId });
    await this.sync.requestSync(connected.accountId);
    return { email: connected.email };
  }

  /** Stops the account's jobs, revokes its grant (best effort) and deletes its mirror. */
  async removeAccount(accountId: number): Promise<RemovedAccount> {
    this.store.throwIfDamaged();
    if (!getAccount(this.db, accountId)) throw new AccountNotFoundError(`no account with id ${accountId}`);
    await this.parts.queues.unscheduleIncremental(accountId);
    const removed = await removeAccount({ tokenRepo: tokenRepository(this.db), config: this.config, box: this.parts.box }, accountId);
    this.store.deps.gmail.forget(accountId);
    this.meters.delete(accountId);
    this.parts.events.emit('accounts:changed', { accountId });
    return removed;
  }

  async syncNow(accountId: number, opts?: { full?: boolean }): Promise<void> {
    await this.requestSync(accountId, opts);
  }

  /** Queues the sync the account needs (incremental, or initial/full; `full` forces a resync) and says which. */
  async requestSync(accountId: number, opts?: { full?: boolean }): Promise<'initial' | 'full' | 'incremental'> {
    this.store.throwIfDamaged();
    let kind: 'initial' | 'full' | 'incremental';
    this.live.asked(accountId);
    try {
      kind = await this.sync.requestSync(accountId, opts);
    } catch (e) {
      throw this.reportStoreError(e);
    }
    this.parts.events.emit('sync:progress', { accountId });
    return kind;
  }

  async syncStatus(accountId: number): Promise<SyncStatus> {
    return this.accountStatus(accountId).status;
  }

  /**
   * An account's status (sync/status.ts's projection of the store plus this process's facts: rate, Gmail
   * unreachable, a damaged store), with the account's own facts beside it for the CLI.
   */
  accountStatus(accountId: number): AccountStatus {
    const damage = this.storeDamage();
    try {
      const snap = readStatusSnapshot(this.db, accountId);
      if (!snap) throw new AccountNotFoundError(`no account with id ${accountId}`);
      if (damage) return accountStatus(snap, { damage: damageAdvice(damage) });
      let meter = this.meters.get(accountId);
      if (!meter) this.meters.set(accountId, (meter = new RateMeter()));
      return accountStatus(snap, {
        ...this.live.facts(accountId), ratePerSecond: meter.push(snap.counts.fetched), quotaProfile: this.config.quotaProfile,
      });
    } catch (e) {
      const mapped = this.reportStoreError(e);
      if (mapped instanceof DatabaseDamagedError) {
        const snap = readStatusSnapshot(this.db, accountId);
        if (snap) return accountStatus(snap, { damage: damageAdvice(mapped) });
      }
      throw mapped;
    }
  }

  storeDamageMessage(): string | null {
    const damage = this.storeDamage();
    return damage ? damageAdvice(damage) : null;
  }

  fetchAttachment(ref: AttachmentRef): Promise<Uint8Array> {
    return attachmentBytes(this.store.deps, ref);
  }

  messageSource(accountId: number, gmailId: string): Promise<Buffer> {
    this.mirror.requireAccount(accountId);
    return messageOriginal(this.store.deps, accountId, gmailId);
  }

  async exportDefaults(accountId: number): Promise<{ mbox: string; eml: string }> {
    const acct = getAccount(this.db, accountId);
    if (!acct) throw new AccountNotFoundError(`no account with id ${accountId}`);
    return exportDefaultPaths(acct.email);
  }

  /**
   * First the originals the mirror lacks are fetched from Gmail, then the export is written; both say how far they
   * are (`export:progress`, last `ended`) and stop at `cancelExport`.
   */
  async exportAccount(req: Parameters<AppServices['exportAccount']>[0]): ReturnType<AppServices['exportAccount']> {
    const { accountId } = req;
    this.mirror.requireAccount(accountId);
    const progress = (phase: CoreEventMap['export:progress']['phase'], done: number, total: number, bytes = 0) =>
      this.parts.events.emit('export:progress', { accountId, phase, done, total, bytes });
    return this.exports.run(accountId, async (signal) => {
      let written = { done: 0, total: 0, bytes: 0 };
      try {
        await fetchMissingOriginals(this.store.deps, accountId, { signal, onProgress: (done, total) => progress('fetching', done, total) });
        return await exportAccountFromCore(this.config.dataDir, {
          ...req,
          signal,
          onTotal: (total) => {
            written = { done: 0, total, bytes: 0 };
            progress('writing', 0, total);
          },
          onProgress: (p) => {
            written = { ...written, done: p.exported + p.skipped, bytes: p.bytes };
            progress('writing', written.done, written.total, written.bytes);
          },
        });
      } finally {
        progress('ended', written.done, written.total, written.bytes);
      }
    });
  }

  async cancelExport(accountId: number): Promise<boolean> {
    return this.exports.cancel(accountId);
  }

  // The OAuth client (explicit > the user's > built in): a change applies to the config every OAuth2Client
  // is built from, and the cached per-account clients are dropped so the next call builds them again.
  private get clients(): OAuthClientStore {
    return (this.clientStore ??= new OAuthClientStore(this.config, () => this.parts.box, () => this.store.deps.gmail.forgetAll()));
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
    return loadSettings(this.config);
  }

  async setSettings(patch: Partial<Settings>): Promise<Settings> {
    const next = saveChoices(this.config, patch);
    for (const a of listAccounts(this.db)) {
      if (patch.includeSpamTrash !== undefined && a.includeSpamTrash !== patch.includeSpamTrash) {
        updateAccount(this.db, a.id, { includeSpamTrash: patch.includeSpamTrash });
      }
      if (patch.syncIntervalSeconds !== undefined && a.initialSyncCompleted && a.status !== 'needs_reconnect') {
        await this.parts.queues.scheduleIncremental(a.id, next.syncIntervalSeconds * 1000);
      }
      // A raised cap: the attachments now within it are copied in the background.
      if (patch.keepOriginals !== undefined || patch.attachmentCapMb !== undefined) await queueSourceBackfill(this.parts, a.id);
    }
    return next;
  }

  onEvent<K extends CoreEventName>(name: K, fn: (payload: CoreEventMap[K]) => void): () => void {
    const events = this.parts.events as unknown as import('node:events').EventEmitter;
    const listener = (p: CoreEventMap[K]) => fn(p);
    events.on(name, listener);
    return () => {
      events.off(name, listener);
    };
  }

  // ---- What the hosts (CLI, browser host, Electron) ask besides the router's services ----

  listAccounts(): Account[] {
    return listAccounts(this.db);
  }

  findAccount(email: string): Account | null {
    return getAccountByEmail(this.db, email) ?? null;
  }

  labels(accountId: number): LabelRow[] {
    return listLabels(this.db, accountId);
  }

  /** Redis's health as the supervisor sees it (a long-lived process watches it; `sync --wait` shows it). */
  watchRedisHealth(): RedisHealth {
    return this.parts.redis.watchHealth();
  }

  /** Jobs waiting, delayed or running in the sync queues. */
  unfinishedJobs(): Promise<number> {
    return this.parts.queues.unfinishedCount();
  }

  /** Why Gmail cannot be reached for the account right now (the last attempt's network error), or null. */
  offlineReason(accountId: number): string | null {
    return this.store.deps.gmail.offline(accountId);
  }

  /** Set while the disk under the data folder is full: the sync is paused until space is freed. */
  storageFailure(): string | null {
    return this.workers?.storageFailure() ?? null;
  }

  /** Why the store cannot be used (DatabaseDamagedError), or null. */
  storeDamage(): DatabaseDamagedError | null {
    return this.store.damaged();
  }

  /** Anything thrown while using the store: SQLite's corrupt / not-a-database errors put the core in the damaged state. */
  reportStoreError(e: unknown): unknown {
    return this.store.reportError(e);
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
      const started = await startQueueSide(config, { transient: !opts.runWorkers, log });
      redis = started.redis;
      const { queues, governor } = started;
      const box = opts.secretBox ?? new FileKeySecretBox(config.dataDir);
      // The core works on its own copy of the config, holding the OAuth client in effect.
      config = { ...config };
      for (const w of new OAuthClientStore(config, () => box).apply().warnings) log.warn({ component: 'oauth-client' }, w);
      const core = new AppCore(config, db, damage, { redis, queues, events: opts.events ?? new CoreEvents(), governor, box, log, lock }, opts);
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

  /** Workers on, every account reconciled from the store (a never-synced or unfinished one resumes), maintenance scheduled. */
  private async startSyncing(): Promise<void> {
    this.startWorkers();
    this.live.watch();
    await this.sync.reconcileAll();
    await this.parts.queues.scheduleMaintenance(6 * 3600 * 1000);
  }

  /**
   * Rebuilds the mirror from Gmail: the damaged file is set aside, a new store gets the accounts whose rows could be
   * read (the others must be reconnected), and a full sync of each starts (AppStore.rebuild).
   */
  rebuildStore(): Promise<StoreRebuilt> {
    this.rebuilding ??= this.doRebuild().finally(() => {
      this.rebuilding = null;
    });
    return this.rebuilding;
  }

  private async doRebuild(): Promise<StoreRebuilt> {
    const { rebuilt, carried } = await this.store.rebuild(async () => {
      await this.workersStopping;
      // Every job in Redis was derived from the damaged store.
      await this.parts.queues.obliterateAll();
    });
    this.meters.clear();
    if (this.opts.runWorkers) await this.startSyncing();
    for (const a of carried) {
      if (!a.needsReconnect) await this.sync.requestSync(a.id);
      this.parts.events.emit('accounts:changed', { accountId: a.id });
      this.parts.events.emit('sync:progress', { accountId: a.id });
    }
    return rebuilt;
  }

  /** Stops everything; running jobs get `graceMs` to finish (quitting the app must take < 2 s). */
  async close(opts: { graceMs?: number } = {}): Promise<void> {
    const t0 = Date.now();
    this.live.stop();
    await this.exports.stopAll();
    await this.rebuilding?.catch(() => undefined);
    await this.workers?.close(opts.graceMs ?? 700);
    await this.workersStopping;
    const tWorkers = Date.now();
    await this.parts.queues.close();
    const tQueues = Date.now();
    await this.parts.redis.stop();
    this.store.close();
    this.parts.lock?.release();
    this.log.info({ workersMs: tWorkers - t0, queuesMs: tQueues - tWorkers, redisMs: Date.now() - tQueues }, 'core closed');
    this.log.flush();
  }
}

export function createAppCore(config: AppConfig, opts: AppCoreOptions): Promise<AppCore> {
  return AppCore.create(config, opts);
}
