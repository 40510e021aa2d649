// Chaos suite, Gmail's side (issue 7): 10% injected faults of every kind (slow answers past the client's
// timeout included), history expiring in the middle of an incremental pass, and the token revoked in the middle
// of a sync. Every scenario ends with the export equal to the emulator's ground truth, no job stuck and the
// store's invariants intact (checkStore).
import { afterAll, beforeAll, describe, expect } from 'vitest';
import type { FaultKind, Mailbox } from '../../src/emulator';
import { addAccount, assertBuilt, runCli, spawnCli, type CliEnv } from '../helpers/cli';
import { mirrorTest } from '../helpers/fixtures';
import {
  exportOf, expectStoreSound, killLeftoverRedis, mismatches, progressOf, publishRows, size, syncRuns, syncWait, until,
  type ChaosRow,
} from './chaos-helpers';

// A SIGKILLed CLI's redis-server must not outlive its data folder (see killLeftoverRedis).
const it = mirrorTest({ tempPrefix: 'mm-chaos-', beforeRemove: killLeftoverRedis });

describe('chaos: Gmail faults, expired history, revoked token', { timeout: 600_000 }, () => {
  const rows: ChaosRow[] = [];

  beforeAll(assertBuilt);
  afterAll(async () => {
    if (rows.length) publishRows('chaos-gmail', rows);
  });

  async function finish(env: CliEnv, dir: string, box: Mailbox): Promise<{ compared: number; mismatches: number }> {
    const truth = box.groundTruth();
    const got = await exportOf(env, box.email, dir);
    const diff = mismatches(got, truth);
    expect(got).toEqual(truth);
    const bad = expectStoreSound(dir, box.email, truth);
    const status = await runCli(['status', '--json'], env);
    expect(status.code, status.stderr).toBe(0);
    expect(status.stdout).not.toMatch(/"phase":\s*"(failed|error|needs_reconnect)"/);
    return { compared: truth.messages.length, mismatches: diff + bad };
  }

  const faultTotal = (f: Record<FaultKind, number>) => Object.values(f).reduce((a, b) => a + b, 0);
  const faultText = (f: Record<FaultKind, number>) =>
    (Object.entries(f) as [FaultKind, number][]).filter(([, n]) => n > 0).map(([k, n]) => `${n}× ${k === 'slow' ? 'slow past timeout' : k}`).join(', ');

  it('10% injected faults (500, 503, 429 with Retry-After, reset sockets, slow past the client timeout)', async ({ emu, connectAccount }) => {
    // A short client timeout, so a 'slow' answer (held back longer than it) is abandoned and retried.
    const { box, dir, env } = await connectAccount('faults10@example.com', { messages: size(300, 3000), seed: 81 }, { extra: { MAILMIRROR_GMAIL_TIMEOUT_MS: '1500' } });
    const kinds: FaultKind[] = ['500', '503', '429', 'reset', 'slow'];
    emu.resetStats();
    emu.setFaults({ rate: 0.1, seed: 0x10, kinds, slowMs: 2500 });
    let runs = 0;
    try {
      // The initial sync, then an incremental pass over random changes, both under the same fault rate.
      await syncWait(env);
      runs++;
      box.randomMutations(size(150, 1000), 81);
      await syncWait(env);
      runs++;
    } finally {
      emu.setFaults(undefined);
    }
    const st = emu.stats();
    for (const k of kinds) expect(st.faults[k], `no ${k} fault was injected`).toBeGreaterThan(0);
    const result = await finish(env, dir, box);
    rows.push({ scenario: '10% injected faults (initial + incremental)', runs, faults: faultTotal(st.faults), faultDetail: faultText(st.faults), ...result });
  });

  it('history expired in the middle of an incremental pass: a reconciling full resync ends equal', async ({ emu, connectAccount }) => {
    const { box, dir, env } = await connectAccount('expiring@example.com', { messages: size(600, 2000), seed: 82 });
    await syncWait(env);
    // Enough changes for several history pages (500 records each), read slowly.
    box.randomMutations(size(1200, 3000), 82);
    const pagesBefore = emu.stats().requests['history.list'] ?? 0;
    emu.setLatency({ min: 150, max: 250 });
    const run = spawnCli(['sync', '--wait'], env);
    let expiredAt: number;
    try {
      // The first page has been answered and the second asked for: expire the history now.
      await until(() => (emu.stats().requests['history.list'] ?? 0) >= pagesBefore + 2 || run.proc.exitCode !== null, 120_000, 'second history page');
      expect(run.proc.exitCode).toBeNull();
      expiredAt = emu.stats().requests['history.list'] ?? 0;
      box.expireHistory();
      // And the mailbox keeps changing while the full resync runs.
      box.randomMutations(size(100, 400), 83);
    } finally {
      emu.setLatency({ min: 0, max: 0 });
    }
    const r = await run.result;
    expect(r.code, `${r.stderr}\n${r.stdout.slice(-1500)}`).toBe(0);
    expect(emu.stats().notFound404).toBeGreaterThan(0);
    const result = await finish(env, dir, box);
    rows.push({
      scenario: 'history expired mid-incremental',
      runs: 2,
      faults: 1,
      faultDetail: `history expired after ${expiredAt - pagesBefore} history.list calls, 404 then full resync`,
      ...result,
    });
  });

  it('token revoked mid-sync: the account is flagged, the sync stops clearly, reconnecting resumes it', async ({ emu, connectAccount }) => {
    const email = 'revoked@example.com';
    const { box, dir, env } = await connectAccount(email, { messages: size(1500, 4000), seed: 84 });
    const progress = progressOf(dir);
    const n = box.messageIds().length;
    emu.setLatency({ min: 20, max: 40 });
    const run = spawnCli(['sync', '--wait'], env);
    let before: number;
    try {
      await until(() => progress().fetched >= 0.3 * n || run.proc.exitCode !== null, 120_000, 'fetching');
      expect(run.proc.exitCode).toBeNull();
      box.revokeTokens();
      before = progress().fetched;
    } finally {
      emu.setLatency({ min: 0, max: 0 });
    }
    const r = await run.result;
    expect(r.signal).toBeNull();
    expect(r.code).not.toBe(0);
    // One clear line, naming the account and what to do, never a token.
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(new RegExp(`^mailmirror: .*${email.replace('.', '\\.')}.*reconnect`, 'i'));
    const listed = await runCli(['account', 'list', '--json'], env);
    expect(JSON.parse(listed.stdout)).toEqual([expect.objectContaining({ email, status: 'needs_reconnect' })]);
    // Its mail is kept, and asking again says the same instead of syncing.
    const after = progress();
    expect(after.fetched).toBeGreaterThanOrEqual(before);
    const again = await runCli(['sync', '--wait'], env);
    expect(again.code).not.toBe(0);
    expect(again.stderr).toMatch(/reconnect/i);

    emu.setConsentAccount(email);
    const re = await addAccount(env);
    expect(re.code, re.stderr).toBe(0);
    await syncWait(env);
    // Resumed, not started over: the run of the initial sync carried on after the reconnect.
    expect(syncRuns(dir)).toBe(1);
    const result = await finish(env, dir, box);
    rows.push({ scenario: 'token revoked mid-sync, then reconnect', runs: 3, faults: 1, faultDetail: `revoked at ${before}/${n} fetched`, ...result });
  });
});
