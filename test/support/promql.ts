import { readFileSync } from 'node:fs';
import { selectedMetrics } from '../../lib/mimir/autoscaling/promql.js';
/**
 * PromQL as Prometheus' own Lezer grammar (the one Grafana's and Prometheus' editors use) reads it: parse
 * errors, and the metrics each selector names with its `job` matcher, for the checks of dashboards and
 * rules against the metric fact file.
 */

/** The metric fact file: metric names each workload exports, by component key (scripts/collect-metrics.ts). */
export type MetricFacts = Record<string, string[]>;

export function readMetricFacts(version = '3.0.2'): MetricFacts {
  return JSON.parse(
    readFileSync(new URL(`../../lib/mimir/reference/metrics-${version}.json`, import.meta.url), 'utf8'),
  ) as MetricFacts;
}

/** Series Alloy itself adds for every target it scrapes (Prometheus' scrape series), not in any /metrics. */
export const scrapeSeries = [
  'up',
  'scrape_duration_seconds',
  'scrape_samples_scraped',
  'scrape_samples_post_metric_relabeling',
  'scrape_series_added',
];

/** Grafana's built-in variables, replaced by a value of their type before parsing. */
const grafanaBuiltins: Record<string, string> = {
  __rate_interval: '1m',
  __interval: '1m',
  __range: '1h',
  __interval_ms: '60000',
  __range_s: '3600',
  __range_ms: '3600000',
};

/**
 * A panel query as Grafana sends it: its built-in variables and the dashboard's template variables
 * (`$name`, `${name}`, `[[name]]`) replaced by a value. A `$` left over is an unknown variable: an error.
 */
export function expandVariables(expr: string, variables: Record<string, string> = {}): string {
  const values: Record<string, string> = { ...grafanaBuiltins, ...variables };
  return expr.replace(/\$\{(\w+)(?::\w+)?\}|\$(\w+)|\[\[(\w+)\]\]/g, (all, a?: string, b?: string, c?: string) => {
    const name = a ?? b ?? c ?? '';
    if (!(name in values)) throw new Error(`unknown variable ${all} in ${expr}`);
    return values[name];
  });
}

export interface Selector {
  /** Metric name (from the selector's name or its `__name__="…"` matcher); undefined when it has none. */
  metric?: string;
  /** `job` matcher, when the selector has one. */
  job?: { op: string; value: string };
  text: string;
}

export interface ParsedQuery {
  errors: string[];
  selectors: Selector[];
}

/** The library's own reading of PromQL (the build checks autoscaling queries with it), as the fact checks use it. */
export function parsePromql(expr: string): ParsedQuery {
  const parsed = selectedMetrics(expr);
  const errors: string[] = [];
  if (parsed.errorAt !== undefined)
    errors.push(
      `syntax error at ${parsed.errorAt}: …${expr.slice(Math.max(0, parsed.errorAt - 20), parsed.errorAt + 20)}…`,
    );
  const selectors = parsed.selectors.map((p) => {
    const sel: Selector = { text: p.text, ...(p.name ? { metric: p.name } : {}) };
    for (const m of p.matchers) {
      if (m.label === '__name__' && m.op !== '=')
        errors.push(`${sel.text}: names its metric by ${m.op}, which the fact check cannot follow`);
      if (m.label === 'job') sel.job = { op: m.op, value: m.value };
    }
    return sel;
  });
  return { errors, selectors };
}

/** `queryFrontend` → `query-frontend`: the component part of `job` for a fact file key. */
export function jobComponent(key: string): string {
  return key.replace(/[A-Z]/g, (ch) => `-${ch.toLowerCase()}`);
}

/**
 * Problems of one query against the fact file: syntax errors, selectors without a metric name, and
 * metrics that no workload its `job` matcher selects exports (any workload when it has none).
 */
export function factProblems(expr: string, facts: MetricFacts, namespace: string): string[] {
  const { errors, selectors } = parsePromql(expr);
  const out = [...errors];
  for (const s of selectors) {
    if (!s.metric) {
      out.push(`${s.text}: names no metric`);
      continue;
    }
    if (scrapeSeries.includes(s.metric)) continue;
    let keys = Object.keys(facts);
    if (s.job) {
      const job = s.job;
      const re = job.op === '=~' || job.op === '!~' ? new RegExp(`^(?:${job.value})$`) : undefined;
      keys = keys.filter((k) => {
        const value = `${namespace}/${jobComponent(k)}`;
        const hit = re ? re.test(value) : value === job.value;
        return job.op.startsWith('!') ? !hit : hit;
      });
      if (keys.length === 0) {
        out.push(`${s.text}: job${job.op}"${job.value}" selects no workload of the fact file`);
        continue;
      }
    }
    if (!keys.some((k) => facts[k].includes(s.metric!)))
      out.push(`${s.text}: ${s.metric} is not exported by ${s.job ? keys.join(', ') : 'any workload'}`);
  }
  return out;
}
