// Starts a packaged Mailmirror (release/linux-unpacked) under the TEST DOUBLE OF ELECTRON'S RUNTIME
// (./electron.cjs): app.asar is unpacked to a temporary folder (plain Node cannot read asar
// archives) together with app.asar.unpacked, `process.resourcesPath` points at the package's
// resources/, and `require('electron')` gets the double. The parent test drives it over the fork
// IPC channel: {op:'invoke'} goes through the real preload's `window.mailmirror`, {op:'quit'} is
// the user quitting, {op:'fetch-app'} asks the app:// protocol handler for a URL.
'use strict';
const Module = require('node:module');
const { cpSync, existsSync, mkdtempSync, readFileSync, rmSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join, resolve } = require('node:path');
const asar = require('@electron/asar');

const appOutDir = resolve(process.argv[2]);
const resources = join(appOutDir, 'resources');
const appPath = mkdtempSync(join(tmpdir(), 'mailmirror-packaged-'));
asar.extractAll(join(resources, 'app.asar'), appPath);
if (existsSync(join(resources, 'app.asar.unpacked'))) cpSync(join(resources, 'app.asar.unpacked'), appPath, { recursive: true });
process.on('exit', () => rmSync(appPath, { recursive: true, force: true }));
Object.defineProperty(process, 'resourcesPath', { value: resources });
process.type = 'browser';

const doublePath = require.resolve('./electron.cjs');
const resolveFilename = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
  return request === 'electron' ? doublePath : resolveFilename.call(this, request, ...rest);
};
const electron = require(doublePath);

globalThis.__electronDouble = {
  appPath,
  loadPreload(file) {
    // The sandboxed preload may only require('electron'): give it the renderer half of the double.
    const code = readFileSync(file, 'utf8');
    const req = (name) => {
      if (name === 'electron') return { contextBridge: electron.contextBridge, ipcRenderer: electron.ipcRenderer };
      throw new Error(`a sandboxed preload cannot require ${name}`);
    };
    const mod = { exports: {} };
    new Function('require', 'module', 'exports', code)(req, mod, mod.exports);
    const api = electron.__exposed.mailmirror;
    for (const name of ['sync:progress', 'accounts:changed', 'labels:changed', 'messages:changed']) {
      api.on(name, (payload) => process.send?.({ type: 'event', name, payload }));
    }
  },
};

process.on('message', async (msg) => {
  try {
    if (msg.op === 'invoke') {
      const result = await electron.__exposed.mailmirror.invoke(msg.channel, msg.request);
      process.send({ type: 'reply', id: msg.id, result });
    } else if (msg.op === 'raw-invoke') {
      // A channel the preload does not know, straight at ipcMain (what a compromised renderer could try).
      const result = await electron.ipcRenderer.invoke(msg.channel, msg.request).catch((e) => ({ thrown: e.message }));
      process.send({ type: 'reply', id: msg.id, result });
    } else if (msg.op === 'fetch-app') {
      const handler = electron.__recorded.protocolHandlers.get('app');
      const res = await handler(new Request(msg.url));
      const body = Buffer.from(await res.arrayBuffer());
      process.send({ type: 'reply', id: msg.id, result: { status: res.status, csp: res.headers.get('content-security-policy'), type: res.headers.get('content-type'), text: body.subarray(0, 2000).toString() } });
    } else if (msg.op === 'recorded') {
      const r = electron.__recorded;
      process.send({ type: 'reply', id: msg.id, result: { schemes: r.schemes, protocols: [...r.protocolHandlers.keys()], sandboxEnabled: r.sandboxEnabled, windows: r.windows.map((w) => ({ url: w.webContents.mainFrame.url, webPreferences: w.opts.webPreferences })), errorBoxes: r.errorBoxes, openedExternally: r.openedExternally } });
    } else if (msg.op === 'quit') {
      electron.app.quit();
    }
  } catch (e) {
    process.send({ type: 'reply', id: msg.id, error: e instanceof Error ? e.stack : String(e) });
  }
});

require(join(appPath, JSON.parse(readFileSync(join(appPath, 'package.json'), 'utf8')).main));
process.send?.({ type: 'started' });
