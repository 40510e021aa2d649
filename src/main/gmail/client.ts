// The googleapis Gmail client, pointed at Google or at the emulator through `rootUrl`.
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
// The Gmail API alone: `googleapis`' index loads every Google API (~3 s at each CLI start).
import { gmail as gmailApi, type gmail_v1 } from 'googleapis/build/src/apis/gmail';
import type { OAuth2Client } from 'google-auth-library';

export const DEFAULT_GMAIL_TIMEOUT_MS = 60_000;

// One pool per protocol for the whole process: a full sync makes thousands of small requests to one host, and a
// fresh TLS handshake per request would cost more than the request. gaxios 7 sends through node-fetch 3, which
// takes `agent` as an http(s).Agent or a function of the URL (GaxiosOptions.agent).
const httpAgent = new HttpAgent({ keepAlive: true, maxSockets: 64 });
const httpsAgent = new HttpsAgent({ keepAlive: true, maxSockets: 64 });

export function gmailAgent(url: URL): HttpAgent {
  return url.protocol === 'http:' ? httpAgent : httpsAgent;
}

export function createGmailClient(opts: { rootUrl: string; auth: OAuth2Client; timeoutMs?: number }): gmail_v1.Gmail {
  return gmailApi({
    version: 'v1',
    auth: opts.auth,
    rootUrl: opts.rootUrl.endsWith('/') ? opts.rootUrl : `${opts.rootUrl}/`,
    // googleapis would otherwise retry 408/429/5xx GETs itself, ignoring Retry-After and spending quota units the
    // governor never counted: every retry belongs to the quota governor (and BullMQ's attempts).
    retry: false,
    timeout: opts.timeoutMs ?? DEFAULT_GMAIL_TIMEOUT_MS,
    agent: gmailAgent,
  });
}
