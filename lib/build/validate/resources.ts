import type { Problem } from '../../core/problems.js';
import { compareQuantities, parseQuantityExact, quantityForm, type Quantity } from '../../core/quantity.js';
import { allContainers, pods, problemAt, type Rule } from '../../core/checks/context.js';

type ResourceList = Record<string, unknown>;

/** Where a workload's resources come from in config, for hints: `mimir.ingester.statefulSet` → `config.mimir.ingester.resources`. */
function configHint(group: string, component: string): string {
  return group === 'mimir' ? `config.mimir.${component}.resources` : `config.observability.${component}.resources`;
}

/**
 * Every quantity the API server would parse — container requests and limits, volume claim sizes — must be
 * one, must not be negative, and a container's limit must not be below its request (the API server
 * refuses such a pod: "must be less than or equal to … limit").
 */
export const resourcesRule: Rule = (ctx) => {
  const out: Problem[] = [];
  const checkList = (
    list: unknown,
    pointer: string,
    report: (p: Omit<Problem, 'path' | 'object' | 'source'>) => void,
    hint: string,
  ): Map<string, Quantity> => {
    const parsed = new Map<string, Quantity>();
    if (list === null || typeof list !== 'object') return parsed;
    for (const [resource, value] of Object.entries(list as ResourceList)) {
      const at = `${pointer}/${resource}`;
      const r = parseQuantityExact(value);
      if (r.error !== undefined) {
        report({
          pointer: at,
          message: `invalid ${resource} quantity: ${r.error}`,
          expected: quantityForm,
          found: JSON.stringify(value),
          hint: r.hint ? `${r.hint} (${hint})` : `fix it in ${hint}`,
        });
        continue;
      }
      if (r.quantity.numerator < 0n) {
        report({
          pointer: at,
          message: `${resource} must not be negative`,
          expected: 'zero or more',
          found: JSON.stringify(value),
          hint: `fix it in ${hint}`,
        });
        continue;
      }
      parsed.set(resource, r.quantity);
    }
    return parsed;
  };

  for (const pod of pods(ctx.entries)) {
    const hint = configHint(pod.entry.group, pod.entry.component);
    // Pod-level resources (newer Kubernetes): the schema leaves their quantities to this rule too.
    const podResources = (pod.spec as { resources?: { requests?: ResourceList; limits?: ResourceList } }).resources;
    if (podResources) {
      const report = (p: Omit<Problem, 'path' | 'object' | 'source'>) => out.push(problemAt(ctx, pod.entry, p));
      checkList(podResources.requests, `${pod.pointer}/spec/resources/requests`, report, hint);
      checkList(podResources.limits, `${pod.pointer}/spec/resources/limits`, report, hint);
    }
    for (const { container, pointer } of allContainers(pod.spec)) {
      const at = `${pod.pointer}${pointer}/resources`;
      const report = (p: Omit<Problem, 'path' | 'object' | 'source'>) => out.push(problemAt(ctx, pod.entry, p));
      const requests = checkList(container.resources?.requests, `${at}/requests`, report, hint);
      const limits = checkList(container.resources?.limits, `${at}/limits`, report, hint);
      for (const [resource, limit] of limits) {
        const request = requests.get(resource);
        if (request === undefined || compareQuantities(request, limit) <= 0) continue;
        report({
          pointer: `${at}/limits/${resource}`,
          message: `${resource} limit ${limit.text} of container "${container.name}" is below its request ${request.text}; the API server refuses the pod`,
          expected: `a limit of at least ${request.text}`,
          found: limit.text,
          hint: `raise the limit or lower the request in ${hint}`,
        });
      }
    }
  }

  for (const e of ctx.entries) {
    const report = (p: Omit<Problem, 'path' | 'object' | 'source'>) => out.push(problemAt(ctx, e, p));
    if (e.object.kind === 'PersistentVolumeClaim') {
      const spec = e.object.spec as { resources?: { requests?: ResourceList } } | undefined;
      checkList(spec?.resources?.requests, '/spec/resources/requests', report, 'the volume size in config');
    }
    if (e.object.kind === 'StatefulSet') {
      const templates =
        (
          e.object.spec as
            { volumeClaimTemplates?: { spec?: { resources?: { requests?: ResourceList } } }[] } | undefined
        )?.volumeClaimTemplates ?? [];
      templates.forEach((t, i) =>
        checkList(
          t.spec?.resources?.requests,
          `/spec/volumeClaimTemplates/${i}/spec/resources/requests`,
          report,
          `config.${e.group}.${e.component}.storage.size`,
        ),
      );
    }
  }
  return out;
};
