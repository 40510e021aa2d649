// Builds everything a checkout needs to run: main/CLI/emulator (tsc → dist/), the sandboxed
// preload as one CommonJS file (esbuild), and the renderer (Vite → dist/renderer).
import { execFileSync } from 'node:child_process';
import { rmSync, existsSync } from 'node:fs';
import { build } from 'esbuild';

const run = (cmd, args) => execFileSync(cmd, args, { stdio: 'inherit' });
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
  run(process.execPath, ['node_modules/vite/bin/vite.js', 'build', '--logLevel', 'warn']);
}
