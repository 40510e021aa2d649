// `mailmirror account add [--no-browser] | list [--json] | remove <email>`.
// The output of `add` is a contract: one line `Open this URL to connect: <url>`, then the address.
import { listAccounts } from '../../db/accounts';
import { tokenRepository } from '../../db/tokens';
import { parseCommandArgs, UsageError } from '../args';
import { OAuthClientStore } from '../../gmail/oauth-client-store';
import { openLocalStore } from '../cli-context';
import type { CliContext } from '../cli-context';
import { formatTable, formatTime, isoOrNull, writeJson, writeLine } from '../output';

/** One account as `account list --json` prints it: sync state, never a token. */
export type AccountListEntry = {
  email: string;
  status: 'active' | 'needs_reconnect' | 'error';
  historyId: string | null;
  initialSyncCompleted: boolean;
  labelSyncCompleted: boolean;
  lastFullSyncAt: string | null;
  lastIncrementalSyncAt: string | null;
  lastError: string | null;
};

export async function accountCommand(ctx: CliContext, args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  switch (sub) {
    case 'add':
      return accountAdd(ctx, rest);
    case 'list':
    case 'ls':
      return accountList(ctx, rest);
    case 'remove':
    case 'rm':
      return accountRemove(ctx, rest);
    case undefined:
      throw new UsageError('account: say add, list or remove');
    default:
      throw new UsageError(`account: unknown subcommand "${sub}" (add, list or remove)`);
  }
}

async function accountAdd(ctx: CliContext, args: string[]): Promise<number> {
  const { values } = parseCommandArgs('account add', args, {
    'no-browser': { type: 'boolean' },
    'login-hint': { type: 'string' },
  });
  // Loaded here: google-auth-library and googleapis are slow to load, and `list` needs neither.
  const { connectAccount } = await import('../../gmail/account-auth.js');
  const store = openLocalStore(ctx.config);
  // The client in effect: --client-id/MAILMIRROR_CLIENT_ID, else the one `client set` saved, else the built-in one.
  for (const w of new OAuthClientStore(ctx.config, () => store.box).apply().warnings) writeLine(ctx.stderr, `mailmirror: warning: ${w}`);
  // Ctrl-C while waiting for the browser closes the loopback server cleanly.
  const abort = new AbortController();
  const onSignal = () => abort.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    const connected = await connectAccount(
      { tokenRepo: tokenRepository(store.db), config: ctx.config, box: store.box },
      {
        onUrl: (url) => writeLine(ctx.stdout, `Open this URL to connect: ${url}`),
        openBrowser: !values['no-browser'],
        loginHint: values['login-hint'],
        signal: abort.signal,
      },
    );
    writeLine(ctx.stdout, `Connected ${connected.email}`);
    return 0;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    store.close();
  }
}

async function accountList(ctx: CliContext, args: string[]): Promise<number> {
  const { values } = parseCommandArgs('account list', args, { json: { type: 'boolean' } });
  const store = openLocalStore(ctx.config);
  try {
    const entries: AccountListEntry[] = listAccounts(store.db).map((a) => ({
      email: a.email,
      status: a.status,
      historyId: a.historyId,
      initialSyncCompleted: a.initialSyncCompleted,
      labelSyncCompleted: a.labelSyncCompleted,
      lastFullSyncAt: isoOrNull(a.lastFullSyncAt),
      lastIncrementalSyncAt: isoOrNull(a.lastIncrementalSyncAt),
      lastError: a.lastError,
    }));
    if (values.json) {
      writeJson(ctx.stdout, entries);
      return 0;
    }
    if (entries.length === 0) {
      writeLine(ctx.stdout, 'No accounts yet: connect one with `mailmirror account add`.');
      return 0;
    }
    const table = formatTable(
      ['EMAIL', 'STATUS', 'HISTORY ID', 'LAST FULL SYNC', 'LAST INCREMENTAL', 'ERROR'],
      entries.map((e) => [
        e.email,
        e.status,
        e.historyId ?? '-',
        formatTime(e.lastFullSyncAt === null ? null : Date.parse(e.lastFullSyncAt)),
        formatTime(e.lastIncrementalSyncAt === null ? null : Date.parse(e.lastIncrementalSyncAt)),
        e.lastError ?? '',
      ]),
    );
    for (const line of table) writeLine(ctx.stdout, line);
    return 0;
  } finally {
    store.close();
  }
}

async function accountRemove(ctx: CliContext, args: string[]): Promise<number> {
  const { positionals } = parseCommandArgs('account remove', args, {}, 1);
  const email = positionals[0];
  if (!email) throw new UsageError('account remove: which account? (`mailmirror account remove <email>`)');
  const { removeAccount } = await import('../../gmail/account-auth.js');
  const store = openLocalStore(ctx.config);
  try {
    const removed = await removeAccount({ tokenRepo: tokenRepository(store.db), config: ctx.config, box: store.box }, email);
    if (!removed.revoked && removed.revokeError) {
      writeLine(ctx.stderr, `mailmirror: warning: the authorization of ${removed.email} could not be revoked (${removed.revokeError}); revoke it at https://myaccount.google.com/permissions`);
    }
    writeLine(ctx.stdout, `Removed ${removed.email} and its mirrored mail`);
    return 0;
  } finally {
    store.close();
  }
}
