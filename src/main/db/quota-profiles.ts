// The quota table each account was found on (MAILMIRROR_QUOTA_PROFILE=auto): the store side of
// gmail/quota-profile.ts's QuotaProfileRepository (the same shape; the store does not import gmail/).
import { eq } from 'drizzle-orm';
import type { QuotaProfileName } from '../../shared/gmail-quota';
import type { Db } from './client';
import { guarded } from './internal';
import { accounts } from './schema';

/** The table an account was found on, and when (ms). */
export type RememberedProfile = { profile: QuotaProfileName; checkedAt: number };

export const rememberedQuotaProfile = guarded(function rememberedQuotaProfile(db: Db, accountId: number): RememberedProfile | null {
  const row = db.orm
    .select({ profile: accounts.quotaProfile, checkedAt: accounts.quotaProfileCheckedAt })
    .from(accounts)
    .where(eq(accounts.id, accountId))
    .get();
  return row?.profile && row.checkedAt ? { profile: row.profile, checkedAt: row.checkedAt.getTime() } : null;
});

/** Remembers the answer (null: forgets it, to be found out again). */
export const rememberQuotaProfile = guarded(function rememberQuotaProfile(db: Db, accountId: number, r: RememberedProfile | null): void {
  db.orm
    .update(accounts)
    .set({ quotaProfile: r?.profile ?? null, quotaProfileCheckedAt: r ? new Date(r.checkedAt) : null })
    .where(eq(accounts.id, accountId))
    .run();
});

export function quotaProfileRepository(db: Db): {
  remembered(accountId: number): RememberedProfile | null;
  remember(accountId: number, r: RememberedProfile | null): void;
} {
  return {
    remembered: (accountId) => rememberedQuotaProfile(db, accountId),
    remember: (accountId, r) => rememberQuotaProfile(db, accountId, r),
  };
}
