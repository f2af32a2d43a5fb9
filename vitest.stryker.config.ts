import { defineConfig } from 'vitest/config';

/**
 * The suites Stryker runs against the mutants of one part: chosen per part in stryker.config.mjs
 * (`parts`), which hands them over in MUTATION_TESTS.
 */
const tests = JSON.parse(process.env.MUTATION_TESTS ?? '[]') as string[];
if (tests.length === 0)
  throw new Error('vitest.stryker.config.ts is for `npm run test:mutation`; MUTATION_TESTS is not set');

export default defineConfig({
  test: {
    include: tests,
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
