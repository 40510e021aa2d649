// The bare fetch loop: what this machine can do at all, with the app's own googleapis client and batch transport
// against the same emulator process, and nothing of the sync around it.
import { batchGet, RECOMMENDED_BATCH_PARTS } from '../src/main/gmail/batch';
import { createGmailClient } from '../src/main/gmail/client';
import { ctl, type Emu } from './emulator-process';
import { authorizeAtEmulator } from './oauth-flow';

/** `clientCpuS`: this process' CPU (user + system) over the loop: the cost of fetching alone, on the client's side. */
export type BareResult = { messages: number; seconds: number; requests: number; clientCpuS: number };

/**
 * What this machine can do at all: list the mailbox, then fetch every message once with the plan the sync's auto
 * strategy aims at (with full copies on: every message's original, messages.get format=raw), through Gmail's batch
 * endpoint (50 parts a request, the cheapest transport on both ends) or, with `batch: false`, one googleapis request
 * per call; the same in-flight limit as the sync; the answers parsed and discarded.
 */
export async function bareLoop(emu: Emu, email: string, inFlight: number, batch = true): Promise<BareResult> {
  await ctl(emu, 'POST', 'consent', { email });
  const auth = await authorizeAtEmulator(emu);
  const gmail = createGmailClient({ rootUrl: emu.gmailApiUrl, auth });

  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  const threads = new Map<string, string[]>();
  let pageToken: string | undefined;
  let requests = 0;
  do {
    const r = await gmail.users.messages.list({ userId: 'me', maxResults: 500, includeSpamTrash: true, pageToken });
    requests++;
    for (const m of r.data.messages ?? []) {
      const t = threads.get(m.threadId ?? '') ?? [];
      t.push(m.id ?? '');
      threads.set(m.threadId ?? '', t);
    }
    pageToken = r.data.nextPageToken ?? undefined;
  } while (pageToken);
  const paths = [...threads.values()].flatMap((ids) => ids.map((id) => `/gmail/v1/users/me/messages/${id}?format=raw`));
  const per = batch ? RECOMMENDED_BATCH_PARTS : 1;
  let next = 0;
  let messages = 0;
  const count = (body: unknown): void => {
    const b = body as { messages?: unknown[]; id?: string };
    messages += Array.isArray(b.messages) ? b.messages.length : 1;
  };
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (next < paths.length) {
        const chunk = paths.slice(next, next + per);
        next += per;
        requests++;
        if (batch) {
          const parts = await batchGet({ rootUrl: emu.gmailApiUrl, auth, requests: chunk.map((path, i) => ({ id: `p${i}`, path })) });
          for (const p of parts) {
            if (p.status !== 200) throw new Error(`bare loop: part answered ${p.status}`);
            count(p.body);
          }
        } else {
          const path = chunk[0];
          const id = path.split('/')[6].split('?')[0];
          count((await gmail.users.messages.get({ userId: 'me', id, format: 'raw' })).data);
        }
      }
    }),
  );
  const cpu = process.cpuUsage(cpu0);
  return { messages, seconds: (performance.now() - t0) / 1000, requests, clientCpuS: (cpu.user + cpu.system) / 1e6 };
}
