import type { Container, KubeObject, PodSpec } from '../k8s/types.js';
import { clusterScopedKinds, objectId } from '../k8s/types.js';
import type { Problem } from '../problems.js';
import type { TreeEntry } from '../tree.js';
import { treePath } from '../tree.js';

/** What every rule sees: the flattened tree plus names created outside the library. */
export interface ValidationContext {
  entries: TreeEntry[];
  source?: string;
  /** Secrets the environment declares as provided outside this library. */
  existingSecrets: ReadonlySet<string>;
}

export type Rule = (ctx: ValidationContext) => Problem[];

export function problemAt(
  ctx: ValidationContext,
  e: TreeEntry,
  p: Omit<Problem, 'path' | 'object' | 'source'>,
): Problem {
  return { source: ctx.source, path: treePath(e), object: objectId(e.object), ...p };
}

export interface PodView {
  entry: TreeEntry;
  /** JSON pointer of the pod template, e.g. `/spec/template`. */
  pointer: string;
  labels: Record<string, string>;
  spec: PodSpec;
}

const podTemplateKinds = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'Job', 'ReplicaSet']);

/** Pod templates of every workload in the tree. */
export function pods(entries: TreeEntry[]): PodView[] {
  const out: PodView[] = [];
  for (const entry of entries) {
    if (!podTemplateKinds.has(entry.object.kind)) continue;
    const spec = entry.object.spec as
      { template?: { metadata?: { labels?: Record<string, string> }; spec?: PodSpec } } | undefined;
    if (!spec?.template?.spec) continue;
    out.push({
      entry,
      pointer: '/spec/template',
      labels: spec.template.metadata?.labels ?? {},
      spec: spec.template.spec,
    });
  }
  return out;
}

export function allContainers(spec: PodSpec): { container: Container; pointer: string }[] {
  return [
    ...(spec.initContainers ?? []).map((container, i) => ({ container, pointer: `/spec/initContainers/${i}` })),
    ...(spec.containers ?? []).map((container, i) => ({ container, pointer: `/spec/containers/${i}` })),
  ];
}

export function isNamespaced(o: KubeObject): boolean {
  return !clusterScopedKinds.has(o.kind);
}

export function matches(selector: Record<string, string>, labels: Record<string, string>): boolean {
  const keys = Object.keys(selector);
  return keys.length > 0 && keys.every((k) => labels[k] === selector[k]);
}

/**
 * `namesOfKind` for many lookups over one set of entries: the entries are grouped by kind once and each
 * (kind, namespace) set is built on first use, so rules that look up names per pod stay linear.
 */
export function namesIndex(entries: TreeEntry[]): (kind: string, namespace?: string) => Set<string> {
  const byKind = new Map<string, TreeEntry[]>();
  for (const e of entries) {
    const list = byKind.get(e.object.kind);
    if (list) list.push(e);
    else byKind.set(e.object.kind, [e]);
  }
  const sets = new Map<string, Set<string>>();
  return (kind, namespace) => {
    const key = namespace === undefined ? `${kind}\0*` : `${kind}\0=${namespace}`;
    let names = sets.get(key);
    if (!names) {
      names = namesOfKind(byKind.get(kind) ?? [], kind, namespace);
      sets.set(key, names);
    }
    return names;
  };
}

export function namesOfKind(entries: TreeEntry[], kind: string, namespace?: string): Set<string> {
  return new Set(
    entries
      .filter(
        (e) =>
          e.object.kind === kind && (namespace === undefined || (e.object.metadata?.namespace ?? '') === namespace),
      )
      .map((e) => e.object.metadata?.name ?? ''),
  );
}
