import type { Problem } from '../../core/problems.js';
import { didYouMean } from '../../core/suggest.js';
import type { TreeEntry } from '../../core/tree.js';
import { allContainers, pods, problemAt, type Rule } from '../../core/checks/context.js';
import { serviceReferenceProblem } from '../../core/checks/service-urls.js';

/** `[_port._tcp.]<service>.<namespace>.svc[.<domain>][:port]` anywhere in a string. */
const address =
  /(?:_([a-z0-9-]+)\._tcp\.)?\b([a-z0-9](?:[-a-z0-9]*[a-z0-9])?)\.([a-z0-9](?:[-a-z0-9]*[a-z0-9])?)\.svc(?:\.[a-z0-9-]+)*(?::(\d+))?/g;

function texts(e: TreeEntry): { pointer: string; text: string }[] {
  const out: { pointer: string; text: string }[] = [];
  if (e.object.kind === 'ConfigMap') {
    for (const [key, text] of Object.entries((e.object.data as Record<string, string> | undefined) ?? {}))
      out.push({ pointer: `/data/${key}`, text });
  }
  return out;
}

/**
 * Every in-cluster address written into a generated file, a flag or an env var — Mimir's YAML,
 * nginx.conf, Grafana's data sources, Alloy's config — names a rendered Service that exposes the port
 * (or, for a DNS SRV name `_<port>._tcp.`, the named port). Namespaces the tree does not render (such as
 * kube-system) are outside its knowledge and not checked.
 */
export const serviceAddressesRule: Rule = (ctx) => {
  const namespaces = new Set(ctx.entries.map((e) => e.object.metadata?.namespace ?? '').filter(Boolean));
  const out: Problem[] = [];
  const check = (e: TreeEntry, pointer: string, text: string) => {
    for (const m of text.matchAll(address)) {
      const [found, portName, service, namespace, port] = m;
      if (!namespaces.has(namespace)) continue;
      const ref = {
        service,
        namespace,
        ...(port !== undefined ? { port: Number(port) } : {}),
        ...(portName !== undefined ? { portName } : {}),
      };
      const problem = serviceReferenceProblem(ctx, e, ref, found, pointer);
      if (problem) out.push(problem);
    }
  };
  for (const e of ctx.entries) for (const t of texts(e)) check(e, t.pointer, t.text);
  for (const pod of pods(ctx.entries)) {
    for (const { container, pointer } of allContainers(pod.spec)) {
      const at = `${pod.pointer}${pointer}`;
      (container.args ?? []).forEach((a, i) => check(pod.entry, `${at}/args/${i}`, a));
      (container.command ?? []).forEach((a, i) => check(pod.entry, `${at}/command/${i}`, a));
      (container.env ?? []).forEach(
        (v, i) => v.value !== undefined && check(pod.entry, `${at}/env/${i}/value`, v.value),
      );
      // Probes address the container itself: a named probe port must be one of its ports.
      for (const probe of ['readinessProbe', 'livenessProbe', 'startupProbe'] as const) {
        const p = container[probe];
        const port = p?.httpGet?.port ?? p?.tcpSocket?.port ?? p?.grpc?.port;
        const names = (container.ports ?? []).map((cp) => cp.name);
        if (typeof port === 'string' && !names.includes(port)) {
          out.push(
            problemAt(ctx, pod.entry, {
              pointer: `${at}/${probe}`,
              message: `${probe} uses port "${port}", which container "${container.name}" does not name`,
              hint: didYouMean(
                port,
                names.filter((n): n is string => !!n),
              ),
            }),
          );
        }
      }
    }
  }
  return out;
};
