/**
 * One memcached cache, as the mimir-distributed chart and the jsonnet library render it: a StatefulSet
 * (stable pod names, so the DNS SRV targets Mimir's client hashes keys over stay put across restarts)
 * with a memcached-exporter sidecar, a headless Service whose named port the client discovers by SRV,
 * and a disruption budget. Each of the four caches is a `CacheSpec`; `cacheComponent` turns one into a
 * registry descriptor (`component.ts`).
 */
import type { JsonObject, MimirConfig, MimirStackConfig } from '../config.js';
import { container, httpProbe, tcpProbe } from '../../core/k8s/container.js';
import { selectorLabels } from '../../core/k8s/meta.js';
import { pdbFor } from '../../core/k8s/objects.js';
import { serviceFor } from '../../core/k8s/service.js';
import type { PodDisruptionBudget, Service, StatefulSet } from '../../core/k8s/types.js';
import { restrictedPodSecurityContext, statefulSet } from '../../core/k8s/workload.js';
import { syncWave, syncWaves } from '../../core/k8s/waves.js';
import { serviceHost } from '../../core/config.js';
import type { Endpoint, StackView } from '../../core/registry.js';
import { mergeYaml } from '../../core/merge.js';
import type { MimirCacheConfig, MimirCachesConfig } from './config.js';

export const memcachedPorts = { client: 11211, metrics: 9150 } as const;

/**
 * Port names, the same on the container and the Service: `memcached` is the SRV name Mimir's client
 * looks up (`_memcached._tcp.<service>`). The chart's `memcached-client` is one character longer than
 * the 15 an IANA service name (a container port name) allows.
 */
export const memcachedPortNames = { client: 'memcached', metrics: 'http-metrics' } as const;

export const memcachedContainer = 'memcached';
export const exporterContainer = 'exporter';

/** The images run as this user (`memcache` in the official image); restricted pod security needs a non-root id. */
const uid = 11211;

/** memcached's hash table and per-connection buffers on top of `-m`: the chart sizes the container at `-m` × 1.2. */
export const memoryOverheadFactor = 1.2;

/** The Mimir components that open connections to a cache (keys of `config.mimir`). */
export type CacheClient = 'storeGateway' | 'querier' | 'queryFrontend' | 'ruler' | 'compactor';

/** What distinguishes one cache from another. */
export interface CacheSpec<K extends string = string> {
  /** Key in the tree (`mimir.<key>`) and in the stack view. */
  key: K;
  /** Object name of the StatefulSet, Service and budget, e.g. `chunks-cache`. */
  name: string;
  /** Its slice of `config.mimir.caches`. */
  slice: keyof MimirCachesConfig;
  description: string;
  /** Where its client block lives in `mimir.yaml`, e.g. `blocks_storage.bucket_store.chunks_cache`. */
  yamlPath: readonly string[];
  /** Settings next to the client block that switch the cache on (e.g. `frontend.cache_results`), as a `mimir.yaml` partial. */
  switches?: JsonObject;
  /** Mimir components whose pods each keep a connection pool to every memcached pod. */
  clients: readonly CacheClient[];
}

export interface CacheParts {
  statefulSet: StatefulSet;
  service: Service;
  pdb: PodDisruptionBudget;
}

export function cacheSettings(c: MimirStackConfig, spec: CacheSpec): MimirCacheConfig {
  return c.mimir.caches[spec.slice];
}

/** Memory request and limit of the memcached container in MiB: `-m` plus the overhead. */
export function containerMemoryMiB(memoryMiB: number): number {
  return Math.ceil(memoryMiB * memoryOverheadFactor);
}

/** memcached's args: item memory, largest item, connection limit, port, and verbose errors in the log. */
export function memcachedArgs(s: MimirCacheConfig): string[] {
  return [
    '-m',
    String(s.memoryMiB),
    '-I',
    `${s.maxItemSizeMiB}m`,
    '-c',
    String(s.connectionLimit),
    '-p',
    String(memcachedPorts.client),
    '-v',
  ];
}

function cacheStatefulSet(c: MimirStackConfig, spec: CacheSpec): StatefulSet {
  const s = cacheSettings(c, spec);
  const memory = `${containerMemoryMiB(s.memoryMiB)}Mi`;
  const memcached = container({
    name: memcachedContainer,
    image: c.images.memcached,
    // The image's entrypoint script only prepends `memcached` to args starting with a dash: say it outright.
    command: ['memcached'],
    args: memcachedArgs(s),
    ports: { [memcachedPortNames.client]: memcachedPorts.client },
    resources: { requests: { cpu: s.cpu, memory }, limits: { memory } },
    readinessProbe: tcpProbe(memcachedPortNames.client, { initialDelaySeconds: 2, periodSeconds: 5 }),
    livenessProbe: tcpProbe(memcachedPortNames.client, { initialDelaySeconds: 10 }),
  });
  const exporter = container({
    name: exporterContainer,
    image: c.images.memcachedExporter,
    args: [
      `--memcached.address=localhost:${memcachedPorts.client}`,
      `--web.listen-address=0.0.0.0:${memcachedPorts.metrics}`,
    ],
    ports: { [memcachedPortNames.metrics]: memcachedPorts.metrics },
    resources: { requests: { cpu: '50m', memory: '50Mi' }, limits: { memory: '250Mi' } },
    readinessProbe: httpProbe('/metrics', memcachedPortNames.metrics, { initialDelaySeconds: 5 }),
  });
  return statefulSet({
    name: spec.name,
    namespace: c.namespace,
    annotations: syncWave(syncWaves.mimir),
    selector: selectorLabels(spec.name, 'memcached', c.partOf),
    replicas: s.replicas,
    serviceName: spec.name,
    pod: {
      containers: [memcached, exporter],
      securityContext: restrictedPodSecurityContext(uid, uid),
      terminationGracePeriodSeconds: 30,
    },
  });
}

function cacheService(sts: StatefulSet): Service {
  return serviceFor(sts, { headless: true, annotations: syncWave(syncWaves.mimir) });
}

export function renderCache(c: MimirStackConfig, spec: CacheSpec): CacheParts {
  const sts = cacheStatefulSet(c, spec);
  return { statefulSet: sts, service: cacheService(sts), pdb: pdbFor(sts, 1) };
}

/** The endpoint Mimir's client discovers: the headless Service's `memcached` port. */
export function cacheEndpoint(spec: CacheSpec): Endpoint {
  return { service: spec.name, port: memcachedPorts.client, portName: memcachedPortNames.client };
}

/**
 * The address Mimir's memcached client resolves: a DNS SRV lookup of the named port
 * (`dnssrvnoa+_<port>._tcp.<service>…`, the jsonnet library's form), whose targets are the pods'
 * stable names and ports, so keys stay on the same pod when another one restarts.
 */
export function cacheAddress(c: MimirStackConfig, e: Endpoint): string {
  return `dnssrvnoa+_${e.portName}._tcp.${serviceHost(c, e.service)}`;
}

function nest(path: readonly string[], leaf: JsonObject): JsonObject {
  return path.reduceRight<JsonObject>((inner, key) => ({ [key]: inner }), leaf);
}

/** The cache's part of `mimir.yaml`: its client block and any switch next to it. */
export function cacheYaml(c: MimirStackConfig, spec: CacheSpec, stack: StackView): JsonObject {
  const s = cacheSettings(c, spec);
  const block = nest(spec.yamlPath, {
    backend: 'memcached',
    memcached: {
      addresses: cacheAddress(c, stack.endpoint(spec.key, 'client')),
      max_item_size: s.maxItemSizeMiB * 1024 * 1024,
      timeout: s.timeout,
      max_idle_connections: s.maxIdleConnections,
    },
  });
  return spec.switches ? mergeYaml(block, spec.switches) : block;
}

/** Pods of Mimir components that connect to the cache, by the config's replicas. */
export function clientPods(m: MimirConfig, spec: CacheSpec): { component: CacheClient; replicas: number }[] {
  return spec.clients
    .filter((k) => k !== 'ruler' || m.ruler.enabled)
    .map((component) => ({ component, replicas: m[component].replicas }));
}
