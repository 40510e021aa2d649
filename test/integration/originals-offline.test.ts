// Issue 13, full copies: after a sync, with Gmail out of reach, every attachment opens, every inline picture is in
// the message, and every original is there, byte for byte what Gmail's format=raw gives — all from the mirror,
// through the IPC router as the UI asks. A cap leaves big attachments out; they come from Gmail when opened.
import { describe, expect } from 'vitest';
import type { gmail_v1 } from 'googleapis';
import { createAppCore, type AppCore } from '../../src/main/app-core';
import { resolveConfig } from '../../src/main/config';
import { createRouter, type IpcRouter } from '../../src/main/ipc/router';
import { openDatabase } from '../../src/main/db/client';
import { getAccountByEmail } from '../../src/main/db/accounts';
import { countMissingSources } from '../../src/main/db/sources';
import { countProgress } from '../../src/main/db/stubs';
import type { IpcResult } from '../../src/shared/ipc';
import { exportOf, spawnCli, syncWait, until } from '../helpers/cli';
import { mirrorTest } from '../helpers/fixtures';
import { startTestRedis, type TestRedis } from '../helpers/redis';
import { connect } from './emulator-helpers';
import { join } from 'node:path';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';

const it = mirrorTest({ tempPrefix: 'mm-originals-' });

function value<T>(r: IpcResult<T>): T {
  if (!r.ok) throw new Error(`${r.error.code}: ${r.error.message}`);
  return r.value;
}

type Truth = { raw: Map<string, Buffer>; attachments: Map<string, Array<{ filename: string; data: Buffer; contentId: string | null }>> };

/** What Gmail (the emulator) has: each message's format=raw, and each attachment's bytes (format=full + attachments.get). */
async function gmailTruth(gmail: gmail_v1.Gmail, ids: string[]): Promise<Truth> {
  const truth: Truth = { raw: new Map(), attachments: new Map() };
  for (const id of ids) {
    const raw = await gmail.users.messages.get({ userId: 'me', id, format: 'raw' });
    truth.raw.set(id, Buffer.from(raw.data.raw!, 'base64url'));
    const full = await gmail.users.messages.get({ userId: 'me', id, format: 'full' });
    const list: Array<{ filename: string; data: Buffer; contentId: string | null }> = [];
    const stack = [full.data.payload!];
    while (stack.length) {
      const p = stack.pop()!;
      stack.push(...[...(p.parts ?? [])].reverse()); // document order
      if (!p.body?.attachmentId) continue;
      const att = await gmail.users.messages.attachments.get({ userId: 'me', messageId: id, id: p.body.attachmentId });
      const cid = p.headers?.find((h) => h.name?.toLowerCase() === 'content-id')?.value?.replace(/^<|>$/g, '') ?? null;
      list.push({ filename: p.filename ?? '', data: Buffer.from(att.data.data!, 'base64url'), contentId: cid });
    }
    truth.attachments.set(id, list);
  }
  return truth;
}

/** The app core over a synced data folder, with Gmail's address pointing nowhere (connection refused). */
async function offlineCore(env: Record<string, string>, redis: TestRedis): Promise<{ core: AppCore; router: IpcRouter }> {
  const core = await createAppCore(resolveConfig({}, { ...env, REDIS_URL: redis.url, MAILMIRROR_GMAIL_API_URL: 'http://127.0.0.1:9/' }), { runWorkers: false });
  return { core, router: createRouter(core) };
}

describe('full copies, offline', () => {
  it('opens every attachment, shows inline pictures and gives each original byte for byte with Gmail unreachable', async ({ emu, connectAccount }) => {
    const email = 'olive@example.com';
    const { dir, env } = await connectAccount(email, { messages: 80, seed: 21, attachmentShare: 0.6, largeMessages: 0 });
    await syncWait(env);
    const { gmail } = await connect(emu, { loginHint: email });
    const ids = emu.account(email).messageIds();
    const truth = await gmailTruth(gmail, ids);
    expect([...truth.attachments.values()].flat().length).toBeGreaterThan(30);

    const redis = await startTestRedis();
    const { core, router } = await offlineCore(env, redis);
    try {
      const db = openDatabase(join(dir, 'mailmirror.db'));
      const accountId = getAccountByEmail(db, email)!.id;
      db.close();
      let inlineShown = 0;
      for (const id of ids) {
        const m = value(await router.invoke('messages:get', { accountId, messageId: id }));
        expect(m.sourceOffline, id).toBe(true);
        const original = value(await router.invoke('messages:source', { accountId, messageId: id }));
        expect(Buffer.from(original.dataBase64, 'base64').equals(truth.raw.get(id)!), `original of ${id}`).toBe(true);
        const expected = truth.attachments.get(id)!;
        expect(m.attachments.map((a) => a.filename)).toEqual(expected.map((a) => a.filename));
        for (const [i, a] of m.attachments.entries()) {
          expect(a.offline).toBe(true);
          const got = value(await router.invoke('attachments:download', { accountId, messageId: id, attachmentId: a.id }));
          expect(Buffer.from(got.dataBase64, 'base64').equals(expected[i].data), `${id} ${a.filename}`).toBe(true);
          if (a.inline) {
            // Shown inside the message: its cid: reference became the picture itself.
            inlineShown++;
            expect(m.htmlBody).toContain(`data:${a.mimeType};base64,${expected[i].data.toString('base64')}`);
            expect(m.htmlBody).not.toContain(`cid:${a.contentId}`);
          }
        }
      }
      expect(inlineShown).toBeGreaterThan(0);
      const view = value(await router.invoke('messages:original', { accountId, messageId: ids[0] }));
      expect(view.truncated).toBe(false);
      expect(view.text).toBe(truth.raw.get(ids[0])!.toString('utf8'));
    } finally {
      await core.close();
      await redis.stop();
    }
  });

  it('leaves attachments over the cap to Gmail: fetched and kept when opened, a plain OFFLINE when Gmail is out of reach', async ({ emu, connectAccount }) => {
    const email = 'capped@example.com';
    const { dir, env } = await connectAccount(email, { messages: 40, seed: 22, attachmentShare: 1, largeMessages: 0 });
    writeFileSync(join(dir, 'settings.json'), JSON.stringify({ keepOriginals: 'capped', attachmentCapMb: 1 }));
    // Every generated attachment is under 1 MB (no large messages) but this 1.5 MB archive.
    const big = emu.account(email).addMessage({ subject: 'Big archive', raw: bigMessage() });
    await syncWait(env);
    const redis = await startTestRedis();
    const db = openDatabase(join(dir, 'mailmirror.db'));
    const accountId = getAccountByEmail(db, email)!.id;
    db.close();
    const offline = await offlineCore(env, redis);
    try {
      const m = value(await offline.router.invoke('messages:get', { accountId, messageId: big }));
      expect(m.sourceOffline).toBe(false);
      const archive = m.attachments.find((a) => a.filename === 'archive.bin')!;
      expect(archive.offline).toBe(false);
      const r = await offline.router.invoke('attachments:download', { accountId, messageId: big, attachmentId: archive.id });
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.error.code).toBe('OFFLINE');
      const left = value(await offline.router.invoke('accounts:export', { accountId, format: 'mbox', path: join(dir, 'offline.mbox') }));
      expect(left).toMatchObject({ skipped: 1, messages: 40 });
    } finally {
      await offline.core.close();
    }
    // Online: fetched from Gmail once, then kept.
    const online = await createAppCore(resolveConfig({}, { ...env, REDIS_URL: redis.url }), { runWorkers: false });
    try {
      const router = createRouter(online);
      // Offline, the export left the big message out; online it fetches its original first (and keeps it).
      const offlineExport = join(dir, 'offline.mbox');
      const exported = value(await router.invoke('accounts:export', { accountId, format: 'eml', path: join(dir, 'eml') }));
      expect(exported).toMatchObject({ skipped: 0, messages: 41 });
      expect(readFileSync(join(dir, 'eml', `${big}.eml`)).includes(Buffer.from('archive.bin'))).toBe(true);
      expect(existsSync(offlineExport)).toBe(true);
      const m = value(await router.invoke('messages:get', { accountId, messageId: big }));
      const archive = m.attachments.find((a) => a.filename === 'archive.bin')!;
      const got = value(await router.invoke('attachments:download', { accountId, messageId: big, attachmentId: archive.id }));
      expect(Buffer.from(got.dataBase64, 'base64').equals(BIG)).toBe(true);
      const again = value(await router.invoke('messages:get', { accountId, messageId: big }));
      expect(again.sourceOffline).toBe(true);
      expect(again.attachments.find((a) => a.filename === 'archive.bin')!.offline).toBe(true);
    } finally {
      await online.close();
      await redis.stop();
    }
  });
});

const BIG = Buffer.from(Array.from({ length: 1_500_000 }, (_, i) => (i * 131 + (i >> 9)) % 256));

function bigMessage(): string {
  return [
    'From: Sam <sam@example.com>',
    'To: capped@example.com',
    'Subject: Big archive',
    'Message-ID: <big@example.com>',
    'MIME-Version: 1.0',
    'Content-Type: multipart/mixed; boundary="b"',
    '',
    '--b',
    'Content-Type: text/plain; charset=utf-8',
    '',
    'The archive is attached.',
    '--b',
    'Content-Type: application/octet-stream; name="archive.bin"',
    'Content-Disposition: attachment; filename="archive.bin"',
    'Content-Transfer-Encoding: base64',
    '',
    BIG.toString('base64').replace(/.{76}/g, '$&\r\n'),
    '--b--',
    '',
  ].join('\r\n');
}

describe('originals of a mirror made without them', () => {
  it('are copied in the background after the sync, and the copy resumes after a kill', async ({ emu, connectAccount }) => {
    const email = 'backfill@example.com';
    const { dir, env } = await connectAccount(email, { messages: 600, seed: 23 });
    // threads.get brings no original: every message is left to the backfill.
    const threadsEnv = { ...env, MAILMIRROR_FETCH_STRATEGY: 'threads' };
    /** Messages stored without their original, and stubs not fetched at all. */
    const state = (): { missing: number; pending: number; fetched: number } => {
      const db = openDatabase(join(dir, 'mailmirror.db'));
      try {
        const id = getAccountByEmail(db, email)!.id;
        return { missing: countMissingSources(db, id), ...countProgress(db, id) };
      } finally {
        db.close();
      }
    };
    const missing = (): number => state().missing;
    emu.setLatency({ min: 15, max: 30 });
    const run = spawnCli(['sync', '--wait'], threadsEnv);
    try {
      // Killed once the backfill is under way: every message fetched, some originals copied, not all.
      await until(
        () => {
          const s = state();
          return s.fetched > 500 && s.pending === 0 && s.missing > 0 && s.missing < s.fetched - 60;
        },
        240_000,
        'the backfill under way',
      );
      run.proc.kill('SIGKILL');
      await run.result;
    } finally {
      emu.setLatency(undefined);
    }
    expect(missing()).toBeGreaterThan(0);
    await syncWait(env);
    expect(missing()).toBe(0);
    expect(await exportOf(env, email, dir)).toEqual(emu.account(email).groundTruth());
  });
});
