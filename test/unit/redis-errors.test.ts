// The words a user reads when redis-server cannot be found or cannot run, or the data folder cannot be written:
// the mappings from errno codes, loader messages and file headers, without needing each failure for real.
import { describe, expect, it } from 'vitest';
import { binaryKind, cannotRunError } from '../../src/main/redis/binary-check';
import { dataDirWriteError } from '../../src/main/data-dir';
import { DataDirNotWritableError, RedisCannotRunError, RedisNotFoundError } from '../../src/main/redis/errors';
import { wellKnownRedisDirs } from '../../src/main/redis/find-redis-server';

function errno(code: string, path: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`${code}: failed, mkdir '${path}'`), { code, path });
}

function elf(machine: number): Buffer {
  const b = Buffer.alloc(64);
  b.writeUInt32BE(0x7f454c46, 0);
  b[4] = 2; // 64-bit
  b[5] = 1; // little-endian
  b.writeUInt16LE(machine, 18);
  return b;
}

describe('data folder errors', () => {
  it('names a read-only disk (EROFS) and says how to choose another folder', () => {
    const e = dataDirWriteError('/media/cd/mirror', errno('EROFS', '/media/cd/mirror/redis'));
    expect(e).toBeInstanceOf(DataDirNotWritableError);
    expect(e?.code).toBe('DATA_DIR_NOT_WRITABLE');
    expect(e?.reason).toBe('read-only');
    expect(e?.message).toBe('the data folder /media/cd/mirror is on a read-only disk (EROFS on /media/cd/mirror/redis); ' +
      'choose another with MAILMIRROR_DATA_DIR (or --data-dir)');
  });

  it('names a folder that is not writable (EACCES, EPERM)', () => {
    for (const code of ['EACCES', 'EPERM']) {
      const e = dataDirWriteError('/srv/mirror', errno(code, '/srv/mirror'));
      expect(e?.reason).toBe('permission');
      expect(e?.message).toContain('the data folder /srv/mirror is not writable (permission denied on /srv/mirror)');
      expect(e?.message).toContain('MAILMIRROR_DATA_DIR');
    }
  });

  it('leaves other errors alone', () => {
    expect(dataDirWriteError('/x', errno('ENOSPC', '/x'))).toBeUndefined();
    expect(dataDirWriteError('/x', new Error('boom'))).toBeUndefined();
  });
});

describe('binaryKind', () => {
  it('reads ELF, Mach-O (thin and universal), PE and scripts', () => {
    expect(binaryKind(elf(62))).toEqual({ kind: 'native', platform: 'linux', arches: ['x64'] });
    expect(binaryKind(elf(183))).toEqual({ kind: 'native', platform: 'linux', arches: ['arm64'] });
    const macho = Buffer.alloc(32);
    macho.writeUInt32LE(0xfeedfacf, 0);
    macho.writeInt32LE(0x0100000c, 4);
    expect(binaryKind(macho)).toEqual({ kind: 'native', platform: 'darwin', arches: ['arm64'] });
    const fat = Buffer.alloc(64);
    fat.writeUInt32BE(0xcafebabe, 0);
    fat.writeUInt32BE(2, 4);
    fat.writeInt32BE(0x01000007, 8);
    fat.writeInt32BE(0x0100000c, 28);
    expect(binaryKind(fat)).toEqual({ kind: 'native', platform: 'darwin', arches: ['x64', 'arm64'] });
    const pe = Buffer.alloc(256);
    pe.write('MZ', 0, 'latin1');
    pe.writeUInt32LE(0x80, 0x3c);
    pe.writeUInt32BE(0x50450000, 0x80);
    pe.writeUInt16LE(0x8664, 0x84);
    expect(binaryKind(pe)).toEqual({ kind: 'native', platform: 'win32', arches: ['x64'] });
    expect(binaryKind(Buffer.from('#!/bin/sh\necho hi\n'))).toEqual({ kind: 'script' });
    expect(binaryKind(Buffer.from('PK\x03\x04 not a program'))).toEqual({ kind: 'unknown' });
  });
});

describe('cannotRunError', () => {
  const bin = '/opt/Mailmirror/resources/redis/redis-server';

  it('ENOEXEC and macOS "Bad CPU type": another architecture, reinstall for this one', () => {
    const e = cannotRunError(bin, true, Object.assign(new Error(`spawn ${bin} ENOEXEC`), { code: 'ENOEXEC' }));
    expect(e).toBeInstanceOf(RedisCannotRunError);
    expect(e.code).toBe('REDIS_CANNOT_RUN');
    expect(e.message).toBe(`the bundled redis-server at ${bin} cannot run on this machine (Exec format error): ` +
      `the package is for another architecture; reinstall Mailmirror for ${process.arch}`);
    const mac = cannotRunError(bin, true, Object.assign(new Error(`spawn Unknown system error -86`), { errno: -86 }));
    expect(mac.message).toContain('(Bad CPU type in executable)');
  });

  it('a missing shared library, a too old C library, a crash, no permission', () => {
    const lib = cannotRunError(bin, true, Object.assign(new Error('Command failed'), {
      code: 127, stderr: `${bin}: error while loading shared libraries: libssl.so.3: cannot open shared object file: No such file or directory\n`,
    }));
    expect(lib.message).toContain('(a shared library it needs is missing: libssl.so.3)');
    expect(lib.message).toContain('reinstall Mailmirror');
    const glibc = cannotRunError('/usr/local/bin/redis-server', false, Object.assign(new Error('Command failed'), {
      code: 1, stderr: "/usr/local/bin/redis-server: /lib/x86_64-linux-gnu/libc.so.6: version `GLIBC_2.38' not found\n",
    }));
    expect(glibc.message).toBe('the redis-server at /usr/local/bin/redis-server cannot run on this machine ' +
      '(it needs GLIBC_2.38, a newer C library than this system has): fix or replace it: install redis-server: ' +
      'apt-get install redis-server / brew install redis, or set REDIS_URL');
    expect(cannotRunError(bin, true, Object.assign(new Error('killed'), { code: null, signal: 'SIGILL' })).message)
      .toContain('(it was killed by SIGILL at once: it uses instructions this CPU lacks)');
    expect(cannotRunError(bin, true, Object.assign(new Error(`spawn ${bin} EACCES`), { code: 'EACCES' })).message)
      .toContain('(permission denied: the file is not executable, or its disk is mounted noexec)');
  });
});

describe('RedisNotFoundError', () => {
  it('without a packaged app: where it looked and how to install one', () => {
    const e = new RedisNotFoundError(['PATH (empty)', '/usr/bin, /usr/local/bin']);
    expect(e.message).toBe('redis-server was not found (looked in: PATH (empty), /usr/bin, /usr/local/bin); install redis-server: ' +
      'apt-get install redis-server / brew install redis, or set REDIS_URL (the packaged desktop app carries its own in resources/redis/)');
  });

  it('in a packaged app without its redis-server: the package is damaged', () => {
    const bundled = '/opt/Mailmirror/resources/redis/redis-server';
    const e = new RedisNotFoundError([`${bundled} (missing)`, 'PATH (empty)'], bundled);
    expect(e.message).toContain(`this Mailmirror package is damaged: its own redis-server is missing or unusable at ${bundled}`);
    expect(e.message).toContain('reinstall Mailmirror');
    expect(e.message).toContain('apt-get install redis-server');
  });
});

describe('wellKnownRedisDirs', () => {
  it('looks where Homebrew and MacPorts install on macOS, and in the usual folders on Linux', () => {
    expect(wellKnownRedisDirs('darwin')).toEqual(['/opt/homebrew/bin', '/usr/local/bin', '/opt/local/bin', '/usr/bin']);
    expect(wellKnownRedisDirs('linux')).toEqual([]);
    expect(wellKnownRedisDirs('win32')).toEqual([]);
  });
});
