// Issue 5, maintenance: the health check compares Gmail's label counts with the mirror's and repairs a
// drift with a targeted resync of that label's membership.
import { beforeAll, describe, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Queue, QueueEvents } from 'bullmq';
import { resolveConfig } from '../../src/main/config';
import { createAppCore } from '../../src/main/app-core';
import { PRIORITY } from '../../src/main/queues/definitions';
import { assertBuilt, runCli } from '../helpers/cli';
import { mirrorTest } from '../helpers/fixtures';
import { openRawSqlite, storeFileOf } from '../helpers/raw-sqlite';
import { startTestRedis } from '../helpers/redis';

const it = mirrorTest();

describe('sync health check', () => {
  beforeAll(assertBuilt);

  it('repairs label drift in the mirror to equal Gmail again', async ({ connectAccount }) => {
    const email = 'drift@example.com';
    const { box, dir, env } = await connectAccount(email, { messages: 300, seed: 41 });
    expect((await runCli(['sync', '--wait'], env)).code).toBe(0);

    // Drift: INBOX loses some messages in the mirror, a message gains a label it does not have.
    const db = openRawSqlite(storeFileOf(dir), { readonly: false });
    db.prepare("DELETE FROM message_labels WHERE label_id = 'INBOX' AND rowid IN (SELECT rowid FROM message_labels WHERE label_id = 'INBOX' LIMIT 7)").run();
    const notStarred = db.prepare("SELECT id FROM messages WHERE id NOT IN (SELECT message_id FROM message_labels WHERE label_id = 'STARRED') LIMIT 1").get() as { id: number };
    db.prepare("INSERT INTO message_labels (message_id, account_id, label_id) VALUES (?, 1, 'STARRED')").run(notStarred.id);
    db.close();

    // The core's workers on a Redis of the test's own, where the test queues the check as the scheduler would.
    const redis = await startTestRedis();
    const config = resolveConfig({}, { ...env, REDIS_URL: redis.url, MAILMIRROR_QUEUE_PREFIX: 'health-test' });
    const core = await createAppCore(config, { runWorkers: true });
    const connection = { path: redis.socket, maxRetriesPerRequest: null };
    const queue = new Queue('gmail-maintenance', { connection, prefix: 'health-test' });
    const events = new QueueEvents('gmail-maintenance', { connection, prefix: 'health-test' });
    try {
      await events.waitUntilReady();
      const job = await queue.add('syncHealthCheck', { accountId: 1 }, { priority: PRIORITY.maintenance });
      const result = (await job.waitUntilFinished(events, 60_000)) as { drifted: string[] };
      expect(result.drifted.sort()).toEqual(['INBOX', 'STARRED']);
    } finally {
      await events.close();
      await queue.close();
      await core.close();
      await redis.stop();
    }
    expect((await runCli(['sync', '--wait'], env)).code).toBe(0);
    const out = join(dir, 'export.json');
    expect((await runCli(['export', '--account', email, '--format', 'json', '--out', out], env)).code).toBe(0);
    expect(JSON.parse(readFileSync(out, 'utf8'))).toEqual(box.groundTruth());
  });
});
