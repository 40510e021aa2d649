// Runs the `mailmirror` CLI as a child process, as a user would: the built bin/mailmirror.js (`npm run build`
// first: the test command does it before any test runs) or the source through tsx (test/helpers/cli-source.ts).
// No vitest here: bench/ imports this file too (tsc compiles it to dist/test/helpers/, which no package ships).
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Emulator, GroundTruth } from '../../src/emulator';

/** The checkout: the folder of mailmirror's package.json above this file (from test/helpers or from dist/test/helpers). */
function findRoot(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'mailmirror') return dir;
    if (dirname(dir) === dir) return process.cwd();
  }
}

export const ROOT = findRoot(__dirname);
// The command a user runs: it exits as soon as the command returns, where idle keep-alive sockets would keep a bare
// `node dist/src/main/host/cli.js` alive for seconds.
export const BIN = join(ROOT, 'bin', 'mailmirror.js');
const SOURCE_ENTRY = join(ROOT, 'src', 'main', 'host', 'cli-bin.ts');

export function assertBuilt(): void {
  if (!existsSync(join(ROOT, 'dist', 'src', 'main', 'host', 'cli.js'))) {
    throw new Error('the CLI is not built: run `npm run build` (npm test does it first)');
  }
}

export type CliResult = { code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string };

export type CliEnv = Record<string, string>;

/** What the CLI needs to know of an emulator: an in-process `Emulator`, or one in its own process (bench/). */
export type EmulatorEndpoints = Pick<Emulator, 'gmailApiUrl' | 'clientId' | 'clientSecret'> & {
  oauth: Pick<Emulator['oauth'], 'authUrl' | 'tokenUrl' | 'revokeUrl'>;
};

/** The emulator's Gmail API and OAuth endpoints as the CLI's environment; no OAuth client, no data folder. */
export function emulatorEndpointsEnv(emu: EmulatorEndpoints): CliEnv {
  return {
    MAILMIRROR_GMAIL_API_URL: emu.gmailApiUrl,
    MAILMIRROR_OAUTH_AUTH_URL: emu.oauth.authUrl,
    MAILMIRROR_OAUTH_TOKEN_URL: emu.oauth.tokenUrl,
    MAILMIRROR_OAUTH_REVOKE_URL: emu.oauth.revokeUrl,
  };
}

/**
 * The environment that points the CLI at an emulator and a data folder: its endpoints, its OAuth client, and the
 * app's own quota budget off (the emulator enforces Gmail's when a test asks it to). `extra` wins.
 */
export function emulatorEnv(emu: EmulatorEndpoints, dataDir: string, extra: CliEnv = {}): CliEnv {
  return {
    MAILMIRROR_DATA_DIR: dataDir,
    ...emulatorEndpointsEnv(emu),
    MAILMIRROR_CLIENT_ID: emu.clientId,
    MAILMIRROR_CLIENT_SECRET: emu.clientSecret,
    MAILMIRROR_QUOTA_SCALE: '0',
    ...extra,
  };
}

export type RunningCli = { proc: ChildProcess; result: Promise<CliResult>; stdout: () => string; stderr: () => string };

export type SpawnOptions = {
  /** 'built' (default): bin/mailmirror.js; 'source': src/main/host/cli-bin.ts through tsx, no build needed. */
  from?: 'built' | 'source';
  /** Node's own flags, before the script (e.g. `--cpu-prof`). */
  nodeArgs?: string[];
};

const live = new Set<ChildProcess>();

/** The CLI processes spawned here that have not exited yet (for a last clean-up). */
export function liveClis(): ChildProcess[] {
  return [...live];
}

export function spawnCli(args: string[], env: CliEnv, opts: SpawnOptions = {}): RunningCli {
  const script = opts.from === 'source' ? ['--import', 'tsx', SOURCE_ENTRY] : [BIN];
  const proc = spawn(process.execPath, [...(opts.nodeArgs ?? []), ...script, ...args], {
    ...(opts.from === 'source' ? { cwd: ROOT } : {}),
    // A clean environment: only what the caller gives, so the user's own settings cannot leak in.
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? tmpdir(), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  live.add(proc);
  proc.once('exit', () => live.delete(proc));
  let out = '';
  let err = '';
  proc.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const result = new Promise<CliResult>((res) =>
    proc.on('close', (code, signal) => res({ code, signal, stdout: out, stderr: err })),
  );
  return { proc, result, stdout: () => out, stderr: () => err };
}

/** Ends a long-running command (serve, worker): SIGTERM, SIGKILL if it is still there after graceMs; waits for it. */
export async function stopCli(run: RunningCli | undefined, graceMs = 20_000): Promise<void> {
  if (!run || run.proc.exitCode !== null) return;
  run.proc.kill('SIGTERM');
  const killer = setTimeout(() => run.proc.kill('SIGKILL'), graceMs);
  await run.result;
  clearTimeout(killer);
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

export async function runCli(args: string[], env: CliEnv, timeoutMs = 240_000, opts: SpawnOptions = {}): Promise<CliResult> {
  const run = spawnCli(args, env, opts);
  const timer = setTimeout(() => run.proc.kill('SIGKILL'), timeoutMs);
  try {
    return await run.result;
  } finally {
    clearTimeout(timer);
  }
}

/** Waits for `account add` to print its URL; rejects if it exits first. */
export function waitForConnectUrl(run: RunningCli, timeoutMs = 60_000): Promise<string> {
  return new Promise<string>((res, rej) => {
    const done = (fn: () => void) => {
      clearTimeout(t);
      run.proc.stdout!.off('data', check);
      run.proc.off('close', onClose);
      fn();
    };
    const t = setTimeout(() => done(() => rej(new Error(`no URL printed: ${run.stdout()} ${run.stderr()}`))), timeoutMs);
    const check = () => {
      const m = /^Open this URL to connect: (\S+)$/m.exec(run.stdout());
      if (m) done(() => res(m[1]));
    };
    const onClose = () => done(() => rej(new Error(`account add exited early: ${run.stdout()} ${run.stderr()}`)));
    run.proc.stdout!.on('data', check);
    run.proc.on('close', onClose);
    check();
  });
}

export type AddAccountResult = CliResult & { url: string; page: string };

/**
 * `account add --no-browser`, completed by fetching the printed URL and following its redirects (the emulator
 * consents at once, as the account it was told to). The result carries the URL and the page the browser would show.
 */
export async function addAccount(env: CliEnv, extraArgs: string[] = [], opts: SpawnOptions = {}): Promise<AddAccountResult> {
  const run = spawnCli(['account', 'add', '--no-browser', ...extraArgs], env, opts);
  const url = await waitForConnectUrl(run);
  const r = await fetch(url, { redirect: 'follow' });
  const page = await r.text();
  return { ...(await run.result), url, page };
}

export function tempDir(prefix = 'mm-test-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** `export --format json` of an account, parsed (the file stays in `dir`). */
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
