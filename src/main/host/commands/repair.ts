// `mailmirror repair --rebuild`: a damaged mailbox database is rebuilt from Gmail into a new file. The damaged one is
// kept aside (mailmirror.damaged-<time>.db with its -wal/-shm), the accounts whose rows can still be read are carried
// over with their sign-ins when those still decrypt (tokens live in the database, encrypted with a key kept outside
// it), and the full sync runs here with its progress, like `sync --wait`. Interrupted, it resumes with `sync --wait`.
import { createAppCore } from '../../app-core';
import { UsageError, parseCommandArgs } from '../args';
import type { CliContext } from '../cli-context';
import { writeLine } from '../output';
import { waitUntilIdle } from './sync';

export async function repairCommand(ctx: CliContext, args: string[]): Promise<number> {
  const { values } = parseCommandArgs('repair', args, { rebuild: { type: 'boolean' } });
  if (!values.rebuild) throw new UsageError('repair: say what to repair: `mailmirror repair --rebuild` rebuilds the mailbox database from Gmail');
  const core = await createAppCore(ctx.config, { runWorkers: true, openDamaged: true });
  try {
    let rebuilt;
    try {
      rebuilt = await core.rebuildStore();
    } catch (e) {
      if ((e as { code?: unknown }).code !== 'STORE_NOT_DAMAGED') throw e;
      writeLine(ctx.stdout, `${(e as Error).message}.`);
      return 0;
    }
    writeLine(ctx.stdout, rebuilt.keptAs ? `The damaged database is kept as ${rebuilt.keptAs} in ${ctx.config.dataDir}.` : 'A new mailbox database was made.');
    const lost = rebuilt.accounts.filter((a) => a.reconnect).map((a) => a.email);
    if (lost.length) {
      writeLine(ctx.stderr, `mailmirror: the sign-in of ${lost.join(', ')} was lost with the damaged database: reconnect with \`mailmirror account add\`.`);
    }
    const ids = rebuilt.accounts
      .filter((a) => !a.reconnect)
      .map((a) => core.findAccount(a.email)?.id)
      .filter((id): id is number => id !== undefined);
    if (rebuilt.accounts.length === 0) {
      writeLine(ctx.stdout, 'No account could be read from the damaged database: connect yours again with `mailmirror account add`.');
      return 1;
    }
    if (ids.length === 0) return 1;
    writeLine(ctx.stdout, `Rebuilding the mirror of ${rebuilt.accounts.filter((a) => !a.reconnect).map((a) => a.email).join(', ')} from Gmail…`);
    const code = await waitUntilIdle(core, ctx, ids);
    return code === 0 && lost.length ? 1 : code;
  } catch (e) {
    throw core.reportStoreError(e);
  } finally {
    await core.close();
  }
}
