// exportSources (src/main/export) on the real file system, with sources made here: the mbox and eml files hold each
// original exactly, the final name appears only when the export is whole, an existing file or folder is replaced only
// with force (and a folder only when it is an earlier export), and every failure leaves the place as it was.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { Writable } from 'node:stream';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AtomicFile, AtomicFolder } from '../../src/main/export/atomic-target';
import { exportSources, type ExportSource } from '../../src/main/export/export-account';
import { ExportCancelledError, ExportTargetExistsError, ExportWriteError } from '../../src/main/export/export-errors';
import { readMboxrd } from '../helpers/mboxrd-reader';

const NAMES = new Map([['Label_1', 'Receipts']]);
let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'mm-export-files-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const source = (gmailId: string, body: string | Buffer | null, over: Partial<ExportSource> = {}): ExportSource => ({
  gmailId,
  threadId: gmailId,
  internalDate: 1_700_000_000_000,
  labelIds: ['INBOX'],
  bytes: body === null ? null : typeof body === 'string' ? Buffer.from(body) : body,
  ...over,
});

const SOURCES = [
  source('18c0000000000001', 'Subject: one\r\n\r\nFrom the top\r\n'),
  source('18c0000000000002', null),
  source('18c0000000000003', Buffer.concat([Buffer.from('Subject: two\n\n>From x\n'), Buffer.from([0xe9, 0xfe])]), { labelIds: ['Label_1', 'UNREAD'] }),
  source('18c0000000000004', null),
];

const files = () => readdirSync(dir).sort();

describe('export to mbox', () => {
  it('writes every whole original once, counts the others, and leaves only the final file', async () => {
    const out = join(dir, 'mail.mbox');
    const r = await exportSources(SOURCES, { format: 'mbox', path: out, labelNames: NAMES });
    expect(r).toEqual({ format: 'mbox', path: out, messages: 2, bytes: statSync(out).size, skipped: 2, skippedIds: ['18c0000000000002', '18c0000000000004'] });
    expect(files()).toEqual(['mail.mbox']);
    expect(statSync(out).mode & 0o777).toBe(0o600);
    const back = readMboxrd(readFileSync(out));
    expect(back.map((e) => e.labels)).toEqual(['Inbox,Opened', 'Archived,Unread,Receipts']);
    expect(back[0].bytes.equals(SOURCES[0].bytes!)).toBe(true);
    // The second source lacks a final line break: it reads back with one.
    expect(back[1].bytes.equals(Buffer.concat([SOURCES[2].bytes!, Buffer.from('\n')]))).toBe(true);
  });

  it('refuses an existing file without force, naming it and the flag, and replaces it with force', async () => {
    const out = join(dir, 'mail.mbox');
    writeFileSync(out, 'precious');
    const refused = exportSources(SOURCES, { format: 'mbox', path: out, labelNames: NAMES });
    await expect(refused).rejects.toThrow(ExportTargetExistsError);
    await expect(refused).rejects.toThrow(`${out} already exists (a file): choose another name, or replace it`);
    expect(readFileSync(out, 'utf8')).toBe('precious');
    await exportSources(SOURCES, { format: 'mbox', path: out, labelNames: NAMES, force: true });
    expect(readMboxrd(readFileSync(out))).toHaveLength(2);
    expect(files()).toEqual(['mail.mbox']);
  });

  it('does not write over a folder, even with force', async () => {
    const out = join(dir, 'taken');
    mkdirSync(out);
    await expect(exportSources(SOURCES, { format: 'mbox', path: out, labelNames: NAMES, force: true })).rejects.toThrow(`${out} is a folder`);
  });

  it('says in plain words when the folder is missing or a part of the path is a file', async () => {
    const missing = join(dir, 'no', 'such', 'mail.mbox');
    await expect(exportSources(SOURCES, { format: 'mbox', path: missing, labelNames: NAMES })).rejects.toThrow(
      new ExportWriteError(`cannot write ${missing}: its folder does not exist (ENOENT)`),
    );
    writeFileSync(join(dir, 'file'), '');
    const under = join(dir, 'file', 'mail.mbox');
    await expect(exportSources(SOURCES, { format: 'mbox', path: under, labelNames: NAMES })).rejects.toThrow(
      `cannot write ${under}: a part of the path is not a folder (ENOTDIR)`,
    );
  });

  it('leaves nothing behind when reading fails halfway or the export is stopped', async () => {
    const out = join(dir, 'mail.mbox');
    function* failing(): Generator<ExportSource> {
      yield SOURCES[0];
      throw new Error('the store went away');
    }
    await expect(exportSources(failing(), { format: 'mbox', path: out, labelNames: NAMES })).rejects.toThrow('the store went away');
    expect(files()).toEqual([]);

    const stop = new AbortController();
    function* stopping(): Generator<ExportSource> {
      yield SOURCES[0];
      stop.abort();
      yield SOURCES[2];
    }
    await expect(exportSources(stopping(), { format: 'mbox', path: out, labelNames: NAMES, signal: stop.signal })).rejects.toThrow(ExportCancelledError);
    expect(files()).toEqual([]);
  });

  it('removes what a dead export left beside the file, and nothing else', async () => {
    const out = join(dir, 'mail.mbox');
    // A process id that is not running (pid_max is at most 2^22 on Linux).
    writeFileSync(join(dir, 'mail.mbox.export-4194999.partial'), 'half');
    writeFileSync(join(dir, `mail.mbox.export-${process.ppid}.partial`), 'a live export');
    writeFileSync(join(dir, 'other.mbox.export-4194999.partial'), 'not ours');
    await exportSources(SOURCES, { format: 'mbox', path: out, labelNames: NAMES });
    expect(files()).toEqual(['mail.mbox', `mail.mbox.export-${process.ppid}.partial`, 'other.mbox.export-4194999.partial']);
  });

  it('refuses a second export to the same place while the first is under way, which still ends whole', async () => {
    const file = await AtomicFile.create(join(dir, 'twice.mbox'));
    const folder = await AtomicFolder.create(join(dir, 'twice'));
    await expect(exportSources(SOURCES, { format: 'mbox', path: file.path, labelNames: NAMES })).rejects.toThrow(
      `an export to ${file.path} is already under way (writing twice.mbox.export-${process.pid}.partial): wait for it to end, or choose another name`,
    );
    await expect(exportSources(SOURCES, { format: 'eml', path: folder.path, labelNames: NAMES })).rejects.toThrow(
      `an export to ${folder.path} is already under way (writing twice.export-${process.pid}.partial)`,
    );
    await file.write(Buffer.from('whole'));
    await file.commit();
    await folder.writeFile('a.eml', Buffer.from('a'));
    await folder.commit();
    expect(files()).toEqual(['twice', 'twice.mbox']);
    expect(readFileSync(file.path, 'utf8')).toBe('whole');
    expect(readdirSync(folder.path)).toEqual(['a.eml']);
  });

  it('streams a large export through a small buffer: a source of several MB and many messages', async () => {
    const big = Buffer.alloc(5 * 1024 * 1024 + 3, 'x');
    big.write('Subject: big\n\n', 0);
    const many = Array.from({ length: 2000 }, (_, i) => source(`m${i}`, `Subject: ${i}\n\nFrom ${i}\n`));
    const out = join(dir, 'mail.mbox');
    const r = await exportSources([many[0], source('big', big), ...many.slice(1)], { format: 'mbox', path: out, labelNames: NAMES });
    expect(r.messages).toBe(2001);
    const back = readMboxrd(readFileSync(out));
    expect(back).toHaveLength(2001);
    expect(back[1].bytes.equals(Buffer.concat([big, Buffer.from('\n')]))).toBe(true);
    expect(back[2000].bytes.toString()).toBe('Subject: 1999\n\nFrom 1999\n');
  });
});

describe('export to a stream (--out -)', () => {
  it('waits for a slow reader: the stream never holds much more than its buffer, and gets every entry in order', async () => {
    const got: Buffer[] = [];
    let most = 0;
    const slow = new Writable({
      highWaterMark: 16 * 1024,
      write(chunk: Buffer, _enc, done) {
        got.push(chunk);
        setTimeout(done, 1);
      },
    });
    const many = Array.from({ length: 300 }, (_, i) => source(`m${i}`, `Subject: ${i}\n\nFrom ${'x'.repeat(3000)}\n`));
    const r = await exportSources(many, {
      format: 'mbox',
      path: 'standard output',
      stream: slow,
      labelNames: NAMES,
      onProgress: () => {
        most = Math.max(most, slow.writableLength);
      },
    });
    expect(r).toMatchObject({ path: 'standard output', messages: 300 });
    expect(most).toBeLessThan(16 * 1024 + 4096);
    const back = readMboxrd(Buffer.concat(got));
    expect(back.map((e) => e.bytes.toString())).toEqual(many.map((m) => m.bytes!.toString()));
    expect(files()).toEqual([]);
  });

  it('stops with a plain message when the reader goes away', async () => {
    let writes = 0;
    const closing = new Writable({
      write(_chunk: Buffer, _enc, done) {
        done(++writes > 3 ? Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }) : null);
      },
    });
    await expect(exportSources(SOURCES, { format: 'mbox', path: 'standard output', stream: closing, labelNames: NAMES })).rejects.toThrow(
      'cannot write standard output: the program reading it closed it (EPIPE)',
    );
  });
});

describe('export to eml', () => {
  it('writes <gmail id>.eml per whole original, byte for byte, in a folder that appears whole', async () => {
    const out = join(dir, 'mail');
    const r = await exportSources(SOURCES, { format: 'eml', path: out, labelNames: NAMES });
    expect(r).toMatchObject({ format: 'eml', path: out, messages: 2, skipped: 2 });
    expect(r.bytes).toBe(SOURCES[0].bytes!.length + SOURCES[2].bytes!.length);
    expect(files()).toEqual(['mail']);
    expect(readdirSync(out).sort()).toEqual(['18c0000000000001.eml', '18c0000000000003.eml']);
    expect(readFileSync(join(out, '18c0000000000001.eml')).equals(SOURCES[0].bytes!)).toBe(true);
    expect(readFileSync(join(out, '18c0000000000003.eml')).equals(SOURCES[2].bytes!)).toBe(true);
    expect(statSync(join(out, '18c0000000000003.eml')).mode & 0o777).toBe(0o600);
  });

  it('replaces an earlier export with force, never a folder holding anything else', async () => {
    const out = join(dir, 'mail');
    mkdirSync(out);
    writeFileSync(join(out, 'old.eml'), 'old');
    await expect(exportSources(SOURCES, { format: 'eml', path: out, labelNames: NAMES })).rejects.toThrow(
      `${out} already exists (a folder): choose another name, or replace it`,
    );
    await exportSources(SOURCES, { format: 'eml', path: out, labelNames: NAMES, force: true });
    expect(readdirSync(out).sort()).toEqual(['18c0000000000001.eml', '18c0000000000003.eml']);
    expect(files()).toEqual(['mail']);

    const home = join(dir, 'home');
    mkdirSync(home);
    writeFileSync(join(home, 'notes.txt'), 'mine');
    await expect(exportSources(SOURCES, { format: 'eml', path: home, labelNames: NAMES, force: true })).rejects.toThrow(
      `${home} holds other things than .eml files, so it is not replaced even when asked to: choose another name`,
    );
    expect(readFileSync(join(home, 'notes.txt'), 'utf8')).toBe('mine');
    writeFileSync(join(dir, 'a-file'), '');
    await expect(exportSources(SOURCES, { format: 'eml', path: join(dir, 'a-file'), labelNames: NAMES, force: true })).rejects.toThrow('is a file');
  });

  it('leaves no folder when the export fails halfway, and the replaced one untouched', async () => {
    const out = join(dir, 'mail');
    mkdirSync(out);
    writeFileSync(join(out, 'kept.eml'), 'kept');
    function* failing(): Generator<ExportSource> {
      yield SOURCES[0];
      throw new Error('the store went away');
    }
    await expect(exportSources(failing(), { format: 'eml', path: out, labelNames: NAMES, force: true })).rejects.toThrow('the store went away');
    expect(files()).toEqual(['mail']);
    expect(readdirSync(out)).toEqual(['kept.eml']);
  });

  it('writes an empty folder for an account with nothing to export', async () => {
    const out = join(dir, 'empty');
    const r = await exportSources([], { format: 'eml', path: out, labelNames: NAMES });
    expect(r).toMatchObject({ messages: 0, skipped: 0, bytes: 0 });
    expect(existsSync(out) && readdirSync(out)).toEqual([]);
  });
});
