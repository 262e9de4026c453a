// Lint: typescript-eslint recommended, plus the architecture rule that src/core never imports vscode.
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'out/**', 'node_modules/**', '.vscode-test/**', 'test-results/**', '.bench/**', '.tools/**', 'test/fixtures/**'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      '@typescript-eslint/no-require-imports': 'off',
      'no-empty': ['error', { allowEmptyCatch: true }],
    },
  },
  {
    files: ['src/core/**/*.ts', 'src/cli/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { paths: [{ name: 'vscode', message: 'src/core and src/cli must stay editor-agnostic: never import vscode.' }] }],
    },
  },
  {
    // The API emulator is an independent witness of the product: its server code takes Kubernetes semantics from the
    // vendored OpenAPI documents and its own tables, never from src (a mistake there would be repeated by the emulator).
    files: ['test/emulator/**/*.ts'],
    ignores: ['test/emulator/controllers/**', 'test/emulator/demo/**', 'test/emulator/**/*.test.ts', 'test/emulator/demo-cluster.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: ['**/src/**', 'src/**'], message: 'The emulator must not import the product (src/): copy generic helpers into test/emulator/util and take semantics from test/fixtures/kubernetes-openapi-v3.' }] }],
    },
  },
);
