import { defineConfig } from 'vitest/config';

/**
 * The cluster suite (`npm run test:cluster`): the rendered output on a real control plane built by
 * test/peers/kube/build.sh. Separate from the unit suite, which excludes test/cluster.
 */
export default defineConfig({
  test: {
    include: ['test/cluster/**/*.test.ts'],
    // One control plane at a time: two shared cores.
    fileParallelism: false,
    pool: 'forks',
    testTimeout: 600_000,
    hookTimeout: 600_000,
    reporters: ['verbose'],
  },
});
