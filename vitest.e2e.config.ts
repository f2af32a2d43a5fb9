import { defineConfig } from 'vitest/config';

/**
 * The end-to-end suite (`npm run test:e2e`): runs the rendered stack's programs on this machine
 * (test/e2e/README.md). Separate from the unit suite, which excludes test/e2e.
 */
export default defineConfig({
  test: {
    include: ['test/e2e/**/*.test.ts'],
    // One stack at a time: the suite owns a bridge, network namespaces and port 53 on the bridge.
    fileParallelism: false,
    pool: 'forks',
    testTimeout: 180_000,
    hookTimeout: 600_000,
    reporters: ['verbose'],
  },
});
