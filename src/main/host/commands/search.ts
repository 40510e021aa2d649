// `mailmirror search --account <email> [--json] <query…>`: Gmail search over the mirror, offline (issue 13), from
// the store alone (no Redis, works while another process syncs). Every match is printed, newest first. Other tools
// read the --json form: an array of objects with `id` (Gmail message id), `threadId` and `date` (ms since the
// epoch, a number), plus `from`, `subject` and `labelIds`. Keep those to the letter.
import { StoreCore, type SearchMatch } from '../../store-core';
import { stripControlChars } from '../../../shared/safe-text';
import { UsageError } from '../args';
import type { CliContext } from '../cli-context';
import { formatTime, writeLine } from '../output';

/** What `search --json` prints for each match. */
export type SearchJsonEntry = {
  id: string;
  threadId: string;
  /** Gmail's internalDate, ms since the epoch. */
  date: number;
  from: string | null;
  subject: string | null;
  labelIds: string[];
};

type SearchArgs = { account: string; json: boolean; query: string };

/**
 * The command's own arguments. Not node's parseArgs: a search word may start with a dash (`maintenance -window`
 * excludes "window"), so anything that is not one of the command's options is part of the query; `--` ends them.
 */
function parseSearchArgs(args: string[]): SearchArgs {
  let account: string | undefined;
  let json = false;
  const words: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '--') {
      words.push(...args.slice(i + 1));
      break;
    }
    if (a === '--json') json = true;
    else if (a === '--account' || a.startsWith('--account=')) {
      const v = a === '--account' ? args[++i] : a.slice('--account='.length);
      if (v === undefined || v === '' || (a === '--account' && v.startsWith('--'))) throw new UsageError('search: option --account needs a value');
      account = v;
    } else if (a.startsWith('--')) throw new UsageError(`search: unknown option ${a.split('=')[0]} (a search word starting with -- goes after --)`);
    else words.push(a);
  }
  if (!account) throw new UsageError('search: which account? (--account <email>)');
  const query = words.join(' ').trim();
  if (query === '') throw new UsageError('search: what to search for? (mailmirror search --account <email> <query…>)');
  return { account, json, query };
}

function jsonEntry(r: SearchMatch): SearchJsonEntry {
  return { id: r.gmailId, threadId: r.threadId, date: r.internalDate, from: r.from, subject: r.subject, labelIds: r.labelIds };
}

/** Mail text on a terminal: no control characters (an ESC in a subject must not drive the terminal). */
const plain = (s: string | null): string => stripControlChars(s ?? '').replace(/\s+/g, ' ').trim();

export async function searchCommand(ctx: CliContext, args: string[]): Promise<number> {
  const { account, json, query } = parseSearchArgs(args);
  const store = StoreCore.open(ctx.config);
  // Written in chunks as SQLite reads the rows: flat memory however many match.
  let chunk = '';
  const flush = (force = false) => {
    if (chunk.length > 0 && (force || chunk.length >= 64 * 1024)) {
      ctx.stdout.write(chunk);
      chunk = '';
    }
  };
  let first = true;
  let count: number;
  try {
    count = store.searchAccount(account, query, (r) => {
      chunk += json ? `${first ? '[\n  ' : ',\n  '}${JSON.stringify(jsonEntry(r))}` : `${formatTime(r.internalDate)}  ${plain(r.from) || '(unknown sender)'}  ${plain(r.subject) || '(no subject)'}\n`;
      first = false;
      flush();
    });
  } finally {
    store.close();
  }
  flush(true);
  // JSON.stringify escapes what a terminal could misread; the array is valid JSON, one message a line.
  if (json) writeLine(ctx.stdout, count === 0 ? '[]' : '\n]');
  else writeLine(ctx.stdout, count === 0 ? 'No messages match.' : `${count} message${count === 1 ? '' : 's'}`);
  return 0;
}
