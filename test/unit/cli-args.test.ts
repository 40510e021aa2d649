import { describe, expect, it } from 'vitest';
import { parseCommandArgs, parseCommandLine, UsageError } from '../../src/main/host/args';
import { describeFailure } from '../../src/main/host/cli';

describe('parseCommandLine', () => {
  it('takes global options from anywhere, before or after the command', () => {
    const p = parseCommandLine(['--data-dir', '/d', 'account', 'add', '--no-browser', '--client-id=abc', '--redis-url', 'unix:///r.sock']);
    expect(p.command).toBe('account');
    expect(p.rest).toEqual(['add', '--no-browser']);
    expect(p.flags).toEqual({ dataDir: '/d', clientId: 'abc', redisUrl: 'unix:///r.sock' });
    expect(p.help).toBe(false);
  });

  it('maps every global option to its config flag', () => {
    const p = parseCommandLine([
      'status', '--gmail-api-url', 'http://g/', '--oauth-auth-url', 'http://a', '--oauth-token-url', 'http://t',
      '--oauth-revoke-url', 'http://r', '--client-secret', 's', '--json',
    ]);
    expect(p.flags).toEqual({ gmailApiUrl: 'http://g/', oauthAuthUrl: 'http://a', oauthTokenUrl: 'http://t', oauthRevokeUrl: 'http://r', clientSecret: 's' });
    expect(p.rest).toEqual(['--json']);
  });

  it('keeps command options and operands in order, and everything after --', () => {
    const p = parseCommandLine(['export', '--account', 'a@b.c', '--out', '-', '--', '--data-dir']);
    expect(p.rest).toEqual(['--account', 'a@b.c', '--out', '-', '--', '--data-dir']);
    expect(p.flags).toEqual({});
  });

  it('refuses a global option without its value', () => {
    expect(() => parseCommandLine(['status', '--data-dir'])).toThrow(UsageError);
    expect(() => parseCommandLine(['--data-dir', '--json', 'status'])).toThrow(/--data-dir needs a value/);
  });

  it('notices --help and a missing command', () => {
    expect(parseCommandLine(['account', '--help']).help).toBe(true);
    expect(parseCommandLine(['-h']).help).toBe(true);
    expect(parseCommandLine(['--data-dir', '/x']).command).toBeUndefined();
  });
});

describe('parseCommandArgs', () => {
  it('parses a command strictly', () => {
    const r = parseCommandArgs('export', ['--account', 'x@y', '--format', 'json'], { account: { type: 'string' }, format: { type: 'string' } });
    expect(r.values).toEqual({ account: 'x@y', format: 'json' });
  });

  it('turns parseArgs errors into one-line usage errors', () => {
    const spec = { json: { type: 'boolean' as const }, out: { type: 'string' as const } };
    for (const [args, msg] of [
      [['--nope'], 'status: unknown option --nope'],
      [['--out'], 'status: option --out needs a value'],
      [['--json=1'], 'status: option --json does not take a value'],
      [['extra'], 'status: unexpected argument "extra"'],
    ] as const) {
      let err: unknown;
      try {
        parseCommandArgs('status', [...args], spec);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(UsageError);
      expect((err as Error).message).toBe(msg);
      expect((err as Error).message).not.toContain('\n');
    }
  });

  it('accepts as many operands as the command takes', () => {
    expect(parseCommandArgs('account remove', ['a@b'], {}, 1).positionals).toEqual(['a@b']);
    expect(() => parseCommandArgs('account remove', ['a@b', 'c@d'], {}, 1)).toThrow('unexpected argument "c@d"');
  });
});

describe('describeFailure', () => {
  it('gives usage errors exit code 2 and a hint', () => {
    expect(describeFailure(new UsageError('unknown command "x"'))).toEqual({
      line: 'unknown command "x" (see `mailmirror --help`)',
      exitCode: 2,
    });
  });

  it('names the endpoint of a network failure, without its path or query', () => {
    const e = Object.assign(new Error('request to http://127.0.0.1:9/revoke?token=secret failed'), {
      code: 'ECONNREFUSED',
      config: { url: 'http://127.0.0.1:9/revoke?token=secret' },
    });
    const f = describeFailure(e);
    expect(f.line).toBe('cannot reach http://127.0.0.1:9 (ECONNREFUSED)');
    expect(f.exitCode).toBe(1);
  });

  it('prints an unknown error on one line, redacted', () => {
    const f = describeFailure(new Error('boom\n  with refresh_token=1//abc in it'));
    expect(f.line).toBe('boom with refresh_token=[redacted] in it');
  });
});
