import type { Problem } from '../../core/problems.js';
import { resourceId, treePath } from '../../core/tree.js';
import { allContainers, isNamespaced, pods, problemAt, type Rule } from '../../core/checks/context.js';
import { nameProblem } from './name-formats.js';

const labelValue = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
/** IANA service name: ≤ 15 chars, lowercase letters, digits and single inner dashes, at least one letter. */
const ianaSvcName = /^[a-z0-9]([a-z0-9]|-(?=[a-z0-9]))*$/;

export function isPortName(name: string): boolean {
  return name.length > 0 && name.length <= 15 && ianaSvcName.test(name) && /[a-z]/.test(name);
}

/** Object names (DNS-1123; Services DNS-1035 labels), label values, port names and duplicate ids. */
export const namesRule: Rule = (ctx) => {
  const out: Problem[] = [];
  const seen = new Map<string, string>();
  for (const e of ctx.entries) {
    const o = e.object;
    const name = o.metadata?.name ?? '';
    const id = resourceId(o);
    const earlier = seen.get(id);
    if (earlier)
      out.push(
        problemAt(ctx, e, {
          message: `duplicate object: ${treePath(e)} and ${earlier} render the same ${o.kind} "${name}"`,
          hint: 'rename one of them; the build never lets one object overwrite another',
        }),
      );
    seen.set(id, treePath(e));
    const invalid = nameProblem(o.kind, name);
    if (invalid) out.push(problemAt(ctx, e, { pointer: '/metadata/name', ...invalid }));
    if (isNamespaced(o) && !o.metadata?.namespace)
      out.push(
        problemAt(ctx, e, {
          pointer: '/metadata/namespace',
          message: `namespaced ${o.kind} has no namespace`,
          hint: 'set config.namespace',
        }),
      );
    else if (o.metadata?.namespace) {
      const invalidNamespace = nameProblem('Namespace', o.metadata.namespace);
      if (invalidNamespace)
        out.push(
          problemAt(ctx, e, {
            pointer: '/metadata/namespace',
            ...invalidNamespace,
            message: invalidNamespace.message.replace(/Namespace name/, 'namespace'),
          }),
        );
    }
    for (const [k, v] of Object.entries(o.metadata?.labels ?? {})) {
      if (typeof v !== 'string' || v.length > 63 || !labelValue.test(v))
        out.push(
          problemAt(ctx, e, {
            pointer: `/metadata/labels/${k}`,
            message: 'invalid label value',
            expected:
              'at most 63 characters: letters, digits, "-", "_", "." starting and ending with a letter or digit',
            found: JSON.stringify(v),
          }),
        );
    }
    if (o.kind === 'Service') {
      const ports = (o.spec as { ports?: { name?: string }[] } | undefined)?.ports ?? [];
      ports.forEach((p, i) => {
        if (p.name !== undefined && !isPortName(p.name))
          out.push(
            problemAt(ctx, e, {
              pointer: `/spec/ports/${i}/name`,
              message: 'invalid port name',
              expected:
                'an IANA service name: at most 15 lowercase letters, digits and inner single dashes, with at least one letter',
              found: JSON.stringify(p.name),
            }),
          );
      });
      const names = ports.map((p) => p.name);
      if (ports.length > 1 && names.some((n) => !n))
        out.push(
          problemAt(ctx, e, { pointer: '/spec/ports', message: 'a Service with several ports must name every port' }),
        );
    }
  }
  for (const pod of pods(ctx.entries)) {
    for (const { container, pointer } of allContainers(pod.spec)) {
      const portNames = new Set<string>();
      (container.ports ?? []).forEach((p, i) => {
        if (p.name === undefined) return;
        const at = `${pod.pointer}${pointer}/ports/${i}/name`;
        if (!isPortName(p.name))
          out.push(
            problemAt(ctx, pod.entry, {
              pointer: at,
              message: 'invalid port name',
              expected:
                'an IANA service name: at most 15 lowercase letters, digits and inner single dashes, with at least one letter',
              found: JSON.stringify(p.name),
            }),
          );
        if (portNames.has(p.name))
          out.push(
            problemAt(ctx, pod.entry, {
              pointer: at,
              message: `duplicate port name "${p.name}" in container "${container.name}"`,
            }),
          );
        portNames.add(p.name);
      });
      const envNames = new Set<string>();
      (container.env ?? []).forEach((v, i) => {
        if (envNames.has(v.name))
          out.push(
            problemAt(ctx, pod.entry, {
              pointer: `${pod.pointer}${pointer}/env/${i}/name`,
              message: `duplicate env var "${v.name}" in container "${container.name}"`,
            }),
          );
        envNames.add(v.name);
      });
    }
  }
  return out;
};
