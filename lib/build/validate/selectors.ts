import type { Problem } from '../../core/problems.js';
import { treePath } from '../../core/tree.js';
import { matches, pods, problemAt, type PodView, type Rule } from '../../core/checks/context.js';

type Spec = {
  selector?: { matchLabels?: Record<string, string> } | Record<string, string>;
  ports?: { name?: string; port: number; targetPort?: string | number }[];
  clusterIP?: string;
};

/**
 * The long-running pods of each namespace, and an index from one label (namespace, key, value) to the
 * pods carrying it, both in tree order: a selector is matched against the pods that carry its rarest
 * label instead of against every pod, which keeps the rule linear in the number of objects.
 */
function podIndex(allPods: PodView[]): {
  inNamespace(ns: string): PodView[];
  selectedBy(ns: string, selector: Record<string, string>): PodView[];
} {
  const byNamespace = new Map<string, PodView[]>();
  const byLabel = new Map<string, PodView[]>();
  const push = (map: Map<string, PodView[]>, key: string, pod: PodView) => {
    const list = map.get(key);
    if (list) list.push(pod);
    else map.set(key, [pod]);
  };
  for (const pod of allPods) {
    if (pod.entry.object.kind === 'Job') continue;
    const ns = pod.entry.object.metadata?.namespace ?? '';
    push(byNamespace, ns, pod);
    for (const [k, v] of Object.entries(pod.labels)) push(byLabel, JSON.stringify([ns, k, v]), pod);
  }
  return {
    inNamespace: (ns) => byNamespace.get(ns) ?? [],
    selectedBy: (ns, selector) => {
      let candidates: PodView[] | undefined;
      for (const [k, v] of Object.entries(selector)) {
        // Only a string can equal a label value; anything else is matched the slow way, with the same result.
        if (typeof v !== 'string') return (byNamespace.get(ns) ?? []).filter((p) => matches(selector, p.labels));
        const list = byLabel.get(JSON.stringify([ns, k, v])) ?? [];
        if (!candidates || list.length < candidates.length) candidates = list;
      }
      return (candidates ?? []).filter((p) => matches(selector, p.labels));
    },
  };
}

/**
 * Selectors that match nothing are the classic silent failure: a Service with no endpoints, a PDB that
 * protects nothing, a workload whose selector the API server rejects.
 */
export const selectorsRule: Rule = (ctx) => {
  const out: Problem[] = [];
  const allPods = pods(ctx.entries);
  for (const pod of allPods) {
    const kind = pod.entry.object.kind;
    if (kind === 'Job') continue;
    const selector = (pod.entry.object.spec as Spec | undefined)?.selector as
      { matchLabels?: Record<string, string> } | undefined;
    const matchLabels = selector?.matchLabels ?? {};
    if (Object.keys(matchLabels).length === 0)
      out.push(
        problemAt(ctx, pod.entry, { pointer: '/spec/selector/matchLabels', message: `${kind} has no selector labels` }),
      );
    for (const [k, v] of Object.entries(matchLabels)) {
      if (pod.labels[k] !== v)
        out.push(
          problemAt(ctx, pod.entry, {
            pointer: `/spec/template/metadata/labels/${k}`,
            message: 'selector label missing from the pod template',
            expected: JSON.stringify(v),
            found: pod.labels[k] === undefined ? 'nothing' : JSON.stringify(pod.labels[k]),
            hint: 'the API server rejects a workload whose selector does not match its own template',
          }),
        );
    }
  }
  const index = podIndex(allPods);
  for (const e of ctx.entries) {
    const ns = e.object.metadata?.namespace ?? '';
    if (e.object.kind === 'Service') {
      const spec = e.object.spec as Spec | undefined;
      const selector = (spec?.selector ?? {}) as Record<string, string>;
      if (Object.keys(selector).length === 0) {
        out.push(
          problemAt(ctx, e, {
            pointer: '/spec/selector',
            message: 'Service has no selector',
            hint: 'every Service of the stack selects the pods of a workload',
          }),
        );
        continue;
      }
      const selected = index.selectedBy(ns, selector);
      if (selected.length === 0) {
        out.push(
          problemAt(ctx, e, {
            pointer: '/spec/selector',
            message: 'Service selects no workload',
            found: JSON.stringify(selector),
            hint: `labels of the workloads in namespace ${ns}: ${
              index
                .inNamespace(ns)
                .map((p) => `${treePath(p.entry)}`)
                .join(', ') || 'none'
            }`,
          }),
        );
        continue;
      }
      (spec?.ports ?? []).forEach((port, i) => {
        const target = port.targetPort ?? port.port;
        const served = selected.some((p) =>
          p.spec.containers.some((c) =>
            (c.ports ?? []).some((cp) =>
              typeof target === 'string' ? cp.name === target : cp.containerPort === target,
            ),
          ),
        );
        if (!served)
          out.push(
            problemAt(ctx, e, {
              pointer: `/spec/ports/${i}/targetPort`,
              message: `no selected pod exposes targetPort ${JSON.stringify(target)}`,
              hint: `selected workloads: ${selected.map((p) => treePath(p.entry)).join(', ')}`,
            }),
          );
      });
    }
    if (e.object.kind === 'PodDisruptionBudget') {
      const selector =
        ((e.object.spec as Spec | undefined)?.selector as { matchLabels?: Record<string, string> } | undefined)
          ?.matchLabels ?? {};
      if (index.selectedBy(ns, selector).length === 0)
        out.push(
          problemAt(ctx, e, {
            pointer: '/spec/selector/matchLabels',
            message: 'PodDisruptionBudget selects no workload',
            found: JSON.stringify(selector),
          }),
        );
    }
  }
  for (const pod of allPods) {
    const constraints = pod.spec.topologySpreadConstraints ?? [];
    constraints.forEach((t, i) => {
      const sel = t.labelSelector?.matchLabels ?? {};
      if (!matches(sel, pod.labels))
        out.push(
          problemAt(ctx, pod.entry, {
            pointer: `${pod.pointer}/spec/topologySpreadConstraints/${i}/labelSelector`,
            message: "topology spread selector does not match the workload's own pods",
            found: JSON.stringify(sel),
          }),
        );
    });
    const anti = pod.spec.affinity?.podAntiAffinity;
    const terms = [
      ...(anti?.requiredDuringSchedulingIgnoredDuringExecution ?? []),
      ...(anti?.preferredDuringSchedulingIgnoredDuringExecution ?? []).map((w) => w.podAffinityTerm),
    ];
    terms.forEach((t) => {
      const sel = t.labelSelector?.matchLabels ?? {};
      if (!matches(sel, pod.labels))
        out.push(
          problemAt(ctx, pod.entry, {
            pointer: `${pod.pointer}/spec/affinity/podAntiAffinity`,
            message: "anti-affinity selector does not match the workload's own pods",
            found: JSON.stringify(sel),
          }),
        );
    });
  }
  return out;
};
