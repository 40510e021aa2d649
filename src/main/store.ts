// The app's store in its data folder: opened only after its checks (db/store-health.ts), and, when damaged, rebuilt
// into a new file with the damaged one kept aside. The CLI, the app core and the demo open it through here.
import { existsSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { databaseFile, DATABASE_FILE_NAME, openDatabase, type Db } from './db/client';
import { restoreAccounts, type RestoredAccount } from './db/accounts';
import { salvageAccounts, setDamagedFileAside, type VerifyMode } from './db/store-health';
import { KEY_FILE_NAME } from './gmail/secret-box';
import { USER_CLIENT_FILE_NAME } from './gmail/oauth-client-store';

export { DATABASE_FILE_NAME, databaseFile };

/**
 * Whether Mailmirror used this folder before: the key of its sign-ins, its settings, a saved OAuth client, or a
 * write-ahead log with data. An empty database beside any of them was emptied, not made new.
 */
export function dataFolderInUse(dataDir: string): boolean {
  if ([KEY_FILE_NAME, 'settings.json', USER_CLIENT_FILE_NAME].some((f) => existsSync(join(dataDir, f)))) return true;
  try {
    return statSync(`${databaseFile(dataDir)}-wal`).size > 0;
  } catch {
    return false;
  }
}

/**
 * Opens the folder's store, checked first (`auto`: bounded, see store-health.ts; `always`: whatever its size or
 * history). Throws DatabaseDamagedError when it is damaged, and remembers that beside the file.
 */
export function openStore(dataDir: string, opts: { verify?: VerifyMode } = {}): Db {
  return openDatabase(databaseFile(dataDir), {
    verify: opts.verify ?? 'auto',
    markers: true,
    folderInUse: () => dataFolderInUse(dataDir),
  });
}

/**
 * The accounts a rebuild carries over, read (read-only) from the damaged file; `tokenReadable` says whether a
 * stored token still decrypts (tokens live in the database, encrypted with a key kept outside it). An account
 * whose token is lost must be reconnected; one whose row is lost is not known at all.
 */
export function accountsToCarryOver(dataDir: string, tokenReadable: (cipher: string) => boolean): RestoredAccount[] {
  return salvageAccounts(databaseFile(dataDir)).map((a) => {
    const ok = a.tokenCipher !== null && tokenReadable(a.tokenCipher);
    return {
      ...a,
      needsReconnect: ok ? null : 'Its sign-in was lost with the damaged mailbox database: reconnect it to sync it again.',
    };
  });
}

export type RebuiltStore = {
  db: Db;
  /** The damaged file's new name (in the data folder), or null when there was no file. */
  keptAs: string | null;
  accounts: RestoredAccount[];
};

/**
 * Sets the damaged file aside (`mailmirror.damaged-<time>.db` with its -wal/-shm), makes a new store and puts the
 * accounts back into it, unsynced. Every connection of this process to the old file must be closed.
 */
export function rebuildStore(dataDir: string, accounts: RestoredAccount[]): RebuiltStore {
  const kept = setDamagedFileAside(databaseFile(dataDir));
  const db = openStore(dataDir, { verify: 'never' });
  try {
    restoreAccounts(db, accounts);
  } catch (e) {
    db.close();
    throw e;
  }
  return { db, keptAs: kept === null ? null : basename(kept), accounts };
}
