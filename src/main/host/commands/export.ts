// `mailmirror export --account <email> --format json --out <file|->`: the mirror as one JSON document
// (issue 3): labels with Gmail's counts and every mirrored message, sorted, never a token or a body.
import { resolve } from 'node:path';
import { StoreCore } from '../../store-core';
import { MailmirrorError } from '../../errors';
import { parseCommandArgs, UsageError } from '../args';
import type { CliContext } from '../cli-context';
import { writeFileAtomic } from '../output';

const LATER_FORMATS = new Set(['mbox', 'eml']);

export class ExportWriteError extends MailmirrorError {
  readonly code = 'EXPORT_WRITE_FAILED';
  readonly ipcCode = 'INTERNAL';
}

export async function exportCommand(ctx: CliContext, args: string[]): Promise<number> {
  const { values } = parseCommandArgs('export', args, {
    account: { type: 'string' },
    format: { type: 'string' },
    out: { type: 'string' },
  });
  const format = values.format ?? 'json';
  if (LATER_FORMATS.has(format)) throw new UsageError(`export: --format ${format} is not supported yet (use --format json)`);
  if (format !== 'json') throw new UsageError(`export: unknown format "${format}" (use --format json)`);
  if (!values.account) throw new UsageError('export: which account? (--account <email>)');
  const out = values.out ?? '-';

  const store = StoreCore.open(ctx.config);
  let text: string;
  try {
    text = `${JSON.stringify(store.exportAccount(values.account))}\n`;
  } finally {
    store.close();
  }
  if (out === '-') ctx.stdout.write(text);
  else {
    const file = resolve(out);
    try {
      writeFileAtomic(file, text);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code ?? 'error';
      const why = code === 'ENOENT' ? 'its folder does not exist' : code === 'EACCES' ? 'permission denied' : code === 'ENOSPC' ? 'the disk is full' : code;
      throw new ExportWriteError(`cannot write ${file}: ${why} (${code})`);
    }
  }
  return 0;
}
