import type { KubeObject } from '../../core/k8s/types.js';
import { resourceId } from '../../core/tree.js';
import { parseYamlDocuments } from '../../core/yaml.js';
import { deepEqual, jsonPatch } from '../kustomize/diff.js';
import type { DeployedObjects } from './objects.js';
import { compareText } from '../../core/collate.js';

/**
 * What applying a change to a running cluster does, from harmless to blocked:
 *
 * - `in-place`: the API server updates the object and nothing restarts;
 * - `rolling`: pods are replaced (the workload's own rollout, or a restart the change needs);
 * - `recreate`: an immutable field changed — the API server refuses the update, the object must be
 *   deleted (its pods orphaned where they hold data) and created again;
 * - `data-at-risk`: the change applies, but data stays behind or moves: a stateful workload or claim
 *   renamed or removed, a replication factor or zone layout changed;
 * - `refused`: no procedure makes the cluster match the new output without losing data.
 */
export type ChangeClass = 'in-place' | 'rolling' | 'recreate' | 'data-at-risk' | 'refused';

export const CLASS_ORDER: readonly ChangeClass[] = ['in-place', 'rolling', 'recreate', 'data-at-risk', 'refused'];

export const CLASS_LABEL: Readonly<Record<ChangeClass, string>> = {
  'in-place': 'in place',
  rolling: 'rolling restart',
  recreate: 'needs recreate',
  'data-at-risk': 'data at risk',
  refused: 'refused',
};

/** Classes that stop `--check`/`--diff` (exit 1) unless `--allow` names the object. */
export const BLOCKING: ReadonlySet<ChangeClass> = new Set(['data-at-risk', 'refused']);

export interface Reason {
  class: ChangeClass;
  message: string;
  /** The field (dotted, list items by name) the reason is about, e.g. `spec.volumeClaimTemplates`. */
  field?: string;
}

export interface Finding {
  /** `Kind/namespace/name` (`Kind/name` without a namespace): what `--allow` takes. */
  ref: string;
  kind: string;
  namespace?: string;
  name: string;
  change: 'added' | 'removed' | 'changed';
  /** The most severe class of its reasons. */
  class: ChangeClass;
  reasons: Reason[];
  /** Pods that restart, by name where the controller names them (StatefulSets), else by workload. */
  pods: string[];
  /** The commands that make the change safely, in order (for `recreate`, `data-at-risk` and `refused`). */
  procedure: string[];
  /** The Argo CD sync option that carries out the procedure, when one does it safely. */
  argocd?: string;
}

export interface ClassifyOptions {
  /** The command that applies the new output, for procedures (default `kubectl apply -k out/<env>`). */
  applyCommand: string;
}

function worst(reasons: Reason[]): ChangeClass {
  let i = 0;
  for (const r of reasons) i = Math.max(i, CLASS_ORDER.indexOf(r.class));
  return CLASS_ORDER[i];
}

export function refOf(o: KubeObject): string {
  const ns = o.metadata?.namespace;
  return ns ? `${o.kind}/${ns}/${o.metadata?.name ?? ''}` : `${o.kind}/${o.metadata?.name ?? ''}`;
}

type Json = Record<string, unknown>;
const isObj = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const at = (o: unknown, path: string): unknown =>
  path.split('.').reduce<unknown>((v, k) => (isObj(v) ? v[k] : undefined), o);
const changed = (a: KubeObject, b: KubeObject, path: string): boolean => !deepEqual(at(a, path), at(b, path));

/** `-n ns ` for a namespaced object. */
function nsFlag(o: KubeObject): string {
  return o.metadata?.namespace ? `-n ${o.metadata.namespace} ` : '';
}

function kindArg(o: KubeObject): string {
  return o.kind.toLowerCase();
}

const WORKLOADS = new Set(['Deployment', 'StatefulSet', 'DaemonSet']);

function replicas(o: KubeObject): number {
  const r = at(o, 'spec.replicas');
  return typeof r === 'number' ? r : 1;
}

/** The pods a rollout of `o` replaces, named where the controller names them. */
function podsOf(o: KubeObject): string[] {
  const name = o.metadata?.name ?? '';
  if (o.kind === 'StatefulSet') {
    const n = replicas(o);
    // A StatefulSet rolls from the highest ordinal down.
    return Array.from({ length: n }, (_, i) => `${name}-${n - 1 - i}`);
  }
  if (o.kind === 'Deployment') return [`${name}-* (${replicas(o)} pod${replicas(o) === 1 ? '' : 's'})`];
  if (o.kind === 'DaemonSet') return [`${name}-* (one per node)`];
  return [];
}

function claimTemplates(o: KubeObject): Json[] {
  const t = at(o, 'spec.volumeClaimTemplates');
  return Array.isArray(t) ? (t as Json[]) : [];
}

function claimNames(o: KubeObject, count = replicas(o)): string[] {
  const name = o.metadata?.name ?? '';
  return claimTemplates(o).flatMap((t) =>
    Array.from({ length: count }, (_, i) => `${String(at(t, 'metadata.name'))}-${name}-${i}`),
  );
}

/** Parses a Kubernetes quantity to bytes (or units) for comparing sizes; NaN when it cannot. */
export function quantity(q: unknown): number {
  if (typeof q === 'number') return q;
  if (typeof q !== 'string') return NaN;
  const m = /^([0-9.]+)([KMGTPE]i?|[mkKMGTPE])?$/.exec(q.trim());
  if (!m) return NaN;
  const n = Number(m[1]);
  const suffix = m[2] ?? '';
  const bin: Record<string, number> = { Ki: 1, Mi: 2, Gi: 3, Ti: 4, Pi: 5, Ei: 6 };
  const dec: Record<string, number> = { k: 1, K: 1, M: 2, G: 3, T: 4, P: 5, E: 6 };
  if (suffix === 'm') return n / 1000;
  if (suffix in bin) return n * 1024 ** bin[suffix];
  if (suffix in dec) return n * 1000 ** dec[suffix];
  return n;
}

/** The difference between two claim specs: storage growth is expandable; anything else is not. */
function claimSpecChange(before: unknown, after: unknown): { grows: boolean; shrinks: boolean; other: string[] } {
  const a = (isObj(before) ? before : {}) as Json;
  const b = (isObj(after) ? after : {}) as Json;
  const sizeA = quantity(at(a, 'resources.requests.storage'));
  const sizeB = quantity(at(b, 'resources.requests.storage'));
  const other = [...new Set([...Object.keys(a), ...Object.keys(b)])]
    .filter((k) => k !== 'resources' && !deepEqual(a[k], b[k]))
    .map((k) => `spec.${k}`);
  const resA = { ...((a.resources as Json | undefined) ?? {}) };
  const resB = { ...((b.resources as Json | undefined) ?? {}) };
  const reqA = { ...((resA.requests as Json | undefined) ?? {}) };
  const reqB = { ...((resB.requests as Json | undefined) ?? {}) };
  delete reqA.storage;
  delete reqB.storage;
  if (!deepEqual({ ...resA, requests: reqA }, { ...resB, requests: reqB })) other.push('spec.resources');
  return { grows: sizeB > sizeA, shrinks: sizeB < sizeA, other };
}

/** Every ConfigMap and Secret a pod template reads, with how it reads it. */
function podReferences(o: KubeObject): { kind: 'ConfigMap' | 'Secret'; name: string; via: 'volume' | 'env' }[] {
  const spec = at(o, o.kind === 'Job' || WORKLOADS.has(o.kind) ? 'spec.template.spec' : '__none__');
  if (!isObj(spec)) return [];
  const refs: { kind: 'ConfigMap' | 'Secret'; name: string; via: 'volume' | 'env' }[] = [];
  for (const v of (spec.volumes as Json[] | undefined) ?? []) {
    const cm = at(v, 'configMap.name');
    const secret = at(v, 'secret.secretName');
    if (typeof cm === 'string') refs.push({ kind: 'ConfigMap', name: cm, via: 'volume' });
    if (typeof secret === 'string') refs.push({ kind: 'Secret', name: secret, via: 'volume' });
    for (const s of (at(v, 'projected.sources') as Json[] | undefined) ?? []) {
      const pc = at(s, 'configMap.name');
      const ps = at(s, 'secret.name');
      if (typeof pc === 'string') refs.push({ kind: 'ConfigMap', name: pc, via: 'volume' });
      if (typeof ps === 'string') refs.push({ kind: 'Secret', name: ps, via: 'volume' });
    }
  }
  const containers = [...((spec.initContainers as Json[]) ?? []), ...((spec.containers as Json[]) ?? [])];
  for (const c of containers) {
    for (const e of (c.envFrom as Json[] | undefined) ?? []) {
      const cm = at(e, 'configMapRef.name');
      const s = at(e, 'secretRef.name');
      if (typeof cm === 'string') refs.push({ kind: 'ConfigMap', name: cm, via: 'env' });
      if (typeof s === 'string') refs.push({ kind: 'Secret', name: s, via: 'env' });
    }
    for (const e of (c.env as Json[] | undefined) ?? []) {
      const cm = at(e, 'valueFrom.configMapKeyRef.name');
      const s = at(e, 'valueFrom.secretKeyRef.name');
      if (typeof cm === 'string') refs.push({ kind: 'ConfigMap', name: cm, via: 'env' });
      if (typeof s === 'string') refs.push({ kind: 'Secret', name: s, via: 'env' });
    }
  }
  return refs;
}

/** Paths of the JSON patch between two values, list items shown by name where they have one. */
function changedPaths(a: unknown, b: unknown, prefix: string): string[] {
  const named = (root: unknown, pointer: string): string => {
    let v = root;
    const out: string[] = [];
    for (const seg of pointer.split('/').slice(1)) {
      const key = seg.replace(/~1/g, '/').replace(/~0/g, '~');
      if (Array.isArray(v)) {
        const item = v[Number(key)];
        const name = isObj(item) && typeof item.name === 'string' ? item.name : key;
        out[out.length - 1] += `[${name}]`;
        v = item;
      } else {
        out.push(key);
        v = isObj(v) ? v[key] : undefined;
      }
    }
    return [prefix, ...out].filter(Boolean).join('.');
  };
  return [...new Set(jsonPatch(a, b).map((op) => named(op.op === 'add' ? b : a, op.path)))];
}

// ---------------------------------------------------------------------------------------------------
// Mimir: replication, zones and flags, read from mimir.yaml and the containers' args.

const PLACEMENT_KEYS = ['replication_factor', 'zone_awareness_enabled', 'instance_availability_zone'];
const PLACEMENT_FLAGS = /(?:^|\.)(replication-factor|zone-awareness-enabled|instance-availability-zone)$/;

function placementSettings(yaml: unknown, prefix = ''): Map<string, unknown> {
  const out = new Map<string, unknown>();
  if (!isObj(yaml)) return out;
  for (const [k, v] of Object.entries(yaml)) {
    const path = prefix ? `${prefix}.${k}` : k;
    if (PLACEMENT_KEYS.includes(k)) out.set(path, v);
    else if (isObj(v)) for (const [p, x] of placementSettings(v, path)) out.set(p, x);
  }
  return out;
}

function mimirYaml(o: KubeObject): unknown {
  const text = at(o, 'data')
    ? (((o as Json).data as Record<string, string>)['mimir.yaml'] as string | undefined)
    : undefined;
  if (text === undefined) return undefined;
  try {
    return parseYamlDocuments(text)[0];
  } catch {
    return undefined;
  }
}

function flagsOf(args: unknown): Map<string, string> {
  const out = new Map<string, string>();
  if (!Array.isArray(args)) return out;
  for (const a of args) {
    if (typeof a !== 'string') continue;
    const m = /^--?([^=]+)(?:=(.*))?$/.exec(a);
    if (m) out.set(m[1], m[2] ?? 'true');
  }
  return out;
}

/** Common-prefix-and-suffix likeness of two flag names, for telling a rename from a removal. */
function similar(a: string, b: string): boolean {
  const pa = a.split(/[.-]/);
  const pb = b.split(/[.-]/);
  let same = 0;
  for (const p of pa) if (pb.includes(p)) same++;
  return same / Math.max(pa.length, pb.length) >= 0.6;
}

function mimirFlagReasons(before: KubeObject, after: KubeObject): Reason[] {
  const reasons: Reason[] = [];
  const cb = (at(before, 'spec.template.spec.containers') as Json[] | undefined) ?? [];
  const ca = (at(after, 'spec.template.spec.containers') as Json[] | undefined) ?? [];
  for (const c of ca) {
    const prev = cb.find((x) => x.name === c.name);
    if (!prev) continue;
    const fb = flagsOf(prev.args);
    const fa = flagsOf(c.args);
    if (!fb.has('target') && !fa.has('target') && !String(c.image ?? '').includes('mimir')) continue;
    const added = [...fa.keys()].filter((f) => !fb.has(f));
    for (const [flag, value] of fb) {
      if (PLACEMENT_FLAGS.test(flag) && fa.get(flag) !== value) {
        reasons.push({
          class: 'data-at-risk',
          field: `args -${flag}`,
          message: `-${flag} changes from ${value} to ${fa.get(flag) ?? '(Mimir default)'}: series move between ${flag.endsWith('zone') ? 'zones' : 'replicas'}`,
        });
        continue;
      }
      if (fa.has(flag)) continue;
      const to = added.find((f) => similar(flag, f));
      reasons.push({
        class: 'rolling',
        field: `args -${flag}`,
        message: to
          ? `container ${String(c.name)}: flag -${flag} renamed to -${to}`
          : `container ${String(c.name)}: flag -${flag}=${value} removed (Mimir falls back to its default)`,
      });
    }
    for (const flag of added) {
      if (PLACEMENT_FLAGS.test(flag))
        reasons.push({
          class: 'data-at-risk',
          field: `args -${flag}`,
          message: `-${flag}=${fa.get(flag)} set where Mimir's default applied: series move`,
        });
    }
  }
  return reasons;
}

// ---------------------------------------------------------------------------------------------------
// Per kind

interface Pair {
  before: KubeObject;
  after: KubeObject;
}

function workloadReasons({ before, after }: Pair, opts: ClassifyOptions, procedure: string[]): Reason[] {
  const reasons: Reason[] = [];
  const name = after.metadata?.name ?? '';
  const orphanDelete = `kubectl ${nsFlag(after)}delete ${kindArg(after)} ${name} --cascade=orphan`;
  const immutable =
    after.kind === 'StatefulSet'
      ? ['spec.selector', 'spec.serviceName', 'spec.podManagementPolicy', 'spec.volumeClaimTemplates']
      : ['spec.selector'];
  const recreateFields: string[] = [];
  for (const field of immutable) {
    if (!changed(before, after, field)) continue;
    if (field === 'spec.volumeClaimTemplates') {
      const tb = claimTemplates(before);
      const ta = claimTemplates(after);
      const names = (ts: Json[]) => ts.map((t) => String(at(t, 'metadata.name'))).sort();
      if (!deepEqual(names(tb), names(ta))) {
        const gone = names(tb).filter((n) => !names(ta).includes(n));
        reasons.push({
          class: gone.length ? 'data-at-risk' : 'recreate',
          field,
          message: gone.length
            ? `claim template ${gone.join(', ')} removed or renamed: claims ${claimNames(before)
                .filter((c) => gone.some((g) => c.startsWith(`${g}-`)))
                .join(', ')} are left behind with their data`
            : `a claim template is added: spec.volumeClaimTemplates is immutable`,
        });
        recreateFields.push(field);
        continue;
      }
      for (const t of ta) {
        const prev = tb.find((x) => at(x, 'metadata.name') === at(t, 'metadata.name'));
        const d = claimSpecChange(at(prev, 'spec'), at(t, 'spec'));
        const tn = String(at(t, 'metadata.name'));
        const claims = claimNames(before).filter((c) => c.startsWith(`${tn}-`));
        if (d.shrinks || d.other.length) {
          reasons.push({
            class: 'refused',
            field: `${field}[${tn}].${d.shrinks ? 'spec.resources.requests.storage' : d.other.join(', ')}`,
            message: `claim template ${tn}: ${d.shrinks ? 'storage shrinks' : `${d.other.join(', ')} changes`}; the existing claims (${claims.join(', ')}) cannot follow and would keep their old spec — moving the data to new volumes is a migration, not an apply`,
          });
        } else if (d.grows) {
          reasons.push({
            class: 'recreate',
            field: `${field}[${tn}].spec.resources.requests.storage`,
            message: `claim template ${tn}: storage grows from ${String(at(prev, 'spec.resources.requests.storage'))} to ${String(at(t, 'spec.resources.requests.storage'))}; spec.volumeClaimTemplates is immutable`,
          });
          procedure.push(
            ...claims.map(
              (c) =>
                `kubectl ${nsFlag(after)}patch pvc ${c} -p '{"spec":{"resources":{"requests":{"storage":"${String(at(t, 'spec.resources.requests.storage'))}"}}}}'   # the StorageClass must allow volume expansion`,
            ),
          );
        } else {
          reasons.push({ class: 'recreate', field, message: `claim template ${tn} changes; the field is immutable` });
        }
      }
      recreateFields.push(field);
      continue;
    }
    reasons.push({
      class: 'recreate',
      field,
      message: `${field} changes from ${JSON.stringify(at(before, field))} to ${JSON.stringify(at(after, field))}; the field is immutable`,
    });
    recreateFields.push(field);
  }
  if (recreateFields.length) {
    const selectorChanged = recreateFields.includes('spec.selector');
    procedure.unshift(orphanDelete, opts.applyCommand);
    if (selectorChanged) {
      // Orphaned pods no longer match the new selector: the new controller starts its own and the old
      // ones (and, for a Deployment, the old ReplicaSet) must go once the new ones are ready.
      const old = Object.entries((at(before, 'spec.selector.matchLabels') as Record<string, string>) ?? {})
        .map(([k, v]) => `${k}=${v}`)
        .join(',');
      // Selected by "no owner": the new controller's own objects carry the old labels too.
      const orphans = (kind: string) =>
        `$(kubectl ${nsFlag(after)}get ${kind} -l ${old} -o go-template='{{range .items}}{{if not .metadata.ownerReferences}}{{.metadata.name}} {{end}}{{end}}')`;
      procedure.push(
        after.kind === 'Deployment'
          ? `kubectl ${nsFlag(after)}delete replicaset ${orphans('replicaset')}   # the orphaned ReplicaSet and its pods, once the new pods are ready`
          : `kubectl ${nsFlag(after)}delete pod ${orphans('pod')}   # the orphaned pods: the StatefulSet then creates its own under the same names`,
      );
    }
  }
  if (changed(before, after, 'spec.template')) {
    const fields = changedPaths(at(before, 'spec.template'), at(after, 'spec.template'), 'spec.template');
    reasons.push({
      class: 'rolling',
      field: 'spec.template',
      message: `pod template changes: ${fields.slice(0, 4).join(', ')}${fields.length > 4 ? `, … (${fields.length})` : ''}`,
    });
  }
  reasons.push(...mimirFlagReasons(before, after));
  const rb = replicas(before);
  const ra = replicas(after);
  if (after.kind === 'StatefulSet' && ra < rb && claimTemplates(after).length) {
    const gone = claimNames(before, rb).filter((c) => !claimNames(after, ra).includes(c));
    reasons.push({
      class: 'data-at-risk',
      field: 'spec.replicas',
      message: `scales down from ${rb} to ${ra}: pods ${Array.from({ length: rb - ra }, (_, i) => `${name}-${ra + i}`).join(', ')} go and their claims (${gone.join(', ')}) stay unused; an ingester must flush first (POST /ingester/shutdown)`,
    });
  } else if (ra !== rb) {
    reasons.push({ class: 'in-place', field: 'spec.replicas', message: `replicas ${rb} → ${ra}` });
  }
  return reasons;
}

function jobReasons({ before, after }: Pair, opts: ClassifyOptions, procedure: string[]): Reason[] {
  // Of a Job's spec only these may change; everything else (template, selector, completions' mode) is fixed.
  const mutable = new Set([
    'parallelism',
    'activeDeadlineSeconds',
    'suspend',
    'ttlSecondsAfterFinished',
    'completions',
  ]);
  const fields = changedPaths(at(before, 'spec'), at(after, 'spec'), 'spec').filter(
    (f) => !mutable.has(f.split('.')[1]?.replace(/\[.*$/, '') ?? ''),
  );
  if (!fields.length) return [];
  procedure.push(`kubectl ${nsFlag(after)}delete job ${after.metadata?.name ?? ''}`, opts.applyCommand);
  return [
    {
      class: 'recreate',
      field: fields.some((f) => f.startsWith('spec.template')) ? 'spec.template' : fields[0],
      message: `${fields.slice(0, 3).join(', ')} changes; a Job's template is immutable — it runs again once recreated`,
    },
  ];
}

function serviceReasons({ before, after }: Pair, opts: ClassifyOptions, procedure: string[]): Reason[] {
  const reasons: Reason[] = [];
  const name = after.metadata?.name ?? '';
  const tb = (at(before, 'spec.type') as string | undefined) ?? 'ClusterIP';
  const ta = (at(after, 'spec.type') as string | undefined) ?? 'ClusterIP';
  const recreate: string[] = [];
  if (changed(before, after, 'spec.clusterIP') && !(ta === 'ExternalName' || tb === 'ExternalName'))
    recreate.push('spec.clusterIP');
  if (changed(before, after, 'spec.clusterIPs') && !(ta === 'ExternalName' || tb === 'ExternalName'))
    recreate.push('spec.clusterIPs');
  const fb = at(before, 'spec.ipFamilies') as string[] | undefined;
  const fa = at(after, 'spec.ipFamilies') as string[] | undefined;
  // The primary family is fixed once allocated; adding or dropping a secondary one is an update.
  if (fb?.[0] !== undefined && fa?.[0] !== undefined && fb[0] !== fa[0]) recreate.push('spec.ipFamilies');
  for (const field of recreate)
    reasons.push({
      class: 'recreate',
      field,
      message: `${field} changes from ${JSON.stringify(at(before, field))} to ${JSON.stringify(at(after, field))}; the field is immutable once allocated`,
    });
  if (recreate.length)
    procedure.push(
      `kubectl ${nsFlag(after)}delete service ${name}   # clients see no address until the apply`,
      opts.applyCommand,
    );
  if (tb !== ta)
    reasons.push({
      class: 'in-place',
      field: 'spec.type',
      message: `type ${tb} → ${ta}${ta === 'LoadBalancer' || tb === 'LoadBalancer' ? ' (an external address is allocated or released)' : ''}${tb === 'NodePort' || tb === 'LoadBalancer' ? ' (node ports are released)' : ''}`,
    });
  const rest = changedPaths(before, after, '').filter(
    (f) => !['spec.type', 'spec.clusterIP', 'spec.clusterIPs', 'spec.ipFamilies'].some((r) => f.startsWith(r)),
  );
  if (rest.length) reasons.push({ class: 'in-place', message: `${rest.slice(0, 4).join(', ')} change` });
  return reasons;
}

function claimReasons({ before, after }: Pair): Reason[] {
  const d = claimSpecChange(at(before, 'spec'), at(after, 'spec'));
  const reasons: Reason[] = [];
  if (d.shrinks || d.other.length)
    reasons.push({
      class: 'refused',
      field: d.shrinks ? 'spec.resources.requests.storage' : d.other.join(', '),
      message: `${d.shrinks ? 'storage shrinks' : `${d.other.join(', ')} changes`}: a bound claim cannot change this, and recreating it deletes its volume's data`,
    });
  else if (d.grows)
    reasons.push({
      class: 'in-place',
      field: 'spec.resources.requests.storage',
      message: `storage grows from ${String(at(before, 'spec.resources.requests.storage'))} to ${String(at(after, 'spec.resources.requests.storage'))} (the StorageClass must allow volume expansion)`,
    });
  const meta = changedPaths(at(before, 'metadata'), at(after, 'metadata'), 'metadata');
  if (meta.length) reasons.push({ class: 'in-place', message: `${meta.join(', ')} change` });
  return reasons;
}

// ---------------------------------------------------------------------------------------------------

interface Context {
  before: Map<string, KubeObject>;
  after: Map<string, KubeObject>;
  hashedBefore: Set<string>;
  hashedAfter: Set<string>;
  opts: ClassifyOptions;
}

/** Workloads (in the new output) that read a ConfigMap or Secret, and how. */
function consumers(ctx: Context, o: KubeObject): { workload: KubeObject; via: 'volume' | 'env' }[] {
  const out: { workload: KubeObject; via: 'volume' | 'env' }[] = [];
  for (const w of ctx.after.values()) {
    if ((w.metadata?.namespace ?? '') !== (o.metadata?.namespace ?? '')) continue;
    const refs = podReferences(w).filter((r) => r.kind === o.kind && r.name === o.metadata?.name);
    if (refs.length) out.push({ workload: w, via: refs.some((r) => r.via === 'env') ? 'env' : 'volume' });
  }
  return out;
}

function contentReasons(ctx: Context, pair: Pair, finding: Finding): Reason[] {
  const { before, after } = pair;
  const content = ['data', 'binaryData', 'stringData'].filter((k) => !deepEqual(before[k], after[k]));
  const reasons: Reason[] = [];
  const meta = changedPaths(at(before, 'metadata'), at(after, 'metadata'), 'metadata');
  if (meta.length) reasons.push({ class: 'in-place', message: `${meta.join(', ')} change` });
  if (!content.length) return reasons;
  const id = resourceId(after);
  const users = consumers(ctx, after);
  const keys = [
    ...new Set(
      content.flatMap((k) => {
        const a = (before[k] as Record<string, unknown> | undefined) ?? {};
        const b = (after[k] as Record<string, unknown> | undefined) ?? {};
        return [...new Set([...Object.keys(a), ...Object.keys(b)])].filter((x) => !deepEqual(a[x], b[x]));
      }),
    ),
  ];
  if (after.kind === 'ConfigMap' && ctx.hashedAfter.has(id)) {
    finding.pods.push(...users.flatMap((u) => podsOf(u.workload)));
    reasons.push({
      class: users.length ? 'rolling' : 'in-place',
      field: 'data',
      message: `${keys.join(', ')} change: the hash-suffixed name changes, so ${users.length ? users.map((u) => refOf(u.workload)).join(', ') : 'no workload'} roll${users.length === 1 ? 's' : ''} to the new copy`,
    });
  } else {
    const env = users.filter((u) => u.via === 'env');
    const mounted = users.filter((u) => u.via === 'volume');
    if (mounted.length)
      reasons.push({
        class: 'in-place',
        field: 'data',
        message: `${keys.join(', ')} change in place: the kubelet updates the files mounted by ${mounted.map((u) => refOf(u.workload)).join(', ')} within a minute (Mimir reloads its runtime overrides)`,
      });
    if (env.length) {
      finding.pods.push(...env.flatMap((u) => podsOf(u.workload)));
      finding.procedure.push(
        ctx.opts.applyCommand,
        ...env.map(
          (u) =>
            `kubectl ${nsFlag(u.workload)}rollout restart ${kindArg(u.workload)}/${u.workload.metadata?.name ?? ''}`,
        ),
      );
      reasons.push({
        class: 'rolling',
        field: 'data',
        message: `${keys.join(', ')} change: ${env.map((u) => refOf(u.workload)).join(', ')} read it into environment variables and only see it after a restart`,
      });
    }
    if (!users.length) reasons.push({ class: 'in-place', field: 'data', message: `${keys.join(', ')} change` });
  }
  const yb = mimirYaml(before);
  const ya = mimirYaml(after);
  // Both must parse: a file that does not is reported by the build's checks, not guessed at here.
  if (yb !== undefined && ya !== undefined) {
    const pb = placementSettings(yb);
    const pa = placementSettings(ya);
    for (const path of new Set([...pb.keys(), ...pa.keys()])) {
      if (deepEqual(pb.get(path), pa.get(path))) continue;
      reasons.push({
        class: 'data-at-risk',
        field: `mimir.yaml ${path}`,
        message: `mimir.yaml ${path}: ${JSON.stringify(pb.get(path) ?? '(default)')} → ${JSON.stringify(pa.get(path) ?? '(default)')}: ${path.endsWith('replication_factor') ? 'each series goes to a different number of replicas, so data written before and after lives on different ingesters' : 'the zone layout changes, so series move between zones'}; flush the ingesters (POST /ingester/flush) before the change and keep the old pods' claims until their blocks are in object storage`,
      });
    }
  }
  return reasons;
}

/** A finding for `o` with no reasons yet: in place until a reason says otherwise. */
function findingFor(o: KubeObject, change: Finding['change']): Finding {
  return {
    ref: refOf(o),
    kind: o.kind,
    namespace: o.metadata?.namespace,
    name: o.metadata?.name ?? '',
    change,
    class: 'in-place',
    reasons: [],
    pods: [],
    procedure: [],
  };
}

function changedFinding(ctx: Context, pair: Pair): Finding {
  const { after } = pair;
  const finding = findingFor(after, 'changed');
  let reasons: Reason[];
  if (WORKLOADS.has(after.kind)) {
    reasons = workloadReasons(pair, ctx.opts, finding.procedure);
    if (reasons.some((r) => r.class === 'rolling')) finding.pods.push(...podsOf(after));
  } else if (after.kind === 'Job') reasons = jobReasons(pair, ctx.opts, finding.procedure);
  else if (after.kind === 'Service') reasons = serviceReasons(pair, ctx.opts, finding.procedure);
  else if (after.kind === 'PersistentVolumeClaim') reasons = claimReasons(pair);
  else if (after.kind === 'ConfigMap' || after.kind === 'Secret') reasons = contentReasons(ctx, pair, finding);
  else reasons = [];
  // Fields a reason already explains, list positions left out (`[0]` and `[data]` are the same item).
  const bare = (f: string) => f.replace(/\[[^\]]*\]/g, '');
  const covered = new Set(reasons.map((r) => r.field && bare(r.field)).filter(Boolean));
  if (WORKLOADS.has(after.kind) || after.kind === 'Job') {
    const rest = changedPaths(pair.before, after, '').filter(
      (f) => ![...covered].some((c) => c && bare(f).startsWith(c)) && !f.startsWith('spec.template'),
    );
    if (rest.length) reasons.push({ class: 'in-place', message: `${rest.slice(0, 4).join(', ')} change` });
  }
  if (!reasons.length)
    reasons.push({
      class: 'in-place',
      message: `${changedPaths(pair.before, after, '').slice(0, 4).join(', ')} change`,
    });
  finding.reasons = reasons;
  finding.class = worst(reasons);
  finding.pods = [...new Set(finding.pods)];
  finding.procedure = [...new Set(finding.procedure)];
  if (finding.class === 'recreate' && after.kind === 'Job') finding.argocd = 'Force=true,Replace=true';
  return finding;
}

function stem(name: string): string {
  return name.replace(/-(zone-?[a-z0-9]+|[a-z0-9]{1,3}|v\d+)$/, '');
}

/** The StatefulSet the removed one `o` most likely became: same claim templates and component label. */
function renamedTo(o: KubeObject, added: KubeObject[]): KubeObject | undefined {
  const templates = claimTemplates(o)
    .map((t) => at(t, 'metadata.name'))
    .sort();
  const component = o.metadata?.labels?.['app.kubernetes.io/component'];
  return added.find(
    (a) =>
      a.kind === 'StatefulSet' &&
      (a.metadata?.namespace ?? '') === (o.metadata?.namespace ?? '') &&
      deepEqual(
        claimTemplates(a)
          .map((t) => at(t, 'metadata.name'))
          .sort(),
        templates,
      ) &&
      ((component !== undefined && a.metadata?.labels?.['app.kubernetes.io/component'] === component) ||
        stem(a.metadata?.name ?? '') === stem(o.metadata?.name ?? '')),
  );
}

function removedFinding(ctx: Context, o: KubeObject, addedSets: KubeObject[]): Finding {
  const finding = findingFor(o, 'removed');
  if (o.kind === 'StatefulSet' && claimTemplates(o).length) {
    const to = renamedTo(o, addedSets);
    const claims = claimNames(o);
    finding.reasons.push({
      class: 'data-at-risk',
      message: to
        ? `renamed to ${to.metadata?.name ?? ''}: its pods start with new, empty claims (${claimNames(to).join(', ')}) while ${claims.join(', ')} keep the data nobody serves`
        : `removed with its data: claims ${claims.join(', ')} are left behind`,
    });
    finding.procedure.push(
      ...(to
        ? [
            `# keep the old name: set the new StatefulSet's name back to ${o.metadata?.name ?? ''}, or migrate:`,
            `# scale ${o.metadata?.name ?? ''} down one pod at a time after it flushed (ingesters: POST /ingester/shutdown),`,
            `# then apply; delete the old claims only when their blocks are in object storage`,
          ]
        : [
            `# flush first (ingesters: POST /ingester/shutdown on every pod), then apply;`,
            `kubectl ${nsFlag(o)}delete pvc ${claims.join(' ')}   # only when the data is no longer needed`,
          ]),
    );
    finding.argocd = 'Prune=false';
  } else if (o.kind === 'PersistentVolumeClaim') {
    finding.reasons.push({ class: 'data-at-risk', message: 'the claim is pruned and its volume with it' });
    finding.argocd = 'Prune=false';
  } else if (o.kind === 'ConfigMap' && ctx.hashedBefore.has(resourceId(o))) {
    finding.reasons.push({ class: 'in-place', message: 'generated ConfigMap removed; its hashed copies are pruned' });
  } else {
    finding.reasons.push({ class: 'in-place', message: `${o.kind} removed (pruned)` });
  }
  finding.class = worst(finding.reasons);
  return finding;
}

function addedFinding(o: KubeObject): Finding {
  return { ...findingFor(o, 'added'), reasons: [{ class: 'in-place', message: `new ${o.kind}` }] };
}

/**
 * Classifies every object that differs between two deployed sets: the committed output (or the live
 * cluster) before, the fresh render after. Pure; sorted by class (most severe first), then by ref.
 */
export function classifyChanges(
  before: DeployedObjects,
  after: DeployedObjects,
  options: Partial<ClassifyOptions> = {},
): Finding[] {
  const ctx: Context = {
    before: new Map(before.objects.map((o) => [resourceId(o), o])),
    after: new Map(after.objects.map((o) => [resourceId(o), o])),
    hashedBefore: before.hashed,
    hashedAfter: after.hashed,
    opts: { applyCommand: options.applyCommand ?? 'kubectl apply --server-side -k out/<env>' },
  };
  const findings: Finding[] = [];
  const addedSets = [...ctx.after.entries()].filter(([id]) => !ctx.before.has(id)).map(([, o]) => o);
  for (const [id, o] of ctx.after) {
    const prev = ctx.before.get(id);
    if (!prev) findings.push(addedFinding(o));
    else if (!deepEqual(prev, o)) findings.push(changedFinding(ctx, { before: prev, after: o }));
  }
  for (const [id, o] of ctx.before) if (!ctx.after.has(id)) findings.push(removedFinding(ctx, o, addedSets));
  // A stateful rename is reported on the removed object; the added one says where its data should come from.
  for (const f of findings) {
    if (f.change !== 'added' || f.kind !== 'StatefulSet') continue;
    const from = findings.find(
      (r) => r.change === 'removed' && r.reasons[0]?.message.startsWith(`renamed to ${f.name}:`),
    );
    if (from) {
      f.reasons = [{ class: 'data-at-risk', message: `takes over from ${from.ref} with empty claims` }];
      f.class = 'data-at-risk';
    }
  }
  return findings.sort(
    (a, b) => CLASS_ORDER.indexOf(b.class) - CLASS_ORDER.indexOf(a.class) || compareText(a.ref, b.ref),
  );
}

/** Findings of a blocking class whose object `--allow` does not name. */
export function blocked(findings: Finding[], allow: readonly string[]): Finding[] {
  const allowed = new Set(allow.map((a) => a.toLowerCase()));
  return findings.filter((f) => BLOCKING.has(f.class) && !allowed.has(f.ref.toLowerCase()));
}
