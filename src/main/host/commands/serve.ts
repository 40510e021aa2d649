// `mailmirror serve [--port N]`: the app core with its workers, and the renderer plus the IPC
// contract on 127.0.0.1 for a browser. Prints exactly one line, `Mailmirror is at <url>`, the URL
// carrying this run's secret token, then runs until SIGINT/SIGTERM.
import { createAppCore } from '../../app-core';
import { createRouter, type RouterLog } from '../../ipc/router';
import type { AppServices } from '../../ipc/services';
import { findRendererDir, startBrowserHost, type HostMount } from '../browser-host';
import { parseCommandArgs, UsageError } from '../args';
import type { CliContext } from '../cli-context';
import { writeLine } from '../output';
import { DEMO_QUOTA_SCALE, startDemoBackend } from '../demo-backend';

/** What serve needs of the app core (src/main/app-core.ts). */
type ServeCore = AppServices & {
  close(): Promise<void>;
  readonly log: RouterLog;
  /** Bull Board (issue 5), mounted behind the same token when the core provides it. */
  readonly monitor?: HostMount;
};

function parsePort(v: string | undefined): number {
  if (v === undefined) return 0;
  if (!/^\d{1,5}$/.test(v) || Number(v) > 65535) throw new UsageError(`serve: --port must be a number from 0 to 65535, got "${v}"`);
  return Number(v);
}

function waitForStop(): Promise<string> {
  return new Promise((resolve) => {
    const stop = (signal: string) => {
      process.off('SIGINT', onInt);
      process.off('SIGTERM', onTerm);
      resolve(signal);
    };
    const onInt = () => stop('SIGINT');
    const onTerm = () => stop('SIGTERM');
    process.once('SIGINT', onInt);
    process.once('SIGTERM', onTerm);
  });
}

export async function serveCommand(ctx: CliContext, args: string[]): Promise<number> {
  const { values } = parseCommandArgs('serve', args, { port: { type: 'string' }, demo: { type: 'boolean' } });
  const port = parsePort(values.port);
  const staticDir = findRendererDir();
  if (!staticDir) {
    writeLine(ctx.stderr, 'mailmirror serve: the renderer is not built; run `npm run build` first');
    return 1;
  }

  // --demo: the app against the built-in emulator and a temporary mirror ("Try the demo mailbox").
  const demo = values.demo ? await startDemoBackend(ctx.config, { messages: 3000, quotaScale: DEMO_QUOTA_SCALE }) : null;
  let core: ServeCore;
  try {
    // A damaged store still serves the UI, which says so and offers the rebuild.
    core = await createAppCore(demo ? demo.config : ctx.config, { runWorkers: true, openDamaged: true, ...(demo ? { demo } : {}) });
  } catch (e) {
    await demo?.close();
    throw e;
  }
  const router = createRouter(core, { log: core.log });
  let host;
  try {
    host = await startBrowserHost({ router, staticDir, port, mounts: core.monitor ? [core.monitor] : [], log: core.log });
  } catch (e) {
    router.close();
    await core.close();
    await demo?.close();
    const code = (e as { code?: unknown }).code;
    writeLine(ctx.stderr, code === 'EADDRINUSE'
      ? `mailmirror serve: port ${port} on 127.0.0.1 is in use; pick another with --port (0 = any free one)`
      : `mailmirror serve: ${e instanceof Error ? e.message : String(e)}`);
    return 1;
  }
  writeLine(ctx.stdout, `Mailmirror is at ${host.url}`);

  await waitForStop();
  router.close();
  await host.close();
  await core.close();
  await demo?.close();
  return 0;
}
