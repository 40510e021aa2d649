// Why a redis-server binary cannot run here, in words a user can act on. The file's header is read before it is
// run: on Linux, Node runs a file the kernel rejects (ENOEXEC: another architecture, a damaged file) through
// /bin/sh instead, which only prints shell syntax errors.
import { closeSync, existsSync, openSync, readSync } from 'node:fs';
import { REDIS_INSTALL_HINT, RedisCannotRunError } from './errors';

export type BinaryKind =
  | { kind: 'native'; platform: string; arches: string[] }
  | { kind: 'script' }
  | { kind: 'unknown' };

const ELF_MACHINES: Record<number, string> = {
  3: 'ia32', 40: 'arm', 62: 'x64', 183: 'arm64', 243: 'riscv64', 21: 'ppc64', 22: 's390x', 258: 'loong64',
};
const MACHO_CPUS: Record<number, string> = { 7: 'ia32', 12: 'arm', 0x01000007: 'x64', 0x0100000c: 'arm64' };
const PE_MACHINES: Record<number, string> = { 0x14c: 'ia32', 0x8664: 'x64', 0xaa64: 'arm64', 0x1c4: 'arm' };

/** What the first bytes of a file say it is: an ELF, Mach-O (thin or universal) or PE executable, a script, or neither. */
export function binaryKind(head: Buffer): BinaryKind {
  if (head.length >= 2 && head[0] === 0x23 && head[1] === 0x21) return { kind: 'script' }; // "#!"
  if (head.length >= 20 && head.readUInt32BE(0) === 0x7f454c46) {
    const le = head[5] !== 2;
    const machine = le ? head.readUInt16LE(18) : head.readUInt16BE(18);
    return { kind: 'native', platform: head[7] === 9 ? 'freebsd' : 'linux', arches: [ELF_MACHINES[machine] ?? `machine ${machine}`] };
  }
  if (head.length >= 8) {
    const magicLe = head.readUInt32LE(0);
    if (magicLe === 0xfeedfacf || magicLe === 0xfeedface) {
      const cpu = head.readInt32LE(4);
      return { kind: 'native', platform: 'darwin', arches: [MACHO_CPUS[cpu] ?? `cpu ${cpu}`] };
    }
    const magicBe = head.readUInt32BE(0);
    const count = head.readUInt32BE(4);
    // Universal binaries (0xcafebabe; Java class files share it but carry a large version number there).
    if ((magicBe === 0xcafebabe || magicBe === 0xcafebabf) && count > 0 && count < 16) {
      const size = magicBe === 0xcafebabf ? 32 : 20;
      const arches: string[] = [];
      for (let i = 0; i < count && 8 + i * size + 4 <= head.length; i++) {
        const cpu = head.readInt32BE(8 + i * size);
        arches.push(MACHO_CPUS[cpu] ?? `cpu ${cpu}`);
      }
      return { kind: 'native', platform: 'darwin', arches };
    }
  }
  if (head.length >= 0x40 && head[0] === 0x4d && head[1] === 0x5a) { // "MZ"
    const pe = head.readUInt32LE(0x3c);
    if (pe + 6 <= head.length && head.readUInt32BE(pe) === 0x50450000) {
      const machine = head.readUInt16LE(pe + 4);
      return { kind: 'native', platform: 'win32', arches: [PE_MACHINES[machine] ?? `machine 0x${machine.toString(16)}`] };
    }
  }
  return { kind: 'unknown' };
}

function readHead(file: string): Buffer | undefined {
  let fd: number | undefined;
  try {
    fd = openSync(file, 'r');
    const buf = Buffer.alloc(4096);
    return buf.subarray(0, readSync(fd, buf, 0, buf.length, 0));
  } catch {
    return undefined; // unreadable: running it reports why
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

const PLATFORM_NAMES: Record<string, string> = { linux: 'Linux', darwin: 'macOS', win32: 'Windows', freebsd: 'FreeBSD' };
const here = `${process.platform}-${process.arch}`;

/** 'arch': built for another CPU; 'os': for another system; 'other': damaged, or does not fit this system. */
type Why = 'arch' | 'os' | 'other';

function cannotRun(binary: string, bundled: boolean, cause: string, why: Why): RedisCannotRunError {
  const other = why === 'arch' ? 'architecture' : 'system';
  let advice: string;
  if (why === 'other') {
    advice = bundled
      ? 'the package is damaged or does not fit this system: reinstall Mailmirror, or set REDIS_URL to a Redis you run'
      : `fix or replace it: ${REDIS_INSTALL_HINT}`;
  } else if (bundled) {
    const target = why === 'arch' ? process.arch : `${PLATFORM_NAMES[process.platform] ?? process.platform} ${process.arch}`;
    advice = `the package is for another ${other}; reinstall Mailmirror for ${target}`;
  } else {
    advice = `it is built for another ${other}; use one built for ${here}: ${REDIS_INSTALL_HINT}`;
  }
  return new RedisCannotRunError(binary, bundled, cause, advice);
}

/** Refuses, before running it, a file that is no program for this OS and CPU (x64 is fine on arm64 Macs: Rosetta). */
export function checkRunnable(binary: string, bundled: boolean): void {
  const head = readHead(binary);
  if (!head) return;
  const k = binaryKind(head);
  if (k.kind === 'script') {
    if (process.platform === 'win32') throw cannotRun(binary, bundled, 'a script, not a Windows program', 'other');
    return;
  }
  if (k.kind === 'unknown') {
    throw cannotRun(binary, bundled, 'Exec format error: it is not a program for any system, the file is damaged', 'other');
  }
  const archOk = k.arches.includes(process.arch) || (process.platform === 'darwin' && process.arch === 'arm64' && k.arches.includes('x64'));
  if (k.platform !== process.platform || !archOk) {
    const why = k.platform !== process.platform ? 'os' : 'arch';
    throw cannotRun(binary, bundled, `Exec format error: it is built for ${k.platform}-${k.arches.join('/')}, this machine is ${here}`, why);
  }
}

type ExecFailure = Error & { code?: string | number | null; errno?: number; signal?: NodeJS.Signals | null; killed?: boolean; stderr?: string | Buffer };

/** The clear error for a failed run of `binary` (a spawn error, or a --version run that failed). */
export function cannotRunError(binary: string, bundled: boolean, e: unknown, timeoutMs?: number): RedisCannotRunError {
  const err = (e instanceof Error ? e : new Error(String(e))) as ExecFailure;
  const stderr = String(err.stderr ?? '').trim();
  const lastLine = stderr.split('\n').filter((l) => l.trim() !== '').pop()?.trim();
  const sharedLib = /error while loading shared libraries: ([^:\s]+)/.exec(stderr)?.[1] ?? /Library not loaded: (\S+)/.exec(stderr)?.[1];
  const glibc = /version `(GLIBC_[\d.]+)' not found/.exec(stderr)?.[1];
  let cause: string;
  let kind: Why = 'other';
  if (err.code === 'EACCES' || err.code === 'EPERM') cause = 'permission denied: the file is not executable, or its disk is mounted noexec';
  else if (err.code === 'ENOEXEC') {
    cause = 'Exec format error';
    kind = 'arch';
  } else if (err.errno === -86 || /Bad CPU type/i.test(err.message)) {
    cause = 'Bad CPU type in executable';
    kind = 'arch';
  } else if (err.code === 'ENOENT') {
    cause = existsSync(binary) ? 'its program loader is missing: it is built for another system or C library' : 'the file is gone';
  } else if (glibc) cause = `it needs ${glibc}, a newer C library than this system has`;
  else if (sharedLib) cause = `a shared library it needs is missing: ${sharedLib}`;
  else if (err.killed && timeoutMs !== undefined) cause = `it did not answer --version within ${Math.round(timeoutMs / 1000)} s`;
  else if (err.signal) cause = `it was killed by ${err.signal} at once${err.signal === 'SIGILL' ? ': it uses instructions this CPU lacks' : ''}`;
  else if (typeof err.code === 'number') cause = `it exited at once with code ${err.code}${lastLine ? `: ${lastLine}` : ''}`;
  else cause = err.message.split('\n')[0];
  return cannotRun(binary, bundled, cause, kind);
}
