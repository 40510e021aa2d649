// Accounts: few rows, read rarely, so drizzle's query builder (typed Date/boolean mapping) is fine.
import { asc, eq } from 'drizzle-orm';
import type { Db } from './client';
import { guarded, inTransaction } from './internal';
import { accounts, type Account } from './schema';

export type { Account };

/** Fields a caller may change; id, email and createdAt are fixed. */
export type AccountPatch = Partial<Omit<typeof accounts.$inferInsert, 'id' | 'email' | 'createdAt'>>;

/** Gmail addresses are case-insensitive: one account per address however it was typed. */
export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

export const getAccount = guarded(function getAccount(db: Db, id: number): Account | null {
  return db.orm.select().from(accounts).where(eq(accounts.id, id)).get() ?? null;
});

export const getAccountByEmail = guarded(function getAccountByEmail(db: Db, email: string): Account | null {
  return db.orm.select().from(accounts).where(eq(accounts.email, normalizeEmail(email))).get() ?? null;
});

/** Creates the account, or returns the existing one with that address (unchanged). */
export const createAccount = guarded(function createAccount(db: Db, input: { email: string }): Account {
  const email = normalizeEmail(input.email);
  if (email.length === 0) throw new TypeError('createAccount: email is empty');
  db.orm.insert(accounts).values({ email }).onConflictDoNothing({ target: accounts.email }).run();
  const row = db.orm.select().from(accounts).where(eq(accounts.email, email)).get();
  if (!row) throw new Error(`createAccount: ${email} vanished right after insert`);
  return row;
});

export const listAccounts = guarded(function listAccounts(db: Db): Account[] {
  return db.orm.select().from(accounts).orderBy(asc(accounts.id)).all();
});

/** Applies the patch and returns the updated account (null when it does not exist). */
export const updateAccount = guarded(function updateAccount(db: Db, id: number, patch: AccountPatch): Account | null {
  const values = Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)) as AccountPatch;
  if (Object.keys(values).length > 0) {
    db.orm.update(accounts).set(values).where(eq(accounts.id, id)).run();
  }
  return getAccount(db, id);
});

/**
 * Deletes the account and, through ON DELETE CASCADE, its labels, messages, label rows,
 * attachments, sync runs and local counts. Returns whether it existed.
 */
export const deleteAccount = guarded(function deleteAccount(db: Db, id: number): boolean {
  return inTransaction(db, () => db.orm.delete(accounts).where(eq(accounts.id, id)).run().changes > 0);
});

/** An account carried into a rebuilt store: its id (the UI remembers it), address, token and choices; no sync state. */
export type RestoredAccount = {
  id: number;
  email: string;
  tokenCipher: string | null;
  includeSpamTrash: boolean;
  /** Why it must be reconnected (its token could not be read), or null. */
  needsReconnect: string | null;
};

/** Inserts the accounts of a rebuild into a new, empty store, in one transaction. */
export const restoreAccounts = guarded(function restoreAccounts(db: Db, rows: readonly RestoredAccount[]): void {
  inTransaction(db, () => {
    for (const r of rows) {
      db.orm
        .insert(accounts)
        .values({
          id: r.id,
          email: normalizeEmail(r.email),
          tokenCipher: r.needsReconnect ? null : r.tokenCipher,
          includeSpamTrash: r.includeSpamTrash,
          status: r.needsReconnect ? 'needs_reconnect' : 'active',
          lastError: r.needsReconnect,
        })
        .onConflictDoNothing()
        .run();
    }
  });
});

/** Flags the account: sync stops for it, the UI asks to reconnect, and all its data stays. */
export const markNeedsReconnect = guarded(function markNeedsReconnect(db: Db, id: number, message: string): void {
  db.orm.update(accounts).set({ status: 'needs_reconnect', lastError: message }).where(eq(accounts.id, id)).run();
});
