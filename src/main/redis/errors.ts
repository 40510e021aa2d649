// Redis failures the UI and CLI show as one clear line each (one class per condition, string `code`).
// They stop the core from starting, so they hardly ever reach the IPC boundary: REDIS_NOT_FOUND crosses it as
// UNAVAILABLE (as it always did), the others as INTERNAL with their message.
import { MailmirrorError } from '../errors';

export const REDIS_INSTALL_HINT =
  'install redis-server: apt-get install redis-server / brew install redis, or set REDIS_URL';

/**
 * No redis-server binary: neither bundled, nor MAILMIRROR_REDIS_SERVER, nor on PATH, nor in the usual install
 * folders. `searched` names each place with why it did not do ("missing", "not executable"). `bundled` is the path
 * a packaged app carries its redis-server at (process.resourcesPath/redis/): without one there the package is damaged.
 */
export class RedisNotFoundError extends MailmirrorError {
  readonly code = 'REDIS_NOT_FOUND';
  readonly ipcCode = 'UNAVAILABLE';
  constructor(readonly searched: string[], readonly bundled?: string) {
    const looked = `looked in: ${searched.join(', ') || 'nowhere'}`;
    super(bundled
      ? `this Mailmirror package is damaged: its own redis-server is missing or unusable at ${bundled} ` +
        `(a packaged app carries one in resources/redis/); reinstall Mailmirror, or ${REDIS_INSTALL_HINT} (${looked})`
      : `redis-server was not found (${looked}); ${REDIS_INSTALL_HINT} ` +
        '(the packaged desktop app carries its own in resources/redis/)');
  }
}

/**
 * A redis-server binary that cannot run here: built for another architecture or system, a damaged file, a missing
 * shared library, no permission to execute, or it exits at once.
 */
export class RedisCannotRunError extends MailmirrorError {
  readonly code = 'REDIS_CANNOT_RUN';
  readonly ipcCode = 'INTERNAL';
  constructor(readonly binary: string, readonly bundled: boolean, readonly reason: string, advice: string) {
    super(`${bundled ? 'the bundled redis-server' : 'the redis-server'} at ${binary} cannot run on this machine (${reason}): ${advice}`);
  }
}

/** The data folder (or the Redis folder inside it) cannot be written: a read-only disk, or no permission. */
export class DataDirNotWritableError extends MailmirrorError {
  readonly code = 'DATA_DIR_NOT_WRITABLE';
  readonly ipcCode = 'INTERNAL';
  constructor(readonly dataDir: string, readonly reason: 'read-only' | 'permission', detail: string, options?: { cause?: unknown }) {
    super(`${reason === 'read-only'
      ? `the data folder ${dataDir} is on a read-only disk`
      : `the data folder ${dataDir} is not writable`} (${detail}); choose another with MAILMIRROR_DATA_DIR (or --data-dir)`, options);
  }
}

/** BullMQ needs Redis 5 or newer (https://docs.bullmq.io/guide/connections). */
export class RedisTooOldError extends MailmirrorError {
  readonly code = 'REDIS_TOO_OLD';
  readonly ipcCode = 'INTERNAL';
  constructor(readonly version: string, where: string) {
    super(`${where} is Redis ${version}, but Mailmirror needs Redis 5 or newer; ${REDIS_INSTALL_HINT}`);
  }
}

/** REDIS_URL given, but nothing answers PING there; `notRedis` says what answers instead, when something does. */
export class RedisUnreachableError extends MailmirrorError {
  readonly code = 'REDIS_UNREACHABLE';
  readonly ipcCode = 'INTERNAL';
  constructor(where: string, cause: unknown, notRedis?: string) {
    const why = cause instanceof Error ? cause.message : String(cause);
    super(notRedis
      ? `cannot reach Redis at ${where}: ${notRedis}; check the host and port in REDIS_URL (${why})`
      : `cannot reach Redis at ${where}: ${why}`, { cause });
  }
}

/** The spawned redis-server exited or never answered PING. `output` holds its last log lines. */
export class RedisStartError extends MailmirrorError {
  readonly code = 'REDIS_START_FAILED';
  readonly ipcCode = 'INTERNAL';
  constructor(message: string, readonly output: string[]) {
    super(output.length > 0 ? `${message}; redis-server said: ${output.slice(-5).join(' | ')}` : message);
  }
}

/** REDIS_URL is not redis://, rediss://, unix:// or an absolute socket path. */
export class RedisUrlError extends MailmirrorError {
  readonly code = 'REDIS_URL_INVALID';
  readonly ipcCode = 'INTERNAL';
  constructor(message: string) {
    super(message);
  }
}
