import { BuildError, type Problem } from './problems.js';
import { didYouMean } from './suggest.js';
import type { Rule } from './checks/context.js';
import type { SharedConfig } from './config.js';
import type { YamlMapping } from './merge.js';
import type { Route } from './routes.js';
import type { EnvSource } from './k8s/container.js';

/**
 * An address one component serves to others: the Service and its port. Consumers (nginx upstreams,
 * Grafana's data sources, Alloy's remote write, Mimir's storage) take it from here, never spell it out.
 */
export interface Endpoint {
  /** Service name, in the stack's namespace. */
  service: string;
  port: number;
  /** Name of that port on the Service (and the container). */
  portName: string;
  /**
   * When clients must authenticate (the gateway's basic auth): the env vars a client's container sets from
   * the client Secret, and the names of the two that hold the username and the password.
   */
  basicAuth?: { usernameEnv: string; passwordEnv: string; env: Record<string, EnvSource> };
}

/** Pods that serve Prometheus metrics, as Alloy selects them. */
export interface MetricsSource {
  /** Label of the scrape job (an identifier). */
  name: string;
  /** Value of `app.kubernetes.io/name` on the pods. */
  app: string;
  /** Name of the container port that serves metrics. */
  port: string;
  path: string;
  /** Pod label whose value, after `<namespace>/`, becomes the `job` label. */
  jobLabel: string;
}

/**
 * A system of the stack that serves no Prometheus metrics itself, which Alloy collects through one of its
 * built-in exporters: Kafka (`prometheus.exporter.kafka`), the log ingest storage writes through. The
 * component that knows the system's address publishes it; Alloy renders the exporter and scrapes it.
 */
export interface KafkaExporterSource {
  exporter: 'kafka';
  /** Label of the exporter and its scrape job (an identifier); the series' `job` is `<namespace>/<name>`. */
  name: string;
  /** Bootstrap addresses (`host:port`), as the stack's Kafka clients use them. */
  addresses: string[];
  /**
   * SASL/PLAIN credentials, when the brokers require them: the env vars a client's container sets from the
   * Secret, and the names of the two that hold the username and the password.
   */
  sasl?: { usernameEnv: string; passwordEnv: string; env: Record<string, EnvSource> };
}

export type ExporterSource = KafkaExporterSource;

/**
 * What a component may know about the rest of the stack while it renders or checks: which components
 * are rendered and what they publish. It never imports another component's module for this; the
 * registry (lib/build/registry.ts) answers from every component's descriptor.
 */
export interface StackView {
  /** Whether the component with this key (e.g. `alertmanager`, `grafana`) is rendered. */
  has(component: string): boolean;
  /** An endpoint a component publishes (enabled or not: the build's address check reports a dangling one); an unknown component is an error. */
  endpoint(component: string, name?: string): Endpoint;
  /** The routes every rendered component serves to the outside world, in registry order. */
  routes(): Route[];
  /** Every rendered component's metrics, in registry order. */
  metrics(): MetricsSource[];
  /** The systems Alloy collects through its built-in exporters, in registry order. */
  exporters(): ExporterSource[];
  /** The `mimir.yaml` parts every rendered component contributes, in registry order (merged over the base). */
  mimirYaml(): YamlMapping[];
}

/**
 * One component of the stack: its place in the tree, its config slice, what it renders, how the
 * build checks it, and what it publishes for the others. A component module exports one; its group's
 * `index.ts` lists it; nothing else has to change to add one.
 */
export interface ComponentDescriptor<
  C extends SharedConfig = SharedConfig,
  Parts extends object = object,
  K extends string = string,
  E extends boolean = boolean,
> {
  /** Group of the tree, e.g. `mimir` or `observability`. */
  group: string;
  /** Key in the group: `tree.<group>.<key>`, and the name other components ask the stack view for. */
  key: K;
  /** One line for the README's component table. */
  description: string;
  /** Dotted path of its config slice, e.g. `observability.gateway` (error hints, docs). */
  config: string;
  /** Rendered at all? `() => true` (typed `true`) makes its key required in the group's tree type. */
  enabled(c: C): E;
  render(c: C, stack: StackView): Parts;
  /** Checks of the whole merged tree, run by the build only when the component is rendered. */
  checks?(c: C, stack: StackView): Rule[];
  /** Endpoints by name; `http` is the one `StackView.endpoint(key)` returns without a name. */
  endpoints?(c: C): Record<string, Endpoint>;
  /** Routes it serves to the outside world (the gateway turns them into locations). */
  routes?(c: C): Route[];
  /** Its metrics, for Alloy. */
  metrics?(c: C): MetricsSource[];
  /** Systems without metrics of their own that it knows the address of, for Alloy's exporters. */
  exporters?(c: C, stack: StackView): ExporterSource[];
  /**
   * Its part of the one `mimir.yaml` (e.g. a cache's client block), when it is rendered: what it knows about
   * itself stays in its module instead of becoming a special case of the file's generator.
   */
  mimirYaml?(c: C, stack: StackView): YamlMapping;
  /**
   * After the overrides are merged: what depends on the final content (a name carrying a hash of the
   * spec, a checksum). `rendered` is what `render` returned, `merged` the same parts after the
   * overrides; returns the parts to write. An override therefore never copies a hash by hand.
   */
  finalise?(merged: Parts, rendered: Parts, c: C): Parts;
}

/** Identity with types: keeps the literal key, so a group's tree type can be derived from its list. */
export function defineComponent<C extends SharedConfig, Parts extends object, K extends string, E extends boolean>(
  d: ComponentDescriptor<C, Parts, K, E>,
): ComponentDescriptor<C, Parts, K, E> {
  return d;
}

/** `host:port` of an endpoint inside the cluster. */
export function endpointHostPort(
  c: Pick<SharedConfig, 'namespace' | 'clusterDomain'>,
  e: Pick<Endpoint, 'service' | 'port'>,
): string {
  return `${e.service}.${c.namespace}.svc.${c.clusterDomain}:${e.port}`;
}

/** `http://host:port<path>` of an endpoint inside the cluster. */
export function endpointUrl(
  c: Pick<SharedConfig, 'namespace' | 'clusterDomain'>,
  e: Pick<Endpoint, 'service' | 'port'>,
  path = '',
): string {
  return `http://${endpointHostPort(c, e)}${path}`;
}

/** Any descriptor, whatever its config and parts: what registries list. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- descriptors of different groups take different config slices
export type AnyComponent = ComponentDescriptor<any, object, string>;

type Always<D> = D extends { enabled(c: never): true } ? D : never;

/**
 * The tree type of a group, from its list of descriptors: `key → parts`; a component whose `enabled` is
 * typed `true` is always present, any other is optional.
 */
export type GroupOf<L extends readonly AnyComponent[]> = {
  [D in L[number] as D extends Always<D> ? D['key'] : never]: ReturnType<D['render']>;
} & { [D in L[number] as D extends Always<D> ? never : D['key']]?: ReturnType<D['render']> };

/**
 * Renders every enabled component of a list, even when one fails, so a bad config reports all its
 * problems at once, each named by the tree path of the component that threw and its config slice.
 */
export function renderComponents<L extends readonly AnyComponent[]>(
  list: L,
  c: SharedConfig,
  stack: StackView,
): { parts: GroupOf<L>; problems: Problem[] } {
  const parts: Partial<Record<string, object>> = {};
  const problems: Problem[] = [];
  for (const d of list) {
    if (!d.enabled(c)) continue;
    try {
      parts[d.key] = d.render(c, stack);
    } catch (err) {
      if (err instanceof BuildError) problems.push(...err.problems);
      else
        problems.push({
          path: `${d.group}.${d.key}`,
          message: err instanceof Error ? err.message : String(err),
          hint: `check config.${d.config}`,
        });
    }
  }
  return { parts: parts as GroupOf<L>, problems };
}

/** A stack view over a list of descriptors and one config: what `render` and the checks consult. */
export function stackViewOf<C extends SharedConfig>(list: readonly AnyComponent[], c: C): StackView {
  const enabled = list.filter((d) => d.enabled(c));
  const enabledKeys = new Set(enabled.map((d) => d.key));
  const byKey = new Map(list.map((d) => [d.key, d]));
  const view: StackView = {
    has: (component) => enabledKeys.has(component),
    // A disabled component's address is still known: a config file that points at it is reported by the
    // whole-stack address check, with the file and line, rather than by whichever component asked first.
    endpoint(component, name) {
      const d = byKey.get(component);
      if (!d) {
        const known = [...byKey.keys()];
        throw new BuildError([
          {
            path: `endpoint ${component}`,
            message: `no component is called "${component}"`,
            hint: didYouMean(component, known),
          },
        ]);
      }
      const all = d.endpoints?.(c) ?? {};
      const names = Object.keys(all);
      const e = all[name ?? names[0]];
      if (!e)
        throw new BuildError([
          {
            path: `endpoint ${component}`,
            message: `${component} publishes no endpoint "${name ?? ''}"`,
            expected: names.join(', ') || 'none',
            hint: name === undefined ? undefined : didYouMean(name, names),
          },
        ]);
      return e;
    },
    routes: () => enabled.flatMap((d) => d.routes?.(c) ?? []),
    metrics: () => enabled.flatMap((d) => d.metrics?.(c) ?? []),
    exporters: () => enabled.flatMap((d) => d.exporters?.(c, view) ?? []),
    mimirYaml: () => enabled.flatMap((d) => (d.mimirYaml ? [d.mimirYaml(c, view)] : [])),
  };
  return view;
}
