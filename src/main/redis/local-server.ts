// The data folder's own redis-server as its files in <dataDir>/redis describe it: supervisor.json (who runs it,
// where its socket is), owner.lock (who may start one), redis.pid and the socket. How a new one is started
// (spawnPlan) and stopped (stopRedisServer), which live one another process shares (liveOwnerSocket), and what a
// crashed run left (cleanupStale).
import { execFileSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { RedisOptions } from 'ioredis';
import { processAlive } from '../pid-lock';
import { probe } from './redis-probe';

// sun_path is 104 bytes on macOS/BSD and 108 on Linux, NUL included: 100 leaves a margin on both.
const MAX_SOCKET_PATH = 100;
const STOP_GRACE_MS = 10_000;
const KILL_GRACE_MS = 5_000;

/** <dataDir>/redis/supervisor.json: who runs the redis-server of this data folder, and where its socket is. */
export type StateFile = { pid?: number; socket?: string; tempDir?: string; ownerPid?: number; transient?: boolean };

export const STATE_FILE = 'supervisor.json';

/**
 * <dataDir>/redis/owner.lock (a PidLock) holds the pid of the one process that may start (and then owns) the folder's
 * redis-server. Without it, processes started together (twenty `mailmirror sync` at once) each took the others'
 * servers for leftovers of a crash and shut them down under their feet.
 */
export const OWNER_LOCK = 'owner.lock';

export function writeStateFile(dir: string, state: StateFile): void {
  writeFileSync(join(dir, STATE_FILE), JSON.stringify(state), { mode: 0o600 });
}

/** Only ever signal a pid from a stale pid file when it still is a redis-server (pids get reused). */
function looksLikeRedis(pid: number): boolean {
  try {
    if (process.platform === 'linux') return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('redis-server');
    if (process.platform === 'darwin') {
      return execFileSync('ps', ['-p', String(pid), '-o', 'comm='], { encoding: 'utf8' }).includes('redis-server');
    }
  } catch {
    return false;
  }
  return false;
}

async function waitGone(pid: number, ms: number): Promise<boolean> {
  const until = Date.now() + ms;
  while (processAlive(pid)) {
    if (Date.now() > until) return false;
    await sleep(50);
  }
  return true;
}

async function freeTcpPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === 'object' && addr ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

/**
 * The socket of the redis-server another live Mailmirror process supervises for this data folder (and that answers
 * PING), or undefined. A transient owner's is never shared: it stops in a moment.
 */
export async function liveOwnerSocket(dir: string, logger?: (msg: string) => void): Promise<string | undefined> {
  let state: StateFile;
  try {
    state = JSON.parse(readFileSync(join(dir, STATE_FILE), 'utf8')) as StateFile;
  } catch {
    return undefined;
  }
  const { ownerPid, socket } = state;
  // A transient owner stops its server in a moment: never attach to it (wait for the owner lock instead).
  if (state.transient || !ownerPid || ownerPid === process.pid || !processAlive(ownerPid) || !socket) return undefined;
  try {
    const c = await probe({ path: socket }, 1_000);
    const pong = await c.ping().finally(() => c.disconnect());
    if (pong !== 'PONG') return undefined;
  } catch {
    return undefined;
  }
  logger?.(`using the redis-server of Mailmirror process ${ownerPid} on ${socket}`);
  return socket;
}

/** A leftover redis-server from a crashed run (ours: its socket and pid file are in our private folder). */
export async function cleanupStale(dir: string, logger?: (msg: string) => void): Promise<void> {
  const statePath = join(dir, STATE_FILE);
  const pidPath = join(dir, 'redis.pid');
  let state: StateFile = {};
  try {
    state = JSON.parse(readFileSync(statePath, 'utf8')) as StateFile;
  } catch {
    // none, or unreadable: nothing to go on
  }
  const sockets = [...new Set([join(dir, 'redis.sock'), state.socket].filter((s): s is string => !!s))];
  for (const socket of sockets) {
    if (!existsSync(socket)) continue;
    try {
      const c = await probe({ path: socket }, 1_000);
      logger?.(`a redis-server from a previous run still answers on ${socket}: shutting it down`);
      await c.shutdown().catch(() => undefined); // the reply is the connection closing
      c.disconnect();
    } catch {
      // nothing listens: a stale socket file
    }
  }
  const pids = new Set<number>();
  if (state.pid) pids.add(state.pid);
  try {
    const p = Number(readFileSync(pidPath, 'utf8').trim());
    if (Number.isInteger(p) && p > 0) pids.add(p);
  } catch {
    // no pid file
  }
  for (const pid of pids) {
    if (pid === process.pid || !processAlive(pid) || !looksLikeRedis(pid)) continue;
    logger?.(`stopping leftover redis-server pid ${pid}`);
    process.kill(pid, 'SIGTERM');
    if (!(await waitGone(pid, KILL_GRACE_MS))) {
      process.kill(pid, 'SIGKILL');
      await waitGone(pid, KILL_GRACE_MS);
    }
  }
  for (const f of [...sockets, pidPath, statePath]) rmSync(f, { force: true });
  if (state.tempDir && state.tempDir.includes('mm-redis-')) rmSync(state.tempDir, { recursive: true, force: true });
}

/** How a new redis-server for `dir` is started: its arguments and how to reach it. */
export type SpawnPlan = { options: RedisOptions; url: string; args: string[]; socket?: string; tempDir?: string };

export async function spawnPlan(dir: string): Promise<SpawnPlan> {
  const common = ['--dir', dir, '--appendonly', 'yes', '--appendfsync', 'everysec', '--save', '',
    '--maxmemory-policy', 'noeviction', '--daemonize', 'no', '--pidfile', join(dir, 'redis.pid')];
  if (process.platform === 'win32') {
    // Windows builds of Redis have no unix sockets: loopback TCP with a random password instead.
    const port = await freeTcpPort();
    const password = randomBytes(24).toString('hex');
    return {
      options: { host: '127.0.0.1', port, password },
      url: `redis://:${password}@127.0.0.1:${port}`,
      args: ['--port', String(port), '--bind', '127.0.0.1', '--requirepass', password, ...common],
    };
  }
  let socket = join(dir, 'redis.sock');
  let tempDir: string | undefined;
  if (Buffer.byteLength(socket) > MAX_SOCKET_PATH) {
    // A unix socket path longer than sun_path (104 bytes on macOS, 108 on Linux) cannot be bound, and a deep
    // data folder easily exceeds it. The socket then lives in a fresh private (0700, from mkdtemp) temp folder
    // that only this user can enter; the data itself stays in the data folder.
    const base = Buffer.byteLength(tmpdir()) < 60 ? tmpdir() : '/tmp';
    tempDir = mkdtempSync(join(base, 'mm-redis-'));
    chmodSync(tempDir, 0o700);
    socket = join(tempDir, 'redis.sock');
  }
  return {
    options: { path: socket },
    url: `unix://${socket}`,
    args: ['--port', '0', '--unixsocket', socket, '--unixsocketperm', '700', ...common],
    socket,
    tempDir,
  };
}

/**
 * Stops a spawned redis-server: SHUTDOWN (through `options`), then SIGTERM, finally SIGKILL, each after a grace
 * period. Resolves when it has exited.
 */
export async function stopRedisServer(child: ChildProcess, options: RedisOptions, log: (msg: string) => void): Promise<void> {
  const exited = child.exitCode !== null || child.signalCode !== null
    ? Promise.resolve()
    : new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const within = (ms: number): Promise<boolean> => Promise.race([exited.then(() => true), sleep(ms).then(() => false)]);
  try {
    // SHUTDOWN fsyncs the AOF; it is also the only graceful stop on Windows, where SIGTERM kills outright.
    const c = await probe(options, 2_000);
    await c.shutdown().catch(() => undefined);
    c.disconnect();
  } catch {
    // not answering: signals below
  }
  if (await within(STOP_GRACE_MS)) return;
  log('redis-server did not stop after SHUTDOWN: sending SIGTERM');
  child.kill('SIGTERM');
  if (await within(KILL_GRACE_MS)) return;
  log('redis-server did not stop after SIGTERM: sending SIGKILL');
  child.kill('SIGKILL');
  await exited;
}
