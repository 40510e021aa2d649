// `mailmirror export --format eml|mbox` on a mirror synced from the emulator (issue 13's done-when): every .eml file
// is byte for byte what the emulator answers for messages.get?format=raw, and the mbox, read back by a reader of the
// test's own, holds the same messages with Takeout's headers. Then what a user meets: --force, a skipped original
// (exit code 3), Ctrl-C, a crash (SIGKILL) and a disk that refuses more bytes, none leaving a half export under the
// name given. The CLI runs from source through tsx (test/helpers/cli-source.ts).
import type { gmail_v1 } from 'googleapis';
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect } from 'vitest';
import { emulatorEnv, type CliEnv, type RunningCli } from '../helpers/cli';
import { addAccountSource, ROOT, runCliSource, spawnCliSource } from '../helpers/cli-source';
import { mirrorTest } from '../helpers/fixtures';
import { readMboxrd } from '../helpers/mboxrd-reader';
import { openRawSqlite, storeFileOf } from '../helpers/raw-sqlite';
import { connect } from './emulator-helpers';

const EMAIL = 'exporter@example.com';
const it = mirrorTest({ cli: 'source', tempPrefix: 'mm-cli-export-orig-' });

let env: CliEnv;
let dataDir: string;
let out: string;
let gmail: gmail_v1.Gmail;
/** Gmail id → what the emulator answers for messages.get?format=raw. */
const raws = new Map<string, Buffer>();
const built: Record<string, string> = {};

const lines = (eol: string, ...l: string[]) => l.join(eol);
const BIG = Buffer.alloc(2_400_000);
for (let i = 0; i < BIG.length; i++) BIG[i] = (i * 7919) % 251;

it.beforeAll(async ({ emu, fileDir }) => {
  const box = emu.addAccount(EMAIL, { messages: 300, seed: 4242 });
  emu.setConsentAccount(EMAIL);
  dataDir = join(fileDir, 'data');
  out = join(fileDir, 'out');
  mkdirSync(out);
  env = emulatorEnv(emu, dataDir);
  const trips = box.createLabel('Trips, 2023');
  const team = box.createLabel('The "A" team');
  const base = Date.UTC(2024, 2, 1);
  built.fromLines = box.addMessage({
    labelIds: ['INBOX', trips, team, 'STARRED'],
    internalDate: base,
    raw: lines(
      '\r\n',
      'From: Ada <ada@example.test>',
      `To: ${EMAIL}`,
      'Subject: From the archive',
      'Message-ID: <from-lines@example.test>',
      '',
      'From the first line of the body',
      '>From quoted once',
      '>>From quoted twice',
      'From',
      'Fromage',
      '',
    ),
  });
  built.lf = box.addMessage({
    labelIds: ['SENT'],
    internalDate: base + 1000,
    raw: lines('\n', `From: ${EMAIL}`, 'To: bob@example.test', 'Subject: LF only', '', 'From here on, LF.', ''),
  });
  built.open = box.addMessage({
    labelIds: ['INBOX', 'UNREAD'],
    internalDate: base + 2000,
    raw: lines('\r\n', 'From: Cy <cy@example.test>', `To: ${EMAIL}`, 'Subject: no last line break', '', 'the end'),
  });
  built.latin1 = box.addMessage({
    labelIds: ['INBOX'],
    internalDate: base + 3000,
    raw: Buffer.concat([
      Buffer.from(lines('\r\n', 'From: Dee <dee@example.test>', 'Subject: latin-1', 'Content-Type: text/plain; charset=iso-8859-1', 'Content-Transfer-Encoding: 8bit', '', '')),
      Buffer.from([0x43, 0x61, 0x66, 0xe9, 0x20, 0xff, 0x0d, 0x0a]),
    ]).toString('base64url'),
  });
  // Big originals, so that an export takes long enough to be interrupted while it writes.
  for (let i = 0; i < 12; i++) {
    box.addMessage({
      labelIds: ['INBOX'],
      internalDate: base + 10_000 + i,
      raw: lines(
        '\r\n',
        'From: Big <big@example.test>',
        `Subject: big ${i}`,
        'MIME-Version: 1.0',
        'Content-Type: multipart/mixed; boundary="b"',
        '',
        '--b',
        'Content-Type: text/plain',
        '',
        'see attached',
        '--b',
        `Content-Type: application/octet-stream; name="big-${i}.bin"`,
        `Content-Disposition: attachment; filename="big-${i}.bin"`,
        'Content-Transfer-Encoding: base64',
        '',
        ...(BIG.toString('base64').match(/.{1,76}/g) ?? []),
        '--b--',
        '',
      ),
    });
  }
  const added = await addAccountSource(env);
  expect(added.code, added.stderr).toBe(0);
  const sync = await runCliSource(['sync', '--wait'], env, 300_000);
  expect(sync.code, sync.stderr).toBe(0);
  gmail = (await connect(emu, { loginHint: EMAIL })).gmail;
  let pageToken: string | undefined;
  do {
    const res = await gmail.users.messages.list({ userId: 'me', maxResults: 500, includeSpamTrash: true, pageToken });
    for (const m of res.data.messages ?? []) {
      const raw = (await gmail.users.messages.get({ userId: 'me', id: m.id!, format: 'raw' })).data.raw!;
      raws.set(m.id!, Buffer.from(raw, 'base64url'));
    }
    pageToken = res.data.nextPageToken ?? undefined;
  } while (pageToken);
  expect(raws.size).toBeGreaterThan(300);
  // The edge cases reach Gmail's answer as built: no last line break, LF only, 8-bit bytes.
  expect(raws.get(built.open)!.toString('latin1').endsWith('the end')).toBe(true);
  expect(raws.get(built.lf)!.includes('\r')).toBe(false);
  expect(raws.get(built.latin1)!.includes(Buffer.from([0x66, 0xe9, 0x20, 0xff]))).toBe(true);
});

const exportCli = (format: string, path: string, ...more: string[]) => runCliSource(['export', '--account', EMAIL, '--format', format, '--out', path, ...more], env);

/** The hex Gmail id of an mbox entry, from its From_ line (`From <decimal id>@xxx <date>`). */
const idOfEntry = (fromLine: string) => BigInt(/^From (\d+)@xxx /.exec(fromLine)![1]).toString(16).padStart(16, '0');

describe('mailmirror export --format eml', () => {
  it('writes one <gmail id>.eml per message, each byte for byte what Gmail gives as format=raw', async () => {
    const folder = join(out, 'eml');
    const r = await exportCli('eml', folder);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const total = [...raws.values()].reduce((n, b) => n + b.length, 0);
    expect(r.stdout).toMatch(new RegExp(`^Exported ${raws.size.toLocaleString('en-US')} messages \\([\\d.]+ MB\\) to ${folder}\\n$`));
    const names = readdirSync(folder).sort();
    expect(names).toEqual([...raws.keys()].map((id) => `${id}.eml`).sort());
    let bytes = 0;
    for (const [id, raw] of raws) {
      const file = readFileSync(join(folder, `${id}.eml`));
      expect(file.equals(raw), id).toBe(true);
      bytes += file.length;
    }
    expect(bytes).toBe(total);
    expect(readdirSync(out)).toEqual(['eml']);
  });
});

describe('mailmirror export --format mbox', () => {
  it('holds every message once, oldest first, each reading back as its original, with Takeout headers', async () => {
    const file = join(out, 'all.mbox');
    const r = await exportCli('mbox', file);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^Exported ${raws.size.toLocaleString('en-US')} messages \\([\\d.]+ MB\\) to ${file}\\n$`));
    const entries = readMboxrd(readFileSync(file));
    expect(entries.map((e) => idOfEntry(e.fromLine)).sort()).toEqual([...raws.keys()].sort());
    for (const e of entries) {
      const id = idOfEntry(e.fromLine);
      const raw = raws.get(id)!;
      // mbox cannot say that a message's last line had no line break: that one gains it, nothing else changes.
      const expected = raw[raw.length - 1] === 0x0a ? raw : Buffer.concat([raw, Buffer.from('\r\n')]);
      expect(e.bytes.equals(expected), id).toBe(true);
      expect(e.thrid).toMatch(/^\d+$/);
    }
    const byId = new Map(entries.map((e) => [idOfEntry(e.fromLine), e]));
    expect(byId.get(built.fromLines)!.labels).toBe('Inbox,Starred,Opened,"The ""A"" team","Trips, 2023"');
    expect(byId.get(built.lf)!.labels).toBe('Sent,Opened');
    expect(byId.get(built.open)!.labels).toBe('Inbox,Unread');
    // The From_ lines inside the first message are quoted in the file and only there.
    const text = readFileSync(file, 'latin1');
    expect(text).toContain('\r\n>From the first line of the body\r\n>>From quoted once\r\n>>>From quoted twice\r\nFrom\r\nFromage\r\n');
    expect(text).toContain('\n>From here on, LF.\n');
    // Oldest first, by Gmail's internalDate, as the From_ lines say.
    const dates = entries.map((e) => Date.parse(`${e.fromLine.split(' ').slice(3).join(' ')} UTC`));
    expect(dates).toEqual([...dates].sort((a, b) => a - b));
  });

  it('streams the same mbox to stdout with --out -, its summary on stderr', async () => {
    const proc = spawn(process.execPath, ['--import', 'tsx', 'src/main/host/cli-bin.ts', 'export', '--account', EMAIL, '--format', 'mbox', '--out', '-'], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const chunks: Buffer[] = [];
    let stderr = '';
    proc.stdout.on('data', (d: Buffer) => chunks.push(d));
    proc.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise<number | null>((res) => proc.on('close', res));
    expect(stderr).toMatch(new RegExp(`^mailmirror: Exported ${raws.size.toLocaleString('en-US')} messages \\([\\d.]+ MB\\) to standard output\\n$`));
    expect(code).toBe(0);
    expect(Buffer.concat(chunks).equals(readFileSync(join(out, 'all.mbox')))).toBe(true);
  });

  it('refuses to write over a file without --force, in one line naming it and the flag', async () => {
    const file = join(out, 'taken.mbox');
    writeFileSync(file, 'mine');
    const r = await exportCli('mbox', file);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(`mailmirror: ${file} already exists (a file): choose another name, or replace it with --force\n`);
    expect(readFileSync(file, 'utf8')).toBe('mine');
    const forced = await exportCli('mbox', file, '--force');
    expect(forced.code, forced.stderr).toBe(0);
    expect(readMboxrd(readFileSync(file))).toHaveLength(raws.size);
  });

  it('asks for --out and a known format, in one line each (exit code 2)', async () => {
    const noOut = await runCliSource(['export', '--account', EMAIL, '--format', 'mbox'], env);
    expect(noOut.code).toBe(2);
    expect(noOut.stderr).toBe('mailmirror: export: --format mbox writes a file: give --out <file> (or - for stdout) (see `mailmirror --help`)\n');
    const emlOut = await exportCli('eml', '-');
    expect(emlOut.code).toBe(2);
    expect(emlOut.stderr).toMatch(/^mailmirror: export: --format eml writes a folder of files: give --out <folder>/);
    const unknown = await exportCli('maildir', join(out, 'x'));
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/^mailmirror: export: unknown format "maildir" \(use --format json, mbox or eml\)/);
  });
});

describe('an export that cannot be whole', () => {
  it('skips messages whose original is not whole in the mirror, says which, and exits with 3', async () => {
    const skipped = [built.open, built.lf].sort();
    const WHERE = 'seq = 0 AND message_id = (SELECT id FROM messages WHERE gmail_id = ?)';
    const kept = new Map<string, number>();
    const db = openRawSqlite(storeFileOf(dataDir), { readonly: false });
    let r;
    try {
      // What a message over the attachment cap looks like in the store: a piece of its original without bytes.
      for (const id of skipped) {
        kept.set(id, (db.prepare(`SELECT blob_id FROM source_pieces WHERE ${WHERE}`).get(id) as { blob_id: number }).blob_id);
        expect(db.prepare(`UPDATE source_pieces SET blob_id = NULL WHERE ${WHERE}`).run(id).changes).toBe(1);
      }
      r = await exportCli('eml', join(out, 'partial-eml'));
    } finally {
      for (const [id, blob] of kept) db.prepare(`UPDATE source_pieces SET blob_id = ? WHERE ${WHERE}`).run(blob, id);
      db.close();
    }
    const folder = join(out, 'partial-eml');
    expect(r.code).toBe(3);
    const n = raws.size;
    expect(r.stdout).toMatch(new RegExp(`^Exported ${(n - 2).toLocaleString('en-US')} of ${n.toLocaleString('en-US')} messages \\(.+\\) to ${folder}; 2 skipped\\n$`));
    expect(r.stderr.split('\n')).toHaveLength(2);
    expect(r.stderr).toMatch(/^mailmirror: 2 messages were not exported because their originals are not whole in the mirror yet/);
    for (const id of skipped) {
      expect(r.stderr).toContain(id);
      expect(existsSync(join(folder, `${id}.eml`))).toBe(false);
    }
    expect(readdirSync(folder)).toHaveLength(n - 2);
  });
});

describe('an export before the first sync has finished', () => {
  it('says the mirror holds only part of the mailbox, and exits with 3', async () => {
    const db = openRawSqlite(storeFileOf(dataDir), { readonly: false });
    let r;
    try {
      db.prepare('UPDATE accounts SET initial_sync_completed = 0 WHERE email = ?').run(EMAIL);
      r = await exportCli('mbox', join(out, 'early.mbox'));
    } finally {
      db.prepare('UPDATE accounts SET initial_sync_completed = 1 WHERE email = ?').run(EMAIL);
      db.close();
    }
    expect(r.code).toBe(3);
    const n = raws.size.toLocaleString('en-US');
    expect(r.stdout).toMatch(new RegExp(`^Exported ${n} messages \\(.+\\) to ${join(out, 'early.mbox')}\\n$`));
    expect(r.stderr).toBe(
      `mailmirror: the first sync of ${EMAIL} has not finished (Gmail has ${n} messages, the mirror ${n}): the export holds only what the ` +
        'mirror has. Let the sync finish (`mailmirror sync --wait`), then export again.\n',
    );
  });
});

/** Starts an export and waits until it is writing: its temporary file or folder exists and holds something. */
async function startWriting(format: 'mbox' | 'eml', path: string): Promise<{ run: RunningCli; partial: string }> {
  const run = spawnCliSource(['export', '--account', EMAIL, '--format', format, '--out', path], env);
  const partial = `${path}.export-${run.proc.pid}.partial`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (run.proc.exitCode !== null) throw new Error(`the export ended before it could be interrupted: ${run.stdout()} ${run.stderr()}`);
    if (Date.now() > deadline) throw new Error('the export never started writing');
    try {
      const s = statSync(partial);
      if (s.isFile() ? s.size > 0 : readdirSync(partial).length > 0) return { run, partial };
    } catch {
      // not there yet
    }
    await new Promise((r) => setImmediate(r));
  }
}

describe('an export that is stopped', () => {
  it('killed while writing (SIGKILL) leaves no file under its name, and the next export cleans up', async () => {
    for (const format of ['mbox', 'eml'] as const) {
      const path = join(out, `crash-${format}`);
      const { run, partial } = await startWriting(format, path);
      run.proc.kill('SIGKILL');
      const r = await run.result;
      expect(r.signal).toBe('SIGKILL');
      expect(existsSync(path), format).toBe(false);
      // What is left says what it is.
      expect(existsSync(partial), format).toBe(true);
      const again = await exportCli(format, path);
      expect(again.code, again.stderr).toBe(0);
      expect(existsSync(partial), format).toBe(false);
      expect(readdirSync(out).filter((f) => f.startsWith(`crash-${format}`))).toEqual([`crash-${format}`]);
    }
  });

  it('by Ctrl-C removes what it wrote and says so (exit code 130)', async () => {
    const path = join(out, 'interrupted.mbox');
    const { run, partial } = await startWriting('mbox', path);
    run.proc.kill('SIGINT');
    const r = await run.result;
    expect(r.code).toBe(130);
    expect(r.stderr).toBe(`mailmirror: export stopped; nothing was written to ${path}\n`);
    expect(existsSync(path)).toBe(false);
    expect(existsSync(partial)).toBe(false);
  });

  it('on a disk that takes no more bytes, says so in one line and leaves nothing', async () => {
    const path = join(out, 'limited.mbox');
    // A file size limit of 4 MB for the CLI (ulimit -f, in 1024-byte blocks): its writes fail as on a full disk.
    let failed: { status: number; stderr: string } | undefined;
    try {
      execFileSync(
        'bash',
        ['-c', 'ulimit -f 4096 && exec "$0" --import tsx src/main/host/cli-bin.ts export --account "$1" --format mbox --out "$2"', process.execPath, EMAIL, path],
        { cwd: ROOT, env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env }, stdio: 'pipe' },
      );
    } catch (e) {
      const err = e as { status: number; stderr: Buffer };
      failed = { status: err.status, stderr: err.stderr.toString() };
    }
    expect(failed?.status).toBe(1);
    expect(failed?.stderr).toBe(`mailmirror: cannot write ${path}: the file grew larger than this system allows (EFBIG)\n`);
    expect(readdirSync(out).filter((f) => f.startsWith('limited'))).toEqual([]);
  });
});
