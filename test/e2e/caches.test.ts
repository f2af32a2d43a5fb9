/**
 * The memcached caches, end to end: the HA environment (`environment-ha/`: environments/local-ha, whose
 * four caches are on, with the e2e timing knobs) on three zones, run like `stack.test.ts` runs its environment — Mimir, MinIO and nginx as
 * their peers, each cache's memcached as Debian's `memcached` with the container's rendered args (the
 * exporter sidecar has no peer and is not run). Mimir finds the caches by the address the library writes,
 * a DNS SRV lookup of the headless Service's `memcached` port, answered by the harness's cluster DNS.
 * The assertions (`harness/caches.ts`) read memcached's own counters over its client port.
 */
import { performance } from 'node:perf_hooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import {
  assertResultsCacheServesRepeat,
  assertStoreGatewayCaches,
  cachePods,
  cacheStats,
  waitForCacheClients,
  type CacheScenario,
} from './harness/caches.js';
import { http, metricSum, poll, rawHttp } from './harness/http.js';
import { remoteWriteBody, remoteWriteHeaders } from './harness/push.js';
import { skipReason, scenarioStack } from './harness/stack.js';
import { failWhenRequired } from './harness/required.js';
import { expectScrapedInFacts } from './harness/metrics.js';

const skip = skipReason();
const log = (line: string): void => console.log(`[e2e caches +${(performance.now() / 1000).toFixed(1)}s] ${line}`);
const caches = ['chunks-cache', 'index-cache', 'metadata-cache', 'results-cache'] as const;
const budget = { up: 300_000, wave: 90_000, visible: 30_000, flush: 60_000, loaded: 120_000, query: 120_000 } as const;
const margin = 20_000;

failWhenRequired('the caches scenario', skip);

describe.skipIf(Boolean(skip))(`the memcached caches, run on this machine${skip ? ` (skipped: ${skip})` : ''}`, () => {
  const stack = scenarioStack({ environment: 'test/e2e/environment-ha', budget, log });
  let upError: Error | undefined;
  let gateway = '';
  const tenant = `e2e-caches-${stack.runId}`;
  // Samples only a shipped block holds (older than query_ingesters_within), so the store-gateway serves them.
  const oldAt = Math.floor((Date.now() - 14 * 3600_000) / 60_000) * 60_000;
  const failed: string[] = [];

  const headers = { 'X-Scope-OrgID': tenant };
  const get = async (path: string): Promise<string> => {
    const r = await http(`${gateway}${path}`, { headers, timeoutMs: 30_000 });
    if (r.status !== 200) throw new Error(`GET ${path} → ${r.status}: ${r.body.slice(0, 300)}`);
    return r.body;
  };
  const instant = async (promql: string, atMs: number): Promise<{ value: [number, string] }[]> =>
    (
      JSON.parse(await get(`/prometheus/api/v1/query?query=${encodeURIComponent(promql)}&time=${atMs / 1000}`)) as {
        data: { result: { value: [number, string] }[] };
      }
    ).data.result;
  const scenario = (): CacheScenario => ({
    plan: stack.plan!,
    queryRange: (promql, start, end, step) =>
      get(`/prometheus/api/v1/query_range?query=${encodeURIComponent(promql)}&start=${start}&end=${end}&step=${step}`),
  });
  const mimirPods = (target: string) =>
    stack.plan!.pods.filter((p) => p.containers.some((c) => c.argv.includes(`-target=${target}`)));
  const sumOf = async (target: string, name: string): Promise<number> => {
    let n = 0;
    for (const p of mimirPods(target))
      n += metricSum((await http(`http://${p.ip}:${p.ports['http-metrics']}/metrics`)).body, name) ?? 0;
    return n;
  };
  const podMetrics = (target: string) => async () =>
    Promise.all(
      mimirPods(target).map(async (p) => ({
        pod: p.name,
        metrics: (await http(`http://${p.ip}:${p.ports['http-metrics']}/metrics`)).body,
      })),
    );
  const patience = (ms: number): number => (stack.timings.allReadyAt === undefined ? Math.min(ms, 10_000) : ms);
  const guard = (name: string) => {
    if (upError) throw new Error(`the stack did not come up: ${upError.message}`);
    return (e: unknown) => {
      failed.push(name);
      throw e;
    };
  };

  beforeAll(async () => {
    try {
      await stack.up();
      gateway = await stack.gatewayUrl();
    } catch (e) {
      upError = e as Error;
      log(`stack did not come up: ${upError.stack ?? upError.message}`);
    }
  }, budget.up + margin);

  afterAll(async () => {
    if (stack.plan && (upError || failed.length)) {
      const memcached = new Set(caches.flatMap((cache) => cachePods(stack.plan!, cache).map((p) => p.name)));
      for (const p of await stack.status())
        for (const c of p.containers) {
          const proc = stack.procs.find((x) => x.spec.id === `${p.pod}/${c.name}`);
          if (!p.ready || c.restarts > 0 || memcached.has(p.pod))
            log(
              `${p.pod}/${c.name}: ${p.ready ? 'ready' : 'NOT ready'}, ${c.restarts} exit(s); log ${c.log}\n${proc?.tail(20) ?? ''}`,
            );
        }
    }
    const keep = Boolean(upError) || failed.length > 0 || process.env.E2E_KEEP === '1';
    await stack.down();
    if (!keep) stack.removeRunFolder();
    else log(`run folder kept: ${stack.root}`);
  }, 120_000);

  it('runs each cache as memcached with its rendered args; Mimir is pointed at each by DNS SRV', async () => {
    const onError = guard('srv');
    try {
      let cfgText = '';
      for (const data of stack.plan!.sources.configMaps.values()) if (data['mimir.yaml']) cfgText = data['mimir.yaml'];
      const cfg = parseYaml(cfgText) as {
        blocks_storage: { bucket_store: Record<string, { memcached: { addresses: string } }> };
        frontend: { results_cache: { memcached: { addresses: string } }; cache_results: boolean };
      };
      const addresses: Record<string, string> = {
        'chunks-cache': cfg.blocks_storage.bucket_store.chunks_cache.memcached.addresses,
        'index-cache': cfg.blocks_storage.bucket_store.index_cache.memcached.addresses,
        'metadata-cache': cfg.blocks_storage.bucket_store.metadata_cache.memcached.addresses,
        'results-cache': cfg.frontend.results_cache.memcached.addresses,
      };
      expect(cfg.frontend.cache_results).toBe(true);
      const r = stack.resolver();
      const lines: string[] = [];
      for (const cache of caches) {
        const pods = cachePods(stack.plan!, cache);
        expect(pods.length, `pods of ${cache}`).toBeGreaterThan(0);
        const argv = pods[0].containers.find((c) => c.peer === 'memcached')!.argv;
        expect(argv.slice(1)).toContain('-m');
        expect(argv.slice(1)).toContain('-I');
        const srvName = /^dnssrvnoa\+(.+)$/.exec(addresses[cache])?.[1];
        expect(srvName, `${cache}'s address in mimir.yaml: ${addresses[cache]}`).toBeDefined();
        const srv = await r.resolveSrv(srvName!);
        expect(srv.map((s) => `${s.name}:${s.port}`).sort()).toEqual(
          pods.map((p) => `${p.name}.${cache}.${stack.plan!.namespace}.svc.cluster.local:${p.ports.memcached}`).sort(),
        );
        const stats = await cacheStats(stack.plan!, cache);
        lines.push(
          `${cache}: ${argv.join(' ')}; SRV ${srvName} → ${srv.map((s) => `${s.name}:${s.port}`).join(', ')}; items ${stats.curr_items}`,
        );
      }
      log(lines.join('\n'));
    } catch (e) {
      onError(e);
    }
  });

  it(
    "a query over a shipped block goes through the store-gateway's chunks and index caches",
    async () => {
      const onError = guard('store-gateway');
      try {
        const push = async (series: { name: string; samples: { value: number; timestampMs: number }[] }) => {
          const w = await rawHttp(`${gateway}/api/v1/push`, {
            method: 'POST',
            headers: { ...remoteWriteHeaders, ...headers },
            body: remoteWriteBody([{ labels: { __name__: series.name, run: stack.runId }, samples: series.samples }]),
          });
          expect(w.status, `push ${series.name}: ${w.body}`).toBe(200);
        };
        // The old samples first: a fresh tenant's head accepts them only before it holds newer ones.
        await push({
          name: 'e2e_cache_probe',
          samples: Array.from({ length: 121 }, (_, i) => ({ value: 7, timestampMs: oldAt - (120 - i) * 15_000 })),
        });
        await push({ name: 'e2e_cache_recent', samples: [{ value: 1, timestampMs: Date.now() }] });
        await poll('the recent sample', patience(budget.visible), async () =>
          (await instant(`e2e_cache_recent{run="${stack.runId}"}`, Date.now())).length ? true : undefined,
        );
        for (const p of mimirPods('ingester')) {
          const r = await http(`http://${p.ip}:${p.ports['http-metrics']}/ingester/flush?wait=true`, {
            method: 'POST',
            timeoutMs: budget.flush,
          });
          expect([200, 204], r.body).toContain(r.status);
        }
        await poll('the store-gateway loading the block', patience(budget.loaded), async () =>
          (await sumOf('store-gateway', 'cortex_bucket_store_blocks_loaded')) > 0 ? true : undefined,
        );
        const clients = await waitForCacheClients(podMetrics('store-gateway'));
        const detail = await assertStoreGatewayCaches(scenario(), async () => {
          const r = await poll(
            `e2e_cache_probe at ${new Date(oldAt).toISOString()}`,
            patience(budget.query),
            async () => {
              const v = await instant(`e2e_cache_probe{run="${stack.runId}"}`, oldAt);
              return v.length ? v : undefined;
            },
            2000,
          );
          expect(r[0].value[1]).toBe('7');
        });
        const metadata = await cacheStats(stack.plan!, 'metadata-cache');
        log(`${clients}; ${detail}; metadata-cache so far: gets ${metadata.cmd_get}, sets ${metadata.cmd_set}`);
      } catch (e) {
        onError(e);
      }
    },
    budget.visible + budget.flush + budget.loaded + 45_000 + 2 * budget.query + margin,
  );

  it(
    'a repeated range query is answered from the results cache',
    async () => {
      const onError = guard('results');
      try {
        // Step-aligned, and ending long before max_cache_freshness (10m): Mimir caches only such results.
        const step = 60;
        const start = oldAt / 1000 - 3600;
        const end = oldAt / 1000 + 600;
        const clients = await waitForCacheClients(podMetrics('query-frontend'));
        log(clients);
        const detail = await assertResultsCacheServesRepeat(
          scenario(),
          `sum(e2e_cache_probe{run="${stack.runId}"})`,
          start,
          end,
          step,
        );
        log(detail);
      } catch (e) {
        onError(e);
      }
    },
    45_000 + budget.query + margin,
  );

  // After the cache assertions: the caches' clients (store-gateway, querier, query-frontend) have used them.
  it('every scraped workload serves metrics the fact file knows (written out with E2E_METRICS_DIR)', async () => {
    if (upError) throw new Error(`the stack did not come up: ${upError.message}`);
    const components = await expectScrapedInFacts(stack, 'caches', log);
    log(`${components.length} components, each in the fact file`);
  }, 60_000);
});
