// The packaged desktop app, tested as packaged: `electron-builder --dir` output for Linux x64
// (release/linux-unpacked, built by scripts/packaging/dist-dir.mjs with a stand-in for the Electron
// binary, which cannot be downloaded here), then its main bundle started under a TEST DOUBLE OF
// ELECTRON'S RUNTIME (test/electron-double/) with an empty PATH, so only the bundled redis-server can
// be found. The same journey runs with the real Electron in .github/workflows/release.yml.
import { execFileSync, fork, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getCurrentFuseWire, FuseV1Options } from '@electron/fuses';

/** @electron/fuses' wire bytes ('0' and '1'). */
const FuseState = { DISABLE: 48, ENABLE: 49 } as const;
import { INVOKE_CHANNELS } from '../../src/shared/ipc-channels';
import { startEmulator, type Emulator } from '../../src/emulator';
import { emulatorEndpointsEnv } from '../helpers/cli';

const ROOT = resolve(__dirname, '..', '..');
const OUT = join(ROOT, 'release', 'linux-unpacked');
const RESOURCES = join(OUT, 'resources');

type Reply = { type: string; id?: number; result?: unknown; error?: string; [k: string]: unknown };

/** One run of the packaged app under the Electron runtime double. */
class PackagedApp {
  private nextId = 1;
  private waiting = new Map<number, (r: Reply) => void>();
  readonly messages: Reply[] = [];
  readonly exited: Promise<number | null>;
  stderr = '';

  constructor(readonly proc: ChildProcess) {
    proc.on('message', (m: Reply) => {
      this.messages.push(m);
      if (m.type === 'reply' && m.id !== undefined) this.waiting.get(m.id)?.(m);
    });
    proc.stderr?.on('data', (d) => (this.stderr += d));
    this.exited = new Promise((r) => proc.once('exit', (code) => r(code)));
  }

  static start(dataDir: string, env: Record<string, string> = {}): PackagedApp {
    const proc = fork(join(ROOT, 'test', 'electron-double', 'run-packaged.cjs'), [OUT], {
      // Empty PATH: a system redis-server must not be found; the bundled one must.
      env: { HOME: dataDir, PATH: '', MAILMIRROR_DATA_DIR: dataDir, MAILMIRROR_QUOTA_SCALE: '20', ...env },
      execPath: process.execPath,
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    return new PackagedApp(proc);
  }

  request(msg: Record<string, unknown>): Promise<Reply> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no answer in 60 s to ${JSON.stringify(msg).slice(0, 120)}; stderr: ${this.stderr.slice(-500)}`)), 60_000);
      this.waiting.set(id, (r) => {
        clearTimeout(timer);
        resolve(r);
      });
      this.proc.send({ ...msg, id });
    });
  }

  async invoke<T = unknown>(channel: string, request: unknown): Promise<{ ok: boolean; value?: T; error?: { code: string; message: string } }> {
    const r = await this.request({ op: 'invoke', channel, request });
    if (r.error) throw new Error(r.error);
    return r.result as { ok: boolean; value?: T; error?: { code: string; message: string } };
  }

  async ok<T = unknown>(channel: string, request: unknown): Promise<T> {
    const r = await this.invoke<T>(channel, request);
    if (!r.ok) throw new Error(`${channel}: ${r.error?.code} ${r.error?.message}`);
    return r.value as T;
  }

  /** The user quits (Cmd+Q / last window closed): no answer, the process exits. */
  quit(): void {
    if (this.proc.connected) this.proc.send({ op: 'quit' });
  }

  async windowLoaded(timeoutMs = 60_000): Promise<void> {
    const t0 = Date.now();
    while (!this.messages.some((m) => m.type === 'window-loaded')) {
      const box = this.messages.find((m) => m.type === 'error-box');
      if (box) throw new Error(`the app showed an error: ${box.title}: ${box.message}`);
      if (this.proc.exitCode !== null) throw new Error(`the app exited (${this.proc.exitCode}): ${this.stderr}`);
      if (Date.now() - t0 > timeoutMs) throw new Error(`no window after ${timeoutMs} ms: ${this.stderr}`);
      await sleep(50);
    }
  }
}

async function until<T>(what: string, fn: () => Promise<T | null | undefined | false>, timeoutMs = 120_000): Promise<T> {
  const t0 = Date.now();
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await sleep(200);
  }
}

/** PIDs of redis-servers whose command line or cwd mentions `dir`. */
function redisPidsUnder(dir: string): number[] {
  const pids: number[] = [];
  for (const p of readdirSync('/proc')) {
    if (!/^\d+$/.test(p)) continue;
    try {
      const cmd = readFileSync(`/proc/${p}/cmdline`, 'utf8');
      if (!cmd.includes('redis-server')) continue;
      let cwd = '';
      try {
        cwd = execFileSync('readlink', [`/proc/${p}/cwd`], { encoding: 'utf8' });
      } catch {
        /* gone */
      }
      if (cmd.includes(dir) || cwd.includes(dir)) pids.push(Number(p));
    } catch {
      /* gone */
    }
  }
  return pids;
}

type Status = { phase: string; processed: number; total: number | null };
type Label = { id: string; messagesTotal: number | null; localTotal?: number; [k: string]: unknown };

describe('the packaged app (electron-builder --dir, run under a test double of Electron’s runtime)', () => {
  const dirs: string[] = [];
  let emulator: Emulator;

  beforeAll(() => {
    // MAILMIRROR_TEST_REUSE_PACKAGE=1 reuses release/linux-unpacked from an earlier `npm run dist:dir` (while iterating).
    if (process.env.MAILMIRROR_TEST_REUSE_PACKAGE !== '1') execFileSync(process.execPath, ['scripts/packaging/dist-dir.mjs'], { cwd: ROOT, stdio: 'inherit', env: { ...process.env, MAILMIRROR_CLIENT_ID: '', MAILMIRROR_CLIENT_SECRET: '' } });
  }, 600_000);

  afterAll(async () => {
    await emulator?.close();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it('holds the main bundle, preload, renderer, migrations, emulator, and a bundled redis-server that runs', async () => {
    const asar = await import('@electron/asar');
    const files = new Set(asar.listPackage(join(RESOURCES, 'app.asar'), { isPack: false }));
    for (const f of ['/dist/src/main/electron/main.js', '/dist/preload/preload.cjs', '/dist/renderer/index.html', '/drizzle/meta/_journal.json', '/drizzle/0000_init.sql', '/dist/src/emulator/index.js']) {
      expect(files.has(f), f).toBe(true);
    }
    expect([...files].filter((f) => f.endsWith('.map') || f.startsWith('/test/') || f.startsWith('/dist/test/') || f.startsWith('/dist/bench/'))).toEqual([]);
    expect(existsSync(join(RESOURCES, 'app.asar.unpacked', 'node_modules', 'better-sqlite3', 'build', 'Release', 'better_sqlite3.node'))).toBe(true);
    const v = execFileSync(join(RESOURCES, 'redis', 'redis-server'), ['--version'], { encoding: 'utf8' });
    expect(v).toMatch(/v=7\.\d+\.\d+/);
    expect(existsSync(join(RESOURCES, 'redis', 'COPYING'))).toBe(true);
  });

  it('has the Electron fuses set (no RunAsNode, NODE_OPTIONS or --inspect; app only from an integrity-checked asar)', async () => {
    const wire = await getCurrentFuseWire(join(OUT, 'mailmirror'));
    expect(wire[FuseV1Options.RunAsNode]).toBe(FuseState.DISABLE);
    expect(wire[FuseV1Options.EnableNodeOptionsEnvironmentVariable]).toBe(FuseState.DISABLE);
    expect(wire[FuseV1Options.EnableNodeCliInspectArguments]).toBe(FuseState.DISABLE);
    expect(wire[FuseV1Options.OnlyLoadAppFromAsar]).toBe(FuseState.ENABLE);
    expect(wire[FuseV1Options.EnableEmbeddedAsarIntegrityValidation]).toBe(FuseState.ENABLE);
    expect(wire[FuseV1Options.GrantFileProtocolExtraPrivileges]).toBe(FuseState.DISABLE);
  });

  it('refuses to ship a native module of the wrong ABI or OS', () => {
    const check = join(ROOT, 'scripts', 'packaging', 'check-package.cjs');
    // This package's better-sqlite3 is built for Node 20 (ABI 115): as an Electron 45 package it must fail.
    const asElectron = (() => {
      try {
        execFileSync(process.execPath, [check, OUT, '--abi', '150'], { encoding: 'utf8', stdio: 'pipe' });
        return '';
      } catch (e) {
        return String((e as { stderr?: string }).stderr);
      }
    })();
    expect(asElectron).toMatch(/better_sqlite3\.node is built for ABI 115 \(Node 20\), but the package runs on ABI 150/);
    const asWindows = (() => {
      try {
        execFileSync(process.execPath, [check, OUT, '--platform', 'win32', '--abi', '150'], { encoding: 'utf8', stdio: 'pipe' });
        return '';
      } catch (e) {
        return String((e as { stderr?: string }).stderr);
      }
    })();
    expect(asWindows).toMatch(/better_sqlite3\.node is built for linux-x64, but this package is for win32-x64/);
    // And as what it is (a package for the stand-in runtime on this Node) it passes.
    expect(execFileSync(process.execPath, [check, OUT, '--abi', process.versions.modules], { encoding: 'utf8' })).toMatch(/linux-x64 OK/);
  });

  it('keeps electron-builder’s default deb dependencies', () => {
    const yml = readFileSync(join(ROOT, 'electron-builder.yml'), 'utf8');
    expect(yml).not.toMatch(/^\s+depends:/m);
  });

  it('starts with an empty PATH on its bundled redis-server, answers every channel through the preload, runs the demo, connects a configured client, and quits mid-sync in < 2 s losing nothing', async () => {
    emulator = await startEmulator({ quota: { profile: '2026', scale: 20 }, latencyMs: { min: 2, max: 8 } });
    emulator.addAccount('user@example.com', { messages: 1500, seed: 16 });
    const dataDir = mkdtempSync(join(tmpdir(), 'mm-packaged-'));
    dirs.push(dataDir);
    const env = emulatorEndpointsEnv(emulator);
    let app = PackagedApp.start(dataDir, env);
    await app.windowLoaded();
    const rec = (await app.request({ op: 'recorded' })).result as {
      schemes: { scheme: string }[]; protocols: string[]; sandboxEnabled: boolean; windows: { url: string; webPreferences: Record<string, unknown> }[];
    };
    expect(rec.windows[0].url).toBe('app://mailmirror/index.html');
    expect(rec.windows[0].webPreferences).toMatchObject({ contextIsolation: true, sandbox: true, nodeIntegration: false });
    expect(rec.sandboxEnabled).toBe(true);
    expect(rec.protocols).toContain('app');
    const index = (await app.request({ op: 'fetch-app', url: 'app://mailmirror/index.html' })).result as { status: number; csp: string; text: string };
    expect(index.status).toBe(200);
    expect(index.csp).toContain("default-src 'none'");
    expect(index.csp).toContain("script-src 'self'");
    expect(index.text).toContain('<div id="root">');
    expect(((await app.request({ op: 'fetch-app', url: 'app://mailmirror/%2e%2e/%2e%2e/package.json' })).result as { status: number }).status).toBe(404);
    // The bundled redis-server is the one running (PATH is empty).
    expect(redisPidsUnder(dataDir).length).toBeGreaterThan(0);
    const cmdline = readFileSync(`/proc/${redisPidsUnder(dataDir)[0]}/cmdline`, 'utf8');
    expect(cmdline.startsWith(join(RESOURCES, 'redis', 'redis-server'))).toBe(true);

    // Every channel of the contract answers in the contract's shape (a bad request is INVALID_REQUEST).
    for (const channel of INVOKE_CHANNELS) {
      const r = await app.invoke(channel, { bogus: '\u0000'.repeat(3), accountId: 'x' });
      expect(typeof r.ok, channel).toBe('boolean');
      if (!r.ok) expect(r.error!.code, channel).not.toBe('INTERNAL');
    }
    const info = await app.ok<{ demoAvailable: boolean }>('app:info', {});
    expect(info.demoAvailable).toBe(true);

    // The demo mailbox, inside the app.
    const demo = await app.ok<{ email: string }>('accounts:connectDemo', {});
    expect(demo.email).toMatch(/demo/);
    const [demoAccount] = await app.ok<{ id: number }[]>('accounts:list', {});
    await until('the demo to finish', async () => {
      const s = await app.ok<Status>('sync:status', { accountId: demoAccount.id });
      return s.total !== null && s.processed === s.total && s.phase === 'idle';
    });
    const labels = await app.ok<Label[]>('labels:list', { accountId: demoAccount.id });
    expect(labels.find((l) => l.id === 'INBOX')).toBeTruthy();

    // Back to the user's own mirror: connect a Gmail account with a client the user brings.
    await app.ok('accounts:remove', { accountId: demoAccount.id });
    expect(await app.ok<unknown[]>('accounts:list', {})).toEqual([]);
    const none = await app.invoke('accounts:connect', {});
    expect(none.ok).toBe(false);
    expect(none.error!.code).toBe('CLIENT_NOT_CONFIGURED');
    await app.ok('client:set', { json: JSON.stringify({ installed: { client_id: emulator.clientId, client_secret: emulator.clientSecret, redirect_uris: ['http://localhost'] } }) });
    const flow = await app.ok<{ flowId: string; authUrl: string }>('accounts:connect', {});
    await fetch(flow.authUrl); // the emulator consents at once and redirects to the app's loopback
    await app.ok('accounts:connectResult', { flowId: flow.flowId });
    const [acct] = await app.ok<{ id: number }[]>('accounts:list', {});
    await until('the sync to be under way', async () => {
      const s = await app.ok<Status>('sync:status', { accountId: acct.id });
      return s.total !== null && s.processed > 100 && s.processed < s.total;
    });

    // Quit mid-sync: every process (redis-server included) is gone within 2 s.
    const t0 = Date.now();
    app.quit();
    await app.exited;
    await until('redis-server to stop', async () => redisPidsUnder(dataDir).length === 0, 3000);
    const quitMs = Date.now() - t0;
    const closed = readFileSync(join(dataDir, 'logs', 'mailmirror.log'), 'utf8').split('\n').filter((l) => l.includes('core closed'));
    console.log(`quit mid-sync took ${quitMs} ms; ${closed.join(' ')}`);
    expect(quitMs).toBeLessThan(2000);

    // The next start resumes and finishes: the mirror equals the mailbox.
    app = PackagedApp.start(dataDir, env);
    await app.windowLoaded();
    await until('the resumed sync to finish', async () => {
      const s = await app.ok<Status>('sync:status', { accountId: acct.id });
      return s.total === 1500 && s.processed === 1500 && s.phase === 'idle';
    }, 240_000);
    const inbox = (await app.ok<Label[]>('labels:list', { accountId: acct.id })).find((l) => l.id === 'INBOX')!;
    expect(inbox.messagesTotal).toBeGreaterThan(0);
    app.quit();
    await app.exited;
    expect(redisPidsUnder(dataDir)).toEqual([]);
  }, 600_000);
});
