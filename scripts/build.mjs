// Builds everything a checkout needs to run: main/CLI/emulator (tsc → dist/), the sandboxed
// preload as one CommonJS file (esbuild), and the renderer (Vite → dist/renderer).
import { execFileSync } from 'node:child_process';
import { rmSync, existsSync } from 'node:fs';
import { build } from 'esbuild';

const run = (cmd, args, env = {}) => execFileSync(cmd, args, { stdio: 'inherit', env: { ...process.env, ...env } });
rmSync('dist', { recursive: true, force: true });
run(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.node.json']);
if (existsSync('src/main/electron/preload.ts')) {
  // A sandboxed preload may only require('electron'): bundle the contract into it.
  await build({
    entryPoints: ['src/main/electron/preload.ts'],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    external: ['electron'],
    outfile: 'dist/preload/preload.cjs',
    logLevel: 'warning',
  });
}
if (existsSync('src/renderer/index.html')) {
  // The package is CommonJS (Electron's main and the CLI), so Vite warns on every build that its future 'native'
  // config loader could not read an ESM-syntax config; the bundling loader it uses today reads it fine.
  run(process.execPath, ['node_modules/vite/bin/vite.js', 'build', '--logLevel', 'warn'], { VITE_CONFIG_NATIVE_IGNORE_WARNING: 'true' });
}
