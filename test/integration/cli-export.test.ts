// `mailmirror export --account <email> --format json --out <file|->` run as a child process: the exact
// document shape, sorted, to stdout or atomically to a private file, and nothing secret in it.
// The CLI runs from source via tsx (test/helpers/cli-source.ts).
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect } from 'vitest';
import { openDatabase } from '../../src/main/db/client';
import { getAccountByEmail, updateAccount } from '../../src/main/db/accounts';
import { tokenRepository } from '../../src/main/db/tokens';
import { upsertLabels } from '../../src/main/db/labels';
import { saveMessageDetails } from '../../src/main/db';
import { FileKeySecretBox } from '../../src/main/gmail/secret-box';
import { loadTokens } from '../../src/main/gmail/token-store';
import { emulatorEnv } from '../helpers/cli';
import { mirrorTest } from '../helpers/fixtures';
import { addAccountSource, runCliSource } from '../helpers/cli-source';
import { parsedMessage } from '../helpers/parsed-message';

const EMAIL = 'erin@example.com';
const it = mirrorTest({ cli: 'source', tempPrefix: 'mm-cli-export-' });
let root: string;
let dataDir: string;
let env: Record<string, string>;

const message = (gmailId: string, labelIds: string[], subject: string, internalDate: number) =>
  parsedMessage(gmailId, {
    threadId: `thread-${gmailId}`, labelIds, historyId: '500', internalDate, sizeEstimate: 10, snippet: 's', subject,
    textBody: 'the body must not be exported',
  });

it.beforeAll(async ({ emu, fileDir }) => {
  root = fileDir;
  dataDir = join(root, 'data');
  emu.addAccount(EMAIL, { messages: 3, seed: 5 });
  env = emulatorEnv(emu, dataDir);
  const added = await addAccountSource(env);
  expect(added.code).toBe(0);
  const db = openDatabase(join(dataDir, 'mailmirror.db'));
  try {
    const id = getAccountByEmail(db, EMAIL)!.id;
    updateAccount(db, id, { historyId: '12345' });
    upsertLabels(db, id, [
      { id: 'Label_2', name: 'Zeta', type: 'user', messagesTotal: 1, messagesUnread: 0, threadsTotal: 1, threadsUnread: 0 },
      { id: 'INBOX', name: 'INBOX', type: 'system', messagesTotal: 2, messagesUnread: 1, threadsTotal: 2, threadsUnread: 1 },
      { id: 'Label_1', name: 'Work/Projects', type: 'user', messagesTotal: 1, messagesUnread: 1, threadsTotal: 1, threadsUnread: 1 },
    ], { deleteMissing: false });
    saveMessageDetails(db, id, [
      message('m2', ['UNREAD', 'INBOX', 'Label_1'], 'Caf\u00e9 \u65e5\u672c', 1_600_000_000_123),
      message('m1', ['INBOX'], 'Hello', 1_500_000_000_000),
      message('m3', ['Label_2'], '', 1_700_000_000_000),
    ], { insertMissing: true });
  } finally {
    db.close();
  }
});

const EXPECTED = {
  account: EMAIL,
  historyId: '12345',
  labels: [
    { id: 'INBOX', name: 'INBOX', type: 'system', messagesTotal: 2, messagesUnread: 1, threadsTotal: 2, threadsUnread: 1 },
    { id: 'Label_1', name: 'Work/Projects', type: 'user', messagesTotal: 1, messagesUnread: 1, threadsTotal: 1, threadsUnread: 1 },
    { id: 'Label_2', name: 'Zeta', type: 'user', messagesTotal: 1, messagesUnread: 0, threadsTotal: 1, threadsUnread: 0 },
  ],
  messages: [
    { id: 'm1', threadId: 'thread-m1', labelIds: ['INBOX'], internalDate: '1500000000000', subject: 'Hello' },
    { id: 'm2', threadId: 'thread-m2', labelIds: ['INBOX', 'Label_1', 'UNREAD'], internalDate: '1600000000123', subject: 'Caf\u00e9 \u65e5\u672c' },
    { id: 'm3', threadId: 'thread-m3', labelIds: ['Label_2'], internalDate: '1700000000000', subject: '' },
  ],
};

describe('mailmirror export', () => {
  it('writes the exact document to stdout', async () => {
    const r = await runCliSource(['export', '--account', EMAIL, '--format', 'json', '--out', '-'], env);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout) as unknown;
    expect(doc).toEqual(EXPECTED);
    // Exactly these keys, in every object: nothing more (no bodies, no tokens).
    expect(Object.keys(doc as object)).toEqual(['account', 'historyId', 'labels', 'messages']);
    expect(r.stdout).not.toContain('the body must not be exported');
  });

  it('replaces a file atomically, private to the user, with no token in it', async () => {
    const out = join(root, 'mirror.json');
    writeFileSync(out, 'old content');
    const r = await runCliSource(['--data-dir', dataDir, 'export', '--account', EMAIL.toUpperCase(), '--format', 'json', '--out', out], env);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    const text = readFileSync(out, 'utf8');
    expect(JSON.parse(text)).toEqual(EXPECTED);
    expect(statSync(out).mode & 0o777).toBe(0o600);
    // No temp file left beside it.
    expect(readdirSync(root).filter((f) => f.includes('mirror.json'))).toEqual(['mirror.json']);

    const db = openDatabase(join(dataDir, 'mailmirror.db'));
    try {
      const tokens = loadTokens(tokenRepository(db), new FileKeySecretBox(dataDir), getAccountByEmail(db, EMAIL)!.id)!;
      expect(text).not.toContain(tokens.access_token!);
      expect(text).not.toContain(tokens.refresh_token!);
    } finally {
      db.close();
    }
  });

  it('refuses an unknown format, and a folder that does not exist, in one line', async () => {
    const unknown = await runCliSource(['export', '--account', EMAIL, '--format', 'xml', '--out', join(root, 'x.xml')], env);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr.trim()).toMatch(/^mailmirror: export: unknown format "xml"/);
    const missing = await runCliSource(['export', '--account', EMAIL, '--out', join(root, 'no', 'such', 'dir', 'x.json')], env);
    expect(missing.code).toBe(1);
    expect(missing.stderr.trim().split('\n')).toHaveLength(1);
    expect(missing.stderr).toMatch(/^mailmirror: .*ENOENT/);
  });
});
