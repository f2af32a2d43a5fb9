import type { Container, KubeObject, PodSpec, Volume } from '../k8s/types.js';
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

export function problemAt(ctx: ValidationContext, e: TreeEntry, p: Omit<Problem, 'path' | 'object' | 'source'>): Problem {
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
    const spec = entry.object.spec as { template?: { metadata?: { labels?: Record<string, string> }; spec?: PodSpec } } | undefined;
    if (!spec?.template?.spec) continue;
    out.push({ entry, pointer: '/spec/template', labels: spec.template.metadata?.labels ?? {}, spec: spec.template.spec });
  }
  return out;
}

export function allContainers(spec: PodSpec): { container: Container; pointer: string }[] {
  return [
    ...(spec.initContainers ?? []).map((container, i) => ({ container, pointer: `/spec/initContainers/${i}` })),
    ...(spec.containers ?? []).map((container, i) => ({ container, pointer: `/spec/containers/${i}` })),
  ];
}

export function volumes(spec: PodSpec): Volume[] {
  return spec.volumes ?? [];
}

export function isNamespaced(o: KubeObject): boolean {
  return !clusterScopedKinds.has(o.kind);
}

export function matches(selector: Record<string, string>, labels: Record<string, string>): boolean {
  const keys = Object.keys(selector);
  return keys.length > 0 && keys.every((k) => labels[k] === selector[k]);
}

export function namesOfKind(entries: TreeEntry[], kind: string, namespace?: string): Set<string> {
  return new Set(
    entries
      .filter((e) => e.object.kind === kind && (namespace === undefined || (e.object.metadata?.namespace ?? '') === namespace))
      .map((e) => e.object.metadata?.name ?? ''),
  );
}
