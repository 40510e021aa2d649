// Issue 5: incremental sync from Gmail history, expired-history fallback, a lost Redis, scheduling.
import { afterAll, beforeAll, describe, expect } from 'vitest';
import { Redis } from 'ioredis';
import { assertBuilt, exportOf, spawnCli, syncWait, until } from '../helpers/cli';
import { mirrorTest, type ConnectedAccount } from '../helpers/fixtures';
import { openRawSqlite, storeFileOf } from '../helpers/raw-sqlite';
import { startTestRedis, type TestRedis } from '../helpers/redis';

const it = mirrorTest();

/** A connected account after its initial sync. */
async function synced(connecting: Promise<ConnectedAccount>): Promise<ConnectedAccount> {
  const account = await connecting;
  await syncWait(account.env);
  return account;
}

describe('incremental sync', () => {
  const cleanups: (() => void | Promise<void>)[] = [];

  beforeAll(assertBuilt);
  afterAll(async () => {
    for (const c of cleanups.reverse()) await c();
  });

  it('applies 500 random mutations (messages not yet stored, added-then-deleted included) exactly', async ({ connectAccount }) => {
    const { box, dir, env } = await synced(connectAccount('inc@example.com', { messages: 600, seed: 31 }));
    box.randomMutations(500, 1);
    // A message added and deleted before the next pass, and a label change on a message never stored.
    const ghost = box.addMessage({ labelIds: ['INBOX', 'UNREAD'] });
    box.deleteMessage(ghost);
    const late = box.addMessage({ labelIds: ['INBOX'] });
    box.modifyLabels(late, ['STARRED'], ['INBOX']);
    await syncWait(env);
    expect(await exportOf(env, 'inc@example.com', dir)).toEqual(box.groundTruth());
    // The same history applied again changes nothing.
    await syncWait(env);
    expect(await exportOf(env, 'inc@example.com', dir)).toEqual(box.groundTruth());
  });

  it('reads again only the counts of the labels a pass touched, and every label on the slower schedule', async ({ emu, connectAccount }) => {
    const { box, dir, env } = await synced(connectAccount('counts@example.com', { messages: 300, seed: 36 }));
    const db = openRawSqlite(storeFileOf(dir));
    cleanups.push(() => {
      db.close();
    });
    /** When each label's Gmail counts were last read. */
    const readAt = (): Map<string, number> =>
      new Map((db.prepare('SELECT gmail_id AS id, last_synced_at AS at FROM labels').all() as { id: string; at: number }[]).map((r) => [r.id, r.at]));
    const readSince = (before: Map<string, number>): string[] =>
      [...readAt()].filter(([id, at]) => at > (before.get(id) ?? 0)).map(([id]) => id).sort();

    // Two read messages (so no other label's unread counts move): one gets starred, one is archived.
    const read = box.groundTruth().messages.filter((m) => m.labelIds.includes('INBOX') && !m.labelIds.includes('UNREAD') && !m.labelIds.includes('STARRED'));
    box.modifyLabels(read[0].id, ['STARRED'], []);
    box.modifyLabels(read[1].id, [], ['INBOX']);
    let before = readAt();
    emu.resetStats();
    await syncWait(env);
    expect(readSince(before)).toEqual(['INBOX', 'STARRED']);
    expect(emu.stats().requests['labels.get']).toBe(2);
    expect(await exportOf(env, 'counts@example.com', dir)).toEqual(box.groundTruth());

    // A new unread message: its labels' counts are read once it is fetched, and they are right.
    box.addMessage({ labelIds: ['INBOX', 'UNREAD', 'CATEGORY_UPDATES'] });
    before = readAt();
    await syncWait(env);
    expect(readSince(before)).toEqual(['CATEGORY_UPDATES', 'INBOX', 'UNREAD']);
    expect(await exportOf(env, 'counts@example.com', dir)).toEqual(box.groundTruth());

    // Once the oldest counts are older than MAILMIRROR_LABEL_RECOUNT_MS, a pass reads every label's.
    box.modifyLabels(read[0].id, [], ['STARRED']);
    before = readAt();
    await syncWait({ ...env, MAILMIRROR_LABEL_RECOUNT_MS: '1' });
    expect(readSince(before)).toEqual([...before.keys()].sort());
    expect(await exportOf(env, 'counts@example.com', dir)).toEqual(box.groundTruth());
  });

  it('applies random mutations exactly with faults on', async ({ emu, connectAccount }) => {
    const { box, dir, env } = await synced(connectAccount('incfault@example.com', { messages: 400, seed: 32 }));
    box.randomMutations(500, 2);
    emu.setFaults({ rate: 0.05, seed: 9, kinds: ['500', '503', 'reset', '429'] });
    try {
      await syncWait(env);
    } finally {
      emu.setFaults(undefined);
    }
    expect(await exportOf(env, 'incfault@example.com', dir)).toEqual(box.groundTruth());
  });

  it('falls back to a reconciling full resync when history expired, mail readable throughout', async ({ emu, connectAccount }) => {
    const { box, dir, env } = await synced(connectAccount('expired@example.com', { messages: 1200, seed: 33 }));
    box.randomMutations(200, 3);
    box.expireHistory();
    emu.setLatency({ min: 10, max: 20 });
    const db = openRawSqlite(storeFileOf(dir));
    cleanups.push(() => {
      db.close();
    });
    const readable = () =>
      (db.prepare('SELECT count(*) AS n FROM messages WHERE details_fetched = 1').get() as { n: number }).n;
    const before = readable();
    expect(before).toBeGreaterThan(1000);
    const run = spawnCli(['sync', '--wait'], env);
    let minSeen = before;
    while (run.proc.exitCode === null) {
      minSeen = Math.min(minSeen, readable());
      await new Promise((r) => setTimeout(r, 50));
    }
    emu.setLatency({ min: 0, max: 0 });
    const r = await run.result;
    expect(r.code, r.stderr).toBe(0);
    // Never wiped first: at every moment most of the mirror stayed readable.
    expect(minSeen).toBeGreaterThan(before * 0.7);
    expect(await exportOf(env, 'expired@example.com', dir)).toEqual(box.groundTruth());
  });

  it('loses no work when Redis is flushed mid-sync', async ({ emu, connectAccount }) => {
    const redis: TestRedis = await startTestRedis();
    cleanups.push(() => redis.stop());
    const email = 'flushed@example.com';
    const { box, dir, env } = await connectAccount(email, { messages: 1500, seed: 34 }, { extra: { REDIS_URL: redis.url } });
    emu.setLatency({ min: 10, max: 20 });
    const run = spawnCli(['sync', '--wait'], env);
    await until(() => /fetching [1-9]/.test(run.stdout()) || run.proc.exitCode !== null);
    const client = new Redis(redis.socket);
    await client.flushall();
    client.disconnect();
    emu.setLatency({ min: 0, max: 0 });
    const r = await run.result;
    expect(r.code, r.stderr).toBe(0);
    expect(await exportOf(env, email, dir)).toEqual(box.groundTruth());
  });

  it('runs scheduled passes on its own: a change shows up within the interval', async ({ connectAccount }) => {
    const { box, dir, env } = await synced(connectAccount('sched@example.com', { messages: 200, seed: 35 }, { extra: { MAILMIRROR_SYNC_INTERVAL_MS: '1500' } }));
    const worker = spawnCli(['worker'], env);
    cleanups.push(() => {
      worker.proc.kill('SIGTERM');
    });
    await until(() => /worker running/.test(worker.stdout()));
    const id = box.addMessage({ labelIds: ['INBOX', 'UNREAD'], subject: 'Scheduled pass' });
    const db = openRawSqlite(storeFileOf(dir));
    cleanups.push(() => {
      db.close();
    });
    await until(
      () => !!db.prepare('SELECT 1 FROM messages WHERE gmail_id = ? AND details_fetched = 1').get(id),
      15_000,
    );
    worker.proc.kill('SIGTERM');
    const r = await worker.result;
    expect(r.code).toBe(0);
  });
});
