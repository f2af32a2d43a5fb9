import type { KubeObject } from '../core/k8s/types.js';
import type { Problem } from '../core/problems.js';
import { treePath, type TreeEntry } from '../core/tree.js';
import type { RenderedTree } from './render.js';

/**
 * Argo CD sync options that follow from how a change to each kind is classified (lib/build/diff).
 * Applied in `finalise`, which the public entry loads: so this module lives beside render, not in gitops/.
 *
 * - a StatefulSet with claim templates holds data: removing or renaming it is "data at risk", so Argo
 *   CD must never prune it on its own (`Prune=false`) — with `automated.prune` it would delete an
 *   ingester the moment a rename reaches Git. Its removal is done by hand, after the flush the
 *   procedure names;
 * - `Replace=true` (and `Force=true`) only on a Job, the one kind whose every spec change is a
 *   recreate and whose recreation loses nothing (it runs again). Never on the Application, never on a
 *   workload: replacing a StatefulSet deletes its pods, and an immutable field fails a replace anyway.
 */
export const SYNC_OPTIONS = 'argocd.argoproj.io/sync-options';

const RECREATE_OPTIONS = /(^|,)\s*(Replace|Force)=true\s*(,|$)/;

function options(o: KubeObject): string[] {
  const v = o.metadata?.annotations?.[SYNC_OPTIONS];
  return v ? v.split(',').map((s) => s.trim()) : [];
}

function holdsData(o: KubeObject): boolean {
  const spec = o.spec as { volumeClaimTemplates?: unknown[] } | undefined;
  return o.kind === 'StatefulSet' && (spec?.volumeClaimTemplates?.length ?? 0) > 0;
}

/** `o` with `Prune=false` among its sync options when it holds data (an explicit `Prune=` is kept). */
export function withSyncOptions<T extends KubeObject>(o: T): T {
  if (!holdsData(o)) return o;
  const current = options(o);
  if (current.some((x) => x.startsWith('Prune='))) return o;
  return {
    ...o,
    metadata: {
      ...o.metadata,
      annotations: { ...o.metadata?.annotations, [SYNC_OPTIONS]: [...current, 'Prune=false'].join(',') },
    },
  };
}

/**
 * `obj` with each own property that is set through `f`, as the same type (an absent component stays
 * absent). The keys are cast back from the strings `Object.keys` widens them to.
 */
function mapValues<T extends object>(obj: T, f: (v: T[keyof T]) => T[keyof T]): T {
  const out = { ...obj };
  for (const k of Object.keys(obj) as (keyof T)[]) if (obj[k] !== undefined) out[k] = f(obj[k]);
  return out;
}

/** Every object of the tree through `withSyncOptions`; objects it leaves alone keep their identity. */
export function treeWithSyncOptions(tree: RenderedTree): RenderedTree {
  return mapValues(tree, (group) => mapValues(group, (component) => mapValues(component, (o) => withSyncOptions(o))));
}

/** Recreate options where recreate is not the intended path, and a data holder Argo CD may prune. */
export function syncOptionProblems(entries: TreeEntry[], source: string): Problem[] {
  const problems: Problem[] = [];
  for (const e of entries) {
    const value = e.object.metadata?.annotations?.[SYNC_OPTIONS] ?? '';
    if (e.object.kind !== 'Job' && RECREATE_OPTIONS.test(value))
      problems.push({
        source,
        path: treePath(e),
        message: `${e.object.kind} ${e.object.metadata?.name ?? ''} has sync option ${value}: Argo CD would delete and recreate it on every change`,
        found: value,
        hint: 'only a Job is recreated by design; for an immutable field of another kind run the procedure `--diff` prints',
      });
    if (holdsData(e.object) && options(e.object).includes('Prune=true'))
      problems.push({
        source,
        path: treePath(e),
        message: `StatefulSet ${e.object.metadata?.name ?? ''} holds data but lets Argo CD prune it`,
        found: value,
        hint: 'remove Prune=true: removing a StatefulSet with claims is done by hand, after a flush',
      });
  }
  return problems;
}
