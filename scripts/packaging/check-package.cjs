// Checks a packaged app the way a user's machine would see it, and fails the build when it is not
// fit to ship. electron-builder runs it after packing each target (`afterPack` in
// electron-builder.yml), so `npm run dist` and `npm run dist:dir` cannot produce a package that
//   - carries a native module (.node) built for another runtime ABI, OS or CPU than the package's
//     (better-sqlite3 built for Node 20 = ABI 115 in an Electron 45 = ABI 150 app, a Linux ELF in a
//     Windows build),
//   - lacks the bundled redis-server for its OS and architecture, or its licence,
//   - lacks the main bundle, preload, renderer, migrations or demo emulator in app.asar, or carries
//     test code, source maps or native build leftovers there.
// Standalone: node scripts/packaging/check-package.cjs <appOutDir> [--platform linux] [--arch x64] [--abi 150]
'use strict';
const { execFileSync } = require('node:child_process');
const { existsSync, readFileSync, readdirSync, statSync } = require('node:fs');
const { join, relative, resolve } = require('node:path');

const ARCH_NAMES = ['ia32', 'x64', 'armv7l', 'arm64', 'universal']; // electron-builder's Arch enum
const ROOT = resolve(__dirname, '..', '..');

class PackageCheckError extends Error {}

/** OS and CPU a binary is for, from its header: ELF, Mach-O or PE. */
function binaryTarget(buf) {
  if (buf.length >= 20 && buf.readUInt32BE(0) === 0x7f454c46) {
    const le = buf[5] === 1;
    const machine = le ? buf.readUInt16LE(18) : buf.readUInt16BE(18);
    return { platform: 'linux', arch: { 0x3e: 'x64', 0xb7: 'arm64', 0x28: 'armv7l', 0x03: 'ia32' }[machine] ?? `machine 0x${machine.toString(16)}` };
  }
  if (buf.length >= 8) {
    const magic = buf.readUInt32LE(0);
    if (magic === 0xfeedfacf || magic === 0xfeedface) {
      const cpu = buf.readUInt32LE(4);
      return { platform: 'darwin', arch: { 0x01000007: 'x64', 0x0100000c: 'arm64' }[cpu] ?? `cpu 0x${cpu.toString(16)}` };
    }
    if (buf.readUInt32BE(0) === 0xcafebabe) return { platform: 'darwin', arch: 'universal' };
  }
  if (buf.length >= 64 && buf[0] === 0x4d && buf[1] === 0x5a) {
    const pe = buf.readUInt32LE(0x3c);
    if (pe + 6 <= buf.length && buf.readUInt32BE(pe) === 0x50450000) {
      const machine = buf.readUInt16LE(pe + 4);
      return { platform: 'win32', arch: { 0x8664: 'x64', 0xaa64: 'arm64', 0x14c: 'ia32' }[machine] ?? `machine 0x${machine.toString(16)}` };
    }
  }
  if (buf.subarray(0, 2).toString() === '#!') return { platform: 'script', arch: 'any' };
  return { platform: 'unknown', arch: 'unknown' };
}

/** The Node ABI a .node file was built for (its node_register_module_vN symbol), or 'napi'. */
function nativeModuleAbi(buf) {
  const m = /node_register_module_v(\d+)/.exec(buf.toString('latin1'));
  if (m) return Number(m[1]);
  return buf.includes('napi_register_module_v1') ? 'napi' : null;
}

function walk(dir, out = []) {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    const st = statSync(p);
    if (st.isDirectory()) walk(p, out);
    else out.push(p);
  }
  return out;
}

function checkNativeModules(appOutDir, expect, problems, notes) {
  const files = walk(appOutDir).filter((f) => f.endsWith('.node'));
  if (files.length === 0) problems.push('no native module (.node) in the package: better-sqlite3 is missing');
  for (const f of files) {
    const buf = readFileSync(f);
    const where = relative(appOutDir, f);
    const t = binaryTarget(buf);
    if (t.platform !== expect.platform || (t.arch !== expect.arch && t.arch !== 'universal')) {
      problems.push(`${where} is built for ${t.platform}-${t.arch}, but this package is for ${expect.platform}-${expect.arch}`);
      continue;
    }
    const abi = nativeModuleAbi(buf);
    if (abi === 'napi') notes.push(`${where}: N-API (any ABI), ${t.platform}-${t.arch}`);
    else if (abi !== expect.abi) {
      problems.push(`${where} is built for ABI ${abi ?? 'unknown'} (${abiName(abi)}), but the package runs on ABI ${expect.abi} (${expect.runtime}): rebuild native modules for the package's runtime`);
    } else notes.push(`${where}: ABI ${abi}, ${t.platform}-${t.arch}`);
  }
}

function abiName(abi) {
  return { 115: 'Node 20', 127: 'Node 22', 137: 'Node 24', 150: 'Electron 45' }[abi] ?? 'unknown runtime';
}

function checkRedis(resourcesDir, expect, problems, notes) {
  const exe = join(resourcesDir, 'redis', expect.platform === 'win32' ? 'redis-server.exe' : 'redis-server');
  if (!existsSync(exe)) {
    problems.push(`the bundled redis-server is missing (${relative(resourcesDir, exe)}): run \`npm run redis:build\` before packaging`);
    return;
  }
  if (!existsSync(join(resourcesDir, 'redis', 'COPYING'))) problems.push('the bundled redis-server has no licence file (redis/COPYING)');
  const t = binaryTarget(readFileSync(exe));
  if (t.platform !== expect.platform || t.arch !== expect.arch) {
    problems.push(`the bundled redis-server is built for ${t.platform}-${t.arch}, but this package is for ${expect.platform}-${expect.arch}`);
    return;
  }
  if (expect.platform === process.platform && expect.arch === process.arch) {
    try {
      const v = execFileSync(exe, ['--version'], { encoding: 'utf8', timeout: 10_000 }).trim();
      notes.push(`redis/${exe.endsWith('.exe') ? 'redis-server.exe' : 'redis-server'}: ${v}`);
    } catch (e) {
      problems.push(`the bundled redis-server does not run: ${e.message.split('\n')[0]}`);
    }
  } else notes.push(`redis-server: ${t.platform}-${t.arch} (not run: another OS or CPU than this machine)`);
}

/** What app.asar must hold, and what it must not. */
const ASAR_REQUIRED = [
  '/package.json',
  '/dist/src/main/electron/main.js',
  '/dist/preload/preload.cjs',
  '/dist/renderer/index.html',
  '/dist/src/emulator/index.js',
  '/drizzle/meta/_journal.json',
  '/drizzle/0000_init.sql',
];
const ASAR_FORBIDDEN = [
  [/\.map$/, 'source maps'],
  [/^\/(test|bench|dist\/bench|src|scripts)\//, 'test, bench or source files'],
  [/^\/node_modules\/better-sqlite3\/(deps|src|build\/Release\/(obj|obj\.target))\//, 'native build leftovers'],
  [/^\/node_modules\/(electron|electron-builder|vitest|playwright-core|typescript)\//, 'dev-only packages'],
];

function checkAsar(resourcesDir, problems, notes) {
  const asarFile = join(resourcesDir, 'app.asar');
  if (!existsSync(asarFile)) {
    problems.push('resources/app.asar is missing');
    return;
  }
  const asar = require('@electron/asar');
  const files = new Set(asar.listPackage(asarFile, { isPack: false }).map((f) => f.replace(/\\/g, '/')));
  for (const f of ASAR_REQUIRED) if (!files.has(f)) problems.push(`app.asar lacks ${f}`);
  if (![...files].some((f) => f.startsWith('/drizzle/') && f.endsWith('.sql'))) problems.push('app.asar holds no migrations (drizzle/*.sql)');
  for (const [re, what] of ASAR_FORBIDDEN) {
    const hit = [...files].filter((f) => re.test(f));
    if (hit.length) problems.push(`app.asar carries ${what}: ${hit.slice(0, 3).join(', ')}${hit.length > 3 ? ` and ${hit.length - 3} more` : ''}`);
  }
  notes.push(`app.asar: ${files.size} entries, required ones present`);
}

/** The runtime ABI the package's native modules must have. */
function expectedAbi(electronDist) {
  const stand = electronDist && join(electronDist, 'abi_version');
  if (stand && existsSync(stand) && readFileSync(join(electronDist, 'electron'), 'latin1').includes('MAILMIRROR_ELECTRON_STAND_IN')) {
    return { abi: Number(readFileSync(stand, 'utf8').trim()), runtime: 'the stand-in for Electron used by the packaged-app test' };
  }
  const electronPkg = JSON.parse(readFileSync(join(ROOT, 'node_modules', 'electron', 'package.json'), 'utf8'));
  return { abi: Number(readFileSync(join(ROOT, 'node_modules', 'electron', 'abi_version'), 'utf8').trim()), runtime: `Electron ${electronPkg.version}` };
}

function checkPackage({ appOutDir, platform, arch, abi, runtime }) {
  const resourcesDir = platform === 'darwin'
    ? join(appOutDir, readdirSync(appOutDir).find((n) => n.endsWith('.app')) ?? 'Mailmirror.app', 'Contents', 'Resources')
    : join(appOutDir, 'resources');
  const problems = [];
  const notes = [];
  const expect = { platform, arch, abi, runtime };
  checkNativeModules(appOutDir, expect, problems, notes);
  checkRedis(resourcesDir, expect, problems, notes);
  checkAsar(resourcesDir, problems, notes);
  return { problems, notes };
}

function report(label, { problems, notes }) {
  for (const n of notes) console.log(`  package check: ${n}`);
  if (problems.length) {
    for (const p of problems) console.error(`  package check FAILED (${label}): ${p}`);
    throw new PackageCheckError(`the ${label} package is not fit to ship: ${problems[0]}${problems.length > 1 ? ` (and ${problems.length - 1} more problems above)` : ''}`);
  }
  console.log(`  package check: ${label} OK`);
}

/** electron-builder's afterPack hook. */
async function afterPack(context) {
  const platform = context.electronPlatformName;
  const arch = ARCH_NAMES[context.arch] ?? String(context.arch);
  const { abi, runtime } = expectedAbi(context.packager.config.electronDist);
  report(`${platform}-${arch}`, checkPackage({ appOutDir: context.appOutDir, platform, arch, abi, runtime }));
}

module.exports = afterPack;
module.exports.default = afterPack;
module.exports.checkPackage = checkPackage;
module.exports.binaryTarget = binaryTarget;
module.exports.nativeModuleAbi = nativeModuleAbi;

if (require.main === module) {
  const args = process.argv.slice(2);
  const opt = (name, def) => {
    const i = args.indexOf(`--${name}`);
    return i >= 0 ? args[i + 1] : def;
  };
  const appOutDir = resolve(args[0] ?? 'release/linux-unpacked');
  const electron = expectedAbi(null);
  const abi = Number(opt('abi', electron.abi));
  try {
    report(`${opt('platform', 'linux')}-${opt('arch', 'x64')}`, checkPackage({
      appOutDir,
      platform: opt('platform', 'linux'),
      arch: opt('arch', 'x64'),
      abi,
      runtime: abi === electron.abi ? electron.runtime : abiName(abi),
    }));
  } catch (e) {
    console.error(e.message);
    process.exit(1);
  }
}
