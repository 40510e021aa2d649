// The layers of ../shared/DESIGN.md ("Layout", "Dependency direction"), held by dependency-cruiser over src/ and
// bench/ (`npm run lint`). Type-only imports count (tsPreCompilationDeps): a type cycle or a type reaching past a
// layer is as much a design break as a value import, even though it vanishes at run time.
//
// Paths are matched with a `(^|/)` prefix so the rules apply the same way to the fixture tree that
// test/unit/layers.test.ts cruises (test/lint-fixtures/src/…): each rule there must fire, so deleting one fails it.
//
// Inside src/main, top to bottom:
//   hosts        electron/, host/, desktop-services.ts (the desktop app's AppServices over two cores)
//   core entry   app-core.ts (composition root), store-core.ts (the store-only core of the light CLI commands),
//                ipc/router.ts, ipc/services.ts: all a host may use of the core; besides them a host may import
//                the error modules (errors.ts, *-errors.ts: what it catches and words) and the two small services
//                a host brings or drives itself: gmail/secret-box.ts (the desktop app brings its keychain box) and
//                gmail/oauth-client-store.ts (the OAuth client a user brings: `client set/show/clear`)
//   core         ipc/ → services interface; sync/ → gmail/, db/, queues/, redis/; store.ts (the data folder's store)
//   below        gmail/ (never db/), queues/, redis/, db/ (the only code that touches SQLite)
//   utilities    config.ts, log.ts, settings.ts, version.ts, errors.ts, data-dir.ts, pid-lock.ts, core-events.ts
//                (the core's event vocabulary), and gmail/redact.ts
//                (the redaction log.ts is built on): any layer may use them; they use no layer.
// redis/ is infrastructure under queues/: sync's workers ask it whether an error is a lost connection.

const SRC = '(^|/)src/';
const MAIN = `${SRC}main/`;
const HOSTS = `${MAIN}(electron/|host/|desktop-services\\.ts$)`;
const UTILITIES = `${MAIN}((config|log|settings|version|errors|data-dir|pid-lock|core-events)\\.ts$|gmail/redact\\.ts$)`;
const CORE_ENTRY = `${MAIN}((app-core|store-core)\\.ts$|ipc/(router|services)\\.ts$|gmail/(secret-box|oauth-client-store)\\.ts$)`;
const ERRORS = `${MAIN}[a-z/-]*errors\\.ts$`;
const SHARED = `${SRC}shared/`;
const SQLITE = '(^|/)node_modules/(@types/)?(better-sqlite3|drizzle-orm)/';

/** `from` may import nothing of src/main but its own folder `own`, the utilities and `also`. */
function onlyBelow(name, comment, own, also = []) {
  return {
    name,
    severity: 'error',
    comment,
    from: { path: `${MAIN}${own}` },
    to: { path: MAIN, pathNot: [`${MAIN}${own}`, UTILITIES, ...also.map((p) => `${MAIN}${p}`)] },
  };
}

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'No import cycles, type-only ones included (madge --circular in BullMQ holds the same line).',
      from: {},
      to: { circular: true },
    },
    {
      name: 'not-to-unresolvable',
      severity: 'error',
      comment: 'An import that resolves to no file is a typo or a missing dependency.',
      from: {},
      to: { couldNotResolve: true },
    },
    {
      name: 'shared-is-a-leaf',
      severity: 'error',
      comment: 'src/shared (the IPC contract, domain types) imports nothing of main, renderer, emulator or bench.',
      from: { path: SHARED },
      to: { path: `(${SRC}(main|renderer|emulator)/|(^|/)bench/)` },
    },
    {
      name: 'browser-code-no-node',
      severity: 'error',
      comment: 'src/shared and src/renderer run in the sandboxed renderer: no Node built-ins.',
      from: { path: `${SRC}(shared|renderer)/` },
      to: { dependencyTypes: ['core'] },
    },
    {
      name: 'renderer-only-shared',
      severity: 'error',
      comment: 'The renderer talks to main only through the contract in src/shared.',
      from: { path: `${SRC}renderer/` },
      to: { path: `(${SRC}(main|emulator)/|(^|/)bench/)` },
    },
    {
      name: 'nothing-imports-renderer',
      severity: 'error',
      comment: 'The renderer is a separate (Vite) build: no other code imports it.',
      from: { pathNot: `${SRC}renderer/` },
      to: { path: `${SRC}renderer/` },
    },
    {
      name: 'emulator-independent',
      severity: 'error',
      comment: 'The Gmail emulator depends on nothing of the app (it stands in for Google).',
      from: { path: `${SRC}emulator/` },
      to: { path: `${SRC}(main|renderer)/` },
    },
    {
      name: 'electron-only-in-main-electron',
      severity: 'error',
      comment: 'Only src/main/electron/ imports electron: the core also runs headless (CLI, workers, browser host).',
      from: { pathNot: `${MAIN}electron/` },
      to: { path: '(^|/)node_modules/electron/' },
    },
    {
      name: 'only-db-touches-sqlite',
      severity: 'error',
      comment: 'src/main/db is the store: nothing else (bench included) imports better-sqlite3 or drizzle-orm.',
      from: { pathNot: `${MAIN}db/` },
      to: { path: SQLITE },
    },
    {
      name: 'hosts-through-core-services',
      severity: 'error',
      comment:
        'Hosts (electron/, host/, desktop-services.ts) use the core only through app-core.ts, store-core.ts and the ' +
        'router (ipc/router.ts, ipc/services.ts), plus the utilities, the error modules and the secret box / OAuth ' +
        'client store they bring; never its parts (db, gmail access, sync, queues, redis, store).',
      from: { path: HOSTS },
      to: { path: MAIN, pathNot: [HOSTS, CORE_ENTRY, UTILITIES, ERRORS] },
    },
    {
      name: 'host-is-headless',
      severity: 'error',
      comment: 'host/ (CLI, browser host) runs without Electron: it never imports electron/.',
      from: { path: `${MAIN}host/` },
      to: { path: `${MAIN}electron/` },
    },
    {
      name: 'core-not-to-hosts',
      severity: 'error',
      comment: 'The core never imports the hosts that sit on top of it.',
      from: { path: MAIN, pathNot: HOSTS },
      to: { path: HOSTS },
    },
    {
      name: 'core-not-to-emulator',
      severity: 'error',
      comment: 'Only hosts start the emulator (the demo); the core gets it as options, like any Gmail.',
      from: { path: MAIN, pathNot: HOSTS },
      to: { path: `${SRC}emulator/` },
    },
    onlyBelow('ipc-through-services', 'ipc/ is the router over the services interface: it reaches no part of the core (error modules aside).', 'ipc/', [
      '[a-z/-]*errors\\.ts$',
    ]),
    onlyBelow('sync-no-upward', 'sync/ uses gmail/, db/, queues/ (and redis/ below them); never ipc/, the core root or hosts.', 'sync/', [
      'gmail/',
      'db/',
      'queues/',
      'redis/',
    ]),
    {
      name: 'gmail-no-db',
      severity: 'error',
      comment: 'The Gmail client knows nothing of the store: sync/ moves data between them.',
      from: { path: `${MAIN}gmail/` },
      to: { path: `${MAIN}db/` },
    },
    onlyBelow('gmail-no-upward', 'gmail/ imports no layer above it (sync, queues, ipc, the core root, hosts).', 'gmail/', ['db/']),
    onlyBelow('queues-no-upward', 'queues/ (BullMQ queues and job table) sits on redis/ only.', 'queues/', ['redis/']),
    onlyBelow('redis-is-a-leaf', 'redis/ (the redis-server supervisor) imports no other part of main.', 'redis/'),
    onlyBelow('db-is-the-bottom', 'db/ is the bottom layer: it imports no other part of main.', 'db/'),
    {
      name: 'utilities-are-leaves',
      severity: 'error',
      comment:
        'The utilities every layer may import import no layer themselves (redis/errors.ts: the data folder ' +
        "errors are defined there until the error model moves them).",
      from: { path: UTILITIES },
      to: { path: MAIN, pathNot: [UTILITIES, `${MAIN}redis/errors\\.ts$`] },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    // node_modules may be a symlink (a git worktree sharing one install): keep its paths as node_modules/…
    // so the rules and the known-violations file read the same everywhere.
    preserveSymlinks: true,
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      mainFields: ['module', 'main', 'types', 'typings'],
    },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
