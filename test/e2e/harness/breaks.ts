import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import type { KubeObject } from '../../../lib/core/k8s/types.js';

/**
 * Deliberate breakages of the rendered objects, to show that each assertion of the end-to-end test can fail
 * (`E2E_BREAK=<name> npm run test:e2e`; test/e2e/README.md records which assertion caught each one). They
 * change the run's own copy of the objects in memory (written to `$RUN/broken.yaml`), never `out/`.
 */
type Objects = KubeObject[];
interface ConfigMapLike {
  kind: string;
  metadata?: { name?: string };
  data?: Record<string, string>;
}
interface WorkloadLike {
  kind: string;
  metadata?: { name?: string };
  spec?: { template?: { spec?: { containers?: { name: string; args?: string[] }[] } } };
}

function configFile(objects: Objects, key: string): { cm: ConfigMapLike; text: string } {
  for (const o of objects as unknown as ConfigMapLike[])
    if (o.kind === 'ConfigMap' && o.data?.[key] !== undefined) return { cm: o, text: o.data[key] };
  throw new Error(`no ConfigMap holds ${key}`);
}

/** Replaces `pattern` in the ConfigMap file `key`; a break that changes nothing is a harness error. */
function editConfigFile(objects: Objects, key: string, pattern: RegExp | string, replacement: string): void {
  const { cm, text } = configFile(objects, key);
  const out = text.replace(pattern, replacement);
  if (out === text) throw new Error(`${key} has nothing matching ${String(pattern)}`);
  cm.data![key] = out;
}

function editMimirYaml(objects: Objects, edit: (m: Record<string, Record<string, unknown>>) => void): void {
  const { cm, text } = configFile(objects, 'mimir.yaml');
  const m = parseYaml(text) as Record<string, Record<string, unknown>>;
  edit(m);
  cm.data!['mimir.yaml'] = stringifyYaml(m);
}

/** Edits the run's copy of the Alloy configuration (the ConfigMap key holding a prometheus.remote_write block). */
function editAlloy(objects: Objects, pattern: RegExp, replacement: string): void {
  for (const o of objects as unknown as ConfigMapLike[]) {
    const key = Object.keys(o.data ?? {}).find(
      (k) => o.kind === 'ConfigMap' && o.data![k].includes('prometheus.remote_write'),
    );
    if (!key) continue;
    const out = o.data![key].replace(pattern, replacement);
    if (out === o.data![key]) throw new Error(`the Alloy configuration has nothing matching ${pattern}`);
    o.data![key] = out;
    return;
  }
  throw new Error('no ConfigMap holds an Alloy configuration');
}

function addArgs(objects: Objects, workload: string, ...args: string[]): void {
  const w = (objects as unknown as WorkloadLike[]).find(
    (o) => ['Deployment', 'StatefulSet'].includes(o.kind) && o.metadata?.name === workload,
  );
  const c = w?.spec?.template?.spec?.containers?.[0];
  if (!c) throw new Error(`no workload ${workload}`);
  c.args = [...(c.args ?? []), ...args];
}

export const breaks: Record<string, { what: string; apply: (objects: Objects) => void }> = {
  'results-cache-off': {
    what: 'results caching switched off in mimir.yaml (frontend.cache_results: false; the results_cache block kept)',
    apply: (o) => editMimirYaml(o, (m) => void (m.frontend.cache_results = false)),
  },
  'results-cache-elsewhere': {
    what: "the query-frontend's results cache pointed at the metadata cache (results_cache.memcached.addresses = metadata_cache's)",
    apply: (o) =>
      editMimirYaml(o, (m) => {
        const rc = m.frontend.results_cache as { memcached: { addresses: string } };
        const bs = m.blocks_storage.bucket_store as Record<string, { memcached: { addresses: string } }>;
        rc.memcached.addresses = bs.metadata_cache.memcached.addresses;
      }),
  },
  'chunks-cache-elsewhere': {
    what: "the store-gateway's chunks cache pointed at the index cache (chunks_cache.memcached.addresses = index_cache's)",
    apply: (o) =>
      editMimirYaml(o, (m) => {
        const bs = m.blocks_storage.bucket_store as Record<string, { memcached: { addresses: string } }>;
        bs.chunks_cache.memcached.addresses = bs.index_cache.memcached.addresses;
      }),
  },
  'index-cache-off': {
    what: "the store-gateway's index cache off in mimir.yaml (blocks_storage.bucket_store.index_cache removed)",
    apply: (o) =>
      editMimirYaml(o, (m) => void delete (m.blocks_storage.bucket_store as Record<string, unknown>).index_cache),
  },
  'ruler-internal': {
    what: 'ruler back in internal mode (ruler.query_frontend removed from mimir.yaml)',
    apply: (o) => editMimirYaml(o, (m) => delete m.ruler.query_frontend),
  },
  'ruler-query-frontend-address': {
    what: "the ruler's query-frontend address wrong (port 9999 instead of 9095)",
    apply: (o) =>
      editMimirYaml(o, (m) => {
        const qf = m.ruler.query_frontend as { address: string };
        qf.address = qf.address.replace(/:\d+$/, ':9999');
      }),
  },
  'frontend-scheduler-address': {
    what: "the query-frontend's query-scheduler address wrong (frontend.scheduler_address on port 9999)",
    apply: (o) =>
      editMimirYaml(o, (m) => {
        m.frontend.scheduler_address = String(m.frontend.scheduler_address).replace(/:\d+$/, ':9999');
      }),
  },
  'store-gateway-unreachable': {
    what: 'store-gateway unreachable: it advertises 10.255.0.1 in its ring (-store-gateway.sharding-ring.instance-addr)',
    apply: (o) => addArgs(o, 'store-gateway', '-store-gateway.sharding-ring.instance-addr=10.255.0.1'),
  },
  'gateway-tenant-check': {
    what: "the gateway's tenant check removed (every `if ($gateway_tenant_rejected)` block of nginx.conf)",
    apply: (o) => editConfigFile(o, 'nginx.conf', /^\s*if \(\$gateway_tenant_rejected\) \{\n[^\n]*\n\s*\}\n/gm, ''),
  },
  'grafana-datasource-url': {
    what: "Grafana's Mimir data source URL without the /prometheus prefix",
    apply: (o) => editConfigFile(o, 'datasources.yaml', /(url: http:\/\/gateway[^\n]*?)\/prometheus$/m, '$1'),
  },
  'grafana-datasource-header': {
    what: "Grafana's Mimir data source without its X-Scope-OrgID header",
    apply: (o) => editConfigFile(o, 'datasources.yaml', /httpHeaderName1: X-Scope-OrgID/, 'httpHeaderName1: X-Unused'),
  },
  'alloy-tenant': {
    what: "Alloy's remote write as another tenant (its X-Scope-OrgID header's value changed)",
    apply: (o) => editAlloy(o, /("X-Scope-OrgID" = ")([^"]*)"/, '$1$2-wrong"'),
  },
  'alloy-relabel': {
    what: 'the relabel rule that sets `pod` removed from the Mimir scrape job (discovery.relabel "mimir")',
    apply: (o) =>
      editAlloy(
        o,
        /(discovery\.relabel "mimir" \{[\s\S]*?)\n\trule \{\n\t\tsource_labels = \["__meta_kubernetes_pod_name"\]\n\t\ttarget_label {2}= "pod"\n\t\}\n/,
        '$1',
      ),
  },
  'alloy-rbac': {
    what: "Alloy's Role without `pods` (its Kubernetes discovery is refused by the API server)",
    apply: (o) => {
      const role = (
        o as unknown as { kind: string; metadata?: { name?: string }; rules?: { resources?: string[] }[] }[]
      ).find((x) => x.kind === 'Role' && x.metadata?.name === 'alloy');
      if (!role?.rules?.some((r) => r.resources?.includes('pods'))) throw new Error('no Role alloy granting pods');
      for (const r of role.rules) r.resources = r.resources?.filter((x) => x !== 'pods');
    },
  },
  'container-exits': {
    what: 'the overrides-exporter given a flag Mimir does not know (the container exits)',
    apply: (o) => addArgs(o, 'overrides-exporter', '-no-such-flag'),
  },
  'ha-replication-factor-1': {
    what: 'ingester replication factor 1 in mimir.yaml (each series in one zone only; the build refuses this config)',
    apply: (o) =>
      editMimirYaml(o, (m) => {
        (m.ingester.ring as Record<string, unknown>).replication_factor = 1;
      }),
  },
  'ingest-ingester-topic': {
    what: 'the ingester consumes another Kafka topic than the distributors write to (-ingest-storage.kafka.topic)',
    apply: (o) => addArgs(o, 'ingester', '-ingest-storage.kafka.topic=e2e-wrong-topic'),
  },
  'ingest-ruler-topic': {
    what: "the ruler writes its rules' results to another Kafka topic than the ingester consumes",
    apply: (o) => addArgs(o, 'ruler', '-ingest-storage.kafka.topic=e2e-wrong-topic'),
  },
  'ingest-block-builder-scheduler-address': {
    what: "the block-builder dials another port of the block-builder-scheduler's Service (9096, not its gRPC port)",
    apply: (o) => {
      const w = (o as unknown as WorkloadLike[]).find(
        (x) => x.kind === 'Deployment' && x.metadata?.name === 'block-builder',
      );
      const c = w?.spec?.template?.spec?.containers?.[0];
      if (!c?.args?.some((a) => a.startsWith('-block-builder.scheduler.address='))) throw new Error('no block-builder');
      c.args = c.args.map((a) => a.replace(/^(-block-builder\.scheduler\.address=.*):9095$/, '$1:9096'));
    },
  },
  'ingest-ingester-ships-blocks': {
    what: 'the ingester without -blocks-storage.tsdb.ship-interval=0 (it ships its blocks beside the block-builder)',
    apply: (o) => {
      const w = (o as unknown as WorkloadLike[]).find(
        (x) => x.kind === 'StatefulSet' && x.metadata?.name === 'ingester',
      );
      const c = w?.spec?.template?.spec?.containers?.[0];
      if (!c?.args?.includes('-blocks-storage.tsdb.ship-interval=0')) throw new Error('no ingester that ships nothing');
      c.args = c.args.filter((a) => a !== '-blocks-storage.tsdb.ship-interval=0');
    },
  },
  'ingest-kafka-exporter-address': {
    what: "Alloy's Kafka exporter pointed at port 9093 of the Kafka Service (the broker's controller listener, which listens on the pod's loopback only)",
    apply: (o) => editAlloy(o, /(kafka_uris\s*=\s*\["[^":]+):9092"/, '$1:9093"'),
  },
  'ingest-kafka-job': {
    what: "the Kafka exporter's series relabelled to job <namespace>/kafka-exporter instead of <namespace>/kafka",
    apply: (o) => editAlloy(o, /(replacement\s*=\s*"[^"/]+\/kafka)"/, '$1-exporter"'),
  },
  'extra-difference': {
    what: 'a difference from out/local that is not a timing knob (ingester.ring.final_sleep 0s → 1s)',
    apply: (o) =>
      editMimirYaml(o, (m) => {
        (m.ingester.ring as Record<string, unknown>).final_sleep = '1s';
      }),
  },
  'self-monitoring-rules-tenant': {
    what: "the rules Job's rules sync uploads as tenant meta-elsewhere instead of the meta tenant",
    apply: (o) => editJobArgs(o, 'rules-sync', (a) => a.replace(/^--id=.*$/, '--id=meta-elsewhere')),
  },
  'self-monitoring-routing-lost': {
    what: 'the rules Job without its alertmanager load container (the meta tenant keeps the fallback configuration)',
    apply: (o) => {
      const job = jobWith(o, 'alertmanager-load');
      job.spec!.template!.spec!.containers = job.spec!.template!.spec!.containers!.filter(
        (c) => c.name !== 'alertmanager-load',
      );
    },
  },
  'self-monitoring-alert-namespace': {
    what: 'MimirKubeComponentDown selects up{namespace="elsewhere"} in the rule file',
    apply: (o) =>
      editConfigFile(o, 'rules.yaml', /expr: up\{namespace="[^"]*"\} == 0/, 'expr: up{namespace="elsewhere"} == 0'),
  },
  'ingest-alert-phase': {
    what: 'MimirKubeIngesterKafkaReceiveDelayHigh selects phase="run", a phase the receive-delay histogram does not have',
    apply: (o) => editConfigFile(o, 'rules.yaml', 'phase="running"', 'phase="run"'),
  },
  'continuous-test-read-endpoint': {
    what: "the continuous test's read endpoint without /prometheus (its queries reach the gateway's Grafana route)",
    apply: (o) => {
      const w = (o as unknown as WorkloadLike[]).find(
        (x) => x.kind === 'Deployment' && x.metadata?.name === 'continuous-test',
      );
      const c = w?.spec?.template?.spec?.containers?.[0];
      if (!c?.args) throw new Error('no continuous-test Deployment');
      c.args = c.args.map((a) => a.replace(/^(-tests\.read-endpoint=.*)\/prometheus$/, '$1'));
    },
  },
  'gateway-exporter-scrape-uri': {
    what: "the gateway's exporter reads stub_status on nginx's public port 8080 (where the path is Grafana's route) instead of the loopback status server",
    apply: (o) => {
      const w = (o as unknown as WorkloadLike[]).find((x) => x.kind === 'Deployment' && x.metadata?.name === 'gateway');
      const c = w?.spec?.template?.spec?.containers?.find((x) => x.name === 'nginx-exporter');
      if (!c?.args) throw new Error('no nginx-exporter container in the gateway Deployment');
      const args = c.args.map((a) => a.replace(/^(--nginx\.scrape-uri=http:\/\/127\.0\.0\.1:)\d+/, '$18080'));
      if (args.join() === c.args.join()) throw new Error('the exporter has no --nginx.scrape-uri on 127.0.0.1');
      c.args = args;
    },
  },
};

function jobWith(objects: Objects, container: string): WorkloadLike {
  const job = (objects as unknown as WorkloadLike[]).find(
    (o) => o.kind === 'Job' && o.spec?.template?.spec?.containers?.some((c) => c.name === container),
  );
  if (!job) throw new Error(`no Job with a container ${container}`);
  return job;
}

function editJobArgs(objects: Objects, container: string, edit: (arg: string) => string): void {
  const c = jobWith(objects, container).spec!.template!.spec!.containers!.find((x) => x.name === container)!;
  c.args = (c.args ?? []).map(edit);
}

/** Breaks of the harness itself (not of the rendered objects), for the claims that are about the harness. */
export const harnessBreaks: Record<string, string> = {
  'dns-lists-not-ready':
    'cluster DNS lists every selected pod whether ready or not (the harness before it followed readiness)',
  'ha-volume-lost':
    "the killed ingester's volume is emptied before it restarts (as if its data lived on an emptyDir, not its claim)",
  'ingest-volume-lost':
    "the ingest-storage ingester's volume is emptied before it restarts: Kafka replays only what it had not committed",
};

export function applyBreak(name: string, objects: Objects): string {
  const b = breaks[name];
  if (b) {
    b.apply(objects);
    return b.what;
  }
  if (harnessBreaks[name]) return harnessBreaks[name];
  throw new Error(
    `E2E_BREAK=${name}: no such break; known: ${[...Object.keys(breaks), ...Object.keys(harnessBreaks)].join(', ')}`,
  );
}
