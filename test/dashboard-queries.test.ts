import { describe, expect, it } from 'vitest';
import { defaultConfig } from '../lib/build/config.js';
import { dashboardFiles } from '../lib/observability/grafana/dashboard-files.js';
import { expandVariables, factProblems, parsePromql, readMetricFacts } from './support/promql.js';

interface PanelLike {
  title?: string;
  targets?: { expr?: string }[];
  panels?: PanelLike[];
}

/** Every query of every provisioned dashboard, with the dashboard and panel it belongs to. */
function queries(namespace: string): { where: string; expr: string; variables: Record<string, string> }[] {
  const out: { where: string; expr: string; variables: Record<string, string> }[] = [];
  for (const f of dashboardFiles({ ...defaultConfig(), namespace }, { kafka: true })) {
    const d = f.dashboard as unknown as {
      panels?: PanelLike[];
      templating?: { list?: { name: string; current?: { value?: string | string[] } }[] };
    };
    // A template variable's current value stands for it (a multi-value one as its regex alternation).
    const variables = Object.fromEntries(
      (d.templating?.list ?? []).map((v) => {
        const value = v.current?.value ?? '';
        return [v.name, Array.isArray(value) ? value.join('|') : value];
      }),
    );
    const walk = (panels: PanelLike[]) => {
      for (const p of panels) {
        for (const t of p.targets ?? [])
          if (t.expr) out.push({ where: `${f.name} › ${p.title ?? ''}`, expr: t.expr, variables });
        walk(p.panels ?? []);
      }
    };
    walk(d.panels ?? []);
  }
  return out;
}

describe('dashboard queries', () => {
  const facts = readMetricFacts();
  const all = queries('mimir');

  it('the dashboards hold the self-monitoring set, each with queries', () => {
    const names = dashboardFiles(defaultConfig(), { kafka: true }).map((f) => f.name);
    for (const n of ['overview', 'writes', 'reads', 'object-storage', 'compactor', 'ruler', 'alertmanager', 'kafka'])
      expect(names).toContain(`mimir-${n}`);
    for (const n of names)
      expect(
        all.some((q) => q.where.startsWith(`${n} ›`)),
        n,
      ).toBe(true);
  });

  it('every query parses as PromQL (no error node in the parse tree)', () => {
    const bad = all
      .map((q) => ({ ...q, errors: parsePromql(expandVariables(q.expr, q.variables)).errors }))
      .filter((q) => q.errors.length > 0)
      .map((q) => `${q.where}: ${q.expr}\n  ${q.errors.join('\n  ')}`);
    expect(bad, bad.join('\n')).toEqual([]);
  });

  it.each(['mimir', 'observability-prod-1'])(
    'every query names only metrics the selected workloads export (fact file), namespace %s',
    (namespace) => {
      const bad = queries(namespace)
        .map((q) => ({ ...q, problems: factProblems(expandVariables(q.expr, q.variables), facts, namespace) }))
        .filter((q) => q.problems.length > 0)
        .map((q) => `${q.where}: ${q.expr}\n  ${q.problems.join('\n  ')}`);
      expect(bad, bad.join('\n')).toEqual([]);
    },
  );

  it('catches what it is for: a syntax error, an unknown metric, a metric of another component, a name by regex', () => {
    expect(
      parsePromql('sum(rate(cortex_request_duration_seconds_count{job="mimir/distributor"[1m]))').errors,
    ).not.toEqual([]);
    expect(factProblems('rate(cortex_no_such_metric_total[1m])', facts, 'mimir')).toEqual([
      'cortex_no_such_metric_total: cortex_no_such_metric_total is not exported by any workload',
    ]);
    expect(factProblems('cortex_ingester_memory_series{job="mimir/distributor"}', facts, 'mimir')[0]).toMatch(
      /is not exported by distributor$/,
    );
    expect(factProblems('cortex_ingester_memory_series{job="mimir/ingester"}', facts, 'mimir')).toEqual([]);
    expect(factProblems('up{job=~"mimir/(ingester|nothing)"}', facts, 'mimir')).toEqual([]);
    expect(factProblems('{__name__=~"cortex_.+"}', facts, 'mimir')[0]).toMatch(/cannot follow/);
    expect(() => expandVariables('rate(x[$unknown])')).toThrow(/unknown variable/);
  });
});
