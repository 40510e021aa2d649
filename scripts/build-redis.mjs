// Builds the redis-server the installers carry, from a pinned source tarball checked by sha256, into
// resources/redis/<platform>-<arch>/ (redis-server, its licence COPYING, BUILD-INFO.txt), where
// electron-builder.yml picks it up. Redis 7.0.15: BSD-3-Clause, supported by BullMQ (>= 5).
// Built with MALLOC=libc BUILD_TLS=no USE_SYSTEMD=no, so it needs only the C library. Builds for this
// machine's OS and CPU only (run it on each release builder).
//   node scripts/build-redis.mjs [--tarball FILE] [--force]      (or MAILMIRROR_REDIS_TARBALL=FILE)
// Tarball: --tarball / MAILMIRROR_REDIS_TARBALL, else .cache/redis/ (scripts/fetch-redis-source.sh puts
// Debian's copy there), else a download of the upstream release into .cache/redis/.
// Windows has no upstream build: packaging for win32 needs a native port put in resources/redis/win32-x64/.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  chmodSync, closeSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, readdirSync,
  renameSync, rmSync, writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const VERSION = '7.0.15';
const UPSTREAM = `https://download.redis.io/releases/redis-${VERSION}.tar.gz`;
/** The accepted source tarballs of Redis 7.0.15, by sha256 (they differ in packing, not in content that matters). */
const PINNED = {
  // Upstream's release tarball, as published in https://github.com/redis/redis-hashes
  // ("hash redis-7.0.15.tar.gz sha256 98066f…4341").
  '98066f5363504b26c34dd20fbcc3c957990d764cdf42576c836fc021073f4341': `redis-${VERSION}.tar.gz from download.redis.io`,
  // Debian bookworm's redis_7.0.15.orig.tar.gz (`apt-get source --download-only redis`): GitHub's archive of the
  // 7.0.15 tag (debian/watch), so not byte-identical to upstream's. Checked against the Checksums-Sha256 of
  // redis_7.0.15-1~deb12u10.dsc on 2026-12-02.
  '4b1dc4ee6d622a09fff9c6777191209750fb5e5a725ef78ea012d6eef4c22982': `redis_${VERSION}.orig.tar.gz from Debian bookworm`,
};
const FLAGS = ['MALLOC=libc', 'BUILD_TLS=no', 'USE_SYSTEMD=no'];

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const cacheDir = join(root, '.cache', 'redis');
const target = `${process.platform}-${process.arch}`;
const outRel = `resources/redis/${target}`;
const outDir = join(root, outRel);
const args = process.argv.slice(2);
const force = args.includes('--force');

const say = (m) => console.log(`redis: ${m}`);
/** Ends the script with one clear line (after the `finally` blocks have cleaned up). */
function fail(m) {
  throw new Error(m);
}
const sha256 = (file) => createHash('sha256').update(readFileSync(file)).digest('hex');

function run(cmd, cmdArgs, opts = {}) {
  const r = spawnSync(cmd, cmdArgs, { encoding: 'utf8', ...opts });
  if (r.error) throw new Error(`${cmd}: ${r.error.code === 'ENOENT' ? 'not installed' : r.error.message}`);
  if (r.status !== 0) throw new Error(`${cmd} ${cmdArgs.join(' ')} exited with ${r.status ?? r.signal}: ${(r.stderr ?? '').trim().split('\n').slice(-3).join(' | ')}`);
  return (r.stdout ?? '').trim();
}

/** BUILD-INFO.txt of an earlier build from a pinned tarball, with its redis-server in place: nothing to do. */
function upToDate() {
  const info = join(outDir, 'BUILD-INFO.txt');
  if (!existsSync(info) || !existsSync(join(outDir, 'redis-server')) || !existsSync(join(outDir, 'COPYING'))) return false;
  const text = readFileSync(info, 'utf8');
  const sha = text.match(/^sha256: ([0-9a-f]{64})$/m)?.[1];
  return text.startsWith(`Redis ${VERSION}\n`) && sha !== undefined && sha in PINNED && text.includes(`flags: ${FLAGS.join(' ')}\n`);
}

async function download(file) {
  say(`downloading ${UPSTREAM}…`);
  try {
    const res = await fetch(UPSTREAM, { signal: AbortSignal.timeout(60_000) });
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    mkdirSync(cacheDir, { recursive: true });
    writeFileSync(`${file}.part`, Buffer.from(await res.arrayBuffer()));
    renameSync(`${file}.part`, file);
  } catch (e) {
    rmSync(`${file}.part`, { force: true });
    const why = e instanceof Error ? (e.cause instanceof Error ? e.cause.message : e.message) : String(e);
    fail(`cannot download ${UPSTREAM} (${why}); supply the source yourself: --tarball FILE, ` +
      `MAILMIRROR_REDIS_TARBALL=FILE, or put redis-${VERSION}.tar.gz in .cache/redis/; on Debian 12: ` +
      'scripts/fetch-redis-source.sh (a deb-src entry, then `cd .cache/redis && apt-get source --download-only redis`)');
  }
}

async function findTarball() {
  const given = args.includes('--tarball') ? args[args.indexOf('--tarball') + 1] : process.env.MAILMIRROR_REDIS_TARBALL;
  if (given !== undefined) {
    if (!given || given.startsWith('--')) fail('--tarball needs a file name');
    const file = resolve(given);
    if (!existsSync(file)) fail(`the tarball ${file} does not exist`);
    return file;
  }
  for (const name of [`redis-${VERSION}.tar.gz`, `redis_${VERSION}.orig.tar.gz`]) {
    if (existsSync(join(cacheDir, name))) return join(cacheDir, name);
  }
  const file = join(cacheDir, `redis-${VERSION}.tar.gz`);
  await download(file);
  return file;
}

async function main() {
  if (process.platform === 'win32') fail('redis-server has no source build for Windows: put a native port (redis-server.exe + its licence) in resources/redis/win32-x64/');
  if (!force && upToDate()) {
    say(`${outRel}/redis-server is up to date (Redis ${VERSION}; --force rebuilds)`);
    return;
  }

  const tarball = await findTarball();
  const sha = sha256(tarball);
  if (!(sha in PINNED)) {
    fail(`${tarball} has sha256 ${sha}, but a Redis ${VERSION} source tarball must have one of: ` +
      Object.entries(PINNED).map(([h, what]) => `${h} (${what})`).join(', '));
  }

  const work = mkdtempSync(join(tmpdir(), 'mailmirror-redis-'));
  const staging = `${outDir}.tmp-${process.pid}`;
  try {
    const t0 = Date.now();
    say(`sha256 ok: ${PINNED[sha]}`);
    say(`extracting to ${work}`);
    run('tar', ['-xzf', tarball, '-C', work]);
    const top = readdirSync(work).find((d) => d.startsWith('redis'));
    if (!top || !existsSync(join(work, top, 'src', 'Makefile'))) fail(`${tarball} does not hold a Redis source tree`);
    const src = join(work, top);
    const jobs = Math.max(1, Number(process.env.JOBS) || 2);
    const log = join(work, 'make.log');
    say(`make -j${jobs} ${FLAGS.join(' ')} redis-server (a minute or two)…`);
    const fd = openSync(log, 'w');
    const made = spawnSync('make', ['-C', join(src, 'src'), `-j${jobs}`, ...FLAGS, 'redis-server'], { stdio: ['ignore', fd, fd] });
    closeSync(fd);
    if (made.error || made.status !== 0) {
      const tail = existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n').slice(-4).join(' | ') : '';
      const why = made.error?.code === 'ENOENT' ? 'make is not installed' : `make exited with ${made.status ?? made.signal}: ${tail}`;
      fail(`building redis-server failed (${why}); it needs make and a C compiler: apt-get install build-essential pkg-config / xcode-select --install`);
    }
    rmSync(staging, { recursive: true, force: true });
    mkdirSync(staging, { recursive: true });
    const exe = join(staging, 'redis-server');
    copyFileSync(join(src, 'src', 'redis-server'), exe);
    chmodSync(exe, 0o755);
    try {
      run('strip', [exe]);
    } catch (e) {
      say(`not stripped (${e.message})`);
    }
    copyFileSync(join(src, 'COPYING'), join(staging, 'COPYING'));
    let version;
    try {
      version = run(exe, ['--version']);
    } catch (e) {
      fail(`the built redis-server does not run: ${e.message}`);
    }
    if (!version.includes(`v=${VERSION} `)) fail(`the built redis-server says "${version}", expected v=${VERSION}`);
    writeFileSync(join(staging, 'VERSION'), `${VERSION}\n`);
    writeFileSync(join(staging, 'BUILD-INFO.txt'), [
      `Redis ${VERSION}`, `source: ${PINNED[sha]}`, `sha256: ${sha}`, `flags: ${FLAGS.join(' ')}`, `target: ${target}`,
      `built: ${new Date().toISOString()}`, `licence: BSD-3-Clause (COPYING)`, version, '',
    ].join('\n'));
    rmSync(outDir, { recursive: true, force: true });
    try {
      renameSync(staging, outDir);
    } catch (e) {
      if (!upToDate()) throw e; // else another build (a parallel test) just installed the same
    }
    say(`${version}`);
    say(`installed ${outRel}/{redis-server,COPYING,VERSION,BUILD-INFO.txt} in ${Math.round((Date.now() - t0) / 1000)} s`);
  } finally {
    rmSync(work, { recursive: true, force: true });
    rmSync(staging, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(`redis: error: ${e instanceof Error ? e.message : String(e)}`);
  process.exitCode = 1;
});
