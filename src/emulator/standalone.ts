/**
 * `mailmirror emulator`: runs the Gmail emulator on its own until SIGINT/SIGTERM.
 *
 *   mailmirror emulator [--port N] [--messages N] [--account EMAIL]... [--seed N]
 *     [--quota-profile 2026|legacy] [--quota-scale S] [--quota-window-ms MS] [--max-concurrent N] [--error-style 429|403|mixed]
 *     [--latency MIN-MAX] [--fault-rate R] [--fault-kinds 500,503,reset,429,slow]
 *     [--thread-size N] [--client-id ID] [--client-secret SECRET]
 */
import { isQuotaProfileName } from '../shared/gmail-quota';
import { startEmulator } from './emulator';
import type { EmulatorOptions, FaultKind } from './types';

export type CliIo = {
  stdout?: (s: string) => void;
  stderr?: (s: string) => void;
  /** Stops the emulator when aborted (tests); SIGINT/SIGTERM always do. */
  signal?: AbortSignal;
};

const USAGE = `usage: mailmirror emulator [--port N] [--messages N] [--account EMAIL] [--seed N]
  [--quota-profile 2026|legacy] [--quota-scale S] [--quota-window-ms MS] [--max-concurrent N] [--error-style 429|403|mixed]
  [--latency MIN-MAX] [--fault-rate R] [--fault-kinds 500,503,reset,429,slow] [--thread-size N]
  [--client-id ID] [--client-secret SECRET]`;

class CliArgError extends Error {
  readonly code = 'BAD_ARGUMENT';
}

type Parsed = { opts: EmulatorOptions; accounts: string[]; messages: number; threadSize?: number; help: boolean };

function num(flag: string, v: string | undefined, min = 0): number {
  const n = Number(v);
  if (v === undefined || v === '' || !Number.isFinite(n) || n < min) throw new CliArgError(`${flag} needs a number${min > 0 ? ` ≥ ${min}` : ''}, got ${v ?? 'nothing'}`);
  return n;
}

function parseArgs(argv: string[]): Parsed {
  const opts: EmulatorOptions = {};
  const accounts: string[] = [];
  let messages = 2000;
  let threadSize: number | undefined;
  let profile: string | undefined;
  let scale: number | undefined;
  let maxConcurrent: number | undefined;
  let quotaWindowMs: number | undefined;
  let errorStyle: string | undefined;
  let faultRate: number | undefined;
  let faultKinds: FaultKind[] | undefined;
  let help = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const eq = a.indexOf('=');
    const flag = a.startsWith('--') && eq > 0 ? a.slice(0, eq) : a;
    const inline = a.startsWith('--') && eq > 0 ? a.slice(eq + 1) : undefined;
    const next = (): string | undefined => inline ?? argv[++i];
    switch (flag) {
      case '-h':
      case '--help':
        help = true;
        break;
      case '--port':
        opts.port = num(flag, next());
        break;
      case '--messages':
        messages = Math.floor(num(flag, next()));
        break;
      case '--account': {
        const v = next();
        if (!v || !v.includes('@')) throw new CliArgError(`--account needs an email address, got ${v ?? 'nothing'}`);
        accounts.push(v);
        break;
      }
      case '--seed':
        opts.seed = Math.floor(num(flag, next()));
        break;
      case '--quota-profile':
        profile = next();
        if (!isQuotaProfileName(profile)) throw new CliArgError(`--quota-profile must be 2026 or legacy, got ${profile ?? 'nothing'}`);
        break;
      case '--quota-scale':
        scale = num(flag, next());
        break;
      case '--quota-window-ms':
        quotaWindowMs = Math.floor(num(flag, next()));
        break;
      case '--max-concurrent':
        maxConcurrent = Math.floor(num(flag, next(), 1));
        break;
      case '--error-style':
        errorStyle = next();
        if (errorStyle !== '429' && errorStyle !== '403' && errorStyle !== 'mixed') throw new CliArgError(`--error-style must be 429, 403 or mixed`);
        break;
      case '--latency': {
        const v = next() ?? '';
        const m = /^(\d+(?:\.\d+)?)(?:-(\d+(?:\.\d+)?))?$/.exec(v);
        if (!m) throw new CliArgError(`--latency needs MIN-MAX milliseconds, got ${v || 'nothing'}`);
        const min = Number(m[1]);
        const max = m[2] !== undefined ? Number(m[2]) : min;
        if (max < min) throw new CliArgError('--latency MIN must not exceed MAX');
        opts.latencyMs = { min, max };
        break;
      }
      case '--fault-rate':
        faultRate = num(flag, next());
        if (faultRate > 1) throw new CliArgError('--fault-rate is a probability between 0 and 1');
        break;
      case '--fault-kinds': {
        const ks = (next() ?? '').split(',').filter(Boolean);
        for (const k of ks) if (!['500', '503', 'reset', '429', 'slow'].includes(k)) throw new CliArgError(`unknown fault kind ${k}`);
        faultKinds = ks as FaultKind[];
        break;
      }
      case '--thread-size':
        threadSize = num(flag, next(), 1);
        break;
      case '--client-id':
        opts.clientId = next();
        break;
      case '--client-secret':
        opts.clientSecret = next();
        break;
      default:
        throw new CliArgError(`unknown option ${a}`);
    }
  }
  if (profile !== undefined || scale !== undefined || maxConcurrent !== undefined || quotaWindowMs !== undefined) {
    opts.quota = {
      profile: isQuotaProfileName(profile) ? profile : '2026',
      scale: scale ?? 1,
      maxConcurrent,
      errorStyle: errorStyle as '429' | '403' | 'mixed' | undefined,
      windowMs: quotaWindowMs,
    };
  }
  if (faultRate !== undefined && faultRate > 0) opts.faults = { rate: faultRate, seed: opts.seed ?? 1, kinds: faultKinds };
  return { opts, accounts: accounts.length ? accounts : ['demo@example.com'], messages, threadSize, help };
}

export async function runEmulatorCli(argv: string[], io: CliIo = {}): Promise<number> {
  const out = io.stdout ?? ((s: string) => void process.stdout.write(s));
  const errOut = io.stderr ?? ((s: string) => void process.stderr.write(s));
  let parsed: Parsed;
  try {
    parsed = parseArgs(argv);
  } catch (e) {
    errOut(`mailmirror emulator: ${e instanceof Error ? e.message : String(e)}\n${USAGE}\n`);
    return 2;
  }
  if (parsed.help) {
    out(USAGE + '\n');
    return 0;
  }
  let emu;
  try {
    emu = await startEmulator(parsed.opts);
  } catch (e) {
    errOut(`mailmirror emulator: cannot listen: ${e instanceof Error ? e.message : String(e)}\n`);
    return 1;
  }
  // Mailboxes first, so the emulator is ready by the time its address is printed.
  const boxes = parsed.accounts.map((email, i) => emu.addAccount(email, { messages: parsed.messages, seed: (parsed.opts.seed ?? 1) + i, threadSize: parsed.threadSize }));
  const lines = [`Gmail emulator at ${emu.url}`, `client id: ${emu.clientId}`, `client secret: ${emu.clientSecret}`, `gmail api root: ${emu.gmailApiUrl}`];
  lines.push(`oauth auth url: ${emu.oauth.authUrl}`, `oauth token url: ${emu.oauth.tokenUrl}`, `oauth revoke url: ${emu.oauth.revokeUrl}`);
  lines.push(`control api: ${emu.url}/__emulator/`);
  for (const box of boxes) lines.push(`account: ${box.email} (${parsed.messages} messages, historyId ${box.historyId()})`);
  out(lines.join('\n') + '\n');
  let stop: () => void = () => undefined;
  await new Promise<void>((resolve) => {
    stop = resolve;
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    io.signal?.addEventListener('abort', stop, { once: true });
    if (io.signal?.aborted) stop();
  });
  process.off('SIGINT', stop);
  process.off('SIGTERM', stop);
  await emu.close();
  return 0;
}
