// What every regime shares: its options, where it puts its rows and data, its temp folders, the mailbox it syncs.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { QUOTA_PROFILES, type QuotaProfileName } from '../src/shared/gmail-quota';
import type { GroundTruth } from './emulator-process';
import type { Options } from './options';
import type { Results } from './report';

export type { Options, Results };

export const LATENCY = '20-50';
export const BENCH_EMAIL = 'bench@example.com';

/** A temp folder, listed in `dirs` for the end of the run (removed unless --keep). */
export function tmp(prefix: string, dirs: string[]): string {
  const d = mkdtempSync(join(tmpdir(), prefix));
  dirs.push(d);
  return d;
}

/**
 * Units per message of the cheapest way to mirror this mailbox with its originals (full copies, the app's default):
 * one messages.list pass and one messages.get (format=raw) per message — threads.get has no raw format, so no thread
 * plan can be cheaper. The quota regimes' ceilings are measured against it.
 */
export function idealUnitsPerMessage(truth: GroundTruth, profile: QuotaProfileName): number {
  const c = QUOTA_PROFILES[profile].costs;
  const n = truth.messages.length;
  return (Math.ceil(n / 500) * c['messages.list'] + n * c['messages.get']) / n;
}

/**
 * Units per message of the cheapest way to fetch this mailbox without originals, knowing every thread's size in
 * advance: each thread by threads.get or by one messages.get per message, whichever costs less, plus one
 * messages.list pass.
 */
export function idealUnitsWithoutOriginals(truth: GroundTruth, profile: QuotaProfileName): number {
  const c = QUOTA_PROFILES[profile].costs;
  const sizes = new Map<string, number>();
  for (const m of truth.messages) sizes.set(m.threadId, (sizes.get(m.threadId) ?? 0) + 1);
  let units = Math.ceil(truth.messages.length / 500) * c['messages.list'];
  for (const n of sizes.values()) units += Math.min(c['threads.get'], n * c['messages.get']);
  return units / truth.messages.length;
}
