// The store-only core: what the light commands (`status`, `account list`, `account add`, `export`, `search`)
// use. It opens the data folder's store (checked first: a damaged one throws DatabaseDamagedError) and
// its token key, and starts neither Redis nor workers, so it works while another process syncs. Its reads
// go through the store's repositories, whose guard already turns SQLite's errors into the store's.
import type { AppConfig } from './config';
import type { Db } from './db/client';
import { getAccountByEmail, listAccounts, type Account } from './db/accounts';
import { exportMirror, type MirrorExport } from './db/export';
import { forEachSearchMatch, type SearchMatch } from './db/search';
import { tokenRepository } from './db/tokens';
import { readStatusSnapshot } from './db/status-snapshot';
import { databaseFile, openStore } from './store';
import { recordDamage } from './db/store-health';
import type { DatabaseDamagedError } from './db/errors';
import { ensurePrivateDataDir } from './data-dir';
import { FileKeySecretBox, type SecretBox } from './gmail/secret-box';
import { AccountNotFoundError } from './gmail/account-errors';
import { OAuthClientStore } from './gmail/oauth-client-store';
import type { InstalledAppFlowOptions } from './gmail/oauth';
import { accountStatus, type AccountStatus } from './sync/status';
import { exportAccountFromCore, type AccountExportRequest } from './export/app-export';
import type { ExportResult } from './export/export-account';

export type { AccountStatus, ExportResult, SearchMatch };

export class StoreCore {
  /** Remembers beside the store that it is damaged, so every later command knows it at once. */
  static recordDamage(dataDir: string, damage: DatabaseDamagedError): void {
    recordDamage(databaseFile(dataDir), damage);
  }

  private box?: SecretBox;

  private constructor(private readonly config: AppConfig, private readonly db: Db) {}

  /** The data folder (mode 0700) and its store. */
  static open(config: AppConfig): StoreCore {
    ensurePrivateDataDir(config.dataDir);
    return new StoreCore({ ...config }, openStore(config.dataDir));
  }

  private get secretBox(): SecretBox {
    return (this.box ??= new FileKeySecretBox(this.config.dataDir));
  }

  listAccounts(): Account[] {
    return listAccounts(this.db);
  }

  /** The account with that address; AccountNotFoundError (with the way to list them) when there is none. */
  account(email: string): Account {
    const a = getAccountByEmail(this.db, email);
    if (!a) throw new AccountNotFoundError(`no account ${email} (see \`mailmirror account list\`)`);
    return a;
  }

  /** Every account's status from the store alone: sync/status.ts's projection with no live facts but the quota setting. */
  statuses(): AccountStatus[] {
    return listAccounts(this.db).flatMap((a) => {
      const snap = readStatusSnapshot(this.db, a.id);
      return snap ? [accountStatus(snap, { quotaProfile: this.config.quotaProfile })] : [];
    });
  }

  exportAccount(email: string): MirrorExport {
    const a = this.account(email);
    const doc = exportMirror(this.db, a.id);
    if (!doc) throw new AccountNotFoundError(`no account ${email}`);
    return doc;
  }

  /**
   * Every original of the account as an mbox file or a folder of .eml files (export/app-export.ts): read from a
   * snapshot of the store, so it works while another process syncs; `path` absolute.
   */
  exportOriginals(email: string, req: Omit<AccountExportRequest, 'accountId'>): Promise<ExportResult> {
    return exportAccountFromCore(this.config.dataDir, { ...req, accountId: this.account(email).id });
  }

  /**
   * Every message of the account that a Gmail search matches, newest first, one at a time (never all in memory);
   * answers how many. SearchQueryError for a search that cannot be read, before the first row.
   */
  searchAccount(email: string, query: string, onRow: (row: SearchMatch) => void): number {
    return forEachSearchMatch(this.db, this.account(email).id, query, onRow);
  }

  /**
   * The OAuth client in effect (explicit > the user's saved one > built in), applied to this core's config;
   * answers the warnings to show (a saved client that cannot be read, …).
   */
  applyClient(): string[] {
    return new OAuthClientStore(this.config, () => this.secretBox).apply().warnings;
  }

  /**
   * Runs Gmail's consent flow and stores the account's tokens (encrypted). Its first sync starts when a process
   * with workers next starts (the app, `serve`, `worker`, `sync`): they reconcile every account from the store.
   */
  async connectAccount(flow: Omit<InstalledAppFlowOptions, 'config'>): Promise<{ accountId: number; email: string; created: boolean }> {
    const { connectAccount } = await import('./gmail/account-auth.js');
    return connectAccount({ tokenRepo: tokenRepository(this.db), config: this.config, box: this.secretBox }, flow);
  }

  close(): void {
    this.db.close();
  }
}
