// Runs the built `mailmirror` CLI as a child process, as a user would (`npm run build` first: the
// test command does it before any test runs).
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Emulator, GroundTruth } from '../../src/emulator';

export const ROOT = resolve(__dirname, '..', '..');
export const BIN = join(ROOT, 'bin', 'mailmirror.js');

export function assertBuilt(): void {
  if (!existsSync(join(ROOT, 'dist', 'src', 'main', 'host', 'cli.js'))) {
    throw new Error('the CLI is not built: run `npm run build` (npm test does it first)');
  }
}

export type CliResult = { code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string };

export type CliEnv = Record<string, string>;

/** The environment that points the CLI at an emulator and a data folder. */
export function emulatorEnv(emu: Emulator, dataDir: string, extra: CliEnv = {}): CliEnv {
  return {
    MAILMIRROR_DATA_DIR: dataDir,
    MAILMIRROR_GMAIL_API_URL: emu.gmailApiUrl,
    MAILMIRROR_OAUTH_AUTH_URL: emu.oauth.authUrl,
    MAILMIRROR_OAUTH_TOKEN_URL: emu.oauth.tokenUrl,
    MAILMIRROR_OAUTH_REVOKE_URL: emu.oauth.revokeUrl,
    MAILMIRROR_CLIENT_ID: emu.clientId,
    MAILMIRROR_CLIENT_SECRET: emu.clientSecret,
    MAILMIRROR_QUOTA_SCALE: '0',
    ...extra,
  };
}

export type RunningCli = { proc: ChildProcess; result: Promise<CliResult>; stdout: () => string; stderr: () => string };

export function spawnCli(args: string[], env: CliEnv): RunningCli {
  const proc = spawn(process.execPath, [BIN, ...args], {
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? tmpdir(), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  proc.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const result = new Promise<CliResult>((res) =>
    proc.on('close', (code, signal) => res({ code, signal, stdout: out, stderr: err })),
  );
  return { proc, result, stdout: () => out, stderr: () => err };
}

/** The URL `mailmirror serve` prints on its one line (`Mailmirror is at <url>`). */
export function servedUrl(serve: RunningCli, timeoutMs = 60_000): Promise<string> {
  return new Promise<string>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`serve printed no URL: ${serve.stdout()} ${serve.stderr()}`)), timeoutMs);
    const look = () => {
      const m = /^Mailmirror is at (\S+)\n/.exec(serve.stdout());
      if (m) {
        clearTimeout(t);
        resolve(m[1]);
      }
    };
    serve.proc.stdout!.on('data', look);
    serve.proc.on('close', () => reject(new Error(`serve exited: ${serve.stderr()}`)));
    look();
  });
}

export async function runCli(args: string[], env: CliEnv, timeoutMs = 240_000): Promise<CliResult> {
  const run = spawnCli(args, env);
  const timer = setTimeout(() => run.proc.kill('SIGKILL'), timeoutMs);
  try {
    return await run.result;
  } finally {
    clearTimeout(timer);
  }
}

/** `account add --no-browser`, completed by fetching the printed URL (the emulator consents at once). */
export async function addAccount(env: CliEnv): Promise<CliResult> {
  const run = spawnCli(['account', 'add', '--no-browser'], env);
  const url = await new Promise<string>((res, rej) => {
    const t = setTimeout(() => rej(new Error(`no URL printed: ${run.stdout()} ${run.stderr()}`)), 30_000);
    const check = () => {
      const m = /^Open this URL to connect: (\S+)$/m.exec(run.stdout());
      if (m) {
        clearTimeout(t);
        res(m[1]);
      }
    };
    run.proc.stdout!.on('data', check);
    run.proc.on('close', () => {
      clearTimeout(t);
      rej(new Error(`account add exited: ${run.stdout()} ${run.stderr()}`));
    });
  });
  const r = await fetch(url, { redirect: 'follow' });
  await r.arrayBuffer();
  return run.result;
}

export function tempDir(prefix = 'mm-test-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** `export --format json` of an account, parsed. */
export async function exportOf(env: CliEnv, email: string, dir: string): Promise<GroundTruth> {
  const out = join(dir, `export-${email}-${Date.now()}.json`);
  const r = await runCli(['export', '--account', email, '--format', 'json', '--out', out], env);
  if (r.code !== 0) throw new Error(`export exited ${r.code}: ${r.stderr}`);
  return JSON.parse(readFileSync(out, 'utf8')) as GroundTruth;
}

/** `sync --wait`, which must end with exit 0. */
export async function syncWait(env: CliEnv, timeoutMs = 300_000): Promise<CliResult> {
  const r = await runCli(['sync', '--wait'], env, timeoutMs);
  if (r.code !== 0) throw new Error(`sync --wait exited ${r.code ?? r.signal}: ${r.stderr}\n${r.stdout.slice(-2000)}`);
  return r;
}

/** Polls until the condition holds (or fails after timeoutMs, naming `what`). */
export async function until(cond: () => boolean | Promise<boolean>, timeoutMs = 60_000, what = 'condition'): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`${what}: not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
