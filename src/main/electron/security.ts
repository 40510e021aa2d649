// The Electron shell's security decisions as plain functions and data (no runtime import of
// electron), so tests check them without an Electron binary:
// https://www.electronjs.org/docs/latest/tutorial/security
import type { WebPreferences } from 'electron';

/** The renderer gets no Node, no Electron, no remote content: only the preload's bridge. */
export function secureWebPreferences(preload: string): WebPreferences {
  return {
    preload,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInSubFrames: false,
    nodeIntegrationInWorker: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    webviewTag: false,
    navigateOnDragDrop: false,
    spellcheck: false,
  };
}

export type AppLocation = {
  /** The built renderer's entry page, served by the app:// protocol (./app-protocol.ts). */
  indexUrl: string;
  /** Origin of Vite's dev server when running against it, else null. */
  devOrigin: string | null;
};

/**
 * Is a frame with this URL the app's own top-level page? IPC is answered only then (VS Code's
 * ValidatedIpcMain idea): a message frame or a page navigated elsewhere gets nothing.
 */
export function isAppUrl(frameUrl: string, isTopLevel: boolean, where: AppLocation): boolean {
  if (!isTopLevel) return false;
  let url: URL;
  try {
    url = new URL(frameUrl);
  } catch {
    return false;
  }
  if (where.devOrigin) return url.origin === where.devOrigin;
  // Query and hash may change; the document must be the built renderer's index.html.
  const index = new URL(where.indexUrl);
  return url.protocol === index.protocol && url.host === index.host && url.pathname === index.pathname;
}

/**
 * The one web permission granted, and only to the app's own page (its top-level document; never a message's frame):
 * writing text to the clipboard, for the Copy buttons (an address, a message's original). Everything else — camera,
 * notifications, reading the clipboard — is refused, to every origin.
 */
export function permissionAllowed(permission: string, requestingUrl: string, isMainFrame: boolean, where: AppLocation): boolean {
  return permission === 'clipboard-sanitized-write' && isAppUrl(requestingUrl, isMainFrame, where);
}

/** Links the app hands to the system browser; anything else (file:, javascript:, custom schemes) is dropped. */
export function externalUrl(raw: string): string | null {
  try {
    const u = new URL(raw);
    return u.protocol === 'https:' || u.protocol === 'http:' || u.protocol === 'mailto:' ? u.href : null;
  } catch {
    return null;
  }
}
