import type { Problem } from '../problems.js';
import { treePath } from '../tree.js';
import { matches, pods, problemAt, type Rule } from './context.js';

type Spec = { selector?: { matchLabels?: Record<string, string> } | Record<string, string>; ports?: { name?: string; port: number; targetPort?: string | number }[]; clusterIP?: string };

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
    const selector = (pod.entry.object.spec as Spec | undefined)?.selector as { matchLabels?: Record<string, string> } | undefined;
    const matchLabels = selector?.matchLabels ?? {};
    if (Object.keys(matchLabels).length === 0) out.push(problemAt(ctx, pod.entry, { pointer: '/spec/selector/matchLabels', message: `${kind} has no selector labels` }));
    for (const [k, v] of Object.entries(matchLabels)) {
      if (pod.labels[k] !== v) out.push(problemAt(ctx, pod.entry, { pointer: `/spec/template/metadata/labels/${k}`, message: 'selector label missing from the pod template', expected: JSON.stringify(v), found: pod.labels[k] === undefined ? 'nothing' : JSON.stringify(pod.labels[k]), hint: 'the API server rejects a workload whose selector does not match its own template' }));
    }
  }
  for (const e of ctx.entries) {
    const ns = e.object.metadata?.namespace ?? '';
    const samens = allPods.filter((p) => (p.entry.object.metadata?.namespace ?? '') === ns && p.entry.object.kind !== 'Job');
    if (e.object.kind === 'Service') {
      const spec = e.object.spec as Spec | undefined;
      const selector = (spec?.selector ?? {}) as Record<string, string>;
      if (Object.keys(selector).length === 0) {
        out.push(problemAt(ctx, e, { pointer: '/spec/selector', message: 'Service has no selector', hint: 'every Service of the stack selects the pods of a workload' }));
        continue;
      }
      const selected = samens.filter((p) => matches(selector, p.labels));
      if (selected.length === 0) {
        out.push(problemAt(ctx, e, { pointer: '/spec/selector', message: 'Service selects no workload', found: JSON.stringify(selector), hint: `labels of the workloads in namespace ${ns}: ${samens.map((p) => `${treePath(p.entry)}`).join(', ') || 'none'}` }));
        continue;
      }
      (spec?.ports ?? []).forEach((port, i) => {
        const target = port.targetPort ?? port.port;
        const served = selected.some((p) => p.spec.containers.some((c) => (c.ports ?? []).some((cp) => (typeof target === 'string' ? cp.name === target : cp.containerPort === target))));
        if (!served) out.push(problemAt(ctx, e, { pointer: `/spec/ports/${i}/targetPort`, message: `no selected pod exposes targetPort ${JSON.stringify(target)}`, hint: `selected workloads: ${selected.map((p) => treePath(p.entry)).join(', ')}` }));
      });
    }
    if (e.object.kind === 'PodDisruptionBudget') {
      const selector = ((e.object.spec as Spec | undefined)?.selector as { matchLabels?: Record<string, string> } | undefined)?.matchLabels ?? {};
      if (!samens.some((p) => matches(selector, p.labels))) out.push(problemAt(ctx, e, { pointer: '/spec/selector/matchLabels', message: 'PodDisruptionBudget selects no workload', found: JSON.stringify(selector) }));
    }
  }
  for (const pod of allPods) {
    const constraints = pod.spec.topologySpreadConstraints ?? [];
    constraints.forEach((t, i) => {
      const sel = t.labelSelector?.matchLabels ?? {};
      if (!matches(sel, pod.labels)) out.push(problemAt(ctx, pod.entry, { pointer: `${pod.pointer}/spec/topologySpreadConstraints/${i}/labelSelector`, message: "topology spread selector does not match the workload's own pods", found: JSON.stringify(sel) }));
    });
    const anti = pod.spec.affinity?.podAntiAffinity;
    const terms = [...(anti?.requiredDuringSchedulingIgnoredDuringExecution ?? []), ...(anti?.preferredDuringSchedulingIgnoredDuringExecution ?? []).map((w) => w.podAffinityTerm)];
    terms.forEach((t) => {
      const sel = t.labelSelector?.matchLabels ?? {};
      if (!matches(sel, pod.labels)) out.push(problemAt(ctx, pod.entry, { pointer: `${pod.pointer}/spec/affinity/podAntiAffinity`, message: "anti-affinity selector does not match the workload's own pods", found: JSON.stringify(sel) }));
    });
  }
  return out;
};
