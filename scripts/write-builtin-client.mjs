// Writes the OAuth client a distributor builds into the package: with MAILMIRROR_CLIENT_ID and
// MAILMIRROR_CLIENT_SECRET both set, build/oauth-client.json in Google's `installed` format, which
// electron-builder ships as resources/oauth-client.json (extraResources) and the app uses when the
// user brought no client of their own. With neither set, a stale file from an earlier build is
// removed, so a package never carries a client its builder did not mean to ship.
//
// The client secret of a "Desktop app" client is not a secret: an installed app cannot keep one, and
// Google says so ("In this context, the client secret is obviously not treated as a secret." —
// https://developers.google.com/identity/protocols/oauth2#installed); PKCE protects the flow instead.
// Still, it is written only here, never logged.
import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

export const BUILTIN_CLIENT_PATH = resolve('build', 'oauth-client.json');
const SUFFIX = '.apps.googleusercontent.com';

function main() {
  const id = process.env.MAILMIRROR_CLIENT_ID?.trim() ?? '';
  const secret = process.env.MAILMIRROR_CLIENT_SECRET?.trim() ?? '';
  if (!id && !secret) {
    rmSync(BUILTIN_CLIENT_PATH, { force: true });
    console.log('write-builtin-client: no MAILMIRROR_CLIENT_ID/MAILMIRROR_CLIENT_SECRET: the package has no built-in OAuth client (users bring their own)');
    return 0;
  }
  if (!id || !secret) {
    rmSync(BUILTIN_CLIENT_PATH, { force: true });
    console.error(`write-builtin-client: ${id ? 'MAILMIRROR_CLIENT_SECRET' : 'MAILMIRROR_CLIENT_ID'} is not set: set both to build a client into the package, or neither`);
    return 1;
  }
  if (!id.endsWith(SUFFIX) || id.length === SUFFIX.length || /\s/.test(id)) {
    rmSync(BUILTIN_CLIENT_PATH, { force: true });
    console.error(`write-builtin-client: MAILMIRROR_CLIENT_ID "${id}" is not a Google OAuth client ID (those end in ${SUFFIX})`);
    return 1;
  }
  const doc = {
    installed: {
      client_id: id,
      auth_uri: 'https://accounts.google.com/o/oauth2/auth',
      token_uri: 'https://oauth2.googleapis.com/token',
      auth_provider_x509_cert_url: 'https://www.googleapis.com/oauth2/v1/certs',
      client_secret: secret,
      redirect_uris: ['http://localhost'],
    },
  };
  mkdirSync(dirname(BUILTIN_CLIENT_PATH), { recursive: true });
  const tmp = `${BUILTIN_CLIENT_PATH}.${process.pid}.tmp`;
  // Readable by everyone once installed: it is shipped to every user of the package anyway.
  writeFileSync(tmp, `${JSON.stringify(doc, null, 2)}\n`, { mode: 0o644 });
  renameSync(tmp, BUILTIN_CLIENT_PATH);
  console.log(`write-builtin-client: built-in OAuth client ${id} written to build/oauth-client.json`);
  return 0;
}

process.exitCode = main();
