// What the bench prints and writes: the table rows (README and bench/results/latest.md), the JSON of a run
// (bench/results/<ISO date>.json) and the log lines on stderr. Other tools compare runs by these: keep their shape.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

export type Row = { regime: string; setting: string; result: string; target: string; met: boolean | null };
export type Results = { rows: Row[]; data: Record<string, unknown> };

export type Meta = { command: string; date: string; machine: string; loadStart: string; loadEnd: string; seconds: number };

export const log = (s: string): void => void process.stderr.write(`[bench] ${s}\n`);

export const fmt = (n: number, digits = 0): string =>
  Number.isFinite(n) ? n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits }) : '–';

export function markdown(rows: Row[], meta: Meta): string {
  const lines = [
    `Command: \`${String(meta.command)}\` · ${String(meta.date)} · ${String(meta.machine)} · load average at start ${String(meta.loadStart)}, at end ${String(meta.loadEnd)} · ${fmt(Number(meta.seconds))} s in all`,
    '',
    '| regime | setting | result | target | met |',
    '|---|---|---|---|---|',
    ...rows.map((r) => `| ${r.regime} | ${r.setting} | ${r.result} | ${r.target} | ${r.met === null ? '–' : r.met ? 'yes' : '**no**'} |`),
  ];
  return lines.join('\n') + '\n';
}

/** Prints the table and writes bench/results/<date>.json and bench/results/latest.md under `root`. */
export function publish(root: string, results: Results, meta: Meta): void {
  const md = markdown(results.rows, meta);
  process.stdout.write('\n' + md);
  const dir = join(root, 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, `${meta.date.replace(/:/g, '-')}.json`), JSON.stringify({ meta, rows: results.rows, data: results.data }, null, 2) + '\n');
  writeFileSync(join(dir, 'latest.md'), `# Latest benchmark\n\n${md}`);
  log(`wrote ${resolve(dir, 'latest.md')}`);
}
