// Full-text search over the FTS5 index of subject, from, to and body text (migration fts).
import { and, desc, eq, sql } from 'drizzle-orm';
import type { Db } from './client';
import { guarded, preparedPerConnection } from './internal';
import { listFields, type MessageListRow } from './message-queries';
import { messages } from './schema';

const MAX_SEARCH_TERMS = 32;
const TOKEN_CHAR = /[\p{L}\p{N}]/u;
// FTS5 reads a query string up to its first NUL, so a NUL inside a quoted term leaves it
// "unterminated"; no control character is searchable text (the tokenizer splits on them), so all
// of them separate terms like spaces do.
const CONTROL_CHARS = /\p{Cc}/gu;

/**
 * Turns what a user typed into an FTS5 query that cannot be a syntax error: every term is a
 * quoted string (quotes doubled), so operators, `*`, `NEAR(`, column filters and stray quotes
 * are plain text, and control characters (NUL included) are spaces; terms are ANDed and the last
 * one is a prefix (search-as-you-type). Returns null when nothing searchable is left.
 * https://sqlite.org/fts5.html#full_text_query_syntax
 */
export function toFtsQuery(input: string): string | null {
  const terms = input
    .replace(CONTROL_CHARS, ' ')
    .split(/\s+/u)
    .filter((t) => TOKEN_CHAR.test(t))
    .slice(0, MAX_SEARCH_TERMS);
  if (terms.length === 0) return null;
  return terms.map((t, i) => `"${t.replaceAll('"', '""')}"${i === terms.length - 1 ? '*' : ''}`).join(' ');
}

// The FTS5 table is not in the drizzle schema (drizzle-kit cannot describe virtual tables): named in SQL here.
const statements = preparedPerConnection((orm) => ({
  search: orm
    .select(listFields)
    .from(sql`messages_fts`)
    .innerJoin(messages, sql`${messages.id} = messages_fts.rowid`)
    .where(and(sql`messages_fts MATCH ${sql.placeholder('match')}`, eq(messages.accountId, sql.placeholder('accountId'))))
    // bm25 weights follow the index's columns: subject, from, to, body.
    .orderBy(sql`bm25(messages_fts, 10.0, 4.0, 2.0, 1.0)`, desc(messages.internalDate), desc(messages.id))
    .limit(sql.placeholder('limit'))
    .prepare(),
}));

/**
 * Full-text search over subject, from, to and body text, best match first (bm25, subject
 * weighted most), then newest.
 */
export const search = guarded(function search(db: Db, accountId: number, query: string, limit: number): MessageListRow[] {
  const match = toFtsQuery(query);
  if (match === null) return [];
  const n = Math.max(1, Math.min(500, Math.trunc(limit) || 50));
  return statements(db).search.all({ match, accountId, limit: n });
});
