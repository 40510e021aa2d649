// The one error model of main: every error class in src/main is a MailmirrorError with a code of its own and the
// contract code it crosses the IPC boundary as. The classes are found by reading the sources, so a new one is
// checked without being listed here.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { IPC_ERROR_CODES } from '../../src/shared/ipc';
import { MailmirrorError } from '../../src/main/errors';
import { toIpcError } from '../../src/main/ipc/errors';

const MAIN = resolve(__dirname, '../../src/main');

/** Constructor arguments of the classes whose constructor takes more than a message. */
const ARGS: Record<string, unknown[]> = {
  RedisNotFoundError: [['PATH (empty)']],
  RedisCannotRunError: ['/opt/redis-server', false, 'exec format error', 'install redis-server'],
  DataDirNotWritableError: ['/data', 'permission', 'EACCES'],
  RedisTooOldError: ['4.0.9', 'the redis-server at /usr/bin/redis-server'],
  RedisUnreachableError: ['redis://127.0.0.1:1', new Error('connect ECONNREFUSED')],
  RedisStartError: ['redis-server exited', []],
  GmailRateLimitError: ['slow down', 'rateLimitExceeded', undefined],
  QuotaExhaustedError: ['daily limit', undefined],
  GmailForbiddenError: ['forbidden', 'insufficientPermissions'],
  RefusedRequestError: ['CLIENT_INVALID', 'not a Desktop app client'],
  OAuthTimeoutError: [1000],
};

type Declared = { file: string; name: string; abstract: boolean };

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
    const p = join(dir, d.name);
    if (d.isDirectory()) return sources(p);
    return d.name.endsWith('.ts') && !d.name.endsWith('.d.ts') ? [p] : [];
  });
}

/** Every class in src/main whose name or base class name ends in "Error". */
function declaredErrorClasses(): Declared[] {
  const out: Declared[] = [];
  for (const file of sources(MAIN)) {
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/^export (abstract )?class (\w+) extends (\w+)/gm)) {
      if (m[2].endsWith('Error') || m[3].endsWith('Error')) out.push({ file, name: m[2], abstract: !!m[1] });
    }
    // An error class that is not exported could not be checked (nor caught by class elsewhere).
    expect(text, relative(MAIN, file)).not.toMatch(/^(?!export )\s*(abstract )?class \w+Error extends/m);
  }
  return out;
}

async function instances(): Promise<Array<{ name: string; file: string; error: MailmirrorError }>> {
  const out: Array<{ name: string; file: string; error: MailmirrorError }> = [];
  for (const d of declaredErrorClasses()) {
    if (d.abstract) continue;
    const mod = (await import(d.file)) as Record<string, unknown>;
    const Cls = mod[d.name] as new (...args: unknown[]) => unknown;
    expect(typeof Cls, `${d.name} in ${relative(MAIN, d.file)}`).toBe('function');
    const error = new Cls(...(ARGS[d.name] ?? ['something failed']));
    expect(error, `${d.name} is a MailmirrorError`).toBeInstanceOf(MailmirrorError);
    out.push({ name: d.name, file: relative(MAIN, d.file), error: error as MailmirrorError });
  }
  return out;
}

describe('the error model', () => {
  it('every error class of main is a MailmirrorError that maps to a contract code', async () => {
    const all = await instances();
    // Sanity: the scan found the classes (store, Gmail, OAuth, Redis, IPC, account, config…).
    expect(all.length).toBeGreaterThan(45);
    for (const { name, error } of all) {
      expect(error.code, name).toMatch(/^[A-Z][A-Z_]+$/);
      expect(IPC_ERROR_CODES, `${name}.ipcCode`).toContain(error.ipcCode);
      expect(toIpcError(error).code, name).toBe(error.ipcCode);
      expect(error.name, name).toBe(name);
    }
  });

  it('one class per outcome: no two classes share a code', async () => {
    const byCode = new Map<string, string[]>();
    for (const { name, error } of await instances()) byCode.set(error.code, [...(byCode.get(error.code) ?? []), name]);
    const shared = [...byCode].filter(([, names]) => names.length > 1);
    expect(shared).toEqual([]);
  });

});
