// `mailmirror export --account <email> [--format json|mbox|eml] [--out <path>] [--force]`.
//   json (issue 3, kept to the letter): the mirror as one JSON document — labels with Gmail's counts and every
//        mirrored message, sorted, never a token or a body — to stdout or atomically to a file.
//   mbox (issue 13): one mboxrd file of every original, with Takeout's X-GM-THRID and X-Gmail-Labels headers.
//   eml  (issue 13): a folder of `<gmail id>.eml` files, each one original exactly as Gmail's format=raw gives it.
// mbox and eml come from the store alone (no Redis, no Gmail), one message in memory at a time, under a temporary
// name until whole; an existing file or folder needs --force. Messages whose original is not whole in the mirror are
// left out, counted and named, and so is a first sync that has not finished: the export then exits with 3, so a
// script cannot take it for a complete one.
import { resolve } from 'node:path';
import { StoreCore } from '../../store-core';
import { ExportTargetExistsError, ExportWriteError, writeFailure } from '../../export/export-errors';
import { parseCommandArgs, UsageError } from '../args';
import type { CliContext } from '../cli-context';
import { writeFileAtomic, writeLine } from '../output';

export { ExportWriteError };

/** Exit code of an export written whole except for messages whose original is not in the mirror. */
export const EXIT_INCOMPLETE = 3;

const FORMATS = ['json', 'mbox', 'eml'] as const;
type Format = (typeof FORMATS)[number];

const isFormat = (f: string): f is Format => (FORMATS as readonly string[]).includes(f);

const count = (n: number) => n.toLocaleString('en-US');
const plural = (n: number, one: string, many = `${one}s`) => `${count(n)} ${n === 1 ? one : many}`;

/** Sizes as a file manager shows them (powers of 1000). */
export function formatBytes(n: number): string {
  if (n < 1000) return plural(n, 'byte');
  const units = ['kB', 'MB', 'GB', 'TB'];
  let v = n / 1000;
  let u = 0;
  while (v >= 1000 && u < units.length - 1) {
    v /= 1000;
    u++;
  }
  return `${v.toFixed(v < 10 ? 1 : 0)} ${units[u]}`;
}

export async function exportCommand(ctx: CliContext, args: string[]): Promise<number> {
  const { values } = parseCommandArgs('export', args, {
    account: { type: 'string' },
    format: { type: 'string' },
    out: { type: 'string' },
    force: { type: 'boolean' },
  });
  const format = values.format ?? 'json';
  if (!isFormat(format)) throw new UsageError(`export: unknown format "${format}" (use --format json, mbox or eml)`);
  if (!values.account) throw new UsageError('export: which account? (--account <email>)');
  if (format === 'json') return exportJson(ctx, values.account, values.out ?? '-');
  if (!values.out) {
    throw new UsageError(`export: --format ${format} writes ${format === 'mbox' ? 'a file: give --out <file> (or - for stdout)' : 'a folder: give --out <folder>'}`);
  }
  if (format === 'eml' && values.out === '-') throw new UsageError('export: --format eml writes a folder of files: give --out <folder>');
  return exportOriginals(ctx, values.account, format, values.out, values.force === true);
}

function exportJson(ctx: CliContext, account: string, out: string): number {
  const store = StoreCore.open(ctx.config);
  let text: string;
  try {
    text = `${JSON.stringify(store.exportAccount(account))}\n`;
  } finally {
    store.close();
  }
  if (out === '-') ctx.stdout.write(text);
  else {
    const file = resolve(out);
    try {
      writeFileAtomic(file, text);
    } catch (e) {
      throw writeFailure(file, e);
    }
  }
  return 0;
}

/** A line redrawn on a terminal while the export runs (nothing when stdout is not one: scripts read the summary). */
function progressLine(ctx: CliContext): { update: (exported: number, bytes: number) => void; clear: () => void } {
  let last = 0;
  let drawn = false;
  return {
    update: (exported, bytes) => {
      if (!ctx.isTTY || Date.now() - last < 200) return;
      last = Date.now();
      drawn = true;
      ctx.stdout.write(`\r\x1b[2KExporting… ${plural(exported, 'message')} · ${formatBytes(bytes)}`);
    },
    clear: () => {
      if (drawn) ctx.stdout.write('\r\x1b[2K');
    },
  };
}

async function exportOriginals(ctx: CliContext, account: string, format: 'mbox' | 'eml', out: string, force: boolean): Promise<number> {
  const stop = new AbortController();
  let signalCode = 130;
  const onInt = () => stop.abort();
  const onTerm = () => {
    signalCode = 143;
    stop.abort();
  };
  process.once('SIGINT', onInt);
  process.once('SIGTERM', onTerm);
  // `--out -`: the mbox goes to stdout, so the words go to stderr and no progress line is drawn.
  const toStdout = out === '-';
  const say = toStdout ? ctx.stderr : ctx.stdout;
  const progress = progressLine({ ...ctx, isTTY: ctx.isTTY && !toStdout });
  const store = StoreCore.open(ctx.config);
  try {
    // A first sync still under way: the mirror holds only part of the mailbox, and the export says so.
    const email = store.account(account).email;
    const sync = store.statuses().find((s) => s.email === email)?.status;
    const r = await store.exportOriginals(account, {
      format,
      path: toStdout ? 'standard output' : resolve(out),
      ...(toStdout ? { stream: ctx.stdout } : {}),
      force,
      signal: stop.signal,
      onProgress: (p) => progress.update(p.exported, p.bytes),
    });
    progress.clear();
    const what = r.skipped === 0 ? plural(r.messages, 'message') : `${count(r.messages)} of ${plural(r.messages + r.skipped, 'message')}`;
    writeLine(say, `${toStdout ? 'mailmirror: ' : ''}Exported ${what} (${formatBytes(r.bytes)}) to ${r.path}${r.skipped ? `; ${count(r.skipped)} skipped` : ''}`);
    const unsynced = sync && !sync.initialSyncCompleted;
    if (unsynced) {
      const gmail = sync.total !== null ? `Gmail has ${plural(sync.total, 'message')}, ` : '';
      writeLine(
        ctx.stderr,
        `mailmirror: the first sync of ${email} has not finished (${gmail}the mirror ${count(r.messages + r.skipped)}): ` +
          'the export holds only what the mirror has. Let the sync finish (`mailmirror sync --wait`), then export again.',
      );
    }
    if (r.skipped === 0) return unsynced ? EXIT_INCOMPLETE : 0;
    const more = r.skipped - r.skippedIds.length;
    const ids = `${r.skippedIds.join(', ')}${more > 0 ? ` and ${count(more)} more` : ''}`;
    writeLine(
      ctx.stderr,
      `mailmirror: ${plural(r.skipped, 'message was', 'messages were')} not exported because ${r.skipped === 1 ? 'its original is' : 'their originals are'} ` +
        `not whole in the mirror yet (not copied from Gmail yet, or an attachment over the size you chose to keep): ${ids}. ` +
        'Let the sync finish (`mailmirror sync --wait`) or keep every attachment (the app\'s settings), then export again.',
    );
    return EXIT_INCOMPLETE;
  } catch (e) {
    progress.clear();
    if (stop.signal.aborted) {
      writeLine(ctx.stderr, toStdout ? 'mailmirror: export stopped before its end' : `mailmirror: export stopped; nothing was written to ${resolve(out)}`);
      return signalCode;
    }
    // The app asks before replacing; here the way to say yes is the flag.
    if (e instanceof ExportTargetExistsError && e.forceable) throw new ExportTargetExistsError(`${e.message} with --force`);
    throw e;
  } finally {
    store.close();
    process.off('SIGINT', onInt);
    process.off('SIGTERM', onTerm);
  }
}
