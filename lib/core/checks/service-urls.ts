import type { Problem } from '../problems.js';
import { didYouMean } from '../suggest.js';
import type { TreeEntry } from '../tree.js';
import { problemAt, type ValidationContext } from './context.js';

/** An address inside the cluster: `<service>`, `<service>.<namespace>` or `<service>.<namespace>.svc[.<domain>]`. */
export interface ServiceAddress {
  service: string;
  namespace: string;
  port: number;
}

/**
 * The Service a URL (or `host:port`) points to, or undefined for an address outside the cluster.
 * Only names that are unambiguously cluster DNS count: a single label, or a name with `.svc`.
 */
export function serviceAddress(
  url: string,
  defaultNamespace: string,
  clusterDomain?: string,
): ServiceAddress | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url.includes('://') ? url : `http://${url}`);
  } catch {
    return undefined;
  }
  const labels = parsed.hostname.split('.');
  const svcAt = labels.indexOf('svc');
  if (labels.length > 1 && svcAt !== 2) return undefined;
  // Past the check above, a name of more than one label has `svc` third.
  if (clusterDomain !== undefined && labels.length > 3 && labels.slice(3).join('.') !== clusterDomain) return undefined;
  const port = parsed.port ? Number(parsed.port) : parsed.protocol === 'https:' ? 443 : 80;
  return { service: labels[0], namespace: labels.length > 1 ? labels[1] : defaultNamespace, port };
}

/** What an address asks of a Service: a port number, or (for a DNS SRV name) a port name. */
export interface ServiceReference {
  service: string;
  namespace: string;
  port?: number;
  portName?: string;
}

/**
 * "Every DNS name in a config resolves to a rendered Service and port": a problem when the reference
 * names a Service the tree does not render, or a port that Service does not expose. `shown` is the
 * address as the config wrote it.
 */
export function serviceReferenceProblem(
  ctx: ValidationContext,
  entry: TreeEntry,
  ref: ServiceReference,
  shown: string,
  pointer: string,
): Problem | undefined {
  const services = ctx.entries.filter(
    (e) => e.object.kind === 'Service' && (e.object.metadata?.namespace ?? '') === ref.namespace,
  );
  const service = services.find((e) => e.object.metadata?.name === ref.service);
  if (!service) {
    return problemAt(ctx, entry, {
      pointer,
      message: `${shown} names Service "${ref.service}" in namespace ${ref.namespace}, which is not rendered`,
      hint:
        didYouMean(
          ref.service,
          services.map((e) => e.object.metadata?.name ?? ''),
        ) ?? 'enable the component that serves it, or fix the address',
    });
  }
  const ports = (service.object.spec as { ports?: { port: number; name?: string }[] } | undefined)?.ports ?? [];
  const expected = ports.map((p) => `${p.port}${p.name ? ` (${p.name})` : ''}`).join(', ') || 'a port';
  if (ref.port !== undefined && !ports.some((p) => p.port === ref.port)) {
    return problemAt(ctx, entry, {
      pointer,
      message: `${shown} uses port ${ref.port}, which Service "${ref.service}" does not expose`,
      expected,
      found: String(ref.port),
    });
  }
  if (ref.portName !== undefined && !ports.some((p) => p.name === ref.portName)) {
    return problemAt(ctx, entry, {
      pointer,
      message: `${shown} looks up port "${ref.portName}", which Service "${ref.service}" does not name`,
      expected,
      found: ref.portName,
    });
  }
  return undefined;
}

/** The same check for a URL or `host:port` (a URL without a port means 80, or 443 for https). */
export function serviceUrlProblem(
  ctx: ValidationContext,
  entry: TreeEntry,
  url: string,
  pointer: string,
  clusterDomain?: string,
): Problem | undefined {
  const address = serviceAddress(url, entry.object.metadata?.namespace ?? '', clusterDomain);
  return address ? serviceReferenceProblem(ctx, entry, address, url, pointer) : undefined;
}
