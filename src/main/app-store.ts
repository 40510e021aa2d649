// The core's store and everything built over it (Gmail access, sync controller), with its one
// unrecoverable state: damaged (db/store-health.ts), left only by a rebuild from Gmail. While damaged,
// `db` is a stand-in in memory holding the accounts a rebuild keeps, so the UI can still list them
// and say what happened. AppCore owns one AppStore; nothing else swaps stores.
import type { AppConfig } from './config';
import { openDatabase, type Db } from './db/client';
import { DatabaseDamagedError, StoreNotDamagedError } from './db/errors';
import { damageRecorded, recordDamage, recordedDamage, storeProblems, damageMessage } from './db/store-health';
import { restoreAccounts, type RestoredAccount } from './db/accounts';
import { tokenRepository } from './db/tokens';
import { quotaProfileRepository } from './db/quota-profiles';
import { accountsToCarryOver, databaseFile, rebuildStore } from './store';
import { decryptTokens } from './gmail/token-store';
import { GmailAccess, type GmailHealth } from './gmail/gmail-access';
import type { QuotaGovernor } from './gmail/quota-governor';
import type { SecretBox } from './gmail/secret-box';
import type { SyncQueues } from './queues/sync-queues';
import type { CoreEvents } from './core-events';
import { SyncController } from './sync/sync-controller';
import type { SyncDeps } from './sync/sync-deps';
import type { Logger } from './log';

/** What a rebuild did: the damaged file's new name, and which accounts must be reconnected. */
export type StoreRebuilt = { keptAs: string | null; accounts: { email: string; reconnect: boolean }[] };

/** What the app says to do about a damaged store (its button calls rebuild()). */
const REBUILD_IN_APP =
  'Nothing more is written to it. Rebuild the mirror from Gmail: your mail is downloaded again into a new file, and the damaged one is kept aside.';

/** What happened to the store, and the way out the app offers. */
export function damageAdvice(damage: DatabaseDamagedError): string {
  return `${damage.message.replace(/[.\s]+$/, '')}. ${REBUILD_IN_APP}`;
}

export type StoreContext = {
  config: AppConfig;
  box: SecretBox;
  governor: QuotaGovernor;
  queues: SyncQueues;
  events: CoreEvents;
  log: Logger;
};

type Parts = { db: Db; deps: SyncDeps; sync: SyncController };

export class AppStore {
  private parts: Parts;
  private damage: DatabaseDamagedError | null;
  private carryOver: RestoredAccount[] = [];
  /** Called once when the store turns out damaged: stop everything that writes to it. */
  onDamaged: () => void = () => undefined;
  /** Called when how Gmail answers an account changes (null: it answers again). */
  onGmailHealth: (accountId: number, health: GmailHealth | null) => void = () => undefined;

  constructor(private readonly ctx: StoreContext, store: Db | null, damage: DatabaseDamagedError | null) {
    this.damage = damage;
    if (damage || !store) {
      this.carryOver = this.readCarryOver();
      store = this.standIn(this.carryOver);
    }
    this.parts = this.partsOver(store);
  }

  get db(): Db {
    return this.parts.db;
  }

  get deps(): SyncDeps {
    return this.parts.deps;
  }

  get sync(): SyncController {
    return this.parts.sync;
  }

  private partsOver(db: Db): Parts {
    const { config, box, governor, queues, events, log } = this.ctx;
    const deps: SyncDeps = { db, config, gmail: new GmailAccess({ tokenRepo: tokenRepository(db), config, box, governor, quotaProfiles: quotaProfileRepository(db) }, (accountId, health) =>
        this.onGmailHealth(accountId, health),
      ), queues, events, log };
    return { db, deps, sync: new SyncController(deps) };
  }

  /**
   * Why the store cannot be used, or null. Also notices damage another process recorded beside the file
   * (workers ask this before every job).
   */
  damaged(): DatabaseDamagedError | null {
    const file = databaseFile(this.ctx.config.dataDir);
    if (!this.damage && damageRecorded(file)) {
      const recorded = recordedDamage(file);
      if (recorded) this.enterDamaged(recorded);
    }
    return this.damage;
  }

  throwIfDamaged(): void {
    const damage = this.damaged();
    if (damage) throw damage;
  }

  /**
   * Anything thrown while using the store goes through here: SQLITE_CORRUPT / SQLITE_NOTADB, from wherever it came,
   * puts the core in the damaged state. Returns the error to throw (a StoreError when it was SQLite's).
   */
  reportError(e: unknown): unknown {
    const mapped = this.parts.db.noteError(e);
    if (mapped instanceof DatabaseDamagedError) this.enterDamaged(mapped);
    return mapped;
  }

  /**
   * Stops the writers (onDamaged), remembers the damage beside the file, and swaps the store for an in-memory
   * stand-in with the accounts a rebuild keeps. The damaged connection is closed: a job still running fails at its
   * next read or write.
   */
  private enterDamaged(e: DatabaseDamagedError): void {
    if (this.damage) return;
    this.damage = e;
    recordDamage(databaseFile(this.ctx.config.dataDir), e);
    this.ctx.log.error({ err: e.message }, 'the mailbox database is damaged: sync stopped, nothing more is written to it');
    this.onDamaged();
    const damaged = this.parts.db;
    damaged.noteError(e);
    this.carryOver = this.readCarryOver();
    this.parts = this.partsOver(this.standIn(this.carryOver));
    damaged.close();
    for (const a of this.carryOver) {
      this.ctx.events.emit('accounts:changed', { accountId: a.id });
      this.ctx.events.emit('sync:progress', { accountId: a.id });
    }
  }

  private readCarryOver(): RestoredAccount[] {
    return accountsToCarryOver(this.ctx.config.dataDir, (cipher) => {
      try {
        decryptTokens(this.ctx.box, cipher);
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

  /**
   * Sets the damaged file aside as `mailmirror.damaged-<time>.db` (with its -wal/-shm) and opens a new store with
   * the accounts whose rows could be read (their tokens kept when they still decrypt). `beforeSwap` runs once the
   * store is known damaged and before the new file is made (the core drains its workers and queues there). On a
   * store not known damaged it checks the whole file first and refuses (StoreNotDamagedError) when it is healthy.
   */
  async rebuild(beforeSwap: () => Promise<void>): Promise<{ rebuilt: StoreRebuilt; carried: RestoredAccount[] }> {
    if (!this.damaged()) {
      const problems = storeProblems(this.db.sqlite, 'quick');
      if (problems.length === 0) {
        throw new StoreNotDamagedError('The mailbox database is not damaged (PRAGMA quick_check: ok): there is nothing to rebuild');
      }
      this.enterDamaged(new DatabaseDamagedError(damageMessage(problems), { cause: new Error(problems.join('\n')) }));
    }
    await beforeSwap();
    const carried = this.carryOver;
    const rebuilt = rebuildStore(this.ctx.config.dataDir, carried);
    const standIn = this.parts.db;
    this.parts = this.partsOver(rebuilt.db);
    standIn.close();
    this.damage = null;
    this.ctx.log.warn({ keptAs: rebuilt.keptAs, accounts: carried.length }, 'mailbox database rebuilt: the damaged file is kept aside');
    return {
      rebuilt: { keptAs: rebuilt.keptAs, accounts: carried.map((a) => ({ email: a.email, reconnect: a.needsReconnect !== null })) },
      carried,
    };
  }

  close(): void {
    this.parts.db.close();
  }
}
