// How long one page of a list takes over a big store: one row per message (listMessages) against one row per
// conversation (listThreads), for the Inbox and All Mail, first pages and pages deep in the list.
//
//   npx tsx bench/list-pages.ts [messages=100000] [pageSize=100]
//
// The store is a temp file written with the store's own functions (threads of 1 to 9 messages, an Inbox of about
// half the mail, a third unread); each list is walked page by page with its cursor and every page timed.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAccount, listMessages, listThreads, openDatabase, saveMessageDetails, transaction, type ParsedMessage } from '../src/main/db';

const total = Number(process.argv[2] ?? 100_000);
const pageSize = Number(process.argv[3] ?? 100);
const dir = mkdtempSync(join(tmpdir(), 'mm-list-pages-'));
const db = openDatabase(join(dir, 'bench.db'));

let seed = 7;
const rand = () => {
  seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
  return seed / 2 ** 31;
};

const acc = createAccount(db, { email: 'bench@example.com' }).id;
const t0 = Date.UTC(2026, 0, 1);
let made = 0;
let thread = 0;
const batch: ParsedMessage[] = [];
const flush = () => {
  transaction(db, () => saveMessageDetails(db, acc, batch, { insertMissing: true }));
  batch.length = 0;
};
const started = performance.now();
while (made < total) {
  const size = 1 + Math.floor(rand() * rand() * 9);
  const tId = `t${thread++}`;
  for (let k = 0; k < size && made < total; k++, made++) {
    const labelIds = rand() < 0.5 ? ['INBOX'] : ['Label_1'];
    if (rand() < 0.33) labelIds.push('UNREAD');
    if (rand() < 0.05) labelIds.push('STARRED');
    if (rand() < 0.01) labelIds.push('TRASH');
    batch.push({
      gmailId: `g${made}`,
      threadId: tId,
      labelIds,
      historyId: String(made),
      // Threads interleave over time, as real mail does: a reply comes hours or days later.
      internalDate: t0 - made * 60_000 + k * Math.floor(rand() * 3 * 86_400_000),
      sizeEstimate: 2000,
      snippet: 'A routine update about the project and what comes next',
      subject: `Subject of thread ${tId}`,
      from: `Sender ${made % 50} <s${made % 50}@example.com>`,
      to: 'bench@example.com',
      cc: null,
      date: null,
      messageIdHeader: null,
      references: null,
      textBody: 'Hello',
      htmlBody: null,
      attachments: [],
      parseError: null,
    });
    if (batch.length >= 2000) flush();
  }
}
flush();
db.sqlite.pragma('optimize');
console.log(`store: ${made} messages in ${thread} threads, written in ${((performance.now() - started) / 1000).toFixed(1)} s`);

type Page = { nextCursor: string | null; items: unknown[] };
function walk(name: string, read: (cursor: string | null) => Page, maxPages = 200): void {
  const times: number[] = [];
  let cursor: string | null = null;
  let rows = 0;
  for (let i = 0; i < maxPages; i++) {
    const t = performance.now();
    const page = read(cursor);
    times.push(performance.now() - t);
    rows += page.items.length;
    if (!page.nextCursor) break;
    cursor = page.nextCursor;
  }
  times.sort((a, b) => a - b);
  const at = (q: number) => times[Math.min(times.length - 1, Math.floor(q * times.length))].toFixed(2);
  console.log(`${name.padEnd(34)} ${String(times.length).padStart(4)} pages, ${String(rows).padStart(6)} rows  p50 ${at(0.5)} ms  p95 ${at(0.95)} ms  max ${at(1)} ms`);
}

for (const [label, labelId] of [
  ['Inbox', 'INBOX'],
  ['All Mail', null],
  ['Starred', 'STARRED'],
] as const) {
  walk(`messages  ${label}`, (cursor) => listMessages(db, acc, { labelId, cursor, limit: pageSize }));
  walk(`threads   ${label}`, (cursor) => listThreads(db, acc, { labelId, cursor, limit: pageSize }));
}
db.close();
rmSync(dir, { recursive: true, force: true });
