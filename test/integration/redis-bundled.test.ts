// The redis-server the packaged app carries (resources/redis/<platform>-<arch>/, built by scripts/build-redis.mjs
// from the pinned source tarball), found through process.resourcesPath with an empty PATH; and the clear errors for
// a bundled binary that cannot run, a data folder on a read-only disk, and a REDIS_URL where something else listens.
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { RedisSupervisor } from '../../src/main/redis/redis-supervisor';
import { DataDirNotWritableError, RedisCannotRunError, RedisNotFoundError, RedisUnreachableError } from '../../src/main/redis/errors';
import { ensureDataDir } from '../../src/main/data-dir';
import { defaultFallbackDirs, defaultRedisServerCandidates, findRedisServer, wellKnownRedisDirs } from '../../src/main/redis/find-redis-server';

const ROOT = resolve(__dirname, '..', '..');
const TARGET = `${process.platform}-${process.arch}`;
const BUILT = join(ROOT, 'resources', 'redis', TARGET);
const BUILT_EXE = join(BUILT, 'redis-server');

/** Why the bundled binary cannot be had here, or undefined: it is built, or a source tarball is at hand to build it. */
function unavailable(): string | undefined {
  if (existsSync(BUILT_EXE)) return undefined;
  if (process.platform === 'win32') return 'no source build of redis-server on Windows';
  const cache = join(ROOT, '.cache', 'redis');
  const cached = existsSync(cache) && readdirSync(cache).some((f) => /^redis[-_]7\.0\.15(\.orig)?\.tar\.gz$/.test(f));
  if (cached || process.env.MAILMIRROR_REDIS_TARBALL) return undefined;
  return 'no Redis 7.0.15 source tarball (.cache/redis/ or MAILMIRROR_REDIS_TARBALL; scripts/fetch-redis-source.sh gets one on Debian)';
}
const skipReason = unavailable();
if (skipReason) console.log(`redis-bundled tests skipped: ${skipReason}`);

type ProcessWithResources = NodeJS.Process & { resourcesPath?: string };
const proc = process as ProcessWithResources;

let scratch: string;
const cleanups: Array<() => Promise<void> | void> = [];

beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), 'mm-bundled-'));
});
afterAll(() => {
  rmSync(scratch, { recursive: true, force: true });
});
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

/** Runs `fn` as the packaged app would: process.resourcesPath = `resources`, PATH empty, no MAILMIRROR_REDIS_SERVER. */
function asPackagedApp(resources: string): void {
  const saved = { path: process.env.PATH, env: process.env.MAILMIRROR_REDIS_SERVER, res: proc.resourcesPath };
  proc.resourcesPath = resources;
  process.env.PATH = '';
  delete process.env.MAILMIRROR_REDIS_SERVER;
  cleanups.push(() => {
    process.env.PATH = saved.path;
    if (saved.env !== undefined) process.env.MAILMIRROR_REDIS_SERVER = saved.env;
    if (saved.res === undefined) Reflect.deleteProperty(process, 'resourcesPath');
    else proc.resourcesPath = saved.res;
  });
}

/** A fake <resources> folder whose redis/redis-server is `content` (a file name to copy, or bytes). */
function fakeResources(name: string, content: string | Buffer, mode = 0o755): { resources: string; exe: string } {
  const resources = join(scratch, name);
  mkdirSync(join(resources, 'redis'), { recursive: true });
  const exe = join(resources, 'redis', 'redis-server');
  if (typeof content === 'string') copyFileSync(content, exe);
  else writeFileSync(exe, content);
  chmodSync(exe, mode);
  return { resources, exe };
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe.skipIf(skipReason !== undefined)('the bundled redis-server', () => {
  beforeAll(() => {
    if (!existsSync(BUILT_EXE)) {
      // ~30 s to 2 min on 2 cores
      execFileSync(process.execPath, [join(ROOT, 'scripts', 'build-redis.mjs')], { cwd: ROOT, stdio: 'inherit' });
    }
  }, 600_000);

  it('is Redis 7.0.15 from a pinned tarball, with its licence', () => {
    const v = execFileSync(BUILT_EXE, ['--version'], { encoding: 'utf8' });
    expect(v).toMatch(/^Redis server v=7\.0\.15 .*malloc=libc/);
    expect(readFileSync(join(BUILT, 'COPYING'), 'utf8')).toContain('Redistribution and use in source and binary forms');
    const info = readFileSync(join(BUILT, 'BUILD-INFO.txt'), 'utf8');
    expect(info).toMatch(/^sha256: (98066f5363504b26c34dd20fbcc3c957990d764cdf42576c836fc021073f4341|4b1dc4ee6d622a09fff9c6777191209750fb5e5a725ef78ea012d6eef4c22982)$/m);
    expect(info).toContain('flags: MALLOC=libc BUILD_TLS=no USE_SYSTEMD=no');
    expect(readFileSync(join(BUILT, 'VERSION'), 'utf8').trim()).toBe('7.0.15');
  });

  it('is what the supervisor runs in a packaged app, with an empty PATH; stop() ends it', async () => {
    const { resources, exe } = fakeResources('res-ok', BUILT_EXE);
    asPackagedApp(resources);
    expect(findRedisServer()).toBe(exe);
    const dataDir = join(scratch, 'data-ok');
    const sup = await RedisSupervisor.start({ dataDir });
    cleanups.push(() => sup.stop());
    const pid = sup.pid as number;
    expect(pid).toBeTypeOf('number');
    // (redis-server rewrites its title to "<path> unixsocket:<socket>")
    if (process.platform === 'linux') expect(readFileSync(`/proc/${pid}/cmdline`, 'utf8').startsWith(`${exe} `)).toBe(true);
    const client = sup.connection('client');
    expect(await client.ping()).toBe('PONG');
    expect((await client.info('server')).match(/redis_version:([\d.]+)/)?.[1]).toBe('7.0.15');
    await sup.stop();
    expect(isAlive(pid)).toBe(false);
  });

  it('another architecture: "cannot run on this machine (Exec format error …): reinstall Mailmirror for <arch>"', async () => {
    const other = Buffer.from(readFileSync(BUILT_EXE));
    if (other.readUInt32BE(0) !== 0x7f454c46) return; // the ELF patch below needs an ELF
    other.writeUInt16LE(process.arch === 'arm64' ? 62 : 183, 18); // e_machine: x86-64 <-> AArch64
    const { resources, exe } = fakeResources('res-arch', other);
    asPackagedApp(resources);
    const err = await RedisSupervisor.start({ dataDir: join(scratch, 'data-arch') }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RedisCannotRunError);
    expect((err as RedisCannotRunError).code).toBe('REDIS_CANNOT_RUN');
    const otherArch = process.arch === 'arm64' ? 'x64' : 'arm64';
    expect((err as Error).message).toBe(`the bundled redis-server at ${exe} cannot run on this machine (Exec format error: it is built for ` +
      `linux-${otherArch}, this machine is ${TARGET}): the package is for another architecture; reinstall Mailmirror for ${process.arch}`);
  });
});

describe('a bundled redis-server that cannot run', () => {
  it('random bytes (chmod 755): "cannot run on this machine", never run through /bin/sh', async () => {
    const { resources, exe } = fakeResources('res-garbage', Buffer.concat([Buffer.from([0x00, 0x01]), randomBytes(4096)]));
    asPackagedApp(resources);
    const err = await RedisSupervisor.start({ dataDir: join(scratch, 'data-garbage') }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RedisCannotRunError);
    expect((err as Error).message).toBe(`the bundled redis-server at ${exe} cannot run on this machine (Exec format error: it is not ` +
      'a program for any system, the file is damaged): the package is damaged or does not fit this system: reinstall Mailmirror, ' +
      'or set REDIS_URL to a Redis you run');
  });

  it('a missing shared library: names the library', async () => {
    const src = join(scratch, 'needs-lib');
    mkdirSync(src, { recursive: true });
    writeFileSync(join(src, 'lib.c'), 'int mm_gone(void) { return 0; }\n');
    writeFileSync(join(src, 'main.c'), 'int mm_gone(void);\nint main(void) { return mm_gone(); }\n');
    const cc = spawnSync('cc', ['-shared', '-fPIC', '-o', join(src, 'libmmgone.so'), join(src, 'lib.c')]);
    if (cc.error || cc.status !== 0) {
      console.log('skipped the shared-library case: no C compiler');
      return;
    }
    execFileSync('cc', ['-o', join(src, 'prog'), join(src, 'main.c'), `-L${src}`, '-lmmgone']);
    const { resources, exe } = fakeResources('res-lib', join(src, 'prog'));
    asPackagedApp(resources);
    const err = await RedisSupervisor.start({ dataDir: join(scratch, 'data-lib') }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RedisCannotRunError);
    expect((err as Error).message).toContain(`the bundled redis-server at ${exe} cannot run on this machine ` +
      '(a shared library it needs is missing: libmmgone.so): the package is damaged or does not fit this system: reinstall Mailmirror');
  });

  it('one that exits at once: its exit code and last words', async () => {
    const { resources } = fakeResources('res-exit', Buffer.from('#!/bin/sh\necho "fatal: cannot map memory" >&2\nexit 3\n'));
    asPackagedApp(resources);
    const err = await RedisSupervisor.start({ dataDir: join(scratch, 'data-exit') }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RedisCannotRunError);
    expect((err as Error).message).toContain('(it exited at once with code 3: fatal: cannot map memory)');
  });

  it('one that is not executable, or missing: the package is damaged (when nothing else is found)', () => {
    const { resources, exe } = fakeResources('res-noexec', Buffer.from('#!/bin/sh\nexit 0\n'), 0o644);
    asPackagedApp(resources);
    let err: unknown;
    try {
      findRedisServer(defaultRedisServerCandidates(), '', []);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(RedisNotFoundError);
    expect((err as Error).message).toContain(`this Mailmirror package is damaged: its own redis-server is missing or unusable at ${exe}`);
    expect((err as Error).message).toContain(`${exe} (not executable)`);
    rmSync(exe);
    expect(() => findRedisServer(defaultRedisServerCandidates(), '', [])).toThrow(`${exe} (missing)`);
  });

  it('after PATH, the usual install folders (desktop app only): a stripped PATH still finds a system redis-server', () => {
    expect(defaultFallbackDirs()).toEqual([]); // plain Node: the CLI has the user's PATH
    asPackagedApp(join(scratch, 'res-none'));
    expect(defaultFallbackDirs()).toEqual(wellKnownRedisDirs());
    const dir = join(scratch, 'usual-bin');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'redis-server'), '#!/bin/sh\n');
    chmodSync(join(dir, 'redis-server'), 0o755);
    expect(findRedisServer([], '', [join(scratch, 'nothing'), dir])).toBe(join(dir, 'redis-server'));
    expect(() => findRedisServer([], '', [join(scratch, 'nothing')])).toThrow(`PATH (empty), ${join(scratch, 'nothing')}`);
  });
});

/** A tmpfs mounted read-only (root with CAP_SYS_ADMIN only), holding `data/redis/` made while it was writable. */
function readOnlyMount(): string | undefined {
  if (process.platform !== 'linux') return undefined;
  const mnt = join(scratch, 'ro');
  mkdirSync(mnt, { recursive: true });
  if (spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', mnt]).status !== 0) return undefined;
  mkdirSync(join(mnt, 'data', 'redis'), { recursive: true });
  if (spawnSync('mount', ['-o', 'remount,ro', mnt]).status !== 0) {
    spawnSync('umount', [mnt]);
    return undefined;
  }
  return mnt;
}

describe('a data folder on a read-only disk', () => {
  let mnt: string | undefined;
  beforeAll(() => {
    mnt = readOnlyMount();
    if (!mnt) console.log('read-only disk cases skipped: cannot mount a tmpfs here (not root); test/unit/redis-errors.test.ts covers the messages');
  });
  afterAll(() => {
    if (mnt) spawnSync('umount', [mnt]);
  });

  it('ensureDataDir: a new folder there, and an existing one, say "read-only disk" and MAILMIRROR_DATA_DIR', () => {
    if (!mnt) return;
    for (const dataDir of [join(mnt, 'new-mirror'), join(mnt, 'data')]) {
      let err: unknown;
      try {
        ensureDataDir(dataDir);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(DataDirNotWritableError);
      expect((err as DataDirNotWritableError).code).toBe('DATA_DIR_NOT_WRITABLE');
      expect((err as Error).message).toMatch(new RegExp(`^the data folder ${dataDir} is on a read-only disk \\(EROFS on ${dataDir}.*\\); ` +
        'choose another with MAILMIRROR_DATA_DIR \\(or --data-dir\\)$'));
    }
  });

  it('the supervisor says the same for its Redis folder there', async () => {
    if (!mnt) return;
    const dataDir = join(mnt, 'data');
    const err = await RedisSupervisor.start({ dataDir }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DataDirNotWritableError);
    expect((err as Error).message).toContain(`the data folder ${dataDir} is on a read-only disk (EROFS on ${join(dataDir, 'redis')})`);
  });
});

describe('REDIS_URL where something that is not Redis listens', () => {
  let http: Server;
  let port: number;
  beforeAll(async () => {
    http = createHttpServer((_req, res) => res.end('hello'));
    await new Promise<void>((r) => http.listen(0, '127.0.0.1', () => r()));
    port = (http.address() as { port: number }).port;
  });
  afterAll(() => new Promise<void>((r) => http.close(() => r())));

  it('says what answers there instead', async () => {
    const err = await RedisSupervisor.start({ dataDir: scratch, redisUrl: `redis://:pw@127.0.0.1:${port}` }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RedisUnreachableError);
    expect((err as Error).message).toContain(`cannot reach Redis at redis://:***@127.0.0.1:${port}: an HTTP server answered "HTTP/1.1 400 Bad Request"; ` +
      'check the host and port in REDIS_URL');
  });
});
