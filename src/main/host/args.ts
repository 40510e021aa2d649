// Command-line parsing on node:util parseArgs. Global options may stand anywhere (before or after
// the command); they are taken out first, and each command then parses the rest strictly.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import type { ConfigFlags } from '../config';
import { MailmirrorError } from '../errors';

/** Bad arguments: one line for the user, exit code 2. */
export class UsageError extends MailmirrorError {
  readonly code = 'USAGE';
  readonly ipcCode = 'INVALID_REQUEST';
}

/** Global option → ConfigFlags key. Each is also an environment variable (see src/main/config.ts). */
export const GLOBAL_OPTIONS = {
  'data-dir': 'dataDir',
  'redis-url': 'redisUrl',
  'gmail-api-url': 'gmailApiUrl',
  'oauth-auth-url': 'oauthAuthUrl',
  'oauth-token-url': 'oauthTokenUrl',
  'oauth-revoke-url': 'oauthRevokeUrl',
  'client-id': 'clientId',
  'client-secret': 'clientSecret',
} as const satisfies Record<string, keyof ConfigFlags>;

type GlobalName = keyof typeof GLOBAL_OPTIONS;

export type ParsedCommandLine = {
  flags: ConfigFlags;
  /** The command name, or undefined when none was given. */
  command?: string;
  /** Everything after the command, global options removed, in order. */
  rest: string[];
  help: boolean;
};

function isGlobal(name: string): name is GlobalName {
  return Object.hasOwn(GLOBAL_OPTIONS, name);
}

export function parseCommandLine(argv: string[]): ParsedCommandLine {
  const options: NonNullable<ParseArgsConfig['options']> = {};
  for (const name of Object.keys(GLOBAL_OPTIONS)) options[name] = { type: 'string' };
  const { tokens } = parseArgs({ args: argv, options, strict: false, allowPositionals: true, tokens: true });

  const flags: ConfigFlags = {};
  const consumed = new Set<number>();
  let help = false;
  let terminator = argv.length;
  for (const t of tokens) {
    if (t.kind === 'option-terminator') {
      terminator = t.index;
      break;
    }
    if (t.kind !== 'option') continue;
    if (t.name === 'help' || t.name === 'h') help = true;
    if (!isGlobal(t.name)) continue;
    const value = t.value;
    // Non-strict parsing swallows the next option as a value ("--data-dir --json"): refuse that.
    if (typeof value !== 'string' || (!t.inlineValue && value.startsWith('-') && value !== '-')) {
      throw new UsageError(`option --${t.name} needs a value`);
    }
    flags[GLOBAL_OPTIONS[t.name]] = value;
    consumed.add(t.index);
    if (!t.inlineValue) consumed.add(t.index + 1);
  }

  const remaining: string[] = [];
  for (let i = 0; i < argv.length; i++) if (i >= terminator || !consumed.has(i)) remaining.push(argv[i]);
  // The command is the first positional (before any "--").
  let commandIndex = -1;
  for (let i = 0; i < remaining.length; i++) {
    const a = remaining[i];
    if (a === '--') break;
    if (!a.startsWith('-') || a === '-') {
      commandIndex = i;
      break;
    }
  }
  if (commandIndex < 0) return { flags, rest: remaining.filter((a) => a !== '--help' && a !== '-h'), help };
  const command = remaining[commandIndex];
  // Options written before the command belong to it (e.g. `mailmirror --json status`).
  const rest = [...remaining.slice(0, commandIndex), ...remaining.slice(commandIndex + 1)];
  return { flags, command, rest, help };
}

type OptionSpec = NonNullable<ParseArgsConfig['options']>;

export type CommandArgs<O extends OptionSpec> = {
  values: { [K in keyof O]?: O[K] extends { type: 'boolean' } ? boolean : string };
  positionals: string[];
};

/**
 * Strict parsing of one command's own arguments; parseArgs' multi-line messages become one line.
 * `maxPositionals` bounds the operands the command accepts.
 */
export function parseCommandArgs<O extends OptionSpec>(
  command: string,
  args: string[],
  options: O,
  maxPositionals = 0,
): CommandArgs<O> {
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args, options, strict: true, allowPositionals: true });
  } catch (e) {
    throw new UsageError(`${command}: ${describeParseError(e)}`);
  }
  if (parsed.positionals.length > maxPositionals) {
    throw new UsageError(`${command}: unexpected argument "${parsed.positionals[maxPositionals]}"`);
  }
  return parsed as unknown as CommandArgs<O>;
}

function describeParseError(e: unknown): string {
  const err = e as { code?: string; message?: string };
  const first = (err.message ?? String(e)).split('\n')[0].trim();
  switch (err.code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION': {
      const m = /Unknown option '([^']+)'/.exec(first);
      return `unknown option ${m ? m[1] : first}`;
    }
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE': {
      const m = /Option '([^']+)' argument missing/.exec(first) ?? /Option '([^']+)' argument is ambiguous/.exec(first);
      if (m) return `option ${/--[\w-]+/.exec(m[1])?.[0] ?? m[1]} needs a value`;
      const n = /Option '([^']+)' does not take an argument/.exec(first);
      if (n) return `option ${n[1]} does not take a value`;
      return first;
    }
    default:
      return first;
  }
}
