// The Electron shell's security decisions, checked without an Electron binary: window
// preferences, which frames get IPC answers, which links leave for the system browser.
import { describe, expect, it } from 'vitest';
import { externalUrl, isAppUrl, permissionAllowed, secureWebPreferences } from '../../src/main/electron/security';

describe('Electron shell security', () => {
  it('runs the renderer isolated, sandboxed and without Node', () => {
    const p = secureWebPreferences('/app/dist/preload/preload.cjs');
    expect(p).toMatchObject({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInSubFrames: false,
      nodeIntegrationInWorker: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
    });
    expect(p.preload).toBe('/app/dist/preload/preload.cjs');
  });

  it('answers IPC only for the app’s own top-level page', () => {
    const where = { indexUrl: 'app://mailmirror/index.html', devOrigin: null };
    expect(isAppUrl('app://mailmirror/index.html', true, where)).toBe(true);
    expect(isAppUrl('app://mailmirror/index.html#x', true, where)).toBe(true);
    expect(isAppUrl('app://mailmirror/index.html', false, where)).toBe(false);
    expect(isAppUrl('about:srcdoc', true, where)).toBe(false);
    expect(isAppUrl('app://mailmirror/assets/evil.html', true, where)).toBe(false);
    expect(isAppUrl('app://other/index.html', true, where)).toBe(false);
    // The renderer is no longer a file: the old file:// location is not the app.
    expect(isAppUrl('file:///opt/Mailmirror/resources/app.asar/dist/renderer/index.html', true, where)).toBe(false);
    expect(isAppUrl('file:///tmp/evil.html', true, where)).toBe(false);
    expect(isAppUrl('https://evil.example/', true, where)).toBe(false);
    expect(isAppUrl('not a url', true, where)).toBe(false);
    const dev = { indexUrl: 'app://mailmirror/index.html', devOrigin: 'http://127.0.0.1:5173' };
    expect(isAppUrl('http://127.0.0.1:5173/', true, dev)).toBe(true);
    expect(isAppUrl('http://127.0.0.1:5174/', true, dev)).toBe(false);
  });

  it('hands only web and mail links to the system browser', () => {
    expect(externalUrl('https://accounts.google.com/o/oauth2/v2/auth?x=1')).toBe('https://accounts.google.com/o/oauth2/v2/auth?x=1');
    expect(externalUrl('mailto:a@example.com')).toBe('mailto:a@example.com');
    for (const bad of ['file:///etc/passwd', 'javascript:alert(1)', 'smb://host/share', 'ms-msdt:foo', 'data:text/html,x', '']) {
      expect(externalUrl(bad)).toBeNull();
    }
  });
});

describe('app:// protocol (the renderer is not served from file://)', () => {
  it('answers only files of the renderer folder, with the CSP header', async () => {
    const { mkdtempSync, writeFileSync, mkdirSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const { resolveAppFile, serveAppRequest } = await import('../../src/main/electron/app-protocol');
    const root = mkdtempSync(join(tmpdir(), 'mm-proto-'));
    mkdirSync(join(root, 'renderer', 'assets'), { recursive: true });
    writeFileSync(join(root, 'renderer', 'index.html'), '<!doctype html><title>x</title>');
    writeFileSync(join(root, 'renderer', 'assets', 'a.js'), 'console.log(1)');
    writeFileSync(join(root, 'secret.txt'), 'secret');
    const dir = join(root, 'renderer');
    expect(resolveAppFile(dir, 'app://mailmirror/index.html')).toBe(join(dir, 'index.html'));
    expect(resolveAppFile(dir, 'app://mailmirror/')).toBe(join(dir, 'index.html'));
    // URL parsing folds `..` away: what is left still points inside the renderer folder.
    expect(resolveAppFile(dir, 'app://mailmirror/../secret.txt')).toBe(join(dir, 'secret.txt'));
    for (const bad of [
      'app://mailmirror/assets/..%5c..%5csecret.txt',
      'app://mailmirror/%00index.html',
      'app://other/index.html',
      'file:///etc/passwd',
      'not a url',
    ]) expect(resolveAppFile(dir, bad), bad).toBeNull();
    const ok = await serveAppRequest(dir, new Request('app://mailmirror/assets/a.js'), "default-src 'self'");
    expect(ok.status).toBe(200);
    expect(ok.headers.get('content-type')).toContain('text/javascript');
    expect(ok.headers.get('content-security-policy')).toBe("default-src 'self'");
    expect(await ok.text()).toBe('console.log(1)');
    expect((await serveAppRequest(dir, new Request('app://mailmirror/%2e%2e/secret.txt'), 'x')).status).toBe(404);
    expect((await serveAppRequest(dir, new Request('app://mailmirror/missing.js'), 'x')).status).toBe(404);
    expect((await serveAppRequest(dir, new Request('app://mailmirror/index.html', { method: 'POST', body: 'x' }), 'x')).status).toBe(405);
  });

  it('grants the app page clipboard writes (Copy buttons) and nothing else, to no one else', () => {
    const where = { indexUrl: 'app://mailmirror/index.html', devOrigin: null };
    expect(permissionAllowed('clipboard-sanitized-write', 'app://mailmirror/index.html#inbox', true, where)).toBe(true);
    expect(permissionAllowed('clipboard-sanitized-write', 'app://mailmirror/index.html', false, where)).toBe(false);
    expect(permissionAllowed('clipboard-sanitized-write', 'https://evil.example/', true, where)).toBe(false);
    expect(permissionAllowed('clipboard-sanitized-write', '', true, where)).toBe(false);
    for (const p of ['clipboard-read', 'notifications', 'media', 'geolocation', 'openExternal']) {
      expect(permissionAllowed(p, 'app://mailmirror/index.html', true, where)).toBe(false);
    }
  });
});
