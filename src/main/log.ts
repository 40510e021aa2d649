// Structured logs (pino) to a file in the data folder, rotated by size at start-up. Never log tokens or
// message bodies: log ids, counts and error codes; error texts go through redactSecrets first.
import pino, { type Logger } from 'pino';
import { mkdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { redactSecrets } from './gmail/redact';

export type { Logger };

const MAX_BYTES = 10 * 1024 * 1024;
const KEEP = 3;

function rotate(file: string): void {
  try {
    if (statSync(file).size < MAX_BYTES) return;
  } catch {
    return;
  }
  rmSync(`${file}.${KEEP}`, { force: true });
  for (let i = KEEP - 1; i >= 1; i--) {
    try {
      renameSync(`${file}.${i}`, `${file}.${i + 1}`);
    } catch {
      /* missing generation */
    }
  }
  renameSync(file, `${file}.1`);
}

export function createLogger(dataDir: string | null, level = process.env.MAILMIRROR_LOG_LEVEL ?? 'info'): Logger {
  const opts = {
    level,
    base: { pid: process.pid },
    redact: { paths: ['*.access_token', '*.refresh_token', '*.token', '*.tokens', '*.authorization'], censor: '[redacted]' },
    formatters: {
      log(obj: Record<string, unknown>) {
        if (typeof obj.err === 'string') obj.err = redactSecrets(obj.err);
        return obj;
      },
    },
  };
  if (!dataDir) return pino({ ...opts, level: 'silent' });
  const dir = join(dataDir, 'logs');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const file = join(dir, 'mailmirror.log');
  rotate(file);
  // Synchronous writes, and write errors swallowed: on a full disk sonic-boom emits 'error' (unhandled, it would
  // crash the app) and, in async mode, its flushSync at exit retries ENOSPC forever (the process never exits).
  // Logs are a few lines per job, so writing them synchronously costs nothing measurable; a line that cannot be
  // written is retried with the next one and dropped at exit.
  const dest = pino.destination({ dest: file, mkdir: true, sync: true });
  dest.on('error', () => undefined);
  return pino(opts, dest);
}

/** The message of any error, with secrets removed: what goes into logs and the store. */
export function errorText(e: unknown): string {
  return redactSecrets(e instanceof Error ? e.message : String(e));
}
