// The store on real files: migrations on a new and on an already-migrated database, pragmas,
// damaged/newer/full/read-only databases, and several processes opening one file at once.
import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  openDatabase,
  findMigrationsFolder,
  createAccount,
  saveMessageDetails,
  deleteMessagesByGmailId,
  checkIntegrity,
  getMessage,
  search,
  CannotOpenDatabaseError,
  DatabaseDamagedError,
  DatabaseTooNewError,
  DiskFullError,
  MigrationError,
  ReadonlyDatabaseError,
  StoreError,
} from '../../src/main/db';
import { parsedMessage } from '../helpers/parsed-message';
import { openRawSqlite } from '../helpers/raw-sqlite';

const repoRoot = path.resolve(__dirname, '../..');
const migrationsFolder = path.join(repoRoot, 'drizzle');
const journal = JSON.parse(readFileSync(path.join(migrationsFolder, 'meta/_journal.json'), 'utf8')) as {
  entries: Array<{ when: number; tag: string }>;
};

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'mailmirror-db-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

function schemaDump(file: string): unknown {
  const raw = openRawSqlite(file);
  try {
    return {
      objects: raw.prepare("SELECT type, name, tbl_name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY type, name").all(),
      migrations: raw.prepare('SELECT hash, created_at FROM __drizzle_migrations ORDER BY created_at').all(),
    };
  } finally {
    raw.close();
  }
}

const msg = (gmailId: string, subject: string) =>
  parsedMessage(gmailId, { threadId: gmailId, sizeEstimate: 10, snippet: '', subject, textBody: 'x'.repeat(2000) });

describe('database file', () => {
  it('migrates an empty file, and reopening a migrated one changes nothing', () => {
    const file = path.join(dir, 'mirror.db');
    const db = openDatabase(file);
    expect(db.sqlite.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.sqlite.pragma('auto_vacuum', { simple: true })).toBe(2); // INCREMENTAL
    expect(db.sqlite.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(db.sqlite.pragma('busy_timeout', { simple: true })).toBe(5000);
    expect(db.sqlite.pragma('synchronous', { simple: true })).toBe(1); // NORMAL
    expect(db.sqlite.pragma('wal_autocheckpoint', { simple: true })).toBe(16384); // pages: 64 MB
    const names = (db.sqlite.prepare("SELECT name FROM sqlite_master WHERE type IN ('table', 'trigger')").pluck().all() as string[]).sort();
    expect(names).toEqual(
      expect.arrayContaining(['accounts', 'labels', 'messages', 'message_labels', 'attachments', 'sync_runs', 'listed_ids', 'messages_fts', 'label_local_counts']),
    );
    const acc = createAccount(db, { email: 'a@example.com' }).id;
    saveMessageDetails(db, acc, [msg('m1', 'persisted subject')], { insertMissing: true });
    db.close();
    db.close(); // idempotent

    const before = schemaDump(file);
    expect((before as { migrations: unknown[] }).migrations).toHaveLength(journal.entries.length);
    const again = openDatabase(file);
    expect(getMessage(again, acc, 'm1')?.subject).toBe('persisted subject');
    expect(search(again, acc, 'persisted', 5)).toHaveLength(1);
    again.close();
    expect(schemaDump(file)).toEqual(before);
  });

  it('applies only the new migrations to a database made by an older version', () => {
    const oldFolder = path.join(dir, 'old-drizzle');
    cpSync(migrationsFolder, oldFolder, { recursive: true });
    const oldJournal = { ...journal, entries: journal.entries.slice(0, 1) };
    writeFileSync(path.join(oldFolder, 'meta/_journal.json'), JSON.stringify(oldJournal));
    const file = path.join(dir, 'old.db');
    const old = openDatabase(file, { migrationsFolder: oldFolder });
    expect(old.sqlite.prepare("SELECT count(*) AS n FROM sqlite_master WHERE name = 'messages_fts'").pluck().get()).toBe(0);
    // Raw SQL: today's repositories read columns later migrations add (accounts.quota_profile).
    const acc = Number(old.sqlite.prepare("INSERT INTO accounts (email) VALUES ('a@example.com')").run().lastInsertRowid);
    old.sqlite
      .prepare("INSERT INTO messages (account_id, gmail_id, thread_id, subject, internal_date, details_fetched) VALUES (?, 'm1', 't', 'before upgrade', 1, 1)")
      .run(acc);
    old.sqlite.prepare("INSERT INTO message_labels (message_id, account_id, label_id) VALUES (1, ?, 'INBOX')").run(acc);
    old.close();

    const upgraded = openDatabase(file);
    // Rows written before the FTS and count migrations are indexed and counted.
    expect(search(upgraded, acc, 'upgrade', 5).map((r) => r.gmailId)).toEqual(['m1']);
    expect(upgraded.sqlite.prepare("SELECT messages_total FROM label_local_counts WHERE label_id = 'INBOX'").pluck().get()).toBe(1);
    expect(upgraded.sqlite.prepare('SELECT internal_date FROM message_labels').pluck().get()).toBe(1);
    upgraded.close();
  });

  it('rebuilds the search index of a mirror made before Gmail search: Cc and attachment names become searchable', () => {
    const oldFolder = path.join(dir, 'old-drizzle');
    cpSync(migrationsFolder, oldFolder, { recursive: true });
    const before = journal.entries.findIndex((e) => e.tag.endsWith('_search'));
    expect(before).toBeGreaterThan(0);
    writeFileSync(path.join(oldFolder, 'meta/_journal.json'), JSON.stringify({ ...journal, entries: journal.entries.slice(0, before) }));
    const file = path.join(dir, 'before-search.db');
    const old = openDatabase(file, { migrationsFolder: oldFolder });
    // Raw SQL: today's repository writes columns (later migrations') that this older file does not have yet.
    const acc = Number(old.sqlite.prepare("INSERT INTO accounts (email) VALUES ('a@example.com')").run().lastInsertRowid);
    old.sqlite
      .prepare(
        "INSERT INTO messages (account_id, gmail_id, thread_id, subject, cc_addr, text_body, internal_date, details_fetched) VALUES (?, 'm1', 't', 'minutes', 'Carol <carol@example.net>', 'see the file', 5, 1)",
      )
      .run(acc);
    old.sqlite.prepare("INSERT INTO attachments (message_id, filename, mime_type, size) VALUES (1, 'Budget-2024.xlsx', 'application/x', 10)").run();
    old.sqlite.prepare("INSERT INTO attachments (message_id, filename, mime_type, size) VALUES (1, 'notes.txt', 'text/plain', 10)").run();
    old.close();

    const upgraded = openDatabase(file);
    const found = (q: string) => search(upgraded, acc, q, 5).map((r) => r.gmailId);
    expect(found('minutes')).toEqual(['m1']);
    expect(found('cc:carol')).toEqual(['m1']);
    expect(found('filename:xlsx')).toEqual(['m1']);
    expect(found('filename:notes')).toEqual(['m1']);
    expect(found('budget')).toEqual(['m1']);
    expect(found('filename:pdf')).toEqual([]);
    upgraded.close();
  });

  it('a mirror made before per-batch indexing keeps its index exact: stubs listed then are found once fetched', () => {
    const oldFolder = path.join(dir, 'old-drizzle');
    cpSync(migrationsFolder, oldFolder, { recursive: true });
    const upTo = journal.entries.findIndex((e) => e.tag.endsWith('_fts_per_batch'));
    expect(upTo).toBeGreaterThan(0);
    writeFileSync(path.join(oldFolder, 'meta/_journal.json'), JSON.stringify({ ...journal, entries: journal.entries.slice(0, upTo) }));
    const file = path.join(dir, 'before-batch-index.db');
    const old = openDatabase(file, { migrationsFolder: oldFolder });
    // Raw SQL, as the version before wrote them: two listed stubs and a fetched message, each indexed by its trigger.
    const acc = Number(old.sqlite.prepare("INSERT INTO accounts (email) VALUES ('a@example.com')").run().lastInsertRowid);
    const insert = old.sqlite.prepare('INSERT INTO messages (account_id, gmail_id, thread_id, subject, internal_date, details_fetched) VALUES (?, ?, ?, ?, ?, ?)');
    insert.run(acc, 's1', 't', null, null, 0);
    insert.run(acc, 's2', 't', null, null, 0);
    insert.run(acc, 'm1', 'm1', 'written before the upgrade', 1, 1);
    old.close();

    const upgraded = openDatabase(file);
    const found = (q: string) => search(upgraded, acc, q, 5).map((r) => r.gmailId).sort();
    expect(found('upgrade')).toEqual(['m1']);
    saveMessageDetails(upgraded, acc, [msg('s1', 'fetched after the upgrade'), msg('m1', 'fetched again')], { insertMissing: false });
    saveMessageDetails(upgraded, acc, [msg('n1', 'new after the upgrade')], { insertMissing: true });
    expect(found('after')).toEqual(['n1', 's1']);
    expect(found('again')).toEqual(['m1']);
    expect(found('upgrade')).toEqual(['n1', 's1']);
    deleteMessagesByGmailId(upgraded, acc, ['s2']);
    expect(checkIntegrity(upgraded)).toEqual([]);
    upgraded.close();
  });

  it('refuses a database created by a newer version, leaving it untouched', () => {
    const file = path.join(dir, 'newer.db');
    openDatabase(file).close();
    const raw = openRawSqlite(file, { readonly: false });
    raw.prepare('INSERT INTO __drizzle_migrations (hash, created_at) VALUES (?, ?)').run('future', journal.entries.at(-1)!.when + 86_400_000);
    raw.close();
    const before = schemaDump(file);
    let caught: unknown;
    try {
      openDatabase(file);
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(DatabaseTooNewError);
    expect(caught).toBeInstanceOf(StoreError);
    expect((caught as StoreError).code).toBe('NEWER_SCHEMA');
    expect((caught as Error).message).toMatch(/newer version of Mailmirror/);
    expect(schemaDump(file)).toEqual(before);
  });

  it('reports a damaged file as DB_DAMAGED and a missing folder as CANT_OPEN', () => {
    const file = path.join(dir, 'garbage.db');
    writeFileSync(file, Buffer.alloc(8192, 0x5a));
    expect(() => openDatabase(file)).toThrow(DatabaseDamagedError);
    expect(() => openDatabase(file)).toThrow(expect.objectContaining({ code: 'DB_DAMAGED' }));
    expect(() => openDatabase(path.join(dir, 'no/such/folder/x.db'))).toThrow(CannotOpenDatabaseError);
  });

  it('reports a full disk as DISK_FULL and keeps the data written before', () => {
    const file = path.join(dir, 'full.db');
    const db = openDatabase(file);
    const acc = createAccount(db, { email: 'a@example.com' }).id;
    saveMessageDetails(db, acc, [msg('first', 'kept')], { insertMissing: true });
    const pages = db.sqlite.pragma('page_count', { simple: true }) as number;
    db.sqlite.pragma(`max_page_count = ${pages + 2}`);
    const many = Array.from({ length: 200 }, (_, i) => msg(`m${i}`, `subject ${i}`));
    let caught: unknown;
    try {
      saveMessageDetails(db, acc, many, { insertMissing: true });
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(DiskFullError);
    expect((caught as StoreError).code).toBe('DISK_FULL');
    expect((caught as StoreError).sqliteCode).toBe('SQLITE_FULL');
    // The failed batch was one transaction: nothing of it stayed.
    expect(getMessage(db, acc, 'm0')).toBeNull();
    expect(getMessage(db, acc, 'first')?.subject).toBe('kept');
    db.close();
  });

  it('reports writes to a read-only database as READONLY', () => {
    const db = openDatabase(path.join(dir, 'ro.db'));
    db.sqlite.pragma('query_only = ON');
    expect(() => createAccount(db, { email: 'a@example.com' })).toThrow(ReadonlyDatabaseError);
    db.close();
  });

  it('finds drizzle/ from src/ and from a compiled dist/src/ layout', () => {
    expect(findMigrationsFolder()).toBe(migrationsFolder);
    const app = path.join(dir, 'app');
    mkdirSync(path.join(app, 'dist/src/main/db'), { recursive: true });
    mkdirSync(path.join(app, 'drizzle/meta'), { recursive: true });
    writeFileSync(path.join(app, 'drizzle/meta/_journal.json'), '{"entries":[]}');
    expect(findMigrationsFolder(path.join(app, 'dist/src/main/db'))).toBe(path.join(app, 'drizzle'));
    const lonely = mkdtempSync(path.join(tmpdir(), 'mailmirror-nodrizzle-'));
    try {
      expect(() => findMigrationsFolder(lonely)).toThrow(MigrationError);
    } finally {
      rmSync(lonely, { recursive: true, force: true });
    }
  });

  it('lets several processes open (and migrate) a new file at the same time', async () => {
    const file = path.join(dir, 'shared.db');
    const script = path.join(dir, 'open.ts');
    writeFileSync(
      script,
      [
        `const { openDatabase, createAccount } = require(${JSON.stringify(path.join(repoRoot, 'src/main/db/index.ts'))});`,
        'const db = openDatabase(process.argv[2]);',
        'createAccount(db, { email: `p${process.pid}@example.com` });',
        'db.close();',
      ].join('\n'),
    );
    const run = () =>
      new Promise<{ code: number | null; stderr: string }>((resolve) => {
        const child = spawn(process.execPath, ['--import', 'tsx', script, file], { cwd: repoRoot, stdio: ['ignore', 'ignore', 'pipe'] });
        let stderr = '';
        child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
        child.on('close', (code) => resolve({ code, stderr }));
      });
    const results = await Promise.all([run(), run(), run()]);
    for (const r of results) expect(r, r.stderr).toMatchObject({ code: 0 });
    const db = openDatabase(file);
    expect(db.sqlite.prepare('SELECT count(*) FROM accounts').pluck().get()).toBe(3);
    expect(db.sqlite.prepare('SELECT count(*) FROM __drizzle_migrations').pluck().get()).toBe(journal.entries.length);
    db.close();
  });
});
