/**
 * `mailmirror emulator`: runs the Gmail emulator on its own until SIGINT/SIGTERM (`--help` lists the options, from
 * the same table the arguments are parsed with).
 */
import { parseArgs as parseNodeArgs } from 'node:util';
import { isQuotaProfileName } from '../shared/gmail-quota';
import { startEmulator } from './emulator';
import type { EmulatorOptions, FaultKind } from './types';

export type CliIo = {
  stdout?: (s: string) => void;
  stderr?: (s: string) => void;
  /** Stops the emulator when aborted (tests); SIGINT/SIGTERM always do. */
  signal?: AbortSignal;
};

const OPTIONS = {
  port: { type: 'string' },
  messages: { type: 'string' },
  account: { type: 'string', multiple: true },
  seed: { type: 'string' },
  'quota-profile': { type: 'string' },
  'quota-scale': { type: 'string' },
  'quota-window-ms': { type: 'string' },
  'max-concurrent': { type: 'string' },
  'error-style': { type: 'string' },
  latency: { type: 'string' },
  'fault-rate': { type: 'string' },
  'fault-kinds': { type: 'string' },
  'thread-size': { type: 'string' },
  'client-id': { type: 'string' },
  'client-secret': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

const FAULT_KINDS = ['500', '503', 'reset', '429', 'slow'];

/** Each option's value and what it does, for the usage text: one entry per option (the type holds them together). */
const HELP: { [K in keyof typeof OPTIONS]: [value: string, what: string] } = {
  port: ['N', 'listen on 127.0.0.1:N (default 0: any free port)'],
  messages: ['N', 'messages per mailbox (default 2000)'],
  account: ['EMAIL', 'a mailbox to serve; repeat for more (default demo@example.com)'],
  seed: ['N', 'seed of the mailboxes (+1 for each further account) and of the faults (default 1)'],
  'quota-profile': ['2026|legacy', "Gmail's per-user quota (default 2026); any quota option turns quota on"],
  'quota-scale': ['S', 'multiply the per-user budget by S; 0: no unit budget (default 1)'],
  'quota-window-ms': ['MS', 'the short moving window (default 1000; 0: the minute only)'],
  'max-concurrent': ['N', 'concurrent requests per user (default 10)'],
  'error-style': ['429|403|mixed', 'how an exceeded quota is answered (default 429)'],
  latency: ['MIN-MAX', 'added latency per request, in milliseconds'],
  'fault-rate': ['R', 'share of requests answered with a fault, 0 to 1 (default 0)'],
  'fault-kinds': [FAULT_KINDS.join(','), 'the faults --fault-rate draws from (default 500,503,reset)'],
  'thread-size': ['N', 'average messages per thread (default 2.5)'],
  'client-id': ['ID', 'OAuth client id the emulator accepts'],
  'client-secret': ['SECRET', 'OAuth client secret the emulator accepts'],
  help: ['', 'this text'],
};

const USAGE = [
  'usage: mailmirror emulator [options]',
  '',
  ...Object.entries(HELP).map(([name, [value, what]]) => {
    const flag = `${name === 'help' ? '-h, ' : ''}--${name}${value ? ` ${value}` : ''}`;
    return `  ${flag.padEnd(42)} ${what}`;
  }),
].join('\n');

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
  const { values: v } = parseNodeArgs({ args: argv, options: OPTIONS, strict: true, allowPositionals: false });
  const opt = (name: keyof typeof OPTIONS, min = 0): number | undefined => {
    const value = v[name];
    return value === undefined ? undefined : num(`--${name}`, String(value), min);
  };
  const floor = (n: number | undefined): number | undefined => (n === undefined ? undefined : Math.floor(n));
  const opts: EmulatorOptions = {};
  const port = opt('port');
  const seed = floor(opt('seed'));
  if (port !== undefined) opts.port = port;
  if (seed !== undefined) opts.seed = seed;
  for (const a of v.account ?? []) if (!a.includes('@')) throw new CliArgError(`--account needs an email address, got ${a || 'nothing'}`);
  const profile = v['quota-profile'];
  if (profile !== undefined && !isQuotaProfileName(profile)) throw new CliArgError(`--quota-profile must be 2026 or legacy, got ${profile || 'nothing'}`);
  const scale = opt('quota-scale');
  const quotaWindowMs = floor(opt('quota-window-ms'));
  const maxConcurrent = floor(opt('max-concurrent', 1));
  const errorStyle = v['error-style'];
  if (errorStyle !== undefined && errorStyle !== '429' && errorStyle !== '403' && errorStyle !== 'mixed') {
    throw new CliArgError(`--error-style must be 429, 403 or mixed`);
  }
  if (v.latency !== undefined) {
    const m = /^(\d+(?:\.\d+)?)(?:-(\d+(?:\.\d+)?))?$/.exec(v.latency);
    if (!m) throw new CliArgError(`--latency needs MIN-MAX milliseconds, got ${v.latency || 'nothing'}`);
    const min = Number(m[1]);
    const max = m[2] !== undefined ? Number(m[2]) : min;
    if (max < min) throw new CliArgError('--latency MIN must not exceed MAX');
    opts.latencyMs = { min, max };
  }
  const faultRate = opt('fault-rate');
  if (faultRate !== undefined && faultRate > 1) throw new CliArgError('--fault-rate is a probability between 0 and 1');
  let faultKinds: FaultKind[] | undefined;
  if (v['fault-kinds'] !== undefined) {
    const ks = v['fault-kinds'].split(',').filter(Boolean);
    for (const k of ks) if (!FAULT_KINDS.includes(k)) throw new CliArgError(`unknown fault kind ${k}`);
    faultKinds = ks as FaultKind[];
  }
  if (v['client-id'] !== undefined) opts.clientId = v['client-id'];
  if (v['client-secret'] !== undefined) opts.clientSecret = v['client-secret'];
  if (profile !== undefined || scale !== undefined || maxConcurrent !== undefined || quotaWindowMs !== undefined) {
    opts.quota = {
      profile: isQuotaProfileName(profile) ? profile : '2026',
      scale: scale ?? 1,
      maxConcurrent,
      errorStyle,
      windowMs: quotaWindowMs,
    };
  }
  if (faultRate !== undefined && faultRate > 0) opts.faults = { rate: faultRate, seed: opts.seed ?? 1, kinds: faultKinds };
  const accounts = v.account ?? [];
  return {
    opts,
    accounts: accounts.length ? accounts : ['demo@example.com'],
    messages: floor(opt('messages')) ?? 2000,
    threadSize: opt('thread-size', 1),
    help: v.help === true,
  };
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
