/**
 * One generated Gmail mailbox: labels, messages (metadata only; bodies are generated on demand),
 * threads, history records and the mutations tests use. Behaviour follows the Gmail API reference:
 * ids are 16 hex digits, a thread's id is its first message's id, historyIds grow with gaps, history
 * records carry one change each, label definitions never appear in history.
 */
import { Rng, hashString } from './rng';
import { LABEL_COLORS, USER_LABEL_NAMES } from './corpus';
import { type GenInput, type Person, generateRaw, messageIdHeader, personFor, threadTraits, type Locale } from './mime-generator';
import { decodeWords } from './mime-codec';
import { getHeader, parseMime } from './mime-parser';
import type { GroundTruth, GroundTruthLabel, Mailbox, MailboxSpec } from './types';

export type LabelDef = {
  id: string;
  name: string;
  type: 'system' | 'user';
  messageListVisibility?: 'show' | 'hide';
  labelListVisibility?: 'labelShow' | 'labelShowIfUnread' | 'labelHide';
  color?: { textColor: string; backgroundColor: string };
};

export type Msg = {
  id: string;
  threadId: string;
  internalDate: number;
  historyId: number;
  labels: string[];
  /** Generator index (seed stream); raw messages keep theirs for nothing. */
  idx: number;
  sent: boolean;
  large: boolean;
  /** Unicode subject when it is not the thread's generated one (tests' subjects, raw messages). */
  subject?: string;
  raw?: Buffer;
  /** The message this one replies to, fixed at creation (Message-ID chains never change). */
  parentId?: string;
};

export type Thread = { id: string; root: number; msgs: Msg[]; subject?: string; locale?: Locale; other?: Person };

export type HistoryType = 'messageAdded' | 'messageDeleted' | 'labelAdded' | 'labelRemoved';

export type HistRecord = {
  id: number;
  type: HistoryType;
  msgId: string;
  threadId: string;
  /** Labels added or removed by this record. */
  delta?: string[];
  /** The message's labels right after the change (before it, for deletions): for labelId filters. */
  labelsAt: string[];
};

export class MailboxError extends Error {
  readonly code: 'NOT_FOUND' | 'INVALID';
  constructor(code: 'NOT_FOUND' | 'INVALID', message: string) {
    super(message);
    this.code = code;
  }
}

// Gmail's system labels as labels.list returns them (ids are their names).
const SYSTEM_LABELS: LabelDef[] = [
  { id: 'CHAT', name: 'CHAT', messageListVisibility: 'hide', labelListVisibility: 'labelHide', type: 'system' },
  { id: 'SENT', name: 'SENT', type: 'system' },
  { id: 'INBOX', name: 'INBOX', type: 'system' },
  { id: 'IMPORTANT', name: 'IMPORTANT', messageListVisibility: 'hide', labelListVisibility: 'labelHide', type: 'system' },
  { id: 'TRASH', name: 'TRASH', messageListVisibility: 'hide', labelListVisibility: 'labelHide', type: 'system' },
  { id: 'DRAFT', name: 'DRAFT', type: 'system' },
  { id: 'SPAM', name: 'SPAM', messageListVisibility: 'hide', labelListVisibility: 'labelHide', type: 'system' },
  { id: 'CATEGORY_FORUMS', name: 'CATEGORY_FORUMS', type: 'system' },
  { id: 'CATEGORY_UPDATES', name: 'CATEGORY_UPDATES', type: 'system' },
  { id: 'CATEGORY_PERSONAL', name: 'CATEGORY_PERSONAL', type: 'system' },
  { id: 'CATEGORY_PROMOTIONS', name: 'CATEGORY_PROMOTIONS', type: 'system' },
  { id: 'CATEGORY_SOCIAL', name: 'CATEGORY_SOCIAL', type: 'system' },
  { id: 'STARRED', name: 'STARRED', type: 'system' },
  { id: 'UNREAD', name: 'UNREAD', type: 'system' },
];
const CATEGORIES = ['CATEGORY_PERSONAL', 'CATEGORY_SOCIAL', 'CATEGORY_PROMOTIONS', 'CATEGORY_UPDATES', 'CATEGORY_FORUMS'];
const CATEGORY_WEIGHTS = [50, 10, 20, 15, 5];

const DAY = 86_400_000;
/** Generated mail ends here (fixed, so a seed gives the same mailbox whenever it runs). */
const GEN_END = Date.UTC(2026, 0, 15, 12, 0, 0);
const GEN_SPAN = 8 * 365 * DAY;

export type LabelCounts = { messagesTotal: number; messagesUnread: number; threadsTotal: number; threadsUnread: number };

/** Newest first: internalDate desc, then id desc. */
function before(a: Msg, b: Msg): boolean {
  return a.internalDate > b.internalDate || (a.internalDate === b.internalDate && a.id > b.id);
}

export type MailboxHooks = { revokeTokens(email: string): void };

export class MailboxImpl implements Mailbox {
  readonly email: string;
  readonly seed: number;
  readonly oddCharsets: boolean;
  /** MailboxSpec.attachmentShare, when the spec set one. */
  readonly attachmentShare: number | undefined;
  readonly messages = new Map<string, Msg>();
  readonly threads = new Map<string, Thread>();
  /** Live messages, newest first (messages.list order). */
  readonly sorted: Msg[] = [];
  readonly labels = new Map<string, LabelDef>();
  history: HistRecord[] = [];
  hid: number;
  /** history.list answers 404 for any startHistoryId below this. */
  historyFloor: number;
  /** Bumped on every change, so caches of derived data know when to recompute. */
  version = 0;
  private nextIdx: number;
  private nextLabelNum: number;
  private readonly rng: Rng;
  private readonly parentOf = new Map<string, string | undefined>();
  private countsCache: { version: number; counts: Map<string, LabelCounts> } | null = null;
  private readonly me: Person;
  private readonly hooks: MailboxHooks;

  constructor(email: string, spec: MailboxSpec, hooks: MailboxHooks) {
    this.email = email;
    this.hooks = hooks;
    this.seed = (spec.seed ?? hashString(email)) >>> 0;
    this.oddCharsets = spec.oddCharsets ?? true;
    this.attachmentShare = spec.attachmentShare === undefined ? undefined : Math.min(1, Math.max(0, spec.attachmentShare));
    this.rng = Rng.from(this.seed, 0x6d7574);
    const local = email.split('@')[0] ?? 'me';
    this.me = { name: local.split(/[._-]/).map((w) => (w ? w[0].toUpperCase() + w.slice(1) : w)).join(' '), email, locale: 'en' };
    for (const l of SYSTEM_LABELS) this.labels.set(l.id, { ...l });
    this.nextLabelNum = 1;
    this.hid = 0;
    this.historyFloor = 0;
    this.nextIdx = Math.max(0, Math.floor(spec.messages));
    this.generate(spec);
  }

  // ---------------------------------------------------------------- generation

  private generate(spec: MailboxSpec): void {
    const n = Math.max(0, Math.floor(spec.messages));
    const rng = Rng.from(this.seed, 0x67656e);
    const spamTrash = spec.spamTrash ?? true;
    const userLabelIds: string[] = [];
    const wantLabels = spec.userLabels ?? 12;
    for (let i = 0; i < wantLabels; i++) {
      const name = i < USER_LABEL_NAMES.length ? USER_LABEL_NAMES[i] : `Label name ${i + 1}`;
      const color = rng.chance(0.7) ? rng.pick(LABEL_COLORS) : undefined;
      userLabelIds.push(this.addUserLabel(name, color));
    }
    const meanThread = Math.max(1, spec.threadSize ?? 2.5);
    const q = (meanThread - 1) / meanThread;
    const large = new Set<number>();
    const wantLarge = Math.min(n, spec.largeMessages ?? (n >= 1000 ? 3 : 0));
    while (large.size < wantLarge) large.add(rng.int(0, n - 1));

    const all: Msg[] = [];
    let count = 0;
    while (count < n) {
      let size = 1;
      if (q > 0) size = 1 + Math.floor(Math.log(1 - rng.next()) / Math.log(q));
      size = Math.max(1, Math.min(size, 40, n - count));
      const root = count;
      const u = rng.next();
      let t = GEN_END - Math.floor(GEN_SPAN * Math.pow(u, 1.6)) - rng.int(0, DAY);
      const recency = 1 - Math.pow(u, 1.6);
      const inbox = rng.chance(0.25 + 0.5 * Math.pow(recency, 8));
      const threadUser: string[] = [];
      if (userLabelIds.length && rng.chance(0.35)) {
        threadUser.push(userLabelIds[Math.floor(Math.pow(rng.next(), 1.5) * userLabelIds.length)]);
        if (rng.chance(0.25)) {
          const second = rng.pick(userLabelIds);
          if (!threadUser.includes(second)) threadUser.push(second);
        }
      }
      const category = rng.weighted(CATEGORIES, CATEGORY_WEIGHTS);
      const spamThread = spamTrash && size === 1 && rng.chance(0.03);
      let thread: Thread | undefined;
      let prev: Msg | undefined;
      for (let pos = 0; pos < size; pos++) {
        const idx = root + pos;
        if (pos > 0) {
          const gap = rng.int(5 * 60_000, 3 * DAY);
          // Near the end of the generated span, replies land between the previous one and the end.
          t = t + gap <= GEN_END ? t + gap : t + Math.floor((GEN_END - t) * rng.next());
        }
        const labels: string[] = [];
        let sent = pos === 0 ? rng.chance(0.12) : rng.chance(0.45);
        if (spamThread) {
          sent = false;
          labels.push('SPAM');
          if (rng.chance(0.6)) labels.push('UNREAD');
        } else if (rng.chance(0.003)) {
          sent = true;
          labels.push('DRAFT');
        } else if (rng.chance(0.002)) {
          labels.push('CHAT');
        } else {
          const trashed = spamTrash && rng.chance(0.025);
          if (sent) {
            labels.push('SENT');
          } else {
            if (inbox && !trashed) labels.push('INBOX');
            if (rng.chance(0.03 + 0.5 * Math.pow(recency, 6))) labels.push('UNREAD');
            if (rng.chance(0.92)) labels.push(category);
          }
          if (rng.chance(0.2)) labels.push('IMPORTANT');
          if (rng.chance(0.03)) labels.push('STARRED');
          labels.push(...threadUser);
          if (trashed) labels.push('TRASH');
        }
        const id = this.newId(t, rng);
        const msg: Msg = {
          id,
          threadId: thread ? thread.id : id,
          internalDate: t,
          historyId: 0,
          labels,
          idx,
          sent,
          large: large.has(idx),
          parentId: prev?.id,
        };
        if (!thread) {
          thread = { id, root, msgs: [] };
          this.threads.set(id, thread);
        }
        thread.msgs.push(msg);
        this.messages.set(id, msg);
        this.parentOf.set(id, prev?.id);
        all.push(msg);
        prev = msg;
      }
      count += size;
    }
    // Older mail has older history ids; the mailbox starts with no history records (like a
    // mailbox whose older history has expired).
    all.sort((a, b) => (a.internalDate - b.internalDate) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    let h = 1000 + rng.int(0, 5000);
    for (const m of all) {
      h += rng.int(1, 12);
      m.historyId = h;
    }
    this.hid = h + rng.int(1, 50);
    this.historyFloor = this.hid;
    for (let i = all.length - 1; i >= 0; i--) this.sorted.push(all[i]);
  }

  private newId(internalDate: number, rng: Rng): string {
    // Gmail ids are time-based: the top bits are the receive time in ms, the low 20 bits random.
    const datePart = Math.max(0, Math.floor(internalDate)).toString(16).padStart(11, '0').slice(-11);
    for (;;) {
      const id = datePart + rng.hex(5);
      if (!this.messages.has(id) && !this.parentOf.has(id)) return id;
    }
  }

  private addUserLabel(name: string, color?: { backgroundColor: string; textColor: string }): string {
    const id = `Label_${this.nextLabelNum}`;
    this.nextLabelNum += 1 + (this.nextLabelNum % 5 === 0 ? 7 : 0);
    const def: LabelDef = { id, name, messageListVisibility: 'show', labelListVisibility: 'labelShow', type: 'user' };
    if (color) def.color = { textColor: color.textColor, backgroundColor: color.backgroundColor };
    this.labels.set(id, def);
    return id;
  }

  // ---------------------------------------------------------------- derived data

  threadOf(msg: Msg): Thread {
    const t = this.threads.get(msg.threadId);
    if (!t) throw new Error(`thread ${msg.threadId} missing`);
    return t;
  }

  private traits(thread: Thread): { subject: string; locale: Locale; other: Person } {
    if (thread.subject === undefined || thread.locale === undefined || thread.other === undefined) {
      const tr = threadTraits(this.seed, thread.root, this.oddCharsets);
      thread.subject ??= tr.subject;
      thread.locale = tr.locale;
      thread.other = tr.other;
    }
    return { subject: thread.subject, locale: thread.locale, other: thread.other };
  }

  subjectOf(msg: Msg): string {
    if (msg.subject !== undefined) return msg.subject;
    const thread = this.threads.get(msg.threadId);
    if (!thread) return '';
    const base = this.traits(thread).subject;
    return msg.parentId ? `Re: ${base}` : base;
  }

  /** The RFC 822 bytes of a message (generated deterministically unless given raw). */
  rawOf(msg: Msg): Buffer {
    if (msg.raw) return msg.raw;
    const thread = this.threadOf(msg);
    const tr = this.traits(thread);
    const refs: string[] = [];
    let p = msg.parentId;
    while (p !== undefined && refs.length < 20) {
      refs.unshift(messageIdHeader(this.seed, p));
      p = this.parentOf.get(p);
    }
    const ccRng = Rng.from(this.seed, msg.idx, 0x6363);
    const cc = ccRng.chance(0.15) ? [personFor(this.seed, ccRng.int(400, 799), tr.locale === 'cp1252' ? 'latin1' : tr.locale)] : [];
    const input: GenInput = {
      seed: this.seed,
      idx: msg.idx,
      id: msg.id,
      date: msg.internalDate,
      subject: this.subjectOf(msg),
      locale: tr.locale,
      from: msg.sent ? this.me : tr.other,
      to: msg.sent ? [tr.other] : [this.me],
      cc,
      inReplyTo: msg.parentId !== undefined ? messageIdHeader(this.seed, msg.parentId) : undefined,
      references: refs,
      large: msg.large,
      account: this.email,
      sent: msg.sent,
      attachmentShare: this.attachmentShare,
    };
    return generateRaw(input);
  }

  /** labels.get counts, computed like Gmail: per label, messages and threads, and those unread. */
  labelCounts(): Map<string, LabelCounts> {
    if (this.countsCache && this.countsCache.version === this.version) return this.countsCache.counts;
    const counts = new Map<string, LabelCounts>();
    for (const id of this.labels.keys()) counts.set(id, { messagesTotal: 0, messagesUnread: 0, threadsTotal: 0, threadsUnread: 0 });
    const inThread = new Map<string, number>();
    for (const t of this.threads.values()) {
      inThread.clear();
      for (const m of t.msgs) {
        const unread = m.labels.includes('UNREAD');
        for (const l of m.labels) {
          const c = counts.get(l);
          if (!c) continue;
          c.messagesTotal++;
          if (unread) c.messagesUnread++;
          inThread.set(l, (inThread.get(l) ?? 0) | 1 | (unread ? 2 : 0));
        }
      }
      for (const [l, bits] of inThread) {
        const c = counts.get(l);
        if (!c) continue;
        c.threadsTotal++;
        if (bits & 2) c.threadsUnread++;
      }
    }
    this.countsCache = { version: this.version, counts };
    return counts;
  }

  // ---------------------------------------------------------------- mutation plumbing

  private bump(): number {
    this.hid += 1 + this.rng.int(0, 9);
    this.version++;
    return this.hid;
  }

  private record(type: HistoryType, msg: Msg, delta?: string[]): void {
    const id = this.bump();
    msg.historyId = id;
    this.history.push({ id, type, msgId: msg.id, threadId: msg.threadId, delta, labelsAt: [...msg.labels] });
  }

  private insertSorted(msg: Msg): void {
    let lo = 0;
    let hi = this.sorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (before(this.sorted[mid], msg)) lo = mid + 1;
      else hi = mid;
    }
    this.sorted.splice(lo, 0, msg);
  }

  private removeSorted(msg: Msg): void {
    let lo = 0;
    let hi = this.sorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (before(this.sorted[mid], msg)) lo = mid + 1;
      else hi = mid;
    }
    if (this.sorted[lo] === msg) this.sorted.splice(lo, 1);
    else {
      const i = this.sorted.indexOf(msg);
      if (i >= 0) this.sorted.splice(i, 1);
    }
  }

  private checkLabels(ids: string[]): void {
    for (const l of ids) if (!this.labels.has(l)) throw new MailboxError('INVALID', `Invalid label: ${l}`);
  }

  private mustGet(id: string): Msg {
    const m = this.messages.get(id);
    if (!m) throw new MailboxError('NOT_FOUND', `No message ${id} in ${this.email}`);
    return m;
  }

  // ---------------------------------------------------------------- public API

  historyId(): string {
    return String(this.hid);
  }

  addMessage(opts: { labelIds?: string[]; threadId?: string; subject?: string; internalDate?: number; raw?: string } = {}): string {
    const labels = [...new Set(opts.labelIds ?? ['INBOX', 'UNREAD', 'CATEGORY_PERSONAL'])];
    this.checkLabels(labels);
    let thread: Thread | undefined;
    if (opts.threadId !== undefined) {
      thread = this.threads.get(opts.threadId);
      if (!thread) throw new MailboxError('NOT_FOUND', `No thread ${opts.threadId} in ${this.email}`);
    }
    const date = Math.floor(opts.internalDate ?? Date.now());
    const id = this.newId(date, this.rng);
    let raw: Buffer | undefined;
    let subject = opts.subject;
    if (opts.raw !== undefined) {
      // Like messages.insert, accept base64url; plain RFC 822 text is accepted too for convenience.
      raw = /^[A-Za-z0-9_=-]+$/.test(opts.raw) && !opts.raw.includes(':') ? Buffer.from(opts.raw, 'base64url') : Buffer.from(opts.raw, 'utf8');
      subject ??= decodeWords(getHeader(parseMime(raw), 'subject') ?? '');
    }
    const last = thread ? thread.msgs[thread.msgs.length - 1] : undefined;
    const sent = labels.includes('SENT') || labels.includes('DRAFT');
    const msg: Msg = {
      id,
      threadId: thread ? thread.id : id,
      internalDate: date,
      historyId: 0,
      labels,
      idx: this.nextIdx++,
      sent,
      large: false,
      subject,
      raw,
      parentId: last?.id,
    };
    if (!thread) {
      thread = { id, root: msg.idx, msgs: [] };
      if (subject !== undefined) thread.subject = subject;
      this.threads.set(id, thread);
    }
    // Keep thread messages in date order (threads.get lists them oldest first).
    let at = thread.msgs.length;
    while (at > 0 && thread.msgs[at - 1].internalDate > date) at--;
    thread.msgs.splice(at, 0, msg);
    this.messages.set(id, msg);
    this.parentOf.set(id, msg.parentId);
    this.insertSorted(msg);
    this.record('messageAdded', msg);
    return id;
  }

  deleteMessage(id: string): void {
    const msg = this.mustGet(id);
    this.messages.delete(id);
    this.removeSorted(msg);
    const thread = this.threads.get(msg.threadId);
    if (thread) {
      const i = thread.msgs.indexOf(msg);
      if (i >= 0) thread.msgs.splice(i, 1);
      // The thread id stays with the thread even when its first message goes.
      if (!thread.msgs.length) this.threads.delete(thread.id);
    }
    this.record('messageDeleted', msg);
  }

  modifyLabels(id: string, add: string[], remove: string[]): void {
    const msg = this.mustGet(id);
    this.checkLabels(add);
    this.checkLabels(remove);
    for (const l of add) if (remove.includes(l)) throw new MailboxError('INVALID', `Label ${l} both added and removed`);
    const added = [...new Set(add)].filter((l) => !msg.labels.includes(l));
    const removed = [...new Set(remove)].filter((l) => msg.labels.includes(l));
    if (added.length) {
      msg.labels.push(...added);
      this.record('labelAdded', msg, added);
    }
    if (removed.length) {
      msg.labels = msg.labels.filter((l) => !removed.includes(l));
      this.record('labelRemoved', msg, removed);
    }
  }

  createLabel(name: string, opts: { color?: { backgroundColor: string; textColor: string } } = {}): string {
    const n = name.trim();
    if (!n) throw new MailboxError('INVALID', 'Invalid label name');
    for (const l of this.labels.values()) {
      if (l.name.toLowerCase() === n.toLowerCase()) throw new MailboxError('INVALID', 'Label name exists or conflicts');
    }
    const id = this.addUserLabel(n, opts.color);
    this.bump();
    return id;
  }

  renameLabel(id: string, name: string): void {
    const l = this.labels.get(id);
    if (!l) throw new MailboxError('NOT_FOUND', `No label ${id}`);
    if (l.type !== 'user') throw new MailboxError('INVALID', `Cannot rename system label ${id}`);
    const n = name.trim();
    for (const other of this.labels.values()) {
      if (other !== l && other.name.toLowerCase() === n.toLowerCase()) throw new MailboxError('INVALID', 'Label name exists or conflicts');
    }
    l.name = n;
    this.bump();
  }

  deleteLabel(id: string): void {
    const l = this.labels.get(id);
    if (!l) throw new MailboxError('NOT_FOUND', `No label ${id}`);
    if (l.type !== 'user') throw new MailboxError('INVALID', `Cannot delete system label ${id}`);
    this.labels.delete(id);
    const h = this.bump();
    for (const m of this.messages.values()) {
      const i = m.labels.indexOf(id);
      if (i >= 0) {
        m.labels.splice(i, 1);
        m.historyId = h;
      }
    }
  }

  expireHistory(): void {
    this.historyFloor = this.hid;
    this.history = [];
    this.version++;
  }

  revokeTokens(): void {
    this.hooks.revokeTokens(this.email);
  }

  randomMutations(n: number, seed: number): void {
    const rng = Rng.from(seed, this.seed, 0x72616e64);
    let clock = Math.max(GEN_END, this.sorted.length ? this.sorted[0].internalDate : GEN_END);
    const pickMsg = (): Msg | undefined => (this.sorted.length ? this.sorted[rng.int(0, this.sorted.length - 1)] : undefined);
    const userLabels = (): string[] => [...this.labels.values()].filter((l) => l.type === 'user').map((l) => l.id);
    const ops = ['newThread', 'reply', 'delete', 'read', 'unread', 'archive', 'inbox', 'trash', 'untrash', 'addUser', 'removeUser', 'star', 'labelCreate', 'labelRename', 'labelDelete', 'addThenDelete'] as const;
    const weights = [14, 10, 8, 14, 5, 10, 4, 5, 2, 9, 5, 3, 1.5, 1.5, 1, 3];
    for (let i = 0; i < n; i++) {
      const op = rng.weighted(ops, weights);
      clock += rng.int(1_000, 3_600_000);
      const m = pickMsg();
      switch (op) {
        case 'newThread': {
          const labels = ['INBOX', 'UNREAD', rng.weighted(CATEGORIES, CATEGORY_WEIGHTS)];
          const ul = userLabels();
          if (ul.length && rng.chance(0.2)) labels.push(rng.pick(ul));
          this.addMessage({ labelIds: labels, internalDate: clock });
          break;
        }
        case 'reply':
          if (m) this.addMessage({ threadId: m.threadId, labelIds: rng.chance(0.4) ? ['SENT'] : ['INBOX', 'UNREAD', 'CATEGORY_PERSONAL'], internalDate: clock });
          break;
        case 'delete':
          if (m) this.deleteMessage(m.id);
          break;
        case 'read':
          if (m) this.modifyLabels(m.id, [], ['UNREAD']);
          break;
        case 'unread':
          if (m) this.modifyLabels(m.id, ['UNREAD'], []);
          break;
        case 'archive':
          if (m) this.modifyLabels(m.id, [], ['INBOX']);
          break;
        case 'inbox':
          if (m) this.modifyLabels(m.id, ['INBOX'], ['TRASH', 'SPAM'].filter((l) => m.labels.includes(l)));
          break;
        case 'trash':
          if (m) this.modifyLabels(m.id, ['TRASH'], ['INBOX']);
          break;
        case 'untrash':
          if (m) this.modifyLabels(m.id, [], ['TRASH']);
          break;
        case 'addUser': {
          const ul = userLabels();
          if (m && ul.length) this.modifyLabels(m.id, [rng.pick(ul)], []);
          break;
        }
        case 'removeUser': {
          const own = m ? m.labels.filter((l) => l.startsWith('Label_')) : [];
          if (m && own.length) this.modifyLabels(m.id, [], [rng.pick(own)]);
          break;
        }
        case 'star':
          if (m) this.modifyLabels(m.id, m.labels.includes('STARRED') ? [] : ['STARRED'], m.labels.includes('STARRED') ? ['STARRED'] : []);
          break;
        case 'labelCreate': {
          const id = this.createLabel(`Mutated/${rng.hex(6)}`, rng.chance(0.5) ? { color: rng.pick(LABEL_COLORS) } : {});
          // A new label usually gets some mail soon after.
          for (let k = 0; k < rng.int(0, 3); k++) {
            const t = pickMsg();
            if (t) this.modifyLabels(t.id, [id], []);
          }
          break;
        }
        case 'labelRename': {
          const ul = userLabels();
          if (ul.length) this.renameLabel(rng.pick(ul), `Renamed/${rng.hex(6)}`);
          break;
        }
        case 'labelDelete': {
          const ul = userLabels();
          if (ul.length > 3) this.deleteLabel(rng.pick(ul));
          break;
        }
        case 'addThenDelete': {
          const id = this.addMessage({ labelIds: ['INBOX', 'UNREAD'], internalDate: clock });
          this.deleteMessage(id);
          break;
        }
      }
    }
  }

  groundTruth(): GroundTruth {
    const counts = this.labelCounts();
    const labels: GroundTruthLabel[] = [...this.labels.values()]
      .map((l) => {
        const c = counts.get(l.id) ?? { messagesTotal: 0, messagesUnread: 0, threadsTotal: 0, threadsUnread: 0 };
        return { id: l.id, name: l.name, type: l.type, ...c };
      })
      .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    const messages = [...this.messages.values()]
      .map((m) => ({
        id: m.id,
        threadId: m.threadId,
        labelIds: [...m.labels].sort(),
        internalDate: String(m.internalDate),
        subject: this.subjectOf(m),
      }))
      .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    return { account: this.email, historyId: this.historyId(), labels, messages };
  }

  messageIds(): string[] {
    return [...this.messages.keys()].sort();
  }
}
