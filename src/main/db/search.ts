// Gmail search over the mirror (issue 13): the query is read by src/shared/gmail-query.ts, compiled to SQL + FTS5
// by ./search-sql.ts, and answered here, newest first (or best match first), with an exact count of every match.
// The FTS5 index (migration search) covers subject, from, to, cc, bcc, the text body and attachment names.
import { and, desc, eq, inArray, sql, type SQL } from 'drizzle-orm';
import { GmailQueryError, parseGmailQuery, type QueryNode } from '../../shared/gmail-query';
import type { Db } from './client';
import { InvalidCursorError, SearchQueryError } from './errors';
import { guarded } from './internal';
import { listFields, type MessageListRow } from './message-queries';
import { accounts, labels, messages } from './schema';
import { compileSearch, type CompiledSearch } from './search-sql';

/** `newest`: Gmail's order (internalDate, then id, descending). `relevance`: bm25 over the words, then newest. */
export type SearchOrder = 'newest' | 'relevance';

export type SearchOptions = {
  order?: SearchOrder;
  /** ms since epoch for older_than:/newer_than: (default: now). */
  now?: number;
};

export type SearchPage = {
  items: MessageListRow[];
  /** Every message the search matches (not only this page). */
  total: number;
  /** Pass back as `cursor` for the next page; null when this page is the last. */
  nextCursor: string | null;
};

// bm25 weights follow the index's columns: subject, from, to, cc, bcc, body, attachment names.
const RANK = sql`bm25(messages_fts, 10.0, 4.0, 2.0, 2.0, 2.0, 1.0, 3.0)`;
const NEWEST = [desc(messages.internalDate), desc(messages.gmailId)];

/** Reads a search; SearchQueryError for what cannot be read or holds nothing to search for. */
export function parseSearch(query: string): QueryNode {
  let root: QueryNode | null;
  try {
    root = parseGmailQuery(query);
  } catch (e) {
    if (e instanceof GmailQueryError) throw new SearchQueryError(e.message, query, e.start, e.end);
    throw e;
  }
  if (root === null) throw new SearchQueryError('There is nothing to search for: type words, a "phrase" or an operator like from:', query, 0, query.length);
  return root;
}

function compile(db: Db, accountId: number, query: string, options: SearchOptions): CompiledSearch {
  const root = parseSearch(query);
  const email = db.orm.select({ email: accounts.email }).from(accounts).where(eq(accounts.id, accountId)).get()?.email ?? '';
  const labelList = db.orm.select({ id: labels.gmailId, name: labels.name }).from(labels).where(eq(labels.accountId, accountId)).all();
  return compileSearch(root, { accountId, email, labels: labelList, now: options.now ?? Date.now() });
}

/** The ids, dates and Gmail ids of a compiled search's matches: driven by the FTS5 index when there are words. */
function matches(db: Db, c: CompiledSearch, extra: SQL | undefined) {
  const keys = { id: messages.id, internalDate: messages.internalDate, gmailId: messages.gmailId };
  if (c.match === null) return db.orm.select(keys).from(messages).where(and(c.where, extra)).$dynamic();
  return db.orm
    .select(keys)
    .from(sql`messages_fts`)
    .innerJoin(messages, sql`${messages.id} = messages_fts.rowid`)
    .where(and(sql`messages_fts MATCH ${c.match}`, c.where, extra))
    .$dynamic();
}

/**
 * The list rows of these messages, in this order. Read after the page is chosen, by id: SQLite would otherwise work
 * out each row's labels and markers (correlated subqueries) for every match before sorting them.
 */
function listRows(db: Db, ids: readonly number[]): MessageListRow[] {
  if (ids.length === 0) return [];
  const byId = new Map(
    db.orm
      .select(listFields)
      .from(messages)
      .where(inArray(messages.id, [...ids]))
      .all()
      .map((r) => [r.id, r]),
  );
  return ids.flatMap((id) => byId.get(id) ?? []);
}

function count(db: Db, c: CompiledSearch): number {
  const n = sql<number>`count(*)`;
  const row =
    c.match === null
      ? db.orm.select({ n }).from(messages).where(c.where).get()
      : db.orm
          .select({ n })
          .from(sql`messages_fts`)
          .innerJoin(messages, sql`${messages.id} = messages_fts.rowid`)
          .where(and(sql`messages_fts MATCH ${c.match}`, c.where))
          .get();
  return row?.n ?? 0;
}

type Cursor = { d: number; g: string } | { o: number };

function encodeCursor(c: Cursor): string {
  return Buffer.from(JSON.stringify(c), 'utf8').toString('base64url');
}

function decodeCursor(cursor: string, order: SearchOrder): Cursor {
  try {
    const v = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as Record<string, unknown>;
    if (order === 'newest' && Number.isSafeInteger(v.d) && typeof v.g === 'string') return { d: v.d as number, g: v.g };
    if (order === 'relevance' && Number.isSafeInteger(v.o) && (v.o as number) >= 0) return { o: v.o as number };
  } catch {
    // fall through
  }
  throw new InvalidCursorError('The search position (cursor) is not valid');
}

/**
 * One page of a Gmail search over an account's mirror and the exact number of matches. Newest first pages by
 * position (internalDate, id), so mail arriving meanwhile never shifts a page; relevance pages by offset. Throws
 * SearchQueryError for a search it cannot read, InvalidCursorError for a cursor it did not hand out.
 */
export const searchMessages = guarded(function searchMessages(
  db: Db,
  accountId: number,
  query: string,
  options: SearchOptions & { limit: number; cursor?: string | null },
): SearchPage {
  const limit = Math.max(1, Math.min(500, Math.trunc(options.limit) || 50));
  const c = compile(db, accountId, query, options);
  // Relevance ranks the words; a search with none (labels, dates, …) is newest first whatever was asked.
  const order: SearchOrder = options.order === 'relevance' && c.match !== null ? 'relevance' : 'newest';
  const after = options.cursor ? decodeCursor(options.cursor, order) : null;
  if (order === 'relevance') {
    const offset = after && 'o' in after ? after.o : 0;
    const keys = matches(db, c, undefined)
      .orderBy(RANK, ...NEWEST)
      .limit(limit + 1)
      .offset(offset)
      .all();
    const more = keys.length > limit;
    const items = listRows(db, keys.slice(0, limit).map((k) => k.id));
    return { items, total: count(db, c), nextCursor: more ? encodeCursor({ o: offset + limit }) : null };
  }
  const position = after && 'd' in after ? sql`(${messages.internalDate}, ${messages.gmailId}) < (${after.d}, ${after.g})` : undefined;
  const keys = matches(db, c, position)
    .orderBy(...NEWEST)
    .limit(limit + 1)
    .all();
  const more = keys.length > limit;
  const page = keys.slice(0, limit);
  const last = page[page.length - 1];
  return {
    items: listRows(db, page.map((k) => k.id)),
    total: count(db, c),
    nextCursor: more && last ? encodeCursor({ d: last.internalDate ?? 0, g: last.gmailId }) : null,
  };
});

/** A match as `forEachSearchMatch` hands it out (what the CLI prints). */
export type SearchMatch = {
  gmailId: string;
  threadId: string;
  /** ms since epoch (Gmail's internalDate). */
  internalDate: number;
  from: string | null;
  subject: string | null;
  /** Sorted. */
  labelIds: string[];
};

const matchFields = {
  gmailId: messages.gmailId,
  threadId: messages.threadId,
  internalDate: messages.internalDate,
  from: messages.fromAddr,
  subject: messages.subject,
  labelIds: listFields.labelIds,
};

/**
 * Every match of a search, newest first, handed to `onRow` one at a time as SQLite reads them (never a list of
 * 100k rows in memory); answers how many there were. Throws SearchQueryError for a search it cannot read.
 */
export const forEachSearchMatch = guarded(function forEachSearchMatch(
  db: Db,
  accountId: number,
  query: string,
  onRow: (row: SearchMatch) => void,
  options: SearchOptions = {},
): number {
  const c = compile(db, accountId, query, options);
  // drizzle has no row iterator: its SQL, run by better-sqlite3's own (rows as arrays, in matchFields' order).
  const q = (
    c.match === null
      ? db.orm.select(matchFields).from(messages).where(c.where)
      : db.orm
          .select(matchFields)
          .from(sql`messages_fts`)
          .innerJoin(messages, sql`${messages.id} = messages_fts.rowid`)
          .where(and(sql`messages_fts MATCH ${c.match}`, c.where))
  )
    .orderBy(...NEWEST)
    .toSQL();
  let n = 0;
  for (const r of db.sqlite.prepare(q.sql).raw(true).iterate(...q.params) as Iterable<unknown[]>) {
    const labelIds = typeof r[5] === 'string' ? (JSON.parse(r[5]) as string[]).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)) : [];
    onRow({ gmailId: String(r[0]), threadId: String(r[1]), internalDate: Number(r[2]), from: r[3] as string | null, subject: r[4] as string | null, labelIds });
    n++;
  }
  return n;
});

/** The first `limit` matches of a search, newest first (or best first with `order: 'relevance'`). */
export const search = guarded(function search(db: Db, accountId: number, query: string, limit: number, options: SearchOptions = {}): MessageListRow[] {
  return searchMessages(db, accountId, query, { ...options, limit }).items;
});
