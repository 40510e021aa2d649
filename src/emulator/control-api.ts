/**
 * The emulator's control API under /__emulator/ (JSON), so another process (the CLI, a demo, a test
 * driving a child process) can change mailboxes and read ground truth and stats:
 *
 *   GET  info                                  url, endpoints, client credentials, accounts
 *   GET  accounts                              [{email, historyId, messages}]
 *   POST accounts                              {email, spec?} → {email, historyId}
 *   POST consent                               {email}: who the next authorization consents as
 *   GET  accounts/:email/ground-truth          GroundTruth
 *   GET  accounts/:email/message-ids           string[]
 *   GET  accounts/:email/history-id            {historyId}
 *   POST accounts/:email/messages              {labelIds?, threadId?, subject?, internalDate?, raw?} → {id}
 *   DELETE accounts/:email/messages/:id
 *   POST accounts/:email/messages/:id/labels   {add?, remove?}
 *   POST accounts/:email/labels                {name, color?} → {id}
 *   PATCH accounts/:email/labels/:id           {name}
 *   DELETE accounts/:email/labels/:id
 *   POST accounts/:email/expire-history
 *   POST accounts/:email/revoke
 *   POST accounts/:email/mutations             {n, seed}
 *   GET  stats / POST stats/reset
 *   PUT  quota | faults | latency              options object, or null to turn off
 *
 * Every write (POST, PUT, PATCH, DELETE) carries `Content-Type: application/json`.
 * The API answers only requests addressed to this emulator itself (Host 127.0.0.1:port or
 * localhost:port, and no Origin but its own), so a web page open on this machine can neither reach
 * it through DNS rebinding nor drive it with cross-site "simple" requests (a text/plain POST
 * needs no CORS preflight, so the JSON content type is what makes a browser ask first).
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { ApiResponse } from './errors';
import { MailboxError, type MailboxImpl } from './mailbox';
import type { Emulator, FaultOptions, LatencyOptions, MailboxSpec, QuotaOptions } from './types';

/**
 * What the control API drives: the emulator's public interface plus its mailboxes. Declared here rather than
 * importing EmulatorImpl, which imports this file to route /__emulator/ requests (no cycle, not even a type-only one).
 */
export interface ControlTarget extends Emulator {
  readonly accounts: ReadonlyMap<string, MailboxImpl>;
}

function ok(body: unknown): ApiResponse {
  return { status: 200, body: JSON.stringify(body ?? {}) };
}

function err(status: number, message: string): ApiResponse {
  return { status, body: JSON.stringify({ error: { code: status, message } }) };
}

type Json = Record<string, unknown>;

function parseJson(body: Buffer): Json | null {
  if (!body.length) return {};
  try {
    const v = JSON.parse(body.toString('utf8')) as unknown;
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : v === null ? null : {};
  } catch {
    return {};
  }
}

const strArr = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);
const optStr = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const optNum = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

const READS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Why a control request is refused before it is read, or null when it may go on. `ownUrl` is the
 * emulator's own http://127.0.0.1:port.
 */
export function refuseControlRequest(ownUrl: string, method: string, headers: IncomingHttpHeaders): ApiResponse | null {
  const port = new URL(ownUrl).port;
  const hosts = [`127.0.0.1:${port}`, `localhost:${port}`];
  const host = headers.host ?? '';
  if (!hosts.includes(host.toLowerCase())) {
    return err(403, `Host "${host}" is not this emulator's address (127.0.0.1:${port})`);
  }
  const origin = headers.origin;
  if (origin !== undefined && !hosts.some((h) => origin.toLowerCase() === `http://${h}`)) {
    return err(403, `Origin "${origin}" may not use the emulator's control API`);
  }
  if (!READS.has(method)) {
    const type = (headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
    if (type !== 'application/json') return err(415, `${method} to the control API needs Content-Type: application/json`);
  }
  return null;
}

export function handleControl(
  emu: ControlTarget,
  method: string,
  path: string,
  _query: URLSearchParams,
  body: Buffer,
  headers: IncomingHttpHeaders,
): ApiResponse {
  const refused = refuseControlRequest(emu.url, method, headers);
  if (refused) return refused;
  const segs = path.split('/').filter(Boolean).map((s) => decodeURIComponent(s));
  const json = parseJson(body);
  try {
    if (segs[0] === 'info' && method === 'GET') {
      return ok({ url: emu.url, gmailApiUrl: emu.gmailApiUrl, oauth: emu.oauth, clientId: emu.clientId, clientSecret: emu.clientSecret, accounts: [...emu.accounts.values()].map((b) => b.email) });
    }
    if (segs[0] === 'stats') {
      if (segs[1] === 'reset' && method === 'POST') {
        emu.resetStats();
        return ok({});
      }
      if (method === 'GET') return ok(emu.stats());
    }
    if (segs[0] === 'consent' && method === 'POST') {
      const email = optStr(json?.email);
      if (!email) return err(400, 'email required');
      emu.setConsentAccount(email);
      return ok({});
    }
    if ((segs[0] === 'quota' || segs[0] === 'faults' || segs[0] === 'latency') && (method === 'PUT' || method === 'POST')) {
      const v = json && Object.keys(json).length ? json : undefined;
      if (segs[0] === 'quota') emu.setQuota(v as QuotaOptions | undefined);
      else if (segs[0] === 'faults') emu.setFaults(v as FaultOptions | undefined);
      else emu.setLatency(v as LatencyOptions | undefined);
      return ok({});
    }
    if (segs[0] === 'accounts') {
      if (segs.length === 1) {
        if (method === 'GET') return ok([...emu.accounts.values()].map((b) => ({ email: b.email, historyId: b.historyId(), messages: b.messages.size })));
        if (method === 'POST') {
          const email = optStr(json?.email);
          if (!email) return err(400, 'email required');
          const spec = (json?.spec ?? { messages: optNum(json?.messages) ?? 200 }) as MailboxSpec;
          const box = emu.addAccount(email, spec);
          return ok({ email: box.email, historyId: box.historyId() });
        }
      }
      const box = emu.accounts.get((segs[1] ?? '').toLowerCase());
      if (!box) return err(404, `No account ${segs[1] ?? ''}`);
      const [, , what, id, sub] = segs;
      if (what === 'ground-truth' && method === 'GET') return ok(box.groundTruth());
      if (what === 'message-ids' && method === 'GET') return ok(box.messageIds());
      if (what === 'history-id' && method === 'GET') return ok({ historyId: box.historyId() });
      if (what === 'expire-history' && method === 'POST') {
        box.expireHistory();
        return ok({ historyId: box.historyId() });
      }
      if (what === 'revoke' && method === 'POST') {
        box.revokeTokens();
        return ok({});
      }
      if (what === 'mutations' && method === 'POST') {
        box.randomMutations(optNum(json?.n) ?? 100, optNum(json?.seed) ?? 1);
        return ok({ historyId: box.historyId() });
      }
      if (what === 'messages') {
        if (!id && method === 'POST') {
          const newId = box.addMessage({
            labelIds: Array.isArray(json?.labelIds) ? strArr(json?.labelIds) : undefined,
            threadId: optStr(json?.threadId),
            subject: optStr(json?.subject),
            internalDate: optNum(json?.internalDate),
            raw: optStr(json?.raw),
          });
          return ok({ id: newId, historyId: box.historyId() });
        }
        if (id && !sub && method === 'DELETE') {
          box.deleteMessage(id);
          return ok({ historyId: box.historyId() });
        }
        if (id && sub === 'labels' && method === 'POST') {
          box.modifyLabels(id, strArr(json?.add), strArr(json?.remove));
          return ok({ historyId: box.historyId() });
        }
      }
      if (what === 'labels') {
        if (!id && method === 'POST') {
          const name = optStr(json?.name);
          if (!name) return err(400, 'name required');
          const color = json?.color as { backgroundColor: string; textColor: string } | undefined;
          return ok({ id: box.createLabel(name, color ? { color } : {}) });
        }
        if (id && (method === 'PATCH' || method === 'PUT')) {
          const name = optStr(json?.name);
          if (!name) return err(400, 'name required');
          box.renameLabel(id, name);
          return ok({});
        }
        if (id && method === 'DELETE') {
          box.deleteLabel(id);
          return ok({});
        }
      }
    }
    return err(404, `No control endpoint ${method} /__emulator/${path}`);
  } catch (e) {
    if (e instanceof MailboxError) return err(e.code === 'NOT_FOUND' ? 404 : 400, e.message);
    return err(400, e instanceof Error ? e.message : String(e));
  }
}
