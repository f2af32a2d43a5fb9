import { defineConfig } from 'vitest/config';

/**
 * The suites Stryker runs against each mutant: those that exercise the mutated files (see
 * `promiseHoldingCode` in stryker.config.mjs) in this process. Left out: suites that call real tools per test (kubectl in the
 * round trip and the README claims; the writer's own unit tests cover the same code without it), suites that run the build
 * in a child process (build-cli, bad-input, external-package — a mutant is only active in Stryker's
 * own process, so they could never kill one), and slow suites about other files (real nginx, Alloy's
 * Go parser, Grafana, MinIO, the environment schema generator, e2e).
 */
export default defineConfig({
  test: {
    include: [
      'test/validate-failing.test.ts',
      'test/validate-rules.test.ts',
      'test/service-addresses.test.ts',
      'test/merge.test.ts',
      'test/pipeline.test.ts',
      'test/mimir-reference.test.ts',
      'test/mimir.test.ts',
      'test/kustomize-writer.test.ts',
      'test/output.test.ts',
    ],
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
