/**
 * Gmail's per-user quota, as two profiles (DESIGN.md; developers.google.com/workspace/gmail/api/reference/quota).
 * Which applies depends on the OAuth client's Google Cloud project, so the user (or the emulator) picks one.
 * Shared by the app's quota governor and the emulator, which must agree on unit costs.
 */
export type QuotaProfileName = '2026' | 'legacy';
/** MAILMIRROR_QUOTA_PROFILE: a table, or `auto` (the default): found out per account by the app. */
export type QuotaProfileSetting = QuotaProfileName | 'auto';
/** How an account's table was chosen: configured, detected (auto), or assumed (auto, not found out yet: `2026`). */
export type QuotaProfileSource = 'set' | 'detected' | 'assumed';

export type GmailMethod =
  | 'users.getProfile'
  | 'labels.list'
  | 'labels.get'
  | 'messages.list'
  | 'messages.get'
  | 'messages.attachments.get'
  | 'threads.list'
  | 'threads.get'
  | 'history.list';

export type QuotaProfile = {
  name: QuotaProfileName;
  /** Units per user per minute. */
  unitsPerMinute: number;
  costs: Record<GmailMethod, number>;
};

export const QUOTA_PROFILES: Record<QuotaProfileName, QuotaProfile> = {
  '2026': {
    name: '2026',
    unitsPerMinute: 6000,
    costs: {
      'users.getProfile': 1,
      'labels.list': 1,
      'labels.get': 1,
      'messages.list': 5,
      'messages.get': 20,
      'messages.attachments.get': 20,
      'threads.list': 10,
      'threads.get': 40,
      'history.list': 2,
    },
  },
  legacy: {
    name: 'legacy',
    unitsPerMinute: 15000,
    costs: {
      'users.getProfile': 1,
      'labels.list': 1,
      'labels.get': 1,
      'messages.list': 5,
      'messages.get': 5,
      'messages.attachments.get': 5,
      'threads.list': 10,
      'threads.get': 10,
      'history.list': 2,
    },
  },
};

export function isQuotaProfileName(v: unknown): v is QuotaProfileName {
  return v === '2026' || v === 'legacy';
}
