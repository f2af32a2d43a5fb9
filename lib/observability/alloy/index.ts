import type { ObservabilityStackConfig } from '../config.js';
import { defineComponent, endpointUrl, type MetricsSource, type StackView } from '../../core/registry.js';
import { container, httpProbe } from '../../core/k8s/container.js';
import { labelKeys, selectorLabels, zoneLabel } from '../../core/k8s/meta.js';
import { selfMonitoringTenant } from '../../core/config.js';
import { configMap, role, roleBinding, serviceAccount } from '../../core/k8s/objects.js';
import { serviceFor } from '../../core/k8s/service.js';
import type {
  ConfigMap,
  Container,
  Deployment,
  Role,
  RoleBinding,
  Service,
  ServiceAccount,
} from '../../core/k8s/types.js';
import { deployment, restrictedPodSecurityContext, volume } from '../../core/k8s/workload.js';
import type { Problem } from '../../core/problems.js';
import { syncWave, syncWaves } from '../../core/k8s/waves.js';
import { pods, problemAt, type Rule, type ValidationContext } from '../../core/checks/context.js';
import { serviceUrlProblem } from '../../core/checks/service-urls.js';
import type { TreeEntry } from '../../core/tree.js';
import { gatewayClientEnv, gatewayClientEnvVars, gatewayRequiresCredentials } from '../gateway/client.js';
import { exporterAddressProblems, exportersEnvVars, exportersStatements } from './exporters.js';
import {
  AlloyParseError,
  attr,
  attribute,
  attrs,
  block,
  blocksNamed,
  call,
  calls,
  isRef,
  parseAlloy,
  ref,
  refPath,
  references,
  renderAlloy,
  type AlloyBlock,
  type AlloyStatement,
  type AlloyValue,
} from './syntax.js';

export * from './syntax.js';
export { exporterComponents } from './exporters.js';

export const alloyPort = { name: 'http-metrics', port: 12345 } as const;
export const alloyConfigFile = 'config.alloy';

const configDir = '/etc/alloy';
const storagePath = '/var/lib/alloy/data';
/** The image's `alloy` user. */
const uid = 473;

/** What one scrape job collects: pods of one app (by `app.kubernetes.io/name`), on one named port. */
export type ScrapeJob = MetricsSource;

/** Prometheus' name for a pod label in discovery meta labels. */
export function podLabelMeta(label: string): string {
  return `__meta_kubernetes_pod_label_${label.replace(/[^A-Za-z0-9_]/g, '_')}`;
}

/** Every rendered component that serves metrics (its descriptor says where), in registry order. */
export function scrapeJobs(stack: StackView): ScrapeJob[] {
  return stack.metrics();
}

/** Alloy writes through the gateway, like any client. */
export function remoteWriteUrl(c: ObservabilityStackConfig, stack: StackView): string {
  return endpointUrl(c, stack.endpoint('gateway', 'http'), '/api/v1/push');
}

/** Alloy's function for reading an env var (`env` before Alloy 1.4; the pinned 1.11 has `sys.env`). */
const envFunction = 'sys.env';

/**
 * The gateway's client credentials when its basic auth is on, read from env vars the Deployment fills
 * from the client Secret, so the config file (a ConfigMap) holds only their names.
 */
function gatewayBasicAuth(c: ObservabilityStackConfig): AlloyStatement[] {
  if (!gatewayRequiresCredentials(c)) return [];
  return [
    block('basic_auth', [
      attr('username', call(envFunction, [gatewayClientEnv.username])),
      attr('password', call(envFunction, [gatewayClientEnv.password])),
    ]),
  ];
}

function rule(fields: Record<string, AlloyValue | undefined>): AlloyStatement {
  return block('rule', attrs(fields));
}

function relabelFor(job: ScrapeJob): AlloyBlock {
  return block('discovery.relabel', job.name, [
    attr('targets', ref('discovery.kubernetes.pods.targets')),
    rule({ source_labels: [podLabelMeta(labelKeys.name)], regex: job.app, action: 'keep' }),
    rule({ source_labels: ['__meta_kubernetes_pod_container_port_name'], regex: job.port, action: 'keep' }),
    // Finished pods (the bucket Job) keep their labels but serve nothing.
    rule({ source_labels: ['__meta_kubernetes_pod_phase'], regex: 'Succeeded|Failed', action: 'drop' }),
    rule({
      source_labels: ['__meta_kubernetes_namespace', podLabelMeta(job.jobLabel)],
      separator: '/',
      target_label: 'job',
    }),
    rule({ source_labels: ['__meta_kubernetes_namespace'], target_label: 'namespace' }),
    rule({ source_labels: ['__meta_kubernetes_pod_name'], target_label: 'pod' }),
    rule({ source_labels: ['__meta_kubernetes_pod_container_name'], target_label: 'container' }),
    // Zone-aware pods carry their zone; on the others the empty value leaves the series without `zone`.
    rule({ source_labels: [podLabelMeta(zoneLabel)], target_label: 'zone' }),
  ]);
}

/**
 * The Alloy configuration as statements: discovery, one relabel and scrape per job, one remote write.
 * Every series carries what Mimir's own dashboards and alerts select by: `cluster` (external label),
 * `namespace`, `job` = `<namespace>/<component>` (zone-aware ones too), `pod`, `container`, and `zone`
 * on zone-aware pods. With self-monitoring on they go to the meta tenant, else to the default tenant.
 */
export function alloyConfigStatements(c: ObservabilityStackConfig, stack: StackView): AlloyStatement[] {
  const a = c.observability.alloy;
  const out: AlloyStatement[] = [
    block('discovery.kubernetes', 'pods', [
      attr('role', 'pod'),
      block('namespaces', [attr('names', [c.namespace])]),
      block('selectors', attrs({ role: 'pod', label: `${labelKeys.partOf}=${c.partOf}` })),
    ]),
  ];
  for (const job of scrapeJobs(stack)) {
    out.push(relabelFor(job));
    out.push(
      block(
        'prometheus.scrape',
        job.name,
        attrs({
          targets: ref(`discovery.relabel.${job.name}.output`),
          forward_to: [ref('prometheus.remote_write.mimir.receiver')],
          metrics_path: job.path,
          scrape_interval: a.scrapeInterval,
        }),
      ),
    );
  }
  // Systems without metrics of their own (Kafka under ingest storage), through Alloy's exporters.
  out.push(...exportersStatements(c, stack, 'prometheus.remote_write.mimir.receiver', a.scrapeInterval));
  out.push(
    block('prometheus.remote_write', 'mimir', [
      attr('external_labels', { cluster: a.clusterLabel }),
      block('endpoint', [
        ...attrs({ url: remoteWriteUrl(c, stack), headers: { 'X-Scope-OrgID': selfMonitoringTenant(c) } }),
        ...gatewayBasicAuth(c),
      ]),
    ]),
  );
  return out;
}

/** The text of `config.alloy`. */
export function alloyConfig(c: ObservabilityStackConfig, stack: StackView): string {
  return renderAlloy(alloyConfigStatements(c, stack));
}

function alloyDeployment(c: ObservabilityStackConfig, stack: StackView, configMapName: string): Deployment {
  const agent: Container = container({
    name: 'alloy',
    image: c.images.alloy,
    args: [
      'run',
      `${configDir}/${alloyConfigFile}`,
      `--server.http.listen-addr=0.0.0.0:${alloyPort.port}`,
      `--storage.path=${storagePath}`,
      '--disable-reporting',
    ],
    ports: { [alloyPort.name]: alloyPort.port },
    env: { ...gatewayClientEnvVars(c), ...exportersEnvVars(stack) },
    resources: c.observability.alloy.resources,
    // No liveness probe: /-/healthy fails while any component is unhealthy (say, the gateway is down), and a restart fixes none of that.
    readinessProbe: httpProbe('/-/ready', alloyPort.name, { initialDelaySeconds: 5 }),
    volumeMounts: [
      { name: 'config', mountPath: configDir, readOnly: true },
      { name: 'storage', mountPath: storagePath },
      { name: 'tmp', mountPath: '/tmp' },
    ],
  });
  return deployment({
    name: 'alloy',
    namespace: c.namespace,
    annotations: syncWave(syncWaves.edge),
    selector: selectorLabels('alloy', 'collector', c.partOf),
    replicas: 1,
    pod: {
      containers: [agent],
      serviceAccountName: 'alloy',
      // Kubernetes discovery talks to the API server with the pod's token.
      automountServiceAccountToken: true,
      volumes: [volume.configMap('config', configMapName), volume.emptyDir('storage'), volume.emptyDir('tmp')],
      securityContext: restrictedPodSecurityContext(uid, uid),
    },
  });
}

export interface AlloyComponent {
  deployment: Deployment;
  service: Service;
  serviceAccount: ServiceAccount;
  role: Role;
  roleBinding: RoleBinding;
  configMap: ConfigMap;
}

/** One Alloy that scrapes the stack and remote-writes to Mimir through the gateway, with read-only discovery rights in the namespace. */
export function alloy(c: ObservabilityStackConfig, stack: StackView): AlloyComponent {
  const labels = selectorLabels('alloy', 'collector', c.partOf);
  const meta = { name: 'alloy', namespace: c.namespace, labels };
  const cm = configMap({ ...meta, data: { [alloyConfigFile]: alloyConfig(c, stack) } });
  const dep = alloyDeployment(c, stack, cm.metadata?.name ?? 'alloy');
  return {
    deployment: dep,
    service: serviceFor(dep),
    serviceAccount: serviceAccount(meta),
    role: role({
      ...meta,
      rules: [
        { apiGroups: [''], resources: ['pods', 'services', 'endpoints'], verbs: ['get', 'list', 'watch'] },
        { apiGroups: ['discovery.k8s.io'], resources: ['endpointslices'], verbs: ['get', 'list', 'watch'] },
      ],
    }),
    roleBinding: roleBinding({ ...meta, role: 'alloy', serviceAccount: 'alloy' }),
    configMap: cm,
  };
}

// ---------------------------------------------------------------------------------------------
// Build-time checks of the configuration file as the environment leaves it

interface Target {
  pod: string;
  labels: Record<string, string>;
}

/** What `discovery.kubernetes` with role pod would find in the rendered tree: one target per container port. */
function discoveredTargets(ctx: ValidationContext, namespaces: string[] | undefined): Target[] {
  const out: Target[] = [];
  for (const pod of pods(ctx.entries)) {
    const ns = pod.entry.object.metadata?.namespace ?? '';
    if (namespaces && !namespaces.includes(ns)) continue;
    const base: Record<string, string> = { __meta_kubernetes_namespace: ns };
    for (const [k, v] of Object.entries(pod.labels)) base[podLabelMeta(k)] = v;
    for (const k of pod.spec.containers ?? []) {
      for (const port of k.ports ?? []) {
        out.push({
          pod: `${pod.entry.group}.${pod.entry.component}.${pod.entry.key}`,
          labels: {
            ...base,
            __meta_kubernetes_pod_container_name: k.name,
            __meta_kubernetes_pod_container_port_name: port.name ?? '',
            __meta_kubernetes_pod_container_port_number: String(port.containerPort),
          },
        });
      }
    }
  }
  return out;
}

function strings(v: AlloyValue | undefined): string[] | undefined {
  return Array.isArray(v) && v.every((x) => typeof x === 'string') ? (v as string[]) : undefined;
}

/** Applies the keep/drop rules of a relabel block (the ones that filter; the rest only rename). */
function filterTargets(relabel: AlloyBlock, targets: Target[]): Target[] {
  let kept = targets;
  for (const r of blocksNamed(relabel.body, 'rule')) {
    const action = attribute(r, 'action') ?? 'replace';
    if (action !== 'keep' && action !== 'drop') continue;
    const sources = strings(attribute(r, 'source_labels')) ?? [];
    const separator = attribute(r, 'separator');
    const regexText = attribute(r, 'regex');
    let re: RegExp;
    try {
      re = new RegExp(`^(?:${typeof regexText === 'string' ? regexText : '(.*)'})$`);
    } catch {
      return kept;
    }
    kept = kept.filter(
      (t) =>
        re.test(sources.map((s) => t.labels[s] ?? '').join(typeof separator === 'string' ? separator : ';')) ===
        (action === 'keep'),
    );
  }
  return kept;
}

function configEntries(ctx: ValidationContext): TreeEntry[] {
  return ctx.entries.filter(
    (e) =>
      e.group === 'observability' &&
      e.component === 'alloy' &&
      e.object.kind === 'ConfigMap' &&
      typeof (e.object.data as Record<string, string> | undefined)?.[alloyConfigFile] === 'string',
  );
}

/**
 * Every env var the file reads is set on Alloy's container: `sys.env` returns "" for an unset one, and
 * the gateway would answer every remote write with 401.
 */
function unsetEnvProblems(ctx: ValidationContext, e: TreeEntry, statements: AlloyStatement[]): Problem[] {
  const alloyPods = pods(ctx.entries).filter((p) => p.entry.group === e.group && p.entry.component === e.component);
  if (alloyPods.length === 0) return [];
  const set = new Set(
    alloyPods.flatMap((p) => (p.spec.containers ?? []).flatMap((k) => (k.env ?? []).map((v) => v.name))),
  );
  return calls(statements)
    .filter((f) => (f.fn === 'sys.env' || f.fn === 'env') && typeof f.args[0] === 'string' && !set.has(f.args[0]))
    .map((f) =>
      problemAt(ctx, e, {
        pointer: `/data/${alloyConfigFile} ${f.within}`,
        message: `${f.within} reads env var ${String(f.args[0])}, which Alloy's container does not set: ${f.fn} would return ""`,
        hint: 'set it on the Alloy container (from a Secret for credentials), or remove the reference',
      }),
    );
}

/**
 * Checks of the rendered `config.alloy`: it parses; every env var it reads is set; every reference names a declared component; the
 * remote-write URL and every in-cluster exporter address reach a rendered Service and port; every scrape job finds at least one
 * container port among the rendered pods.
 */
export function alloyRules(c: ObservabilityStackConfig): Rule[] {
  const check: Rule = (ctx) => {
    const out: Problem[] = [];
    const pointer = `/data/${alloyConfigFile}`;
    for (const e of configEntries(ctx)) {
      const text = (e.object.data as Record<string, string>)[alloyConfigFile];
      let statements: AlloyStatement[];
      try {
        statements = parseAlloy(text);
      } catch (err) {
        if (!(err instanceof AlloyParseError)) throw err;
        for (const se of err.errors)
          out.push(
            problemAt(ctx, e, {
              pointer: `${pointer}:${se.line}:${se.column}`,
              message: `Alloy syntax error: ${se.message}`,
            }),
          );
        continue;
      }
      const components = statements.filter((s): s is AlloyBlock => s.kind === 'block' && s.label !== undefined);
      const declared = new Set(components.map((b) => `${b.name}.${b.label}`));
      const roots = new Set(components.map((b) => b.name.split('.')[0]));
      for (const r of references(statements)) {
        const parts = r.path.split('.');
        if (!roots.has(parts[0])) continue;
        const found = parts.some((_, i) => i > 0 && declared.has(parts.slice(0, i + 1).join('.')));
        if (!found)
          out.push(
            problemAt(ctx, e, {
              pointer,
              message: `${r.within} refers to ${r.path}, but no component ${parts.slice(0, -1).join('.')} is declared`,
              expected: [...declared].sort().join(', '),
            }),
          );
      }
      for (const rw of blocksNamed(statements, 'prometheus.remote_write')) {
        for (const endpoint of blocksNamed(rw.body, 'endpoint')) {
          const url = attribute(endpoint, 'url');
          if (typeof url !== 'string') continue;
          const problem = serviceUrlProblem(
            ctx,
            e,
            url,
            `${pointer} prometheus.remote_write "${rw.label}" endpoint.url`,
            c.clusterDomain,
          );
          if (problem) out.push(problem);
        }
      }
      out.push(...exporterAddressProblems(ctx, e, statements, pointer, c.clusterDomain));
      out.push(...unsetEnvProblems(ctx, e, statements));
      const discoveries = new Map<string, AlloyBlock>(
        blocksNamed(statements, 'discovery.kubernetes').map((b) => [`discovery.kubernetes.${b.label}.targets`, b]),
      );
      for (const relabel of blocksNamed(statements, 'discovery.relabel')) {
        const targets = attribute(relabel, 'targets');
        const source = isRef(targets) ? discoveries.get(refPath(targets)) : undefined;
        if (!source || attribute(source, 'role') !== 'pod') continue;
        const names = blocksNamed(source.body, 'namespaces').flatMap((n) => strings(attribute(n, 'names')) ?? []);
        let found = discoveredTargets(ctx, names.length ? names : undefined);
        for (const sel of blocksNamed(source.body, 'selectors')) {
          const label = attribute(sel, 'label');
          if (typeof label !== 'string') continue;
          const wanted = label.split(',').map((kv) => kv.split('=').map((s) => s.trim()));
          found = found.filter((t) => wanted.every(([k, v]) => t.labels[podLabelMeta(k)] === v));
        }
        if (filterTargets(relabel, found).length === 0) {
          out.push(
            problemAt(ctx, e, {
              pointer: `${pointer} discovery.relabel "${relabel.label}"`,
              message: `scrape job "${relabel.label}" matches no container port of any rendered pod: Alloy would scrape nothing`,
              hint: 'check the app label and port name the job keeps against the workload, or disable the job',
            }),
          );
        }
      }
    }
    return out;
  };
  return [check];
}

/** Alloy: scrapes every component that serves metrics and writes to Mimir through the gateway. */
export const alloyComponent = defineComponent({
  group: 'observability',
  key: 'alloy',
  description:
    'Grafana Alloy: scrapes every component that publishes metrics into the meta tenant, through the gateway',
  config: 'observability.alloy',
  enabled: (c: ObservabilityStackConfig) => c.observability.alloy.enabled,
  render: alloy,
  checks: alloyRules,
  metrics: () => [{ name: 'alloy', app: 'alloy', port: alloyPort.name, path: '/metrics', jobLabel: labelKeys.name }],
});
