// Shared pieces of the chaos suite (issue 7): the bounded/long switch, a seeded random stream, the CLI
// steps every scenario ends with, the store invariants checked on the SQLite file itself, leftover
// process clean-up, and the results table (test-artifacts/chaos-table.md).
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import type { GroundTruth } from '../../src/emulator';
import { ROOT } from '../helpers/cli';
import { rng } from '../helpers/rng';
import { openRawSqlite, storeFileOf, tryOpenRawSqlite, withRawSqlite, type RawSqlite } from '../helpers/raw-sqlite';

/** `npm run chaos` sets MAILMIRROR_CHAOS=long: more runs, bigger mailboxes. The test command runs the bounded form. */
export const LONG = process.env.MAILMIRROR_CHAOS === 'long';

/** Bounded or long value. */
export function size<T>(bounded: T, long: T): T {
  return LONG ? long : bounded;
}

/** A seeded stream (test/helpers/rng.ts), so every run of a scenario injects the same faults at the same points. */
export class SeededRandom {
  readonly next: () => number;
  constructor(seed: number) {
    this.next = rng(seed);
  }
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export { exportOf, syncWait, until } from '../helpers/cli';

/** How many fields of the export differ from the ground truth (0 = equal): for the table, next to toEqual. */
export function mismatches(got: GroundTruth, truth: GroundTruth): number {
  let n = 0;
  const key = (x: unknown) => JSON.stringify(x);
  const gotMsgs = new Map(got.messages.map((m) => [m.id, key(m)]));
  const wantMsgs = new Map(truth.messages.map((m) => [m.id, key(m)]));
  for (const [id, m] of wantMsgs) if (gotMsgs.get(id) !== m) n++;
  for (const id of gotMsgs.keys()) if (!wantMsgs.has(id)) n++;
  const gotLabels = new Map(got.labels.map((l) => [l.id, key(l)]));
  const wantLabels = new Map(truth.labels.map((l) => [l.id, key(l)]));
  for (const [id, l] of wantLabels) if (gotLabels.get(id) !== l) n++;
  for (const id of gotLabels.keys()) if (!wantLabels.has(id)) n++;
  if (got.account !== truth.account) n++;
  return n;
}

export type StoreCheck = {
  integrity: string;
  messages: number;
  duplicateRows: number;
  pendingStubs: number;
  /** message_labels rows for a (message, label) the ground truth does not have. */
  strayLabelRows: number;
  /** message_labels rows of a label the labels table does not have. */
  orphanLabelRows: number;
  ftsDocs: number;
  ftsConsistent: boolean;
  /** label_local_counts rows that disagree with a recount of message_labels. */
  badLocalCounts: number;
  failedRuns: number;
  activeRuns: number;
};

/**
 * The store's invariants, read from the SQLite file: integrity, no duplicate (account, Gmail id), no label
 * row the truth lacks, the FTS index in step with messages, trigger-kept counts exact, no run left failed.
 */
export function checkStore(dataDir: string, email: string, truth: GroundTruth): StoreCheck {
  // Not read-only: FTS5's 'integrity-check' is written as an INSERT.
  const db = openRawSqlite(storeFileOf(dataDir), { readonly: false, busyTimeoutMs: 5000 });
  try {
    const one = <T>(sql: string, ...args: unknown[]) => db.prepare(sql).get(...args) as T;
    const acct = one<{ id: number } | undefined>('SELECT id FROM accounts WHERE email = ?', email);
    if (!acct) throw new Error(`no account ${email} in the store`);
    const id = acct.id;
    const integrity = (db.pragma('integrity_check') as { integrity_check: string }[]).map((r) => r.integrity_check).join('; ');
    const messages = one<{ n: number }>('SELECT count(*) AS n FROM messages WHERE account_id = ?', id).n;
    const duplicateRows = one<{ n: number }>(
      'SELECT count(*) - count(DISTINCT gmail_id) AS n FROM messages WHERE account_id = ?', id,
    ).n;
    const pendingStubs = one<{ n: number }>('SELECT count(*) AS n FROM messages WHERE account_id = ? AND details_fetched = 0', id).n;
    const want = new Set<string>();
    for (const m of truth.messages) for (const l of m.labelIds) want.add(`${m.id}\u0000${l}`);
    const rows = db
      .prepare('SELECT m.gmail_id AS g, ml.label_id AS l FROM message_labels ml JOIN messages m ON m.id = ml.message_id WHERE ml.account_id = ?')
      .all(id) as { g: string; l: string }[];
    const strayLabelRows = rows.filter((r) => !want.has(`${r.g}\u0000${r.l}`)).length;
    const orphanLabelRows = one<{ n: number }>(
      `SELECT count(*) AS n FROM message_labels ml WHERE ml.account_id = ?
         AND NOT EXISTS (SELECT 1 FROM labels l WHERE l.account_id = ml.account_id AND l.gmail_id = ml.label_id)`, id,
    ).n;
    // One docsize row per indexed document; 'integrity-check' with rank 1 compares the index with messages.
    const ftsDocs = one<{ n: number }>('SELECT count(*) AS n FROM messages_fts_docsize').n;
    let ftsConsistent = true;
    try {
      db.prepare("INSERT INTO messages_fts(messages_fts, rank) VALUES ('integrity-check', 1)").run();
    } catch {
      ftsConsistent = false;
    }
    const allMessages = one<{ n: number }>('SELECT count(*) AS n FROM messages').n;
    const badLocalCounts = one<{ n: number }>(
      `WITH real AS (
         SELECT ml.account_id AS a, ml.label_id AS l, count(*) AS total,
                sum(EXISTS (SELECT 1 FROM message_labels u WHERE u.message_id = ml.message_id AND u.label_id = 'UNREAD')) AS unread
           FROM message_labels ml WHERE ml.account_id = ? GROUP BY ml.account_id, ml.label_id)
       SELECT count(*) AS n FROM (
         SELECT r.l FROM real r LEFT JOIN label_local_counts c ON c.account_id = r.a AND c.label_id = r.l
          WHERE c.messages_total IS NOT r.total OR c.messages_unread IS NOT r.unread
         UNION ALL
         SELECT c.label_id FROM label_local_counts c
          WHERE c.account_id = ? AND (c.messages_total <> 0 OR c.messages_unread <> 0)
            AND NOT EXISTS (SELECT 1 FROM message_labels ml WHERE ml.account_id = c.account_id AND ml.label_id = c.label_id))`,
      id, id,
    ).n;
    const failedRuns = one<{ n: number }>(
      "SELECT count(*) AS n FROM sync_runs WHERE account_id = ? AND status = 'failed' AND id = (SELECT max(id) FROM sync_runs WHERE account_id = ? AND type IN ('initial','full'))",
      id, id,
    ).n;
    const activeRuns = one<{ n: number }>(
      "SELECT count(*) AS n FROM sync_runs WHERE account_id = ? AND status IN ('pending','running') AND type IN ('initial','full')", id,
    ).n;
    return {
      integrity, messages, duplicateRows, pendingStubs, strayLabelRows, orphanLabelRows,
      ftsDocs: ftsDocs - (allMessages - messages), ftsConsistent, badLocalCounts, failedRuns, activeRuns,
    };
  } finally {
    db.close();
  }
}

/** Asserts every invariant of checkStore; returns the count of violations for the table. */
export function expectStoreSound(dataDir: string, email: string, truth: GroundTruth): number {
  const c = checkStore(dataDir, email, truth);
  const bad =
    (c.integrity === 'ok' ? 0 : 1) + c.duplicateRows + c.pendingStubs + c.strayLabelRows + c.orphanLabelRows +
    Math.abs(c.ftsDocs - c.messages) + (c.ftsConsistent ? 0 : 1) + c.badLocalCounts + c.failedRuns + c.activeRuns;
  expect(c).toEqual({
    integrity: 'ok', messages: truth.messages.length, duplicateRows: 0, pendingStubs: 0, strayLabelRows: 0,
    orphanLabelRows: 0, ftsDocs: truth.messages.length, ftsConsistent: true, badLocalCounts: 0, failedRuns: 0, activeRuns: 0,
  });
  return bad;
}

/** Initial/full sync runs the store recorded (one per sync that started). */
export function syncRuns(dataDir: string): number {
  return withRawSqlite(storeFileOf(dataDir), (db) =>
    (db.prepare("SELECT count(*) AS n FROM sync_runs WHERE type IN ('initial', 'full')").get() as { n: number }).n);
}

/** Fetched and total message rows of an account, read while another process writes (WAL readers do not block). */
export function progressOf(dataDir: string): () => { fetched: number; total: number; synced: boolean } {
  let db: RawSqlite | null = null;
  return () => {
    db ??= tryOpenRawSqlite(storeFileOf(dataDir));
    if (!db) return { fetched: 0, total: 0, synced: false };
    try {
      const c = db.prepare('SELECT count(*) AS total, coalesce(sum(details_fetched), 0) AS fetched FROM messages').get() as { total: number; fetched: number };
      const a = db.prepare('SELECT max(initial_sync_completed) AS s FROM accounts').get() as { s: number | null };
      return { ...c, synced: a.s === 1 };
    } catch {
      // the schema is not there yet (a fresh database being migrated)
      return { fetched: 0, total: 0, synced: false };
    }
  };
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** The embedded redis-server's pid, from the pid file redis-server writes in <dataDir>/redis/. */
export function redisPid(dataDir: string): number | undefined {
  try {
    const pid = Number(readFileSync(join(dataDir, 'redis', 'redis.pid'), 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 && alive(pid) ? pid : undefined;
  } catch {
    return undefined;
  }
}

/**
 * A SIGKILLed CLI's redis-server is ended by its watchdog (src/main/redis/owner-watchdog.ts) within moments; a
 * failed test must not leave one behind even if the watchdog were slow. Found by its
 * command line, which names the socket in this data folder (its pid file may be empty when the disk is full).
 */
export function killLeftoverRedis(dataDir: string): void {
  if (process.platform !== 'linux') {
    const pid = redisPid(dataDir);
    if (pid) process.kill(pid, 'SIGKILL');
    return;
  }
  const mark = join(dataDir, 'redis') + '/';
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmd = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      if (cmd.includes('redis-server') && cmd.includes(mark)) process.kill(Number(entry), 'SIGKILL');
    } catch {
      /* gone meanwhile */
    }
  }
}

export type ChaosRow = {
  scenario: string;
  runs: number;
  faults: number;
  faultDetail: string;
  compared: number;
  mismatches: number;
};

const ARTIFACTS = join(ROOT, 'test-artifacts');
const ROWS_DIR = join(ARTIFACTS, 'chaos');

export function renderTable(rows: ChaosRow[]): string {
  const head = '| scenario | runs | faults injected | messages compared | mismatches |\n|---|---:|---|---:|---:|\n';
  const body = rows
    .map((r) => `| ${r.scenario} | ${r.runs} | ${r.faults}${r.faultDetail ? ` (${r.faultDetail})` : ''} | ${r.compared} | ${r.mismatches} |`)
    .join('\n');
  const total = rows.reduce((a, r) => ({ runs: a.runs + r.runs, faults: a.faults + r.faults, compared: a.compared + r.compared, mismatches: a.mismatches + r.mismatches }), { runs: 0, faults: 0, compared: 0, mismatches: 0 });
  return `${head}${body}\n| **total** | ${total.runs} | ${total.faults} | ${total.compared} | ${total.mismatches} |\n`;
}

/**
 * Records one test file's rows and rewrites test-artifacts/chaos-table.md from the latest rows of every chaos
 * file (each file owns test-artifacts/chaos/<file>.json), then prints the table.
 */
export function publishRows(file: string, rows: ChaosRow[]): void {
  mkdirSync(ROWS_DIR, { recursive: true });
  writeFileSync(join(ROWS_DIR, `${file}.json`), JSON.stringify({ mode: LONG ? 'long' : 'bounded', rows }, null, 2));
  const all: { mode: string; rows: ChaosRow[] }[] = readdirSync(ROWS_DIR)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => JSON.parse(readFileSync(join(ROWS_DIR, f), 'utf8')) as { mode: string; rows: ChaosRow[] });
  const merged = all.flatMap((a) => a.rows.map((r) => ({ ...r, scenario: a.mode === 'long' ? `${r.scenario} (long)` : r.scenario })));
  const table = renderTable(merged);
  writeFileSync(join(ARTIFACTS, 'chaos-table.md'), `# Chaos suite (issue 7)\n\n${table}`);
  console.log(`\nchaos (${file}):\n${renderTable(rows)}`);
}
