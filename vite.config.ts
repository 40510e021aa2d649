// The renderer's build (the tests have their own vitest.config.ts). Relative base so the same
// dist/renderer works from file:// in Electron and from the browser host.
import { defineConfig, type Plugin } from 'vite';
import react from '@vitejs/plugin-react';
import { rendererCsp } from './src/shared/csp';

/**
 * Puts the renderer's CSP into the built index.html as the first thing in <head>: Electron loads
 * it from file://, where there is no response header to carry it. Build only: the dev server
 * needs inline scripts for hot reload.
 */
function cspMeta(): Plugin {
  return {
    name: 'mailmirror-csp-meta',
    apply: 'build',
    transformIndexHtml: {
      order: 'post',
      handler: (html) => html.replace('<head>', `<head>\n    <meta http-equiv="Content-Security-Policy" content="${rendererCsp({ forMeta: true })}">`),
    },
  };
}

export default defineConfig({
  root: 'src/renderer',
  base: './',
  plugins: [react(), cspMeta()],
  build: {
    outDir: '../../dist/renderer',
    emptyOutDir: true,
    minify: true,
    target: 'es2022',
    sourcemap: false,
    // Everything from the app's own origin: the CSP has no data: scripts or inline styles to allow.
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    chunkSizeWarningLimit: 1024,
  },
});
