// Lint rules, including the layer boundaries of ../STYLE: sources, store and relevance never
// reach into pipeline or bots; the Slack and Discord adapters never import each other; nothing
// imports the composition root; no import cycles.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import importX from 'eslint-plugin-import-x';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';

// Each file falls in exactly one layer (a later config would replace an earlier rule, not add to it).
const ROOT = ['**/main.js', '**/cli.js', '**/demo/**'];
const layer = (files, groups, message, ignores = []) => ({
  files,
  ignores,
  rules: {
    'no-restricted-imports': ['error', { patterns: [{ group: [...groups, ...ROOT], message }] }],
  },
});

export default tseslint.config(
  { ignores: ['dist/**', '.bench-build/**', 'node_modules/**', 'coverage/**', 'bench/results/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { parserOptions: { projectService: false } },
    plugins: { 'import-x': importX },
    settings: {
      ...importX.flatConfigs.typescript.settings,
      'import-x/resolver': undefined,
      'import-x/resolver-next': [createTypeScriptImportResolver({ project: './tsconfig.json' })],
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'import-x/no-cycle': ['error', { maxDepth: 10 }],
      'no-console': 'off',
    },
  },
  layer(
    ['src/sources/**', 'src/store/**', 'src/relevance/**', 'src/domain.ts'],
    ['**/pipeline/**', '**/bots/**'],
    'sources, store and relevance are leaves: they never import pipeline, bots or an entry point',
  ),
  layer(['src/bots/slack/**'], ['**/discord/**'], 'the Slack adapter never imports the Discord adapter (nor an entry point)'),
  layer(['src/bots/discord/**'], ['**/slack/**'], 'the Discord adapter never imports the Slack adapter (nor an entry point)'),
  layer(['src/**'], [], 'only the entry points (cli, demo) import the composition root', [
    'src/sources/**',
    'src/store/**',
    'src/relevance/**',
    'src/domain.ts',
    'src/bots/slack/**',
    'src/bots/discord/**',
    'src/cli.ts',
    'src/demo/**',
  ]),
);
