// @ts-check
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      'dist/**',
      'node_modules/**',
      '.data/**',
      'coverage/**',
      '**/generated/**',
      'apps/inbox/web/dist/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      // Imports across areas go through the @switchboard/* aliases, never deep relative paths.
      'no-restricted-imports': [
        'error',
        {
          patterns: [{ group: ['../../*', '**/libs/*'], message: 'Import through @switchboard/* instead.' }],
        },
      ],
    },
  },
  {
    files: ['**/*.spec.ts', '**/*.int-spec.ts', '**/*.e2e-spec.ts', '**/testing/**/*.ts'],
    rules: {
      '@typescript-eslint/unbound-method': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
    },
  },
  {
    // Apps never import each other; only the standalone composition root puts them together.
    files: ['apps/**/*.ts'],
    ignores: ['apps/standalone/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['../../*', '**/libs/*'], message: 'Import through @switchboard/* instead.' },
            { group: ['@switchboard/app-*'], message: 'An app never imports another app.' },
          ],
        },
      ],
    },
  },
  {
    // An event's definition says where it goes (`emit()`); only the outbox relay publishes entries
    // routed earlier, as history stored them (see EventBus.relayOutbox).
    files: ['**/*.ts', '**/*.tsx'],
    ignores: ['apps/history/src/outbox/outbox-relay.service.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector: "MemberExpression[property.name='relayOutbox']",
          message: 'Only the history outbox relay publishes pre-routed events; emit() the event instead.',
        },
      ],
    },
  },
  { files: ['**/*.js', '**/*.mjs'], ...tseslint.configs.disableTypeChecked },
  {
    // Plain-JS scripts and configs run on Node.
    files: ['**/*.js', '**/*.mjs'],
    languageOptions: {
      globals: {
        process: 'readonly',
        console: 'readonly',
        URL: 'readonly',
        Buffer: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        setInterval: 'readonly',
        clearInterval: 'readonly',
      },
    },
  },
  prettier,
);
