// Mutation testing (`npm run test:mutation`): Stryker mutates the code that holds the promise "if it
// builds, it deploys" and runs the unit tests against every mutant; a mutant that no test notices is a
// bug the suite would let through. Survivors are listed in test/mutation/REPORT.md.

/**
 * The mutated files, in one place: when lib/ is reorganised, remap these globs (and the test list in
 * vitest.stryker.config.ts) and nothing else.
 */
export const promiseHoldingCode = [
  'lib/validate/**/*.ts',
  'lib/merge.ts',
  'lib/kustomize/**/*.ts',
  'lib/mimir/reference/**/*.ts',
  'lib/pipeline.ts',
  'lib/output.ts',
];

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  packageManager: 'npm',
  testRunner: 'vitest',
  vitest: { configFile: 'vitest.stryker.config.ts', related: false },
  checkers: ['typescript'],
  tsconfigFile: 'tsconfig.json',
  typescriptChecker: { prioritizePerformanceOverAccuracy: true },
  mutate: promiseHoldingCode,
  coverageAnalysis: 'perTest',
  // The machine is shared: two workers at most (the npm script also runs Stryker under `nice`).
  concurrency: 2,
  // Committed, so a run after a change only tests the mutants of changed code and changed tests.
  incremental: true,
  incrementalFile: 'test/mutation/stryker-incremental.json',
  timeoutMS: 20000,
  timeoutFactor: 2,
  reporters: ['progress-append-only', 'clear-text', 'html', 'json'],
  htmlReporter: { fileName: 'reports/mutation/mutation.html' },
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  thresholds: { high: 90, low: 80, break: 80 },
  tempDirName: '.stryker-tmp',
  cleanTempDir: 'always',
  ignorePatterns: ['out', 'dist', 'reports', 'bench', '.cache', 'test/e2e', 'test/fixtures/external-package/node_modules'],
};
