/**
 * The memcached caches, seen from outside: memcached's own counters over its text protocol (`stats` on
 * the client port, what the exporter sidecar reads too), summed over the pods of one cache, and the
 * assertions a scenario makes with them. Reusable by any scenario whose environment has caches on.
 */
import { connect } from 'node:net';
import type { Plan, PodPlan } from './plan.js';
import { poll } from './http.js';

/** The counters the assertions read (memcached's `stats` names). */
export const counters = ['cmd_get', 'get_hits', 'get_misses', 'cmd_set', 'curr_items', 'total_connections'] as const;
export type Counter = (typeof counters)[number];
export type CacheStats = Record<Counter, number>;

/** `stats` of one memcached: every `STAT <name> <value>` line up to `END`, numeric values only. */
export function memcachedStats(host: string, port: number, timeoutMs = 3000): Promise<Record<string, number>> {
  return new Promise((resolve, reject) => {
    const s = connect({ host, port });
    let text = '';
    const timer = setTimeout(() => {
      s.destroy();
      reject(new Error(`memcached ${host}:${port}: no complete "stats" answer within ${timeoutMs} ms`));
    }, timeoutMs);
    s.setEncoding('utf8');
    s.once('connect', () => s.write('stats\r\n'));
    s.on('data', (d: string) => {
      text += d;
      if (!/\r\nEND\r\n$|^END\r\n$/.test(text)) return;
      clearTimeout(timer);
      s.end('quit\r\n');
      const out: Record<string, number> = {};
      for (const m of text.matchAll(/^STAT (\S+) (\S+)\r$/gm))
        if (/^-?\d+(\.\d+)?$/.test(m[2])) out[m[1]] = Number(m[2]);
      resolve(out);
    });
    s.once('error', (e) => {
      clearTimeout(timer);
      reject(new Error(`memcached ${host}:${port}: ${e.message}`));
    });
  });
}

/** The pods of a cache (its StatefulSet's, by the `app.kubernetes.io/name` label the library gives them). */
export function cachePods(plan: Plan, cache: string): PodPlan[] {
  return plan.pods.filter(
    (p) => p.labels['app.kubernetes.io/name'] === cache && p.containers.some((c) => c.peer === 'memcached'),
  );
}

/** A cache's counters, summed over its pods; a cache with no running pod is an error. */
export async function cacheStats(plan: Plan, cache: string): Promise<CacheStats> {
  const pods = cachePods(plan, cache);
  if (!pods.length) throw new Error(`no pod of ${cache} runs (is the cache enabled in the environment?)`);
  const sum = Object.fromEntries(counters.map((k) => [k, 0])) as CacheStats;
  for (const p of pods) {
    const port = p.ports.memcached;
    if (port === undefined) throw new Error(`pod ${p.name} has no container port named "memcached"`);
    const s = await memcachedStats(p.ip, port);
    for (const k of counters) sum[k] += s[k] ?? 0;
  }
  return sum;
}

export function delta(before: CacheStats, after: CacheStats): CacheStats {
  return Object.fromEntries(counters.map((k) => [k, after[k] - before[k]])) as CacheStats;
}

const show = (d: CacheStats): string =>
  `gets +${d.cmd_get} (hits +${d.get_hits}, misses +${d.get_misses}), sets +${d.cmd_set}`;

/**
 * Waits (up to `timeoutMs`) until `cache`'s counters, measured from `before`, satisfy `want`. Mimir writes to
 * its caches asynchronously, so a set may land after the answer that caused it. Fails saying what it saw.
 */
export async function expectCacheCounters(
  plan: Plan,
  cache: string,
  before: CacheStats,
  what: string,
  want: (d: CacheStats) => boolean,
  timeoutMs = 15_000,
): Promise<CacheStats> {
  let last: CacheStats | undefined;
  try {
    return await poll(`${cache}: ${what}`, timeoutMs, async () => {
      last = delta(before, await cacheStats(plan, cache));
      return want(last) ? last : undefined;
    });
  } catch (e) {
    throw new Error(`${(e as Error).message}; last seen on ${cache}: ${last ? show(last) : 'nothing'}`);
  }
}

/** What a scenario gives the assertions: the plan and a way to ask the query-frontend a range query. */
export interface CacheScenario {
  plan: Plan;
  /** A range query through the gateway (the query-frontend); returns the JSON body of a 200 answer. */
  queryRange: (promql: string, startS: number, endS: number, stepS: number) => Promise<string>;
}

/**
 * A repeated range query is answered from the results cache: the first one stores its extents (sets rise),
 * the same query again is a hit (hits rise) and returns the same answer. The range must end at least
 * `max_cache_freshness` (10m by default) in the past and be step-aligned, or Mimir does not cache it.
 */
export async function assertResultsCacheServesRepeat(
  s: CacheScenario,
  promql: string,
  startS: number,
  endS: number,
  stepS: number,
  cache = 'results-cache',
): Promise<string> {
  const before = await cacheStats(s.plan, cache);
  const first = await s.queryRange(promql, startS, endS, stepS);
  const stored = await expectCacheCounters(
    s.plan,
    cache,
    before,
    'the first range query stores its result',
    (d) => d.cmd_set > 0,
  );
  const middle = await cacheStats(s.plan, cache);
  const second = await s.queryRange(promql, startS, endS, stepS);
  const hit = await expectCacheCounters(
    s.plan,
    cache,
    middle,
    'the repeated range query is a hit',
    (d) => d.get_hits > 0,
  );
  if (second !== first) throw new Error(`the repeated range query answered differently:\n${first}\n${second}`);
  return `${cache}: first query ${show(stored)}; repeat ${show(hit)}, same answer`;
}

/**
 * A query the store-gateway serves from a shipped block goes through its chunks and index caches: around
 * `query` (which must make the store-gateway read the block, e.g. samples older than the ingesters keep),
 * both caches are asked (gets rise) and filled (sets rise); the same query again hits both.
 */
export async function assertStoreGatewayCaches(
  s: Pick<CacheScenario, 'plan'>,
  query: () => Promise<void>,
  caches: readonly string[] = ['chunks-cache', 'index-cache'],
): Promise<string> {
  const out: string[] = [];
  const before = await Promise.all(caches.map((c) => cacheStats(s.plan, c)));
  await query();
  for (const [i, c] of caches.entries()) {
    const d = await expectCacheCounters(
      s.plan,
      c,
      before[i],
      'the store-gateway asks it and fills it',
      (x) => x.cmd_get > 0 && x.cmd_set > 0,
    );
    out.push(`${c}: first query ${show(d)}`);
  }
  const middle = await Promise.all(caches.map((c) => cacheStats(s.plan, c)));
  await query();
  for (const [i, c] of caches.entries()) {
    const d = await expectCacheCounters(s.plan, c, middle[i], 'the same query again hits it', (x) => x.get_hits > 0);
    out.push(`${c}: repeat ${show(d)}`);
  }
  return out.join('; ');
}

/**
 * The memcached addresses a Mimir process's cache clients look up and how many servers each resolved, from
 * its `/metrics` (dskit's `…cache_dns_provider_results{addr="dnssrvnoa+…"}`).
 */
export function resolvedServers(metrics: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const m of metrics.matchAll(/^\w*cache_dns_provider_results\{([^}]*)\} (\S+)$/gm)) {
    const addr = /addr="([^"]*)"/.exec(m[1])?.[1] ?? '';
    out.set(addr, (out.get(addr) ?? 0) + Number(m[2]));
  }
  return out;
}

/**
 * Waits until every given Mimir pod has a memcached client and each of its clients has resolved at least
 * one server. A client resolves at start and then every 30 s, so a cache whose pods were not ready (not yet
 * in DNS) at that moment is used only from the next lookup on, in a cluster as here. Which cache a client
 * actually uses is for the counters to show.
 */
export async function waitForCacheClients(
  metricsOfPods: () => Promise<{ pod: string; metrics: string }[]>,
  timeoutMs = 45_000,
): Promise<string> {
  let last = '';
  try {
    return await poll("Mimir's memcached clients resolving their servers", timeoutMs, async () => {
      const seen: string[] = [];
      let ok = true;
      for (const { pod, metrics } of await metricsOfPods()) {
        const r = resolvedServers(metrics);
        if (!r.size) ok = false;
        seen.push(`${pod}: ${r.size ? [...r].map(([a, n]) => `${a} → ${n}`).join(', ') : 'no memcached client'}`);
        for (const n of r.values()) if (!n) ok = false;
      }
      last = seen.join('; ');
      return ok ? last : undefined;
    });
  } catch (e) {
    throw new Error(`${(e as Error).message}; last seen: ${last}`);
  }
}
