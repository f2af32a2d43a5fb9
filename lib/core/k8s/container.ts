import { parseQuantityExact } from '../quantity.js';
import type {
  Container,
  ContainerPort,
  EnvVar,
  Probe,
  ResourceRequirements,
  SecurityContext,
  VolumeMount,
} from './types.js';

/** A flag value; `null` removes a flag that a lower layer set (Jsonnet's `flag: null`). */
export type FlagValue = string | number | boolean | null;
export type Flags = Record<string, FlagValue>;

/**
 * Flags as a map, rendered as sorted `-key=value` args, so overriding one flag is a map merge rather
 * than an array rewrite. Keys are written without the leading dash.
 */
export function mapToFlags(flags: Flags): string[] {
  const dashed = Object.keys(flags).filter((k) => k.startsWith('-'));
  if (dashed.length > 0) {
    throw new Error(
      `flag keys are written without the leading dash: ${dashed.map((k) => `"${k}"`).join(', ')} (write "${dashed[0].replace(/^-+/, '')}")`,
    );
  }
  return Object.keys(flags)
    .filter((k) => flags[k] !== null)
    .sort()
    .map((k) => `-${k}=${String(flags[k])}`);
}

export interface ResourceSpec {
  requests: { cpu: string; memory: string };
  limits?: { cpu?: string; memory?: string };
}

export function resources(r: ResourceSpec): ResourceRequirements {
  const out: ResourceRequirements = { requests: { cpu: r.requests.cpu, memory: r.requests.memory } };
  const limits: Record<string, string> = {};
  if (r.limits?.cpu) limits.cpu = r.limits.cpu;
  if (r.limits?.memory) limits.memory = r.limits.memory;
  if (Object.keys(limits).length > 0) out.limits = limits;
  return out;
}

/** `{ http: 8080 }` → named TCP container ports, in the order given. */
export function ports(named: Record<string, number>): ContainerPort[] {
  return Object.entries(named).map(([name, containerPort]) => ({ name, containerPort, protocol: 'TCP' }));
}

export type EnvSource =
  string | { secret: string; key: string; optional?: boolean } | { configMap: string; key: string } | { field: string };

/** Env as a map; values are literal strings or references to Secret/ConfigMap keys. Sorted by name. */
export function env(vars: Record<string, EnvSource>): EnvVar[] {
  return Object.keys(vars)
    .sort()
    .map((name): EnvVar => {
      const v = vars[name];
      if (typeof v === 'string') return { name, value: v };
      if ('secret' in v) {
        const ref: { name: string; key: string; optional?: boolean } = { name: v.secret, key: v.key };
        if (v.optional !== undefined) ref.optional = v.optional;
        return { name, valueFrom: { secretKeyRef: ref } };
      }
      if ('configMap' in v) return { name, valueFrom: { configMapKeyRef: { name: v.configMap, key: v.key } } };
      return { name, valueFrom: { fieldRef: { fieldPath: v.field } } };
    });
}

export function httpProbe(path: string, port: string | number, opts: Partial<Probe> = {}): Probe {
  return {
    httpGet: { path, port },
    initialDelaySeconds: 10,
    periodSeconds: 10,
    timeoutSeconds: 1,
    failureThreshold: 3,
    ...opts,
  };
}

export function tcpProbe(port: string | number, opts: Partial<Probe> = {}): Probe {
  return {
    tcpSocket: { port },
    initialDelaySeconds: 10,
    periodSeconds: 10,
    timeoutSeconds: 1,
    failureThreshold: 3,
    ...opts,
  };
}

/** Pod Security Standards "restricted" for a container. */
export function restrictedContainerSecurityContext(readOnlyRootFilesystem = true): SecurityContext {
  return {
    allowPrivilegeEscalation: false,
    capabilities: { drop: ['ALL'] },
    readOnlyRootFilesystem,
    runAsNonRoot: true,
    seccompProfile: { type: 'RuntimeDefault' },
  };
}

export interface ContainerSpec {
  name: string;
  image: string;
  args?: string[];
  command?: string[];
  ports?: Record<string, number>;
  env?: Record<string, EnvSource>;
  envFrom?: Container['envFrom'];
  resources: ResourceSpec;
  readinessProbe?: Probe;
  livenessProbe?: Probe;
  startupProbe?: Probe;
  volumeMounts?: VolumeMount[];
  /** Some images write to their own file system; everything else gets a read-only root. */
  readOnlyRootFilesystem?: boolean;
  workingDir?: string;
}

/** A container with requests and the restricted security context; nothing empty is emitted. */
export function container(c: ContainerSpec): Container {
  const out: Container = { name: c.name, image: c.image, imagePullPolicy: 'IfNotPresent' };
  if (c.command?.length) out.command = [...c.command];
  if (c.args?.length) out.args = [...c.args];
  if (c.workingDir) out.workingDir = c.workingDir;
  if (c.ports && Object.keys(c.ports).length > 0) out.ports = ports(c.ports);
  if (c.env && Object.keys(c.env).length > 0) out.env = env(c.env);
  if (c.envFrom?.length) out.envFrom = c.envFrom;
  out.resources = resources(c.resources);
  if (c.readinessProbe) out.readinessProbe = c.readinessProbe;
  if (c.livenessProbe) out.livenessProbe = c.livenessProbe;
  if (c.startupProbe) out.startupProbe = c.startupProbe;
  if (c.volumeMounts?.length) out.volumeMounts = c.volumeMounts;
  out.securityContext = restrictedContainerSecurityContext(c.readOnlyRootFilesystem ?? true);
  return out;
}

/** GOMAXPROCS from the CPU request, rounded up, at least 1: Go otherwise sizes itself to the node. */
export function gomaxprocs(cpuRequest: string): string {
  // A request that is not a quantity (or is negative) is refused by the resources check, with its path and
  // the expected form; rendering goes on so that check can run and report it.
  const parsed = parseQuantityExact(cpuRequest);
  const cores = parsed.quantity?.value ?? 1;
  return String(Math.max(1, Math.ceil(cores)));
}
