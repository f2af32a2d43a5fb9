/**
 * Bad input for the memcached caches: every case is an environment a user could write, refused with the
 * source, the place, the expected value and a hint. Each one breaks a single thing of a stack whose
 * caches otherwise build (the last case).
 */
import { describe, expect, it } from 'vitest';
import { byName } from '../../lib/core/merge.js';
import { itemSizeBytes, memcachedOptions } from '../../lib/mimir/caches/rules.js';
import { env, expectBuilt, expectRefused, type BadCase } from '../support/bad-input.js';

/** Small caches, so the cases stay cheap and the numbers easy to follow. */
const small = { enabled: true, memoryMiB: 64, cpu: '50m' };
const allCaches = { chunks: small, index: small, metadata: small, results: small };
const withCaches = (caches: object, more: object = {}, overrides?: object) =>
  env({ mimir: { caches: { ...allCaches, ...caches }, ...more } }, overrides);
const memcachedOverride = (key: string, memcached: object) => ({
  mimir: { [key]: { statefulSet: { spec: { template: { spec: { containers: byName({ memcached }) } } } } } },
});
const CONFIG = 'mimir.config.configMap';

describe('caches: memcached against its container and against Mimir', () => {
  const cases: BadCase[] = [
    {
      name: 'memory limit below -m plus overhead',
      env: withCaches(
        {},
        {},
        memcachedOverride('chunksCache', { resources: { requests: { memory: '70Mi' }, limits: { memory: '70Mi' } } }),
      ),
      path: 'mimir.chunksCache.statefulSet',
      pointer: /containers\/0\/resources\/limits\/memory$/,
      message: /-m 64 MiB .* more than its memory limit/,
      expected: /at least 77Mi/,
      hint: /config\.mimir\.caches\.chunks\.memoryMiB/,
      count: 1,
    },
    {
      name: '-I more than half of -m',
      env: withCaches({ index: { ...small, maxItemSizeMiB: 40 } }),
      path: 'mimir.indexCache.statefulSet',
      pointer: /containers\/0\/args\/3$/,
      message: /more than half of -m \(64 MiB\)/,
      expected: /at most 32 MiB/,
      hint: /maxItemSizeMiB/,
      count: 1,
    },
    {
      name: '-I above memcached’s 1024m ceiling',
      env: withCaches({ chunks: { ...small, memoryMiB: 4096, maxItemSizeMiB: 1025 } }),
      path: 'mimir.chunksCache.statefulSet',
      message: /memcached refuses to start with this -I/,
      expected: /between 1k and 1024m/,
      count: 1,
    },
    {
      name: '-I that memcached cannot read, set by an override of the args',
      env: withCaches(
        {},
        {},
        memcachedOverride('metadataCache', { args: ['-m', '64', '-I', '2 MB', '-c', '16384', '-p', '11211'] }),
      ),
      path: 'mimir.metadataCache.statefulSet',
      message: /-I \(largest item\) is not a size memcached reads/,
      expected: /with k or m/,
      count: 1,
    },
    {
      name: "Mimir's max_item_size above memcached's -I",
      env: withCaches(
        {},
        { config: { blocks_storage: { bucket_store: { chunks_cache: { memcached: { max_item_size: 2097152 } } } } } },
      ),
      path: CONFIG,
      pointer: /chunks_cache\.memcached\.max_item_size$/,
      message: /items up to 2 MiB .* only up to 1 MiB/,
      expected: /at most 1048576/,
      hint: /maxItemSizeMiB/,
      count: 1,
    },
    {
      name: 'client connection pools above memcached’s -c',
      env: withCaches({ results: { ...small, connectionLimit: 200 } }, { queryFrontend: { replicas: 2 } }),
      path: 'mimir.resultsCache.statefulSet',
      message: /2 client pods \(queryFrontend 2\) keep up to 150 idle connections/,
      expected: /at least 300/,
      hint: /connectionLimit/,
      count: 1,
    },
    {
      name: 'an address naming a cache that is not rendered',
      env: withCaches(
        { index: { ...small, enabled: false } },
        {
          config: {
            blocks_storage: {
              bucket_store: {
                index_cache: {
                  backend: 'memcached',
                  memcached: { addresses: 'dnssrvnoa+_memcached._tcp.index-cache.mimir.svc.cluster.local' },
                },
              },
            },
          },
        },
      ),
      path: CONFIG,
      message: /names Service "index-cache" in namespace mimir, which is not rendered/,
      noExpected: true,
      count: 1,
    },
    {
      name: 'a cache configured in mimir.yaml while its component is off',
      env: withCaches(
        { metadata: { ...small, enabled: false } },
        { config: { blocks_storage: { bucket_store: { metadata_cache: { backend: 'memcached' } } } } },
      ),
      path: CONFIG,
      pointer: /metadata_cache\.memcached\.addresses$/,
      message: /metadata-cache is not rendered \(config\.mimir\.caches\.metadata\.enabled is false\)/,
      hint: /config\.mimir\.caches\.metadata\.enabled: true/,
      count: 1,
    },
    {
      name: 'results caching switched on without a results cache',
      env: withCaches({ results: { ...small, enabled: false } }, { config: { frontend: { cache_results: true } } }),
      path: CONFIG,
      message: /cache_results is true but frontend\.results_cache has no backend/,
      hint: /config\.mimir\.caches\.results\.enabled: true/,
      count: 1,
    },
    {
      name: 'a cache that runs while mimir.yaml no longer uses it',
      env: withCaches({}, { config: { frontend: { results_cache: null, cache_results: null } } }),
      path: CONFIG,
      message: /the results-cache runs, but mimir\.yaml does not use it/,
      hint: /config\.mimir\.caches\.results\.enabled: false/,
      noExpected: true,
      count: 1,
    },
  ];
  it.each(cases)('$name', async (c) => {
    await expectRefused(c);
  });

  it('all four caches, as configured, build; mimir.yaml names each one', async () => {
    const built = await expectBuilt(withCaches({}));
    const yaml = String(built.tree.mimir.config.configMap.data?.['mimir.yaml']);
    for (const name of ['chunks-cache', 'index-cache', 'metadata-cache', 'results-cache'])
      expect(yaml).toContain(`dnssrvnoa+_memcached._tcp.${name}.mimir.svc.cluster.local`);
    expect(yaml).toContain('cache_results: true');
  });

  it('an override that raises the memory with -m builds', async () => {
    await expectBuilt(
      withCaches(
        {},
        {},
        memcachedOverride('chunksCache', {
          args: ['-m', '128', '-I', '1m', '-c', '16384', '-p', '11211'],
          resources: { requests: { memory: '154Mi' }, limits: { memory: '154Mi' } },
        }),
      ),
    );
  });

  it('an added arg style (one string, as the chart writes them) is read the same', () => {
    expect(memcachedOptions(['-m 64', '-I 5m', '--conn-limit=10', '-p', '11211']).get('I')?.value).toBe('5m');
    expect(memcachedOptions(['--memory-limit', '64']).get('m')?.value).toBe('64');
    expect(memcachedOptions(['-c10']).get('c')?.value).toBe('10');
    expect(itemSizeBytes('5m')).toBe(5 * 1024 * 1024);
    expect(itemSizeBytes('2k')).toBe(2048);
    expect(itemSizeBytes('1048576')).toBe(1048576);
    expect(itemSizeBytes('2 MB')).toBeUndefined();
  });

  it('memory derived from -m: 1.2 ×, rounded up', async () => {
    const built = await expectBuilt(withCaches({ chunks: { ...small, memoryMiB: 100 } }));
    const memcached = built.tree.mimir.chunksCache?.statefulSet.spec?.template.spec?.containers[0];
    expect(memcached?.resources).toEqual({ requests: { cpu: '50m', memory: '120Mi' }, limits: { memory: '120Mi' } });
    expect(memcached?.args).toEqual(['-m', '100', '-I', '1m', '-c', '16384', '-p', '11211', '-v']);
  });
});
