// Lint with zero warnings; the layering rules of CONVENTIONS.md are enforced here.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

const noElectron = { name: 'electron', message: 'Only src/main/electron/ may import electron.' };

export default tseslint.config(
  { ignores: ['.scratch/**', 'dist/**', 'release/**', 'node_modules/**', 'drizzle/**', 'bench/results/**', 'test-artifacts/**'] },
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
    files: ['src/shared/**'],
    rules: {
      'no-restricted-imports': ['error', { paths: [noElectron], patterns: [
        { group: ['node:*'], message: 'src/shared runs in the renderer too: no Node built-ins.' },
        { group: ['**/main/**', '**/renderer/**', '**/emulator/**'], message: 'src/shared imports nothing of main, renderer or emulator.' },
      ] }],
    },
  },
  {
    files: ['src/renderer/**'],
    languageOptions: { globals: { ...globals.browser } },
    rules: {
      'no-restricted-imports': ['error', { paths: [noElectron], patterns: [
        { group: ['node:*'], message: 'The renderer is sandboxed: no Node built-ins.' },
        { group: ['**/main/**', '**/emulator/**'], message: 'The renderer talks to main only through src/shared.' },
      ] }],
    },
  },
  {
    files: ['src/emulator/**'],
    rules: {
      'no-restricted-imports': ['error', { paths: [noElectron], patterns: [
        { group: ['**/main/**', '**/renderer/**'], message: 'The emulator depends on nothing of the app.' },
      ] }],
    },
  },
  {
    files: ['src/main/**', 'test/**', 'bench/**'],
    ignores: ['src/main/electron/**'],
    rules: {
      'no-restricted-imports': ['error', { paths: [noElectron], patterns: [
        { group: ['**/renderer/**'], message: 'main never imports the renderer.' },
      ] }],
    },
  },
);
