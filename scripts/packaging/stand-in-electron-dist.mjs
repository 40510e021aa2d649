// Writes a STAND-IN for Electron's Linux distribution (the binary cannot be downloaded on our
// build boxes) so that `electron-builder --dir` can package the app here: `npm run dist:dir`.
//
// What is real in a package built this way: everything electron-builder puts in it (app.asar,
// unpacked native modules, resources/redis, the built-in OAuth client, the fuse flips). What is
// not: the `mailmirror` executable, a shell script that says it is a stand-in. The packaged main
// bundle is run by test/electron-double/ (a test double of Electron's runtime on plain Node), so
// the native modules in such a package must be built for *that* runtime's ABI, which this folder
// declares in `abi_version` (Node's process.versions.modules). A real release (`npm run dist`,
// .github/workflows/release.yml) uses the real Electron and its ABI instead.
import { chmodSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** @electron/fuses' sentinel, then wire version 1, wire length 8, then Electron's default fuses. */
const SENTINEL = 'dL7pKGdnNz796PbbjQWNKmHXBZaB9tsX';
// RunAsNode, CookieEncryption, NodeOptions, NodeCliInspect, AsarIntegrity, OnlyLoadAppFromAsar,
// BrowserV8Snapshot, GrantFileProtocolExtraPrivileges: Electron's defaults.
const DEFAULT_WIRE = '10110001';

export const STAND_IN_MARKER = 'MAILMIRROR_ELECTRON_STAND_IN';

export function writeStandInElectronDist(dir) {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(join(dir, 'resources'), { recursive: true });
  const script = [
    '#!/bin/sh',
    `# ${STAND_IN_MARKER}: a stand-in for Electron's binary, written by scripts/packaging/stand-in-electron-dist.mjs.`,
    `# fuse wire (read and flipped by @electron/fuses): ${SENTINEL}\x01\x08${DEFAULT_WIRE}`,
    'echo "This Mailmirror package was built with a stand-in for the Electron binary (for tests only)." >&2',
    'echo "Run it with: node test/electron-double/run-packaged.cjs <this folder>, or build a release with npm run dist." >&2',
    'exit 3',
    '',
  ].join('\n');
  writeFileSync(join(dir, 'electron'), script);
  chmodSync(join(dir, 'electron'), 0o755);
  writeFileSync(join(dir, 'abi_version'), `${process.versions.modules}\n`);
  writeFileSync(join(dir, 'version'), `${process.versions.node}\n`);
  writeFileSync(join(dir, 'LICENSE'), 'Stand-in for the Electron distribution; no Electron code is included.\n');
  return dir;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const dir = resolve(process.argv[2] ?? '.cache/electron-stand-in');
  writeStandInElectronDist(dir);
  console.log(`stand-in Electron dist at ${dir} (ABI ${process.versions.modules})`);
}
