// Runs the `mailmirror` CLI from source through tsx (`node --import tsx src/main/host/cli-bin.ts`), as a
// child process like a user's shell would, so these tests need no `npm run build` first. The built
// bin/mailmirror.js calls the same main(); test/helpers/cli.ts runs that one.
import { spawn, type ChildProcess } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const ROOT = resolve(__dirname, '..', '..');
const ENTRY = join(ROOT, 'src', 'main', 'host', 'cli-bin.ts');

export type CliResult = { code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string };
export type RunningCli = { proc: ChildProcess; result: Promise<CliResult>; stdout: () => string; stderr: () => string };

export function spawnCliSource(args: string[], env: Record<string, string>): RunningCli {
  const proc = spawn(process.execPath, ['--import', 'tsx', ENTRY, ...args], {
    cwd: ROOT,
    // A clean environment: only what the test gives, so the user's own settings cannot leak in.
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? tmpdir(), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  proc.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const result = new Promise<CliResult>((res) => proc.on('close', (code, signal) => res({ code, signal, stdout: out, stderr: err })));
  return { proc, result, stdout: () => out, stderr: () => err };
}

export async function runCliSource(args: string[], env: Record<string, string>, timeoutMs = 120_000): Promise<CliResult> {
  const run = spawnCliSource(args, env);
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

/** `account add --no-browser`, completed by fetching the printed URL and following its redirects. */
export async function addAccountSource(env: Record<string, string>, extraArgs: string[] = []): Promise<CliResult & { url: string; page: string }> {
  const run = spawnCliSource(['account', 'add', '--no-browser', ...extraArgs], env);
  const url = await waitForConnectUrl(run);
  const r = await fetch(url, { redirect: 'follow' });
  const page = await r.text();
  return { ...(await run.result), url, page };
}
