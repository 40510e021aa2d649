// The Gmail emulator in its own process (`mailmirror emulator`, so its CPU is not charged to the sync), driven
// through its control API (/__emulator/…), and the CLI pointed at it.
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { isDeepStrictEqual } from 'node:util';
import type { EmulatorStats, GroundTruth } from '../src/emulator';
import { addAccount, BIN, exportOf, type CliEnv, type EmulatorEndpoints } from '../test/helpers/cli';
import { track } from './processes';

export type Emu = EmulatorEndpoints & { proc: ChildProcess; url: string };

export type EmuStats = Pick<
  EmulatorStats,
  'requests' | 'totalRequests' | 'unitsCharged' | 'sent429' | 'sent403' | 'quota429' | 'quota403' | 'concurrency429' | 'maxConcurrency' | 'maxDetailFetches' | 'charges'
>;

export type { GroundTruth };

/** Starts `mailmirror emulator --port 0 …args` and reads its endpoints from what it prints. */
export async function startEmulatorProcess(args: string[]): Promise<Emu> {
  const proc = track(spawn(process.execPath, [BIN, 'emulator', '--port', '0', ...args], { stdio: ['ignore', 'pipe', 'inherit'] }));
  const got: Record<string, string> = {};
  const rl = createInterface({ input: proc.stdout as NodeJS.ReadableStream });
  await new Promise<void>((res, rej) => {
    const onExit = (code: number | null): void => rej(new Error(`emulator exited with ${code}`));
    proc.once('exit', onExit);
    rl.on('line', (line) => {
      const m = /^Gmail emulator at (\S+)$/.exec(line);
      if (m) got.url = m[1];
      const kv = /^(client id|client secret|gmail api root|oauth auth url|oauth token url|oauth revoke url|control api): (\S+)$/.exec(line);
      if (kv) got[kv[1]] = kv[2];
      if (line.startsWith('account: ') && got['control api']) {
        proc.off('exit', onExit);
        res();
      }
    });
  });
  rl.close();
  proc.stdout?.resume();
  return {
    proc,
    url: got.url,
    gmailApiUrl: got['gmail api root'],
    oauth: { authUrl: got['oauth auth url'], tokenUrl: got['oauth token url'], revokeUrl: got['oauth revoke url'] },
    clientId: got['client id'],
    clientSecret: got['client secret'],
  };
}

export async function ctl<T>(emu: Emu, method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(`${emu.url}/__emulator/${path}`, {
    method,
    // The control API takes JSON on every write, bodies or not.
    headers: method === 'GET' ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`emulator ${method} ${path}: ${res.status} ${text}`);
  return JSON.parse(text) as T;
}

export const emuStats = (emu: Emu): Promise<EmuStats> => ctl<EmuStats>(emu, 'GET', 'stats');
export const resetStats = (emu: Emu): Promise<unknown> => ctl(emu, 'POST', 'stats/reset');
export const groundTruth = (emu: Emu, email: string): Promise<GroundTruth> =>
  ctl<GroundTruth>(emu, 'GET', `accounts/${encodeURIComponent(email)}/ground-truth`);

/** `account add --no-browser` as `email` (test/helpers/cli.ts addAccount: the emulator consents at once). */
export async function connect(emu: Emu, env: CliEnv, email: string): Promise<void> {
  await ctl(emu, 'POST', 'consent', { email });
  const r = await addAccount(env);
  if (r.code !== 0) throw new Error(`account add failed: ${r.stderr}`);
}

/** Whether the mirror equals the emulator's ground truth (`export --format json`, the CLI's own check). */
export async function mirrorExact(emu: Emu, env: CliEnv, email: string, dir: string): Promise<boolean> {
  return isDeepStrictEqual(await exportOf(env, email, dir), await groundTruth(emu, email));
}
