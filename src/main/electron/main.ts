// The Electron main process: a thin shell around the same core the CLI and the browser host run.
// Hardening follows https://www.electronjs.org/docs/latest/tutorial/security: a sandboxed,
// context-isolated renderer without Node, a strict CSP, no navigation or new windows, permission
// requests denied, and IPC answered only for the app's own top-level page.
import { app, BrowserWindow, dialog, ipcMain, nativeTheme, protocol, safeStorage, session, shell, type WebContents, type WebFrameMain } from 'electron';
import { join } from 'node:path';
import { createAppCore } from '../app-core';
import { resolveConfig, type AppConfig } from '../config';
import { FileKeySecretBox, type SecretBox } from '../gmail/secret-box';
import { createRouter, type IpcRouter } from '../ipc/router';
import { DesktopServices } from '../desktop-services';
import { DEMO_QUOTA_SCALE, startDemoBackend } from '../host/demo-backend';
import { rendererCsp } from '../../shared/csp';
import { INVOKE_CHANNELS } from '../../shared/ipc-channels';
import { SafeStorageSecretBox } from './safe-storage-secret-box';
import { APP_INDEX_URL, APP_SCHEME, serveAppRequest } from './app-protocol';
import { externalUrl, isAppUrl, permissionAllowed, secureWebPreferences, type AppLocation } from './security';

const appRoot = app.getAppPath();
const rendererDir = join(appRoot, 'dist', 'renderer');
const preloadFile = join(appRoot, 'dist', 'preload', 'preload.cjs');
/** `npm start` against Vite's dev server; only a loopback http URL is accepted. */
const devUrl = devServerUrl(process.env.MAILMIRROR_RENDERER_URL);

function devServerUrl(v: string | undefined): URL | null {
  if (!v || app.isPackaged) return null;
  try {
    const u = new URL(v);
    return u.protocol === 'http:' && (u.hostname === '127.0.0.1' || u.hostname === 'localhost') ? u : null;
  } catch {
    return null;
  }
}

const appLocation: AppLocation = { indexUrl: APP_INDEX_URL, devOrigin: devUrl ? devUrl.origin : null };

// Before the app is ready: app:// behaves like https (standard, secure, fetch) for the renderer.
protocol.registerSchemesAsPrivileged([{ scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } }]);

function isAppFrame(frame: WebFrameMain | null): boolean {
  return frame !== null && isAppUrl(frame.url, frame.parent === null, appLocation);
}

function openExternalIfSafe(url: string): void {
  const safe = externalUrl(url);
  if (safe) void shell.openExternal(safe);
}

function hardenContents(contents: WebContents): void {
  contents.on('will-navigate', (event, url) => {
    event.preventDefault();
    openExternalIfSafe(url);
  });
  contents.on('will-redirect', (event) => event.preventDefault());
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(({ url }) => {
    // The renderer opens the OAuth consent page and message links this way: the system browser.
    openExternalIfSafe(url);
    return { action: 'deny' };
  });
}

function installSessionPolicy(): void {
  // Vite's dev server (never in a packaged app) needs its inline React-refresh preamble and its
  // HMR socket; the built app gets the strict policy.
  const csp = devUrl
    ? rendererCsp({ connectSrc: [`ws://${devUrl.host}`] }).replace("script-src 'self'", "script-src 'self' 'unsafe-inline'")
    : rendererCsp();
  const ses = session.defaultSession;
  // The built renderer comes from app:// with the CSP as a header (and as <meta> in index.html).
  ses.protocol.handle(APP_SCHEME, (request) => serveAppRequest(rendererDir, request, csp));
  ses.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [csp] } });
  });
  ses.setPermissionRequestHandler((_wc, permission, callback, details) =>
    callback(permissionAllowed(permission, details.requestingUrl, details.isMainFrame, appLocation)),
  );
  ses.setPermissionCheckHandler((_wc, permission, _origin, details) =>
    permissionAllowed(permission, details.requestingUrl ?? '', details.isMainFrame, appLocation),
  );
}

function createWindow(): BrowserWindow {
  const win = new BrowserWindow({
    width: 1320,
    height: 860,
    minWidth: 900,
    minHeight: 560,
    show: false,
    title: 'Mailmirror',
    backgroundColor: nativeTheme.shouldUseDarkColors ? '#16181d' : '#ffffff',
    webPreferences: secureWebPreferences(preloadFile),
  });
  win.once('ready-to-show', () => win.show());
  if (devUrl) void win.loadURL(devUrl.href);
  else void win.loadURL(APP_INDEX_URL);
  return win;
}

function registerIpc(router: IpcRouter): void {
  for (const channel of INVOKE_CHANNELS) {
    ipcMain.handle(channel, (event, request: unknown) => {
      if (!isAppFrame(event.senderFrame)) {
        return { ok: false, error: { code: 'FORBIDDEN', message: 'IPC is only answered for the app window' } };
      }
      return router.handle(channel, request, { transport: 'electron' });
    });
  }
  router.subscribe((event) => {
    for (const win of BrowserWindow.getAllWindows()) {
      if (!win.isDestroyed() && isAppFrame(win.webContents.mainFrame)) win.webContents.send(event.name, event.payload);
    }
  });
}

function secretBoxFor(config: AppConfig): SecretBox | undefined {
  // On Linux without a keyring safeStorage falls back to a hard-coded password ('basic_text');
  // the core's key file (mode 0600) is better than that.
  const weak = process.platform === 'linux' && safeStorage.getSelectedStorageBackend() === 'basic_text';
  if (!safeStorage.isEncryptionAvailable() || weak) return undefined;
  return new SafeStorageSecretBox(safeStorage, new FileKeySecretBox(config.dataDir));
}

async function start(): Promise<void> {
  if (!app.requestSingleInstanceLock()) {
    app.quit();
    return;
  }
  app.enableSandbox();
  app.on('web-contents-created', (_e, contents) => hardenContents(contents));
  await app.whenReady();
  installSessionPolicy();

  // The data folder is the CLI's (same default, same MAILMIRROR_DATA_DIR), so `mailmirror status`
  // sees the app's mirror. On macOS and Windows that is app.getPath('userData') itself.
  const config = resolveConfig({ dataDir: process.env.MAILMIRROR_DATA_DIR || undefined });
  let core: DesktopServices;
  try {
    // A damaged mailbox database still starts the app: it says so and offers the rebuild (store:rebuild).
    const own = await createAppCore(config, { runWorkers: true, secretBox: secretBoxFor(config), openDamaged: true });
    // "Try the demo mailbox": the emulator runs inside the app, its mirror in <data>/demo.
    core = new DesktopServices(own, async (dataDir) => {
      const backend = await startDemoBackend(config, { messages: 1000, quotaScale: DEMO_QUOTA_SCALE, dataDir });
      try {
        return { backend, core: await createAppCore(backend.config, { runWorkers: true, demo: backend }) };
      } catch (e) {
        await backend.close();
        throw e;
      }
    });
  } catch (e) {
    dialog.showErrorBox('Mailmirror cannot start', e instanceof Error ? e.message : String(e));
    app.exit(1);
    return;
  }
  const router = createRouter(core);
  registerIpc(router);

  let win: BrowserWindow | null = createWindow();
  win.on('closed', () => {
    win = null;
  });
  app.on('second-instance', () => {
    if (!win) return;
    if (win.isMinimized()) win.restore();
    win.focus();
  });
  app.on('activate', () => {
    if (!win) {
      win = createWindow();
      win.on('closed', () => {
        win = null;
      });
    }
  });
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });

  // Workers, queues and the embedded redis-server stop before the process exits.
  let stopping = false;
  app.on('before-quit', (event) => {
    if (stopping) return;
    stopping = true;
    event.preventDefault();
    router.close();
    core.close().then(
      () => app.exit(0),
      () => app.exit(1),
    );
  });
}

void start();
