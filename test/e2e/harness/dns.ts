import type { Service } from '../../../lib/core/k8s/types.js';
import { selects } from './manifest.js';
import type { PodPlan } from './plan.js';

export interface ARecord {
  name: string;
  ip: string;
}
export interface SrvRecord {
  name: string;
  target: string;
  port: number;
}

export interface ServiceEndpoints {
  service: string;
  headless: boolean;
  /** `spec.publishNotReadyAddresses`: the Service lists its pods whether ready or not. */
  publishNotReady: boolean;
  /** Every pod the selector picks. */
  selected: string[];
  /** The pods DNS answers with: the selected ones that are ready, or all of them when the Service publishes not-ready addresses. */
  pods: string[];
  /** Service port → the pods' port, when they differ: without kube-proxy a client of the Service port fails. */
  portMismatches: string[];
}

export interface ClusterDns {
  a: ARecord[];
  srv: SrvRecord[];
  endpoints: ServiceEndpoints[];
}

/**
 * The records cluster DNS would serve for the rendered Services, with endpoints taken from the harness's pods
 * by each Service's selector. Without kube-proxy a ClusterIP Service name resolves to its pods' addresses
 * (as a headless Service's does). As the endpoints controller does, only ready pods are listed, unless the
 * Service sets `publishNotReadyAddresses` (then every selected pod is). `ready` holds the names of ready pods.
 */
export function clusterDns(
  svcs: Service[],
  pods: PodPlan[],
  namespace: string,
  clusterDomain: string,
  dnsServerIp: string,
  ready: ReadonlySet<string>,
): ClusterDns {
  const a: ARecord[] = [{ name: `kube-dns.kube-system.svc.${clusterDomain}`, ip: dnsServerIp }];
  const srv: SrvRecord[] = [];
  const endpoints: ServiceEndpoints[] = [];
  for (const s of svcs) {
    const name = s.metadata?.name ?? '';
    const fqdn = `${name}.${namespace}.svc.${clusterDomain}`;
    const headless = s.spec?.clusterIP === 'None';
    const publishNotReady = s.spec?.publishNotReadyAddresses === true;
    const all = pods.filter((p) => selects(s.spec?.selector, p.labels));
    const selected = all.filter((p) => publishNotReady || ready.has(p.name));
    const mismatches: string[] = [];
    for (const port of s.spec?.ports ?? []) {
      for (const p of all) {
        const target = typeof port.targetPort === 'string' ? p.ports[port.targetPort] : (port.targetPort ?? port.port);
        if (target !== port.port)
          mismatches.push(
            `${port.name ?? port.port}: ${port.port} → pod ${p.name} port ${target ?? `"${port.targetPort}" (not a port of the pod)`}`,
          );
      }
    }
    endpoints.push({
      service: name,
      headless,
      publishNotReady,
      selected: all.map((p) => p.name),
      pods: selected.map((p) => p.name),
      portMismatches: mismatches,
    });
    for (const p of selected) {
      a.push({ name: fqdn, ip: p.ip });
      a.push({ name: `${name}.${namespace}.svc`, ip: p.ip });
    }
    for (const port of s.spec?.ports ?? []) {
      if (!port.name) continue;
      const proto = (port.protocol ?? 'TCP').toLowerCase();
      const srvName = `_${port.name}._${proto}.${fqdn}`;
      if (!headless) {
        if (selected.length) srv.push({ name: srvName, target: fqdn, port: port.port });
        continue;
      }
      for (const p of selected) {
        // A StatefulSet pod governed by this Service is named by its hostname; any other pod by its dashed address.
        const host =
          p.workload.kind === 'StatefulSet' && p.workload.serviceName === name ? p.name : p.ip.replace(/\./g, '-');
        const target = `${host}.${fqdn}`;
        const targetPort =
          typeof port.targetPort === 'string' ? p.ports[port.targetPort] : (port.targetPort ?? port.port);
        srv.push({ name: srvName, target, port: targetPort ?? port.port });
        if (!a.some((r) => r.name === target)) a.push({ name: target, ip: p.ip });
      }
    }
  }
  return { a, srv, endpoints };
}

export function hostsFile(records: ARecord[]): string {
  return records.map((r) => `${r.ip} ${r.name}`).join('\n') + '\n';
}

export interface DnsmasqPaths {
  hostsDir: string;
  log: string;
  pid: string;
}

export function dnsmasqConf(
  dns: ClusterDns,
  listen: string,
  namespace: string,
  clusterDomain: string,
  paths: DnsmasqPaths,
): string {
  return [
    'port=53',
    `listen-address=${listen}`,
    'bind-interfaces',
    'no-resolv',
    'no-hosts',
    'no-poll',
    `hostsdir=${paths.hostsDir}`,
    // Unknown names inside the cluster's zones are NXDOMAIN, not forwarded (there is no upstream).
    `local=/${clusterDomain}/`,
    `local=/${namespace}.svc/`,
    'domain-needed',
    ...dns.srv.map((r) => `srv-host=${r.name},${r.target},${r.port},0,100`),
    'log-queries',
    `log-facility=${paths.log}`,
    `pid-file=${paths.pid}`,
    'user=root',
    'group=root',
    '',
  ].join('\n');
}

/** A pod's resolv.conf, as the kubelet writes it for `dnsPolicy: ClusterFirst`. */
export function resolvConf(namespace: string, clusterDomain: string, nameserver: string): string {
  return `search ${namespace}.svc.${clusterDomain} svc.${clusterDomain} ${clusterDomain}\nnameserver ${nameserver}\noptions ndots:5\n`;
}
