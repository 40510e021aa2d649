/**
 * Gmail's search language (https://support.google.com/mail/answer/7190), read into a tree: a pure parser with
 * no I/O, shared by main (which compiles the tree to SQL + FTS5 in src/main/db/search-sql.ts) and the renderer
 * (which may check a query as it is typed). What it reads:
 *
 * - words and "quoted phrases", matched as whole words (no stemming, no prefixes), case and accents ignored;
 * - `from: to: cc: bcc: subject: filename:` (to: also matches Cc and Bcc, as Gmail's does), `label: in: is: has:
 *   category: after: before: older: newer: older_than: newer_than: larger: smaller: size: rfc822msgid:`;
 *   an operator's value may be a phrase or a group: `subject:"dinner plans"`, `from:(amy OR bob)`;
 * - terms side by side are all required (implicit AND, `AND` may be written); `OR` joins the terms on each side
 *   of it and binds tighter than AND, as in Gmail and Google search: `a b OR c d` is a AND (b OR c) AND d;
 *   `{a b c}` is a OR b OR c; `-term` and `NOT term` exclude; parentheses group.
 *
 * Anything else with a colon (`foo:bar`, `10:30`, a URL) is text, as in Gmail. What cannot be read — an
 * unclosed quote or parenthesis, an OR with nothing on one side, an operator without a value or with a value
 * it does not take (`is:purple`, `older_than:3x`, `after:2024/13/01`) — is a GmailQueryError naming the part
 * and where it starts.
 */

/** The fields a text term can be limited to; `any` is every one of them. */
export type TextField = 'any' | 'from' | 'to' | 'cc' | 'bcc' | 'subject' | 'filename';

/** A calendar day (midnight in the time zone the compiler uses) or an exact instant in epoch seconds. */
export type QueryDate = { kind: 'day'; year: number; month: number; day: number } | { kind: 'epoch'; seconds: number };

export type QueryNode =
  | { kind: 'and'; children: QueryNode[] }
  | { kind: 'or'; children: QueryNode[] }
  | { kind: 'not'; child: QueryNode }
  /** Words or a phrase (`phrase`: written in quotes), in one field or all of them. */
  | { kind: 'text'; field: TextField; text: string; phrase: boolean }
  /** A Gmail label id known without looking at the account (INBOX, UNREAD, CATEGORY_SOCIAL, …). */
  | { kind: 'labelId'; id: string }
  /** `label:` (and `in:` with a name of its own): resolved against the account's labels when compiled. */
  | { kind: 'labelName'; name: string }
  /** `in:anywhere`: every message, spam and trash included. */
  | { kind: 'anywhere' }
  | { kind: 'hasAttachment' }
  | { kind: 'hasUserLabels' }
  /** `after:` / `newer:` (on or after) and `before:` / `older:` (strictly before). */
  | { kind: 'date'; op: 'after' | 'before'; date: QueryDate }
  /** `newer_than:` / `older_than:`, counted back from now; m and y are calendar months and years. */
  | { kind: 'age'; op: 'newer' | 'older'; amount: number; unit: 'd' | 'm' | 'y' }
  /** `larger:` / `size:` (more than) and `smaller:` (less than), in bytes of Gmail's size estimate. */
  | { kind: 'size'; op: 'larger' | 'smaller'; bytes: number }
  /** `rfc822msgid:`: the Message-ID header, without angle brackets. */
  | { kind: 'messageId'; id: string };

/** A query that cannot be read: `start`/`end` (UTF-16 offsets into the query) mark the part at fault. */
export class GmailQueryError extends Error {
  constructor(
    message: string,
    readonly start: number,
    readonly end: number,
  ) {
    super(message);
    this.name = 'GmailQueryError';
  }
}

/** At most this many terms and this much nesting: a search, not a program. */
export const MAX_QUERY_TERMS = 100;
const MAX_DEPTH = 32;

/** A character that makes a word searchable (FTS5's unicode61 tokenizer keeps letters and digits). */
const TOKEN_CHAR = /[\p{L}\p{N}]/u;
const CONTROL_CHARS = /\p{Cc}/gu;

export const IN_LOCATIONS: Readonly<Record<string, string>> = {
  inbox: 'INBOX', sent: 'SENT', draft: 'DRAFT', drafts: 'DRAFT', spam: 'SPAM', trash: 'TRASH', chat: 'CHAT', chats: 'CHAT',
  starred: 'STARRED', important: 'IMPORTANT', unread: 'UNREAD',
};

export const CATEGORIES: Readonly<Record<string, string>> = {
  primary: 'CATEGORY_PERSONAL', personal: 'CATEGORY_PERSONAL', social: 'CATEGORY_SOCIAL', promotions: 'CATEGORY_PROMOTIONS',
  updates: 'CATEGORY_UPDATES', forums: 'CATEGORY_FORUMS', reservations: 'CATEGORY_RESERVATIONS', purchases: 'CATEGORY_PURCHASES',
};

const IS_STATES: Readonly<Record<string, QueryNode>> = {
  unread: { kind: 'labelId', id: 'UNREAD' },
  read: { kind: 'not', child: { kind: 'labelId', id: 'UNREAD' } },
  starred: { kind: 'labelId', id: 'STARRED' },
  important: { kind: 'labelId', id: 'IMPORTANT' },
};

const HAS: Readonly<Record<string, QueryNode>> = {
  attachment: { kind: 'hasAttachment' },
  userlabels: { kind: 'hasUserLabels' },
  nouserlabels: { kind: 'not', child: { kind: 'hasUserLabels' } },
};

const TEXT_OPERATORS: Readonly<Record<string, TextField>> = {
  from: 'from', to: 'to', cc: 'cc', bcc: 'bcc', subject: 'subject', filename: 'filename',
};

const OTHER_OPERATORS = new Set([
  'label', 'in', 'is', 'has', 'category', 'after', 'before', 'older', 'newer', 'older_than', 'newer_than',
  'larger', 'smaller', 'size', 'rfc822msgid',
]);

const isOperator = (name: string): boolean => Object.hasOwn(TEXT_OPERATORS, name) || OTHER_OPERATORS.has(name);

type Token =
  | { t: 'word'; text: string; start: number; end: number }
  | { t: 'phrase'; text: string; start: number; end: number }
  | { t: '(' | ')' | '{' | '}' | '-'; start: number; end: number };

const SPACE = /\s/u;
const STOP = new Set(['(', ')', '{', '}', '"']);

function quoteExcerpt(query: string, start: number, end: number): string {
  const part = query.slice(start, Math.max(end, start + 1)).trim();
  return part.length > 40 ? `${part.slice(0, 39)}…` : part;
}

function fail(query: string, start: number, end: number, why: string): never {
  throw new GmailQueryError(`Cannot read the search at "${quoteExcerpt(query, start, end)}" (character ${start + 1}): ${why}`, start, end);
}

function tokenize(query: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  const n = query.length;
  while (i < n) {
    const c = query[i];
    if (SPACE.test(c)) {
      i++;
    } else if (c === '(' || c === ')' || c === '{' || c === '}') {
      out.push({ t: c, start: i, end: i + 1 });
      i++;
    } else if (c === '"') {
      const close = query.indexOf('"', i + 1);
      if (close < 0) fail(query, i, n, 'this quote is never closed (add a " where the phrase ends)');
      out.push({ t: 'phrase', text: query.slice(i + 1, close), start: i, end: close + 1 });
      i = close + 1;
    } else if ((c === '-' || c === '+') && i + 1 < n && !SPACE.test(query[i + 1]) && query[i + 1] !== ')' && query[i + 1] !== '}') {
      // `-term` excludes; `+term` (Gmail: this exact word) is the word itself here, as every word is matched whole.
      if (c === '-') out.push({ t: '-', start: i, end: i + 1 });
      i++;
    } else {
      let j = i;
      while (j < n && !SPACE.test(query[j]) && !STOP.has(query[j])) j++;
      out.push({ t: 'word', text: query.slice(i, j), start: i, end: j });
      i = j;
    }
  }
  return out;
}

/** What a leaf inherits from an operator written before a group: `subject:(a b)` makes a and b subject words. */
type Context = { op: string } | null;

class Parser {
  private pos = 0;
  private depth = 0;
  private terms = 0;

  constructor(
    private readonly query: string,
    private readonly tokens: Token[],
  ) {}

  parse(): QueryNode | null {
    const node = this.andExpr(null);
    const rest = this.tokens[this.pos];
    if (rest) {
      const what = rest.t === ')' ? 'nothing opened this parenthesis' : rest.t === '}' ? 'nothing opened this brace' : 'unexpected here';
      fail(this.query, rest.start, rest.end, what);
    }
    return node;
  }

  private peek(): Token | undefined {
    return this.tokens[this.pos];
  }

  private isKeyword(tok: Token | undefined, word: 'OR' | 'AND' | 'NOT'): boolean {
    return tok?.t === 'word' && tok.text === word;
  }

  private atEnd(tok: Token | undefined): boolean {
    return tok === undefined || tok.t === ')' || tok.t === '}';
  }

  private andExpr(ctx: Context): QueryNode | null {
    const parts: QueryNode[] = [];
    for (;;) {
      const tok = this.peek();
      if (this.atEnd(tok)) break;
      if (this.isKeyword(tok, 'AND')) {
        this.pos++;
        if (parts.length === 0 || this.atEnd(this.peek()) || this.isKeyword(this.peek(), 'OR') || this.isKeyword(this.peek(), 'AND')) {
          fail(this.query, tok!.start, tok!.end, 'AND needs a search term on each side (to search for the word, write "AND")');
        }
        continue;
      }
      const node = this.orExpr(ctx);
      if (node) parts.push(node);
    }
    return combine('and', parts);
  }

  private orExpr(ctx: Context): QueryNode | null {
    const first = this.peek();
    if (this.isKeyword(first, 'OR')) fail(this.query, first!.start, first!.end, 'OR needs a search term on each side (to search for the word, write "OR")');
    const parts: Array<QueryNode | null> = [this.unary(ctx)];
    while (this.isKeyword(this.peek(), 'OR')) {
      const or = this.peek()!;
      this.pos++;
      const next = this.peek();
      if (this.atEnd(next) || this.isKeyword(next, 'OR') || this.isKeyword(next, 'AND')) {
        fail(this.query, or.start, or.end, 'OR needs a search term on each side (to search for the word, write "OR")');
      }
      parts.push(this.unary(ctx));
    }
    // A side with nothing searchable in it (`a OR !!!`) drops out, as punctuation does anywhere else.
    return combine('or', parts.filter((p): p is QueryNode => p !== null));
  }

  private unary(ctx: Context): QueryNode | null {
    const tok = this.peek()!;
    if (tok.t === '-' || this.isKeyword(tok, 'NOT')) {
      this.pos++;
      const next = this.peek();
      if (this.atEnd(next) || this.isKeyword(next, 'OR') || this.isKeyword(next, 'AND')) {
        fail(this.query, tok.start, tok.end, `${tok.t === '-' ? '-' : 'NOT'} needs a search term right after it`);
      }
      const child = this.nested(() => this.unary(ctx), tok);
      return child === null ? null : child.kind === 'not' ? child.child : { kind: 'not', child };
    }
    return this.primary(ctx);
  }

  private nested<T>(fn: () => T, at: Token): T {
    if (++this.depth > MAX_DEPTH) fail(this.query, at.start, at.end, `groups are nested more than ${MAX_DEPTH} deep`);
    try {
      return fn();
    } finally {
      this.depth--;
    }
  }

  private primary(ctx: Context): QueryNode | null {
    const tok = this.peek()!;
    this.pos++;
    switch (tok.t) {
      case '(':
        return this.nested(() => this.group(tok, ')', ctx), tok);
      case '{':
        return this.nested(() => this.group(tok, '}', ctx), tok);
      case 'phrase':
        return this.leaf(ctx, tok.text, true, tok.start, tok.end);
      case 'word':
        return this.word(tok, ctx);
      default:
        // ')' and '}' end a group before reaching here; '-' is read by unary().
        return fail(this.query, tok.start, tok.end, 'unexpected here');
    }
  }

  /** `( … )` is its terms ANDed; `{ … }` is its terms ORed. */
  private group(open: Token, close: ')' | '}', ctx: Context): QueryNode | null {
    let node: QueryNode | null;
    if (close === ')') {
      node = this.andExpr(ctx);
    } else {
      const parts: QueryNode[] = [];
      while (!this.atEnd(this.peek())) {
        if (this.isKeyword(this.peek(), 'OR')) {
          this.pos++;
          continue;
        }
        const p = this.unary(ctx);
        if (p) parts.push(p);
      }
      node = combine('or', parts);
    }
    const end = this.peek();
    if (end?.t !== close) {
      const what = close === ')' ? 'this parenthesis is never closed (add a ")")' : 'this brace is never closed (add a "}")';
      fail(this.query, open.start, end ? end.start : this.query.length, what);
    }
    this.pos++;
    // `()` (or a group of punctuation only) is refused rather than read as "anything", which would widen a search.
    if (node === null) fail(this.query, open.start, end.end, 'there is nothing to search for in this group');
    return node;
  }

  private word(tok: Extract<Token, { t: 'word' }>, ctx: Context): QueryNode | null {
    const colon = tok.text.indexOf(':');
    const name = colon > 0 ? tok.text.slice(0, colon).toLowerCase() : '';
    if (colon <= 0 || !isOperator(name)) return this.leaf(ctx, tok.text, false, tok.start, tok.end);
    const inline = tok.text.slice(colon + 1);
    const opCtx: Context = { op: name };
    if (inline !== '') return this.leaf(opCtx, inline, false, tok.start, tok.end);
    // `subject:"a b"`, `from:(amy OR bob)`, or the value after a space (`from: amy`).
    const next = this.peek();
    if (next === undefined || next.t === ')' || next.t === '}' || next.t === '-' || (next.t === 'word' && (next.text === 'OR' || next.text === 'AND'))) {
      fail(this.query, tok.start, tok.end, `${name}: needs a value right after it, like ${example(name)}`);
    }
    this.pos++;
    if (next.t === 'phrase') return this.leaf(opCtx, next.text, true, tok.start, next.end);
    if (next.t === 'word') return this.leaf(opCtx, next.text, false, tok.start, next.end);
    return this.nested(() => this.group(next, next.t === '(' ? ')' : '}', opCtx), next);
  }

  private leaf(ctx: Context, value: string, phrase: boolean, start: number, end: number): QueryNode | null {
    if (++this.terms > MAX_QUERY_TERMS) fail(this.query, start, end, `a search can have at most ${MAX_QUERY_TERMS} terms`);
    // A word written inside an operator's group may be an operator itself (`subject:(from:amy)` is from:amy).
    if (ctx !== null && !phrase) {
      const colon = value.indexOf(':');
      if (colon > 0 && isOperator(value.slice(0, colon).toLowerCase()) && value.slice(colon + 1) !== '') {
        return this.leaf({ op: value.slice(0, colon).toLowerCase() }, value.slice(colon + 1), false, start, end);
      }
    }
    const text = value.replace(CONTROL_CHARS, ' ').trim();
    if (ctx === null) return TOKEN_CHAR.test(text) ? { kind: 'text', field: 'any', text, phrase } : null;
    return operatorNode(this.query, ctx.op, text, phrase, start, end);
  }
}

function combine(kind: 'and' | 'or', parts: QueryNode[]): QueryNode | null {
  if (parts.length === 0) return null;
  if (parts.length === 1) return parts[0];
  // Flatten same-kind children: (a AND (b AND c)) is a AND b AND c.
  const children = parts.flatMap((p) => (p.kind === kind ? p.children : [p]));
  return { kind, children };
}

function example(op: string): string {
  const examples: Record<string, string> = {
    from: 'from:amy@example.com', to: 'to:bob', cc: 'cc:bob', bcc: 'bcc:bob', subject: 'subject:dinner', filename: 'filename:pdf',
    label: 'label:work', in: 'in:inbox', is: 'is:unread', has: 'has:attachment', category: 'category:social',
    after: 'after:2024/04/16', before: 'before:2024/04/16', older: 'older:2024/04/16', newer: 'newer:2024/04/16',
    older_than: 'older_than:2d', newer_than: 'newer_than:1y', larger: 'larger:10M', smaller: 'smaller:500K', size: 'size:1000000',
    rfc822msgid: 'rfc822msgid:<abc@example.com>',
  };
  return examples[op] ?? `${op}:something`;
}

const DAY_FORMATS: Array<{ re: RegExp; order: 'ymd' | 'mdy' }> = [
  { re: /^(\d{4})[/-](\d{1,2})[/-](\d{1,2})$/, order: 'ymd' },
  { re: /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/, order: 'mdy' },
];

function parseDate(value: string): QueryDate | null {
  if (/^\d{1,12}$/.test(value)) return { kind: 'epoch', seconds: Number(value) };
  for (const f of DAY_FORMATS) {
    const m = f.re.exec(value);
    if (!m) continue;
    const [a, b, c] = [Number(m[1]), Number(m[2]), Number(m[3])];
    const [year, month, day] = f.order === 'ymd' ? [a, b, c] : [c, a, b];
    const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
    if (month < 1 || month > 12 || day < 1 || day > daysInMonth) return null;
    return { kind: 'day', year, month, day };
  }
  return null;
}

const SIZE_UNITS: Readonly<Record<string, number>> = { '': 1, k: 1024, kb: 1024, m: 1024 ** 2, mb: 1024 ** 2, g: 1024 ** 3, gb: 1024 ** 3 };

function operatorNode(query: string, op: string, value: string, phrase: boolean, start: number, end: number): QueryNode | null {
  const bad = (why: string): never => fail(query, start, end, why);
  const field = Object.hasOwn(TEXT_OPERATORS, op) ? TEXT_OPERATORS[op] : undefined;
  if (field !== undefined) {
    if (!TOKEN_CHAR.test(value)) bad(`${op}: needs words, a name or an address, like ${example(op)}`);
    return { kind: 'text', field, text: value, phrase };
  }
  const v = value.toLowerCase();
  if (v === '') bad(`${op}: needs a value right after it, like ${example(op)}`);
  switch (op) {
    case 'label':
      return { kind: 'labelName', name: value };
    case 'in':
      if (v === 'anywhere') return { kind: 'anywhere' };
      // Gmail also takes a label's name after in: (in:work).
      return Object.hasOwn(IN_LOCATIONS, v) ? { kind: 'labelId', id: IN_LOCATIONS[v] } : { kind: 'labelName', name: value };
    case 'is':
      if (Object.hasOwn(IS_STATES, v)) return IS_STATES[v];
      return bad('is: can be unread, read, starred or important');
    case 'has':
      if (Object.hasOwn(HAS, v)) return HAS[v];
      return bad('has: can be attachment, userlabels or nouserlabels');
    case 'category':
      if (Object.hasOwn(CATEGORIES, v)) return { kind: 'labelId', id: CATEGORIES[v] };
      return bad('category: can be primary, social, promotions, updates, forums, reservations or purchases');
    case 'after':
    case 'before':
    case 'older':
    case 'newer': {
      const date = parseDate(v);
      if (!date) return bad(`${op}: needs a date as year/month/day (like ${example(op)}) or seconds since 1970`);
      return { kind: 'date', op: op === 'after' || op === 'newer' ? 'after' : 'before', date };
    }
    case 'older_than':
    case 'newer_than': {
      const m = /^(\d{1,6})([dmy])$/.exec(v);
      if (!m) return bad(`${op}: needs a number followed by d (days), m (months) or y (years), like ${example(op)}`);
      return { kind: 'age', op: op === 'older_than' ? 'older' : 'newer', amount: Number(m[1]), unit: m[2] as 'd' | 'm' | 'y' };
    }
    case 'larger':
    case 'smaller':
    case 'size': {
      const m = /^(\d{1,15}(?:\.\d+)?)([a-z]*)$/.exec(v);
      if (!m || !Object.hasOwn(SIZE_UNITS, m[2])) return bad(`${op}: needs a size in bytes, or with K, M or G, like ${example(op)}`);
      return { kind: 'size', op: op === 'smaller' ? 'smaller' : 'larger', bytes: Math.round(Number(m[1]) * SIZE_UNITS[m[2]]) };
    }
    case 'rfc822msgid': {
      const id = value.trim().replace(/^<|>$/g, '').trim();
      if (id === '') return bad(`rfc822msgid: needs a Message-ID, like ${example(op)}`);
      return { kind: 'messageId', id };
    }
    default:
      return bad('this operator is not known');
  }
}

/**
 * Reads a Gmail search into its tree; null when it holds nothing to search for (only spaces or punctuation).
 * Throws GmailQueryError for what cannot be read. `phrase` is kept for the compiler; every term's words are
 * matched whole and in order.
 */
export function parseGmailQuery(query: string): QueryNode | null {
  return new Parser(query, tokenize(query)).parse();
}
