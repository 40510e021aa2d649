// The Electron shell's security decisions, checked without an Electron binary: window
// preferences, which frames get IPC answers, which links leave for the system browser.
import { describe, expect, it } from 'vitest';
import { externalUrl, isAppUrl, secureWebPreferences } from '../../src/main/electron/security';

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
    const where = { rendererPath: '/opt/Mailmirror/resources/app.asar/dist/renderer/index.html', devOrigin: null };
    expect(isAppUrl('file:///opt/Mailmirror/resources/app.asar/dist/renderer/index.html', true, where)).toBe(true);
    expect(isAppUrl('file:///opt/Mailmirror/resources/app.asar/dist/renderer/index.html#x', true, where)).toBe(true);
    expect(isAppUrl('file:///opt/Mailmirror/resources/app.asar/dist/renderer/index.html', false, where)).toBe(false);
    expect(isAppUrl('about:srcdoc', true, where)).toBe(false);
    expect(isAppUrl('file:///tmp/evil.html', true, where)).toBe(false);
    expect(isAppUrl('file://host/opt/Mailmirror/resources/app.asar/dist/renderer/index.html', true, where)).toBe(false);
    expect(isAppUrl('https://evil.example/', true, where)).toBe(false);
    expect(isAppUrl('not a url', true, where)).toBe(false);
    const dev = { rendererPath: '/x', devOrigin: 'http://127.0.0.1:5173' };
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
