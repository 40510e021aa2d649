// The layer rules (.dependency-cruiser.cjs) reject what they should: test/lint-fixtures/ breaks each rule once,
// and the real config must find exactly those breaks there; the real src/ and bench/ pass as `npm run lint` runs
// them. A rule deleted from the config, or loosened until it misses its break, fails this test.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(__dirname, '../..');
const require = createRequire(import.meta.url);
const config = require(join(root, '.dependency-cruiser.cjs')) as { forbidden: { name: string }[] };

type Violation = { type: string; from: string; to: string; rule: { name: string; severity: string } };
type Result = { status: number | null; violations: Violation[] };

function depcruise(outputType: 'json' | 'err', args: string[]) {
  const bin = join(root, 'node_modules/dependency-cruiser/bin/dependency-cruise.mjs');
  return spawnSync(process.execPath, [bin, '--config', '.dependency-cruiser.cjs', '--output-type', outputType, ...args], {
    cwd: root,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
}

/** The violations (from the JSON report), and the exit status of the run `npm run lint` makes (the err reporter). */
function cruise(args: string[]): Result {
  const r = depcruise('json', args);
  if (!r.stdout) throw new Error(`depcruise printed nothing (status ${r.status}): ${r.stderr}`);
  const out = JSON.parse(r.stdout) as { summary: { violations: Violation[] } };
  // Known violations (--ignore-known) come back with severity 'ignore'.
  const violations = out.summary.violations.filter((v) => v.rule.severity !== 'ignore');
  return { status: depcruise('err', args).status, violations };
}

const F = 'test/lint-fixtures/';
const NM = 'node_modules/';

/** [rule, from, to] for every break in the fixture tree (the comment on each import there names its rule). */
const EXPECTED: [string, string, string][] = [
  ['no-circular', `${F}src/main/sync/cycle-a.ts`, `${F}src/main/sync/cycle-b.ts`],
  ['not-to-unresolvable', `${F}src/main/sync/typo.ts`, './no-such-file'],
  ['shared-is-a-leaf', `${F}src/shared/contract.ts`, `${F}src/main/config.ts`],
  ['browser-code-no-node', `${F}src/renderer/app.ts`, 'fs'],
  ['renderer-only-shared', `${F}src/renderer/app.ts`, `${F}src/main/config.ts`],
  ['nothing-imports-renderer', `${F}bench/run.ts`, `${F}src/renderer/app.ts`],
  ['emulator-independent', `${F}src/emulator/server.ts`, `${F}src/main/config.ts`],
  ['electron-only-in-main-electron', `${F}src/main/host/cli.ts`, `${NM}electron/index.js`],
  ['only-db-touches-sqlite', `${F}src/main/sync/sync-store.ts`, `${NM}better-sqlite3/lib/index.js`],
  ['only-db-touches-sqlite', `${F}bench/run.ts`, `${NM}drizzle-orm/index.d.ts`],
  ['hosts-through-core-services', `${F}src/main/host/cli.ts`, `${F}src/main/db/accounts.ts`],
  ['host-is-headless', `${F}src/main/host/cli.ts`, `${F}src/main/electron/main.ts`],
  ['core-not-to-hosts', `${F}src/main/sync/scheduler.ts`, `${F}src/main/host/progress.ts`],
  ['core-not-to-emulator', `${F}src/main/app-core.ts`, `${F}src/emulator/server.ts`],
  ['ipc-through-services', `${F}src/main/ipc/router.ts`, `${F}src/main/db/accounts.ts`],
  ['sync-no-upward', `${F}src/main/sync/worker.ts`, `${F}src/main/ipc/router.ts`],
  ['sync-no-upward', `${F}src/main/sync/scheduler.ts`, `${F}src/main/host/progress.ts`],
  ['gmail-no-db', `${F}src/main/gmail/client.ts`, `${F}src/main/db/accounts.ts`],
  ['gmail-no-upward', `${F}src/main/gmail/client.ts`, `${F}src/main/ipc/services.ts`],
  ['queues-no-upward', `${F}src/main/queues/jobs.ts`, `${F}src/main/sync/worker.ts`],
  ['redis-is-a-leaf', `${F}src/main/redis/supervisor.ts`, `${F}src/main/queues/jobs.ts`],
  ['db-is-the-bottom', `${F}src/main/db/client.ts`, `${F}src/main/sync/worker.ts`],
  ['utilities-are-leaves', `${F}src/main/config.ts`, `${F}src/main/db/client.ts`],
];

const key = (v: { rule: string; from: string; to: string }) => `${v.rule}: ${v.from} → ${v.to}`;

describe('layer rules (dependency-cruiser)', () => {
  const fixture = cruise([`${F}`]);

  it('find exactly the breaks in the fixture tree, and fail lint on them', () => {
    const found = fixture.violations.map((v) => key({ rule: v.rule.name, from: v.from, to: v.to })).sort();
    const expected = EXPECTED.map(([rule, from, to]) => key({ rule, from, to })).sort();
    expect(found).toEqual(expected);
    expect(fixture.violations.every((v) => v.rule.severity === 'error')).toBe(true);
    expect(fixture.status).not.toBe(0);
  });

  it('each rule of the config is shown firing by the fixture (a new rule needs a fixture break)', () => {
    const rules = config.forbidden.map((r) => r.name).sort();
    expect(new Set(EXPECTED.map(([rule]) => rule))).toEqual(new Set(rules));
    expect(rules.length).toBeGreaterThan(15);
  });

  it('the real src/ and bench/ pass, as `npm run lint` runs them', () => {
    const real = cruise(['src', 'bench']);
    expect(real.violations.map((v) => key({ rule: v.rule.name, from: v.from, to: v.to }))).toEqual([]);
    expect(real.status).toBe(0);
  });
});
