// Conformance of the Gmail emulator, driven through the real googleapis client and
// google-auth-library: OAuth with PKCE, every read endpoint, pagination, formats, batch, history.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { gmail_v1 } from 'googleapis';
import { startEmulator, type Emulator, type Mailbox } from '../../src/emulator/index';
import { READONLY, REDIRECT_URI, connect, failure, gmailFor, oauthClient, sendBatch, type Connected } from './emulator-helpers';

const ACCOUNT = 'ada@example.com';
const OTHER = 'bob@example.org';

let emu: Emulator;
let box: Mailbox;
let me: Connected;

beforeAll(async () => {
  emu = await startEmulator({ seed: 7 });
  box = emu.addAccount(ACCOUNT, { messages: 1200, seed: 11, largeMessages: 2 });
  emu.addAccount(OTHER, { messages: 40, seed: 12, threadSize: 1 });
  me = await connect(emu);
});

afterAll(async () => {
  await emu?.close();
});

async function refreshRaw(refreshToken: string, secret = emu.clientSecret): Promise<{ status: number; body: unknown }> {
  const res = await fetch(emu.oauth.tokenUrl, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refreshToken, client_id: emu.clientId, client_secret: secret }),
  });
  return { status: res.status, body: await res.json() };
}

async function listAll(gmail: gmail_v1.Gmail, params: gmail_v1.Params$Resource$Users$Messages$List): Promise<{ ids: string[]; pages: number }> {
  const ids: string[] = [];
  let pageToken: string | undefined;
  let pages = 0;
  do {
    const r = await gmail.users.messages.list({ userId: 'me', ...params, pageToken });
    pages++;
    for (const m of r.data.messages ?? []) ids.push(m.id ?? '');
    pageToken = r.data.nextPageToken ?? undefined;
  } while (pageToken);
  return { ids, pages };
}

describe('OAuth', () => {
  it('runs the code flow with PKCE and returns Google-shaped tokens', async () => {
    expect(me.tokens.access_token).toMatch(/^ya29\./);
    expect(me.tokens.refresh_token).toBeTruthy();
    expect(me.tokens.token_type).toBe('Bearer');
    expect(me.tokens.scope).toBe(READONLY);
    const profile = await me.gmail.users.getProfile({ userId: 'me' });
    expect(profile.data.emailAddress).toBe(ACCOUNT);
  });

  it('consents as the login_hint account, else the consent account', async () => {
    const bob = await connect(emu, { loginHint: OTHER });
    expect((await bob.gmail.users.getProfile({ userId: 'me' })).data.emailAddress).toBe(OTHER);
    emu.setConsentAccount(OTHER);
    const again = await connect(emu);
    expect((await again.gmail.users.getProfile({ userId: OTHER })).data.emailAddress).toBe(OTHER);
    emu.setConsentAccount(ACCOUNT);
  });

  it('refuses a wrong verifier, a reused code, a wrong client and a missing challenge', async () => {
    const client = oauthClient(emu);
    const { codeChallenge, codeVerifier } = await client.generateCodeVerifierAsync();
    const url = client.generateAuthUrl({ access_type: 'offline', scope: [READONLY], code_challenge: codeChallenge, code_challenge_method: 'S256' as never });
    const code = new URL((await fetch(url, { redirect: 'manual' })).headers.get('location') ?? '').searchParams.get('code') ?? '';
    const wrong = await failure(client.getToken({ code, codeVerifier: codeVerifier.slice(1) + 'A', redirect_uri: REDIRECT_URI }));
    expect(wrong.status).toBe(400);
    expect(wrong.data).toMatchObject({ error: 'invalid_grant' });
    // The code was consumed by nothing yet: a right verifier works once, then never again.
    await client.getToken({ code, codeVerifier, redirect_uri: REDIRECT_URI });
    const reuse = await failure(client.getToken({ code, codeVerifier, redirect_uri: REDIRECT_URI }));
    expect(reuse.data).toMatchObject({ error: 'invalid_grant' });

    const stranger = oauthClient(emu, 'someone-else', 'x');
    const page = await fetch(stranger.generateAuthUrl({ scope: [READONLY], code_challenge: codeChallenge, code_challenge_method: 'S256' as never }), { redirect: 'manual' });
    expect(page.status).toBe(401);
    const badSecret = await refreshRaw(me.tokens.refresh_token ?? '', 'wrong');
    expect(badSecret.status).toBe(401);
    expect(badSecret.body).toMatchObject({ error: 'invalid_client' });

    const noPkce = await fetch(client.generateAuthUrl({ scope: [READONLY], state: 's1' }), { redirect: 'manual' });
    const loc = new URL(noPkce.headers.get('location') ?? '');
    expect(loc.searchParams.get('error')).toBe('invalid_request');
    expect(loc.searchParams.get('state')).toBe('s1');
    const notLoopback = await fetch(client.generateAuthUrl({ scope: [READONLY], redirect_uri: 'https://evil.example.com/cb', code_challenge: codeChallenge, code_challenge_method: 'S256' as never }), { redirect: 'manual' });
    expect(notLoopback.status).toBe(400);
  });

  it('refreshes, then revocation makes refresh invalid_grant and the access token 401', async () => {
    const c = await connect(emu);
    const raw = await refreshRaw(c.tokens.refresh_token ?? '');
    expect(raw.status).toBe(200);
    expect(raw.body).toMatchObject({ access_token: expect.stringMatching(/^ya29\./), expires_in: 3600, token_type: 'Bearer', scope: READONLY });
    expect(raw.body).not.toHaveProperty('refresh_token');
    // google-auth-library refreshes by itself once its access token is gone.
    const lib = oauthClient(emu);
    lib.setCredentials({ refresh_token: c.tokens.refresh_token });
    const access = (await lib.getAccessToken()).token ?? '';
    expect(access).toMatch(/^ya29\./);
    expect((await gmailFor(emu, lib).users.getProfile({ userId: 'me' })).data.emailAddress).toBe(ACCOUNT);
    await c.client.revokeToken(c.tokens.refresh_token ?? '');
    const refreshed = await refreshRaw(c.tokens.refresh_token ?? '');
    expect(refreshed.status).toBe(400);
    expect(refreshed.body).toEqual({ error: 'invalid_grant', error_description: 'Token has been expired or revoked.' });
    const res = await fetch(`${emu.gmailApiUrl}gmail/v1/users/me/profile`, { headers: { Authorization: `Bearer ${access}` } });
    expect(res.status).toBe(401);
  });

  it('answers Gmail calls without a valid bearer with 401 in Gmail’s error shape', async () => {
    const res = await fetch(`${emu.gmailApiUrl}gmail/v1/users/me/profile`, { headers: { Authorization: 'Bearer ya29.nope' } });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toContain('invalid_token');
    const body = (await res.json()) as { error: { code: number; status: string; errors: Array<{ reason: string; domain: string }> } };
    expect(body.error.code).toBe(401);
    expect(body.error.status).toBe('UNAUTHENTICATED');
    expect(body.error.errors[0]).toMatchObject({ reason: 'authError', domain: 'global' });
  });

  it('Mailbox.revokeTokens() ends every grant of that account', async () => {
    const c = await connect(emu, { loginHint: OTHER });
    await c.gmail.users.getProfile({ userId: 'me' });
    emu.account(OTHER).revokeTokens();
    const direct = await fetch(`${emu.gmailApiUrl}gmail/v1/users/me/profile`, { headers: { Authorization: `Bearer ${c.tokens.access_token}` } });
    expect(direct.status).toBe(401);
    const refreshed = await refreshRaw(c.tokens.refresh_token ?? '');
    expect(refreshed.body).toMatchObject({ error: 'invalid_grant' });
  });
});

describe('profile and labels', () => {
  it('getProfile counts the whole mailbox', async () => {
    const p = (await me.gmail.users.getProfile({ userId: ACCOUNT })).data;
    const gt = box.groundTruth();
    expect(p.messagesTotal).toBe(gt.messages.length);
    expect(p.threadsTotal).toBe(new Set(gt.messages.map((m) => m.threadId)).size);
    expect(p.historyId).toBe(box.historyId());
    const other = await failure(me.gmail.users.getProfile({ userId: OTHER }));
    expect(other.status).toBe(403);
  });

  it('labels.list has Gmail’s system labels and user labels without counts; labels.get counts equal ground truth', async () => {
    const labels = (await me.gmail.users.labels.list({ userId: 'me' })).data.labels ?? [];
    const ids = labels.map((l) => l.id);
    for (const sys of ['INBOX', 'SENT', 'DRAFT', 'SPAM', 'TRASH', 'UNREAD', 'STARRED', 'IMPORTANT', 'CATEGORY_PERSONAL', 'CATEGORY_SOCIAL', 'CATEGORY_PROMOTIONS', 'CATEGORY_UPDATES', 'CATEGORY_FORUMS', 'CHAT']) {
      expect(ids).toContain(sys);
    }
    for (const l of labels) {
      expect(l.messagesTotal).toBeUndefined();
      if (l.type === 'user') expect(l.id).toMatch(/^Label_\d+$/);
      else expect(l.name).toBe(l.id);
    }
    expect(labels.some((l) => l.type === 'user' && l.name?.includes('/'))).toBe(true);
    expect(labels.some((l) => l.type === 'user' && l.color?.backgroundColor)).toBe(true);
    const gt = box.groundTruth();
    for (const want of gt.labels) {
      const got = (await me.gmail.users.labels.get({ userId: 'me', id: want.id })).data;
      expect({ id: got.id, name: got.name, type: got.type, messagesTotal: got.messagesTotal, messagesUnread: got.messagesUnread, threadsTotal: got.threadsTotal, threadsUnread: got.threadsUnread }).toEqual(want);
    }
    expect((await failure(me.gmail.users.labels.get({ userId: 'me', id: 'Label_99999' }))).status).toBe(404);
  });
});

describe('messages.list and threads', () => {
  it('pages through every message, newest first, equal to the ground truth', async () => {
    const gt = box.groundTruth();
    const { ids, pages } = await listAll(me.gmail, { includeSpamTrash: true, maxResults: 500 });
    expect(pages).toBe(Math.ceil(gt.messages.length / 500));
    expect([...ids].sort()).toEqual(gt.messages.map((m) => m.id));
    const byId = new Map(gt.messages.map((m) => [m.id, Number(m.internalDate)]));
    for (let i = 1; i < ids.length; i++) expect(byId.get(ids[i - 1]) ?? 0).toBeGreaterThanOrEqual(byId.get(ids[i]) ?? 0);
    const first = await me.gmail.users.messages.list({ userId: 'me' });
    expect(first.data.messages).toHaveLength(100);
    expect(Object.keys(first.data.messages?.[0] ?? {}).sort()).toEqual(['id', 'threadId']);
    expect(first.data.resultSizeEstimate).toBeGreaterThan(0);
  });

  it('leaves SPAM and TRASH out by default and ANDs labelIds', async () => {
    const gt = box.groundTruth();
    const visible = gt.messages.filter((m) => !m.labelIds.includes('SPAM') && !m.labelIds.includes('TRASH'));
    expect(visible.length).toBeLessThan(gt.messages.length);
    expect((await listAll(me.gmail, { maxResults: 500 })).ids.sort()).toEqual(visible.map((m) => m.id));
    const both = gt.messages.filter((m) => m.labelIds.includes('INBOX') && m.labelIds.includes('UNREAD')).map((m) => m.id);
    const got = await listAll(me.gmail, { labelIds: ['INBOX', 'UNREAD'], maxResults: 37 });
    expect(got.ids.sort()).toEqual(both.sort());
    const trash = gt.messages.filter((m) => m.labelIds.includes('TRASH')).map((m) => m.id);
    expect((await listAll(me.gmail, { labelIds: ['TRASH'], includeSpamTrash: true })).ids.sort()).toEqual(trash.sort());
    const empty = await me.gmail.users.messages.list({ userId: 'me', labelIds: ['INBOX', 'SPAM'], includeSpamTrash: true });
    expect(empty.data).toEqual({ resultSizeEstimate: 0 });
  });

  it('threads: ids are the first message’s id; threads.get returns every message of the thread', async () => {
    const gt = box.groundTruth();
    const threads = new Map<string, string[]>();
    for (const m of gt.messages) threads.set(m.threadId, [...(threads.get(m.threadId) ?? []), m.id]);
    const all: string[] = [];
    let pageToken: string | undefined;
    do {
      const r = await me.gmail.users.threads.list({ userId: 'me', includeSpamTrash: true, maxResults: 500, pageToken });
      for (const t of r.data.threads ?? []) {
        all.push(t.id ?? '');
        expect(t.historyId).toMatch(/^\d+$/);
        expect(typeof t.snippet).toBe('string');
      }
      pageToken = r.data.nextPageToken ?? undefined;
    } while (pageToken);
    expect(all.sort()).toEqual([...threads.keys()].sort());
    const long = [...threads.entries()].find(([, ms]) => ms.length >= 3);
    expect(long).toBeTruthy();
    const [tid, mids] = long ?? ['', []];
    const t = (await me.gmail.users.threads.get({ userId: 'me', id: tid, format: 'minimal' })).data;
    expect(t.messages?.map((m) => m.id).sort()).toEqual([...mids].sort());
    const dates = (t.messages ?? []).map((m) => Number(m.internalDate));
    expect([...dates].sort((a, b) => a - b)).toEqual(dates);
    expect(t.messages?.[0]?.id).toBe(tid);
    expect(t.messages?.every((m) => m.threadId === tid && m.payload === undefined)).toBe(true);
    const full = (await me.gmail.users.threads.get({ userId: 'me', id: tid })).data;
    expect(full.messages?.every((m) => m.payload?.headers?.length)).toBe(true);
    expect((await failure(me.gmail.users.threads.get({ userId: 'me', id: 'abcdef0123456789' }))).status).toBe(404);
  });
});

describe('messages.get formats and attachments', () => {
  it('minimal, metadata (with metadataHeaders), full and raw', async () => {
    const gt = box.groundTruth();
    const id = gt.messages[5].id;
    const minimal = (await me.gmail.users.messages.get({ userId: 'me', id, format: 'minimal' })).data;
    expect(minimal.payload).toBeUndefined();
    expect(minimal.raw).toBeUndefined();
    expect(minimal.id).toBe(id);
    expect(minimal.threadId).toBe(gt.messages[5].threadId);
    expect([...(minimal.labelIds ?? [])].sort()).toEqual(gt.messages[5].labelIds);
    expect(minimal.internalDate).toBe(gt.messages[5].internalDate);
    expect(minimal.historyId).toMatch(/^\d+$/);

    const meta = (await me.gmail.users.messages.get({ userId: 'me', id, format: 'metadata', metadataHeaders: ['subject', 'From'] })).data;
    expect(meta.payload?.headers?.map((h) => h.name?.toLowerCase()).sort()).toEqual(['from', 'subject']);
    expect(meta.payload?.parts).toBeUndefined();

    const raw = (await me.gmail.users.messages.get({ userId: 'me', id, format: 'raw' })).data;
    expect(raw.payload).toBeUndefined();
    const bytes = Buffer.from(raw.raw ?? '', 'base64url');
    expect(bytes.length).toBe(raw.sizeEstimate);
    expect(bytes.toString('latin1')).toMatch(/^Message-ID: <.+>\r$/m);

    const full = (await me.gmail.users.messages.get({ userId: 'me', id })).data;
    expect(full.raw).toBeUndefined();
    expect(full.payload?.partId).toBe('');
    expect(full.payload?.filename).toBe('');
    const subject = full.payload?.headers?.find((h) => h.name === 'Subject')?.value;
    expect(bytes.toString('latin1').replace(/\r\n[ \t]/g, ' ')).toContain(`Subject: ${subject}`);
    expect(full.snippet).toBe(minimal.snippet);
    expect((await failure(me.gmail.users.messages.get({ userId: 'me', id: 'ffffffffffffffff' }))).reason).toBe('notFound');
    expect((await failure(me.gmail.users.messages.get({ userId: 'me', id: 'not-an-id' }))).status).toBe(400);
  });

  it('full payloads are MIME trees with partIds, decoded body sizes and attachments by id', async () => {
    const ids = box.messageIds();
    let checkedAttachment = false;
    let sawMultipart = false;
    for (const id of ids.slice(0, 120)) {
      const m = (await me.gmail.users.messages.get({ userId: 'me', id, format: 'full' })).data;
      const walk = async (p: gmail_v1.Schema$MessagePart, expectId: string): Promise<void> => {
        expect(p.partId).toBe(expectId);
        expect(p.mimeType).toMatch(/^[a-z]+\/[a-z0-9.+-]+$/);
        expect(Array.isArray(p.headers)).toBe(true);
        if (p.mimeType?.startsWith('multipart/')) {
          sawMultipart = true;
          expect(p.body).toEqual({ size: 0 });
          for (const [i, c] of (p.parts ?? []).entries()) await walk(c, expectId === '' ? String(i) : `${expectId}.${i}`);
        } else if (p.body?.attachmentId) {
          expect(p.filename).not.toBe('');
          expect(p.body.data).toBeUndefined();
          if (!checkedAttachment) {
            const att = (await me.gmail.users.messages.attachments.get({ userId: 'me', messageId: id, id: p.body.attachmentId })).data;
            expect(att.size).toBe(p.body.size);
            expect(Buffer.from(att.data ?? '', 'base64url').length).toBe(p.body.size);
            checkedAttachment = true;
          }
        } else if (p.body?.data) {
          expect(Buffer.from(p.body.data, 'base64url').length).toBe(p.body.size);
        }
      };
      await walk(m.payload ?? {}, '');
    }
    expect(sawMultipart).toBe(true);
    expect(checkedAttachment).toBe(true);
  });

  it('serves the ~1 MB messages', async () => {
    let big = 0;
    const ids = box.messageIds();
    for (let i = 0; i < ids.length; i += 100) {
      const { answers } = await sendBatch(emu, me.client.credentials.access_token ?? '', ids.slice(i, i + 100).map((id) => `/gmail/v1/users/me/messages/${id}?format=minimal`));
      for (const a of answers) if (((a.body as { sizeEstimate?: number }).sizeEstimate ?? 0) > 900_000) big++;
    }
    expect(big).toBe(2);
  });
});

describe('history', () => {
  it('records every mutation after startHistoryId; replaying all pages reproduces the ground truth', async () => {
    const before = box.groundTruth();
    const start = (await me.gmail.users.getProfile({ userId: 'me' })).data.historyId ?? '';
    box.randomMutations(300, 42);
    const after = box.groundTruth();
    expect(Number(after.historyId)).toBeGreaterThan(Number(start));

    const records: gmail_v1.Schema$History[] = [];
    let pageToken: string | undefined;
    let emptyPagesWithToken = 0;
    let lastHistoryId: string | null | undefined;
    do {
      const r = await me.gmail.users.history.list({ userId: 'me', startHistoryId: start, maxResults: 10, pageToken });
      if (!r.data.history?.length && r.data.nextPageToken) emptyPagesWithToken++;
      records.push(...(r.data.history ?? []));
      pageToken = r.data.nextPageToken ?? undefined;
      lastHistoryId = r.data.historyId;
    } while (pageToken);
    expect(lastHistoryId).toBe(after.historyId);
    expect(emptyPagesWithToken).toBeGreaterThan(0);
    const ids = records.map((r) => Number(r.id));
    for (let i = 0; i < ids.length; i++) {
      expect(ids[i]).toBeGreaterThan(i ? ids[i - 1] : Number(start));
      expect(Number.isInteger(ids[i])).toBe(true);
    }
    expect(ids.some((id, i) => i > 0 && id - ids[i - 1] > 1)).toBe(true);

    // Replay like a client would: adds are fetched, deletes dropped, label deltas applied in order,
    // then labels gone from labels.list are removed (label deletion is not in history).
    const state = new Map(before.messages.map((m) => [m.id, { threadId: m.threadId, labels: new Set(m.labelIds) }]));
    for (const rec of records) {
      for (const a of rec.messagesAdded ?? []) {
        const id = a.message?.id ?? '';
        expect(Object.keys(a.message ?? {}).sort()).toEqual(['id', 'threadId']);
        try {
          const m = (await me.gmail.users.messages.get({ userId: 'me', id, format: 'minimal' })).data;
          state.set(id, { threadId: m.threadId ?? '', labels: new Set(m.labelIds ?? []) });
        } catch {
          state.delete(id);
        }
      }
      for (const d of rec.messagesDeleted ?? []) state.delete(d.message?.id ?? '');
      for (const la of rec.labelsAdded ?? []) for (const l of la.labelIds ?? []) state.get(la.message?.id ?? '')?.labels.add(l);
      for (const lr of rec.labelsRemoved ?? []) for (const l of lr.labelIds ?? []) state.get(lr.message?.id ?? '')?.labels.delete(l);
    }
    const existing = new Set(((await me.gmail.users.labels.list({ userId: 'me' })).data.labels ?? []).map((l) => l.id));
    const replayed = [...state.entries()]
      .map(([id, s]) => ({ id, threadId: s.threadId, labelIds: [...s.labels].filter((l) => existing.has(l)).sort() }))
      .sort((a, b) => (a.id < b.id ? -1 : 1));
    expect(replayed).toEqual(after.messages.map(({ id, threadId, labelIds }) => ({ id, threadId, labelIds })));
  });

  it('filters by historyTypes and labelId', async () => {
    const start = box.historyId();
    box.randomMutations(60, 7);
    const all = (await me.gmail.users.history.list({ userId: 'me', startHistoryId: start, maxResults: 500 })).data;
    let everything = all.history ?? [];
    if (!everything.length && all.nextPageToken) {
      everything = (await me.gmail.users.history.list({ userId: 'me', startHistoryId: start, maxResults: 500, pageToken: all.nextPageToken })).data.history ?? [];
    }
    expect(everything.length).toBeGreaterThan(0);
    const onlyAdds: gmail_v1.Schema$History[] = [];
    let pageToken: string | undefined;
    do {
      const r = await me.gmail.users.history.list({ userId: 'me', startHistoryId: start, historyTypes: ['labelAdded'], pageToken });
      onlyAdds.push(...(r.data.history ?? []));
      pageToken = r.data.nextPageToken ?? undefined;
    } while (pageToken);
    expect(onlyAdds.length).toBe(everything.filter((h) => h.labelsAdded).length);
    expect(onlyAdds.every((h) => h.labelsAdded && !h.labelsRemoved && !h.messagesAdded && !h.messagesDeleted)).toBe(true);
    const inbox = (await me.gmail.users.history.list({ userId: 'me', startHistoryId: start, labelId: 'INBOX', maxResults: 500 })).data.history ?? [];
    const allIds = new Set(everything.map((h) => h.id));
    expect(inbox.every((h) => allIds.has(h.id))).toBe(true);
    expect((await failure(me.gmail.users.history.list({ userId: 'me', startHistoryId: start, historyTypes: ['bogus'] }))).status).toBe(400);
    expect((await failure(me.gmail.users.history.list({ userId: 'me' } as never))).status).toBe(400);
  });

  it('answers 404 notFound once history has expired, and for a start id from the future', async () => {
    const start = box.historyId();
    box.addMessage({ subject: 'Before expiry' });
    expect((await me.gmail.users.history.list({ userId: 'me', startHistoryId: start })).status).toBe(200);
    box.expireHistory();
    const gone = await failure(me.gmail.users.history.list({ userId: 'me', startHistoryId: start }));
    expect(gone.status).toBe(404);
    expect(gone.reason).toBe('notFound');
    expect(gone.data).toMatchObject({ error: { code: 404, status: 'NOT_FOUND' } });
    const now = box.historyId();
    const fresh = await me.gmail.users.history.list({ userId: 'me', startHistoryId: now });
    expect(fresh.data.history).toBeUndefined();
    expect(fresh.data.historyId).toBe(now);
    expect((await failure(me.gmail.users.history.list({ userId: 'me', startHistoryId: String(Number(now) + 1000) }))).status).toBe(404);
  });

  it('mutations advance historyId and show up in messages.get and history', async () => {
    const start = box.historyId();
    const id = box.addMessage({ labelIds: ['INBOX', 'UNREAD'], subject: 'Hello from a test ✓' });
    expect(Number(box.historyId())).toBeGreaterThan(Number(start));
    const m = (await me.gmail.users.messages.get({ userId: 'me', id, format: 'metadata', metadataHeaders: ['Subject'] })).data;
    expect(m.threadId).toBe(id);
    expect(box.groundTruth().messages.find((x) => x.id === id)?.subject).toBe('Hello from a test ✓');
    const reply = box.addMessage({ threadId: id, labelIds: ['SENT'] });
    box.modifyLabels(id, ['STARRED'], ['UNREAD']);
    box.deleteMessage(reply);
    const h = (await me.gmail.users.history.list({ userId: 'me', startHistoryId: start })).data;
    const records = h.history ?? (await me.gmail.users.history.list({ userId: 'me', startHistoryId: start, pageToken: h.nextPageToken ?? '' })).data.history ?? [];
    expect(records.map((r) => Object.keys(r).filter((k) => k !== 'id' && k !== 'messages')[0])).toEqual(['messagesAdded', 'messagesAdded', 'labelsAdded', 'labelsRemoved', 'messagesDeleted']);
    expect(records[2].labelsAdded?.[0].labelIds).toEqual(['STARRED']);
    expect(records[3].labelsRemoved?.[0].labelIds).toEqual(['UNREAD']);
    expect((await failure(me.gmail.users.messages.get({ userId: 'me', id: reply }))).status).toBe(404);
    const labelId = box.createLabel('Projects/Émulateur', { color: { backgroundColor: '#16a766', textColor: '#ffffff' } });
    box.modifyLabels(id, [labelId], []);
    box.renameLabel(labelId, 'Projects/Renamed');
    expect((await me.gmail.users.labels.get({ userId: 'me', id: labelId })).data).toMatchObject({ name: 'Projects/Renamed', messagesTotal: 1, type: 'user' });
    box.deleteLabel(labelId);
    expect((await failure(me.gmail.users.labels.get({ userId: 'me', id: labelId }))).status).toBe(404);
    expect(box.groundTruth().messages.find((x) => x.id === id)?.labelIds).toEqual(['INBOX', 'STARRED']);
  });
});

describe('batch', () => {
  it('answers each part in a multipart/mixed response with Content-ID response-<id>', async () => {
    const ids = box.messageIds().slice(0, 30);
    const targets = [...ids.map((id) => `/gmail/v1/users/me/messages/${id}?format=minimal`), '/gmail/v1/users/me/messages/0000000000000001', '/gmail/v1/users/me/labels/INBOX'];
    const { status, answers } = await sendBatch(emu, me.client.credentials.access_token ?? '', targets);
    expect(status).toBe(200);
    expect(answers).toHaveLength(32);
    expect(answers.map((a) => a.contentId)).toEqual(targets.map((_t, i) => `response-item${i + 1}`));
    expect(answers.slice(0, 30).map((a) => (a.body as { id: string }).id)).toEqual(ids);
    expect(answers[30].status).toBe(404);
    expect(answers[31].body).toMatchObject({ id: 'INBOX', messagesTotal: expect.any(Number) });
  });

  it('refuses more than 100 parts, and 401s parts without credentials', async () => {
    const many = Array.from({ length: 101 }, () => '/gmail/v1/users/me/profile');
    expect((await sendBatch(emu, me.client.credentials.access_token ?? '', many)).status).toBe(400);
    const anon = await sendBatch(emu, undefined, ['/gmail/v1/users/me/profile']);
    expect(anon.status).toBe(200);
    expect(anon.answers[0].status).toBe(401);
  });
});
