// The built renderer served to Chromium over a harness (ipc-harness.ts): what the UI tests share.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { startBrowserHost, type BrowserHost } from '../../src/main/host/browser-host';
import { createRouter, type IpcRouter, type RouterOptions } from '../../src/main/ipc/router';
import type { Browser } from 'playwright-core';
import type { Harness } from './ipc-harness';

/** Where `npm run build` puts the renderer. */
export const RENDERER = join(process.cwd(), 'dist', 'renderer');

/** Builds the renderer when it is not built yet (a test file run on its own). */
export function ensureRendererBuilt(): void {
  if (existsSync(join(RENDERER, 'index.html'))) return;
  const r = spawnSync(process.execPath, ['node_modules/vite/bin/vite.js', 'build', '--logLevel', 'warn'], { stdio: 'inherit' });
  if (r.status !== 0) throw new Error('renderer build failed');
}

/** The router over the harness's services and a browser host serving the renderer on a free port. */
export async function serveHarness(h: Harness, opts?: RouterOptions): Promise<{ router: IpcRouter; host: BrowserHost }> {
  const router = createRouter(h.services, opts);
  const host = await startBrowserHost({ router, staticDir: RENDERER, port: 0 });
  return { router, host };
}

/** A served harness's teardown, last part first: the browser, the host, the router, then the core. */
export async function closeServed(parts: { browser?: Browser; host?: BrowserHost; router?: IpcRouter; h?: Harness }): Promise<void> {
  await parts.browser?.close();
  await parts.host?.close();
  parts.router?.close();
  await parts.h?.close();
}
