// Finding a redis-server binary, and checking that it is new enough for BullMQ.
import { execFile } from 'node:child_process';
import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { promisify } from 'node:util';
import { checkRunnable, cannotRunError } from './binary-check';
import { RedisNotFoundError, RedisTooOldError } from './errors';

const execFileAsync = promisify(execFile);
const EXE = process.platform === 'win32' ? 'redis-server.exe' : 'redis-server';

/** BullMQ refuses Redis older than this (https://docs.bullmq.io/guide/connections). */
export const MIN_REDIS_MAJOR = 5;

/** Why `p` is no candidate, or undefined when it is an executable file. */
function unusable(p: string): string | undefined {
  try {
    if (!statSync(p).isFile()) return 'not a file';
  } catch {
    return 'missing';
  }
  try {
    accessSync(p, process.platform === 'win32' ? constants.F_OK : constants.X_OK);
    return undefined;
  } catch {
    return 'not executable';
  }
}

/**
 * The redis-server a packaged app carries: electron-builder's extraResources put it in
 * process.resourcesPath/redis/. Only Electron defines process.resourcesPath; plain Node (CLI, tests) has none.
 */
export function bundledRedisServer(): string | undefined {
  const resourcesPath = (process as NodeJS.Process & { resourcesPath?: string }).resourcesPath;
  return resourcesPath ? join(resourcesPath, 'redis', EXE) : undefined;
}

/** The places looked at first, in order: the binary bundled with the packaged app, then MAILMIRROR_REDIS_SERVER. */
export function defaultRedisServerCandidates(env: NodeJS.ProcessEnv = process.env): string[] {
  const out: string[] = [];
  const bundled = bundledRedisServer();
  if (bundled) out.push(bundled);
  if (env.MAILMIRROR_REDIS_SERVER) out.push(env.MAILMIRROR_REDIS_SERVER);
  return out;
}

/**
 * Folders looked in after PATH: a macOS app started from Finder gets launchd's PATH (/usr/bin:/bin:/usr/sbin:/sbin),
 * without Homebrew's or MacPorts' folders. Linux desktops start apps with the login PATH, and the Linux
 * packages carry their own redis-server, so an empty PATH there means "none": nothing is guessed.
 */
export function wellKnownRedisDirs(platform: NodeJS.Platform = process.platform): string[] {
  if (platform === 'darwin') return ['/opt/homebrew/bin', '/usr/local/bin', '/opt/local/bin', '/usr/bin'];
  return [];
}

/**
 * The folders looked in after PATH by default: wellKnownRedisDirs() in the desktop app (Electron, which has
 * process.resourcesPath), whose PATH is the desktop's, not the user's shell's; none for the CLI and other plain
 * Node processes, which get the user's PATH (so an empty PATH there still means "none on PATH").
 */
export function defaultFallbackDirs(): string[] {
  return bundledRedisServer() !== undefined ? wellKnownRedisDirs() : [];
}

/**
 * The first executable among `candidates`, then on PATH, then in `fallbackDirs`; RedisNotFoundError (saying where it
 * looked and how to install one) if none.
 */
export function findRedisServer(
  candidates: string[] = defaultRedisServerCandidates(),
  pathEnv = process.env.PATH ?? '',
  fallbackDirs: string[] = defaultFallbackDirs(),
): string {
  const searched: string[] = [];
  for (const c of candidates) {
    const why = unusable(c);
    if (why === undefined) return c;
    searched.push(`${c} (${why})`);
  }
  const dirs = pathEnv.split(delimiter).filter((d) => d !== '');
  for (const dir of dirs) {
    if (unusable(join(dir, EXE)) === undefined) return join(dir, EXE);
  }
  searched.push(dirs.length > 0 ? `PATH (${dirs.join(delimiter)})` : 'PATH (empty)');
  const extra = fallbackDirs.filter((d) => !dirs.includes(d));
  for (const dir of extra) {
    if (unusable(join(dir, EXE)) === undefined) return join(dir, EXE);
  }
  if (extra.length > 0) searched.push(extra.join(', '));
  const bundled = bundledRedisServer();
  throw new RedisNotFoundError(searched, bundled !== undefined && candidates.includes(bundled) ? bundled : undefined);
}

const VERSION_TIMEOUT_MS = 10_000;

/**
 * "7.0.15" from `redis-server --version` ("Redis server v=7.0.15 sha=…"), undefined if it prints no version.
 * RedisCannotRunError, naming the binary and why, when it cannot run here.
 */
export async function redisServerVersion(binary: string): Promise<string | undefined> {
  const bundled = binary === bundledRedisServer();
  checkRunnable(binary, bundled);
  let stdout: string;
  try {
    ({ stdout } = await execFileAsync(binary, ['--version'], { timeout: VERSION_TIMEOUT_MS, windowsHide: true }));
  } catch (e) {
    throw cannotRunError(binary, bundled, e, VERSION_TIMEOUT_MS);
  }
  return stdout.match(/v=(\d+\.\d+(?:\.\d+)?)/)?.[1];
}

export function assertRedisVersion(version: string | undefined, where: string): void {
  if (version === undefined) return; // forks that print no version: BullMQ checks INFO itself when it connects
  const major = Number(version.split('.')[0]);
  if (major < MIN_REDIS_MAJOR) throw new RedisTooOldError(version, where);
}
