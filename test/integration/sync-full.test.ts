// Issue 4: a full sync through the CLI equals the emulator's ground truth — plain, with faults, across
// SIGKILLs, at Gmail's quota under both profiles, and with deletions during the sync.
import { beforeAll, describe, expect } from 'vitest';
import { startEmulator } from '../../src/emulator';
import { addAccount, assertBuilt, emulatorEnv, exportOf, runCli, spawnCli, syncWait } from '../helpers/cli';
import { mirrorTest } from '../helpers/fixtures';

const it = mirrorTest();

describe('full sync through the CLI', () => {
  beforeAll(assertBuilt);

  it('mirrors a 2,000-message mailbox exactly (threads, labels, spam and trash, charsets, attachments)', async ({ emu, connectAccount }) => {
    const email = 'alice@example.com';
    const { dir, env, add } = await connectAccount(email, { messages: 2000, seed: 11 });
    expect(add.stdout).toContain(email);
    await syncWait(env);
    const truth = emu.account(email).groundTruth();
    expect(truth.messages.length).toBe(2000);
    expect(await exportOf(env, email, dir)).toEqual(truth);
  });

  it('ends equal with 5% injected faults (500, 503, reset sockets) and no job left failed', async ({ emu, connectAccount }) => {
    const email = 'faults@example.com';
    const { dir, env } = await connectAccount(email, { messages: 2000, seed: 12 });
    emu.setFaults({ rate: 0.05, seed: 5, kinds: ['500', '503', 'reset'] });
    try {
      await syncWait(env);
    } finally {
      emu.setFaults(undefined);
    }
    expect(Object.values(emu.stats().faults).reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
    expect(await exportOf(env, email, dir)).toEqual(emu.account(email).groundTruth());
    const status = await runCli(['status', '--json'], env);
    expect(status.code).toBe(0);
    expect(status.stdout).not.toMatch(/"phase":\s*"failed"/);
  });

  it('survives SIGKILL during listing and during batches, fetching no message more than twice', async ({ emu, connectAccount }) => {
    const email = 'killed@example.com';
    const { dir, env } = await connectAccount(email, { messages: 2500, seed: 13 });
    emu.resetStats();
    // Slow the emulator down so the kills land in the middle of the work.
    emu.setLatency({ min: 20, max: 40 });
    // Kill during the listing, then twice more during the batches, each time further along than the
    // last (so each kill interrupts different messages).
    let reached = -1;
    for (const step of [0, 300, 900]) {
      const run = spawnCli(['sync', '--wait'], env);
      const target = Math.max(step, reached + 150);
      await new Promise<void>((res) => {
        const t = setInterval(() => {
          const counts = [...run.stdout().matchAll(/(?:listing|fetching) ([\d,]+)\//g)].map((m) => Number(m[1].replace(/,/g, '')));
          const now = counts.length ? counts[counts.length - 1] : -1;
          const hit = step === 0 ? /listing/.test(run.stdout()) : now >= target;
          if (hit || run.proc.exitCode !== null) {
            reached = Math.max(reached, now);
            clearInterval(t);
            res();
          }
        }, 10);
      });
      run.proc.kill('SIGKILL');
      await run.result;
    }
    emu.setLatency({ min: 0, max: 0 });
    await syncWait(env);
    expect(await exportOf(env, email, dir)).toEqual(emu.account(email).groundTruth());
    expect(emu.stats().maxDetailFetches).toBeLessThanOrEqual(2);
  });

  for (const profile of ['2026', 'legacy'] as const) {
    it(`gets no 429 or 403 at Gmail's quota (${profile} profile, scaled) at default settings`, async ({ dataDir: dir }) => {
      const q = await startEmulator({ quota: { profile, scale: profile === '2026' ? 20 : 8 } });
      try {
        const email = `quota-${profile}@example.com`;
        q.addAccount(email, { messages: 800, seed: 21 });
        const env = emulatorEnv(q, dir, { MAILMIRROR_QUOTA_PROFILE: profile, MAILMIRROR_QUOTA_SCALE: profile === '2026' ? '20' : '8' });
        expect((await addAccount(env)).code).toBe(0);
        await syncWait(env);
        const s = q.stats();
        expect(s.sent429 + s.sent403).toBe(0);
        expect(await exportOf(env, email, dir)).toEqual(q.account(email).groundTruth());
      } finally {
        await q.close();
      }
    });
  }

  it('ends equal when messages are deleted between listing and fetching and a label is deleted mid-sync', async ({ emu, connectAccount }) => {
    const email = 'churn@example.com';
    const { box, dir, env } = await connectAccount(email, { messages: 1500, seed: 14 });
    emu.setLatency({ min: 20, max: 40 });
    const run = spawnCli(['sync', '--wait'], env);
    await new Promise<void>((res) => {
      const t = setInterval(() => {
        if (/fetching/.test(run.stdout()) || run.proc.exitCode !== null) {
          clearInterval(t);
          res();
        }
      }, 20);
    });
    const ids = box.messageIds();
    for (const id of ids.filter((_, i) => i % 25 === 0)) box.deleteMessage(id);
    const userLabel = box.groundTruth().labels.find((l) => l.type === 'user' && l.messagesTotal > 0);
    if (userLabel) box.deleteLabel(userLabel.id);
    emu.setLatency({ min: 0, max: 0 });
    const r = await run.result;
    expect(r.code, r.stderr).toBe(0);
    expect(await exportOf(env, email, dir)).toEqual(box.groundTruth());
  });
});
