// Which OAuth client the app uses, and the one a user brought. In order of precedence:
//   1. explicit: --client-id/--client-secret or MAILMIRROR_CLIENT_ID/MAILMIRROR_CLIENT_SECRET (a contract);
//   2. the user's: saved by `mailmirror client set` or the app's guided setup into <dataDir>/oauth-client.enc,
//      encrypted with the SecretBox that encrypts tokens (Electron: safeStorage; headless: the 0600 key file);
//   3. built in by whoever distributed the package: Google's `installed` JSON in resources/oauth-client.json.
// Light on purpose (no google-auth-library): `mailmirror client show` loads only this.
import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, fsyncSync, openSync, readFileSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { z } from 'zod';
import type { AppConfig } from '../config';
import type { ClientStatus } from '../../shared/ipc';
import {
  clientFileTooLarge,
  MAX_CLIENT_JSON_BYTES,
  parseClientJson,
  parseClientPair,
  type OAuthClientCredentials,
  type OAuthClientSource,
} from '../../shared/oauth-client';
import { registerSecret } from './redact';
import type { SecretBox } from './secret-box';
import { MailmirrorError } from '../errors';

export const USER_CLIENT_FILE_NAME = 'oauth-client.enc';

const HOW_TO_CONFIGURE =
  'create a Google Cloud OAuth client of type "Desktop app", download its JSON and run '
  + '`mailmirror client set --file <client_secret_….json>` (or use Connect Gmail in the app; '
  + '--client-id/--client-secret and MAILMIRROR_CLIENT_ID/MAILMIRROR_CLIENT_SECRET work too)';

/** Connecting (or refreshing a token) needs an OAuth client and none is configured. */
export class OAuthClientMissingError extends MailmirrorError {
  readonly code = 'OAUTH_CLIENT_MISSING';
  readonly ipcCode = 'CLIENT_NOT_CONFIGURED';
  constructor() {
    super(`no OAuth client is configured: ${HOW_TO_CONFIGURE}`);
  }
}

/** The saved client exists but this data folder's key (or this keychain) cannot open it. */
export class UserClientUnreadableError extends MailmirrorError {
  readonly code = 'CLIENT_UNREADABLE';
  readonly ipcCode = 'INTERNAL';
}

export type EffectiveClient = OAuthClientCredentials & { source: OAuthClientSource };


// What the encrypted file holds. The id is also kept in clear (it is not a secret: it is in every
// consent URL) so `client show` can name a client saved by another SecretBox; the decrypted copy is
// the one used.
const filePayload = z.object({ version: z.literal(1), clientId: z.string(), cipher: z.string() });
const sealedPayload = z.object({ kind: z.literal('mailmirror oauth client v1'), clientId: z.string(), clientSecret: z.string() });

export function userClientFile(dataDir: string): string {
  return join(dataDir, USER_CLIENT_FILE_NAME);
}

function writeFileAtomic(file: string, data: string): void {
  const tmp = join(dirname(file), `.${basename(file)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  const fd = openSync(tmp, 'wx', 0o600);
  try {
    try {
      writeSync(fd, data);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, file);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
}

function readJsonFile(file: string): unknown | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

/** The id of the saved client without decrypting it, or null when none is saved. */
export function savedUserClientId(dataDir: string): string | null {
  const parsed = filePayload.safeParse(readJsonFile(userClientFile(dataDir)));
  return parsed.success ? parsed.data.clientId : null;
}

/** The user's saved client, decrypted; null when none is saved. */
export function readUserClient(dataDir: string, box: SecretBox): OAuthClientCredentials | null {
  const raw = readJsonFile(userClientFile(dataDir));
  if (raw === undefined) return null;
  const outer = filePayload.safeParse(raw);
  if (!outer.success) throw new UserClientUnreadableError(`${USER_CLIENT_FILE_NAME} is damaged: set the OAuth client again`);
  let inner: unknown;
  try {
    inner = JSON.parse(box.decrypt(outer.data.cipher));
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    throw new UserClientUnreadableError(`the saved OAuth client ${outer.data.clientId} cannot be read here (${why}): set it again`);
  }
  const sealed = sealedPayload.safeParse(inner);
  if (!sealed.success || sealed.data.clientId !== outer.data.clientId) {
    throw new UserClientUnreadableError(`${USER_CLIENT_FILE_NAME} is damaged: set the OAuth client again`);
  }
  registerSecret(sealed.data.clientSecret);
  return { clientId: sealed.data.clientId, clientSecret: sealed.data.clientSecret };
}

export function saveUserClient(dataDir: string, box: SecretBox, client: OAuthClientCredentials): void {
  const cipher = box.encrypt(JSON.stringify({ kind: 'mailmirror oauth client v1', ...client }));
  writeFileAtomic(userClientFile(dataDir), `${JSON.stringify({ version: 1, clientId: client.clientId, cipher })}\n`);
}

/** Removes the saved client; true when there was one. */
export function clearUserClient(dataDir: string): boolean {
  const file = userClientFile(dataDir);
  if (!existsSync(file)) return false;
  rmSync(file, { force: true });
  return true;
}

/** Reads a client JSON file from disk, refusing an oversized one before reading it. */
export function readClientFile(file: string): OAuthClientCredentials {
  const name = basename(file);
  const size = statSync(file).size;
  if (size > MAX_CLIENT_JSON_BYTES) throw clientFileTooLarge(size, name);
  return parseClientJson(readFileSync(file, 'utf8'), name);
}

/** The distributor's client; null when the package has none. A broken one is an error (a packaging bug). */
export function readBuiltinClient(file: string | undefined): OAuthClientCredentials | null {
  if (!file || !existsSync(file)) return null;
  const client = readClientFile(file);
  registerSecret(client.clientSecret);
  return client;
}

/** True when the config names a client explicitly (flags/env, or a config built by code). */
export function hasExplicitClient(config: Pick<AppConfig, 'clientId' | 'clientSource'>): boolean {
  return config.clientSource === 'environment' || (config.clientSource === undefined && config.clientId !== '');
}

export type Resolution = { client: EffectiveClient | null; warnings: string[] };

/**
 * The client in effect for a config whose explicit client (if any) is in clientId/clientSecret.
 * Never throws for a bad saved or built-in client: it is skipped and named in `warnings`.
 */
export function resolveEffectiveClient(config: AppConfig, box: () => SecretBox): Resolution {
  const warnings: string[] = [];
  if (hasExplicitClient(config)) {
    registerSecret(config.clientSecret);
    return { client: { clientId: config.clientId, clientSecret: config.clientSecret, source: 'environment' }, warnings };
  }
  try {
    // The box is only built when a client was saved (the headless one creates the key file).
    const user = existsSync(userClientFile(config.dataDir)) ? readUserClient(config.dataDir, box()) : null;
    if (user) return { client: { ...user, source: 'user' }, warnings };
  } catch (e) {
    warnings.push(e instanceof Error ? e.message : String(e));
  }
  try {
    const builtin = readBuiltinClient(config.builtinClientFile);
    if (builtin) return { client: { ...builtin, source: 'builtin' }, warnings };
  } catch (e) {
    warnings.push(`the OAuth client built into this package is unusable (${e instanceof Error ? e.message : String(e)})`);
  }
  return { client: null, warnings };
}

/** Puts the effective client into the config (which every OAuth2Client is built from). */
export function applyEffectiveClient(config: AppConfig, box: () => SecretBox): Resolution {
  const r = resolveEffectiveClient(config, box);
  config.clientId = r.client?.clientId ?? '';
  config.clientSecret = r.client?.clientSecret ?? '';
  config.clientSource = r.client?.source ?? null;
  return r;
}

export type SetClientInput = { json: string; name?: string } | { clientId: string; clientSecret: string };

/**
 * The user's client for one data folder and the config built from it: the core and the CLI both
 * go through this, so a saved or cleared client takes effect the same way everywhere.
 */
export class OAuthClientStore {
  private boxInstance: SecretBox | null = null;

  constructor(
    private readonly config: AppConfig,
    private readonly makeBox: () => SecretBox,
    private readonly onChange: (r: Resolution) => void = () => undefined,
  ) {}

  private box = (): SecretBox => (this.boxInstance ??= this.makeBox());

  /** Resolves the effective client into the config (at start, and after every change). */
  apply(): Resolution {
    const before = `${this.config.clientId}\n${this.config.clientSecret}`;
    const r = applyEffectiveClient(this.config, this.box);
    if (`${this.config.clientId}\n${this.config.clientSecret}` !== before) this.onChange(r);
    return r;
  }

  /** The client in effect, re-read first: `mailmirror client set` may have changed it meanwhile. */
  status(): ClientStatus {
    this.apply();
    const configured = this.config.clientId !== '';
    return {
      configured,
      source: configured ? (this.config.clientSource ?? 'environment') : null,
      clientId: configured ? this.config.clientId : null,
    };
  }

  /** The id of the user's saved client (even when an explicit one overrides it). */
  savedClientId(): string | null {
    return savedUserClientId(this.config.dataDir);
  }

  /** Parses (throwing OAuthClientRefusedError with the precise reason), saves, and applies. */
  set(input: SetClientInput): { client: OAuthClientCredentials; status: ClientStatus } {
    const client = 'json' in input ? parseClientJson(input.json, input.name || 'This file') : parseClientPair(input.clientId, input.clientSecret);
    registerSecret(client.clientSecret);
    saveUserClient(this.config.dataDir, this.box(), client);
    this.apply();
    return { client, status: this.status() };
  }

  /** Removes the user's client (if any) and applies what is left. */
  clear(): { removed: string | null; status: ClientStatus } {
    const id = savedUserClientId(this.config.dataDir);
    const had = clearUserClient(this.config.dataDir);
    this.apply();
    return { removed: had ? (id ?? 'the saved client') : null, status: this.status() };
  }
}

/** "(from your saved client)" and friends: where a client comes from, in words. */
export function describeClientSource(source: OAuthClientSource, explicitBy?: 'flag' | 'env'): string {
  switch (source) {
    case 'user':
      return 'from your saved client';
    case 'builtin':
      return 'built into this package';
    case 'environment':
      return explicitBy === 'flag' ? 'from --client-id' : explicitBy === 'env' ? 'from MAILMIRROR_CLIENT_ID' : 'from --client-id or MAILMIRROR_CLIENT_ID';
  }
}
