// The headless `mailmirror` command (bin/mailmirror.js calls main() from the compiled file).
// Every failure ends as one line on stderr and a non-zero exit code, never a stack trace.
import { resolveConfig, type AppConfig } from '../config';
import { ensurePrivateDataDir } from '../data-dir';
import { DatabaseDamagedError, toStoreError } from '../db/errors';
import { describeEndpoint, networkErrorCode } from '../gmail/net-errors';
import { safeErrorMessage } from '../gmail/redact';
import { parseCommandLine, UsageError } from './args';
import type { CliContext } from './cli-context';
import { writeLine } from './output';

export type CliIo = {
  stdout?: NodeJS.WritableStream & { isTTY?: boolean };
  stderr?: NodeJS.WritableStream;
  env?: NodeJS.ProcessEnv;
};

type Command = (ctx: CliContext, args: string[]) => Promise<number>;

// Loaded on demand: `account list` should not pay for BullMQ, googleapis and the browser host.
const COMMANDS: Record<string, () => Promise<Command>> = {
  account: async () => (await import('./commands/account.js')).accountCommand,
  client: async () => (await import('./commands/client.js')).clientCommand,
  status: async () => (await import('./commands/status.js')).statusCommand,
  export: async () => (await import('./commands/export.js')).exportCommand,
  search: async () => (await import('./commands/search.js')).searchCommand,
  sync: async () => (await import('./commands/sync.js')).syncCommand,
  repair: async () => (await import('./commands/repair.js')).repairCommand,
  worker: async () => (await import('./commands/worker.js')).workerCommand,
  serve: async () => (await import('./commands/serve.js')).serveCommand,
  demo: async () => (await import('./commands/demo.js')).demoCommand,
};

// Commands that never touch the configured data folder (demo makes a temporary one).
const NO_DATA_DIR = new Set(['demo']);

export const USAGE = `Usage: mailmirror [global options] <command> [options]

Commands:
  account add [--no-browser] [--login-hint <email>]
                                    connect a Gmail account (prints the URL to open)
  account list [--json]             connected accounts and their sync state (also: ls)
  account remove <email>            revoke an account's access and delete its mirror (also: rm)
  client set --file <json>          save your own OAuth client (the client_secret_….json
                                    of a Google Cloud "Desktop app" client), encrypted
  client show [--json]              the OAuth client in effect and where it comes from
  client clear                      remove your saved OAuth client
  sync [--account <email>] [--full] [--wait]
                                    start a sync; --wait runs it here with progress
  status [--json]                   each account's phase, progress and last sync
  repair --rebuild                  rebuild a damaged mailbox database from Gmail into a
                                    new file (the damaged one is kept aside); waits for it
  export --account <email> [--format json] [--out <file|->]
                                    the mirror as one JSON document (default: to stdout)
  export --account <email> --format mbox|eml --out <path> [--force]
                                    every message's original as Gmail keeps it: mbox, one
                                    file (mboxrd, with Google Takeout's X-Gmail-Labels);
                                    eml, a folder of <gmail id>.eml files. Written whole or
                                    not at all (mbox --out -: to stdout, as it goes);
                                    --force replaces an existing one. Exit code 3:
                                    written, but not the whole mailbox (originals not in
                                    the mirror yet, or a first sync not finished: stderr
                                    says which)
  search --account <email> [--json] <query…>
                                    every message matching a Gmail search (from:, label:,
                                    is:unread, after:, OR, -word, …), newest first; --json:
                                    [{id, threadId, date (ms), from, subject, labelIds}]
  worker                            run sync workers only (extra processes)
  serve [--port N] [--demo]         the app in a browser, on 127.0.0.1; --demo: on the
                                    demo mailbox, in a temporary folder
  demo [--messages N] [--quota-scale S] [--keep]
                                    a full sync of a generated mailbox (default 3000
                                    messages, quota ×12), no Google account; --keep keeps
                                    its temporary folder
  emulator [options]                run the Gmail emulator on its own
                                    (\`mailmirror emulator --help\` lists its options)
  help                              this text (also: --help, -h)

Global options (each also an environment variable):
  --data-dir <dir>          MAILMIRROR_DATA_DIR       where the mirror lives
  --redis-url <url>         REDIS_URL                 use this Redis instead of starting one
  --gmail-api-url <url>     MAILMIRROR_GMAIL_API_URL  Gmail API root
  --oauth-auth-url <url>    MAILMIRROR_OAUTH_AUTH_URL
  --oauth-token-url <url>   MAILMIRROR_OAUTH_TOKEN_URL
  --oauth-revoke-url <url>  MAILMIRROR_OAUTH_REVOKE_URL
  --client-id <id>          MAILMIRROR_CLIENT_ID      OAuth client (Desktop app type)
  --client-secret <secret>  MAILMIRROR_CLIENT_SECRET

OAuth client, first found: --client-id/MAILMIRROR_CLIENT_ID, then the one saved with
\`client set\`, then one built into the package.
`;

export async function main(argv: string[], io: CliIo = {}): Promise<number> {
  const stdout = io.stdout ?? process.stdout;
  const stderr = io.stderr ?? process.stderr;
  const env = io.env ?? process.env;
  let config: AppConfig | undefined;
  // Everything this process creates (database, WAL, key, logs, exports) is private to the user.
  if (process.platform !== 'win32') process.umask(0o077);
  try {
    const parsed = parseCommandLine(argv);
    if (parsed.command === 'emulator') {
      // Its own options and its own --help; it uses none of the app's configuration.
      const { runEmulatorCli } = await import('../../emulator/standalone.js');
      return await runEmulatorCli(parsed.rest);
    }
    if (parsed.help || parsed.command === 'help') {
      stdout.write(USAGE);
      return 0;
    }
    if (!parsed.command) throw new UsageError('no command given');
    const load = Object.hasOwn(COMMANDS, parsed.command) ? COMMANDS[parsed.command] : undefined;
    if (!load) throw new UsageError(`unknown command "${parsed.command}"`);
    const resolved = resolveConfig(parsed.flags, env);
    if (!NO_DATA_DIR.has(parsed.command)) {
      ensurePrivateDataDir(resolved.dataDir);
      config = resolved;
    }
    const ctx: CliContext = {
      config: resolved,
      flags: parsed.flags,
      stdout,
      stderr,
      isTTY: (stdout as { isTTY?: boolean }).isTTY === true,
    };
    const command = await load();
    return await command(ctx, parsed.rest);
  } catch (e) {
    // SQLite's corrupt / not-a-database error, met wherever in the command: the data folder's store is damaged,
    // and every later command must know it at once (the first finding is kept).
    const store = toStoreError(e);
    if (config && store instanceof DatabaseDamagedError && store.kind !== 'empty') {
      const { StoreCore } = await import('../store-core.js');
      StoreCore.recordDamage(config.dataDir, store);
    }
    const { line, exitCode } = describeFailure(e);
    writeLine(stderr, `mailmirror: ${line}`);
    if (env.MAILMIRROR_DEBUG && e instanceof Error && e.stack) writeLine(stderr, safeErrorMessage(e.stack));
    return exitCode;
  }
}

type Failure = { line: string; exitCode: number };

/** A damaged store, and what to do about it from a terminal (the app says the same with a button). */
export function damagedAdvice(e: DatabaseDamagedError): string {
  const what = e.message.replace(/[.\s]+$/, '');
  return `${what}. Nothing more is written to it. Rebuild the mirror from Gmail with \`mailmirror repair --rebuild\` (the damaged file is kept aside as mailmirror.damaged-<time>.db).`;
}

/** One line (redacted) and an exit code for anything a command threw. */
export function describeFailure(e: unknown): Failure {
  const oneLine = (s: string) => s.replace(/\s*\n\s*/g, ' ').trim();
  if (e instanceof UsageError) return { line: `${oneLine(safeErrorMessage(e))} (see \`mailmirror --help\`)`, exitCode: 2 };
  const code = e && typeof e === 'object' ? (e as { code?: unknown }).code : undefined;
  if (typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS_')) {
    // A command that parsed its own arguments with parseArgs: its first line is the useful one.
    return { line: `${safeErrorMessage(e).split('\n')[0].trim()} (see \`mailmirror --help\`)`, exitCode: 2 };
  }
  // A damaged mailbox database (whatever SQLite error or check said so): what happened, and the way out.
  const store = toStoreError(e);
  if (store instanceof DatabaseDamagedError) return { line: oneLine(damagedAdvice(store)), exitCode: 1 };
  // A full disk under the data folder (a file write, or SQLite's SQLITE_FULL as DiskFullError): say what to do.
  if (code === 'ENOSPC' || code === 'DISK_FULL') {
    return { line: `the disk is full (${oneLine(safeErrorMessage(e))}): free some space and run the command again`, exitCode: 1 };
  }
  // Ctrl-C while waiting for the browser (OAuthAbortedError): the shell's code for SIGINT.
  if (code === 'OAUTH_ABORTED') return { line: safeErrorMessage(e), exitCode: 130 };
  // A coded error of ours already says what failed; a raw network error does not.
  const ours = typeof code === 'string' && networkErrorCode({ code }) === undefined;
  const net = ours ? undefined : networkErrorCode(e);
  if (net) {
    const url = (e as { config?: { url?: unknown } }).config?.url;
    const where = typeof url === 'string' || url instanceof URL ? describeEndpoint(String(url)) : 'a configured endpoint';
    return { line: `cannot reach ${where} (${net})`, exitCode: 1 };
  }
  return { line: oneLine(safeErrorMessage(e)), exitCode: 1 };
}
