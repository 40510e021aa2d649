// Settings own the user's choices, config supplies defaults only: an interval chosen in the app's
// settings is what the incremental schedule uses after the first sync finishes and after a restart
// (both used to reschedule with the config's default).
import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../../src/emulator';
import { resolveConfig } from '../../src/main/config';
import { createAppCore, type AppCore } from '../../src/main/app-core';
import { addAccount, assertBuilt, emulatorEnv, tempDir, until } from '../helpers/cli';
import { startTestRedis, type TestRedis } from '../helpers/redis';

describe("the user's sync interval", () => {
  let emu: Emulator;
  let redis: TestRedis;
  const data = tempDir('mm-interval-');
  let core: AppCore | null = null;
  let syncQueue: Queue;
  let maintenance: Queue;

  beforeAll(async () => {
    assertBuilt();
    emu = await startEmulator({});
    emu.addAccount('interval@example.com', { messages: 150, seed: 5 });
    redis = await startTestRedis();
    const connection = { path: redis.socket, maxRetriesPerRequest: null };
    syncQueue = new Queue('gmail-sync', { connection, prefix: 'interval' });
    maintenance = new Queue('gmail-maintenance', { connection, prefix: 'interval' });
  });

  afterAll(async () => {
    await core?.close();
    await syncQueue?.close();
    await maintenance?.close();
    await redis?.stop();
    await emu?.close();
    data.cleanup();
  });

  it('survives the end of a sync and a restart', { timeout: 120_000 }, async () => {
    const env = emulatorEnv(emu, data.dir, { REDIS_URL: redis.url, MAILMIRROR_QUEUE_PREFIX: 'interval', MAILMIRROR_SYNC_INTERVAL_MS: '60000' });
    expect((await addAccount(env)).code).toBe(0);
    const config = resolveConfig({}, env);
    const every = async () => (await syncQueue.getJobScheduler('incremental:1'))?.every;

    // Chosen while the first sync runs: the schedule made when it finishes is the user's, not the default.
    core = await createAppCore(config, { runWorkers: true });
    expect((await core.getSettings()).syncIntervalSeconds).toBe(60);
    expect((await core.setSettings({ syncIntervalSeconds: 900 })).syncIntervalSeconds).toBe(900);
    await until(() => core!.accountStatus(1).status.phase === 'idle' && core!.accountStatus(1).lastIncrementalSyncAt !== null, 90_000, 'first sync done');
    await until(async () => (await every()) !== undefined, 10_000, 'incremental schedule');
    expect(Number(await every())).toBe(900_000);
    await core.close();
    core = null;

    // Restarted: the start-up sweep reschedules every account, with the user's interval.
    const restarted = Date.now();
    core = await createAppCore(config, { runWorkers: true });
    await until(
      async () => (await maintenance.getJobs(['completed'])).some((j) => j.name === 'scheduledIncrementalSync' && (j.finishedOn ?? 0) >= restarted),
      30_000,
      'start-up sweep',
    );
    expect(Number(await every())).toBe(900_000);
    expect((await core.getSettings()).syncIntervalSeconds).toBe(900);
  });
});
