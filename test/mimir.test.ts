import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

import { defaultConfig, storageEndpoint, type StackConfig } from '../lib/build/config.js';
import type { Container, KubeObject, PodSpec, Service } from '../lib/core/k8s/types.js';
import { mimir, mimirRoutes, mimirRules, type MimirGroup, type StatefulParts } from '../lib/mimir/index.js';
import { formatProblem, formatProblems, type Problem } from '../lib/core/problems.js';
import { defineEnvironment } from '../lib/build/environment.js';
import { add, merge } from '../lib/core/merge.js';
import { cluster, render } from '../lib/build/render.js';
import { flatten, treePath } from '../lib/core/tree.js';
import { validateTree } from '../lib/build/validate/index.js';
import { withStack } from './support/stack.js';

type Variant = (c: StackConfig) => void;

function config(...variants: Variant[]): StackConfig {
  const c = defaultConfig();
  for (const v of variants) v(c);
  return c;
}

const remote: Variant = (c) => {
  c.mimir.ruler.mode = 'remote';
  c.mimir.ruler.dedicatedReadPath = false;
};
const internal: Variant = (c) => {
  c.mimir.ruler.mode = 'internal';
};
const dedicated: Variant = (c) => {
  c.mimir.ruler.mode = 'remote';
  c.mimir.ruler.dedicatedReadPath = true;
};
const noAlertmanager: Variant = (c) => {
  c.mimir.alertmanager.enabled = false;
};
const noRuler: Variant = (c) => {
  c.mimir.ruler.enabled = false;
};
const noOverridesExporter: Variant = (c) => {
  c.mimir.overridesExporter.enabled = false;
};
const local: Variant = (c) => {
  c.mimir.fastStartup = true;
  for (const key of [
    'distributor',
    'ingester',
    'querier',
    'queryFrontend',
    'queryScheduler',
    'storeGateway',
    'compactor',
    'alertmanager',
    'overridesExporter',
    'ruler',
  ] as const) {
    c.mimir[key].replicas = 1;
  }
};
const production: Variant = (c) => {
  c.mimir.spreadAcrossNodes = true;
  c.mimir.spreadAcrossZones = true;
};

const variants: Record<string, Variant[]> = {
  'everything, ruler remote': [remote],
  'ruler internal': [internal],
  'ruler remote, dedicated read path': [dedicated],
  'no alertmanager': [noAlertmanager],
  'no ruler': [noRuler],
  'no overrides-exporter': [noOverridesExporter],
  'nothing optional': [noAlertmanager, noRuler, noOverridesExporter],
  'local (one replica, fast start-up)': [local, dedicated],
  'production (spread)': [production, dedicated],
};

function entries(g: MimirGroup) {
  return flatten({ mimir: g });
}

function workloads(g: MimirGroup) {
  return entries(g).filter((e) => e.object.kind === 'Deployment' || e.object.kind === 'StatefulSet');
}

function podSpec(o: KubeObject): PodSpec {
  return (o.spec as { template: { spec: PodSpec } }).template.spec;
}

function mainContainer(o: KubeObject): Container {
  return podSpec(o).containers[0];
}

function flag(o: KubeObject, name: string): string | undefined {
  const prefix = `-${name}=`;
  return mainContainer(o)
    .args?.find((a) => a.startsWith(prefix))
    ?.slice(prefix.length);
}

function mimirYaml(g: MimirGroup): Record<string, any> {
  return parse(g.config.configMap.data!['mimir.yaml']);
}

function runtimeYaml(g: MimirGroup): Record<string, any> {
  return parse(g.config.runtimeConfigMap.data!['runtime.yaml']);
}

function services(g: MimirGroup): Service[] {
  return entries(g)
    .map((e) => e.object)
    .filter((o): o is Service & KubeObject => o.kind === 'Service');
}

/** Every `<name>.<ns>.svc.<domain>[:port]` address in a YAML document, wherever it sits. */
function serviceAddresses(doc: unknown, c: StackConfig): { service: string; port?: number }[] {
  const out: { service: string; port?: number }[] = [];
  const pattern = new RegExp(
    `([a-z0-9-]+)\\.${c.namespace}\\.svc\\.${c.clusterDomain.replace(/\./g, '\\.')}(?::(\\d+))?`,
    'g',
  );
  const walk = (v: unknown) => {
    if (typeof v === 'string')
      for (const m of v.matchAll(pattern)) out.push({ service: m[1], port: m[2] ? Number(m[2]) : undefined });
    else if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') Object.values(v).forEach(walk);
  };
  walk(doc);
  return out;
}

async function problemsOf(c: StackConfig, g: MimirGroup = mimir(...withStack(c))): Promise<Problem[]> {
  const tree = { cluster: cluster(c), mimir: g };
  return validateTree(tree, { existingSecrets: [c.storage.credentials.secretName], extraRules: mimirRules(c) });
}

describe('mimir components', () => {
  it('renders all ten components with their -target when everything is on (ruler remote)', () => {
    const g = mimir(...withStack(config(remote)));
    const expected: Record<string, [keyof MimirGroup, 'deployment' | 'statefulSet']> = {
      distributor: ['distributor', 'deployment'],
      ingester: ['ingester', 'statefulSet'],
      querier: ['querier', 'deployment'],
      'query-frontend': ['queryFrontend', 'deployment'],
      'query-scheduler': ['queryScheduler', 'deployment'],
      'store-gateway': ['storeGateway', 'statefulSet'],
      compactor: ['compactor', 'statefulSet'],
      alertmanager: ['alertmanager', 'statefulSet'],
      'overrides-exporter': ['overridesExporter', 'deployment'],
      ruler: ['ruler', 'deployment'],
    };
    for (const [target, [key, kind]] of Object.entries(expected)) {
      const component = g[key] as unknown as Record<string, KubeObject>;
      expect(component, key).toBeDefined();
      const workload = component[kind];
      expect(workload.metadata?.name).toBe(target);
      expect(flag(workload, 'target')).toBe(target);
      expect(flag(workload, 'config.file')).toBe('/etc/mimir/mimir.yaml');
      expect(flag(workload, 'config.expand-env')).toBe('true');
      expect(flag(workload, 'runtime-config.file')).toBe('/etc/mimir-runtime/runtime.yaml');
      expect((component.service.spec as Service['spec'])?.ports?.map((p) => [p.name, p.port])).toEqual([
        ['http-metrics', 8080],
        ['grpc', 9095],
      ]);
      expect(component.pdb.kind).toBe('PodDisruptionBudget');
    }
    expect(workloads(g)).toHaveLength(10);
  });

  it('stateful components claim a volume of the configured size and class and mount it at /data', () => {
    const c = config((c) => {
      c.mimir.ingester.storage = { size: '123Gi', storageClass: 'fast' };
    });
    const s = (mimir(...withStack(c)).ingester as StatefulParts).statefulSet;
    expect(s.spec?.volumeClaimTemplates?.[0].spec).toMatchObject({
      storageClassName: 'fast',
      resources: { requests: { storage: '123Gi' } },
    });
    expect(mainContainer(s as KubeObject).volumeMounts).toContainEqual({ name: 'data', mountPath: '/data' });
    // No storageClassName at all means the cluster default.
    expect(mimir(...withStack(config())).compactor.statefulSet.spec?.volumeClaimTemplates?.[0].spec).not.toHaveProperty(
      'storageClassName',
    );
  });

  it('sets GOMAXPROCS from the CPU request and gives ingesters the longest grace period', () => {
    const g = mimir(...withStack(config((c) => (c.mimir.querier.resources.requests.cpu = '2500m'))));
    expect(mainContainer(g.querier.deployment as KubeObject).env).toContainEqual({ name: 'GOMAXPROCS', value: '3' });
    const grace = workloads(g).map((e) => podSpec(e.object).terminationGracePeriodSeconds ?? 0);
    expect(podSpec((g.ingester as StatefulParts).statefulSet as KubeObject).terminationGracePeriodSeconds).toBe(
      Math.max(...grace),
    );
  });

  it('merges user flags over the built-in ones; null removes a flag', () => {
    const c = config((c) => {
      c.mimir.distributor.flags = { 'log.level': 'debug', 'runtime-config.file': null };
    });
    const d = mimir(...withStack(c)).distributor.deployment as KubeObject;
    expect(flag(d, 'log.level')).toBe('debug');
    expect(flag(d, 'runtime-config.file')).toBeUndefined();
    expect(flag(d, 'target')).toBe('distributor');
  });

  it('a component that cannot be built names its tree path', () => {
    const c = config((c) => {
      c.mimir.querier.flags = { '--log.format': 'json' };
      c.mimir.ingester.flags = { '-log.level': 'debug' };
    });
    expect(() => mimir(...withStack(c))).toThrow(/mimir\.ingester[\s\S]*mimir\.querier/);
  });
});

describe('ruler modes', () => {
  it('internal mode: the ruler evaluates rules itself and needs no query-frontend', () => {
    const g = mimir(...withStack(config(internal)));
    const yaml = mimirYaml(g);
    expect(yaml.ruler.query_frontend).toBeUndefined();
    expect(g.queryFrontend.headlessService).toBeUndefined();
    expect(g.rulerQueryFrontend).toBeUndefined();
    // Evaluating itself, it reads blocks and joins the rings.
    const ruler = g.ruler!.deployment as KubeObject;
    expect(mainContainer(ruler).env?.map((e) => e.name)).toContain('AWS_ACCESS_KEY_ID');
    expect(mainContainer(ruler).ports?.map((p) => p.name)).toContain('gossip-ring');
  });

  it('remote mode: the ruler queries the query-frontend over gRPC through a headless Service', () => {
    const c = config(remote);
    const g = mimir(...withStack(c));
    expect(mimirYaml(g).ruler.query_frontend.address).toBe(
      'dns:///query-frontend-headless.mimir.svc.cluster.local:9095',
    );
    const headless = g.queryFrontend.headlessService!;
    expect(headless.metadata?.name).toBe('query-frontend-headless');
    expect(headless.spec?.clusterIP).toBe('None');
    expect(headless.spec?.selector).toEqual(g.queryFrontend.deployment.spec?.selector.matchLabels);
    expect(headless.spec?.ports?.map((p) => p.port)).toContain(9095);
  });

  it('dedicated read path: ruler-query-frontend, -scheduler and -querier serve only the ruler', () => {
    const c = config(dedicated);
    const g = mimir(...withStack(c));
    expect(mimirYaml(g).ruler.query_frontend.address).toBe('dns:///ruler-query-frontend.mimir.svc.cluster.local:9095');
    expect(g.queryFrontend.headlessService).toBeUndefined();

    const frontend = g.rulerQueryFrontend!;
    const scheduler = g.rulerQueryScheduler!;
    const querier = g.rulerQuerier!;
    expect(flag(frontend.deployment as KubeObject, 'target')).toBe('query-frontend');
    expect(flag(scheduler.deployment as KubeObject, 'target')).toBe('query-scheduler');
    expect(flag(querier.deployment as KubeObject, 'target')).toBe('querier');
    expect(frontend.service.metadata?.name).toBe('ruler-query-frontend');
    expect(frontend.service.spec?.clusterIP).toBe('None');

    // Both ends of the dedicated path find the ruler's scheduler, not the user-facing one (flags beat mimir.yaml).
    const address = 'ruler-query-scheduler-discovery.mimir.svc.cluster.local:9095';
    expect(flag(frontend.deployment as KubeObject, 'query-frontend.scheduler-address')).toBe(address);
    expect(flag(querier.deployment as KubeObject, 'querier.scheduler-address')).toBe(address);
    expect(scheduler.discoveryService.metadata?.name).toBe('ruler-query-scheduler-discovery');
    expect(scheduler.discoveryService.spec).toMatchObject({ clusterIP: 'None', publishNotReadyAddresses: true });
    // The user-facing path keeps the shared settings.
    expect(flag(g.queryFrontend.deployment as KubeObject, 'query-frontend.scheduler-address')).toBeUndefined();
    expect(mimirYaml(g).frontend.scheduler_address).toBe('query-scheduler-discovery.mimir.svc.cluster.local:9095');
  });

  it('the dedicated read path is not rendered in internal mode', () => {
    const g = mimir(...withStack(config(internal, (c) => (c.mimir.ruler.dedicatedReadPath = true))));
    expect(g.rulerQueryFrontend).toBeUndefined();
    expect(g.rulerQueryScheduler).toBeUndefined();
    expect(g.rulerQuerier).toBeUndefined();
  });
});

describe('optional components', () => {
  const cases: [string, Variant, (keyof MimirGroup)[], RegExp][] = [
    [
      'alertmanager',
      noAlertmanager,
      ['alertmanager'],
      /^\/alertmanager|^\/multitenant_alertmanager|^\/api\/v1\/alerts$/,
    ],
    [
      'ruler',
      noRuler,
      ['ruler', 'rulerQueryFrontend', 'rulerQueryScheduler', 'rulerQuerier'],
      /rules|\/prometheus\/api\/v1\/alerts|ruler/,
    ],
    ['overrides-exporter', noOverridesExporter, ['overridesExporter'], /overrides-exporter/],
  ];
  for (const [name, off, keys, routePattern] of cases) {
    it(`${name} switched off: no objects, no routes, nothing in mimir.yaml points at it`, () => {
      const c = config(dedicated, off);
      const g = mimir(...withStack(c));
      for (const key of keys) expect(g[key], key).toBeUndefined();
      const names = new Set(entries(g).map((e) => e.object.metadata?.name));
      expect([...names].filter((n) => n?.startsWith(name))).toEqual([]);
      const routes = mimirRoutes(c);
      expect(routes.filter((r) => r.component === name || r.service === name)).toEqual([]);
      expect(routes.filter((r) => routePattern.test(r.path) && r.component !== 'query-frontend')).toEqual([]);
      expect(g.config.configMap.data!['mimir.yaml']).not.toContain(`${name}.`);
    });
  }

  it('alertmanager off: no ruler.alertmanager_url, no alertmanager block, no fallback file', () => {
    const g = mimir(...withStack(config(noAlertmanager)));
    const yaml = mimirYaml(g);
    expect(yaml.ruler.alertmanager_url).toBeUndefined();
    expect(yaml.alertmanager).toBeUndefined();
    expect(g.config.configMap.data).not.toHaveProperty(['alertmanager-fallback.yaml']);
  });

  it('alertmanager on: ruler points at it, with a fallback config and the /alertmanager prefix', () => {
    const g = mimir(...withStack(config()));
    const yaml = mimirYaml(g);
    expect(yaml.ruler.alertmanager_url).toBe('http://alertmanager.mimir.svc.cluster.local:8080/alertmanager');
    expect(yaml.alertmanager).toMatchObject({
      external_url: '/alertmanager',
      fallback_config_file: '/etc/mimir/alertmanager-fallback.yaml',
    });
    expect(parse(g.config.configMap.data!['alertmanager-fallback.yaml'])).toEqual({
      receivers: [{ name: 'default-receiver' }],
      route: { receiver: 'default-receiver' },
    });
  });

  for (const [name, vs] of Object.entries(variants)) {
    it(`${name}: every address in mimir.yaml is a rendered Service and port`, () => {
      const c = config(...vs);
      const g = mimir(...withStack(c));
      const byName = new Map(services(g).map((s) => [s.metadata?.name, s]));
      for (const { service, port } of serviceAddresses(mimirYaml(g), c)) {
        if (`${service}.${c.namespace}.svc.${c.clusterDomain}:${port}` === storageEndpoint(c)) continue;
        const s = byName.get(service);
        expect(s, `${service} is referenced by mimir.yaml but not rendered`).toBeDefined();
        if (port !== undefined)
          expect(
            s!.spec?.ports?.map((p) => p.port),
            service,
          ).toContain(port);
      }
    });
  }
});

describe('routes', () => {
  it('routes go to rendered Services on 8080, rules and alerts to the ruler, the rest of /prometheus to the query-frontend', () => {
    const c = config(remote);
    const routes = mimirRoutes(c);
    const names = new Set(services(mimir(...withStack(c))).map((s) => s.metadata?.name));
    for (const r of routes) {
      expect(names.has(r.service), r.service).toBe(true);
      expect(r.port).toBe(8080);
    }
    const at = (path: string) => routes.find((r) => r.path === path);
    expect(at('/api/v1/push')).toMatchObject({ match: 'exact', service: 'distributor' });
    expect(at('/otlp/v1/metrics')?.service).toBe('distributor');
    expect(at('/distributor')).toMatchObject({ match: 'prefix', service: 'distributor' });
    expect(at('/prometheus')).toMatchObject({ match: 'prefix', service: 'query-frontend' });
    expect(at('/prometheus/config/v1/rules')).toMatchObject({ match: 'prefix', service: 'ruler' });
    expect(at('/prometheus/api/v1/rules')?.service).toBe('ruler');
    expect(at('/prometheus/api/v1/alerts')?.service).toBe('ruler');
    expect(at('/alertmanager')).toMatchObject({ match: 'prefix', service: 'alertmanager' });
    expect(at('/api/v1/alerts')?.service).toBe('alertmanager');
    expect(at('/multitenant_alertmanager')?.service).toBe('alertmanager');
    expect(at('/api/v1/upload/block/')).toMatchObject({ match: 'prefix', service: 'compactor' });
    expect(at('/api/v1/status/buildinfo')?.service).toBe('query-frontend');
    expect(new Set(routes.map((r) => `${r.match} ${r.path}`)).size).toBe(routes.length);
  });
});

describe('validation', () => {
  for (const [name, vs] of Object.entries(variants)) {
    it(`${name}: Kubernetes checks and Mimir's reference find nothing`, async () => {
      const problems = await problemsOf(config(...vs));
      expect(problems, formatProblems(problems)).toEqual([]);
    });
  }

  it('the rules check the files and flags in the tree: a misspelt config field is a problem with a suggestion', async () => {
    const c = config((c) => {
      c.mimir.config = { blocks_storage: { tsdb: { retention_periodd: '1h' } } };
    });
    const problems = await problemsOf(c);
    expect(problems).toHaveLength(1);
    const [p] = problems;
    expect(p.path).toBe('mimir.config.configMap');
    expect(p.pointer).toBe('blocks_storage.tsdb.retention_periodd');
    const text = formatProblem(p);
    expect(text).toContain('unknown field `retention_periodd` in mimir.yaml');
    expect(text).toContain('did you mean `retention_period`?');
  });

  it('tenant limits land in runtime.yaml and are checked against the limits block', async () => {
    const c = config((c) => {
      c.mimir.tenants = { team_a: { max_global_series_per_user: 500000 }, team_b: { ingestion_rat: 10 } };
    });
    const g = mimir(...withStack(c));
    expect(runtimeYaml(g).overrides.team_a).toEqual({ max_global_series_per_user: 500000 });
    const problems = await problemsOf(c, g);
    expect(problems.map((p) => [p.path, p.pointer])).toEqual([
      ['mimir.config.runtimeConfigMap', 'overrides.team_b.ingestion_rat'],
    ]);
    expect(problems[0].hint).toContain('ingestion_rate');
  });

  it('an unknown flag is reported at its position in the container args', async () => {
    const c = config((c) => {
      c.mimir.querier.flags = { 'querier.max-concurent': 8 };
    });
    const problems = await problemsOf(c);
    expect(problems).toHaveLength(1);
    const args = mainContainer(mimir(...withStack(c)).querier.deployment as KubeObject).args!;
    const index = args.indexOf('-querier.max-concurent=8');
    expect(problems[0]).toMatchObject({
      path: 'mimir.querier.deployment',
      pointer: `/spec/template/spec/containers/0/args/${index}`,
    });
    expect(problems[0].hint).toContain('-querier.max-concurrent');
  });

  it('flags of containers running the Mimir image are checked even after an override of the tag', async () => {
    const c = config();
    const g = mimir(...withStack(c));
    const container = mainContainer(g.compactor.statefulSet as KubeObject);
    container.image = 'grafana/mimir:3.0.1';
    container.args = [...container.args!, '-compactor.no-such-flag=1'];
    const problems = await problemsOf(c, g);
    expect(problems.map((p) => p.path)).toEqual(['mimir.compactor.statefulSet']);
  });
});

describe('replication and start-up', () => {
  it('one ingester and one store-gateway mean replication factor 1', () => {
    const yaml = mimirYaml(mimir(...withStack(config(local))));
    expect(yaml.ingester.ring.replication_factor).toBe(1);
    expect(yaml.store_gateway.sharding_ring.replication_factor).toBe(1);
    expect(yaml.alertmanager.sharding_ring.replication_factor).toBe(1);
  });

  it('three ingesters mean replication factor 3, and more never raise it above 3', () => {
    expect(
      mimirYaml(mimir(...withStack(config((c) => (c.mimir.ingester.replicas = 3))))).ingester.ring.replication_factor,
    ).toBe(3);
    expect(
      mimirYaml(mimir(...withStack(config((c) => (c.mimir.ingester.replicas = 9))))).ingester.ring.replication_factor,
    ).toBe(3);
    expect(
      mimirYaml(mimir(...withStack(config((c) => (c.mimir.storeGateway.replicas = 2))))).store_gateway.sharding_ring
        .replication_factor,
    ).toBe(2);
  });

  it('fastStartup shortens ring waits; without it the upstream defaults stay', () => {
    const fast = mimirYaml(mimir(...withStack(config(local))));
    expect(fast.ingester.ring).toMatchObject({ final_sleep: '0s', min_ready_duration: '0s' });
    expect(fast.store_gateway.sharding_ring.wait_stability_min_duration).toBe('0s');
    const normal = mimirYaml(mimir(...withStack(config())));
    expect(normal.ingester.ring).toEqual({ replication_factor: 3 });
    expect(normal.store_gateway.sharding_ring).toEqual({ replication_factor: 3 });
  });

  it('config.mimir.config is merged last: it can change and remove generated settings', () => {
    const c = config((c) => {
      c.mimir.config = {
        ingester: { ring: { replication_factor: 2 } },
        server: { log_level: 'debug', grpc_listen_port: null },
      };
    });
    const yaml = mimirYaml(mimir(...withStack(c)));
    expect(yaml.ingester.ring.replication_factor).toBe(2);
    expect(yaml.server).toEqual({ http_listen_port: 8080, log_level: 'debug' });
  });
});

describe('wiring', () => {
  it('frontends and queriers find the scheduler by DNS through its discovery Service', () => {
    const g = mimir(...withStack(config()));
    const yaml = mimirYaml(g);
    expect(yaml.query_scheduler.service_discovery_mode).toBe('dns');
    expect(yaml.frontend.scheduler_address).toBe('query-scheduler-discovery.mimir.svc.cluster.local:9095');
    expect(yaml.frontend_worker.scheduler_address).toBe(yaml.frontend.scheduler_address);
    expect(g.queryScheduler.discoveryService.spec).toMatchObject({
      clusterIP: 'None',
      publishNotReadyAddresses: true,
      selector: g.queryScheduler.deployment.spec?.selector.matchLabels,
    });
  });

  it('the gossip Service selects exactly the pods that expose the gossip port, ready or not', () => {
    const g = mimir(...withStack(config(dedicated)));
    const svc = g.gossip.service;
    expect(svc.metadata?.name).toBe('gossip-ring');
    expect(svc.spec).toMatchObject({
      clusterIP: 'None',
      publishNotReadyAddresses: true,
      ports: [{ name: 'gossip-ring', port: 7946, targetPort: 'gossip-ring' }],
    });
    expect(mimirYaml(g).memberlist.join_members).toEqual(['dns+gossip-ring.mimir.svc.cluster.local:7946']);
    const selector = svc.spec!.selector!;
    for (const e of workloads(g)) {
      const labels = (e.object.spec as { template: { metadata: { labels: Record<string, string> } } }).template.metadata
        .labels;
      const selected = Object.entries(selector).every(([k, v]) => labels[k] === v);
      const gossips = mainContainer(e.object).ports!.some((p) => p.name === 'gossip-ring');
      expect(selected, treePath(e)).toBe(gossips);
    }
    // Ring members: everything that reads or writes a ring over memberlist.
    const members = workloads(g)
      .filter((e) => mainContainer(e.object).ports!.some((p) => p.name === 'gossip-ring'))
      .map((e) => e.object.metadata?.name);
    expect(members.sort()).toEqual([
      'alertmanager',
      'compactor',
      'distributor',
      'ingester',
      'querier',
      'query-frontend',
      'ruler',
      'ruler-querier',
      'ruler-query-frontend',
      'store-gateway',
    ]);
  });

  it('credentials reach only object-storage users, from the Secret, never as text in a ConfigMap', () => {
    const c = config((c) => {
      c.storage.credentials = { secretName: 's3-creds', accessKeyIdKey: 'id', secretAccessKeyKey: 'key' };
    });
    const g = mimir(...withStack(c));
    const s3 = mimirYaml(g).common.storage.s3;
    expect(s3).toMatchObject({
      access_key_id: '${AWS_ACCESS_KEY_ID}',
      secret_access_key: '${AWS_SECRET_ACCESS_KEY}',
      endpoint: storageEndpoint(c),
      insecure: true,
    });
    expect(mimirYaml(g).common.storage.backend).toBe('s3');
    for (const e of workloads(g)) {
      const env = mainContainer(e.object).env ?? [];
      const key = env.find((v) => v.name === 'AWS_SECRET_ACCESS_KEY');
      if (key) expect(key.valueFrom?.secretKeyRef).toEqual({ name: 's3-creds', key: 'key' });
      if (key)
        expect(env.find((v) => v.name === 'AWS_ACCESS_KEY_ID')?.valueFrom?.secretKeyRef).toEqual({
          name: 's3-creds',
          key: 'id',
        });
      expect(
        env.every((v) => v.value === undefined || !/AWS_/.test(v.name)),
        treePath(e),
      ).toBe(true);
    }
    const users = workloads(g)
      .filter((e) => (mainContainer(e.object).env ?? []).some((v) => v.name === 'AWS_ACCESS_KEY_ID'))
      .map((e) => e.object.metadata?.name);
    expect(users.sort()).toEqual(['alertmanager', 'compactor', 'ingester', 'querier', 'ruler', 'store-gateway']);
    const yaml = mimirYaml(g);
    expect([
      yaml.blocks_storage.s3.bucket_name,
      yaml.ruler_storage.s3.bucket_name,
      yaml.alertmanager_storage.s3.bucket_name,
    ]).toEqual([c.storage.buckets.blocks, c.storage.buckets.ruler, c.storage.buckets.alertmanager]);
  });

  it('the runtime overrides ConfigMap keeps a stable name; mimir.yaml rolls the pods', () => {
    const g = mimir(...withStack(config()));
    expect(g.config.runtimeConfigMap.metadata?.annotations).toHaveProperty(['mimir-kube.dev/stable-name'], 'true');
    expect(g.config.configMap.metadata?.annotations).not.toHaveProperty(['mimir-kube.dev/stable-name']);
    expect(g.config.configMap.metadata?.name).toBe('mimir-config');
  });
});

describe('pod security', () => {
  for (const [name, vs] of Object.entries(variants)) {
    it(`${name}: every Mimir pod is PSS restricted and writes only to volumes`, () => {
      const g = mimir(...withStack(config(...vs)));
      const yaml = mimirYaml(g);
      const writable = [
        yaml.blocks_storage.tsdb.dir,
        yaml.blocks_storage.bucket_store.sync_dir,
        yaml.activity_tracker.filepath,
        yaml.compactor.data_dir,
        yaml.ruler?.rule_path,
        yaml.alertmanager?.data_dir,
      ].filter((p): p is string => typeof p === 'string');
      for (const e of workloads(g)) {
        const spec = podSpec(e.object);
        expect(spec.securityContext, treePath(e)).toMatchObject({
          runAsNonRoot: true,
          seccompProfile: { type: 'RuntimeDefault' },
        });
        expect(spec.automountServiceAccountToken).toBe(false);
        for (const ct of spec.containers) {
          expect(ct.securityContext, treePath(e)).toMatchObject({
            allowPrivilegeEscalation: false,
            capabilities: { drop: ['ALL'] },
            readOnlyRootFilesystem: true,
            runAsNonRoot: true,
          });
          expect(ct.resources?.requests).toMatchObject({ cpu: expect.any(String), memory: expect.any(String) });
          expect(ct.readinessProbe?.httpGet).toEqual({ path: '/ready', port: 'http-metrics' });
          const mounts = (ct.volumeMounts ?? []).filter((m) => !m.readOnly);
          for (const path of writable) {
            expect(
              mounts.some((m) => path === m.mountPath || path.startsWith(`${m.mountPath}/`)),
              `${treePath(e)}: ${path} is not on a writable volume`,
            ).toBe(true);
          }
        }
        expect(spec.volumes?.some((v) => 'hostPath' in v)).toBe(false);
      }
    });
  }

  it('spreading across nodes and zones adds constraints that select the workload itself', () => {
    const g = mimir(...withStack(config(production)));
    const ingester = podSpec((g.ingester as StatefulParts).statefulSet as KubeObject);
    expect(ingester.affinity?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.[0]).toMatchObject({
      topologyKey: 'kubernetes.io/hostname',
      labelSelector: { matchLabels: (g.ingester as StatefulParts).statefulSet.spec?.selector.matchLabels },
    });
    const querier = podSpec(g.querier.deployment as KubeObject);
    expect(querier.topologySpreadConstraints?.map((t) => t.topologyKey)).toEqual([
      'kubernetes.io/hostname',
      'topology.kubernetes.io/zone',
    ]);
    const plain = podSpec(mimir(...withStack(config())).querier.deployment as KubeObject);
    expect(plain.topologySpreadConstraints).toBeUndefined();
    expect(plain.affinity).toBeUndefined();
  });
});

describe('overrides', () => {
  it('environment overrides address Mimir objects by typed paths and the result still validates', async () => {
    const c = config(dedicated);
    const env = defineEnvironment({
      name: 'typed',
      overrides: {
        mimir: {
          ingester: { statefulSet: { spec: { template: { spec: { terminationGracePeriodSeconds: 2400 } } } } },
          rulerQuerier: { deployment: { spec: { replicas: 5 } } },
          config: { runtimeConfigMap: { metadata: { labels: { team: add('metrics') } } } },
        },
      },
    });
    const tree = merge(render(c), env.overrides ?? {}, { path: 'overrides' });
    const g = tree.mimir;
    expect(podSpec((g.ingester as StatefulParts).statefulSet as KubeObject).terminationGracePeriodSeconds).toBe(2400);
    expect(g.rulerQuerier?.deployment.spec?.replicas).toBe(5);
    expect(g.config.runtimeConfigMap.metadata?.labels?.team).toBe('metrics');
    const problems = (
      await validateTree(tree, { existingSecrets: [c.storage.credentials.secretName], extraRules: mimirRules(c) })
    ).filter((p) => p.path.startsWith('mimir.'));
    expect(problems, formatProblems(problems)).toEqual([]);
  });
});

describe('override typing', () => {
  it('a misspelt component key or a wrong kind key does not type-check', () => {
    // @ts-expect-error `ingestor` is not a component of the mimir group
    const misspelt = defineEnvironment({ name: 'x', overrides: { mimir: { ingestor: {} } } });
    // @ts-expect-error the ingester is a StatefulSet, not a Deployment
    const wrongKind = defineEnvironment({ name: 'y', overrides: { mimir: { ingester: { deployment: {} } } } });
    expect([misspelt.name, wrongKind.name]).toEqual(['x', 'y']);
  });
});
