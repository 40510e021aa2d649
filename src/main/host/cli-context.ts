// What every CLI command receives, and the store the light commands (account, status, export) open
// without starting Redis or workers.
import type { AppConfig, ConfigFlags } from '../config';
import type { Db } from '../db/client';
import { DATABASE_FILE_NAME, databaseFile as storeFile, openStore } from '../store';
import { ensurePrivateDataDir } from '../data-dir';
import { FileKeySecretBox, type SecretBox } from '../gmail/secret-box';

export type CliContext = {
  config: AppConfig;
  /** The global options as given on the command line (before environment and defaults). */
  flags: ConfigFlags;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  /** stdout is a terminal: progress bars instead of plain lines. */
  isTTY: boolean;
};

export { DATABASE_FILE_NAME };

export function databaseFile(config: Pick<AppConfig, 'dataDir'>): string {
  return storeFile(config.dataDir);
}

export type LocalStore = { readonly db: Db; readonly box: SecretBox; close(): void };

/**
 * The data folder (mode 0700), its database (checked first: a damaged one throws DatabaseDamagedError), and its
 * token key (loaded when first used).
 */
export function openLocalStore(config: AppConfig): LocalStore {
  ensurePrivateDataDir(config.dataDir);
  const db = openStore(config.dataDir);
  let box: SecretBox | undefined;
  return {
    db,
    get box() {
      box ??= new FileKeySecretBox(config.dataDir);
      return box;
    },
    close: () => db.close(),
  };
}
