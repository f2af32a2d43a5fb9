// Mutation testing (`npm run test:mutation`): Stryker mutates the code that holds the promise "if it
// builds, it deploys" and runs the unit tests against every mutant; a mutant that no test notices is a
// bug the suite would let through. Survivors are listed in test/mutation/REPORT.md.
//
// The run is split into parts, one per folder, each with its own committed incremental file and its own
// tests: a part that finishes is saved even when a later one is interrupted, each part runs only the
// suites that test it, and the score is reported per folder. `MUTATION_PART=<name>` runs one part.

/**
 * The mutated files and the suites that test them, in one place: when lib/ is reorganised, remap these
 * globs and nothing else. Suites that call real tools per test (kubectl), run the build in a child
 * process (a mutant is only active in Stryker's own process) or test other files are left out.
 */
export const parts = {
  kustomize: { mutate: ['lib/build/kustomize/**/*.ts'], tests: ['test/kustomize-writer.test.ts'] },
  pipeline: {
    mutate: ['lib/build/pipeline.ts', 'lib/build/output.ts'],
    tests: ['test/pipeline.test.ts', 'test/output.test.ts'],
  },
  merge: { mutate: ['lib/core/merge.ts'], tests: ['test/merge.test.ts', 'test/merge-problems.test.ts'] },
  // lib/validate in two parts, so each finishes (and is saved) on its own: the rules, and what they share.
  validate: {
    mutate: ['lib/build/validate/{security,references,names,selectors}.ts'],
    tests: ['test/validate-failing.test.ts'],
  },
  'validate-shared': {
    mutate: [
      'lib/build/validate/**/*.ts',
      'lib/core/checks/**/*.ts',
      '!lib/build/validate/{security,references,names,selectors}.ts',
    ],
    tests: [
      'test/validate-failing.test.ts',
      'test/validate-rules.test.ts',
      'test/service-addresses.test.ts',
      'test/service-urls.test.ts',
      'test/module-rules-failing.test.ts',
      'test/bad-input/rules.test.ts',
      'test/validate-shared-values.test.ts',
      'test/validate-shared-edges.test.ts',
      // The generated Kubernetes validators' loader (models.ts) is proven against the real package here.
      'test/k8s-validators.test.ts',
    ],
  },
  // Mimir's reference checks are exercised by their own suite and through the build: flag values by type,
  // enums, listen ports and the config file rule (the bad-input and module-check suites, Mimir's renders).
  reference: {
    mutate: ['lib/mimir/reference/**/*.ts'],
    tests: [
      'test/mimir-reference.test.ts',
      'test/mimir-reference-values.test.ts',
      'test/mimir-reference-edges.test.ts',
      'test/mimir.test.ts',
      'test/module-rules-failing.test.ts',
      'test/bad-input/rules.test.ts',
    ],
  },
};

const name = process.env.MUTATION_PART;
if (name !== undefined && !(name in parts))
  throw new Error(`MUTATION_PART must be one of ${Object.keys(parts).join(', ')}`);
const selected = name ? [parts[name]] : Object.values(parts);
const part = name ?? 'all';
// Read by vitest.stryker.config.ts (Stryker passes the environment to its test runner processes).
process.env.MUTATION_TESTS = JSON.stringify([...new Set(selected.flatMap((p) => p.tests))]);

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  packageManager: 'npm',
  testRunner: 'vitest',
  vitest: { configFile: 'vitest.stryker.config.ts', related: false },
  // The TypeScript checker drops mutants that do not compile before any test runs. It costs one of the
  // two workers and, on a loaded machine, more time than it saves: MUTATION_TYPECHECK=0 turns it off.
  checkers: process.env.MUTATION_TYPECHECK === '0' ? [] : ['typescript'],
  tsconfigFile: 'test/mutation/tsconfig.json',
  typescriptChecker: { prioritizePerformanceOverAccuracy: true },
  mutate: selected.flatMap((p) => p.mutate),
  coverageAnalysis: 'perTest',
  // Mutants of module-level code (constants, tables) would need every test to run for each of them;
  // they are reported as ignored, and REPORT.md says which tests pin those tables instead.
  ignoreStatic: true,
  // The machine is shared: two workers at most (the npm script also runs Stryker under `nice`).
  concurrency: 2,
  // Committed, so a run after a change only tests the mutants of changed code and changed tests.
  incremental: true,
  incrementalFile: `test/mutation/incremental/${part}.json`,
  timeoutMS: 20000,
  // The first run of a part's suites (with coverage) took over Stryker's default 5 minutes on a loaded machine.
  dryRunTimeoutMinutes: 30,
  timeoutFactor: 2,
  reporters: ['progress-append-only', 'clear-text', 'json'],
  jsonReporter: { fileName: `reports/mutation/${part}.json` },
  clearTextReporter: { allowColor: false, logTests: false, reportScoreTable: true, reportMutants: true },
  thresholds: { high: 90, low: 80, break: null },
  tempDirName: '.stryker-tmp',
  cleanTempDir: 'always',
  ignorePatterns: [
    'out',
    'dist',
    'reports',
    'bench',
    '.cache',
    'test/e2e',
    'test/fixtures/external-package/node_modules',
  ],
};
