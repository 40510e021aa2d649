// Owns the app's Redis: connects to REDIS_URL when given, else runs its own redis-server on a private unix
// socket in the data folder (AOF on), restarts it when it dies, and stops it (and every connection made through
// it) on exit. BullMQ production notes followed here: https://docs.bullmq.io/guide/going-to-production
// The folder's files (state, owner lock, leftovers of a crash, how a server is started) are local-server.ts.
import { spawn, type ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { chmodSync, existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis, type RedisOptions } from 'ioredis';
import { dataDirWriteError, mkdirp } from '../data-dir';
import { PidLock } from '../pid-lock';
import { cannotRunError } from './binary-check';
import { DataDirNotWritableError, RedisStartError } from './errors';
import { checkExternalRedis } from './external-redis';
import { assertRedisVersion, bundledRedisServer, defaultRedisServerCandidates, findRedisServer, redisServerVersion } from './find-redis-server';
import { OWNER_LOCK, STATE_FILE, cleanupStale, liveOwnerSocket, spawnPlan, stopRedisServer, writeStateFile, type SpawnPlan } from './local-server';
import { watchOwner, type OwnerWatchdog } from './owner-watchdog';
import { RedisHealth, isRedisConnectionError, redisHealthChangeLine } from './redis-health';
import { describeRedisOptions, roleOptions, type ConnectionRole } from './redis-options';
import { closeConnection, probe } from './redis-probe';

export type RedisSupervisorEvents = {
  /** redis-server answers PING (first start), or the external Redis was reached. */
  ready: [info: { url: string; pid: number | undefined }];
  /** A redis-server that died was started again and answers PING. */
  restarted: [info: { pid: number; restarts: number }];
  /** redis-server exited; `expected` is true only during stop(). */
  exit: [info: { code: number | null; signal: NodeJS.Signals | null; expected: boolean }];
  /** One restart attempt failed; another follows after a backoff. */
  'restart-failed': [error: Error];
};

export type RedisSupervisorOptions = {
  dataDir: string;
  redisUrl?: string;
  /**
   * Binaries tried before PATH (default: the app-bundled one, then MAILMIRROR_REDIS_SERVER). Given ones also turn
   * off the search of the usual install folders after PATH (defaultFallbackDirs: in the desktop app only).
   */
  binaryCandidates?: string[];
  logger?: (msg: string) => void;
  /** How long a starting redis-server may take to answer PING (AOF loading included). Default 30 s. */
  startTimeoutMs?: number;
  /**
   * This process needs Redis only for a moment (a CLI command that enqueues and exits): the redis-server it starts
   * is not shared with other processes, which wait for it to finish rather than attach to a server about to stop.
   */
  transient?: boolean;
  /** How long to wait for another process that is starting or briefly using this folder's redis-server. Default 120 s. */
  ownerWaitMs?: number;
};

const OUTPUT_LINES = 40;
/** A redis-server that stayed up this long resets the restart backoff. */
const HEALTHY_AFTER_MS = 30_000;

export class RedisSupervisor extends EventEmitter<RedisSupervisorEvents> {
  /** Base connection options (no role): also what worker processes need to reach the same Redis. */
  readonly options: RedisOptions;
  /** REDIS_URL for other processes (unix://… for the spawned server). May hold a password: do not log it. */
  readonly url: string;
  readonly mode: 'spawned' | 'external';

  private readonly log: (msg: string) => void;
  private readonly connections = new Set<Redis>();
  private child: ChildProcess | undefined;
  /** Ends `child` if this process dies without stopping it (see owner-watchdog.ts). */
  private watchdog: OwnerWatchdog | null = null;
  private healthMonitor: RedisHealth | undefined;
  private stopping = false;
  private stopPromise: Promise<void> | undefined;
  private restartTimer: NodeJS.Timeout | undefined;
  private restartPromise: Promise<void> | undefined;
  private restarts = 0;
  /** Set once the first start succeeded: a failed first start is reported, not retried. */
  private supervising = false;
  private failures = 0;
  private startedAt = 0;
  private readonly output: string[] = [];
  private readonly exitHook = (): void => {
    // The app is exiting without stop(): do not leave an orphan redis-server behind (SIGTERM flushes the AOF).
    this.child?.kill('SIGTERM');
    if (this.spawnSpec) PidLock.release(join(this.spawnSpec.dir, OWNER_LOCK));
  };

  private constructor(
    init: { options: RedisOptions; url: string; mode: 'spawned' | 'external' },
    private readonly spawnSpec: { binary: string; args: string[]; dataDir: string; dir: string; socket?: string; tempDir?: string; transient?: boolean } | undefined,
    private readonly startTimeoutMs: number,
    logger: ((msg: string) => void) | undefined,
  ) {
    super();
    this.options = init.options;
    this.url = init.url;
    this.mode = init.mode;
    this.log = logger ?? (() => undefined);
  }

  static async start(opts: RedisSupervisorOptions): Promise<RedisSupervisor> {
    const startTimeoutMs = opts.startTimeoutMs ?? 30_000;
    if (opts.redisUrl) return RedisSupervisor.connectExternal(opts.redisUrl, opts.logger);

    const dir = join(opts.dataDir, 'redis');
    const live = existsSync(dir) ? await RedisSupervisor.attachToLive(dir, opts.logger) : undefined;
    if (live) return live;

    const binary = opts.binaryCandidates
      ? findRedisServer(opts.binaryCandidates, process.env.PATH ?? '', [])
      : findRedisServer(defaultRedisServerCandidates());
    assertRedisVersion(await redisServerVersion(binary), binary);
    try {
      mkdirp(dir);
      chmodSync(dir, 0o700); // also when it already existed with a looser mode
    } catch (e) {
      throw dataDirWriteError(opts.dataDir, e) ?? e;
    }
    const lockFile = join(dir, OWNER_LOCK);
    const waitUntil = Date.now() + (opts.ownerWaitMs ?? 120_000);
    // Another process is starting its redis-server here, or using one for a moment: wait for it, and attach as
    // soon as a long-lived owner (the app, a worker) answers.
    while (!(PidLock.tryAcquire(lockFile) instanceof PidLock)) {
      const shared = await RedisSupervisor.attachToLive(dir, opts.logger);
      if (shared) return shared;
      if (Date.now() > waitUntil) {
        throw new RedisStartError(`another Mailmirror process kept the redis-server of ${opts.dataDir} busy for too long: try again`, []);
      }
      await sleep(100);
    }
    let plan: SpawnPlan;
    try {
      await cleanupStale(dir, opts.logger);
      plan = await spawnPlan(dir);
    } catch (e) {
      PidLock.release(lockFile);
      throw e;
    }
    const { options, url, args, socket, tempDir } = plan;
    const sup = new RedisSupervisor({ options, url, mode: 'spawned' }, { binary, args, dataDir: opts.dataDir, dir, socket, tempDir, transient: opts.transient }, startTimeoutMs, opts.logger);
    process.on('exit', sup.exitHook);
    try {
      await sup.spawnAndWait();
    } catch (e) {
      sup.stopping = true;
      process.off('exit', sup.exitHook);
      // A redis-server that answered but could not be handed over (its state file could not be written: a full
      // disk) must not outlive this failed start. SIGKILL: with its AOF failing it would ignore SIGTERM, and
      // everything it holds is derived from the store anyway.
      const child = sup.child;
      if (child && child.exitCode === null && child.signalCode === null) {
        const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
        child.kill('SIGKILL');
        await gone;
      }
      if (tempDir) rmSync(tempDir, { recursive: true, force: true });
      PidLock.release(lockFile);
      throw e;
    }
    sup.supervising = true;
    // After start() has resolved, so a listener attached right after `await start()` hears it.
    setImmediate(() => sup.emit('ready', { url: sup.url, pid: sup.pid }));
    return sup;
  }

  private static async connectExternal(redisUrl: string, logger?: (msg: string) => void): Promise<RedisSupervisor> {
    const { options, where } = await checkExternalRedis(redisUrl, logger);
    const sup = new RedisSupervisor({ options, url: redisUrl, mode: 'external' }, undefined, 0, logger);
    setImmediate(() => sup.emit('ready', { url: where, pid: undefined }));
    return sup;
  }

  /**
   * Another Mailmirror process (the desktop app while the CLI runs, say) already supervises a redis-server for this
   * data folder: share it rather than kill it. It stays that process's to restart and stop.
   */
  private static async attachToLive(dir: string, logger?: (msg: string) => void): Promise<RedisSupervisor | undefined> {
    const socket = await liveOwnerSocket(dir, logger);
    if (!socket) return undefined;
    const sup = new RedisSupervisor({ options: { path: socket }, url: `unix://${socket}`, mode: 'external' }, undefined, 0, logger);
    setImmediate(() => sup.emit('ready', { url: sup.url, pid: undefined }));
    return sup;
  }

  /** The redis-server's pid (spawned mode, while it runs). */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** Where redis-server's unix socket is (spawned mode on unix). */
  get socketPath(): string | undefined {
    return this.spawnSpec?.socket;
  }

  /**
   * A new ioredis connection set up for `role` (see roleOptions), closed by stop(): BullMQ never closes
   * connections it is given. Use one per Queue/Worker/QueueEvents owner; BullMQ duplicates what it needs.
   */
  connection(role: ConnectionRole): Redis {
    if (this.stopping) throw new Error('the Redis supervisor is stopped');
    const c = new Redis({ ...this.options, ...roleOptions(role) });
    let reported = false;
    c.on('error', (e: Error) => {
      // One line per outage, not one per reconnect attempt; none at all when the health monitor tells outages.
      if (this.healthMonitor && isRedisConnectionError(e)) return;
      if (!reported && !this.stopping) this.log(`redis ${role} connection: ${e.message}`);
      reported = true;
    });
    c.on('ready', () => {
      reported = false;
    });
    c.once('end', () => this.connections.delete(c));
    this.connections.add(c);
    return c;
  }

  /**
   * Watches whether Redis answers (started on first use, stopped by stop()): one log line when an outage starts
   * and one when it ends, and a state the CLI and the UI can show ("Redis is not answering (12 s)…").
   */
  watchHealth(): RedisHealth {
    if (this.stopping) throw new Error('the Redis supervisor is stopped');
    if (!this.healthMonitor) {
      const health = new RedisHealth(this.options).start();
      health.on('change', (state, prev) => {
        const line = redisHealthChangeLine(state, prev);
        if (line) this.log(line);
      });
      this.healthMonitor = health;
    }
    return this.healthMonitor;
  }

  /** Closes every connection made here, then shuts redis-server down (SHUTDOWN, SIGTERM, finally SIGKILL). */
  stop(): Promise<void> {
    this.stopPromise ??= this.doStop();
    return this.stopPromise;
  }

  private async doStop(): Promise<void> {
    this.stopping = true;
    this.healthMonitor?.stop();
    clearTimeout(this.restartTimer);
    await this.restartPromise?.catch(() => undefined);
    await Promise.all([...this.connections].map((c) => closeConnection(c)));
    this.connections.clear();
    const child = this.child;
    if (child) await stopRedisServer(child, this.options, this.log);
    this.disarmWatchdog();
    process.off('exit', this.exitHook);
    if (this.spawnSpec) {
      rmSync(join(this.spawnSpec.dir, STATE_FILE), { force: true });
      if (this.spawnSpec.socket) rmSync(this.spawnSpec.socket, { force: true });
      if (this.spawnSpec.tempDir) rmSync(this.spawnSpec.tempDir, { recursive: true, force: true });
      PidLock.release(join(this.spawnSpec.dir, OWNER_LOCK));
    }
  }

  private async spawnAndWait(): Promise<void> {
    const spec = this.spawnSpec;
    if (!spec) return;
    // redis-server unlinks a leftover socket file itself before binding; the pid file it overwrites.
    const child = spawn(spec.binary, spec.args, { stdio: ['ignore', 'pipe', 'pipe'], windowsHide: true });
    this.child = child;
    this.disarmWatchdog();
    // Armed before the server is even up: an owner killed during the start must not leave it behind either.
    if (child.pid) this.watchdog = watchOwner(child.pid, (msg) => this.log(msg));
    this.startedAt = Date.now();
    const onData = (buf: Buffer): void => {
      for (const line of buf.toString('utf8').split('\n')) {
        const l = line.trim();
        if (!l) continue;
        this.output.push(l);
        if (this.output.length > OUTPUT_LINES) this.output.shift();
        this.log(`redis-server: ${l}`);
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    let spawnError: Error | undefined;
    child.once('error', (e) => {
      spawnError = e;
    });
    child.once('exit', (code, signal) => this.onChildExit(child, code, signal));

    const until = Date.now() + this.startTimeoutMs;
    let lastError: unknown;
    for (;;) {
      if (spawnError) throw cannotRunError(spec.binary, spec.binary === bundledRedisServer(), spawnError);
      if (child.exitCode !== null || child.signalCode !== null) {
        // Its folder on a read-only disk, or not ours: the AOF, pid file or socket could not be created.
        const denied = this.output.find((l) => /Read-only file system|Permission denied/i.test(l));
        if (denied) {
          throw new DataDirNotWritableError(spec.dataDir, /Read-only/i.test(denied) ? 'read-only' : 'permission', `redis-server: ${denied}`);
        }
        throw new RedisStartError(`${spec.binary} exited during start (code ${child.exitCode}, signal ${child.signalCode})`, [...this.output]);
      }
      if (this.stopping) return;
      try {
        const c = await probe(this.options, 1_000);
        try {
          // While it loads the AOF, redis-server answers LOADING errors: not ready yet.
          if ((await c.ping()) === 'PONG') break;
        } finally {
          c.disconnect();
        }
      } catch (e) {
        lastError = e;
      }
      if (Date.now() > until) {
        child.kill('SIGKILL');
        const why = lastError instanceof Error ? lastError.message : String(lastError);
        throw new RedisStartError(`redis-server did not answer PING on ${describeRedisOptions(this.options)} within ${this.startTimeoutMs} ms (${why})`, [...this.output]);
      }
      await sleep(50);
    }
    writeStateFile(spec.dir, { pid: child.pid, socket: spec.socket, tempDir: spec.tempDir, ownerPid: process.pid, transient: spec.transient });
  }

  private onChildExit(child: ChildProcess, code: number | null, signal: NodeJS.Signals | null): void {
    if (child !== this.child) return;
    this.child = undefined;
    // Its pid may be reused from now on: the watchdog must not signal it.
    this.disarmWatchdog();
    const expected = this.stopping || !this.supervising;
    this.emit('exit', { code, signal, expected });
    if (expected) return;
    this.log(`redis-server exited unexpectedly (code ${code}, signal ${signal}): restarting it`);
    this.healthMonitor?.noteRestarting(true);
    this.scheduleRestart();
  }

  private disarmWatchdog(): void {
    this.watchdog?.disarm();
    this.watchdog = null;
  }

  private scheduleRestart(): void {
    if (this.stopping) return;
    if (Date.now() - this.startedAt > HEALTHY_AFTER_MS) this.failures = 0;
    // Bounded exponential backoff: 100 ms, 200 ms, … at most 5 s between attempts, and never giving up: the
    // app cannot work without Redis, and a transient cause (disk full, port clash) may clear.
    const delay = Math.min(100 * 2 ** this.failures, 5_000);
    this.failures++;
    this.restartTimer = setTimeout(() => {
      this.restartPromise = this.restart();
    }, delay);
  }

  private async restart(): Promise<void> {
    if (this.stopping) return;
    try {
      if (this.spawnSpec?.socket) rmSync(this.spawnSpec.socket, { force: true });
      await this.spawnAndWait();
      if (this.stopping || !this.child?.pid) return;
      this.restarts++;
      this.log(`redis-server restarted (pid ${this.child.pid})`);
      this.healthMonitor?.noteRestarting(false);
      this.emit('restarted', { pid: this.child.pid, restarts: this.restarts });
    } catch (e) {
      const err = e instanceof Error ? e : new Error(String(e));
      this.log(`restarting redis-server failed: ${err.message}`);
      this.emit('restart-failed', err);
      // A child that started and then exited (or was killed after the start timeout) schedules the next attempt
      // from its 'exit' event; one that could not even be spawned has no exit event to do it.
      if (this.child && this.child.pid === undefined) {
        this.child = undefined;
        this.scheduleRestart();
      }
    }
  }
}
