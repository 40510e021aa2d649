/** Public types of the Gmail emulator (see index.ts for the entry points). */
import type { GmailMethod, QuotaProfileName } from '../shared/gmail-quota';

export type FaultKind = '500' | '503' | 'reset' | '429' | 'slow';

export type QuotaOptions = {
  profile: QuotaProfileName;
  /** Budget = QUOTA_PROFILES[profile].unitsPerMinute * scale per user; 0 = unlimited. */
  scale: number;
  /** Per-user in-flight HTTP requests before "Too many concurrent requests for user" (default 10). */
  maxConcurrent?: number;
  /** '429' rateLimitExceeded, '403' userRateLimitExceeded, 'mixed' either (seeded). Default '429'. */
  errorStyle?: '429' | '403' | 'mixed';
  /**
   * The short moving window held together with the per-minute one: in any `windowMs` a user may spend
   * windowMs/60,000 of the per-minute budget. Default 1000 (Gmail's per-second moving average); 0 = minute only.
   */
  windowMs?: number;
};

export type FaultOptions = {
  rate: number;
  seed: number;
  kinds?: FaultKind[];
  /** Delay of a 'slow' fault before the (normal) answer; default 30000. */
  slowMs?: number;
};

export type LatencyOptions = { min: number; max: number };

export type EmulatorOptions = {
  /** 0/undefined = any free port; always binds 127.0.0.1. */
  port?: number;
  clientId?: string;
  clientSecret?: string;
  /**
   * Undefined = no quota and no concurrency limit. With an object, the concurrency limit applies
   * (maxConcurrent, default 10) and the unit budget too unless scale is 0.
   */
  quota?: QuotaOptions;
  latencyMs?: LatencyOptions;
  faults?: FaultOptions;
  /** Access token lifetime; default 3600. */
  accessTokenTtlSec?: number;
  seed?: number;
};

export type MailboxSpec = {
  messages: number;
  seed?: number;
  /** Average messages per thread (default 2.5); 1 = every message its own thread. */
  threadSize?: number;
  /** Default 12, including nested names like 'Work/Projects', with colors. */
  userLabels?: number;
  /** Default true: some messages in SPAM and TRASH. */
  spamTrash?: boolean;
  /** Count of ~1 MB messages (default 3 when messages >= 1000, else 0). */
  largeMessages?: number;
  /** Default true: iso-8859-1, windows-1252, iso-2022-jp and encoded-word headers. */
  oddCharsets?: boolean;
  /**
   * Share of messages (0–1) with attachments (files, or pictures shown inline by `cid:`); default: about 3 in 10,
   * like a mixed mailbox. 0: text only (plain or alternative); 1: every message carries some.
   */
  attachmentShare?: number;
};

export type GroundTruthLabel = {
  id: string;
  name: string;
  type: 'system' | 'user';
  messagesTotal: number;
  messagesUnread: number;
  threadsTotal: number;
  threadsUnread: number;
};

export type GroundTruthMessage = {
  id: string;
  threadId: string;
  labelIds: string[];
  internalDate: string;
  subject: string;
};

/** Exactly the CLI export shape, sorted: labels by id, messages by id, each labelIds sorted. */
export type GroundTruth = {
  account: string;
  historyId: string;
  labels: GroundTruthLabel[];
  messages: GroundTruthMessage[];
};

export type StatMethod = GmailMethod | 'batch' | 'unknown';

export type EmulatorStats = {
  /** Gmail API requests that arrived, per method (batch parts counted under their own method). */
  requests: Partial<Record<StatMethod, number>>;
  totalRequests: number;
  /** Quota units charged (every admitted call, at the active profile's costs; '2026' when quota is off). */
  unitsCharged: number;
  unitsByAccount: Record<string, number>;
  /** Quota rejections sent as 429 rateLimitExceeded / 403 userRateLimitExceeded. */
  quota429: number;
  quota403: number;
  /** "Too many concurrent requests for user." answers. */
  concurrency429: number;
  /** Every 429 / 403 sent for rate limiting (quota + concurrency + injected 429 faults). */
  sent429: number;
  sent403: number;
  unauthorized401: number;
  notFound404: number;
  faults: Record<FaultKind, number>;
  /** Highest number of in-flight requests seen for one user. */
  maxConcurrency: number;
  batchRequests: number;
  batchParts: number;
  /**
   * Per message id: how often its details were fetched (messages.get format full/raw answered 200,
   * plus each message returned by a threads.get with format full).
   */
  detailFetches: Record<string, number>;
  /** The largest value in detailFetches (0 when none). */
  maxDetailFetches: number;
  /**
   * Units charged over time since the stats were reset (their `since`, ms since 1970): units[i] were charged in the
   * i-th interval of tickMs. What a benchmark reads to see how much of the quota a client used, and when.
   */
  charges: { since: number; tickMs: number; units: number[] };
  oauth: { authorizations: number; codeExchanges: number; refreshes: number; revocations: number; invalidGrants: number };
};

export interface Mailbox {
  readonly email: string;
  historyId(): string;
  addMessage(opts?: { labelIds?: string[]; threadId?: string; subject?: string; internalDate?: number; raw?: string }): string;
  deleteMessage(id: string): void;
  modifyLabels(id: string, add: string[], remove: string[]): void;
  createLabel(name: string, opts?: { color?: { backgroundColor: string; textColor: string } }): string;
  renameLabel(id: string, name: string): void;
  /** Removes it from every message; like Gmail, do not rely on history records for it. */
  deleteLabel(id: string): void;
  /** history.list with a startHistoryId older than now -> 404 notFound. */
  expireHistory(): void;
  /** refresh -> invalid_grant; existing access tokens -> 401. */
  revokeTokens(): void;
  /** A realistic mix of adds, replies, deletes, label changes and label definition changes. */
  randomMutations(n: number, seed: number): void;
  groundTruth(): GroundTruth;
  messageIds(): string[];
}

export interface Emulator {
  readonly url: string;
  /** url + '/': the googleapis rootUrl. */
  readonly gmailApiUrl: string;
  readonly oauth: { authUrl: string; tokenUrl: string; revokeUrl: string; tokenInfoUrl: string };
  readonly clientId: string;
  readonly clientSecret: string;
  /** Generates the mailbox (default spec: 200 messages, seed from the address). Throws if it exists. */
  addAccount(email: string, spec?: MailboxSpec): Mailbox;
  /** Throws for an unknown account. */
  account(email: string): Mailbox;
  /**
   * Who authorizations consent as from now on (default: the first account added); a login_hint
   * naming a known account wins.
   */
  setConsentAccount(email: string): void;
  setQuota(q: EmulatorOptions['quota']): void;
  setFaults(f: EmulatorOptions['faults']): void;
  setLatency(l: EmulatorOptions['latencyMs']): void;
  stats(): EmulatorStats;
  resetStats(): void;
  close(): Promise<void>;
}
