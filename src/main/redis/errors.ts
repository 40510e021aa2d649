// Redis failures the UI and CLI show as one clear line each (one class per condition, string `code`).

export const REDIS_INSTALL_HINT =
  'install redis-server: apt-get install redis-server / brew install redis, or set REDIS_URL';

/** No redis-server binary: neither bundled, nor MAILMIRROR_REDIS_SERVER, nor on PATH. */
export class RedisNotFoundError extends Error {
  readonly code = 'REDIS_NOT_FOUND';
  constructor(readonly searched: string[]) {
    super(`redis-server was not found (looked in: ${searched.join(', ') || 'nowhere'}); ${REDIS_INSTALL_HINT}`);
    this.name = 'RedisNotFoundError';
  }
}

/** BullMQ needs Redis 5 or newer (https://docs.bullmq.io/guide/connections). */
export class RedisTooOldError extends Error {
  readonly code = 'REDIS_TOO_OLD';
  constructor(readonly version: string, where: string) {
    super(`${where} is Redis ${version}, but Mailmirror needs Redis 5 or newer; ${REDIS_INSTALL_HINT}`);
    this.name = 'RedisTooOldError';
  }
}

/** REDIS_URL given, but nothing answers PING there. */
export class RedisUnreachableError extends Error {
  readonly code = 'REDIS_UNREACHABLE';
  constructor(where: string, cause: unknown) {
    const why = cause instanceof Error ? cause.message : String(cause);
    super(`cannot reach Redis at ${where}: ${why}`, { cause });
    this.name = 'RedisUnreachableError';
  }
}

/** The spawned redis-server exited or never answered PING. `output` holds its last log lines. */
export class RedisStartError extends Error {
  readonly code = 'REDIS_START_FAILED';
  constructor(message: string, readonly output: string[]) {
    super(output.length > 0 ? `${message}; redis-server said: ${output.slice(-5).join(' | ')}` : message);
    this.name = 'RedisStartError';
  }
}

/** REDIS_URL is not redis://, rediss://, unix:// or an absolute socket path. */
export class RedisUrlError extends Error {
  readonly code = 'REDIS_URL_INVALID';
  constructor(message: string) {
    super(message);
    this.name = 'RedisUrlError';
  }
}
