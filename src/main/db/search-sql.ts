// A parsed Gmail search (src/shared/gmail-query.ts) as SQL over the messages table and its FTS5 index. Every value
// the user typed is a bound parameter or, inside the FTS5 query, a double-quoted string with its quotes doubled, so
// nothing typed can be FTS5 or SQL syntax (https://sqlite.org/fts5.html#full_text_query_syntax).
import { sql, type SQL } from 'drizzle-orm';
import type { QueryDate, QueryNode, TextField } from '../../shared/gmail-query';
import { attachments, labels, messageLabels, messages } from './schema';

/** What compiling needs to know of the account and the moment. */
export type SearchContext = {
  accountId: number;
  /** The account's address: `from:me`, `to:me`. */
  email: string;
  /** The account's labels (Gmail id and name), for `label:`. */
  labels: ReadonlyArray<{ id: string; name: string }>;
  /** ms since epoch: `older_than:` and `newer_than:` count back from it. */
  now: number;
};

/**
 * The compiled search: `match` is an FTS5 query over the text terms ANDed at the top (null when there are none:
 * it then drives the query through the index, and gives relevance its ranking), `where` the rest as SQL on
 * `messages`. Spam and trash are already left out unless the search names them.
 */
export type CompiledSearch = { match: string | null; where: SQL };

const FTS_COLUMNS: Readonly<Record<TextField, string>> = {
  any: '',
  from: '{from_addr} : ',
  // Gmail's to: finds the address in To, Cc or Bcc.
  to: '{to_addr cc_addr bcc_addr} : ',
  cc: '{cc_addr} : ',
  bcc: '{bcc_addr} : ',
  subject: '{subject} : ',
  filename: '{attachment_names} : ',
};

const CONTROL_CHARS = /\p{Cc}/gu;

/** One term as an FTS5 string: its words, in order, as a phrase; quotes doubled, control characters as spaces. */
function ftsString(text: string): string {
  return `"${text.replace(CONTROL_CHARS, ' ').replaceAll('"', '""')}"`;
}

/** The user label names a `label:` value may be written as: lower case, spaces and slashes as dashes. */
function labelKey(name: string): string {
  return name
    .toLowerCase()
    .replace(/[\s/\\\-&(){}|"]+/gu, '-')
    .replace(/^-+|-+$/g, '');
}

/**
 * A day is its midnight in the machine's local time zone (TZ), as Gmail's web search reads dates in the user's; Gmail's
 * API reads them as midnight Pacific time instead. Seconds since 1970 (`after:1388552400`) are an exact instant, as
 * in Gmail. https://developers.google.com/workspace/gmail/api/guides/filtering
 */
function instant(date: QueryDate): number {
  if (date.kind === 'epoch') return date.seconds * 1000;
  // Not new Date(y, m, d): it reads years 0–99 as 1900–1999.
  const d = new Date(0);
  d.setFullYear(date.year, date.month - 1, date.day);
  d.setHours(0, 0, 0, 0);
  return d.getTime();
}

/** JavaScript's earliest date: what an age reaching further back than that counts from. */
const EARLIEST = -8.64e15;

/** `now` minus the amount: days of 24 hours, calendar months and years (a month back from 31 March is 3 March). */
function ageEdge(amount: number, unit: 'd' | 'm' | 'y', now: number): number {
  if (unit === 'd') return now - amount * 86_400_000;
  const d = new Date(now);
  if (unit === 'm') d.setMonth(d.getMonth() - amount);
  else d.setFullYear(d.getFullYear() - amount);
  return Number.isFinite(d.getTime()) ? d.getTime() : EARLIEST;
}

class Compiler {
  private readonly byKey = new Map<string, string>();

  constructor(private readonly ctx: SearchContext) {
    // Names first (what users type); an id (`label:Label_12`, `label:inbox`) where no name reads the same.
    for (const l of ctx.labels) this.byKey.set(labelKey(l.name), l.id);
    for (const l of ctx.labels) if (!this.byKey.has(labelKey(l.id))) this.byKey.set(labelKey(l.id), l.id);
  }

  /** Gmail label ids a `label:` value names (user label names, system ids like `inbox`); empty when none. */
  resolveLabel(name: string): string[] {
    const key = labelKey(name);
    const id = this.byKey.get(key);
    if (id !== undefined) return [id];
    // A system label the labels table does not hold (yet): Gmail's ids are upper case words.
    return /^[a-z_]+$/.test(key) && !key.startsWith('label_') ? [key.toUpperCase()] : [];
  }

  /** The FTS5 expression for a subtree made only of text terms (negations allowed beside a positive term). */
  fts(node: QueryNode): string | null {
    switch (node.kind) {
      case 'text': {
        const field = node.field;
        const text = (field === 'from' || field === 'to' || field === 'cc' || field === 'bcc') && node.text.toLowerCase() === 'me' ? this.ctx.email : node.text;
        return `${FTS_COLUMNS[field]}${ftsString(text)}`;
      }
      case 'or': {
        const parts = node.children.map((c) => this.fts(c));
        return parts.every((p): p is string => p !== null) ? parts.map((p) => `(${p})`).join(' OR ') : null;
      }
      case 'and': {
        const pos: string[] = [];
        const neg: string[] = [];
        for (const c of node.children) {
          const inner = c.kind === 'not' ? this.fts(c.child) : this.fts(c);
          if (inner === null) return null;
          (c.kind === 'not' ? neg : pos).push(`(${inner})`);
        }
        // FTS5's NOT is binary (a NOT b): a conjunction of negations alone is not an FTS5 query.
        if (pos.length === 0) return null;
        return neg.length === 0 ? pos.join(' AND ') : `(${pos.join(' AND ')}) NOT (${neg.join(' OR ')})`;
      }
      default:
        return null;
    }
  }

  private matching(match: string): SQL {
    return sql`${messages.id} IN (SELECT rowid FROM messages_fts WHERE messages_fts MATCH ${match})`;
  }

  private withLabels(ids: readonly string[]): SQL {
    if (ids.length === 0) return sql`0`;
    const list = sql.join(
      ids.map((id) => sql`${id}`),
      sql`, `,
    );
    // The label index drives it (message_labels_account_label), instead of a probe per message.
    return sql`${messages.id} IN (SELECT ${messageLabels.messageId} FROM ${messageLabels} WHERE ${messageLabels.accountId} = ${this.ctx.accountId} AND ${messageLabels.labelId} IN (${list}))`;
  }

  sql(node: QueryNode): SQL {
    const whole = this.fts(node);
    if (whole !== null) return this.matching(whole);
    switch (node.kind) {
      case 'and': {
        const { match, rest } = this.split(node.children);
        const parts = match === null ? rest : [this.matching(match), ...rest];
        return sql`(${sql.join(parts, sql` AND `)})`;
      }
      case 'or':
        return sql`(${sql.join(
          node.children.map((c) => this.sql(c)),
          sql` OR `,
        )})`;
      case 'not':
        return sql`NOT ${this.sql(node.child)}`;
      case 'text':
        return this.matching(this.fts(node) ?? '');
      case 'labelId':
        return this.withLabels([node.id]);
      case 'labelName':
        return this.withLabels(this.resolveLabel(node.name));
      case 'anywhere':
        return sql`1`;
      case 'hasAttachment':
        return sql`EXISTS (SELECT 1 FROM ${attachments} WHERE ${attachments.messageId} = ${messages.id})`;
      case 'hasUserLabels':
        return sql`${messages.id} IN (SELECT ml.message_id FROM ${messageLabels} ml JOIN ${labels} l ON l.account_id = ml.account_id AND l.gmail_id = ml.label_id WHERE ml.account_id = ${this.ctx.accountId} AND l.type = 'user')`;
      case 'date':
        return node.op === 'after' ? sql`${messages.internalDate} >= ${instant(node.date)}` : sql`${messages.internalDate} < ${instant(node.date)}`;
      case 'age': {
        const edge = ageEdge(node.amount, node.unit, this.ctx.now);
        return node.op === 'newer' ? sql`${messages.internalDate} >= ${edge}` : sql`${messages.internalDate} < ${edge}`;
      }
      case 'size':
        return node.op === 'larger' ? sql`${messages.sizeEstimate} > ${node.bytes}` : sql`${messages.sizeEstimate} < ${node.bytes}`;
      case 'messageId':
        return sql`${messages.messageIdHeader} IN (${node.id}, ${`<${node.id}>`})`;
    }
  }

  /** The children of an AND that FTS5 can answer together (one MATCH), and the rest as SQL. */
  split(children: readonly QueryNode[]): { match: string | null; rest: SQL[] } {
    const textual = children.filter((c) => this.fts(c.kind === 'not' ? c.child : c) !== null);
    const match = textual.length > 0 ? this.fts({ kind: 'and', children: textual }) : null;
    const rest = children.filter((c) => match === null || !textual.includes(c)).map((c) => this.sql(c));
    return { match, rest };
  }

  /** The spam and trash labels the search does not name (outside a negation): those messages are left out. */
  hidden(root: QueryNode): string[] {
    const named = new Set<string>();
    const walk = (n: QueryNode, negated: boolean): void => {
      if (n.kind === 'and' || n.kind === 'or') n.children.forEach((c) => walk(c, negated));
      else if (n.kind === 'not') walk(n.child, !negated);
      else if (negated) return;
      else if (n.kind === 'anywhere') named.add('SPAM').add('TRASH');
      else if (n.kind === 'labelId') named.add(n.id);
      else if (n.kind === 'labelName') this.resolveLabel(n.name).forEach((id) => named.add(id));
    };
    walk(root, false);
    return ['SPAM', 'TRASH'].filter((id) => !named.has(id));
  }
}

/** Compiles a parsed search for one account (see CompiledSearch). */
export function compileSearch(root: QueryNode, ctx: SearchContext): CompiledSearch {
  const c = new Compiler(ctx);
  const top = root.kind === 'and' ? root.children : [root];
  const { match, rest } = c.split(top);
  const hidden = c.hidden(root);
  const where: SQL[] = [sql`${messages.accountId} = ${ctx.accountId}`, sql`${messages.internalDate} IS NOT NULL`, ...rest];
  if (hidden.length > 0) {
    const list = sql.join(
      hidden.map((id) => sql`${id}`),
      sql`, `,
    );
    where.push(
      sql`${messages.id} NOT IN (SELECT ${messageLabels.messageId} FROM ${messageLabels} WHERE ${messageLabels.accountId} = ${ctx.accountId} AND ${messageLabels.labelId} IN (${list}))`,
    );
  }
  return { match, where: sql.join(where, sql` AND `) };
}
