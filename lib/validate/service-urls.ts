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
export function serviceAddress(url: string, defaultNamespace: string, clusterDomain?: string): ServiceAddress | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url.includes('://') ? url : `http://${url}`);
  } catch {
    return undefined;
  }
  const labels = parsed.hostname.split('.');
  const svcAt = labels.indexOf('svc');
  if (labels.length > 1 && svcAt !== 2) return undefined;
  if (svcAt === 2 && clusterDomain !== undefined && labels.length > 3 && labels.slice(3).join('.') !== clusterDomain) return undefined;
  const port = parsed.port ? Number(parsed.port) : parsed.protocol === 'https:' ? 443 : 80;
  return { service: labels[0], namespace: labels.length > 1 ? labels[1] : defaultNamespace, port };
}

/**
 * "Every DNS name in a config resolves to a rendered Service and port": a problem when the URL names a
 * cluster Service that the tree does not render, or a port that Service does not expose.
 */
export function serviceUrlProblem(ctx: ValidationContext, entry: TreeEntry, url: string, pointer: string, clusterDomain?: string): Problem | undefined {
  const address = serviceAddress(url, entry.object.metadata?.namespace ?? '', clusterDomain);
  if (!address) return undefined;
  const services = ctx.entries.filter((e) => e.object.kind === 'Service' && (e.object.metadata?.namespace ?? '') === address.namespace);
  const service = services.find((e) => e.object.metadata?.name === address.service);
  if (!service) {
    return problemAt(ctx, entry, {
      pointer,
      message: `${url} names Service "${address.service}" in namespace ${address.namespace}, which is not rendered`,
      hint: didYouMean(address.service, services.map((e) => e.object.metadata?.name ?? '')) ?? 'enable the component that serves it, or fix the address',
    });
  }
  const ports = ((service.object.spec as { ports?: { port: number; name?: string }[] } | undefined)?.ports ?? []);
  if (!ports.some((p) => p.port === address.port)) {
    return problemAt(ctx, entry, {
      pointer,
      message: `${url} uses port ${address.port}, which Service "${address.service}" does not expose`,
      expected: ports.map((p) => `${p.port}${p.name ? ` (${p.name})` : ''}`).join(', ') || 'a port',
      found: String(address.port),
    });
  }
  return undefined;
}
