// Shared fixtures (vitest `test.extend`) for the tests that drive the CLI against the Gmail emulator: one emulator
// per file, fresh data folders removed after each test, the CLI's environment for them, and a connected account.
//
//   const it = mirrorTest({ emulator: { accessTokenTtlSec: 60 } });
//   it('…', async ({ emu, connectAccount }) => {
//     const { box, dir, env } = await connectAccount('a@example.com', { messages: 300, seed: 1 });
//   });
//
// Files whose tests share state set up once use the file-scoped ones in `it.beforeAll(({ emu, fileDir }) => …)`.
//
// The store's unit tests take a fresh in-memory store, and an account in it, from `storeTest`:
//
//   const it = storeTest;
//   it('…', ({ db, acc }) => { … });
import { expect, test } from 'vitest';
import { startEmulator, type Emulator, type EmulatorOptions, type Mailbox, type MailboxSpec } from '../../src/emulator';
import { createAccount, openDatabase } from '../../src/main/db';
import { addAccount, emulatorEnv, tempDir, type AddAccountResult, type CliEnv } from './cli';

export type MirrorTestOptions = {
  /** The file's emulator (started at its first test that asks for it, closed after its last). */
  emulator?: EmulatorOptions;
  /** Which CLI connectAccount runs: the built one (default) or the source through tsx. */
  cli?: 'built' | 'source';
  /** Prefix of the data folders' names in the temp folder (default 'mm-test-'). */
  tempPrefix?: string;
  /** Runs before a data folder is removed (the chaos suite ends a redis-server a SIGKILLed CLI left behind). */
  beforeRemove?: (dir: string) => void;
};

export type ConnectedAccount = {
  email: string;
  /** The account's mailbox in the emulator (its ground truth, mutations, …). */
  box: Mailbox;
  /** Its data folder. */
  dir: string;
  /** The CLI's environment for that folder and this emulator. */
  env: CliEnv;
  /** What `account add` printed. */
  add: AddAccountResult;
};

export type ConnectOptions = {
  /** More environment (or overrides) for the CLI. */
  extra?: CliEnv;
  /** A data folder to use instead of a fresh one. */
  dir?: string;
};

export type MirrorFixtures = {
  emu: Emulator;
  /**
   * A temp folder for the whole file, removed after its last test: for files whose tests share one data folder
   * set up once (`it.beforeAll(({ emu, fileDir }) => …)`).
   */
  fileDir: string;
  /** Another fresh data folder, removed after the test. */
  newDataDir: () => string;
  /** A fresh data folder, removed after the test. */
  dataDir: string;
  /** emulatorEnv(emu, dataDir). */
  cliEnv: CliEnv;
  /**
   * Adds `email` to the emulator with `spec`, makes it the account that consents, and runs `account add` in a
   * fresh data folder (or `dir`), which must succeed.
   */
  connectAccount: (email: string, spec: MailboxSpec, opts?: ConnectOptions) => Promise<ConnectedAccount>;
};

export function mirrorTest(options: MirrorTestOptions = {}) {
  return test
    .extend('mirrorOptions', { scope: 'file' }, options)
    .extend('emu', { scope: 'file' }, async ({ mirrorOptions }, { onCleanup }) => {
      const emu = await startEmulator(mirrorOptions.emulator ?? {});
      onCleanup(() => emu.close());
      return emu;
    })
    .extend('fileDir', { scope: 'file' }, ({ mirrorOptions }, { onCleanup }) => {
      const t = tempDir(mirrorOptions.tempPrefix);
      onCleanup(() => {
        mirrorOptions.beforeRemove?.(t.dir);
        t.cleanup();
      });
      return t.dir;
    })
    .extend('newDataDir', async ({ mirrorOptions }, { onCleanup }) => {
      const made: { dir: string; cleanup: () => void }[] = [];
      onCleanup(() => {
        for (const t of made.reverse()) {
          mirrorOptions.beforeRemove?.(t.dir);
          t.cleanup();
        }
      });
      return () => {
        const t = tempDir(mirrorOptions.tempPrefix);
        made.push(t);
        return t.dir;
      };
    })
    .extend('dataDir', ({ newDataDir }) => newDataDir())
    .extend('cliEnv', ({ emu, dataDir }) => emulatorEnv(emu, dataDir))
    .extend('connectAccount', ({ emu, newDataDir, mirrorOptions }) => {
      return async (email: string, spec: MailboxSpec, opts: ConnectOptions = {}): Promise<ConnectedAccount> => {
        const box = emu.addAccount(email, spec);
        emu.setConsentAccount(email);
        const dir = opts.dir ?? newDataDir();
        const env = emulatorEnv(emu, dir, opts.extra);
        const add = await addAccount(env, [], { from: mirrorOptions.cli ?? 'built' });
        expect(add.code, add.stderr).toBe(0);
        return { email, box, dir, env, add };
      };
    });
}

/**
 * A fresh in-memory store per test (`db`, closed after it) and an account in it (`acc`, me@example.com's id).
 * Fixtures are made only for the tests that ask for them: a test that takes `db` alone gets a store with no account.
 */
export const storeTest = test
  // vitest reads the fixtures a fixture depends on from its first parameter, which must be an object pattern: none here.
  // eslint-disable-next-line no-empty-pattern
  .extend('db', ({}, { onCleanup }) => {
    const db = openDatabase(':memory:');
    onCleanup(() => db.close());
    return db;
  })
  .extend('acc', ({ db }) => createAccount(db, { email: 'me@example.com' }).id);
