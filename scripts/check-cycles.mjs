// Fails on an import cycle among our own modules (src/). Type-only imports are ignored:
// they vanish at run time.
import { readFileSync, readdirSync, statSync, existsSync } from 'node:fs';
import { join, dirname, resolve, relative } from 'node:path';

const root = resolve('src');
const files = [];
(function walk(d) {
  for (const f of readdirSync(d)) {
    const p = join(d, f);
    if (statSync(p).isDirectory()) walk(p);
    else if (/\.(ts|tsx)$/.test(f) && !f.endsWith('.d.ts')) files.push(p);
  }
})(root);

const importRe = /^\s*(import|export)\s+(?!type\b)(?:[^'"]*?\sfrom\s+)?['"](\.[^'"]+)['"]/gm;
const graph = new Map();
for (const f of files) {
  const src = readFileSync(f, 'utf8');
  const deps = [];
  for (const m of src.matchAll(importRe)) {
    const base = resolve(dirname(f), m[2]);
    const cand = [base, base + '.ts', base + '.tsx', join(base, 'index.ts'), join(base, 'index.tsx'), base.replace(/\.js$/, '.ts')];
    const hit = cand.find((c) => existsSync(c) && statSync(c).isFile());
    if (hit) deps.push(hit);
  }
  graph.set(f, deps);
}

const state = new Map();
const cycles = [];
function visit(n, stack) {
  state.set(n, 1);
  stack.push(n);
  for (const d of graph.get(n) ?? []) {
    if (state.get(d) === 1) cycles.push([...stack.slice(stack.indexOf(d)), d]);
    else if (!state.get(d)) visit(d, stack);
  }
  stack.pop();
  state.set(n, 2);
}
for (const f of files) if (!state.get(f)) visit(f, []);
if (cycles.length) {
  for (const c of cycles) console.error('import cycle: ' + c.map((p) => relative(process.cwd(), p)).join(' -> '));
  process.exit(1);
}
console.log(`no import cycles (${files.length} files)`);
