/**
 * The OAuth client a user brings: Google's downloaded `client_secret_….json` of a "Desktop app"
 * client, or its id and secret pasted. Shared by main (which decides) and the renderer (which
 * refuses an oversized file before reading it), so both say the same precise words.
 *
 * Google's format for installed apps: https://developers.google.com/identity/protocols/oauth2/native-app
 * `{"installed":{"client_id":"….apps.googleusercontent.com","project_id":…,"auth_uri":…,
 *   "token_uri":…,"client_secret":"…","redirect_uris":["http://localhost"]}}`
 */
import { z } from 'zod';

/** Where the OAuth client in effect comes from, in order of precedence. */
export const OAUTH_CLIENT_SOURCES = ['environment', 'user', 'builtin'] as const;
export type OAuthClientSource = (typeof OAUTH_CLIENT_SOURCES)[number];

export type OAuthClientCredentials = { clientId: string; clientSecret: string };

/** A Google client JSON is about 400 bytes; anything past this is another file. */
export const MAX_CLIENT_JSON_BYTES = 64 * 1024;
/** A client id is ~75 characters and a secret ~35: these bound a paste. */
export const MAX_CLIENT_FIELD_CHARS = 1024;
export const GOOGLE_CLIENT_ID_SUFFIX = '.apps.googleusercontent.com';

export type ClientRefusalReason =
  | 'too_large'
  | 'not_json'
  | 'web_client'
  | 'service_account'
  | 'wrong_shape'
  | 'missing_client_id'
  | 'bad_client_id'
  | 'missing_client_secret';

/** The file or the pasted pair is not a usable Desktop app client; the message says what to do. */
export class OAuthClientRefusedError extends Error {
  readonly code = 'CLIENT_INVALID';
  constructor(
    readonly reason: ClientRefusalReason,
    message: string,
  ) {
    super(message);
  }
}

const CREATE_DESKTOP_CLIENT = 'create one under Credentials → Create credentials → OAuth client ID → Desktop app';

/** `10.0 MB`, `70.0 KB`, `512 bytes` (binary multiples, as file managers show them). */
export function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} bytes`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

/** UTF-8 length without Buffer (the renderer has none). */
export function utf8Length(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      n += 4;
      i++;
    } else n += 3;
  }
  return n;
}

/** The refusal for a file over MAX_CLIENT_JSON_BYTES (also raised before reading it, from its size). */
export function clientFileTooLarge(bytes: number, subject = 'This file'): OAuthClientRefusedError {
  return new OAuthClientRefusedError(
    'too_large',
    `${subject} is ${formatSize(bytes)}; a Google client JSON is under 1 KB — pick the file named client_secret_….json`,
  );
}

/** Google's OAuth client ids end in `.apps.googleusercontent.com` (the emulator's does too). */
export function checkClientId(raw: unknown, missing: string): string {
  if (typeof raw !== 'string' || raw.trim() === '') throw new OAuthClientRefusedError('missing_client_id', missing);
  const id = raw.trim();
  if (!id.endsWith(GOOGLE_CLIENT_ID_SUFFIX) || id.length === GOOGLE_CLIENT_ID_SUFFIX.length || /\s/.test(id)) {
    throw new OAuthClientRefusedError(
      'bad_client_id',
      `"${id.length > 80 ? `${id.slice(0, 77)}…` : id}" is not a Google OAuth client ID (those end in ${GOOGLE_CLIENT_ID_SUFFIX}) — copy the Client ID of your Desktop app client`,
    );
  }
  return id;
}

function checkSecret(raw: unknown, missing: string): string {
  if (typeof raw !== 'string' || raw.trim() === '') throw new OAuthClientRefusedError('missing_client_secret', missing);
  return raw.trim();
}

// Google shows a new client's secret (and a JSON that holds it) only in the dialog that created it.
const SECRET_HINT = 'download the JSON from the dialog that created the client, or add a new secret on the client\'s page (Google Cloud console → Clients)';

/**
 * Where JSON.parse gave up, in a few words. V8's own message quotes a slice of the text, which may
 * hold the very secret being pasted: it is never passed on.
 */
function jsonProblem(e: unknown): string {
  const m = e instanceof Error ? e.message : String(e);
  if (/end of JSON input|Unterminated string/i.test(m)) return 'it ends before its JSON does';
  const line = /\(line (\d+) column (\d+)\)/.exec(m);
  if (line) return `unexpected text at line ${line[1]}, column ${line[2]}`;
  const pos = /at position (\d+)/.exec(m);
  if (pos) return `unexpected text at position ${pos[1]}`;
  const token = /Unexpected token '(.)'/.exec(m);
  if (token) return `unexpected '${token[1]}'`;
  return 'its text cannot be read as JSON';
}

const record = z.record(z.string(), z.unknown());
const installedSchema = z.object({ installed: record }).loose();

/**
 * Parses Google's downloaded client JSON. Accepts only an `installed` ("Desktop app") client;
 * `subject` names the file in messages ("client_secret_123.json").
 */
export function parseClientJson(text: string, subject = 'This file'): OAuthClientCredentials {
  const bytes = utf8Length(text);
  if (bytes > MAX_CLIENT_JSON_BYTES) throw clientFileTooLarge(bytes, subject);
  if (text.trim() === '') throw new OAuthClientRefusedError('not_json', `${subject} is not JSON: it is empty — pick the client_secret_….json file Google gave you`);
  let doc: unknown;
  try {
    doc = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (e) {
    throw new OAuthClientRefusedError('not_json', `${subject} is not JSON: ${jsonProblem(e)} — pick the client_secret_….json file Google gave you`);
  }
  const top = record.safeParse(doc);
  if (!top.success) {
    throw new OAuthClientRefusedError('wrong_shape', `${subject} is JSON but not a Google OAuth client — pick the client_secret_….json file of a Desktop app client`);
  }
  const obj = top.data;
  if (!('installed' in obj) && record.safeParse(obj.web).success) {
    throw new OAuthClientRefusedError(
      'web_client',
      `${subject} is a 'Web application' client; Mailmirror needs a 'Desktop app' client: ${CREATE_DESKTOP_CLIENT}`,
    );
  }
  if (obj.type === 'service_account') {
    throw new OAuthClientRefusedError(
      'service_account',
      `${subject} is a service account key, not an OAuth client; Mailmirror needs a 'Desktop app' client: ${CREATE_DESKTOP_CLIENT}`,
    );
  }
  const parsed = installedSchema.safeParse(obj);
  if (!parsed.success) {
    throw new OAuthClientRefusedError(
      'wrong_shape',
      `${subject} is not a Google OAuth client file: it has no "installed" section — download the JSON of a 'Desktop app' client (Google Cloud console → Clients)`,
    );
  }
  const installed = parsed.data.installed;
  return {
    clientId: checkClientId(installed.client_id, `${subject} has no client_id — download the JSON of your Desktop app client again (Google Cloud console → Clients)`),
    clientSecret: checkSecret(installed.client_secret, `${subject} has no client_secret — ${SECRET_HINT}`),
  };
}

/** A pasted client ID and secret, checked like the file's. */
export function parseClientPair(clientId: unknown, clientSecret: unknown): OAuthClientCredentials {
  if (typeof clientId === 'string' && clientId.length > MAX_CLIENT_FIELD_CHARS) {
    throw new OAuthClientRefusedError('bad_client_id', `The client ID is ${formatSize(clientId.length)} long; a Google client ID is about 75 characters — copy only the Client ID`);
  }
  if (typeof clientSecret === 'string' && clientSecret.length > MAX_CLIENT_FIELD_CHARS) {
    throw new OAuthClientRefusedError('missing_client_secret', `The client secret is ${formatSize(clientSecret.length)} long; a Google client secret is about 35 characters — copy only the Client secret`);
  }
  return {
    clientId: checkClientId(clientId, 'The client ID is empty — paste the Client ID of your Desktop app client'),
    clientSecret: checkSecret(clientSecret, `The client secret is empty — paste it too; if you no longer see it, ${SECRET_HINT}`),
  };
}

/** Google's `installed` format, as `scripts/write-builtin-client.mjs` and tests write it. */
export function installedClientJson(client: OAuthClientCredentials, extra: { projectId?: string; authUri?: string; tokenUri?: string } = {}): string {
  return JSON.stringify({
    installed: {
      client_id: client.clientId,
      ...(extra.projectId ? { project_id: extra.projectId } : {}),
      auth_uri: extra.authUri ?? 'https://accounts.google.com/o/oauth2/auth',
      token_uri: extra.tokenUri ?? 'https://oauth2.googleapis.com/token',
      auth_provider_x509_cert_url: 'https://www.googleapis.com/oauth2/v1/certs',
      client_secret: client.clientSecret,
      redirect_uris: ['http://localhost'],
    },
  });
}
