// Security checks of issue 7 that are not about the renderer: after full and incremental syncs through the CLI,
// no OAuth token (refresh or access, each one the token endpoint ever issued) is in clear in any file of the
// data folder (SQLite and its WAL, the redis AOF, logs, exports) or in the CLI's output; the embedded
// redis-server listens on its 0700 unix socket only (no TCP port), and none is started when REDIS_URL is given.
// (test/integration/cli-account.test.ts covers the same right after connecting.)
import { afterAll, beforeAll, describe, expect } from 'vitest';
import { createServer, type Server } from 'node:http';
import { existsSync, readdirSync, readFileSync, readlinkSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { FileKeySecretBox } from '../../src/main/gmail/secret-box';
import { decryptTokens } from '../../src/main/gmail/token-store';
import { assertBuilt, runCli, spawnCli, type CliResult } from '../helpers/cli';
import { mirrorTest } from '../helpers/fixtures';
import { withRawSqlite, storeFileOf } from '../helpers/raw-sqlite';
import { startTestRedis } from '../helpers/redis';

function filesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...filesUnder(p));
    else if (e.isFile()) out.push(p);
  }
  return out;
}

/** A pass-through in front of the emulator's token endpoint that remembers every token it hands out. */
async function recordingTokenProxy(target: string): Promise<{ url: string; tokens: Set<string>; close: () => Promise<void> }> {
  const tokens = new Set<string>();
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const headers: Record<string, string> = {};
      for (const h of ['content-type', 'authorization', 'accept']) {
        const v = req.headers[h];
        if (typeof v === 'string') headers[h] = v;
      }
      void fetch(target, { method: req.method, headers, body: chunks.length ? Buffer.concat(chunks) : undefined })
        .then(async (r) => {
          const text = await r.text();
          try {
            const j = JSON.parse(text) as { access_token?: string; refresh_token?: string };
            if (j.access_token) tokens.add(j.access_token);
            if (j.refresh_token) tokens.add(j.refresh_token);
          } catch {
            /* not JSON: nothing to record */
          }
          res.writeHead(r.status, { 'content-type': r.headers.get('content-type') ?? 'application/json' });
          res.end(text);
        })
        .catch(() => {
          res.writeHead(502);
          res.end();
        });
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  return {
    url: `http://127.0.0.1:${port}/token`,
    tokens,
    close: () => new Promise<void>((r) => {
      server.closeAllConnections();
      server.close(() => r());
    }),
  };
}

/** Inodes of the sockets a process has open (its /proc fd links read `socket:[inode]`). */
function socketLinks(pid: number): Set<string> {
  const out = new Set<string>();
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (m) out.add(m[1]);
    } catch {
      /* closed meanwhile */
    }
  }
  return out;
}

/** Listening TCP sockets (IPv4 and IPv6) of the machine's network namespace, by inode. */
function tcpListenInodes(): Set<string> {
  const out = new Set<string>();
  for (const f of ['/proc/net/tcp', '/proc/net/tcp6']) {
    if (!existsSync(f)) continue;
    for (const line of readFileSync(f, 'utf8').split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      // st 0A = LISTEN; inode is the 10th column
      if (cols.length > 9 && cols[3] === '0A') out.add(cols[9]);
    }
  }
  return out;
}

/** Listening unix sockets by inode → path. */
function unixListeners(): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of readFileSync('/proc/net/unix', 'utf8').split('\n').slice(1)) {
    const cols = line.trim().split(/\s+/);
    // Flags 00010000 = __SO_ACCEPTCON (listening); St 01 = unconnected
    if (cols.length >= 8 && cols[3] === '00010000') out.set(cols[6], cols[7]);
  }
  return out;
}

function redisServersUnder(dataDir: string): number[] {
  const pids: number[] = [];
  for (const e of readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    try {
      const cmd = readFileSync(`/proc/${e}/cmdline`, 'utf8');
      if (cmd.includes('redis-server') && cmd.includes(dataDir)) pids.push(Number(e));
    } catch {
      /* gone */
    }
  }
  return pids;
}

// Short-lived access tokens: google-auth-library refreshes any token within 5 minutes of expiry, so every
// request of the sync runs with a freshly refreshed (and re-encrypted) one.
const it = mirrorTest({ emulator: { accessTokenTtlSec: 60 }, tempPrefix: 'mm-sec-' });

describe('security at rest after a sync', { timeout: 300_000 }, () => {
  const cleanups: (() => void | Promise<void>)[] = [];

  beforeAll(assertBuilt);
  afterAll(async () => {
    for (const c of cleanups.reverse()) await c();
  });

  it('keeps every refresh and access token out of the data folder (store, WAL, redis AOF, logs) and the output', async ({ emu, connectAccount }) => {
    const email = 'tokens@example.com';
    const proxy = await recordingTokenProxy(emu.oauth.tokenUrl);
    cleanups.push(proxy.close);
    const outputs: CliResult[] = [];
    const refreshesBefore = emu.stats().oauth.refreshes;
    const { box, dir, env, add } = await connectAccount(email, { messages: 300, seed: 91 }, {
      extra: { MAILMIRROR_OAUTH_TOKEN_URL: proxy.url, MAILMIRROR_LOG_LEVEL: 'debug' },
    });
    outputs.push(add);
    const first = await runCli(['sync', '--wait'], env);
    expect(first.code, first.stderr).toBe(0);
    outputs.push(first);
    box.randomMutations(100, 91);
    const second = await runCli(['sync', '--wait'], env);
    expect(second.code, second.stderr).toBe(0);
    outputs.push(second);
    for (const args of [['status', '--json'], ['account', 'list', '--json'], ['export', '--account', email, '--format', 'json', '--out', join(dir, 'export.json')]]) {
      const r = await runCli(args, env);
      expect(r.code, r.stderr).toBe(0);
      outputs.push(r);
    }
    expect(emu.stats().oauth.refreshes - refreshesBefore).toBeGreaterThan(1);
    // The proxy saw the code exchange and the refreshes: one refresh token and many access tokens.
    expect(proxy.tokens.size).toBeGreaterThan(2);
    // What the store holds (encrypted) is one of them, so these are the tokens really in use.
    const cipher = withRawSqlite(storeFileOf(dir), (db) =>
      (db.prepare('SELECT token_cipher AS c FROM accounts WHERE email = ?').get(email) as { c: string }).c);
    const stored = decryptTokens(new FileKeySecretBox(dir), cipher);
    expect(proxy.tokens.has(stored.access_token!)).toBe(true);
    expect(proxy.tokens.has(stored.refresh_token!)).toBe(true);

    const files = filesUnder(dir);
    const rel = files.map((f) => f.slice(dir.length + 1));
    // Everything a sync leaves behind is searched, the redis AOF and the logs included.
    expect(rel).toEqual(expect.arrayContaining(['mailmirror.db', 'secret.key', 'export.json', 'logs/mailmirror.log']));
    expect(rel.some((f) => f.startsWith('redis/appendonlydir/'))).toBe(true);
    const contents = files.map((f) => ({ f, bytes: readFileSync(f) }));
    for (const t of proxy.tokens) {
      expect(t.length).toBeGreaterThan(20);
      const needle = Buffer.from(t);
      for (const { f, bytes } of contents) expect(bytes.includes(needle), `${t.slice(0, 8)}… in clear in ${f}`).toBe(false);
      for (const o of outputs) expect(`${o.stdout}\n${o.stderr}`.includes(t), `${t.slice(0, 8)}… in the CLI output`).toBe(false);
    }
  });

  it('runs redis-server on its 0700 unix socket only: no TCP port', async ({ emu, connectAccount }) => {
    const { dir, env } = await connectAccount('socket@example.com', { messages: 800, seed: 92 });
    emu.setLatency({ min: 20, max: 40 });
    const run = spawnCli(['sync', '--wait'], env);
    cleanups.push(() => {
      if (run.proc.exitCode === null) run.proc.kill('SIGKILL');
    });
    let pid: number | undefined;
    try {
      const socket = join(dir, 'redis', 'redis.sock');
      for (let i = 0; i < 600 && !pid; i++) {
        const [p] = redisServersUnder(dir);
        if (p && existsSync(socket) && existsSync(join(dir, 'redis', 'supervisor.json'))) pid = p;
        else await new Promise((r) => setTimeout(r, 50));
      }
      expect(pid, 'the embedded redis-server did not start').toBeDefined();
      expect(run.proc.exitCode).toBeNull();
      // Its sockets: not one listens on TCP (v4 or v6); one listens on the unix socket in the data folder.
      const mine = socketLinks(pid!);
      const tcp = tcpListenInodes();
      expect([...mine].filter((i) => tcp.has(i))).toEqual([]);
      const unix = unixListeners();
      expect([...mine].map((i) => unix.get(i)).filter((p): p is string => !!p)).toEqual([socket]);
      // Only its owner may connect: the socket and its folder are 0700, the data folder too.
      expect(statSync(socket).mode & 0o777).toBe(0o700);
      expect(statSync(join(dir, 'redis')).mode & 0o777).toBe(0o700);
      expect(statSync(dir).mode & 0o777).toBe(0o700);
      const client = new Redis({ path: socket, maxRetriesPerRequest: 1 });
      try {
        expect(await client.config('GET', 'port')).toEqual(['port', '0']);
        expect(await client.config('GET', 'unixsocketperm')).toEqual(['unixsocketperm', '700']);
      } finally {
        client.disconnect();
      }
    } finally {
      emu.setLatency({ min: 0, max: 0 });
    }
    const r = await run.result;
    expect(r.code, r.stderr).toBe(0);
    // Stopped with the process that started it.
    expect(redisServersUnder(dir)).toEqual([]);
  });

  it('starts no redis-server when REDIS_URL is given', async ({ connectAccount }) => {
    const redis = await startTestRedis();
    cleanups.push(() => redis.stop());
    const email = 'external@example.com';
    const { box, dir, env } = await connectAccount(email, { messages: 200, seed: 93 }, { extra: { REDIS_URL: redis.url } });
    const run = spawnCli(['sync', '--wait'], env);
    const seen = new Set<number>();
    while (run.proc.exitCode === null) {
      for (const p of redisServersUnder(dir)) seen.add(p);
      await new Promise((r) => setTimeout(r, 50));
    }
    const r = await run.result;
    expect(r.code, r.stderr).toBe(0);
    expect([...seen]).toEqual([]);
    expect(existsSync(join(dir, 'redis'))).toBe(false);
    const out = await runCli(['export', '--account', email, '--format', 'json', '--out', '-'], env);
    expect(JSON.parse(out.stdout)).toEqual(box.groundTruth());
  });
});
