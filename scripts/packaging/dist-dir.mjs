// `npm run dist:dir` after the build: Linux x64 into release/linux-unpacked/ with electron-builder
// --dir and a stand-in for the Electron binary (./stand-in-electron-dist.mjs), the bundled
// redis-server built first. electron-builder's afterPack hook (./check-package.cjs) checks the result.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { writeStandInElectronDist } from './stand-in-electron-dist.mjs';

const run = (args) => execFileSync(process.execPath, args, { stdio: 'inherit' });
run(['scripts/build-redis.mjs']);
if (existsSync('scripts/write-builtin-client.mjs')) run(['scripts/write-builtin-client.mjs']);
writeStandInElectronDist('.cache/electron-stand-in');
// No native rebuild: the stand-in runtime is this Node, which better-sqlite3 is already built for.
run([
  'node_modules/electron-builder/cli.js', '--config', 'electron-builder.yml', '--linux', 'dir', '--x64',
  '-c.electronDist=.cache/electron-stand-in', '-c.npmRebuild=false',
]);
