// The one stylesheet parses cleanly. A brace lost in a merge does not fail the build: the browser reads every
// rule after it as nested inside the unclosed one, so whole sections (the keyboard's active row, the reader's
// print styles) silently stop applying. esbuild, which the build already uses, reports such a block.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { transform } from 'esbuild';
import { describe, expect, it } from 'vitest';

const SHEET = resolve(__dirname, '../../src/renderer/styles.css');

describe('the renderer stylesheet', () => {
  it('has no unclosed block or other syntax error', async () => {
    const css = readFileSync(SHEET, 'utf8');
    const { warnings } = await transform(css, { loader: 'css', logLevel: 'silent' });
    expect(warnings.map((w) => `styles.css:${w.location?.line ?? '?'}: ${w.text}`)).toEqual([]);
  });

  it('catches the brace a merge once lost', async () => {
    const broken = '.a {\n  color: red;\n\n/* next section */\n.b {\n  color: blue;\n}\n';
    const { warnings } = await transform(broken, { loader: 'css', logLevel: 'silent' });
    expect(warnings.map((w) => w.text)).toContain('Expected "}" to go with "{"');
  });
});
