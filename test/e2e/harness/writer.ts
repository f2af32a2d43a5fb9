import { toYaml } from '../../../lib/core/yaml.js';
import type { PodPlan } from './plan.js';

/**
 * Alloy has no peer here. Its rendered configuration still says what it would do: which pods it scrapes
 * (discovery.kubernetes + discovery.relabel), how often, and where it remote-writes. Prometheus (agent mode)
 * does the same from that configuration: the pods become static targets carrying the `__meta_kubernetes_*`
 * labels Kubernetes discovery would attach, and Alloy's relabel rules are passed through unchanged
 * (Alloy's `rule` block is Prometheus' relabel_config).
 */
interface AlloyBlock {
  kind: string;
  label: string;
  body: string;
}

function blocks(text: string): AlloyBlock[] {
  const out: AlloyBlock[] = [];
  const head = /^([a-z_][a-z0-9_.]*) "([^"]*)" \{/gim;
  for (const m of text.matchAll(head)) {
    let depth = 0;
    let end = m.index! + m[0].length - 1;
    for (; end < text.length; end++) {
      if (text[end] === '{') depth++;
      else if (text[end] === '}' && --depth === 0) break;
    }
    out.push({ kind: m[1], label: m[2], body: text.slice(m.index! + m[0].length, end) });
  }
  return out;
}

function attr(body: string, name: string): unknown {
  const m = new RegExp(`^\\s*${name}\\s*=\\s*(.+)$`, 'm').exec(body);
  if (!m) return undefined;
  const raw = m[1].trim();
  return raw.startsWith('"') || raw.startsWith('[') ? JSON.parse(raw) : raw;
}

/** `rule { … }` blocks → Prometheus relabel_configs (same field names). */
function rules(body: string): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  for (const m of body.matchAll(/rule\s*\{([^}]*)\}/g)) {
    const r: Record<string, unknown> = {};
    for (const line of m[1].split('\n')) {
      const kv = /^\s*([a-z_]+)\s*=\s*(.+?)\s*$/.exec(line);
      if (kv) r[kv[1]] = JSON.parse(kv[2]);
    }
    out.push(r);
  }
  return out;
}

/** `{ "a" = "b", c = "d", }` → record. */
function objectAttr(body: string, name: string): Record<string, string> {
  const m = new RegExp(`${name}\\s*=\\s*\\{([^}]*)\\}`).exec(body);
  const out: Record<string, string> = {};
  for (const kv of (m?.[1] ?? '').matchAll(/"?([A-Za-z0-9_.-]+)"?\s*=\s*"([^"]*)"/g)) out[kv[1]] = kv[2];
  return out;
}

export interface AlloyIntent {
  scrapes: { name: string; relabel: Record<string, unknown>[]; metricsPath: string; interval: string }[];
  podSelector?: [string, string];
  namespaces: string[];
  remoteWrite: { url: string; headers: Record<string, string> };
  externalLabels: Record<string, string>;
}

export function readAlloyConfig(text: string): AlloyIntent {
  const all = blocks(text);
  const relabels = new Map(all.filter((b) => b.kind === 'discovery.relabel').map((b) => [b.label, b]));
  const scrapes = all
    .filter((b) => b.kind === 'prometheus.scrape')
    .map((b) => {
      const targets = String(attr(b.body, 'targets') ?? '');
      const source = /^discovery\.relabel\.([^.]+)\.output$/.exec(targets)?.[1];
      const relabel = source ? relabels.get(source) : undefined;
      if (!relabel)
        throw new Error(
          `alloy: prometheus.scrape "${b.label}" takes targets from ${targets}, which the harness does not follow`,
        );
      return {
        name: b.label,
        relabel: rules(relabel.body),
        metricsPath: String(attr(b.body, 'metrics_path') ?? '/metrics'),
        interval: String(attr(b.body, 'scrape_interval') ?? '60s'),
      };
    });
  const discovery = all.find((b) => b.kind === 'discovery.kubernetes');
  const selector = discovery ? (attr(discovery.body, 'label') as string | undefined) : undefined;
  const namespaces = discovery ? ((attr(discovery.body, 'names') as string[] | undefined) ?? []) : [];
  const rw = all.find((b) => b.kind === 'prometheus.remote_write');
  if (!rw) throw new Error('alloy: no prometheus.remote_write block');
  const url = attr(rw.body, 'url');
  if (typeof url !== 'string') throw new Error('alloy: prometheus.remote_write has no endpoint url');
  return {
    scrapes,
    podSelector: selector?.includes('=') ? (selector.split('=', 2) as [string, string]) : undefined,
    namespaces,
    remoteWrite: { url, headers: objectAttr(rw.body, 'headers') },
    externalLabels: objectAttr(rw.body, 'external_labels'),
  };
}

const sanitize = (label: string): string => label.replace(/[^a-zA-Z0-9_]/g, '_');

/** What Kubernetes pod discovery would list: one target per container port of every running pod. */
export function podTargets(
  pods: PodPlan[],
  namespace: string,
  selector?: [string, string],
): { targets: string[]; labels: Record<string, string> }[] {
  const out: { targets: string[]; labels: Record<string, string> }[] = [];
  for (const p of pods) {
    if (selector && p.labels[selector[0]] !== selector[1]) continue;
    for (const c of p.containers) {
      for (const [portName, port] of Object.entries(c.ports)) {
        const labels: Record<string, string> = {
          __meta_kubernetes_namespace: namespace,
          __meta_kubernetes_pod_name: p.name,
          __meta_kubernetes_pod_ip: p.ip,
          __meta_kubernetes_pod_phase: 'Running',
          __meta_kubernetes_pod_container_name: c.name,
          __meta_kubernetes_pod_container_port_name: portName,
          __meta_kubernetes_pod_container_port_number: String(port),
          __meta_kubernetes_pod_container_port_protocol: 'TCP',
        };
        for (const [k, v] of Object.entries(p.labels)) {
          labels[`__meta_kubernetes_pod_label_${sanitize(k)}`] = v;
          labels[`__meta_kubernetes_pod_labelpresent_${sanitize(k)}`] = 'true';
        }
        out.push({ targets: [`${p.ip}:${port}`], labels });
      }
    }
  }
  return out;
}

export interface WriterConfigInput {
  intent: AlloyIntent;
  pods: PodPlan[];
  namespace: string;
  /** The harness's own target with known values (`host:port`), scraped every few seconds. */
  probeTarget: string;
  probeInterval: string;
}

export function prometheusAgentConfig(i: WriterConfigInput): string {
  const discovered = podTargets(i.pods, i.namespace, i.intent.podSelector);
  return toYaml({
    global: { external_labels: i.intent.externalLabels },
    scrape_configs: [
      { job_name: 'e2e-probe', scrape_interval: i.probeInterval, static_configs: [{ targets: [i.probeTarget] }] },
      ...i.intent.scrapes.map((s) => ({
        job_name: `alloy-${s.name}`,
        scrape_interval: s.interval,
        metrics_path: s.metricsPath,
        static_configs: discovered,
        relabel_configs: s.relabel,
      })),
    ],
    remote_write: [{ url: i.intent.remoteWrite.url, headers: i.intent.remoteWrite.headers }],
  });
}
