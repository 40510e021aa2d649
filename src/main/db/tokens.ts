// The accounts' sign-ins as the Gmail side needs them: each account's encrypted token set (the store never sees the
// clear text; gmail/token-store.ts encrypts it) and the writes connecting, refreshing and removing make. gmail/ does
// not import the store (DESIGN.md: gmail/ → no db/): it takes this object, passed in where Gmail access is built.
import { eq } from 'drizzle-orm';
import type { Db } from './client';
import { createAccount, deleteAccount, getAccount, getAccountByEmail, markNeedsReconnect, updateAccount } from './accounts';
import { guarded, transaction } from './internal';
import { accounts, type Account } from './schema';

/** An account as its sign-in needs it. */
export type AccountSignIn = Pick<Account, 'id' | 'email' | 'tokenCipher'>;

/** The store side of gmail/token-store.ts's TokenRepository (the same shape; the composition root joins them). */
export type StoreTokenRepository = {
  /** The account (by id, or by address ignoring case), or null when it does not exist. */
  account(idOrEmail: number | string): AccountSignIn | null;
  /** The account's encrypted token set, null when it has none or does not exist. */
  tokenCipher(accountId: number): string | null;
  setTokenCipher(accountId: number, cipher: string): void;
  /** Flags the account: sync stops for it, the UI asks to reconnect, and all its data stays. */
  markNeedsReconnect(accountId: number, message: string): void;
  /** A fresh sign-in for an address: a new account, or a reconnect that clears the needs-reconnect flag (mail kept). */
  saveConnected(email: string, tokenCipher: string): { accountId: number; email: string; created: boolean };
  /** Deletes the account and everything stored for it. Returns whether it existed. */
  deleteAccount(accountId: number): boolean;
  /** Runs fn holding the store's write lock: a read-modify-write of a token other processes may refresh too. */
  exclusive<T>(fn: () => T): T;
};

const signIn = (a: Account | null): AccountSignIn | null => (a ? { id: a.id, email: a.email, tokenCipher: a.tokenCipher } : null);

const tokenCipherOf = guarded(function tokenCipherOf(db: Db, accountId: number): string | null {
  return db.orm.select({ tokenCipher: accounts.tokenCipher }).from(accounts).where(eq(accounts.id, accountId)).get()?.tokenCipher ?? null;
});

const setTokenCipher = guarded(function setTokenCipher(db: Db, accountId: number, cipher: string): void {
  db.orm.update(accounts).set({ tokenCipher: cipher }).where(eq(accounts.id, accountId)).run();
});

const saveConnected = guarded(function saveConnected(db: Db, email: string, tokenCipher: string) {
  return transaction(
    db,
    () => {
      const existing = getAccountByEmail(db, email);
      const account = existing ?? createAccount(db, { email });
      // null, not undefined: updateAccount skips undefined fields, and the old error must go.
      updateAccount(db, account.id, { tokenCipher, status: 'active', lastError: null });
      return { accountId: account.id, email: account.email, created: !existing };
    },
    { immediate: true },
  );
});

/** The accounts' sign-ins in this store, for gmail/ (account-auth.ts, token-store.ts, gmail-access.ts). */
export function tokenRepository(db: Db): StoreTokenRepository {
  return {
    account: (idOrEmail) => signIn(typeof idOrEmail === 'number' ? getAccount(db, idOrEmail) : getAccountByEmail(db, idOrEmail)),
    tokenCipher: (accountId) => tokenCipherOf(db, accountId),
    setTokenCipher: (accountId, cipher) => setTokenCipher(db, accountId, cipher),
    markNeedsReconnect: (accountId, message) => markNeedsReconnect(db, accountId, message),
    saveConnected: (email, cipher) => saveConnected(db, email, cipher),
    deleteAccount: (accountId) => deleteAccount(db, accountId),
    exclusive: (fn) => transaction(db, fn, { immediate: true }),
  };
}
