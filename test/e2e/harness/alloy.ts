import {
  attribute,
  blocksNamed,
  isRef,
  parseAlloy,
  refPath,
  type AlloyBlock,
  type AlloyValue,
} from '../../../lib/observability/alloy/syntax.js';
import type { PodPlan } from './plan.js';

/**
 * What the rendered Alloy configuration says Alloy does, read with the library's own Alloy parser: which
 * pods it discovers, which of their ports each scrape job keeps and with which labels, where it
 * remote-writes, as which tenant, with which external labels. The e2e runs the real Alloy with that
 * configuration and compares what reaches Mimir with what this reading expects.
 */

/** A `rule` block of `discovery.relabel`: Prometheus' relabel_config (same field names). */
export interface RelabelRule {
  source_labels?: string[];
  separator?: string;
  regex?: string;
  target_label?: string;
  replacement?: string;
  action?: string;
}

export interface AlloyScrape {
  /** The `prometheus.scrape` label. */
  name: string;
  rules: RelabelRule[];
  metricsPath: string;
  interval: string;
}

/**
 * A scrape of one of Alloy's built-in exporters (`prometheus.exporter.kafka`): Alloy serves the exporter's
 * metrics itself, at `/api/v0/component/<component id>/metrics` of its HTTP server.
 */
export interface AlloyExporterScrape extends AlloyScrape {
  /** The exporter's component ID, e.g. `prometheus.exporter.kafka.kafka`. */
  exporter: string;
  /** Its string and string-list arguments (`kafka_uris`), as written. */
  args: Record<string, string | string[]>;
}

export interface AlloyIntent {
  /** `discovery.kubernetes` namespaces and label selector. */
  namespaces: string[];
  labelSelector?: string;
  /** Scrapes of pods found by `discovery.kubernetes`. */
  scrapes: AlloyScrape[];
  /** Scrapes of Alloy's built-in exporters. */
  exporterScrapes: AlloyExporterScrape[];
  remoteWrite: { url: string; headers: Record<string, string> };
  externalLabels: Record<string, string>;
}

const str = (v: AlloyValue | undefined): string | undefined => (typeof v === 'string' ? v : undefined);
const strings = (v: AlloyValue | undefined): string[] | undefined =>
  Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : undefined;
function record(v: AlloyValue | undefined): Record<string, string> {
  if (!v || typeof v !== 'object' || Array.isArray(v) || isRef(v)) return {};
  return Object.fromEntries(Object.entries(v).filter((e): e is [string, string] => typeof e[1] === 'string'));
}

function rulesOf(b: AlloyBlock): RelabelRule[] {
  return blocksNamed(b.body, 'rule').map((r) => {
    const rule: RelabelRule = {};
    for (const s of r.body) {
      if (s.kind !== 'attribute') continue;
      if (s.name === 'source_labels') rule.source_labels = strings(s.value);
      else if (['separator', 'regex', 'target_label', 'replacement', 'action'].includes(s.name))
        rule[s.name as Exclude<keyof RelabelRule, 'source_labels'>] = str(s.value);
      else throw new Error(`alloy: discovery.relabel "${b.label}": rule attribute ${s.name} is not read by the e2e`);
    }
    return rule;
  });
}

export function readAlloyConfig(text: string): AlloyIntent {
  const all = parseAlloy(text);
  const relabels = new Map(blocksNamed(all, 'discovery.relabel').map((b) => [b.label ?? '', b]));
  const discovery = blocksNamed(all, 'discovery.kubernetes');
  if (discovery.length !== 1)
    throw new Error(`alloy: ${discovery.length} discovery.kubernetes blocks; the e2e reads one`);
  const d = discovery[0];
  const exporters = new Map(
    all
      .filter((b): b is AlloyBlock => b.kind === 'block' && b.name.startsWith('prometheus.exporter.') && !!b.label)
      .map((b) => [`${b.name}.${b.label}`, b]),
  );
  const scrapes: AlloyScrape[] = [];
  const exporterScrapes: AlloyExporterScrape[] = [];
  for (const b of blocksNamed(all, 'prometheus.scrape')) {
    const targets = attribute(b, 'targets');
    const path = isRef(targets) ? refPath(targets) : '';
    let rules: RelabelRule[];
    let exporter: AlloyBlock | undefined;
    if (path === `discovery.kubernetes.${d.label}.targets`) rules = [];
    else {
      const source = /^discovery\.relabel\.([^.]+)\.output$/.exec(path)?.[1];
      const relabel = source === undefined ? undefined : relabels.get(source);
      const input = relabel && attribute(relabel, 'targets');
      const inputPath = isRef(input) ? refPath(input) : '';
      exporter = exporters.get(inputPath.replace(/\.targets$/, ''));
      if (!relabel || (inputPath !== `discovery.kubernetes.${d.label}.targets` && !exporter))
        throw new Error(
          `alloy: prometheus.scrape "${b.label}" takes targets from ${path || '(a value)'}, which the e2e does not follow`,
        );
      rules = rulesOf(relabel);
    }
    const scrape = {
      name: b.label ?? '',
      rules,
      metricsPath: str(attribute(b, 'metrics_path')) ?? '/metrics',
      interval: str(attribute(b, 'scrape_interval')) ?? '60s',
    };
    if (!exporter) scrapes.push(scrape);
    else
      exporterScrapes.push({
        ...scrape,
        exporter: `${exporter.name}.${exporter.label}`,
        args: Object.fromEntries(
          exporter.body.flatMap((a) => {
            if (a.kind !== 'attribute') return [];
            const v = str(a.value) ?? strings(a.value);
            return v === undefined ? [] : [[a.name, v]];
          }),
        ),
      });
  }
  const rw = blocksNamed(all, 'prometheus.remote_write');
  const endpoints = rw.flatMap((b) => blocksNamed(b.body, 'endpoint'));
  if (rw.length !== 1 || endpoints.length !== 1)
    throw new Error(
      `alloy: ${rw.length} prometheus.remote_write blocks with ${endpoints.length} endpoints; the e2e reads one`,
    );
  const url = str(attribute(endpoints[0], 'url'));
  if (!url) throw new Error('alloy: prometheus.remote_write has no endpoint url');
  return {
    namespaces: blocksNamed(d.body, 'namespaces').flatMap((n) => strings(attribute(n, 'names')) ?? []),
    labelSelector: blocksNamed(d.body, 'selectors')
      .map((s) => str(attribute(s, 'label')))
      .find(Boolean),
    scrapes,
    exporterScrapes,
    remoteWrite: { url, headers: record(attribute(endpoints[0], 'headers')) },
    externalLabels: record(attribute(rw[0], 'external_labels')),
  };
}

/** Prometheus relabelling (keep, drop, replace), as Alloy applies it; undefined when the target is dropped. */
export function relabel(
  labels: Record<string, string>,
  rules: readonly RelabelRule[],
): Record<string, string> | undefined {
  const out = { ...labels };
  for (const r of rules) {
    const value = (r.source_labels ?? []).map((l) => out[l] ?? '').join(r.separator ?? ';');
    const re = new RegExp(`^(?:${r.regex ?? '(.*)'})$`);
    const m = re.exec(value);
    const action = r.action ?? 'replace';
    if (action === 'keep') {
      if (!m) return undefined;
    } else if (action === 'drop') {
      if (m) return undefined;
    } else if (action === 'replace') {
      if (!m || !r.target_label) continue;
      const v = (r.replacement ?? '$1').replace(
        /\$(?:\{(\d+)\}|(\d+))/g,
        (_, a?: string, b?: string) => m[Number(a ?? b)] ?? '',
      );
      if (v === '') delete out[r.target_label];
      else out[r.target_label] = v;
    } else throw new Error(`relabel action ${action} is not evaluated by the e2e`);
  }
  return out;
}

const sanitize = (label: string): string => label.replace(/[^a-zA-Z0-9_]/g, '_');

/** The labels Kubernetes pod discovery attaches to one container port of a running pod (those the rules read). */
export function podTargetLabels(
  pod: Pick<PodPlan, 'name' | 'ip' | 'labels'>,
  namespace: string,
  container: string,
  portName: string,
  port: number,
): Record<string, string> {
  const labels: Record<string, string> = {
    __address__: `${pod.ip}:${port}`,
    __meta_kubernetes_namespace: namespace,
    __meta_kubernetes_pod_name: pod.name,
    __meta_kubernetes_pod_ip: pod.ip,
    __meta_kubernetes_pod_phase: 'Running',
    __meta_kubernetes_pod_container_name: container,
    __meta_kubernetes_pod_container_port_name: portName,
    __meta_kubernetes_pod_container_port_number: String(port),
    __meta_kubernetes_pod_container_port_protocol: 'TCP',
  };
  for (const [k, v] of Object.entries(pod.labels)) {
    labels[`__meta_kubernetes_pod_label_${sanitize(k)}`] = v;
    labels[`__meta_kubernetes_pod_labelpresent_${sanitize(k)}`] = 'true';
  }
  return labels;
}

export interface ExpectedTarget {
  scrape: string;
  pod: string;
  address: string;
  /** Every label a series scraped from this target carries in Mimir (besides `__name__`). */
  labels: Record<string, string>;
}

/**
 * What each scrape job of the configuration makes of a pod: one target per kept container port, with the
 * labels its series carry once stored — the relabelled labels without the `__` ones, `instance` defaulting
 * to the address and `job` to the component's name as Alloy does, and the remote write's external labels.
 */
export function expectedTargets(
  intent: AlloyIntent,
  pod: Pick<PodPlan, 'name' | 'ip' | 'labels'> & { containers: { name: string; ports: Record<string, number> }[] },
  namespace: string,
): ExpectedTarget[] {
  const out: ExpectedTarget[] = [];
  for (const scrape of intent.scrapes)
    for (const c of pod.containers)
      for (const [portName, port] of Object.entries(c.ports)) {
        const kept = relabel(podTargetLabels(pod, namespace, c.name, portName, port), scrape.rules);
        if (!kept) continue;
        const labels: Record<string, string> = {
          job: `prometheus.scrape.${scrape.name}`,
          instance: kept.__address__,
          ...Object.fromEntries(Object.entries(kept).filter(([k]) => !k.startsWith('__'))),
        };
        for (const [k, v] of Object.entries(intent.externalLabels)) labels[k] ??= v;
        out.push({ scrape: scrape.name, pod: pod.name, address: kept.__address__, labels });
      }
  return out;
}

/** The tenant the remote write names (its X-Scope-OrgID header). */
export function alloyTenant(intent: AlloyIntent): string {
  const entry = Object.entries(intent.remoteWrite.headers).find(([k]) => k.toLowerCase() === 'x-scope-orgid');
  if (!entry)
    throw new Error(`Alloy's remote write to ${intent.remoteWrite.url} names no tenant (X-Scope-OrgID header)`);
  return entry[1];
}

/**
 * The labels of an exporter's series once stored: the exporter's own target (`job="integrations/<kind>"`,
 * `instance` = its first address, as Alloy's exporter sets them) relabelled by the scrape's rules, without
 * the `__` ones, with the remote write's external labels.
 */
export function expectedExporterLabels(intent: AlloyIntent, scrape: AlloyExporterScrape): Record<string, string> {
  const kind = scrape.exporter.split('.')[2];
  const uris = scrape.args.kafka_uris;
  const base: Record<string, string> = {
    job: `integrations/${kind}`,
    instance: Array.isArray(uris) ? (uris[0] ?? '') : String(uris ?? ''),
  };
  const kept = relabel(base, scrape.rules) ?? {};
  const labels = Object.fromEntries(Object.entries(kept).filter(([k]) => !k.startsWith('__')));
  for (const [k, v] of Object.entries(intent.externalLabels)) labels[k] ??= v;
  return labels;
}
