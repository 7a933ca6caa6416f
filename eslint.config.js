// Lint: TypeScript rules plus the layer boundaries.
//  - `electron` may be imported only in electron/shell/, electron/main.ts and electron/preload.ts.
//  - the renderer never reaches Node: no node: builtins, no engine/cli/shell code.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';
import reactHooks from 'eslint-plugin-react-hooks';

const electronBan = {
  paths: [{ name: 'electron', message: 'Only electron/shell/, electron/main.ts and electron/preload.ts may import electron. Reach Electron through a port.' }],
  patterns: [{ group: ['electron/*'], message: 'Only electron/shell/, electron/main.ts and electron/preload.ts may import electron.' }],
};

const engineBan = [{ group: ['**/cli/*', '**/shell/*', '**/host.js', '**/main.js'], message: 'The engine never imports cli/, shell/ or the host composition root.' }];

export default tseslint.config(
  { ignores: ['dist/**', 'release/**', 'node_modules/**', 'bench/results/**', 'test-results/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      '@typescript-eslint/no-explicit-any': 'error',
      'no-empty': ['error', { allowEmptyCatch: true }],
      // Sanitizers deliberately match control characters.
      'no-control-regex': 'off',
      'no-restricted-imports': ['error', electronBan],
    },
  },
  {
    files: ['electron/shell/**', 'electron/main.ts', 'electron/preload.ts', 'test/unit/shell/**', 'test/e2e/electron.test.ts'],
    rules: { 'no-restricted-imports': 'off' },
  },
  // The engine is plain Node below the hosts: it never reaches the CLI, the shell or the host root.
  {
    files: ['electron/engine/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: electronBan.paths,
          patterns: [...electronBan.patterns, ...engineBan],
        },
      ],
    },
  },
  // The sync core decides and carries out; it never knows the features or the API that use it.
  {
    files: ['electron/engine/sync/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: electronBan.paths,
          patterns: [
            ...electronBan.patterns,
            ...engineBan,
            { group: ['../features/*', '../api.js', '../handlers.js', '../engine.js', '../peers/*', '../km/*', '../secrets/*'], message: 'sync/ never imports features, the API or the engine facade: features reach it as data (guards, codecs).' },
          ],
        },
      ],
    },
  },
  // git/ is one file per git command over one runner: it imports its runner, util/ and shared/ only.
  {
    files: ['electron/engine/git/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: electronBan.paths,
          patterns: [
            ...electronBan.patterns,
            { regex: '^\\.\\./(?!util/|\\.\\./\\.\\./shared/)', message: 'git/ imports only its runner (./), util/ and shared/: nothing above it.' },
          ],
        },
      ],
    },
  },
  {
    files: ['renderer/**'],
    languageOptions: { globals: { ...globals.browser } },
    plugins: { 'react-hooks': reactHooks },
    rules: {
      'react-hooks/rules-of-hooks': 'error',
      'react-hooks/exhaustive-deps': 'warn',
      'no-restricted-imports': [
        'error',
        {
          paths: electronBan.paths,
          patterns: [
            ...electronBan.patterns,
            { group: ['node:*', 'fs', 'path', 'child_process', 'os', 'crypto'], message: 'The renderer never reaches Node.' },
            { group: ['**/electron/engine/**', '**/electron/cli/**', '**/electron/shell/**'], message: 'The renderer talks to hosts only through the contract.' },
          ],
        },
      ],
    },
  },
  {
    files: ['scripts/**/*.mjs', 'bin/**/*.mjs', 'bench/**/*.mjs', '*.js'],
    languageOptions: { globals: { ...globals.node } },
  },
);
