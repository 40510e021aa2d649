// TEST DOUBLE OF ELECTRON'S RUNTIME — not Electron. The Electron binary cannot be downloaded on
// our build boxes, so the packaged-app test (test/packaging/packaged-app.test.ts) runs the packaged
// main bundle on plain Node with this module standing in for `require('electron')`: `app`,
// `BrowserWindow`, `ipcMain`, `protocol`, `session`, `dialog`, `shell`, `safeStorage`, `nativeTheme`
// in the main process, and `contextBridge` + `ipcRenderer` for the real preload. It records what the
// shell registers and passes IPC through structured clones, as Electron does. The release workflow
// (.github/workflows/release.yml) runs the same journey with the real Electron.
'use strict';
const { EventEmitter } = require('node:events');
const { tmpdir } = require('node:os');

const recorded = { schemes: [], protocolHandlers: new Map(), windows: [], errorBoxes: [], openedExternally: [], sandboxEnabled: false, cspHooks: 0 };
const handlers = new Map();
const rendererListeners = new Map();
const report = (msg) => process.send?.(msg);

class App extends EventEmitter {
  isPackaged = true;
  name = 'Mailmirror';
  getAppPath() { return globalThis.__electronDouble.appPath; }
  getPath(name) { return name === 'userData' ? process.env.MAILMIRROR_DATA_DIR ?? tmpdir() : tmpdir(); }
  getVersion() { return require(`${this.getAppPath()}/package.json`).version; }
  requestSingleInstanceLock() { return true; }
  enableSandbox() { recorded.sandboxEnabled = true; }
  whenReady() { return new Promise((r) => setImmediate(r)); }
  isReady() { return true; }
  quit() {
    let prevented = false;
    this.emit('before-quit', { preventDefault: () => { prevented = true; } });
    if (!prevented) this.exit(0);
  }
  exit(code = 0) {
    report({ type: 'exit', code });
    process.exitCode = code;
    setImmediate(() => process.exit(code));
  }
}
const app = new App();

class WebContents extends EventEmitter {
  constructor() { super(); this.mainFrame = { url: '', parent: null }; this.windowOpenHandler = null; }
  setWindowOpenHandler(fn) { this.windowOpenHandler = fn; }
  send(channel, payload) {
    for (const fn of rendererListeners.get(channel) ?? []) fn({ sender: null }, structuredClone(payload));
  }
  isDestroyed() { return false; }
}

class BrowserWindow extends EventEmitter {
  static getAllWindows() { return recorded.windows.filter((w) => !w.destroyed); }
  constructor(opts) {
    super();
    this.opts = opts;
    this.destroyed = false;
    this.webContents = new WebContents();
    recorded.windows.push(this);
    app.emit('web-contents-created', {}, this.webContents);
  }
  isDestroyed() { return this.destroyed; }
  isMinimized() { return false; }
  restore() {}
  focus() {}
  show() { this.shown = true; }
  async loadFile(file) { return this.loadURL(`file://${file}`); }
  async loadURL(url) {
    this.webContents.mainFrame.url = url;
    globalThis.__electronDouble.loadPreload(this.opts.webPreferences.preload);
    this.emit('ready-to-show');
    report({ type: 'window-loaded', url, webPreferences: this.opts.webPreferences });
  }
}

const ipcMain = {
  handle(channel, fn) { handlers.set(channel, fn); },
  removeHandler(channel) { handlers.delete(channel); },
};

const ipcRenderer = {
  async invoke(channel, request) {
    const fn = handlers.get(channel);
    if (!fn) throw new Error(`Error invoking remote method '${channel}': No handler registered`);
    const win = recorded.windows[0];
    return structuredClone(await fn({ senderFrame: win.webContents.mainFrame, sender: win.webContents }, structuredClone(request)));
  },
  on(channel, fn) {
    if (!rendererListeners.has(channel)) rendererListeners.set(channel, new Set());
    rendererListeners.get(channel).add(fn);
  },
  removeListener(channel, fn) { rendererListeners.get(channel)?.delete(fn); },
};

const exposed = {};
const contextBridge = { exposeInMainWorld(name, api) { exposed[name] = api; } };

const protocol = {
  registerSchemesAsPrivileged(schemes) { recorded.schemes.push(...schemes); },
  handle(scheme, fn) { recorded.protocolHandlers.set(scheme, fn); },
};

const session = {
  defaultSession: {
    protocol,
    webRequest: { onHeadersReceived() { recorded.cspHooks += 1; } },
    setPermissionRequestHandler() {},
    setPermissionCheckHandler() {},
  },
};

const dialog = {
  showErrorBox(title, message) {
    recorded.errorBoxes.push({ title, message });
    report({ type: 'error-box', title, message });
    process.stderr.write(`[electron double] error box: ${title}: ${message}\n`);
  },
};

const shell = {
  async openExternal(url) { recorded.openedExternally.push(url); report({ type: 'open-external', url }); },
};

// No OS keyring in the double: the app must fall back to its 0600 key file, as on a Linux desktop
// without one.
const safeStorage = {
  isEncryptionAvailable: () => false,
  getSelectedStorageBackend: () => 'basic_text',
  encryptString() { throw new Error('no keyring in the Electron test double'); },
  decryptString() { throw new Error('no keyring in the Electron test double'); },
};

const nativeTheme = { shouldUseDarkColors: false, on() {} };

module.exports = { app, BrowserWindow, ipcMain, ipcRenderer, contextBridge, protocol, session, dialog, shell, safeStorage, nativeTheme, __recorded: recorded, __exposed: exposed };
