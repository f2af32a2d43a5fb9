import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { defaultConfig } from '../lib/build/config.js';
import { components } from '../lib/build/registry.js';
import { mimirYaml } from '../lib/mimir/index.js';
import { cacheSpecs } from '../lib/mimir/caches/index.js';
import { buildDir } from './support/environments.js';
import { withStack } from './support/stack.js';

describe('the memcached caches', () => {
  it('are off by default: no cache component, no cache block in mimir.yaml', () => {
    const c = defaultConfig();
    const [cfg, stack] = withStack(c);
    for (const s of cacheSpecs) expect(stack.has(s.key)).toBe(false);
    const y = JSON.stringify(mimirYaml(cfg, stack));
    expect(y).not.toMatch(/_cache|cache_results/);
  });

  it('are four registry components, one per spec, keyed as the tree and configured under config.mimir.caches', () => {
    const keys = components.filter((d) => d.config.startsWith('mimir.caches.')).map((d) => [d.key, d.config]);
    expect(keys).toEqual([
      ['chunksCache', 'mimir.caches.chunks'],
      ['indexCache', 'mimir.caches.index'],
      ['metadataCache', 'mimir.caches.metadata'],
      ['resultsCache', 'mimir.caches.results'],
    ]);
  });

  it('production runs all four: StatefulSet with the exporter sidecar, headless Service, budget, and their mimir.yaml blocks', async () => {
    const built = await buildDir('environments/production');
    const m = built.tree.mimir;
    const y = parse(String(m.config.configMap.data?.['mimir.yaml'])) as {
      blocks_storage: { bucket_store: Record<string, unknown> };
      frontend: Record<string, unknown>;
    };
    expect(y.frontend.cache_results).toBe(true);
    for (const [key, name, block] of [
      ['chunksCache', 'chunks-cache', y.blocks_storage.bucket_store.chunks_cache],
      ['indexCache', 'index-cache', y.blocks_storage.bucket_store.index_cache],
      ['metadataCache', 'metadata-cache', y.blocks_storage.bucket_store.metadata_cache],
      ['resultsCache', 'results-cache', y.frontend.results_cache],
    ] as const) {
      const parts = m[key];
      expect(parts, key).toBeDefined();
      const pod = parts!.statefulSet.spec!.template.spec!;
      expect(pod.containers.map((k) => [k.name, k.image])).toEqual([
        ['memcached', 'memcached:1.6.39-alpine'],
        ['exporter', 'prom/memcached-exporter:v0.15.3'],
      ]);
      expect(pod.containers[1].args).toEqual([
        '--memcached.address=localhost:11211',
        '--web.listen-address=0.0.0.0:9150',
      ]);
      expect(parts!.service.spec?.clusterIP).toBe('None');
      expect(parts!.service.spec?.ports?.map((p) => [p.name, p.port])).toEqual([
        ['memcached', 11211],
        ['http-metrics', 9150],
      ]);
      expect(parts!.pdb.spec?.maxUnavailable).toBe(1);
      expect(block).toMatchObject({
        backend: 'memcached',
        memcached: { addresses: `dnssrvnoa+_memcached._tcp.${name}.mimir.svc.cluster.local` },
      });
    }
    // The chunks cache as production sizes it: two pods, -m 4096, memory 1.2 × that.
    const chunks = m.chunksCache!.statefulSet;
    expect(chunks.spec?.replicas).toBe(2);
    expect(chunks.spec?.template.spec?.containers[0].args?.slice(0, 6)).toEqual([
      '-m',
      '4096',
      '-I',
      '1m',
      '-c',
      '16384',
    ]);
    expect(chunks.spec?.template.spec?.containers[0].resources?.limits).toEqual({ memory: '4916Mi' });
  });

  it('local runs none', async () => {
    const built = await buildDir('environments/local');
    for (const s of cacheSpecs) expect(built.tree.mimir[s.key as 'chunksCache']).toBeUndefined();
  });
});
