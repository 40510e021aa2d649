import { defineConfig } from 'vitest/config';

// Tests get their own config: the renderer's Vite root is src/renderer (vite.config.ts).
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 120_000,
    hookTimeout: 120_000,
    reporters: ['default'],
  },
});
