// Lint with zero warnings. The layers of DESIGN.md are held by dependency-cruiser (.dependency-cruiser.cjs, run
// after eslint by `npm run lint`).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

const noElectron = { name: 'electron', message: 'Tests run headless: they never import electron.' };

export default tseslint.config(
  { ignores: ['.scratch/**', 'dist/**', 'release/**', 'node_modules/**', 'drizzle/**', 'bench/results/**', 'test-artifacts/**', 'test/lint-fixtures/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/consistent-type-definitions': 'off',
    },
  },
  {
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs' },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    files: ['bin/**/*.js'],
    languageOptions: { sourceType: 'commonjs' },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    files: ['src/renderer/**'],
    languageOptions: { globals: { ...globals.browser } },
  },
  {
    // src/ and bench/ are held by dependency-cruiser (.dependency-cruiser.cjs); tests by this.
    files: ['test/**'],
    rules: {
      'no-restricted-imports': ['error', { paths: [noElectron], patterns: [
        { group: ['**/renderer/**'], message: 'Tests drive the renderer through Chromium, never by import.' },
      ] }],
    },
  },
);
