/**
 * What the build refuses about autoscaling. Before rendering, from the config: bounds that cannot hold,
 * replicas set for a component an autoscaler owns, signals the engine or the component cannot offer.
 * After the overrides, on the tree: a Deployment that sets `spec.replicas` under an autoscaler, an
 * autoscaler whose target or metrics source is not rendered, a query that does not parse or names a
 * metric its component does not export, and a disruption budget that blocks every eviction at the
 * autoscaler's minimum.
 */
import type { MimirStackConfig } from '../config.js';
import type { Deployment, PodDisruptionBudget } from '../../core/k8s/types.js';
import type { Problem } from '../../core/problems.js';
import type { TreeEntry } from '../../core/tree.js';
import { problemAt, type Rule, type ValidationContext } from '../../core/checks/context.js';
import { serviceReferenceProblem } from '../../core/checks/service-urls.js';
import { tenantIdForm, tenantIdProblem } from '../../core/tenant-id.js';
import { autoscaledComponents, type AutoscaledComponent } from './config.js';
import { metricsTenant, settingsPath } from './index.js';
import { selectedMetrics } from './promql.js';

/** Metric names by component tree key, as the running stack exports them. */
export type MetricFacts = Readonly<Record<string, readonly string[]>>;

/** Series the scraper writes itself for every target, whatever the target exports. */
const scrapeSeries = new Set(['up', 'scrape_duration_seconds', 'scrape_samples_scraped', 'scrape_series_added']);

/** Signals that only KEDA's Prometheus trigger can read. */
const prometheusOnly = new Set(['inflightQueries']);
/** Components fed by a query-scheduler, whose queue is a signal of their load. */
const schedulerFed = new Set<AutoscaledComponent>(['querier', 'rulerQuerier']);

function rendered(c: MimirStackConfig, key: AutoscaledComponent): boolean {
  const r = c.mimir.ruler;
  if (key === 'ruler') return r.enabled;
  if (key === 'rulerQuerier' || key === 'rulerQueryFrontend')
    return r.enabled && r.mode === 'remote' && r.dedicatedReadPath;
  return true;
}

function at(value: unknown, path: string): unknown {
  let v = value;
  for (const k of path.split('.')) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string, unknown>)[k];
  }
  return v;
}

/**
 * Autoscaling config that cannot work, found before anything renders. `raw` is the environment's own
 * config (before the defaults): a replica count the environment sets for an autoscaled component is
 * refused, while the library's default count is simply not rendered.
 */
export function autoscalingProblems(c: MimirStackConfig, source: string, raw?: unknown): Problem[] {
  const out: Problem[] = [];
  const a = c.mimir.autoscaling;
  const tenant = metricsTenant(c);
  const tenantProblem = tenantIdProblem(tenant);
  const anyOn = autoscaledComponents.some((k) => a[k].enabled);
  if (anyOn && a.engine === 'keda' && tenantProblem)
    out.push({
      source,
      path: 'config.mimir.autoscaling.metricsTenant',
      message: `metrics tenant ${JSON.stringify(tenant)} ${tenantProblem}`,
      expected: tenantIdForm,
      found: JSON.stringify(tenant),
      hint: 'the tenant the stack monitors itself into, e.g. "meta"',
    });
  for (const key of autoscaledComponents) {
    const s = a[key];
    if (!s.enabled) continue;
    const path = `config.mimir.autoscaling.${key}`;
    if (!rendered(c, key)) {
      out.push({
        source,
        path: `${path}.enabled`,
        message: `autoscaling is on for ${key}, which this environment does not render`,
        expected:
          key === 'ruler'
            ? 'config.mimir.ruler.enabled: true'
            : "config.mimir.ruler: { enabled: true, mode: 'remote', dedicatedReadPath: true }",
        found: 'true',
        hint: `turn the component on, or set ${path}.enabled: false`,
      });
      continue;
    }
    if (s.minReplicas > s.maxReplicas)
      out.push({
        source,
        path: `${path}.minReplicas`,
        message: `minReplicas ${s.minReplicas} is above maxReplicas ${s.maxReplicas}; the autoscaler cannot satisfy both`,
        expected: `at most maxReplicas (${s.maxReplicas})`,
        found: String(s.minReplicas),
        hint: `lower ${path}.minReplicas or raise ${path}.maxReplicas`,
      });
    const replicasPath = `${settingsPath[key]}.replicas`;
    if (at(raw, replicasPath) !== undefined)
      out.push({
        source,
        path: `config.${replicasPath}`,
        message: `${key} is autoscaled, and its Deployment carries no replica count: the autoscaler owns it`,
        expected: `no replicas; the bounds in ${path}.minReplicas and .maxReplicas`,
        found: JSON.stringify(at(raw, replicasPath)),
        hint: `remove config.${replicasPath}, or set ${path}.enabled: false to keep a fixed count`,
      });
    if (s.signals.length === 0)
      out.push({
        source,
        path: `${path}.signals`,
        message: `${key} is autoscaled on no signal`,
        expected: schedulerFed.has(key)
          ? "e.g. [{ signal: 'inflightQueries', target: 75 }]"
          : "e.g. [{ signal: 'cpu', target: 100 }, { signal: 'memory', target: 100 }]",
        found: '[]',
        hint: 'list at least one signal',
      });
    const seen = new Set<string>();
    s.signals.forEach((sig, i) => {
      const where = `${path}.signals[${i}]`;
      if (seen.has(sig.signal))
        out.push({
          source,
          path: `${where}.signal`,
          message: `signal "${sig.signal}" is listed twice for ${key}`,
          expected: 'each signal once',
          found: JSON.stringify(sig.signal),
          hint: 'remove one of them',
        });
      seen.add(sig.signal);
      if (sig.signal === 'inflightQueries' && !schedulerFed.has(key))
        out.push({
          source,
          path: `${where}.signal`,
          message: `${key} takes no queries from a query-scheduler; "inflightQueries" measures a querier's queue`,
          expected: '"cpu" or "memory"',
          found: JSON.stringify(sig.signal),
          hint: 'scale it on cpu and memory',
        });
      else if (a.engine === 'hpa' && prometheusOnly.has(sig.signal))
        out.push({
          source,
          path: `${where}.signal`,
          message: `engine "hpa" scales on the resource metrics API only; "${sig.signal}" is a Prometheus query that needs KEDA`,
          expected: '"cpu" or "memory" with engine "hpa"',
          found: JSON.stringify(sig.signal),
          hint: `set config.mimir.autoscaling.engine: 'keda' (KEDA must run in the cluster), or scale ${key} on [{ signal: 'cpu', target: 75 }]`,
        });
    });
  }
  return out;
}

interface Scaler {
  entry: TreeEntry;
  target: string;
  min: number | undefined;
  max: number | undefined;
  triggers: { type?: string; metadata?: Record<string, string> }[];
}

function scalers(entries: TreeEntry[]): Scaler[] {
  const out: Scaler[] = [];
  for (const entry of entries) {
    const spec = entry.object.spec as Record<string, unknown> | undefined;
    const target = (spec?.scaleTargetRef as { name?: string } | undefined)?.name ?? '';
    if (entry.object.kind === 'ScaledObject')
      out.push({
        entry,
        target,
        min: spec?.minReplicaCount as number | undefined,
        max: spec?.maxReplicaCount as number | undefined,
        triggers: (spec?.triggers as Scaler['triggers'] | undefined) ?? [],
      });
    else if (entry.object.kind === 'HorizontalPodAutoscaler')
      out.push({
        entry,
        target,
        min: spec?.minReplicas as number | undefined,
        max: spec?.maxReplicas as number | undefined,
        triggers: [],
      });
  }
  return out;
}

function matches(selector: Record<string, string>, labels: Record<string, string>): boolean {
  const keys = Object.keys(selector);
  return keys.length > 0 && keys.every((k) => labels[k] === selector[k]);
}

/** `<service>.<namespace>.svc[.<domain>]` and the port of a URL, when it names one. */
function inCluster(url: string): { service: string; namespace: string; port?: number } | undefined {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return undefined;
  }
  const m = /^([a-z0-9](?:[-a-z0-9]*[a-z0-9])?)\.([a-z0-9](?:[-a-z0-9]*[a-z0-9])?)\.svc(?:\.|$)/.exec(u.hostname);
  if (!m) return undefined;
  const port = u.port ? Number(u.port) : u.protocol === 'https:' ? 443 : 80;
  return { service: m[1], namespace: m[2], port };
}

/** The facts of a component, or of the component running the same Mimir target when it has none of its own. */
const sameTarget: Readonly<Record<string, string>> = {
  rulerQueryScheduler: 'queryScheduler',
  rulerQuerier: 'querier',
  rulerQueryFrontend: 'queryFrontend',
};

function factsOf(facts: MetricFacts, component: string): readonly string[] | undefined {
  return facts[component] ?? (sameTarget[component] ? facts[sameTarget[component]] : undefined);
}

function triggerProblems(
  ctx: ValidationContext,
  s: Scaler,
  containers: Map<string, string>,
  facts: MetricFacts | undefined,
): Problem[] {
  const out: Problem[] = [];
  const namespaces = new Set(ctx.entries.map((e) => e.object.metadata?.namespace ?? '').filter(Boolean));
  s.triggers.forEach((t, i) => {
    if (t.type !== 'prometheus') return;
    const md = t.metadata ?? {};
    const pointer = `/spec/triggers/${i}/metadata`;
    const address = md.serverAddress ?? '';
    const ref = inCluster(address);
    if (!ref || !namespaces.has(ref.namespace))
      out.push(
        problemAt(ctx, s.entry, {
          pointer: `${pointer}/serverAddress`,
          message: `KEDA queries ${JSON.stringify(address)}, which names no Service this stack renders; the stack's own Mimir holds its metrics`,
          expected: 'http://<service>.<namespace>.svc.<cluster domain>:<port>/prometheus of a rendered Service',
          found: JSON.stringify(address),
          hint: "leave config.mimir.autoscaling.prometheusAddress empty (the stack's query-frontend), or name a rendered Service",
        }),
      );
    else {
      const p = serviceReferenceProblem(ctx, s.entry, ref, address, `${pointer}/serverAddress`);
      if (p) out.push({ ...p, hint: p.hint ?? 'fix config.mimir.autoscaling.prometheusAddress' });
    }
    if (!/(?:^|,)\s*X-Scope-OrgID=[^,]+/.test(md.customHeaders ?? ''))
      out.push(
        problemAt(ctx, s.entry, {
          pointer: `${pointer}/customHeaders`,
          message: 'KEDA sends no X-Scope-OrgID: the multi-tenant Mimir refuses the query',
          expected: 'customHeaders "X-Scope-OrgID=<metrics tenant>"',
          found: JSON.stringify(md.customHeaders ?? ''),
          hint: 'set config.mimir.autoscaling.metricsTenant rather than overriding customHeaders',
        }),
      );
    const query = md.query ?? '';
    const parsed = selectedMetrics(query);
    if (parsed.errorAt !== undefined || parsed.metrics.length === 0) {
      out.push(
        problemAt(ctx, s.entry, {
          pointer: `${pointer}/query`,
          message: `the query is not valid PromQL (at character ${parsed.errorAt ?? 0}); KEDA would fail every poll`,
          expected: 'a PromQL expression selecting at least one metric',
          found: JSON.stringify(query),
          hint: 'fix the override of this query, or drop it to use the library’s',
        }),
      );
      return;
    }
    if (!facts) return;
    for (const m of parsed.metrics) {
      if (scrapeSeries.has(m.name)) continue;
      const container = m.labels.container;
      const component = container !== undefined ? containers.get(container) : undefined;
      const known = component !== undefined ? factsOf(facts, component) : undefined;
      // Unknowable: no container matcher, a container the tree does not run, or a component without facts.
      if (!known || known.includes(m.name)) continue;
      out.push(
        problemAt(ctx, s.entry, {
          pointer: `${pointer}/query`,
          message: `the query reads ${m.name}{container="${container}"}, a metric ${component} does not export; the autoscaler would see no data`,
          expected: `a metric of ${component}`,
          found: m.name,
          hint: 'fix the metric name in the override of this query',
        }),
      );
    }
  });
  return out;
}

/**
 * The tree as the overrides leave it. `facts` lists the metrics each component exports; without it
 * metric names are not checked (not knowable), everything else is.
 */
export function autoscalingRule(facts?: MetricFacts): Rule {
  return (ctx) => {
    const out: Problem[] = [];
    const deployments = ctx.entries.filter((e) => e.object.kind === 'Deployment');
    const containers = new Map<string, string>();
    for (const e of ctx.entries) {
      const spec = (e.object as Deployment).spec?.template?.spec;
      if (!spec || (e.object.kind !== 'Deployment' && e.object.kind !== 'StatefulSet')) continue;
      for (const ctr of spec.containers ?? []) containers.set(ctr.name, e.component);
    }
    const pdbs = ctx.entries.filter((e) => e.object.kind === 'PodDisruptionBudget');
    for (const s of scalers(ctx.entries)) {
      const kind = s.entry.object.kind;
      const target = deployments.find(
        (e) =>
          e.object.metadata?.name === s.target && e.object.metadata?.namespace === s.entry.object.metadata?.namespace,
      );
      if (!target) {
        out.push(
          problemAt(ctx, s.entry, {
            pointer: '/spec/scaleTargetRef/name',
            message: `the ${kind} scales Deployment "${s.target}", which is not rendered`,
            expected: `one of ${deployments.map((e) => e.object.metadata?.name).join(', ')}`,
            found: JSON.stringify(s.target),
            hint: 'drop the autoscaler with the component, or fix scaleTargetRef',
          }),
        );
        continue;
      }
      const d = target.object as Deployment;
      if (d.spec?.replicas !== undefined)
        out.push(
          problemAt(ctx, target, {
            pointer: '/spec/replicas',
            message: `${s.entry.component} is autoscaled (${kind} "${s.target}"), but its Deployment sets replicas; every apply would reset what the autoscaler chose`,
            expected: 'no spec.replicas',
            found: String(d.spec.replicas),
            hint: `remove the override that sets spec.replicas; bound the count with config.mimir.autoscaling.${s.entry.component}.minReplicas/maxReplicas`,
          }),
        );
      if (s.min !== undefined && s.max !== undefined && s.min > s.max)
        out.push(
          problemAt(ctx, s.entry, {
            pointer: kind === 'ScaledObject' ? '/spec/minReplicaCount' : '/spec/minReplicas',
            message: `the minimum ${s.min} is above the maximum ${s.max}`,
            expected: `at most ${s.max}`,
            found: String(s.min),
            hint: `set the bounds in config.mimir.autoscaling.${s.entry.component}`,
          }),
        );
      // The budget must let one pod go even when the autoscaler holds the component at its minimum.
      const min = s.min ?? 1;
      const labels = d.spec?.template?.metadata?.labels ?? {};
      for (const pe of pdbs) {
        const pdb = pe.object as PodDisruptionBudget;
        if (!matches(pdb.spec?.selector?.matchLabels ?? {}, labels)) continue;
        const { minAvailable, maxUnavailable } = pdb.spec ?? {};
        const blocks =
          (typeof minAvailable === 'number' && minAvailable >= min) ||
          minAvailable === '100%' ||
          maxUnavailable === 0 ||
          maxUnavailable === '0%';
        if (blocks)
          out.push(
            problemAt(ctx, pe, {
              pointer: minAvailable !== undefined ? '/spec/minAvailable' : '/spec/maxUnavailable',
              message: `at the autoscaler's minimum of ${min} pods this budget allows no eviction: node drains of ${s.target} would hang`,
              expected:
                minAvailable !== undefined
                  ? `minAvailable below ${min}, or maxUnavailable: 1`
                  : 'maxUnavailable of at least 1',
              found: String(minAvailable ?? maxUnavailable),
              hint: `keep the library's maxUnavailable: 1, or raise config.mimir.autoscaling.${s.entry.component}.minReplicas`,
            }),
          );
      }
      out.push(...triggerProblems(ctx, s, containers, facts));
    }
    return out;
  };
}
