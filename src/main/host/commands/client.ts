// `mailmirror client set --file <json> | show [--json] | clear`: the OAuth client a user brings.
// A contract other tools rely on: `set` prints `Saved OAuth client <client_id>`; `show` prints
// `<client_id> (<where it comes from>)` or, with --json, `{"clientId":…,"source":…}`; the secret is
// never printed. Anything but a Desktop app ("installed") client is refused with one line, exit 1.
import { resolve } from 'node:path';
import { describeClientSource, OAuthClientMissingError, OAuthClientStore, readClientFile } from '../../gmail/oauth-client-store';
import { FileKeySecretBox } from '../../gmail/secret-box';
import { parseCommandArgs, UsageError } from '../args';
import type { CliContext } from '../cli-context';
import { writeJson, writeLine } from '../output';

function storeFor(ctx: CliContext): OAuthClientStore {
  // The CLI's config is its own (resolved for this one command), so the store may update it.
  return new OAuthClientStore(ctx.config, () => new FileKeySecretBox(ctx.config.dataDir));
}

/** "(from your saved client)", "(from MAILMIRROR_CLIENT_ID)", … */
function where(ctx: CliContext, source: Parameters<typeof describeClientSource>[0]): string {
  return describeClientSource(source, ctx.flags.clientId ? 'flag' : 'env');
}

function inEffectLine(ctx: CliContext, store: OAuthClientStore): string {
  const s = store.status();
  return s.configured && s.source ? `${s.clientId} (${where(ctx, s.source)})` : 'none';
}

export async function clientCommand(ctx: CliContext, args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  switch (sub) {
    case 'set':
      return clientSet(ctx, rest);
    case 'show':
      return clientShow(ctx, rest);
    case 'clear':
      return clientClear(ctx, rest);
    case undefined:
      throw new UsageError('client: say set, show or clear');
    default:
      throw new UsageError(`client: unknown subcommand "${sub}" (set, show or clear)`);
  }
}

async function clientSet(ctx: CliContext, args: string[]): Promise<number> {
  const { values } = parseCommandArgs('client set', args, { file: { type: 'string' } });
  if (!values.file) throw new UsageError('client set: which file? (`mailmirror client set --file <client_secret_….json>`)');
  const file = resolve(values.file);
  let client;
  try {
    client = readClientFile(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new Error(`cannot read ${values.file}: no such file`, { cause: e });
    if (code === 'EISDIR') throw new Error(`cannot read ${values.file}: it is a folder; give the client_secret_….json file`, { cause: e });
    if (code === 'EACCES') throw new Error(`cannot read ${values.file}: permission denied`, { cause: e });
    throw e;
  }
  const store = storeFor(ctx);
  const { status } = store.set(client);
  writeLine(ctx.stdout, `Saved OAuth client ${client.clientId}`);
  if (status.source === 'environment' && status.clientId !== client.clientId) {
    writeLine(ctx.stderr, `mailmirror: note: ${status.clientId} (${where(ctx, 'environment')}) stays in effect while it is set`);
  }
  return 0;
}

async function clientShow(ctx: CliContext, args: string[]): Promise<number> {
  const { values } = parseCommandArgs('client show', args, { json: { type: 'boolean' } });
  const store = storeFor(ctx);
  const { warnings } = store.apply();
  for (const w of warnings) writeLine(ctx.stderr, `mailmirror: warning: ${w}`);
  const s = store.status();
  if (!s.configured || !s.source || !s.clientId) throw new OAuthClientMissingError();
  if (values.json) {
    writeJson(ctx.stdout, { clientId: s.clientId, source: s.source });
    return 0;
  }
  writeLine(ctx.stdout, `${s.clientId} (${where(ctx, s.source)})`);
  const saved = store.savedClientId();
  if (s.source === 'environment' && saved && saved !== s.clientId) {
    writeLine(ctx.stderr, `mailmirror: note: your saved client ${saved} is not in effect while ${ctx.flags.clientId ? '--client-id' : 'MAILMIRROR_CLIENT_ID'} is set`);
  }
  return 0;
}

async function clientClear(ctx: CliContext, args: string[]): Promise<number> {
  parseCommandArgs('client clear', args, {});
  const store = storeFor(ctx);
  const { removed } = store.clear();
  writeLine(ctx.stdout, removed ? `Removed your saved OAuth client ${removed}` : 'No saved OAuth client to remove');
  const now = inEffectLine(ctx, store);
  writeLine(ctx.stdout, now === 'none' ? 'No OAuth client is configured now: set one with `mailmirror client set --file <client_secret_….json>`' : `In effect now: ${now}`);
  return 0;
}
