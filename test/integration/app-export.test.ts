// "Export account…" through the IPC router over the real app core (test/helpers/ipc-harness.ts): `accounts:export`
// writes the originals the store holds, refuses an existing target or a relative path as INVALID_REQUEST with the
// words the user sees, and exports the store as it was when it began while the sync goes on writing;
// `export:defaults` proposes paths in the user's Downloads folder.
import type { gmail_v1 } from 'googleapis';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { saveMessageDetails } from '../../src/main/db';
import { exportAccountFromCore } from '../../src/main/export/app-export';
import { createRouter, type IpcEventMessage, type IpcRouter } from '../../src/main/ipc/router';
import type { CoreEventMap } from '../../src/main/ipc/services';
import type { EventPayload } from '../../src/shared/ipc';
import { parseGmailMessage } from '../../src/main/sync/parse-message';
import { connectHarnessAccount, createHarness, HARNESS_EMAIL, type Harness } from '../helpers/ipc-harness';
import { readMboxrd } from '../helpers/mboxrd-reader';

let h: Harness;
let router: IpcRouter;
let accountId: number;
let out: string;
const originals = new Map<string, Buffer>();

const original = (n: number) =>
  Buffer.from(`From: Ann <ann@example.com>\r\nTo: ${HARNESS_EMAIL}\r\nSubject: note ${n}\r\nMessage-ID: <n${n}@x>\r\n\r\nFrom me, note ${n}.\r\n`);

function store(n: number): string {
  const id = (0x18d0000000000000n + BigInt(n)).toString(16);
  const bytes = original(n);
  const msg: gmail_v1.Schema$Message = {
    id, threadId: id, labelIds: ['INBOX'], historyId: '10', internalDate: String(1_700_000_000_000 + n), raw: bytes.toString('base64url'),
  };
  saveMessageDetails(h.db, accountId, [parseGmailMessage(msg)], { insertMissing: true });
  originals.set(id, bytes);
  return id;
}

beforeAll(async () => {
  h = await createHarness();
  router = createRouter(h.services);
  accountId = await connectHarnessAccount(h);
  await h.dropQueued();
  for (let n = 0; n < 40; n++) store(n);
  out = mkdtempSync(join(tmpdir(), 'mm-app-export-'));
});

afterAll(async () => {
  router?.close();
  await h?.close();
  rmSync(out, { recursive: true, force: true });
});

describe('accounts:export', () => {
  it('writes the account as an mbox and as .eml files, and answers what it wrote', async () => {
    const mbox = join(out, 'all.mbox');
    const r = await router.invoke('accounts:export', { accountId, format: 'mbox', path: mbox });
    expect(r).toEqual({ ok: true, value: { path: mbox, messages: originals.size, bytes: readFileSync(mbox).length, skipped: 0 } });
    const entries = readMboxrd(readFileSync(mbox));
    expect(entries.map((e) => e.bytes.toString())).toEqual([...originals.values()].map((b) => b.toString()));

    const eml = join(out, 'eml');
    const e = await router.invoke('accounts:export', { accountId, format: 'eml', path: eml });
    expect(e.ok && e.value.messages).toBe(originals.size);
    for (const [id, bytes] of originals) expect(readFileSync(join(eml, `${id}.eml`)).equals(bytes)).toBe(true);
  });

  it('refuses an existing file unless forced, and a relative path, as INVALID_REQUEST in plain words', async () => {
    const taken = join(out, 'taken.mbox');
    writeFileSync(taken, 'mine');
    const refused = await router.invoke('accounts:export', { accountId, format: 'mbox', path: taken });
    expect(refused).toEqual({
      ok: false,
      error: { code: 'INVALID_REQUEST', message: `${taken} already exists (a file): choose another name, or replace it` },
    });
    expect(readFileSync(taken, 'utf8')).toBe('mine');
    const forced = await router.invoke('accounts:export', { accountId, format: 'mbox', path: taken, force: true });
    expect(forced.ok).toBe(true);
    const relative = await router.invoke('accounts:export', { accountId, format: 'eml', path: 'exports/mail' });
    expect(relative).toMatchObject({ ok: false, error: { code: 'INVALID_REQUEST', message: expect.stringMatching(/whole path/) } });
  });

  it('exports the mirror as it was when it began, while the sync writes beside it', async () => {
    const before = originals.size;
    let added: string | undefined;
    const r = await exportAccountFromCore(h.dir, {
      accountId,
      format: 'eml',
      path: join(out, 'snapshot'),
      force: false,
      // A message the sync stores while the export runs (the store's own connection, as the core's).
      onProgress: () => {
        added ??= store(1000);
      },
    });
    expect(added).toBeDefined();
    expect(r.messages).toBe(before);
    expect(readdirSync(join(out, 'snapshot'))).not.toContain(`${added}.eml`);
    const next = await exportAccountFromCore(h.dir, { accountId, format: 'eml', path: join(out, 'after'), force: false });
    expect(next.messages).toBe(before + 1);
  });
});

describe('an export from the app while it runs', () => {
  type Progress = EventPayload<'export:progress'>;
  const progressOf = (events: IpcEventMessage[]): Progress[] => events.flatMap((e) => (e.name === 'export:progress' ? [e.payload] : []));

  it('tells the window how far it is, from none to every message, and last that it ended', async () => {
    const seen: CoreEventMap['export:progress'][] = [];
    const off = h.services.onEvent('export:progress', (p) => seen.push(p));
    const sent: IpcEventMessage[] = [];
    const unsubscribe = router.subscribe((e) => sent.push(e));
    try {
      const path = join(out, 'progress.mbox');
      const r = await router.invoke('accounts:export', { accountId, format: 'mbox', path });
      expect(r.ok).toBe(true);
      const bytes = readFileSync(path).length;
      const total = originals.size;
      expect(seen[0]).toEqual({ accountId, phase: 'writing', done: 0, total, bytes: 0 });
      expect(seen.at(-1)).toEqual({ accountId, phase: 'ended', done: total, total, bytes });
      const writing = seen.filter((p) => p.phase === 'writing').map((p) => p.done);
      expect(writing).toEqual([...writing].sort((a, b) => a - b));
      expect(writing.at(-1)).toBe(total);
      // Through the contract, throttled: the window's last word is the end, with every message counted.
      await expect.poll(() => progressOf(sent).at(-1)?.phase, { timeout: 2000 }).toBe('ended');
      expect(progressOf(sent).at(-1)).toEqual({ accountId, phase: 'ended', done: total, total, bytes });
    } finally {
      off();
      unsubscribe();
    }
  });

  it('stops at accounts:exportCancel, leaving nothing under its name, and refuses a second export of the account meanwhile', async () => {
    const path = join(out, 'stopped');
    let stopping: Promise<unknown> | undefined;
    let second: Promise<unknown> | undefined;
    const off = h.services.onEvent('export:progress', (p) => {
      if (p.phase !== 'writing' || p.done < 2 || stopping) return;
      second = router.invoke('accounts:export', { accountId, format: 'mbox', path: join(out, 'second.mbox') });
      stopping = router.invoke('accounts:exportCancel', { accountId });
    });
    try {
      const r = await router.invoke('accounts:export', { accountId, format: 'eml', path });
      expect(r).toMatchObject({ ok: false, error: { code: 'CANCELLED' } });
      expect(await stopping).toEqual({ ok: true, value: { stopped: true } });
      expect(await second).toMatchObject({ ok: false, error: { code: 'INVALID_REQUEST', message: expect.stringMatching(/already running/) } });
      expect(existsSync(path)).toBe(false);
      expect(existsSync(join(out, 'second.mbox'))).toBe(false);
      expect(readdirSync(out).filter((name) => name.includes('stopped'))).toEqual([]);
      // Nothing runs any more: stopping again says so, and the next export goes through.
      expect(await router.invoke('accounts:exportCancel', { accountId })).toEqual({ ok: true, value: { stopped: false } });
      const again = await router.invoke('accounts:export', { accountId, format: 'eml', path });
      expect(again.ok && again.value.messages).toBe(originals.size);
    } finally {
      off();
    }
  });
});

describe('export:defaults', () => {
  it('proposes a dated mbox file and folder in one place for the account', async () => {
    const r = await router.invoke('export:defaults', { accountId });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const day = new Date().toISOString().slice(0, 10);
    expect(r.value.mbox.endsWith(`Mailmirror ${HARNESS_EMAIL} ${day}.mbox`)).toBe(true);
    expect(r.value.eml).toBe(r.value.mbox.slice(0, -'.mbox'.length));
  });
});
