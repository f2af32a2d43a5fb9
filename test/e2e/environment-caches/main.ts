import { defineEnvironment } from '../../../lib/index.js';
import e2e from '../environment/main.js';

/** Each cache as small as memcached allows comfortably: the run holds a few blocks and a few results. */
const tiny = (memoryMiB: number) => ({ enabled: true, memoryMiB, cpu: '10m', connectionLimit: 1024 });

/**
 * The end-to-end environment (local plus the test's timing knobs) with the four memcached caches on,
 * for the caches scenario (`caches.test.ts`). Nothing else differs from test/e2e/environment.
 */
export default defineEnvironment({
  ...e2e,
  name: 'e2e-caches',
  config: {
    ...e2e.config,
    mimir: {
      ...e2e.config?.mimir,
      caches: { chunks: tiny(32), index: tiny(32), metadata: tiny(16), results: tiny(16) },
    },
  },
});
