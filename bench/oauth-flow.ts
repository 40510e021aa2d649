// The installed-app OAuth flow (PKCE) against the Gmail emulator, done in this process for the bench's own
// googleapis loops: the emulator consents at once, as the account it was told to.
import { CodeChallengeMethod, OAuth2Client } from 'google-auth-library';
import type { EmulatorEndpoints } from '../test/helpers/cli';

export async function authorizeAtEmulator(emu: Pick<EmulatorEndpoints, 'clientId' | 'clientSecret' | 'oauth'>): Promise<OAuth2Client> {
  const auth = new OAuth2Client({
    clientId: emu.clientId,
    clientSecret: emu.clientSecret,
    redirectUri: 'http://127.0.0.1:1/cb',
    endpoints: { oauth2AuthBaseUrl: emu.oauth.authUrl, oauth2TokenUrl: emu.oauth.tokenUrl, oauth2RevokeUrl: emu.oauth.revokeUrl },
  });
  const { codeVerifier, codeChallenge } = await auth.generateCodeVerifierAsync();
  const authUrl = auth.generateAuthUrl({
    access_type: 'offline',
    scope: ['https://www.googleapis.com/auth/gmail.readonly'],
    code_challenge: codeChallenge,
    code_challenge_method: CodeChallengeMethod.S256,
  });
  const res = await fetch(authUrl, { redirect: 'manual' });
  const code = new URL(res.headers.get('location') ?? '').searchParams.get('code') ?? '';
  const { tokens } = await auth.getToken({ code, codeVerifier });
  auth.setCredentials(tokens);
  return auth;
}
