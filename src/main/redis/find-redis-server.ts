// Finding a redis-server binary, and checking that it is new enough for BullMQ.
import { execFile } from 'node:child_process';
import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { promisify } from 'node:util';
import { RedisNotFoundError, RedisStartError, RedisTooOldError } from './errors';

const execFileAsync = promisify(execFile);
const EXE = process.platform === 'win32' ? 'redis-server.exe' : 'redis-server';

/** BullMQ refuses Redis older than this (https://docs.bullmq.io/guide/connections). */
export const MIN_REDIS_MAJOR = 5;

function isExecutable(p: string): boolean {
  try {
    if (!statSync(p).isFile()) return false;
    accessSync(p, process.platform === 'win32' ? constants.F_OK : constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * The places looked at first, in order: the binary bundled with the packaged app (electron-builder's
 * extraResources put it in process.resourcesPath/redis/), then MAILMIRROR_REDIS_SERVER.
 */
export function defaultRedisServerCandidates(env: NodeJS.ProcessEnv = process.env): string[] {
  const out: string[] = [];
  // Only Electron defines process.resourcesPath; plain Node (CLI, tests) has none.
  const resourcesPath = (process as NodeJS.Process & { resourcesPath?: string }).resourcesPath;
  if (resourcesPath) out.push(join(resourcesPath, 'redis', EXE));
  if (env.MAILMIRROR_REDIS_SERVER) out.push(env.MAILMIRROR_REDIS_SERVER);
  return out;
}

/** The first executable among `candidates`, then on PATH; RedisNotFoundError (with install advice) if none. */
export function findRedisServer(candidates: string[] = defaultRedisServerCandidates(), pathEnv = process.env.PATH ?? ''): string {
  const searched: string[] = [];
  for (const c of candidates) {
    searched.push(c);
    if (isExecutable(c)) return c;
  }
  const dirs = pathEnv.split(delimiter).filter((d) => d !== '');
  for (const dir of dirs) {
    const p = join(dir, EXE);
    if (isExecutable(p)) return p;
  }
  searched.push(dirs.length > 0 ? `PATH (${dirs.join(delimiter)})` : 'PATH (empty)');
  throw new RedisNotFoundError(searched);
}

/** "7.0.15" from `redis-server --version` ("Redis server v=7.0.15 sha=…"), undefined if it prints no version. */
export async function redisServerVersion(binary: string): Promise<string | undefined> {
  let stdout: string;
  try {
    ({ stdout } = await execFileAsync(binary, ['--version'], { timeout: 10_000, windowsHide: true }));
  } catch (e) {
    throw new RedisStartError(`could not run ${binary} --version: ${e instanceof Error ? e.message : String(e)}`, []);
  }
  return stdout.match(/v=(\d+\.\d+(?:\.\d+)?)/)?.[1];
}

export function assertRedisVersion(version: string | undefined, where: string): void {
  if (version === undefined) return; // forks that print no version: BullMQ checks INFO itself when it connects
  const major = Number(version.split('.')[0]);
  if (major < MIN_REDIS_MAJOR) throw new RedisTooOldError(version, where);
}
