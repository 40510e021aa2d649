/**
 * The read side of the Gmail REST API (v1), shaped as the reference documents it:
 * https://developers.google.com/workspace/gmail/api/reference/rest — users.getProfile, labels.list/get,
 * messages.list/get, messages.attachments.get, threads.list/get, history.list.
 * Empty repeated fields are left out of responses, as Google's JSON mapping of proto3 does.
 */
import type { GmailMethod } from '../shared/gmail-quota';
import { type ApiResponse, badRequest, googleError, insufficientScope, notFound } from './errors';
import type { HistRecord, HistoryType, MailboxImpl, Msg, Thread } from './mailbox';
import { parseAttachmentId } from './gmail-render';
import { hash32 } from './rng';
import type { RenderCache } from './render-cache';

export type GmailRoute = {
  method: GmailMethod;
  userId: string;
  id?: string;
  attachmentId?: string;
};

/** Maps `/gmail/v1/users/{userId}/…` to a method; null when the path is not a Gmail read method. */
export function routeGmail(path: string): GmailRoute | null {
  const prefix = '/gmail/v1/users/';
  if (!path.startsWith(prefix)) return null;
  const segs = path.slice(prefix.length).split('/');
  if (segs[segs.length - 1] === '') segs.pop();
  let userId: string;
  try {
    userId = decodeURIComponent(segs[0] ?? '');
  } catch {
    return null;
  }
  const [, res, id, sub, subId] = segs;
  const n = segs.length;
  if (res === 'profile' && n === 2) return { method: 'users.getProfile', userId };
  if (res === 'labels') {
    if (n === 2) return { method: 'labels.list', userId };
    if (n === 3) return { method: 'labels.get', userId, id };
  }
  if (res === 'messages') {
    if (n === 2) return { method: 'messages.list', userId };
    if (n === 3) return { method: 'messages.get', userId, id };
    if (n === 5 && sub === 'attachments') return { method: 'messages.attachments.get', userId, id, attachmentId: subId };
  }
  if (res === 'threads') {
    if (n === 2) return { method: 'threads.list', userId };
    if (n === 3) return { method: 'threads.get', userId, id };
  }
  if (res === 'history' && n === 2) return { method: 'history.list', userId };
  return null;
}

const READ_SCOPES = [
  'https://mail.google.com/',
  'https://www.googleapis.com/auth/gmail.readonly',
  'https://www.googleapis.com/auth/gmail.modify',
];
const METADATA_SCOPE = 'https://www.googleapis.com/auth/gmail.metadata';

type Format = 'full' | 'metadata' | 'minimal' | 'raw';

function getAll(q: URLSearchParams, name: string): string[] {
  const out: string[] = [];
  for (const v of q.getAll(name)) out.push(...v.split(',').filter(Boolean));
  for (const v of q.getAll(name + '[]')) out.push(...v.split(',').filter(Boolean));
  return out;
}

function parseMax(q: URLSearchParams, def: number): number | ApiResponse {
  const v = q.get('maxResults');
  if (v === null || v === '') return def;
  if (!/^\d+$/.test(v)) return badRequest(`Invalid value at 'max_results' (TYPE_UINT32), "${v}"`);
  const n = Number(v);
  // Gmail caps maxResults at 500 rather than refusing larger values.
  return n === 0 ? def : Math.min(n, 500);
}

function parseBool(v: string | null): boolean {
  return v === 'true' || v === '1';
}

function encodeToken(o: unknown): string {
  return Buffer.from(JSON.stringify(o)).toString('base64url');
}

function decodeToken<T>(s: string): T | null {
  try {
    const v = JSON.parse(Buffer.from(s, 'base64url').toString('utf8')) as unknown;
    return v && typeof v === 'object' ? (v as T) : null;
  } catch {
    return null;
  }
}

const invalidPageToken = (): ApiResponse => badRequest('Invalid pageToken', 'invalidArgument');

/** A compiled `q`: Gmail search operators the emulator understands (a useful subset). */
type Query = { test(m: Msg, box: MailboxImpl): boolean; wantsSpamTrash: boolean };

function parseDate(v: string): number | null {
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  const m = /^(\d{4})[/-](\d{1,2})[/-](\d{1,2})$/.exec(v);
  return m ? Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) : null;
}

function compileQuery(q: string, box: MailboxImpl): Query | ApiResponse {
  const tests: Array<(m: Msg) => boolean> = [];
  let wantsSpamTrash = false;
  const labelByName = (name: string): string | undefined => {
    const n = name.toLowerCase();
    for (const l of box.labels.values()) {
      const ln = l.name.toLowerCase();
      if (ln === n || ln.replace(/[/ ]/g, '-') === n || l.id.toLowerCase() === n) return l.id;
    }
    return undefined;
  };
  for (const raw of q.match(/-?\w+:"[^"]*"|-?\S+/g) ?? []) {
    const neg = raw.startsWith('-');
    const term = neg ? raw.slice(1) : raw;
    const i = term.indexOf(':');
    if (i < 0) return badRequest(`Unsupported search term in emulator: ${raw}`, 'badRequest');
    const op = term.slice(0, i).toLowerCase();
    const val = term.slice(i + 1).replace(/^"|"$/g, '');
    let t: ((m: Msg) => boolean) | null = null;
    if (op === 'in' || op === 'label') {
      const v = val.toLowerCase();
      if (op === 'in' && v === 'anywhere') {
        wantsSpamTrash = true;
        continue;
      }
      const id = op === 'in' ? ({ inbox: 'INBOX', sent: 'SENT', spam: 'SPAM', trash: 'TRASH', draft: 'DRAFT', drafts: 'DRAFT', chats: 'CHAT', chat: 'CHAT' } as Record<string, string>)[v] ?? labelByName(val) : labelByName(val);
      if (!id) {
        t = () => false;
      } else {
        if (id === 'SPAM' || id === 'TRASH') wantsSpamTrash = !neg || wantsSpamTrash;
        t = (m) => m.labels.includes(id);
      }
    } else if (op === 'is') {
      const map: Record<string, (m: Msg) => boolean> = {
        unread: (m) => m.labels.includes('UNREAD'),
        read: (m) => !m.labels.includes('UNREAD'),
        starred: (m) => m.labels.includes('STARRED'),
        important: (m) => m.labels.includes('IMPORTANT'),
      };
      t = map[val.toLowerCase()] ?? null;
    } else if (op === 'after' || op === 'before') {
      const d = parseDate(val);
      if (d !== null) t = op === 'after' ? (m) => m.internalDate >= d : (m) => m.internalDate < d;
    } else if (op === 'newer_than' || op === 'older_than') {
      const m = /^(\d+)([dmy])$/.exec(val);
      if (m) {
        const ms = Number(m[1]) * { d: 86_400_000, m: 30 * 86_400_000, y: 365 * 86_400_000 }[m[2] as 'd' | 'm' | 'y'];
        const edge = Date.now() - ms;
        t = op === 'newer_than' ? (x) => x.internalDate >= edge : (x) => x.internalDate < edge;
      }
    } else if (op === 'rfc822msgid' || op === 'from' || op === 'to' || op === 'subject') {
      return badRequest(`Unsupported search operator in emulator: ${op}`, 'badRequest');
    }
    if (!t) return badRequest(`Unsupported search term in emulator: ${raw}`, 'badRequest');
    const test = t;
    tests.push(neg ? (m) => !test(m) : test);
  }
  return { test: (m) => tests.every((f) => f(m)), wantsSpamTrash };
}

export class GmailApi {
  constructor(
    private readonly cache: RenderCache,
    private readonly onDetailFetch: (messageId: string) => void,
  ) {}

  /** Answers one admitted request. The caller has authenticated and checked userId. */
  handle(route: GmailRoute, box: MailboxImpl, q: URLSearchParams, scope: string): ApiResponse {
    const scopes = scope.split(/\s+/);
    const full = READ_SCOPES.some((s) => scopes.includes(s));
    const metadataOnly = !full && scopes.includes(METADATA_SCOPE);
    if (!full && !metadataOnly) return insufficientScope();
    if (metadataOnly && q.get('q')) return googleError(403, "Metadata scope does not support 'q' parameter", 'forbidden');
    switch (route.method) {
      case 'users.getProfile':
        return this.profile(box);
      case 'labels.list':
        return this.labelsList(box);
      case 'labels.get':
        return this.labelsGet(box, route.id ?? '');
      case 'messages.list':
        return this.messagesList(box, q);
      case 'messages.get':
        return this.messagesGet(box, route.id ?? '', q, metadataOnly);
      case 'messages.attachments.get':
        if (metadataOnly) return googleError(403, "Metadata scope doesn't allow format FULL", 'forbidden');
        return this.attachmentsGet(box, route.id ?? '', route.attachmentId ?? '');
      case 'threads.list':
        return this.threadsList(box, q);
      case 'threads.get':
        return this.threadsGet(box, route.id ?? '', q, metadataOnly);
      case 'history.list':
        return this.historyList(box, q);
    }
  }

  private profile(box: MailboxImpl): ApiResponse {
    return {
      status: 200,
      body: JSON.stringify({ emailAddress: box.email, messagesTotal: box.messages.size, threadsTotal: box.threads.size, historyId: box.historyId() }),
    };
  }

  private labelsList(box: MailboxImpl): ApiResponse {
    // labels.list returns definitions only; counts come from labels.get.
    return { status: 200, body: JSON.stringify({ labels: [...box.labels.values()] }) };
  }

  private labelsGet(box: MailboxImpl, id: string): ApiResponse {
    const l = box.labels.get(id);
    if (!l) return notFound();
    const c = box.labelCounts().get(id) ?? { messagesTotal: 0, messagesUnread: 0, threadsTotal: 0, threadsUnread: 0 };
    return { status: 200, body: JSON.stringify({ ...l, ...c }) };
  }

  private spamTrashFilter(labelIds: string[], include: boolean, query: Query | null): (m: Msg) => boolean {
    if (include || query?.wantsSpamTrash) return () => true;
    const allowSpam = labelIds.includes('SPAM');
    const allowTrash = labelIds.includes('TRASH');
    return (m) => (allowSpam || !m.labels.includes('SPAM')) && (allowTrash || !m.labels.includes('TRASH'));
  }

  private messagesList(box: MailboxImpl, q: URLSearchParams): ApiResponse {
    const max = parseMax(q, 100);
    if (typeof max !== 'number') return max;
    const labelIds = getAll(q, 'labelIds');
    const qs = q.get('q');
    let query: Query | null = null;
    if (qs) {
      const c = compileQuery(qs, box);
      if ('status' in c) return c;
      query = c;
    }
    const visible = this.spamTrashFilter(labelIds, parseBool(q.get('includeSpamTrash')), query);
    const match = (m: Msg): boolean => {
      for (const l of labelIds) if (!m.labels.includes(l)) return false;
      return visible(m) && (!query || query.test(m, box));
    };
    const list = box.sorted;
    let start = 0;
    const tok = q.get('pageToken');
    if (tok) {
      const t = decodeToken<{ d: number; i: string }>(tok);
      if (!t || typeof t.d !== 'number' || typeof t.i !== 'string') return invalidPageToken();
      // First message strictly after the cursor in newest-first order: stable while mail changes.
      let lo = 0;
      let hi = list.length;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        const m = list[mid];
        if (m.internalDate > t.d || (m.internalDate === t.d && m.id >= t.i)) lo = mid + 1;
        else hi = mid;
      }
      start = lo;
    }
    const out: Msg[] = [];
    let i = start;
    for (; i < list.length && out.length < max; i++) if (match(list[i])) out.push(list[i]);
    let more = false;
    for (let j = i; j < list.length; j++) {
      if (match(list[j])) {
        more = true;
        break;
      }
    }
    const body: Record<string, unknown> = {};
    if (out.length) body.messages = out.map((m) => ({ id: m.id, threadId: m.threadId }));
    const last = out[out.length - 1];
    if (more && last) body.nextPageToken = encodeToken({ d: last.internalDate, i: last.id });
    body.resultSizeEstimate = this.estimate(box, `m|${labelIds.join(',')}|${q.get('includeSpamTrash')}|${qs ?? ''}`, () => {
      let n = 0;
      for (const m of list) if (match(m)) n++;
      return n;
    });
    return { status: 200, body: JSON.stringify(body) };
  }

  private estimates = new WeakMap<MailboxImpl, { version: number; map: Map<string, number> }>();

  private estimate(box: MailboxImpl, key: string, count: () => number): number {
    let e = this.estimates.get(box);
    if (!e || e.version !== box.version) {
      e = { version: box.version, map: new Map() };
      this.estimates.set(box, e);
    }
    let v = e.map.get(key);
    if (v === undefined) {
      v = count();
      e.map.set(key, v);
    }
    return v;
  }

  private parseFormat(q: URLSearchParams, allowRaw: boolean): Format | ApiResponse {
    const f = (q.get('format') ?? 'full').toLowerCase();
    if (f === 'full' || f === 'metadata' || f === 'minimal' || (allowRaw && f === 'raw')) return f;
    return badRequest(`Invalid value at 'format' (type.googleapis.com/google.apps.gmail.v1.Format), "${q.get('format')}"`);
  }

  /** One Message resource as JSON text; the full payload is spliced in from the render cache. */
  messageJson(box: MailboxImpl, m: Msg, format: Format, metadataHeaders: string[]): string {
    let s = `{"id":"${m.id}","threadId":"${m.threadId}"`;
    if (m.labels.length) s += `,"labelIds":${JSON.stringify(m.labels)}`;
    const r = this.cache.get(box, m);
    if (r.snippet) s += `,"snippet":${JSON.stringify(r.snippet)}`;
    if (format === 'full') {
      s += `,"payload":${r.payloadJson}`;
    } else if (format === 'metadata') {
      const want = metadataHeaders.map((h) => h.toLowerCase());
      const headers = want.length ? r.headers.filter((h) => want.includes(h.name.toLowerCase())) : r.headers;
      s += `,"payload":${JSON.stringify(headers.length ? { mimeType: r.mimeType, headers } : { mimeType: r.mimeType })}`;
    }
    s += `,"sizeEstimate":${r.sizeEstimate},"historyId":"${m.historyId}","internalDate":"${m.internalDate}"`;
    if (format === 'raw') s += `,"raw":"${this.cache.rawBase64(box, m)}"`;
    return s + '}';
  }

  private checkId(id: string): ApiResponse | null {
    return /^[0-9a-f]{1,16}$/.test(id) ? null : badRequest('Invalid id value');
  }

  private messagesGet(box: MailboxImpl, id: string, q: URLSearchParams, metadataOnly: boolean): ApiResponse {
    const bad = this.checkId(id);
    if (bad) return bad;
    const format = this.parseFormat(q, true);
    if (typeof format !== 'string') return format;
    if (metadataOnly && (format === 'full' || format === 'raw')) {
      return googleError(403, `Metadata scope doesn't allow format ${format.toUpperCase()}`, 'forbidden');
    }
    const m = box.messages.get(id);
    if (!m) return notFound();
    const body = this.messageJson(box, m, format, getAll(q, 'metadataHeaders'));
    if (format === 'full' || format === 'raw') this.onDetailFetch(m.id);
    return { status: 200, body };
  }

  private attachmentsGet(box: MailboxImpl, id: string, attId: string): ApiResponse {
    const bad = this.checkId(id);
    if (bad) return bad;
    const m = box.messages.get(id);
    if (!m) return notFound();
    const ref = parseAttachmentId(attId);
    if (!ref || ref.messageId !== id) return badRequest('Invalid attachment token', 'invalidArgument');
    const data = this.cache.get(box, m).attachments.get(attId);
    if (!data) return notFound();
    const b64 = data.toString('base64url');
    const pad = '='.repeat((4 - (b64.length % 4)) % 4);
    return { status: 200, body: `{"attachmentId":"${attId}","size":${data.length},"data":"${b64}${pad}"}` };
  }

  private threadVisible(t: Thread, labelIds: string[], include: boolean, query: Query | null, box: MailboxImpl): boolean {
    const visible = this.spamTrashFilter(labelIds, include, query);
    const labels = new Set<string>();
    let any = false;
    for (const m of t.msgs) {
      if (!visible(m)) continue;
      if (query && !query.test(m, box)) continue;
      any = true;
      for (const l of m.labels) labels.add(l);
    }
    if (!any) return false;
    for (const l of labelIds) if (!labels.has(l)) return false;
    return true;
  }

  private threadOrder = new WeakMap<MailboxImpl, { version: number; list: Thread[] }>();

  private sortedThreads(box: MailboxImpl): Thread[] {
    const c = this.threadOrder.get(box);
    if (c && c.version === box.version) return c.list;
    const last = (t: Thread): Msg => t.msgs[t.msgs.length - 1];
    const list = [...box.threads.values()].sort((a, b) => {
      const la = last(a);
      const lb = last(b);
      return lb.internalDate - la.internalDate || (lb.id > la.id ? 1 : lb.id < la.id ? -1 : 0);
    });
    this.threadOrder.set(box, { version: box.version, list });
    return list;
  }

  private threadsList(box: MailboxImpl, q: URLSearchParams): ApiResponse {
    const max = parseMax(q, 100);
    if (typeof max !== 'number') return max;
    const labelIds = getAll(q, 'labelIds');
    const include = parseBool(q.get('includeSpamTrash'));
    const qs = q.get('q');
    let query: Query | null = null;
    if (qs) {
      const c = compileQuery(qs, box);
      if ('status' in c) return c;
      query = c;
    }
    const list = this.sortedThreads(box);
    let start = 0;
    const tok = q.get('pageToken');
    if (tok) {
      const t = decodeToken<{ d: number; i: string }>(tok);
      if (!t || typeof t.d !== 'number' || typeof t.i !== 'string') return invalidPageToken();
      start = list.length;
      for (let k = 0; k < list.length; k++) {
        const l = list[k].msgs[list[k].msgs.length - 1];
        if (l.internalDate < t.d || (l.internalDate === t.d && l.id < t.i)) {
          start = k;
          break;
        }
      }
    }
    const out: Thread[] = [];
    let i = start;
    for (; i < list.length && out.length < max; i++) if (this.threadVisible(list[i], labelIds, include, query, box)) out.push(list[i]);
    let more = false;
    for (let j = i; j < list.length && !more; j++) more = this.threadVisible(list[j], labelIds, include, query, box);
    const body: Record<string, unknown> = {};
    if (out.length) {
      body.threads = out.map((t) => {
        const lastMsg = t.msgs[t.msgs.length - 1];
        let h = 0;
        for (const m of t.msgs) h = Math.max(h, m.historyId);
        return { id: t.id, snippet: this.cache.snippet(box, lastMsg), historyId: String(h) };
      });
    }
    const lastT = out[out.length - 1];
    if (more && lastT) {
      const lm = lastT.msgs[lastT.msgs.length - 1];
      body.nextPageToken = encodeToken({ d: lm.internalDate, i: lm.id });
    }
    body.resultSizeEstimate = this.estimate(box, `t|${labelIds.join(',')}|${include}|${qs ?? ''}`, () => {
      let n = 0;
      for (const t of list) if (this.threadVisible(t, labelIds, include, query, box)) n++;
      return n;
    });
    return { status: 200, body: JSON.stringify(body) };
  }

  private threadsGet(box: MailboxImpl, id: string, q: URLSearchParams, metadataOnly: boolean): ApiResponse {
    const bad = this.checkId(id);
    if (bad) return bad;
    const format = this.parseFormat(q, false);
    if (typeof format !== 'string') return format;
    if (metadataOnly && format === 'full') return googleError(403, "Metadata scope doesn't allow format FULL", 'forbidden');
    const t = box.threads.get(id);
    if (!t || !t.msgs.length) return notFound();
    const headers = getAll(q, 'metadataHeaders');
    let h = 0;
    const parts: string[] = [];
    for (const m of t.msgs) {
      h = Math.max(h, m.historyId);
      parts.push(this.messageJson(box, m, format, headers));
    }
    if (format === 'full') for (const m of t.msgs) this.onDetailFetch(m.id);
    return { status: 200, body: `{"id":"${t.id}","historyId":"${h}","messages":[${parts.join(',')}]}` };
  }

  private historyList(box: MailboxImpl, q: URLSearchParams): ApiResponse {
    const max = parseMax(q, 100);
    if (typeof max !== 'number') return max;
    const startRaw = q.get('startHistoryId');
    if (!startRaw) return badRequest('Missing required parameter: startHistoryId', 'required');
    if (!/^\d+$/.test(startRaw)) return badRequest(`Invalid value at 'start_history_id' (TYPE_UINT64), "${startRaw}"`);
    const startId = Number(startRaw);
    const types = getAll(q, 'historyTypes');
    const allowed: HistoryType[] = ['messageAdded', 'messageDeleted', 'labelAdded', 'labelRemoved'];
    for (const t of types) if (!allowed.includes(t as HistoryType)) return badRequest(`Invalid value at 'history_types', "${t}"`);
    const labelId = q.get('labelId');
    // "Supplying an invalid or out of date startHistoryId typically returns an HTTP 404 error code."
    if (startId < box.historyFloor || startId > box.hid) return notFound();
    let after = startId;
    let emptied = false;
    const tok = q.get('pageToken');
    if (tok) {
      const t = decodeToken<{ p: number; s: number; e?: number }>(tok);
      if (!t || typeof t.p !== 'number' || t.s !== startId) return invalidPageToken();
      if (t.p < box.historyFloor) return notFound();
      after = t.p;
      emptied = t.e === 1;
    }
    const recs = box.history;
    let lo = 0;
    let hi = recs.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (recs[mid].id <= after) lo = mid + 1;
      else hi = mid;
    }
    const base: Record<string, unknown> = {};
    // Gmail sometimes answers a page with no records and a nextPageToken; clients must keep reading.
    if (!emptied && lo < recs.length && hash32(box.seed, recs[lo].id, 0x656d70) % 6 === 0) {
      base.nextPageToken = encodeToken({ p: after, s: startId, e: 1 });
      base.historyId = box.historyId();
      return { status: 200, body: JSON.stringify(base) };
    }
    const typeSet = types.length ? new Set(types) : null;
    const out: HistRecord[] = [];
    const scanLimit = Math.max(1000, max * 4);
    let scanned = 0;
    let i = lo;
    for (; i < recs.length && out.length < max && scanned < scanLimit; i++, scanned++) {
      const r = recs[i];
      if (typeSet && !typeSet.has(r.type)) continue;
      if (labelId && !r.labelsAt.includes(labelId) && !(r.delta ?? []).includes(labelId)) continue;
      out.push(r);
    }
    if (out.length) base.history = out.map(renderRecord);
    if (i < recs.length) base.nextPageToken = encodeToken({ p: recs[i - 1]?.id ?? after, s: startId });
    base.historyId = box.historyId();
    return { status: 200, body: JSON.stringify(base) };
  }
}

function renderRecord(r: HistRecord): Record<string, unknown> {
  // "Any messages contained in the response will typically only have id and threadId fields populated."
  const message = { id: r.msgId, threadId: r.threadId };
  const rec: Record<string, unknown> = { id: String(r.id), messages: [message] };
  switch (r.type) {
    case 'messageAdded':
      rec.messagesAdded = [{ message }];
      break;
    case 'messageDeleted':
      rec.messagesDeleted = [{ message }];
      break;
    case 'labelAdded':
      rec.labelsAdded = [{ message, labelIds: r.delta ?? [] }];
      break;
    case 'labelRemoved':
      rec.labelsRemoved = [{ message, labelIds: r.delta ?? [] }];
      break;
  }
  return rec;
}
