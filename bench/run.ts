/**
 * `npm run bench`: measures the real sync pipeline against the Gmail emulator (issue 8) and writes
 * bench/results/<ISO date>.json and bench/results/latest.md.
 *
 *   npm run bench                                   every regime (the 100k one unless --no-100k)
 *   npm run bench -- --only cpu,units               some regimes: quota-2026, quota-legacy (or quota),
 *                                                   cpu, cpu-100k, units, first-use, incremental
 *   npm run bench -- --no-100k                      skip the 100k-message run (also MAILMIRROR_BENCH_100K=0)
 *   npm run bench -- --quick                        smaller mailboxes (a smoke test of the harness itself)
 *
 * Every regime runs the emulator in its own process (`mailmirror emulator`, so its CPU is not charged to the
 * sync) and the app as a user would: `mailmirror account add` (OAuth against the emulator) and then
 * `mailmirror sync --wait`, a separate process with its own embedded redis-server, workers, quota governor and
 * SQLite file. The bench only reads that file (read-only) and the emulator's control API (/__emulator/stats:
 * units charged, 429/403 sent, requests per method). The bare fetch loop of the CPU-bound regime runs in this
 * process with the app's own googleapis client against the same emulator process.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { isDeepStrictEqual } from 'node:util';
import Database from 'better-sqlite3';
import { CodeChallengeMethod, OAuth2Client } from 'google-auth-library';
import { createGmailClient } from '../src/main/gmail/client';
import { batchGet, RECOMMENDED_BATCH_PARTS } from '../src/main/gmail/batch';
import { QUOTA_PROFILES, type QuotaProfileName } from '../src/shared/gmail-quota';

// ------------------------------------------------------------------------------------------ setup

const REGIMES = ['quota-2026', 'quota-legacy', 'cpu', 'cpu-100k', 'units', 'first-use', 'incremental'] as const;
type Regime = (typeof REGIMES)[number];

// The command a user runs (bin/mailmirror.js next to the dist/ folder this file was compiled into): it exits as
// soon as the command returns, where idle keep-alive sockets would keep a bare `node cli.js` alive for seconds.
const CLI = join(__dirname, '..', '..', 'bin', 'mailmirror.js');

function findRoot(from: string): string {
  let dir = from;
  for (;;) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'mailmirror') return dir;
    const up = dirname(dir);
    if (up === dir) return process.cwd();
    dir = up;
  }
}
const ROOT = findRoot(__dirname);

type Options = { only: Set<Regime>; quick: boolean; keep: boolean };

function parseOptions(argv: string[]): Options {
  let only = new Set<Regime>(REGIMES);
  let quick = false;
  let keep = false;
  let big = process.env.MAILMIRROR_BENCH_100K !== '0';
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--only' || a.startsWith('--only=')) {
      const v = a.includes('=') ? a.slice(7) : (argv[++i] ?? '');
      only = new Set<Regime>();
      for (const name of v.split(',').map((s) => s.trim()).filter(Boolean)) {
        if (name === 'quota') {
          only.add('quota-2026');
          only.add('quota-legacy');
        } else if (name === 'big' || name === '100k') only.add('cpu-100k');
        else if ((REGIMES as readonly string[]).includes(name)) only.add(name as Regime);
        else throw new Error(`unknown regime "${name}" (one of: quota, ${REGIMES.join(', ')})`);
      }
      if (only.has('cpu-100k')) big = true;
    } else if (a === '--no-100k') big = false;
    else if (a === '--100k') big = true;
    else if (a === '--quick') quick = true;
    else if (a === '--keep') keep = true;
    else throw new Error(`unknown option ${a}`);
  }
  if (!big) only.delete('cpu-100k');
  return { only, quick, keep };
}

const log = (s: string): void => void process.stderr.write(`[bench] ${s}\n`);
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const fmt = (n: number, digits = 0): string =>
  Number.isFinite(n) ? n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits }) : '–';

// ------------------------------------------------------------------------------------------ processes

/** CPU seconds (user + system) and peak RSS of a live process, from /proc (Linux). */
function procSample(pid: number | undefined): { cpuS: number; hwmKb: number } | null {
  if (!pid) return null;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const hwm = /VmHWM:\s+(\d+) kB/.exec(status);
    return { cpuS: (Number(stat[11]) + Number(stat[12])) / 100, hwmKb: hwm ? Number(hwm[1]) : 0 };
  } catch {
    return null;
  }
}

type Emu = {
  proc: ChildProcess;
  url: string;
  gmailApiUrl: string;
  authUrl: string;
  tokenUrl: string;
  revokeUrl: string;
  clientId: string;
  clientSecret: string;
};

type EmuStats = {
  requests: Record<string, number>;
  totalRequests: number;
  unitsCharged: number;
  sent429: number;
  sent403: number;
  /** Of those: the per-user quota (minute or second window), and the concurrency cap. */
  quota429: number;
  quota403: number;
  concurrency429: number;
  maxConcurrency: number;
  maxDetailFetches: number;
};

type GroundTruth = {
  historyId: string;
  labels: unknown[];
  messages: Array<{ id: string; threadId: string; labelIds: string[]; internalDate: string; subject: string }>;
};

const children = new Set<ChildProcess>();

function track(p: ChildProcess): ChildProcess {
  children.add(p);
  p.once('exit', () => children.delete(p));
  return p;
}

async function startEmulator(args: string[]): Promise<Emu> {
  const proc = track(spawn(process.execPath, [CLI, 'emulator', '--port', '0', ...args], { stdio: ['ignore', 'pipe', 'inherit'] }));
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
    authUrl: got['oauth auth url'],
    tokenUrl: got['oauth token url'],
    revokeUrl: got['oauth revoke url'],
    clientId: got['client id'],
    clientSecret: got['client secret'],
  };
}

async function stopProc(p: ChildProcess): Promise<void> {
  if (p.exitCode !== null || p.signalCode !== null) return;
  const exited = new Promise<void>((r) => p.once('exit', () => r()));
  p.kill('SIGTERM');
  const t = setTimeout(() => p.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(t);
}

async function ctl<T>(emu: Emu, method: string, path: string, body?: unknown): Promise<T> {
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

const emuStats = (emu: Emu): Promise<EmuStats> => ctl<EmuStats>(emu, 'GET', 'stats');
const resetStats = (emu: Emu): Promise<unknown> => ctl(emu, 'POST', 'stats/reset');
const groundTruth = (emu: Emu, email: string): Promise<GroundTruth> => ctl<GroundTruth>(emu, 'GET', `accounts/${encodeURIComponent(email)}/ground-truth`);

type Env = Record<string, string>;

function appEnv(emu: Emu, dataDir: string, extra: Env = {}): Env {
  return {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? tmpdir(),
    MAILMIRROR_DATA_DIR: dataDir,
    MAILMIRROR_GMAIL_API_URL: emu.gmailApiUrl,
    MAILMIRROR_OAUTH_AUTH_URL: emu.authUrl,
    MAILMIRROR_OAUTH_TOKEN_URL: emu.tokenUrl,
    MAILMIRROR_OAUTH_REVOKE_URL: emu.revokeUrl,
    MAILMIRROR_CLIENT_ID: emu.clientId,
    MAILMIRROR_CLIENT_SECRET: emu.clientSecret,
    MAILMIRROR_QUOTA_SCALE: '0',
    ...extra,
  };
}

type CliRun = {
  proc: ChildProcess;
  startedAt: number;
  /** Resolves when the process has exited, with what it printed and what /proc said about it while alive. */
  done: Promise<{ code: number | null; wallMs: number; stdout: string; stderr: string; cpuS: number; hwmMb: number }>;
};

function runCli(args: string[], env: Env, nodeArgs: string[] = []): CliRun {
  const startedAt = performance.now();
  const proc = track(spawn(process.execPath, [...nodeArgs, CLI, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] }));
  let stdout = '';
  let stderr = '';
  proc.stdout?.on('data', (d: Buffer) => {
    stdout = (stdout + d.toString()).slice(-20_000);
  });
  proc.stderr?.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-20_000);
  });
  // The largest values seen: an exiting process (a zombie) still has CPU times but no memory lines any more.
  const last = { cpuS: 0, hwmKb: 0 };
  const poll = setInterval(() => {
    const s = procSample(proc.pid);
    if (!s) return;
    last.cpuS = Math.max(last.cpuS, s.cpuS);
    last.hwmKb = Math.max(last.hwmKb, s.hwmKb);
  }, 100);
  const done = new Promise<{ code: number | null; wallMs: number; stdout: string; stderr: string; cpuS: number; hwmMb: number }>((res) => {
    proc.once('exit', (code) => {
      clearInterval(poll);
      res({ code, wallMs: performance.now() - startedAt, stdout, stderr, cpuS: last.cpuS, hwmMb: last.hwmKb / 1024 });
    });
  });
  return { proc, startedAt, done };
}

/** `account add --no-browser`, consent given by fetching the printed URL (the emulator consents at once). */
async function connect(emu: Emu, env: Env, email: string): Promise<void> {
  await ctl(emu, 'POST', 'consent', { email });
  const run = runCli(['account', 'add', '--no-browser'], env);
  let out = '';
  const url = await new Promise<string>((res, rej) => {
    run.proc.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /^Open this URL to connect: (\S+)\r?\n/m.exec(out);
      if (m) res(m[1]);
    });
    void run.done.then((r) => rej(new Error(`account add exited ${r.code}: ${r.stderr}`)));
  });
  await (await fetch(url)).arrayBuffer();
  const r = await run.done;
  if (r.code !== 0) throw new Error(`account add failed: ${r.stderr}`);
}

async function syncWait(env: Env): Promise<Awaited<CliRun['done']>> {
  // MAILMIRROR_BENCH_SYNC_NODE_ARGS (e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`) profiles the sync process alone.
  const nodeArgs = (process.env.MAILMIRROR_BENCH_SYNC_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const r = await runCli(['sync', '--wait'], env, nodeArgs).done;
  if (r.code !== 0) throw new Error(`sync --wait exited ${r.code}: ${r.stderr}\n${r.stdout.slice(-2000)}`);
  return r;
}

/** Whether the mirror equals the emulator's ground truth (`export --format json`, the CLI's own check). */
async function mirrorExact(emu: Emu, env: Env, email: string, dir: string): Promise<boolean> {
  const out = join(dir, 'export.json');
  const r = await runCli(['export', '--account', email, '--format', 'json', '--out', out], env).done;
  if (r.code !== 0) throw new Error(`export failed: ${r.stderr}`);
  const mine = JSON.parse(readFileSync(out, 'utf8')) as unknown;
  rmSync(out, { force: true });
  return isDeepStrictEqual(mine, await groundTruth(emu, email));
}

// ------------------------------------------------------------------------------------------ store (read-only)

function openStore(dataDir: string): Database.Database | null {
  const file = join(dataDir, 'mailmirror.db');
  if (!existsSync(file)) return null;
  try {
    const db = new Database(file, { readonly: true, fileMustExist: true });
    db.pragma('busy_timeout = 2000');
    return db;
  } catch {
    return null;
  }
}

type RunTimes = { startedAt: number; finishedAt: number; listed: number };

function lastRun(dataDir: string): RunTimes {
  const db = openStore(dataDir);
  if (!db) throw new Error('no store');
  try {
    const r = db
      .prepare(
        `SELECT started_at AS startedAt, finished_at AS finishedAt, listed_count AS listed FROM sync_runs
          WHERE type IN ('initial', 'full') ORDER BY id DESC LIMIT 1`,
      )
      .get() as RunTimes | undefined;
    if (!r) throw new Error('no sync run in the store');
    return r;
  } finally {
    db.close();
  }
}

// ------------------------------------------------------------------------------------------ units

/**
 * Units per message of the cheapest way to fetch this mailbox, knowing every thread's size in advance: each
 * thread by threads.get or by one messages.get per message, whichever costs less, plus one messages.list pass.
 */
function idealUnitsPerMessage(truth: GroundTruth, profile: QuotaProfileName): number {
  const c = QUOTA_PROFILES[profile].costs;
  const sizes = new Map<string, number>();
  for (const m of truth.messages) sizes.set(m.threadId, (sizes.get(m.threadId) ?? 0) + 1);
  let units = Math.ceil(truth.messages.length / 500) * c['messages.list'];
  for (const n of sizes.values()) units += Math.min(c['threads.get'], n * c['messages.get']);
  return units / truth.messages.length;
}

// ------------------------------------------------------------------------------------------ regimes

type Row = { regime: string; setting: string; result: string; target: string; met: boolean | null };
type Results = { rows: Row[]; data: Record<string, unknown> };

const LATENCY = '20-50';
const BENCH_EMAIL = 'bench@example.com';

function tmp(prefix: string, dirs: string[]): string {
  const d = mkdtempSync(join(tmpdir(), prefix));
  dirs.push(d);
  return d;
}

async function quotaBound(profile: QuotaProfileName, opts: Options, dirs: string[], out: Results): Promise<void> {
  const messages = opts.quick ? 2000 : 10_000;
  const targetSeconds = opts.quick ? 15 : 60;
  log(`quota-bound ${profile}: ${messages} messages, latency ${LATENCY} ms`);
  const emu = await startEmulator(['--messages', String(messages), '--account', BENCH_EMAIL, '--seed', '31', '--latency', LATENCY]);
  try {
    const truth = await groundTruth(emu, BENCH_EMAIL);
    const ideal = idealUnitsPerMessage(truth, profile);
    const perMinute = QUOTA_PROFILES[profile].unitsPerMinute;
    // The budget such that a sync at 0.95 of the ceiling takes about targetSeconds.
    const scale = Math.round(((messages * ideal) / (perMinute * 0.95 * (targetSeconds / 60))) * 100) / 100;
    const budgetPerMinute = perMinute * scale;
    const ceiling = budgetPerMinute / 60 / ideal;
    await ctl(emu, 'PUT', 'quota', { profile, scale, maxConcurrent: 10 });
    const dir = tmp('mm-bench-quota-', dirs);
    const env = appEnv(emu, dir, { MAILMIRROR_QUOTA_PROFILE: profile, MAILMIRROR_QUOTA_SCALE: String(scale) });
    await connect(emu, env, BENCH_EMAIL);
    await resetStats(emu);
    const r = await syncWait(env);
    const stats = await emuStats(emu);
    const run = lastRun(dir);
    const seconds = (run.finishedAt - run.startedAt) / 1000;
    const rate = truth.messages.length / seconds;
    const ratio = rate / ceiling;
    const errors = stats.sent429 + stats.sent403;
    const exact = await mirrorExact(emu, env, BENCH_EMAIL, dir);
    out.data[`quota-${profile}`] = {
      messages: truth.messages.length, scale, budgetPerMinute, idealUnitsPerMessage: ideal, ceilingMessagesPerSecond: ceiling,
      seconds, messagesPerSecond: rate, ratio, sent429: stats.sent429, sent403: stats.sent403,
      quota429: stats.quota429, quota403: stats.quota403, concurrency429: stats.concurrency429,
      unitsCharged: stats.unitsCharged, unitsPerMessage: stats.unitsCharged / truth.messages.length,
      requests: stats.requests, wallSeconds: r.wallMs / 1000, exact,
    };
    out.rows.push({
      regime: `quota-bound, ${profile}`,
      setting: `${fmt(truth.messages.length)} msgs, ${fmt(budgetPerMinute)} units/min (×${scale}) held per minute and per second, ${LATENCY} ms`,
      result: `${fmt(rate, 1)} msg/s = **${fmt(ratio, 3)}** of ceiling ${fmt(ceiling, 1)} msg/s (ideal ${fmt(ideal, 2)} u/msg; spent ${fmt(stats.unitsCharged / truth.messages.length, 2)}); ${errors} × 429/403${errors ? ` (quota ${stats.quota429 + stats.quota403}, concurrency ${stats.concurrency429})` : ''}${exact ? '' : '; MIRROR NOT EXACT'}`,
      target: '≥ 0.95, 0 × 429/403',
      met: ratio >= 0.95 && errors === 0 && exact,
    });
  } finally {
    await stopProc(emu.proc);
  }
}

type BareResult = { messages: number; seconds: number; requests: number };

/**
 * What this machine can do at all: list the mailbox, then fetch every message once with the plan the sync's auto
 * strategy aims at (threads.get for threads of two or more, messages.get for the rest), through Gmail's batch
 * endpoint (50 parts a request, the cheapest transport on both ends) or, with `batch: false`, one googleapis request
 * per call; the same in-flight limit as the sync; the answers parsed and discarded.
 */
async function bareLoop(emu: Emu, email: string, inFlight: number, batch = true): Promise<BareResult> {
  await ctl(emu, 'POST', 'consent', { email });
  const auth = new OAuth2Client({
    clientId: emu.clientId,
    clientSecret: emu.clientSecret,
    redirectUri: 'http://127.0.0.1:1/cb',
    endpoints: { oauth2AuthBaseUrl: emu.authUrl, oauth2TokenUrl: emu.tokenUrl, oauth2RevokeUrl: emu.revokeUrl },
  });
  const { codeVerifier, codeChallenge } = await auth.generateCodeVerifierAsync();
  const authUrl = auth.generateAuthUrl({
    access_type: 'offline',
    scope: ['https://www.googleapis.com/auth/gmail.readonly'],
    code_challenge: codeChallenge,
    code_challenge_method: CodeChallengeMethod.S256,
  });
  const res = await fetch(authUrl, { redirect: 'manual' });
  const code = new URL(res.headers.get('location') ?? '').searchParams.get('code') ?? '';
  const { tokens } = await auth.getToken({ code, codeVerifier });
  auth.setCredentials(tokens);
  const gmail = createGmailClient({ rootUrl: emu.gmailApiUrl, auth });

  const t0 = performance.now();
  const threads = new Map<string, string[]>();
  let pageToken: string | undefined;
  let requests = 0;
  do {
    const r = await gmail.users.messages.list({ userId: 'me', maxResults: 500, includeSpamTrash: true, pageToken });
    requests++;
    for (const m of r.data.messages ?? []) {
      const t = threads.get(m.threadId ?? '') ?? [];
      t.push(m.id ?? '');
      threads.set(m.threadId ?? '', t);
    }
    pageToken = r.data.nextPageToken ?? undefined;
  } while (pageToken);
  const paths = [...threads].map(([threadId, ids]) =>
    ids.length >= 2 ? `/gmail/v1/users/me/threads/${threadId}?format=full` : `/gmail/v1/users/me/messages/${ids[0]}?format=full`,
  );
  const per = batch ? RECOMMENDED_BATCH_PARTS : 1;
  let next = 0;
  let messages = 0;
  const count = (body: unknown): void => {
    const b = body as { messages?: unknown[]; id?: string };
    messages += Array.isArray(b.messages) ? b.messages.length : 1;
  };
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (next < paths.length) {
        const chunk = paths.slice(next, next + per);
        next += per;
        requests++;
        if (batch) {
          const parts = await batchGet({ rootUrl: emu.gmailApiUrl, auth, requests: chunk.map((path, i) => ({ id: `p${i}`, path })) });
          for (const p of parts) {
            if (p.status !== 200) throw new Error(`bare loop: part answered ${p.status}`);
            count(p.body);
          }
        } else {
          const path = chunk[0];
          const id = path.split('/')[6].split('?')[0];
          const r = path.includes('/threads/')
            ? await gmail.users.threads.get({ userId: 'me', id, format: 'full' })
            : await gmail.users.messages.get({ userId: 'me', id, format: 'full' });
          count(r.data);
        }
      }
    }),
  );
  return { messages, seconds: (performance.now() - t0) / 1000, requests };
}

type CpuRun = {
  messages: number;
  wallSeconds: number;
  runSeconds: number;
  endToEndRate: number;
  runRate: number;
  hwmMb: number;
  syncCpuS: number;
  emulatorCpuS: number;
  exact: boolean;
};

/** One quota-off, no-latency sync of `email`, timed end to end (process start to exit) and by the store's run. */
async function cpuSync(emu: Emu, email: string, dirs: string[], checkExact: boolean): Promise<CpuRun> {
  const dir = tmp('mm-bench-cpu-', dirs);
  const env = appEnv(emu, dir);
  await connect(emu, env, email);
  const emuCpu0 = procSample(emu.proc.pid)?.cpuS ?? NaN;
  const r = await syncWait(env);
  const emuCpu1 = procSample(emu.proc.pid)?.cpuS ?? NaN;
  const run = lastRun(dir);
  const db = openStore(dir);
  const messages = (db?.prepare('SELECT count(*) AS n FROM messages WHERE details_fetched = 1').get() as { n: number }).n;
  db?.close();
  const runSeconds = (run.finishedAt - run.startedAt) / 1000;
  const exact = checkExact ? await mirrorExact(emu, env, email, dir) : true;
  rmSync(dir, { recursive: true, force: true });
  return {
    messages,
    wallSeconds: r.wallMs / 1000,
    runSeconds,
    endToEndRate: messages / (r.wallMs / 1000),
    runRate: messages / runSeconds,
    hwmMb: r.hwmMb,
    syncCpuS: r.cpuS,
    emulatorCpuS: emuCpu1 - emuCpu0,
    exact,
  };
}

async function cpuBound(opts: Options, dirs: string[], out: Results): Promise<void> {
  const messages = opts.quick ? 5000 : 20_000;
  log(`cpu-bound: ${messages} messages, no quota, no latency`);
  // Three mailboxes of the same shape (seeds differ): a warm-up, one for the bare loop and one for the sync, so
  // neither finds messages the emulator has already rendered.
  const emu = await startEmulator([
    '--messages', String(messages), '--seed', '41',
    '--account', 'warm@example.com', '--account', 'bare@example.com', '--account', 'single@example.com', '--account', BENCH_EMAIL,
  ]);
  try {
    await bareLoop(emu, 'warm@example.com', 8);
    const emuCpu0 = procSample(emu.proc.pid)?.cpuS ?? NaN;
    const bare = await bareLoop(emu, 'bare@example.com', 8);
    const bareEmuCpu = (procSample(emu.proc.pid)?.cpuS ?? NaN) - emuCpu0;
    const bareRate = bare.messages / bare.seconds;
    const single = await bareLoop(emu, 'single@example.com', 8, false);
    const singleRate = single.messages / single.seconds;
    const s = await cpuSync(emu, BENCH_EMAIL, dirs, true);
    const ratio = s.endToEndRate / bareRate;
    out.data.cpu = {
      ...s, bare: { ...bare, rate: bareRate, emulatorCpuS: bareEmuCpu }, bareSingleRequests: { ...single, rate: singleRate },
      ratio, ratioRun: s.runRate / bareRate,
    };
    out.rows.push({
      regime: 'CPU-bound',
      setting: `${fmt(s.messages)} msgs, quota off, no latency`,
      result:
        `${fmt(s.endToEndRate)} msg/s end to end (${fmt(s.wallSeconds, 1)} s incl. start-up; ${fmt(s.runRate)} msg/s listing→last write) = ` +
        `**${fmt(ratio, 2)}** of the bare loop's ${fmt(bareRate)} msg/s (batch endpoint; ${fmt(singleRate)} msg/s one googleapis request per call); peak RSS ${fmt(s.hwmMb)} MB; CPU: sync ${fmt(s.syncCpuS, 1)} s (${fmt((1000 * s.syncCpuS) / s.messages, 2)} ms/msg), emulator ${fmt(s.emulatorCpuS, 1)} s (bare loop: emulator ${fmt(bareEmuCpu, 1)} s)${s.exact ? '' : '; MIRROR NOT EXACT'}`,
      target: '≥ 0.8 of bare, ≥ 1,200 msg/s',
      met: ratio >= 0.8 && s.endToEndRate >= 1200 && s.exact,
    });
  } finally {
    await stopProc(emu.proc);
  }
}

async function cpuBig(opts: Options, dirs: string[], out: Results): Promise<void> {
  const messages = opts.quick ? 20_000 : 100_000;
  log(`cpu-bound at ${messages} messages`);
  const emu = await startEmulator(['--messages', String(messages), '--account', BENCH_EMAIL, '--seed', '43']);
  try {
    const s = await cpuSync(emu, BENCH_EMAIL, dirs, true);
    const small = out.data.cpu as CpuRun | undefined;
    // Linear time: the sync's CPU seconds per message against the 20k run's (wall time on a shared machine moves
    // with the load of other processes far more than CPU time does).
    const cpuLinear = small ? s.syncCpuS / s.messages / (small.syncCpuS / small.messages) : NaN;
    const wallLinear = small ? s.wallSeconds / s.messages / (small.wallSeconds / small.messages) : NaN;
    out.data['cpu-100k'] = { ...s, cpuPerMessageVsSmall: cpuLinear, wallPerMessageVsSmall: wallLinear };
    out.rows.push({
      regime: 'CPU-bound, large',
      setting: `${fmt(s.messages)} msgs, quota off, no latency`,
      result:
        `${fmt(s.endToEndRate)} msg/s end to end (${fmt(s.wallSeconds, 1)} s); sync CPU ${fmt((1000 * s.syncCpuS) / s.messages, 2)} ms/msg` +
        (small ? ` = ${fmt(cpuLinear, 2)}× the ${fmt(small.messages)}-message run's (wall ${fmt(wallLinear, 2)}×)` : '') +
        `; peak RSS **${fmt(s.hwmMb)} MB**${small ? ` (${fmt(small.hwmMb)} MB at ${fmt(small.messages)})` : ''}${s.exact ? '' : '; MIRROR NOT EXACT'}`,
      target: 'linear time, RSS ≤ 400 MB',
      met: s.hwmMb <= 400 && s.exact && (!small || cpuLinear <= 1.2),
    });
  } finally {
    await stopProc(emu.proc);
  }
}

async function unitsPerMessage(opts: Options, dirs: string[], out: Results): Promise<void> {
  const messages = opts.quick ? 1000 : 3000;
  log(`units per message: ${messages}-message mailboxes of 1, 2 and 3 messages per thread`);
  const emu = await startEmulator(['--messages', '10', '--account', 'seed@example.com']);
  const table: Record<string, Record<string, number>> = {};
  try {
    for (const threadSize of [1, 2, 3]) {
      table[threadSize] = {};
      for (const strategy of ['messages', 'threads', 'auto'] as const) {
        const email = `units-${threadSize}-${strategy}@example.com`;
        // The same seed for the three strategies: the same mailbox.
        await ctl(emu, 'POST', 'accounts', { email, spec: { messages, seed: 50 + threadSize, threadSize } });
        const dir = tmp('mm-bench-units-', dirs);
        const env = appEnv(emu, dir, { MAILMIRROR_FETCH_STRATEGY: strategy });
        await connect(emu, env, email);
        await resetStats(emu);
        await syncWait(env);
        const stats = await emuStats(emu);
        const truth = await groundTruth(emu, email);
        table[threadSize][strategy] = stats.unitsCharged / truth.messages.length;
        table[threadSize][`${strategy}Exact`] = (await mirrorExact(emu, env, email, dir)) ? 1 : 0;
        table[threadSize].ideal = idealUnitsPerMessage(truth, '2026');
        table[threadSize].measuredThreadSize = truth.messages.length / new Set(truth.messages.map((m) => m.threadId)).size;
        rmSync(dir, { recursive: true, force: true });
      }
    }
  } finally {
    await stopProc(emu.proc);
  }
  out.data.units = table;
  for (const ts of [1, 2, 3]) {
    const t = table[ts];
    const rel = t.auto / t.messages;
    const exact = t.messagesExact && t.threadsExact && t.autoExact;
    out.rows.push({
      regime: `units/message, ${ts} per thread`,
      setting: `${fmt(messages)} msgs (${fmt(t.measuredThreadSize, 2)} per thread), 2026 costs`,
      result:
        `messages.get ${fmt(t.messages, 2)} · threads.get ${fmt(t.threads, 2)} · auto ${fmt(t.auto, 2)} = **${fmt(rel, 2)}×** messages.get (ideal ${fmt(t.ideal, 2)})` +
        (exact ? '' : '; MIRROR NOT EXACT'),
      target: ts === 3 ? 'auto ≤ 0.75×' : ts === 1 ? 'auto ≤ 1.0×' : '–',
      met: !exact ? false : ts === 3 ? rel <= 0.75 : ts === 1 ? rel <= 1.0 : null,
    });
  }
}

async function firstUse(opts: Options, dirs: string[], out: Results): Promise<void> {
  const messages = opts.quick ? 3000 : 10_000;
  log(`time to first use: ${messages} messages at the real 2026 quota, latency ${LATENCY} ms`);
  const emu = await startEmulator(['--messages', String(messages), '--account', BENCH_EMAIL, '--seed', '61', '--latency', LATENCY, '--quota-profile', '2026', '--quota-scale', '1']);
  try {
    const truth = await groundTruth(emu, BENCH_EMAIL);
    const newestInbox = truth.messages
      .filter((m) => m.labelIds.includes('INBOX'))
      .sort((a, b) => Number(b.internalDate) - Number(a.internalDate) || (a.id < b.id ? 1 : -1))
      .slice(0, 100)
      .map((m) => m.id);
    const dir = tmp('mm-bench-first-', dirs);
    const env = appEnv(emu, dir, { MAILMIRROR_QUOTA_PROFILE: '2026', MAILMIRROR_QUOTA_SCALE: '1' });
    await connect(emu, env, BENCH_EMAIL);
    await resetStats(emu);
    const run = runCli(['sync', '--wait'], env);
    let labelsAt = NaN;
    let inboxAt = NaN;
    let db: Database.Database | null = null;
    const limit = 120_000;
    try {
      while (performance.now() - run.startedAt < limit && Number.isNaN(inboxAt)) {
        await sleep(50);
        db ??= openStore(dir);
        if (!db) continue;
        const now = performance.now() - run.startedAt;
        try {
          if (Number.isNaN(labelsAt)) {
            const r = db.prepare('SELECT label_sync_completed AS done FROM accounts LIMIT 1').get() as { done: number } | undefined;
            if (r?.done) labelsAt = now;
          }
          const ph = newestInbox.map(() => '?').join(',');
          const n = (db.prepare(`SELECT count(*) AS n FROM messages WHERE details_fetched = 1 AND gmail_id IN (${ph})`).get(...newestInbox) as { n: number }).n;
          if (n >= newestInbox.length) inboxAt = now;
        } catch {
          // the schema may not be migrated yet
        }
      }
    } finally {
      db?.close();
      run.proc.kill('SIGINT');
      await run.done;
    }
    const stats = await emuStats(emu);
    out.data['first-use'] = { messages, labelsSeconds: labelsAt / 1000, inbox100Seconds: inboxAt / 1000, sent429: stats.sent429, sent403: stats.sent403, units: stats.unitsCharged, requests: stats.requests };
    out.rows.push({
      regime: 'time to first use',
      setting: `${fmt(messages)} msgs, real 2026 quota (6,000 units/min), ${LATENCY} ms, from \`sync --wait\` start`,
      result: `labels with counts **${fmt(labelsAt / 1000, 1)} s**; newest 100 INBOX messages **${fmt(inboxAt / 1000, 1)} s**; ${stats.sent429 + stats.sent403} × 429/403`,
      target: '≤ 3 s; ≤ 30 s',
      met: labelsAt <= 3000 && inboxAt <= 30_000,
    });
  } finally {
    await stopProc(emu.proc);
  }
}

async function incremental(opts: Options, dirs: string[], out: Results): Promise<void> {
  const messages = opts.quick ? 2000 : 5000;
  const changes = 1000;
  log(`incremental: ${changes} history changes on a synced ${messages}-message mailbox, real 2026 quota, latency ${LATENCY} ms`);
  const emu = await startEmulator(['--messages', String(messages), '--account', BENCH_EMAIL, '--seed', '71']);
  try {
    const dir = tmp('mm-bench-incr-', dirs);
    await connect(emu, appEnv(emu, dir), BENCH_EMAIL);
    await syncWait(appEnv(emu, dir));
    await ctl(emu, 'PUT', 'quota', { profile: '2026', scale: 1, maxConcurrent: 10 });
    await ctl(emu, 'PUT', 'latency', { min: 20, max: 50 });
    const before = await ctl<{ historyId: string }>(emu, 'GET', `accounts/${BENCH_EMAIL}/history-id`);
    await ctl(emu, 'POST', `accounts/${BENCH_EMAIL}/mutations`, { n: changes, seed: 7 });
    await resetStats(emu);
    const env = appEnv(emu, dir, { MAILMIRROR_QUOTA_PROFILE: '2026', MAILMIRROR_QUOTA_SCALE: '1' });
    const r = await syncWait(env);
    const stats = await emuStats(emu);
    await ctl(emu, 'PUT', 'latency', {});
    const exact = await mirrorExact(emu, env, BENCH_EMAIL, dir);
    const fetched = (stats.requests['messages.get'] ?? 0) + (stats.requests['threads.get'] ?? 0);
    out.data.incremental = { changes, historyIdBefore: before.historyId, wallSeconds: r.wallMs / 1000, units: stats.unitsCharged, requests: stats.requests, sent429: stats.sent429, sent403: stats.sent403, quota429: stats.quota429, quota403: stats.quota403, concurrency429: stats.concurrency429, exact };
    out.rows.push({
      regime: 'incremental',
      setting: `${fmt(changes)} random changes on ${fmt(messages)} msgs, real 2026 quota, ${LATENCY} ms`,
      result: `**${fmt(r.wallMs / 1000, 1)} s** (\`sync --wait\` start to exit), **${fmt(stats.unitsCharged)} units** (${fetched} detail fetches, ${stats.requests['history.list'] ?? 0} history pages); ${stats.sent429 + stats.sent403} × 429/403${stats.sent429 + stats.sent403 ? ` (quota ${stats.quota429 + stats.quota403}, concurrency ${stats.concurrency429})` : ''}${exact ? '' : '; MIRROR NOT EXACT'}`,
      target: '–',
      met: exact ? null : false,
    });
  } finally {
    await stopProc(emu.proc);
  }
}

// ------------------------------------------------------------------------------------------ report

function markdown(rows: Row[], meta: Record<string, unknown>): string {
  const lines = [
    `Command: \`${String(meta.command)}\` · ${String(meta.date)} · ${String(meta.machine)} · load average at start ${String(meta.loadStart)}, at end ${String(meta.loadEnd)} · ${fmt(Number(meta.seconds))} s in all`,
    '',
    '| regime | setting | result | target | met |',
    '|---|---|---|---|---|',
    ...rows.map((r) => `| ${r.regime} | ${r.setting} | ${r.result} | ${r.target} | ${r.met === null ? '–' : r.met ? 'yes' : '**no**'} |`),
  ];
  return lines.join('\n') + '\n';
}

async function main(): Promise<void> {
  const opts = parseOptions(process.argv.slice(2));
  if (!existsSync(CLI)) throw new Error(`the CLI is not built (${CLI}): run \`npm run build\``);
  const t0 = performance.now();
  const loadStart = loadavg().map((l) => l.toFixed(1)).join(' ');
  const dirs: string[] = [];
  const results: Results = { rows: [], data: {} };
  const steps: Array<[Regime, () => Promise<void>]> = [
    ['units', () => unitsPerMessage(opts, dirs, results)],
    ['first-use', () => firstUse(opts, dirs, results)],
    ['quota-2026', () => quotaBound('2026', opts, dirs, results)],
    ['quota-legacy', () => quotaBound('legacy', opts, dirs, results)],
    ['cpu', () => cpuBound(opts, dirs, results)],
    ['cpu-100k', () => cpuBig(opts, dirs, results)],
    ['incremental', () => incremental(opts, dirs, results)],
  ];
  try {
    for (const [name, step] of steps) {
      if (!opts.only.has(name)) continue;
      const s0 = performance.now();
      await step();
      log(`${name} done in ${fmt((performance.now() - s0) / 1000, 1)} s: ${results.rows.slice(-1)[0]?.result ?? ''}`);
    }
  } finally {
    for (const c of [...children]) await stopProc(c);
    if (!opts.keep) for (const d of dirs) rmSync(d, { recursive: true, force: true });
  }
  const date = new Date().toISOString();
  const args = process.argv.slice(2);
  const meta = {
    command: `npm run bench${args.length ? ` -- ${args.join(' ')}` : ''}`,
    date,
    machine: `${cpus().length} × ${cpus()[0]?.model.trim() ?? 'cpu'}, ${fmt(totalmem() / 2 ** 30)} GB, Node ${process.version}`,
    loadStart,
    loadEnd: loadavg().map((l) => l.toFixed(1)).join(' '),
    seconds: (performance.now() - t0) / 1000,
  };
  const md = markdown(results.rows, meta);
  process.stdout.write('\n' + md);
  const dir = join(ROOT, 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, `${date.replace(/:/g, '-')}.json`), JSON.stringify({ meta, rows: results.rows, data: results.data }, null, 2) + '\n');
  writeFileSync(join(dir, 'latest.md'), `# Latest benchmark\n\n${md}`);
  log(`wrote ${resolve(dir, 'latest.md')}`);
}

main().catch((e: unknown) => {
  process.stderr.write(`bench failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  for (const c of children) c.kill('SIGKILL');
  process.exitCode = 1;
});
