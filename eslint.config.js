import js from '@eslint/js';
import comments from '@eslint-community/eslint-plugin-eslint-comments';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      'dist/**',
      'dist.build-*/**',
      'dist.old-*/**',
      'node_modules/**',
      'coverage/**',
      'test/output/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.strictTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true }],
      '@typescript-eslint/no-unnecessary-condition': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
      // State files are JSON records keyed by ids; deleting a key is how an entry goes.
      '@typescript-eslint/no-dynamic-delete': 'off',
      '@typescript-eslint/no-confusing-void-expression': [
        'error',
        { ignoreArrowShorthand: true, ignoreVoidReturningFunctions: true },
      ],
    },
  },
  {
    // Every eslint-disable says why after ` -- ` (ESLint itself has no option for it).
    plugins: { '@eslint-community/eslint-comments': comments },
    rules: { '@eslint-community/eslint-comments/require-description': 'error' },
  },
  {
    // Sizes a reader can hold (issue 11): a longer function says why above it, as
    // `// eslint-disable-next-line max-lines-per-function -- <reason>`.
    files: ['src/**/*.ts'],
    rules: {
      'max-lines-per-function': ['error', { max: 60, skipBlankLines: true, skipComments: true }],
      'max-lines': ['error', { max: 400, skipBlankLines: true, skipComments: true }],
    },
  },
  {
    // Node's recursive mkdir spins for ever where mkdir says ENOENT under a folder that exists
    // (/proc/x): folders are made by util/make-dir.ts, which stops with the reason.
    files: ['src/**/*.ts'],
    ignores: ['src/util/make-dir.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: ['node:fs', 'fs', 'node:fs/promises', 'fs/promises'].map((name) => ({
            name,
            importNames: ['mkdir', 'mkdirSync'],
            message: 'Make folders with makeDir (util/make-dir.ts): it stops where mkdir -p would spin.',
          })),
        },
      ],
    },
  },
  {
    // The CLI talks to the app through the Daemon's methods (issue 11); its parts are for tests.
    files: ['src/cli/**/*.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector: "MemberExpression[property.name='parts'], MemberExpression[property.value='parts']",
          message: "The CLI uses the Daemon's methods, not its parts (tests' and benches' view).",
        },
        {
          // `const { parts } = daemon` reads them too.
          selector: "ObjectPattern > Property[key.name='parts'], ObjectPattern > Property[key.value='parts']",
          message: "The CLI uses the Daemon's methods, not its parts (tests' and benches' view).",
        },
      ],
    },
  },
  {
    files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
    ...tseslint.configs.disableTypeChecked,
  },
  {
    // .dependency-cruiser.cjs: the tool reads CommonJS.
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs', globals: { module: 'writable' } },
  },
);
