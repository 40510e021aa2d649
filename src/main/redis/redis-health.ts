// Is Redis answering? One PING a second on a connection of its own, so that an outage is told once, in words
// ("Redis stopped — restarting", "Redis answers again"), instead of as every connection's reconnect errors, and
// so that a frozen Redis is noticed at all: a redis-server that is stopped (SIGSTOP), stuck on its disk or swapped
// out keeps its sockets open, and to ioredis a silent connection looks healthy forever.
import { EventEmitter } from 'node:events';
import { Redis, type RedisOptions } from 'ioredis';

export type RedisHealthState =
  | { kind: 'ok' }
  /** Refused or dropped; `restarting`: the supervisor saw its redis-server exit and is starting it again. */
  | { kind: 'down'; since: number; reason: string; restarting: boolean }
  /** Connected, but a PING has had no answer since `since`. */
  | { kind: 'silent'; since: number };

export type RedisHealthEvents = {
  /** The state changed kind (ok → down, down → ok, ok → silent, …). */
  change: [state: RedisHealthState, previous: RedisHealthState];
};

export type RedisHealthOptions = {
  /** How often to PING. Default 1 s. */
  intervalMs?: number;
  /** A PING without an answer this long makes Redis "not answering". Default 10 s. */
  silentAfterMs?: number;
};

/** What to tell the user about a state, now (null when all is well). */
export function describeRedisHealth(state: RedisHealthState, now = Date.now()): string | null {
  switch (state.kind) {
    case 'ok':
      return null;
    case 'down':
      return state.restarting ? 'Redis stopped — restarting' : `Redis cannot be reached (${state.reason}) — retrying`;
    case 'silent':
      return `Redis is not answering (${Math.max(0, Math.floor((now - state.since) / 1000))} s)…`;
  }
}

/** The one line an outage's start or end is told with (null for changes not worth a line). */
export function redisHealthChangeLine(state: RedisHealthState, previous: RedisHealthState, now = Date.now()): string | null {
  if (state.kind === 'ok') return previous.kind === 'ok' ? null : 'Redis answers again';
  return describeRedisHealth(state, now);
}

/** Errors that only say the connection is gone (the health monitor tells those, once). */
export function isRedisConnectionError(e: unknown): boolean {
  const code = (e as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && /^(ECONNREFUSED|ECONNRESET|ENOENT|EPIPE|ETIMEDOUT|EHOSTUNREACH|ENETUNREACH|ECONNABORTED)$/.test(code)) return true;
  const msg = e instanceof Error ? e.message : String(e);
  return /Connection is closed|Stream isn't writeable|connect ECONNREFUSED|MaxRetriesPerRequest|Reached the max retries per request/i.test(msg);
}

export class RedisHealth extends EventEmitter<RedisHealthEvents> {
  private conn: Redis | null = null;
  private timer: NodeJS.Timeout | undefined;
  /** When the PING in flight was sent (null: none in flight). */
  private pingSince: number | null = null;
  /** When PINGs started failing (null: the last one was answered). */
  private failingSince: number | null = null;
  private failure = '';
  private lastError: Error | null = null;
  private current: RedisHealthState = { kind: 'ok' };
  private restarting = false;
  private readonly intervalMs: number;
  private readonly silentAfterMs: number;

  constructor(private readonly options: RedisOptions, opts: RedisHealthOptions = {}) {
    super();
    this.intervalMs = opts.intervalMs ?? 1_000;
    this.silentAfterMs = opts.silentAfterMs ?? 10_000;
  }

  get state(): RedisHealthState {
    return this.current;
  }

  /**
   * The user-facing words for the state now: null when Redis answers, or when the outage is younger than
   * `lastingMs` (a restart the supervisor ends in a moment is not worth a note on the progress).
   */
  describe(now = Date.now(), lastingMs = 0): string | null {
    if (this.current.kind !== 'ok' && now - this.current.since < lastingMs) return null;
    return describeRedisHealth(this.current, now);
  }

  start(): this {
    if (this.conn) return this;
    this.conn = new Redis({
      ...this.options,
      connectionName: 'mailmirror-health',
      // Ready as soon as the socket connects: a frozen server then shows as a PING without answer, not as a
      // connection that never becomes ready.
      enableReadyCheck: false,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      connectTimeout: this.silentAfterMs,
      retryStrategy: () => Math.min(this.intervalMs, 500),
    });
    this.conn.on('error', (e: Error) => {
      this.lastError = e;
    });
    // Back (a restarted server): ask at once rather than at the next interval.
    this.conn.on('ready', () => this.tick());
    this.timer = setInterval(() => this.tick(), this.intervalMs);
    this.timer.unref();
    return this;
  }

  /**
   * The supervisor saw its redis-server exit and is starting another (true), or has one answering again (false):
   * told at once, not at the next PING.
   */
  noteRestarting(restarting: boolean): void {
    this.restarting = restarting;
    if (!restarting) {
      this.tick();
      return;
    }
    if (this.current.kind === 'down') this.current = { ...this.current, restarting: true };
    else this.set({ kind: 'down', since: Date.now(), reason: 'stopped', restarting: true });
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    this.conn?.disconnect();
    this.conn = null;
    this.removeAllListeners();
  }

  private tick(): void {
    const conn = this.conn;
    if (!conn) return;
    const now = Date.now();
    if (this.pingSince !== null) {
      if (now - this.pingSince >= this.silentAfterMs && this.current.kind !== 'silent') this.set({ kind: 'silent', since: this.pingSince });
      return;
    }
    // Still making its first connection: nothing to say yet.
    if (!this.lastError && (conn.status === 'wait' || conn.status === 'connecting' || conn.status === 'connect')) return;
    // One failed PING may be a blip (the connection dropping as the supervisor restarts the server, which it
    // reports itself): an outage is PINGs failing for a whole interval.
    if (this.failingSince !== null && now - this.failingSince >= this.intervalMs && this.current.kind !== 'down') {
      this.set({ kind: 'down', since: this.failingSince, reason: this.reason(), restarting: this.restarting });
    }
    const sent = now;
    this.pingSince = sent;
    conn.ping().then(
      () => {
        if (this.conn !== conn) return;
        this.pingSince = null;
        this.failingSince = null;
        this.lastError = null;
        this.restarting = false;
        this.set({ kind: 'ok' });
      },
      (e: unknown) => {
        if (this.conn !== conn) return;
        this.pingSince = null;
        this.failure = e instanceof Error ? e.message : String(e);
        this.failingSince ??= sent;
      },
    );
  }

  /** Why PINGs fail, in a word: the connection's own error code when there is one (ECONNREFUSED, ENOENT). */
  private reason(): string {
    const code = (this.lastError as { code?: unknown } | null)?.code;
    if (typeof code === 'string') return code;
    // ioredis' words for "not connected right now" say nothing more than "down" does.
    return !this.failure || /Stream isn't writeable|Connection is closed/i.test(this.failure) ? 'connection lost' : this.failure;
  }

  /** Emits only when the kind changes: one line when an outage starts, one when it ends. */
  private set(next: RedisHealthState): void {
    const prev = this.current;
    if (prev.kind === next.kind) return;
    this.current = next;
    this.emit('change', next, prev);
  }
}
