import { parseAllDocuments } from 'yaml';
import type {
  ConfigMap,
  Container,
  EnvVar,
  Job,
  KubeObject,
  PodTemplateSpec,
  Secret,
  Service,
  StatefulSet,
  Deployment,
} from '../../../lib/core/k8s/types.js';

/** The objects of `kubectl kustomize DIR`, in output order. */
export function parseObjects(yamlText: string): KubeObject[] {
  const objects: KubeObject[] = [];
  for (const doc of parseAllDocuments(yamlText)) {
    if (doc.errors.length) throw new Error(`kustomize output is not valid YAML: ${doc.errors[0].message}`);
    const value = doc.toJS() as KubeObject | null;
    if (value) objects.push(value);
  }
  return objects;
}

export interface Workload {
  kind: 'Deployment' | 'StatefulSet' | 'Job';
  name: string;
  replicas: number;
  template: PodTemplateSpec;
  /** StatefulSet only: the governing Service and the volume claim templates. */
  serviceName?: string;
  claimNames: string[];
  /** Argo CD sync wave (0 when unset): the order in which the harness starts workloads. */
  wave: number;
}

const waveAnnotation = 'argocd.argoproj.io/sync-wave';

export function workloads(objects: KubeObject[]): Workload[] {
  const out: Workload[] = [];
  for (const o of objects) {
    const name = o.metadata?.name ?? '';
    const wave = Number(o.metadata?.annotations?.[waveAnnotation] ?? 0);
    if (o.kind === 'Deployment') {
      const d = o as unknown as Deployment;
      out.push({
        kind: 'Deployment',
        name,
        replicas: d.spec?.replicas ?? 1,
        template: d.spec!.template,
        claimNames: [],
        wave,
      });
    } else if (o.kind === 'StatefulSet') {
      const s = o as unknown as StatefulSet;
      out.push({
        kind: 'StatefulSet',
        name,
        replicas: s.spec?.replicas ?? 1,
        template: s.spec!.template,
        serviceName: s.spec?.serviceName,
        claimNames: (s.spec?.volumeClaimTemplates ?? []).map((t) => t.metadata?.name ?? ''),
        wave,
      });
    } else if (o.kind === 'Job') {
      const j = o as unknown as Job;
      out.push({
        kind: 'Job',
        name,
        replicas: j.spec?.parallelism ?? 1,
        template: j.spec!.template,
        claimNames: [],
        wave,
      });
    }
  }
  return out;
}

export function services(objects: KubeObject[]): Service[] {
  return objects.filter((o) => o.kind === 'Service') as unknown as Service[];
}

/** Secret and ConfigMap data as plain strings (Secrets may carry `stringData`, `data` (base64), or both). */
export interface DataSources {
  configMaps: Map<string, Record<string, string>>;
  secrets: Map<string, Record<string, string>>;
}

export function dataSources(objects: KubeObject[]): DataSources {
  const configMaps = new Map<string, Record<string, string>>();
  const secrets = new Map<string, Record<string, string>>();
  for (const o of objects) {
    const name = o.metadata?.name ?? '';
    if (o.kind === 'ConfigMap') {
      const cm = o as unknown as ConfigMap;
      const binary = Object.fromEntries(
        Object.entries(cm.binaryData ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64').toString('utf8')]),
      );
      configMaps.set(name, { ...binary, ...(cm.data ?? {}) });
    } else if (o.kind === 'Secret') {
      const s = o as unknown as Secret;
      const decoded = Object.fromEntries(
        Object.entries(s.data ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64').toString('utf8')]),
      );
      // The API server merges stringData over data, as here.
      secrets.set(name, { ...decoded, ...(s.stringData ?? {}) });
    }
  }
  return { configMaps, secrets };
}

function lookup(
  sources: DataSources,
  kind: 'configMap' | 'secret',
  name: string,
  key: string,
  optional: boolean | undefined,
): string | undefined {
  const map = kind === 'secret' ? sources.secrets : sources.configMaps;
  const data = map.get(name);
  if (!data) {
    if (optional) return undefined;
    throw new Error(`${kind === 'secret' ? 'Secret' : 'ConfigMap'} "${name}" is referenced but not rendered`);
  }
  if (!(key in data)) {
    if (optional) return undefined;
    throw new Error(`${kind === 'secret' ? 'Secret' : 'ConfigMap'} "${name}" has no key "${key}"`);
  }
  return data[key];
}

export interface PodFields {
  name: string;
  namespace: string;
  ip: string;
}

/**
 * The container's environment as the kubelet would set it: `env` values, `valueFrom` secret/configMap keys
 * and the few downward-API fields a pod can know here; `$(VAR)` references expanded as Kubernetes does.
 */
export function resolveEnv(c: Container, sources: DataSources, pod: PodFields): Record<string, string> {
  const env: Record<string, string> = {};
  for (const from of c.envFrom ?? []) {
    const prefix = from.prefix ?? '';
    const data = from.secretRef
      ? sources.secrets.get(from.secretRef.name ?? '')
      : from.configMapRef
        ? sources.configMaps.get(from.configMapRef.name ?? '')
        : undefined;
    const optional = from.secretRef?.optional ?? from.configMapRef?.optional;
    if (!data && !optional) throw new Error(`envFrom of container ${c.name} names a source that is not rendered`);
    for (const [k, v] of Object.entries(data ?? {})) env[prefix + k] = v;
  }
  for (const e of c.env ?? []) {
    const v = envValue(e, sources, pod, env);
    if (v !== undefined) env[e.name] = v;
  }
  return env;
}

function envValue(
  e: EnvVar,
  sources: DataSources,
  pod: PodFields,
  earlier: Record<string, string>,
): string | undefined {
  if (e.valueFrom?.secretKeyRef) {
    const r = e.valueFrom.secretKeyRef;
    return lookup(sources, 'secret', r.name ?? '', r.key, r.optional);
  }
  if (e.valueFrom?.configMapKeyRef) {
    const r = e.valueFrom.configMapKeyRef;
    return lookup(sources, 'configMap', r.name ?? '', r.key, r.optional);
  }
  if (e.valueFrom?.fieldRef) {
    const field = e.valueFrom.fieldRef.fieldPath;
    const known: Record<string, string> = {
      'metadata.name': pod.name,
      'metadata.namespace': pod.namespace,
      'status.podIP': pod.ip,
      'status.podIPs': pod.ip,
    };
    if (!(field in known)) throw new Error(`env ${e.name}: fieldRef ${field} is not emulated by the harness`);
    return known[field];
  }
  if (e.valueFrom)
    throw new Error(`env ${e.name}: valueFrom ${Object.keys(e.valueFrom).join(', ')} is not emulated by the harness`);
  // `$(NAME)` refers to an earlier variable; `$$` escapes. Unknown references stay as written (Kubernetes' rule).
  return (e.value ?? '').replace(/\$\$|\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g, (m, name: string | undefined) =>
    m === '$$' ? '$' : name !== undefined && name in earlier ? earlier[name] : m,
  );
}

/** Kubernetes expands `$(VAR)` in command and args from the container's environment too. */
export function expandArgs(args: string[], env: Record<string, string>): string[] {
  return args.map((a) =>
    a.replace(/\$\$|\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g, (m, name: string | undefined) =>
      m === '$$' ? '$' : name !== undefined && name in env ? env[name] : m,
    ),
  );
}

/** Kubernetes label selector (matchLabels form, as Services use) against pod labels. */
export function selects(
  selector: Record<string, string> | undefined,
  labels: Record<string, string> | undefined,
): boolean {
  const entries = Object.entries(selector ?? {});
  return entries.length > 0 && entries.every(([k, v]) => labels?.[k] === v);
}

/** A generated name's content-hash suffix (`mimir-config-t464bh49m9` → `mimir-config`), for comparing two renders. */
export function stripHashSuffix(name: string): string {
  return name.replace(/-[a-z0-9]{10}$/, '');
}
