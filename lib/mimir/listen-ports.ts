/**
 * The ports a Mimir container listens on — from its flags, else the `server`/`memberlist` block of the
 * `mimir.yaml` it mounts, else Mimir's defaults — against what Kubernetes sends to it: the container's
 * ports (which Services target), and its HTTP probes. A mismatch deploys and never turns ready; equal
 * HTTP and gRPC ports crash at start-up ("address already in use").
 */
import type { MimirStackConfig } from './config.js';
import type { Container, Probe } from '../core/k8s/types.js';
import type { Problem } from '../core/problems.js';
import { allContainers, pods, problemAt, type PodView, type Rule } from '../core/checks/context.js';
import { parseYamlDocuments } from '../core/yaml.js';
import { files } from './names.js';
import { portNames } from './names.js';

interface Listener {
  what: string;
  flag: string;
  yaml: readonly [string, string];
  fallback: number;
  /** Checked only on containers that declare a port of this name (members of the gossip ring). */
  onlyWithPort?: string;
}

const listeners: readonly Listener[] = [
  { what: 'HTTP', flag: 'server.http-listen-port', yaml: ['server', 'http_listen_port'], fallback: 8080 },
  { what: 'gRPC', flag: 'server.grpc-listen-port', yaml: ['server', 'grpc_listen_port'], fallback: 9095 },
  {
    what: 'memberlist gossip',
    flag: 'memberlist.bind-port',
    yaml: ['memberlist', 'bind_port'],
    fallback: 7946,
    onlyWithPort: portNames.gossip,
  },
];

function repository(image: string): string {
  const noDigest = image.split('@')[0];
  const colon = noDigest.lastIndexOf(':');
  return colon > noDigest.lastIndexOf('/') ? noDigest.slice(0, colon) : noDigest;
}

/** The value of `-name` in Go flag syntax (last one wins), with the index of the argument that set it. */
function flagValue(args: readonly string[], name: string): { value: string; index: number } | undefined {
  let found: { value: string; index: number } | undefined;
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    const body = a.startsWith('--') ? a.slice(2) : a.startsWith('-') ? a.slice(1) : undefined;
    if (body === undefined) break;
    if (body === name && i + 1 < args.length) found = { value: args[i + 1], index: i + 1 };
    else if (body.startsWith(`${name}=`)) found = { value: body.slice(name.length + 1), index: i };
  }
  return found;
}

/** `server.http_listen_port` etc. of every mimir.yaml in the tree, by ConfigMap name. */
function yamlPorts(ctx: Parameters<Rule>[0]): Map<string, Record<string, unknown>> {
  const out = new Map<string, Record<string, unknown>>();
  for (const e of ctx.entries) {
    if (e.object.kind !== 'ConfigMap') continue;
    const text = (e.object.data as Record<string, string> | undefined)?.[files.mimir];
    if (text === undefined) continue;
    try {
      const doc = parseYamlDocuments(text)[0];
      if (doc && typeof doc === 'object')
        out.set(
          `${e.object.metadata?.namespace ?? ''}/${e.object.metadata?.name ?? ''}`,
          doc as Record<string, unknown>,
        );
    } catch {
      // An unparsable mimir.yaml is reported by the config file rule.
    }
  }
  return out;
}

function mountedConfig(
  pod: PodView,
  configs: Map<string, Record<string, unknown>>,
): Record<string, unknown> | undefined {
  const ns = pod.entry.object.metadata?.namespace ?? '';
  for (const v of pod.spec.volumes ?? []) {
    const names = [v.configMap?.name, ...(v.projected?.sources ?? []).map((s) => s.configMap?.name)];
    for (const name of names) if (name && configs.has(`${ns}/${name}`)) return configs.get(`${ns}/${name}`);
  }
  return undefined;
}

function portOf(value: unknown): number | undefined {
  const n = typeof value === 'number' ? value : typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : NaN;
  return Number.isInteger(n) ? n : undefined;
}

export function mimirListenPortsRule(c: MimirStackConfig): Rule {
  const mimirRepository = repository(c.images.mimir);
  return (ctx) => {
    const out: Problem[] = [];
    const configs = yamlPorts(ctx);
    for (const pod of pods(ctx.entries)) {
      const config = mountedConfig(pod, configs);
      for (const { container, pointer } of allContainers(pod.spec)) {
        if (!container.image || repository(container.image) !== mimirRepository) continue;
        const at = `${pod.pointer}${pointer}`;
        const report = (p: Omit<Problem, 'path' | 'object' | 'source'>) => out.push(problemAt(ctx, pod.entry, p));
        const ports = listeners.map((l) => {
          const flag = flagValue(container.args ?? [], l.flag);
          if (flag)
            return {
              l,
              port: portOf(flag.value),
              where: `${at}/args/${flag.index}`,
              source: `-${l.flag}=${flag.value}`,
              fromFlag: true,
            };
          const block = config?.[l.yaml[0]] as Record<string, unknown> | undefined;
          const fromYaml = block && typeof block === 'object' ? block[l.yaml[1]] : undefined;
          if (fromYaml !== undefined)
            return {
              l,
              port: portOf(fromYaml),
              where: `${at}/args`,
              source: `${l.yaml.join('.')}: ${String(fromYaml)} in mimir.yaml`,
              fromFlag: false,
            };
          return { l, port: l.fallback, where: `${at}/args`, source: `Mimir's default ${l.fallback}`, fromFlag: false };
        });
        const [http, grpc] = ports;
        if (http.port !== undefined && http.port === grpc.port) {
          report({
            pointer: grpc.where,
            message: `Mimir would listen for HTTP and gRPC on the same port ${http.port} and fails to start ("address already in use")`,
            expected: 'different ports for -server.http-listen-port and -server.grpc-listen-port',
            found: `${http.source}, ${grpc.source}`,
            hint: `keep the library's ports (HTTP 8080, gRPC 9095): remove the flag from config.mimir.${pod.entry.component}.flags`,
          });
          continue;
        }
        const declared = (container.ports ?? []).map((p) => p.containerPort);
        let httpMismatch = false;
        for (const { l, port, where, source, fromFlag } of ports) {
          if (port === undefined || declared.includes(port)) continue;
          if (l.onlyWithPort !== undefined && !(container.ports ?? []).some((p) => p.name === l.onlyWithPort)) continue;
          if (l === http.l) httpMismatch = true;
          report({
            pointer: where,
            message: `Mimir listens for ${l.what} on ${port}, but the container declares no port ${port}: its Services and probes reach a port nothing listens on`,
            expected: `a container port ${port}`,
            found: source,
            hint: `${fromFlag ? `remove -${l.flag} from config.mimir.${pod.entry.component}.flags` : `remove server.${l.yaml[1]} from config.mimir.config`}, or change the container port, the probes and the Service ports together in overrides`,
          });
        }
        // A probe aimed at the old port is the same mistake as the missing container port: reported once.
        if (http.port !== undefined && !httpMismatch)
          out.push(...probeProblems(ctx, pod, container, at, http.port, http.source));
      }
    }
    return out;
  };
}

function probeProblems(
  ctx: Parameters<Rule>[0],
  pod: PodView,
  container: Container,
  at: string,
  port: number,
  source: string,
): Problem[] {
  const out: Problem[] = [];
  for (const kind of ['readinessProbe', 'livenessProbe', 'startupProbe'] as const) {
    const probe: Probe | undefined = container[kind];
    const target = probe?.httpGet?.port;
    if (target === undefined) continue;
    const resolved =
      typeof target === 'number' ? target : (container.ports ?? []).find((p) => p.name === target)?.containerPort;
    if (resolved === undefined || resolved === port) continue;
    out.push(
      problemAt(ctx, pod.entry, {
        pointer: `${at}/${kind}/httpGet/port`,
        message: `the ${kind} calls port ${resolved}, but Mimir serves HTTP on ${port} (${source}); the pod never turns ready`,
        expected: `port ${port}`,
        found: String(target),
        hint: 'point the probe at the HTTP listen port, or leave -server.http-listen-port at its default',
      }),
    );
  }
  return out;
}
