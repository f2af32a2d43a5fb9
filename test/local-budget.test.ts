import { describe, expect, it } from 'vitest';
import { totalRequests } from '../lib/build/summary.js';
import { buildDir } from './support/environments.js';

describe('environments/local fits a laptop cluster', () => {
  it('runs self-monitoring within that budget, as production does', async () => {
    for (const dir of ['environments/local', 'environments/production']) {
      const { config } = await buildDir(dir);
      expect(config.selfMonitoring, dir).toEqual({ enabled: true, tenant: 'meta' });
      expect(config.observability.alloy.enabled, dir).toBe(true);
      expect(config.observability.grafana.enabled, dir).toBe(true);
    }
  });

  it('requests at most 2 CPU and 4 GiB in total, every component at one replica', async () => {
    const { tree, config } = await buildDir('environments/local');
    const total = totalRequests(tree);
    expect(total.cpu).toBeGreaterThan(0);
    expect(total.cpu).toBeLessThanOrEqual(2);
    expect(total.memoryBytes).toBeLessThanOrEqual(4 * 2 ** 30);
    for (const [name, component] of Object.entries(config.mimir)) {
      if (component && typeof component === 'object' && 'replicas' in component)
        expect(component.replicas, name).toBe(1);
    }
  });
});
