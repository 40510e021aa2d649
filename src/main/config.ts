// Resolves the app's configuration from CLI flags, then environment variables, then defaults.
// The names of the flags and variables are a contract (issue 3): keep them to the letter.
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { isQuotaProfileName, type QuotaProfileSetting } from '../shared/gmail-quota';
import type { OAuthClientSource } from '../shared/oauth-client';
import { MailmirrorError } from './errors';

export type AppConfig = {
  dataDir: string;
  /** Use this Redis instead of spawning one (shared Redis, several worker processes). */
  redisUrl?: string;
  /** Root URL of the Gmail API, ending in '/': googleapis appends 'gmail/v1/…'. */
  gmailApiUrl: string;
  oauthAuthUrl: string;
  oauthTokenUrl: string;
  oauthRevokeUrl: string;
  /**
   * The OAuth client in effect ('' when none). resolveConfig() fills it from --client-id or
   * MAILMIRROR_CLIENT_ID only; the core (and `account add`) then resolve the effective one with
   * src/main/gmail/oauth-client-store.ts: explicit flags/env > the user's saved client > the built-in one.
   */
  clientId: string;
  clientSecret: string;
  /**
   * Where clientId came from. 'environment' (or unset with a clientId: a config built by code,
   * e.g. the demo's) is explicit and wins; the resolver sets 'user', 'builtin' or null.
   */
  clientSource?: OAuthClientSource | null;
  /**
   * A client built into the package by its distributor (Google's `installed` JSON):
   * MAILMIRROR_BUILTIN_CLIENT_FILE, else `oauth-client.json` in Electron's process.resourcesPath.
   */
  builtinClientFile?: string;
  /** MAILMIRROR_QUOTA_PROFILE: Gmail's quota table, or `auto` (default): found out per account. */
  quotaProfile: QuotaProfileSetting;
  /** Multiplies the per-minute budget the governor assumes (0 = no pacing). Only for emulators. */
  quotaScale: number;
  /** Requests in flight per account (Gmail answers 429 past a small number). */
  maxInFlight: number;
  /** Incremental sync interval for the job scheduler. */
  syncIntervalMs: number;
  /**
   * How old Gmail's label counts may get (MAILMIRROR_LABEL_RECOUNT_MS): incremental passes read the counts of the
   * labels their changes touched, and every label's once this long has passed since the oldest was read.
   */
  labelRecountMs: number;
  /** BullMQ key prefix (tests use a unique one). */
  queuePrefix: string;
  /** Bull Board (`serve`, /queues/) may retry, remove and clean jobs (MAILMIRROR_QUEUES_WRITABLE=1); read-only otherwise. */
  queuesWritable: boolean;
  /**
   * How long one Gmail request may take before it is abandoned and retried (MAILMIRROR_GMAIL_TIMEOUT_MS;
   * default: the client's DEFAULT_GMAIL_TIMEOUT_MS). Lowered by tests that inject slow answers.
   */
  gmailTimeoutMs?: number;
};

export type ConfigFlags = Partial<Record<
  'dataDir' | 'redisUrl' | 'gmailApiUrl' | 'oauthAuthUrl' | 'oauthTokenUrl' | 'oauthRevokeUrl' | 'clientId' | 'clientSecret',
  string
>>;

export const GOOGLE_DEFAULTS = {
  gmailApiUrl: 'https://gmail.googleapis.com/',
  oauthAuthUrl: 'https://accounts.google.com/o/oauth2/v2/auth',
  oauthTokenUrl: 'https://oauth2.googleapis.com/token',
  oauthRevokeUrl: 'https://oauth2.googleapis.com/revoke',
} as const;

export class ConfigError extends MailmirrorError {
  readonly code = 'CONFIG_INVALID';
  readonly ipcCode = 'UNSUPPORTED';
}

function num(v: string | undefined, name: string, def: number): number {
  if (v === undefined || v === '') return def;
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0) throw new ConfigError(`${name} must be a non-negative number, got "${v}"`);
  return n;
}

function url(v: string, name: string): string {
  try {
    const u = new URL(v);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error();
  } catch {
    throw new ConfigError(`${name} is not an http(s) URL: "${v}"`);
  }
  return v;
}

export function defaultDataDir(env: NodeJS.ProcessEnv = process.env): string {
  if (process.platform === 'darwin') return join(homedir(), 'Library', 'Application Support', 'Mailmirror');
  if (process.platform === 'win32') return join(env.APPDATA ?? join(homedir(), 'AppData', 'Roaming'), 'Mailmirror');
  return join(env.XDG_DATA_HOME ?? join(homedir(), '.local', 'share'), 'mailmirror');
}

/** The distributor's client file: set by the env (tests), else in the packaged app's resources. */
export const BUILTIN_CLIENT_FILE_NAME = 'oauth-client.json';

function builtinClientFile(env: NodeJS.ProcessEnv): string | undefined {
  if (env.MAILMIRROR_BUILTIN_CLIENT_FILE) return resolve(env.MAILMIRROR_BUILTIN_CLIENT_FILE);
  // Only Electron defines resourcesPath (the packaged app's resources/ folder).
  const resources = (process as { resourcesPath?: unknown }).resourcesPath;
  return typeof resources === 'string' && resources ? join(resources, BUILTIN_CLIENT_FILE_NAME) : undefined;
}

export function resolveConfig(flags: ConfigFlags = {}, env: NodeJS.ProcessEnv = process.env): AppConfig {
  const pick = (flag: keyof ConfigFlags, envName: string): string | undefined => {
    const v = flags[flag] ?? env[envName];
    return v === undefined || v === '' ? undefined : v;
  };
  let gmailApiUrl = url(pick('gmailApiUrl', 'MAILMIRROR_GMAIL_API_URL') ?? GOOGLE_DEFAULTS.gmailApiUrl, '--gmail-api-url');
  if (!gmailApiUrl.endsWith('/')) gmailApiUrl += '/';
  const profile = env.MAILMIRROR_QUOTA_PROFILE || 'auto';
  if (profile !== 'auto' && !isQuotaProfileName(profile)) {
    throw new ConfigError(`MAILMIRROR_QUOTA_PROFILE must be "auto", "2026" or "legacy", got "${profile}"`);
  }
  const clientId = pick('clientId', 'MAILMIRROR_CLIENT_ID');
  return {
    dataDir: resolve(pick('dataDir', 'MAILMIRROR_DATA_DIR') ?? defaultDataDir(env)),
    redisUrl: pick('redisUrl', 'REDIS_URL'),
    gmailApiUrl,
    oauthAuthUrl: url(pick('oauthAuthUrl', 'MAILMIRROR_OAUTH_AUTH_URL') ?? GOOGLE_DEFAULTS.oauthAuthUrl, '--oauth-auth-url'),
    oauthTokenUrl: url(pick('oauthTokenUrl', 'MAILMIRROR_OAUTH_TOKEN_URL') ?? GOOGLE_DEFAULTS.oauthTokenUrl, '--oauth-token-url'),
    oauthRevokeUrl: url(pick('oauthRevokeUrl', 'MAILMIRROR_OAUTH_REVOKE_URL') ?? GOOGLE_DEFAULTS.oauthRevokeUrl, '--oauth-revoke-url'),
    clientId: clientId ?? '',
    clientSecret: pick('clientSecret', 'MAILMIRROR_CLIENT_SECRET') ?? '',
    clientSource: clientId ? 'environment' : null,
    builtinClientFile: builtinClientFile(env),
    quotaProfile: profile,
    quotaScale: num(env.MAILMIRROR_QUOTA_SCALE, 'MAILMIRROR_QUOTA_SCALE', 1),
    maxInFlight: Math.max(1, Math.floor(num(env.MAILMIRROR_MAX_IN_FLIGHT, 'MAILMIRROR_MAX_IN_FLIGHT', 10))),
    syncIntervalMs: Math.max(1000, num(env.MAILMIRROR_SYNC_INTERVAL_MS, 'MAILMIRROR_SYNC_INTERVAL_MS', 60_000)),
    labelRecountMs: num(env.MAILMIRROR_LABEL_RECOUNT_MS, 'MAILMIRROR_LABEL_RECOUNT_MS', 3600_000),
    queuePrefix: env.MAILMIRROR_QUEUE_PREFIX ?? 'mailmirror',
    queuesWritable: env.MAILMIRROR_QUEUES_WRITABLE === '1',
    gmailTimeoutMs: env.MAILMIRROR_GMAIL_TIMEOUT_MS
      ? Math.max(1, num(env.MAILMIRROR_GMAIL_TIMEOUT_MS, 'MAILMIRROR_GMAIL_TIMEOUT_MS', 0))
      : undefined,
  };
}
