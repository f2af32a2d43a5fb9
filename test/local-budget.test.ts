import { describe, expect, it } from 'vitest';
import { totalRequests } from '../lib/build/summary.js';
import { buildDir } from './support/environments.js';

describe('environments/local (and ingest, on the same budget) fit a laptop cluster', () => {
  it.each(['environments/local', 'environments/ingest'])(
    '%s requests at most 2 CPU and 4 GiB in total, every component at one replica',
    async (dir) => {
      const { tree, config } = await buildDir(dir);
      const total = totalRequests(tree);
      expect(total.cpu).toBeGreaterThan(0);
      expect(total.cpu).toBeLessThanOrEqual(2);
      expect(total.memoryBytes).toBeLessThanOrEqual(4 * 2 ** 30);
      for (const [name, component] of Object.entries(config.mimir)) {
        if (component && typeof component === 'object' && 'replicas' in component)
          expect(component.replicas, name).toBe(1);
      }
    },
  );
});
