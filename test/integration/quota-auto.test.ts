// Issue 14: a sync held to Gmail's per-minute and per-second windows draws no rate-limit answer, and with
// MAILMIRROR_QUOTA_PROFILE unset (auto) the app finds out which quota table the account is on and remembers it.
// Real CLI processes (embedded redis-server, SQLite) against the in-process emulator.
import { beforeAll, describe, expect } from 'vitest';
import { startEmulator } from '../../src/emulator';
import type { StatusEntry } from '../../src/main/host/commands/status';
import { addAccount, assertBuilt, emulatorEnv, exportOf, runCli, syncWait, type CliEnv } from '../helpers/cli';
import { mirrorTest } from '../helpers/fixtures';

const it = mirrorTest();

async function status(env: CliEnv): Promise<{ entry: StatusEntry; text: string }> {
  const json = await runCli(['status', '--json'], env);
  expect(json.code, json.stderr).toBe(0);
  const text = await runCli(['status'], env);
  expect(text.code, text.stderr).toBe(0);
  return { entry: (JSON.parse(json.stdout) as StatusEntry[])[0], text: text.stdout };
}

describe('quota tables', () => {
  beforeAll(assertBuilt);

  it('draws no rate-limit answer under the per-second window at 30 ± 20 ms, ≤ 10 requests in flight', async ({ dataDir: dir }) => {
    // The independent check's conditions, on the legacy table scaled 2x (500 units/s: a few seconds of sync).
    const emu = await startEmulator({ quota: { profile: 'legacy', scale: 2, maxConcurrent: 10, windowMs: 1000 }, latencyMs: { min: 10, max: 50 } });
    try {
      const email = 'window@example.com';
      emu.addAccount(email, { messages: 600, seed: 41 });
      const env = emulatorEnv(emu, dir, { MAILMIRROR_QUOTA_PROFILE: 'legacy', MAILMIRROR_QUOTA_SCALE: '2' });
      expect((await addAccount(env)).code).toBe(0);
      emu.resetStats();
      await syncWait(env);
      const s = emu.stats();
      expect(s.sent429 + s.sent403).toBe(0);
      expect(s.maxConcurrency).toBeLessThanOrEqual(10);
      expect(await exportOf(env, email, dir)).toEqual(emu.account(email).groundTruth());
      // Set, not found out: the status says so.
      const { entry, text } = await status(env);
      expect(entry).toMatchObject({ quotaProfile: 'legacy', quotaProfileSource: 'set' });
      expect(text).toContain(`Quota profile of ${email}: legacy (set by MAILMIRROR_QUOTA_PROFILE)`);
    } finally {
      await emu.close();
    }
  });

  it('auto on a legacy project: finds legacy without a rate-limit answer and remembers it', async ({ dataDir: dir }) => {
    // Unscaled: the probe has to spend more than a 2026 project's minute, which takes ~15 s at its pace.
    const emu = await startEmulator({ quota: { profile: 'legacy', scale: 1, maxConcurrent: 10 }, latencyMs: { min: 10, max: 30 } });
    try {
      const email = 'legacy-auto@example.com';
      emu.addAccount(email, { messages: 1100, seed: 42 });
      const env = emulatorEnv(emu, dir, { MAILMIRROR_QUOTA_SCALE: '1' });
      expect((await addAccount(env)).code).toBe(0);
      // Before any sync: nothing found out yet, so the stricter table is assumed.
      expect((await status(env)).entry).toMatchObject({ quotaProfile: '2026', quotaProfileSource: 'assumed' });
      emu.resetStats();
      await syncWait(env);
      const s = emu.stats();
      expect(s.sent429 + s.sent403).toBe(0);
      expect(await exportOf(env, email, dir)).toEqual(emu.account(email).groundTruth());
      const { entry, text } = await status(env);
      expect(entry).toMatchObject({ quotaProfile: 'legacy', quotaProfileSource: 'detected' });
      expect(text).toContain(`Quota profile of ${email}: legacy (detected for this account)`);

      // Remembered: the next pass (another process) is paced as legacy from its first call. Messages that arrived
      // meanwhile are fetched at legacy's costs (5 units a messages.get, not 20), without a probe's refusals.
      emu.resetStats();
      const box = emu.account(email);
      for (let i = 0; i < 5; i++) box.addMessage({ labelIds: ['INBOX'] });
      await syncWait(env);
      expect(emu.stats().sent429 + emu.stats().sent403).toBe(0);
      expect((await status(env)).entry).toMatchObject({ quotaProfile: 'legacy', quotaProfileSource: 'detected' });
      expect(await exportOf(env, email, dir)).toEqual(box.groundTruth());
    } finally {
      await emu.close();
    }
  });

  it('auto on a 2026 project: finds 2026 at the cost of a few rate-limit answers, then none', async ({ dataDir: dir }) => {
    const emu = await startEmulator({ quota: { profile: '2026', scale: 10, maxConcurrent: 10 }, latencyMs: { min: 10, max: 30 } });
    try {
      const email = 'new-auto@example.com';
      emu.addAccount(email, { messages: 700, seed: 43 });
      const env = emulatorEnv(emu, dir, { MAILMIRROR_QUOTA_SCALE: '10' });
      expect((await addAccount(env)).code).toBe(0);
      emu.resetStats();
      await syncWait(env);
      const first = emu.stats();
      expect(first.sent429 + first.sent403).toBeGreaterThan(0);
      expect(first.sent429 + first.sent403).toBeLessThanOrEqual(20);
      expect(await exportOf(env, email, dir)).toEqual(emu.account(email).groundTruth());
      expect((await status(env)).entry).toMatchObject({ quotaProfile: '2026', quotaProfileSource: 'detected' });

      // Remembered: a full resync's worth of new mail later, no probe and no refusal.
      emu.resetStats();
      const box = emu.account(email);
      for (let i = 0; i < 60; i++) box.addMessage({ labelIds: ['INBOX'] });
      await syncWait(env);
      expect(emu.stats().sent429 + emu.stats().sent403).toBe(0);
      expect(await exportOf(env, email, dir)).toEqual(box.groundTruth());
    } finally {
      await emu.close();
    }
  });
});
