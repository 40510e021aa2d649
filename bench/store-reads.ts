// Every read the bench makes of the app's store, in one place, through src/main/db's read-only open (the only
// code that opens the store): the bench only looks, beside the running sync (WAL readers do not block it).
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import {
  countFetchedMessages,
  databaseFile,
  forEachSearchMatch,
  latestListingRun,
  listAccounts,
  openDatabase,
  openDatabaseReadOnly,
  rebuildSearchIndex,
  rememberedQuotaProfile,
  searchMessages,
  type Db,
  type RememberedProfile,
} from '../src/main/db';
import { MirrorReads } from '../src/main/mirror-reads';

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

/** Milliseconds of each run of `fn` (after `warmup` untimed runs). */
function timeRuns(runs: number, warmup: number, fn: () => void): number[] {
  for (let i = 0; i < warmup; i++) fn();
  const out: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    fn();
    out.push(performance.now() - t0);
  }
  return out;
}

export type SearchTiming = { query: string; total: number; firstPageMs: number[]; allRowsMs: number[] };

/**
 * Gmail searches over the first account's mirror, read-only: each query's first page of 50 with its exact count
 * (what the app's search answers), `runs` times, and every match handed out newest first (what `mailmirror
 * search` prints), `fullRuns` times.
 */
export function timeSearches(dataDir: string, queries: readonly string[], runs: number, fullRuns: number): SearchTiming[] {
  return withReader(dataDir, (db) => {
    const acc = listAccounts(db)[0]?.id;
    if (acc === undefined) throw new Error('no account in the store');
    return queries.map((query) => {
      let total = 0;
      const firstPageMs = timeRuns(runs, 2, () => {
        total = searchMessages(db, acc, query, { limit: 50 }).total;
      });
      const allRowsMs = timeRuns(fullRuns, 0, () => {
        let n = 0;
        forEachSearchMatch(db, acc, query, () => n++);
        if (n !== total) throw new Error(`${query}: ${n} rows handed out, ${total} counted`);
      });
      return { query, total, firstPageMs, allRowsMs };
    });
  });
}

/**
 * Milliseconds to rebuild the full-text index from the messages table: what the search migration costs an
 * existing mirror of this size when it first opens. The one write the bench makes, after the sync has ended.
 */
export function timeSearchIndexRebuild(dataDir: string): number {
  const db = openDatabase(databaseFile(dataDir));
  try {
    const t0 = performance.now();
    rebuildSearchIndex(db);
    return performance.now() - t0;
  } finally {
    db.close();
  }
}

/** Bytes of the store: its SQLite file with its WAL, and every file of the data folder but the logs. */
export function storeBytes(dataDir: string): { database: number; dataDir: number } {
  const file = databaseFile(dataDir);
  const size = (f: string): number => (existsSync(f) ? statSync(f).size : 0);
  const walk = (d: string): number =>
    readdirSync(d, { withFileTypes: true }).reduce((n, e) => {
      const p = join(d, e.name);
      if (e.isDirectory()) return n + (e.name === 'logs' ? 0 : walk(p));
      return n + (e.isFile() ? size(p) : 0);
    }, 0);
  return { database: size(file) + size(`${file}-wal`), dataDir: walk(dataDir) };
}

export type MirrorReadTimings = {
  /** A label's (or All Mail's) first page as the app's list asks it (100 rows), one row per message. */
  labelPageMs: number[];
  /** The same as conversations (one row per thread). */
  threadPageMs: number[];
  /** A message opened in the reader (its detail with bodies and attachments). */
  messageMs: number[];
  /** A Gmail-operator search's first page (100 rows) with its exact count. */
  searchMs: number[];
};

/**
 * What a user waits for on a finished mirror, each `tries` times through the reads the app's window uses
 * (MirrorReads, what the IPC router calls), read-only and without warm-up: first pages of the labels that hold mail
 * and All Mail in turn, messages picked at random, and the searches in turn.
 */
export function timeMirrorReads(dataDir: string, tries: number, queries: readonly string[], seed = 1): MirrorReadTimings {
  return withReader(dataDir, (db) => {
    const reads = new MirrorReads(() => db);
    const accountId = listAccounts(db)[0]?.id;
    if (accountId === undefined) throw new Error('no account in the store');
    const labels = [null, ...reads.labels(accountId).filter((l) => (l.localTotal ?? 0) > 0).map((l) => l.id)];
    const ids: string[] = [];
    forEachSearchMatch(db, accountId, 'in:anywhere', (m) => void ids.push(m.gmailId));
    let x = seed >>> 0 || 1;
    const pick = (n: number): number => {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      return (x >>> 0) % n;
    };
    const time = (fn: (i: number) => unknown): number[] =>
      Array.from({ length: tries }, (_, i) => {
        const t0 = performance.now();
        fn(i);
        return performance.now() - t0;
      });
    const PAGE = 100;
    return {
      labelPageMs: time((i) => reads.messagePage({ accountId, labelId: labels[i % labels.length], cursor: null, limit: PAGE })),
      threadPageMs: time((i) => reads.threadPage({ accountId, labelId: labels[i % labels.length], cursor: null, limit: PAGE })),
      messageMs: time(() => reads.message(accountId, ids[pick(ids.length)])),
      searchMs: time((i) => reads.searchPage({ accountId, query: queries[i % queries.length], cursor: null, limit: PAGE })),
    };
  });
}
