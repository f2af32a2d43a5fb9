import type { Problem } from '../../core/problems.js';
import type { TreeEntry } from '../../core/tree.js';
import { allContainers, pods, problemAt, type Rule, type ValidationContext } from '../../core/checks/context.js';

/**
 * Numbers the API server refuses although their type is right: the object schemas say "integer", the
 * API server's validation says which integers. Ports are 1–65535, node ports 30000–32767 by default,
 * replicas and the disruption budget's counts are not negative.
 */
interface Range {
  min: number;
  max: number;
  expected: string;
}

const port: Range = { min: 1, max: 65535, expected: 'a port number from 1 to 65535' };
const nodePort: Range = {
  min: 30000,
  max: 32767,
  expected: "a node port in the API server's default range, 30000 to 32767",
};
const count: Range = { min: 0, max: Number.MAX_SAFE_INTEGER, expected: 'a whole number, 0 or more' };

function outside(value: unknown, r: Range): boolean {
  return typeof value === 'number' && (!Number.isInteger(value) || value < r.min || value > r.max);
}

function check(
  ctx: ValidationContext,
  e: TreeEntry,
  out: Problem[],
  value: unknown,
  pointer: string,
  what: string,
  r: Range,
): void {
  if (!outside(value, r)) return;
  out.push(
    problemAt(ctx, e, {
      pointer,
      message: `${what} ${String(value)} is out of range; the API server refuses the object`,
      expected: r.expected,
      found: String(value),
      hint: `set ${what} in the config or the override that produced it`,
    }),
  );
}

interface ServicePort {
  port?: unknown;
  targetPort?: unknown;
  nodePort?: unknown;
}

export const rangesRule: Rule = (ctx) => {
  const out: Problem[] = [];
  for (const pod of pods(ctx.entries)) {
    for (const { container, pointer } of allContainers(pod.spec)) {
      (container.ports ?? []).forEach((p, i) => {
        const at = `${pod.pointer}${pointer}/ports/${i}`;
        check(ctx, pod.entry, out, p.containerPort, `${at}/containerPort`, 'containerPort', port);
        check(ctx, pod.entry, out, p.hostPort, `${at}/hostPort`, 'hostPort', port);
      });
    }
  }
  for (const e of ctx.entries) {
    const spec = e.object.spec as Record<string, unknown> | undefined;
    if (!spec) continue;
    if (['Deployment', 'StatefulSet', 'ReplicaSet'].includes(e.object.kind))
      check(ctx, e, out, spec.replicas, '/spec/replicas', 'replicas', count);
    if (e.object.kind === 'PodDisruptionBudget') {
      check(ctx, e, out, spec.minAvailable, '/spec/minAvailable', 'minAvailable', count);
      check(ctx, e, out, spec.maxUnavailable, '/spec/maxUnavailable', 'maxUnavailable', count);
    }
    if (e.object.kind === 'Service') {
      ((spec.ports as ServicePort[] | undefined) ?? []).forEach((p, i) => {
        check(ctx, e, out, p.port, `/spec/ports/${i}/port`, 'port', port);
        check(ctx, e, out, p.targetPort, `/spec/ports/${i}/targetPort`, 'targetPort', port);
        check(ctx, e, out, p.nodePort, `/spec/ports/${i}/nodePort`, 'nodePort', nodePort);
      });
    }
  }
  return out;
};
