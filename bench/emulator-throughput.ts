/**
 * Measures the Gmail emulator: messages.get format=full requests/s through the real googleapis client
 * with quota off (the emulator in its own process, as a sync would meet it), and the time to generate
 * a 100k-message mailbox.
 *
 *   npx tsx bench/emulator-throughput.ts [--messages 20000] [--seconds 8] [--concurrency 16] [--gen 100000]
 *
 * Prints a table and one JSON line (prefix `RESULT `).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { loadavg } from 'node:os';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { google } from 'googleapis';
import type { OAuth2Client } from 'google-auth-library';
import { startEmulator } from '../src/emulator/index';
import { runEmulatorCli } from '../src/emulator/standalone';
import { authorizeAtEmulator } from './oauth-flow';
import { procSample } from './processes';

type Endpoints = { url: string; clientId: string; clientSecret: string };

async function startChild(messages: number): Promise<{ child: ChildProcess; ep: Endpoints }> {
  const child = spawn(process.execPath, [...process.execArgv, __filename, '--child', '--messages', String(messages), '--account', 'bench@example.com', '--seed', '1'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const ep: Partial<Endpoints> = {};
  const rl = createInterface({ input: child.stdout as NodeJS.ReadableStream });
  await new Promise<void>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`emulator exited with ${code}`)));
    rl.on('line', (line) => {
      const m = /^Gmail emulator at (\S+)$/.exec(line);
      if (m) ep.url = m[1];
      if (line.startsWith('client id: ')) ep.clientId = line.slice(11);
      if (line.startsWith('client secret: ')) ep.clientSecret = line.slice(15);
      if (line.startsWith('account: ')) resolve();
    });
  });
  return { child, ep: ep as Endpoints };
}

/** CPU seconds (user + system) a process has used so far, from /proc (Linux); NaN elsewhere. */
function cpuSeconds(pid: number | undefined): number {
  return procSample(pid)?.cpuS ?? NaN;
}

/** The emulator's OAuth endpoints, under its one URL. */
function connect(ep: Endpoints): Promise<OAuth2Client> {
  return authorizeAtEmulator({
    clientId: ep.clientId,
    clientSecret: ep.clientSecret,
    oauth: { authUrl: `${ep.url}/o/oauth2/v2/auth`, tokenUrl: `${ep.url}/token`, revokeUrl: `${ep.url}/revoke` },
  });
}

type Rate = { rps: number; emulatorCpuMsPerReq: number };

async function measure(ep: Endpoints, pid: number | undefined, seconds: number, concurrency: number): Promise<{ cold: Rate; warm: Rate; bare: Rate; ids: number }> {
  const auth = await connect(ep);
  const gmail = google.gmail({ version: 'v1', auth, rootUrl: `${ep.url}/`, retry: false });
  const ids: string[] = [];
  let pageToken: string | undefined;
  do {
    const r = await gmail.users.messages.list({ userId: 'me', maxResults: 500, includeSpamTrash: true, pageToken });
    for (const m of r.data.messages ?? []) ids.push(m.id ?? '');
    pageToken = r.data.nextPageToken ?? undefined;
  } while (pageToken);

  const run = async (ms: number, pick: (n: number) => string): Promise<Rate> => {
    let n = 0;
    const end = Date.now() + ms;
    const t0 = process.hrtime.bigint();
    const cpu0 = cpuSeconds(pid);
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (Date.now() < end) {
          const id = pick(n++);
          await gmail.users.messages.get({ userId: 'me', id, format: 'full' });
        }
      }),
    );
    return { rps: n / (Number(process.hrtime.bigint() - t0) / 1e9), emulatorCpuMsPerReq: ((cpuSeconds(pid) - cpu0) * 1000) / n };
  };
  // Let both processes' JITs settle on messages the cold phase will not ask for.
  const tail = ids.slice(-1500);
  for (let i = 0; i < tail.length; i += concurrency) {
    await Promise.all(tail.slice(i, i + concurrency).map((id) => gmail.users.messages.get({ userId: 'me', id, format: 'full' })));
  }
  // Cold: every request a message not fetched before (the emulator builds and renders its MIME).
  const cold = await run(seconds * 1000, (n) => ids[n % (ids.length - tail.length)]);
  // Warm: a working set the emulator has rendered already (its cache answers).
  const hot = ids.slice(0, 1000);
  for (let i = 0; i < hot.length; i += concurrency) {
    await Promise.all(hot.slice(i, i + concurrency).map((id) => gmail.users.messages.get({ userId: 'me', id, format: 'full' })));
  }
  const warm = await run(seconds * 1000, (n) => hot[n % hot.length]);
  // The same warm loop with plain fetch: what the emulator serves when the client costs little.
  const token = auth.credentials.access_token ?? '';
  let n = 0;
  const end = Date.now() + seconds * 1000;
  const t0 = process.hrtime.bigint();
  const cpu0 = cpuSeconds(pid);
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (Date.now() < end) {
        const id = hot[n++ % hot.length];
        const res = await fetch(`${ep.url}/gmail/v1/users/me/messages/${id}?format=full`, { headers: { Authorization: `Bearer ${token}` } });
        await res.arrayBuffer();
      }
    }),
  );
  const bare: Rate = { rps: n / (Number(process.hrtime.bigint() - t0) / 1e9), emulatorCpuMsPerReq: ((cpuSeconds(pid) - cpu0) * 1000) / n };
  return { cold, warm, bare, ids: ids.length };
}

async function generation(n: number): Promise<{ ms: number; rssMb: number; groundTruthMs: number }> {
  const emu = await startEmulator();
  const rss0 = process.memoryUsage().rss;
  const t0 = process.hrtime.bigint();
  const box = emu.addAccount('gen@example.com', { messages: n, seed: 2 });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  const rssMb = (process.memoryUsage().rss - rss0) / 1e6;
  const t1 = process.hrtime.bigint();
  box.groundTruth();
  const groundTruthMs = Number(process.hrtime.bigint() - t1) / 1e6;
  await emu.close();
  return { ms, rssMb, groundTruthMs };
}

async function main(): Promise<void> {
  if (process.argv.includes('--child')) {
    const i = process.argv.indexOf('--child');
    process.exitCode = await runEmulatorCli(process.argv.slice(i + 1));
    return;
  }
  const { values } = parseArgs({
    options: {
      messages: { type: 'string', default: '20000' },
      seconds: { type: 'string', default: '8' },
      concurrency: { type: 'string', default: '16' },
      gen: { type: 'string', default: '100000' },
    },
  });
  const messages = Number(values.messages);
  const seconds = Number(values.seconds);
  const concurrency = Number(values.concurrency);
  const genN = Number(values.gen);

  const gen = await generation(genN);
  const { child, ep } = await startChild(messages);
  let r: { cold: Rate; warm: Rate; bare: Rate; ids: number };
  try {
    r = await measure(ep, child.pid, seconds, concurrency);
  } finally {
    child.kill('SIGTERM');
  }
  const rows: Array<[string, string]> = [
    [`mailbox generation, ${genN.toLocaleString('en-US')} messages`, `${gen.ms.toFixed(0)} ms (+${gen.rssMb.toFixed(0)} MB RSS)`],
    [`ground truth of ${genN.toLocaleString('en-US')} messages`, `${gen.groundTruthMs.toFixed(0)} ms`],
    [`messages.get full, cold (each message once), c=${concurrency}`, `${r.cold.rps.toFixed(0)} req/s, emulator ${r.cold.emulatorCpuMsPerReq.toFixed(3)} CPU-ms/req`],
    [`messages.get full, warm (rendered cache), c=${concurrency}`, `${r.warm.rps.toFixed(0)} req/s, emulator ${r.warm.emulatorCpuMsPerReq.toFixed(3)} CPU-ms/req`],
    [`same, warm, plain fetch client, c=${concurrency}`, `${r.bare.rps.toFixed(0)} req/s, emulator ${r.bare.emulatorCpuMsPerReq.toFixed(3)} CPU-ms/req`],
  ];
  const w = Math.max(...rows.map((x) => x[0].length));
  for (const [k, v] of rows) console.log(`${k.padEnd(w)}  ${v}`);
  console.log('RESULT ' + JSON.stringify({ generation: { messages: genN, ms: Math.round(gen.ms), rssMb: Math.round(gen.rssMb), groundTruthMs: Math.round(gen.groundTruthMs) }, messagesGetFull: { cold: r.cold, warm: r.warm, bareFetchWarm: r.bare, concurrency, mailbox: r.ids }, loadAverage: loadavg() }));
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
