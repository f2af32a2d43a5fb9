import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { expect } from 'vitest';
import { join } from 'node:path';
import { expectedTargets, type AlloyExporterScrape } from './alloy.js';
import type { PodPlan } from './plan.js';
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

/**
 * Where Alloy serves one of its exporters' metrics: its HTTP server (the Alloy pod's `http-metrics` port),
 * `/api/v0/component/<id>/metrics` — what its own scrape reads through its in-memory listener.
 */
export function exporterMetricsUrl(pods: readonly PodPlan[], scrape: AlloyExporterScrape): string {
  const alloy = pods.find((p) => componentKey(p.labels) === 'alloy');
  const port = alloy?.ports['http-metrics'];
  if (!alloy || port === undefined) throw new Error(`no Alloy pod with an http-metrics port serves ${scrape.exporter}`);
  return `http://${alloy.ip}:${port}/api/v0/component/${scrape.exporter}/metrics`;
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
  // Systems without metrics of their own (Kafka), keyed by their scrape job's name as `job` carries it.
  for (const scrape of intent.exporterScrapes) {
    const url = exporterMetricsUrl(plan.pods, scrape);
    const r = await fetch(url, { signal: AbortSignal.timeout(20_000) });
    if (!r.ok) throw new Error(`GET ${url} → ${r.status}`);
    const set = byKey.get(scrape.name) ?? new Set<string>();
    for (const n of sampleNames(await r.text())) set.add(n);
    byKey.set(scrape.name, set);
  }
  return Object.fromEntries([...byKey.keys()].sort().map((k) => [k, [...byKey.get(k)!].sort()]));
}

/**
 * Collects the scenario's metric names; with `E2E_METRICS_DIR` set, writes them there as `<scenario>.json`.
 * Returns the scraped components the committed fact file has no entry for: a new workload whose metrics the
 * dashboards, rules and autoscaling checks cannot know until the file is collected again.
 */
export async function checkMetricNames(
  stack: Stack,
  scenario: string,
  log: (l: string) => void,
): Promise<{ components: string[]; missingFromFacts: string[] }> {
  const names = await collectMetricNames(stack);
  const facts = JSON.parse(
    readFileSync(new URL('../../../lib/mimir/reference/metrics-3.0.2.json', import.meta.url), 'utf8'),
  ) as Record<string, string[]>;
  const dir = process.env.E2E_METRICS_DIR;
  if (dir) {
    mkdirSync(dir, { recursive: true });
    const file = join(dir, `${scenario}.json`);
    writeFileSync(file, `${JSON.stringify(names, null, 2)}\n`);
    log(`metric names of ${Object.keys(names).length} components written to ${file}`);
  }
  const components = Object.keys(names);
  return { components, missingFromFacts: components.filter((k) => !facts[k]?.length) };
}

/**
 * Every scenario's last-but-one assertion: each workload it scrapes has an entry in the fact file, so a
 * dashboard, rule or autoscaling query can be checked against what that workload really exports.
 * Returns the components scraped.
 */
export async function expectScrapedInFacts(
  stack: Stack,
  scenario: string,
  log: (l: string) => void,
): Promise<string[]> {
  const { components, missingFromFacts } = await checkMetricNames(stack, scenario, log);
  expect(
    missingFromFacts,
    'scraped components without an entry in lib/mimir/reference/metrics-3.0.2.json (npm run metrics:collect)',
  ).toEqual([]);
  return components;
}
