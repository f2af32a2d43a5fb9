import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expectedTargets } from './alloy.js';
import type { Stack } from './stack.js';

/**
 * The metric fact file's raw material: every metric name each running workload serves on the targets the
 * rendered Alloy configuration scrapes, keyed by the workload's component key (Mimir components by their
 * tree key, e.g. `queryFrontend`; the others by their app name, e.g. `minio`, `chunksCache`). Collected at
 * the end of a scenario, after it wrote, queried, evaluated rules and compacted, so the metrics that appear
 * only once a component has work are there too. `scripts/collect-metrics.ts` merges the scenarios' files.
 */

/** `query-frontend` → `queryFrontend`: the tree key of a component from its label value. */
export function componentKey(labels: Record<string, string>): string | undefined {
  const app = labels['app.kubernetes.io/name'];
  const value = app === 'mimir' ? labels['app.kubernetes.io/component'] : app;
  return value?.replace(/-([a-z0-9])/g, (_, ch: string) => ch.toUpperCase());
}

/** Names of the samples in a Prometheus text exposition (`_bucket`, `_sum`, `_count` as Mimir stores them). */
export function sampleNames(exposition: string): string[] {
  const names = new Set<string>();
  for (const line of exposition.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)[{\s]/.exec(line);
    if (m) names.add(m[1]);
  }
  return [...names].sort();
}

export async function collectMetricNames(stack: Stack): Promise<Record<string, string[]>> {
  const intent = stack.alloy;
  const plan = stack.plan;
  if (!intent || !plan) throw new Error('the stack is not up');
  const byKey = new Map<string, Set<string>>();
  for (const pod of plan.pods) {
    const key = componentKey(pod.labels);
    if (!key) continue;
    for (const t of expectedTargets(intent, pod, plan.namespace)) {
      const path = intent.scrapes.find((s) => s.name === t.scrape)?.metricsPath ?? '/metrics';
      const r = await fetch(`http://${t.address}${path}`, { signal: AbortSignal.timeout(10_000) });
      if (!r.ok) throw new Error(`GET http://${t.address}${path} (${pod.name}) → ${r.status}`);
      const set = byKey.get(key) ?? new Set<string>();
      for (const n of sampleNames(await r.text())) set.add(n);
      byKey.set(key, set);
    }
  }
  return Object.fromEntries([...byKey.keys()].sort().map((k) => [k, [...byKey.get(k)!].sort()]));
}

/** With `E2E_METRICS_DIR` set, writes the scenario's collection there as `<scenario>.json`. */
export async function writeMetricNamesIfAsked(stack: Stack, scenario: string, log: (l: string) => void): Promise<void> {
  const dir = process.env.E2E_METRICS_DIR;
  if (!dir) return;
  const names = await collectMetricNames(stack);
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${scenario}.json`);
  writeFileSync(file, `${JSON.stringify(names, null, 2)}\n`);
  log(`metric names of ${Object.keys(names).length} components written to ${file}`);
}
