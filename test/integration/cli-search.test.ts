// `mailmirror search --account <email> [--json] <query…>` on a mirror synced from the emulator (issue 13): for the
// operators the emulator reads itself, the JSON lists exactly what its `messages.list?q=` lists, in the same order
// (newest first); for the others, exactly the messages built to match. Plus the text form and the refusals.
// The CLI runs from source through tsx (test/helpers/cli-source.ts).
import type { gmail_v1 } from 'googleapis';
import { describe, expect } from 'vitest';
import type { Mailbox } from '../../src/emulator';
import { join } from 'node:path';
import { emulatorEnv, type CliEnv } from '../helpers/cli';
import { addAccountSource, runCliSource } from '../helpers/cli-source';
import { mirrorTest } from '../helpers/fixtures';
import { connect } from './emulator-helpers';

const EMAIL = 'searcher@example.com';
const it = mirrorTest({ cli: 'source', tempPrefix: 'mm-cli-search-' });

type Entry = { id: string; threadId: string; date: number; from: string | null; subject: string | null; labelIds: string[] };

let env: CliEnv;
let box: Mailbox;
let gmail: gmail_v1.Gmail;
const built: Record<string, string> = {};

const DAY = 86_400_000;
const rawMessage = (headers: Record<string, string>, body: string, attachment?: { name: string; type: string }) => {
  const head = Object.entries(headers).map(([k, v]) => `${k}: ${v}`);
  if (!attachment) return [...head, 'MIME-Version: 1.0', 'Content-Type: text/plain; charset=utf-8', '', body, ''].join('\r\n');
  return [
    ...head,
    'MIME-Version: 1.0',
    'Content-Type: multipart/mixed; boundary="b1"',
    '',
    '--b1',
    'Content-Type: text/plain; charset=utf-8',
    '',
    body,
    '--b1',
    `Content-Type: ${attachment.type}; name="${attachment.name}"`,
    `Content-Disposition: attachment; filename="${attachment.name}"`,
    'Content-Transfer-Encoding: base64',
    '',
    Buffer.from('%PDF-1.4 a tiny file').toString('base64'),
    '--b1--',
    '',
  ].join('\r\n');
};

it.beforeAll(async ({ emu, fileDir }) => {
  box = emu.addAccount(EMAIL, { messages: 500, seed: 1313 });
  emu.setConsentAccount(EMAIL);
  env = emulatorEnv(emu, join(fileDir, 'data'), { TZ: 'UTC' });
  const added = await addAccountSource(env);
  expect(added.code, added.stderr).toBe(0);
  // Messages made to match the operators the emulator does not read (from:, cc:, bcc:, filename:, words, …).
  const base = Date.UTC(2025, 5, 1, 3, 0, 0);
  built.manifest = box.addMessage({
    labelIds: ['INBOX', 'UNREAD'],
    internalDate: base,
    raw: rawMessage(
      { From: 'Zed Quux <zed@quux.example>', To: EMAIL, Cc: 'Carol Cc <carol.cc@quux.example>', Subject: 'Vexillology manifest', 'Message-ID': '<vex-1@quux.example>' },
      'The flag manifest for the parade is attached.',
      { name: 'manifest-2025.pdf', type: 'application/pdf' },
    ),
  });
  built.sent = box.addMessage({
    labelIds: ['SENT'],
    internalDate: base + DAY,
    raw: rawMessage({ From: EMAIL, To: 'dave@quux.example', Bcc: 'Eve Secret <eve.secret@quux.example>', Subject: 'Vexillology numbers' }, 'Numbers for the flags.'),
  });
  built.spam = box.addMessage({
    labelIds: ['SPAM'],
    internalDate: base + 2 * DAY,
    raw: rawMessage({ From: 'Zed Quux <zed@quux.example>', To: EMAIL, Subject: 'Vexillology lottery' }, 'You won a flag.'),
  });
  const sync = await runCliSource(['sync', '--wait'], env, 300_000);
  expect(sync.code, sync.stderr).toBe(0);
  gmail = (await connect(emu, { loginHint: EMAIL })).gmail;
});

async function cliSearch(query: string, extraEnv: CliEnv = {}): Promise<Entry[]> {
  const r = await runCliSource(['search', '--account', EMAIL, '--json', query], { ...env, ...extraEnv });
  expect(r.stderr, query).toBe('');
  expect(r.code, query).toBe(0);
  return JSON.parse(r.stdout) as Entry[];
}

/** The emulator's own answer to messages.list?q=, every page, in its order (newest first). */
async function emulatorList(q: string): Promise<string[]> {
  const ids: string[] = [];
  let pageToken: string | undefined;
  do {
    const res = await gmail.users.messages.list({ userId: 'me', q, maxResults: 500, pageToken });
    ids.push(...(res.data.messages ?? []).map((m) => m.id!));
    pageToken = res.data.nextPageToken ?? undefined;
  } while (pageToken);
  return ids;
}

describe('mailmirror search --json', () => {
  it('lists exactly what the emulator lists for the operators it reads, newest first', async () => {
    const queries = [
      'in:inbox',
      'is:unread',
      'is:read',
      'is:starred',
      'is:important',
      'in:sent',
      'in:drafts',
      'in:chats',
      'in:spam',
      'in:trash',
      'in:anywhere',
      'in:anywhere is:unread',
      'label:work',
      'label:work-projects',
      'label:Work/Projects in:anywhere',
      'in:inbox -is:unread',
      '-in:inbox is:starred',
      'is:important -label:work',
      'after:2025/01/01',
      'after:2024/06/01 before:2025/03/15',
      'before:2023/01/01 in:anywhere',
      `after:${Math.floor(Date.UTC(2025, 0, 1) / 1000)} before:${Math.floor(Date.UTC(2025, 6, 1) / 1000)}`,
      'newer_than:1y',
      'older_than:1000d',
    ];
    let nonEmpty = 0;
    for (const q of queries) {
      const expected = await emulatorList(q);
      const got = await cliSearch(q);
      expect(got.map((e) => e.id), q).toEqual(expected);
      if (expected.length > 0) nonEmpty++;
    }
    // The comparison is not of empty lists: nearly every query finds mail.
    expect(nonEmpty).toBeGreaterThanOrEqual(queries.length - 3);
  });

  it('gives each match its id, threadId, date (ms, a number), sender, subject and labels', async () => {
    const truth = new Map(box.groundTruth().messages.map((m) => [m.id, m]));
    const all = await cliSearch('in:anywhere');
    expect(all).toHaveLength(truth.size);
    for (const e of all) {
      const m = truth.get(e.id)!;
      expect(Object.keys(e)).toEqual(['id', 'threadId', 'date', 'from', 'subject', 'labelIds']);
      expect(e).toMatchObject({ threadId: m.threadId, date: Number(m.internalDate), subject: m.subject, labelIds: m.labelIds });
      expect(typeof e.date).toBe('number');
    }
    const dates = all.map((e) => e.date);
    expect(dates).toEqual([...dates].sort((a, b) => b - a));
  });

  it('finds the messages built for the other operators, and leaves spam out unless asked', async () => {
    const ids = async (q: string) => (await cliSearch(q)).map((e) => e.id);
    expect(await ids('from:zed@quux.example')).toEqual([built.manifest]);
    expect(await ids('from:zed in:anywhere')).toEqual([built.spam, built.manifest]);
    expect(await ids('cc:carol.cc@quux.example')).toEqual([built.manifest]);
    expect(await ids('to:carol.cc')).toEqual([built.manifest]);
    expect(await ids('bcc:eve.secret@quux.example')).toEqual([built.sent]);
    expect(await ids('to:"Eve Secret"')).toEqual([built.sent]);
    expect(await ids('filename:manifest-2025.pdf')).toEqual([built.manifest]);
    expect(await ids('filename:pdf from:zed has:attachment')).toEqual([built.manifest]);
    expect(await ids('vexillology')).toEqual([built.sent, built.manifest]);
    expect(await ids('vexillology -parade')).toEqual([built.sent]);
    expect(await ids('subject:vexillology OR subject:lottery in:anywhere')).toEqual([built.spam, built.sent, built.manifest]);
    expect(await ids('{from:zed bcc:eve} in:anywhere')).toEqual([built.spam, built.sent, built.manifest]);
    expect(await ids('rfc822msgid:<vex-1@quux.example>')).toEqual([built.manifest]);
    expect(await ids('"flag manifest" from:me')).toEqual([]);
    expect(await ids('from:me vexillology')).toEqual([built.sent]);
  });

  it('reads a day as midnight in the local time zone (TZ)', async () => {
    // The manifest arrived at 03:00 UTC on 1 June 2025 (31 May in Los Angeles), the sent message a day later
    // (1 June, 20:00 in Los Angeles).
    const onJune1 = (extra: CliEnv) => cliSearch('vexillology after:2025/06/01 before:2025/06/02', extra).then((r) => r.map((e) => e.id));
    expect(await onJune1({ TZ: 'UTC' })).toEqual([built.manifest]);
    expect(await onJune1({ TZ: 'America/Los_Angeles' })).toEqual([built.sent]);
    expect((await cliSearch('vexillology after:2025/05/31 before:2025/06/01', { TZ: 'America/Los_Angeles' })).map((e) => e.id)).toEqual([built.manifest]);
  });

  it('prints [] when nothing matches, and takes words starting with a dash as the search', async () => {
    expect(await cliSearch('vexillology -vexillology')).toEqual([]);
    const r = await runCliSource(['search', '--account', EMAIL, '--json', 'vexillology', '-parade'], env);
    expect(r.code).toBe(0);
    expect((JSON.parse(r.stdout) as Entry[]).map((e) => e.id)).toEqual([built.sent]);
  });
});

describe('mailmirror search (text)', () => {
  it('prints a line per message (date, sender, subject) and a count', async () => {
    const r = await runCliSource(['search', '--account', EMAIL, 'vexillology', 'in:anywhere'], env);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n')).toEqual([
      '2025-06-03T03:00:00Z  Zed Quux <zed@quux.example>  Vexillology lottery',
      `2025-06-02T03:00:00Z  ${EMAIL}  Vexillology numbers`,
      '2025-06-01T03:00:00Z  Zed Quux <zed@quux.example>  Vexillology manifest',
      '3 messages',
      '',
    ]);
    const none = await runCliSource(['search', '--account', EMAIL, 'nothing-like-this-anywhere'], env);
    expect(none.stdout).toBe('No messages match.\n');
  });

  it('refuses an unknown account, an unreadable search or none at all, in one line on stderr', async () => {
    const unknown = await runCliSource(['search', '--account', 'nobody@example.com', 'x'], env);
    expect(unknown.code).toBe(1);
    expect(unknown.stdout).toBe('');
    expect(unknown.stderr).toBe('mailmirror: no account nobody@example.com (see `mailmirror account list`)\n');

    const bad = await runCliSource(['search', '--account', EMAIL, '--json', 'vexillology', 'older_than:3x'], env);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toBe('');
    expect(bad.stderr).toBe(
      'mailmirror: Cannot read the search at "older_than:3x" (character 13): older_than: needs a number followed by d (days), m (months) or y (years), like older_than:2d\n',
    );
    const unclosed = await runCliSource(['search', '--account', EMAIL, '(flags'], env);
    expect(unclosed.code).toBe(1);
    expect(unclosed.stderr).toMatch(/^mailmirror: Cannot read the search at "\(flags" \(character 1\): this parenthesis is never closed/);

    const empty = await runCliSource(['search', '--account', EMAIL], env);
    expect(empty.code).toBe(2);
    expect(empty.stderr).toMatch(/^mailmirror: search: what to search for\?/);
    const noAccount = await runCliSource(['search', 'x'], env);
    expect(noAccount.code).toBe(2);
    expect(noAccount.stderr).toMatch(/^mailmirror: search: which account\? \(--account <email>\)/);
    const typo = await runCliSource(['search', '--account', EMAIL, '--jsn', 'x'], env);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toMatch(/^mailmirror: search: unknown option --jsn/);
  });
});
