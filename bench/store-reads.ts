// Every read the bench makes of the app's store, in one place, through src/main/db's read-only open (the only
// code that opens the store): the bench only looks, beside the running sync (WAL readers do not block it).
import { existsSync } from 'node:fs';
import {
  countFetchedMessages, databaseFile, latestListingRun, listAccounts, openDatabaseReadOnly, rememberedQuotaProfile, type Db,
  type RememberedProfile,
} from '../src/main/db';

/** Read-only, or null while the file is not there or cannot be opened yet. */
function openReader(dataDir: string): Db | null {
  const file = databaseFile(dataDir);
  if (!existsSync(file)) return null;
  try {
    return openDatabaseReadOnly(file, { busyTimeoutMs: 2000 });
  } catch {
    return null;
  }
}

function withReader<T>(dataDir: string, fn: (db: Db) => T): T {
  const db = openReader(dataDir);
  if (!db) throw new Error('no store');
  try {
    return fn(db);
  } finally {
    db.close();
  }
}

export type RunTimes = { startedAt: number; finishedAt: number; listed: number };

/** The last initial or full sync run: when it started and finished (ms), and how many messages it listed. */
export function lastFullRun(dataDir: string): RunTimes {
  return withReader(dataDir, (db) => {
    const r = latestListingRun(db);
    if (!r) throw new Error('no sync run in the store');
    return { startedAt: r.startedAt?.getTime() ?? Number.NaN, finishedAt: r.finishedAt?.getTime() ?? Number.NaN, listed: r.listedCount };
  });
}

/** Messages stored with their details, every account. */
export function fetchedMessageCount(dataDir: string): number {
  return withReader(dataDir, (db) => countFetchedMessages(db));
}

/**
 * A store watched while a sync writes it. Its reads throw while the schema is not there yet (a fresh file being
 * migrated).
 */
export type StoreWatch = {
  /** Whether the (first) account's labels, with their counts, are stored. */
  labelsSynced(): boolean;
  /** How many of these messages are stored with their details. */
  fetchedAmong(gmailIds: string[]): number;
  /** The quota table found for the (first) account (MAILMIRROR_QUOTA_PROFILE=auto), or null while not found. */
  quotaProfile(): RememberedProfile | null;
  close(): void;
};

/** Null until the store's file exists and opens. */
export function watchStore(dataDir: string): StoreWatch | null {
  const db = openReader(dataDir);
  if (!db) return null;
  return {
    labelsSynced: () => !!listAccounts(db)[0]?.labelSyncCompleted,
    fetchedAmong: (ids) => countFetchedMessages(db, ids),
    quotaProfile: () => {
      const a = listAccounts(db)[0];
      return a ? rememberedQuotaProfile(db, a.id) : null;
    },
    close: () => db.close(),
  };
}
