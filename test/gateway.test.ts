import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { defaultConfig, type StackConfig } from '../lib/build/config.js';
import type { Deployment, KubeObject, Service } from '../lib/core/k8s/types.js';
import { mimirRoutes } from '../lib/mimir/routes.js';
import { k3dConfig, kindConfig } from '../lib/observability/gateway/clusters.js';
import {
  gateway,
  gatewayClientEnv,
  gatewayClientEnvVars,
  gatewayComponent,
  gatewayExporter,
} from '../lib/observability/gateway/index.js';
import {
  gatewayPaths,
  gatewayStatus,
  grafanaRoute,
  HEALTH_PATH,
  renderNginxConf,
  selectRoute,
} from '../lib/observability/gateway/nginx.js';
import { gatewayRules, routeTableProblems, tenantIdProblem, upstreamsOf } from '../lib/observability/gateway/rules.js';
import type { Route } from '../lib/core/routes.js';
import { render } from '../lib/build/render.js';
import { moduleRules } from '../lib/build/rules.js';
import { flatten } from '../lib/core/tree.js';
import { validateTree } from '../lib/build/validate/index.js';
import type { ValidationContext } from '../lib/core/checks/context.js';
import { parseYamlDocuments } from '../lib/core/yaml.js';
import { config, withStack } from './support/stack.js';
import { stackView } from '../lib/build/registry.js';

/** Grafana's Service as the registry publishes it: the gateway's catch-all upstream. */
const GRAFANA_UPSTREAM = stackView(defaultConfig()).endpoint('grafana');

function route(path: string, match: Route['match'], service: string, port = 8080): Route {
  return { path, match, component: service, service, port, description: `${service} ${path}` };
}

function podOf(c: StackConfig) {
  const g = gateway(...withStack(c));
  const spec = (g.deployment as Deployment).spec!.template.spec!;
  return { g, spec, nginx: spec.containers[0] };
}

describe('gateway objects', () => {
  it('runs the unprivileged nginx image as uid 101 with a read-only root file system', () => {
    const c = config();
    const { spec, nginx } = podOf(c);
    expect(nginx.image).toBe(c.images.nginx);
    expect(spec.securityContext).toMatchObject({ runAsUser: 101, runAsGroup: 101, runAsNonRoot: true });
    expect(nginx.securityContext?.readOnlyRootFilesystem).toBe(true);
    expect(nginx.ports).toEqual([{ name: 'http', containerPort: 8080, protocol: 'TCP' }]);
  });

  it('takes replicas and requests from config', () => {
    const c = config(
      (c) => (
        (c.observability.gateway.replicas = 3),
        (c.observability.gateway.resources = { requests: { cpu: '1500m', memory: '128Mi' } })
      ),
    );
    const { g, nginx } = podOf(c);
    expect(g.deployment.spec?.replicas).toBe(3);
    expect(nginx.resources?.requests).toEqual({ cpu: '1500m', memory: '128Mi' });
    expect(g.configMap.data?.['nginx.conf']).toMatch(/^worker_processes 2;$/m);
  });

  it('starts nginx on the mounted ConfigMap, with every writable path on the emptyDir', () => {
    const { g, spec, nginx } = podOf(config());
    const conf = g.configMap.data!['nginx.conf'];
    const confPath = nginx.args![nginx.args!.indexOf('-c') + 1];
    const configMount = nginx.volumeMounts!.find((m) => confPath.startsWith(`${m.mountPath}/`))!;
    const configVolume = spec.volumes!.find((v) => v.name === configMount.name)!;
    expect(configVolume.configMap?.name).toBe(g.configMap.metadata?.name);
    expect(Object.keys(g.configMap.data!)).toContain(confPath.slice(configMount.mountPath.length + 1));

    const runMount = nginx.volumeMounts!.find((m) => m.mountPath === gatewayPaths.runDir)!;
    expect(spec.volumes!.find((v) => v.name === runMount.name)?.emptyDir).toBeDefined();
    const writable = [...conf.matchAll(/^\s*(?:pid|\w+_temp_path)\s+(\S+);$/gm)].map((m) => m[1]);
    expect(writable).toHaveLength(6);
    for (const p of writable) expect(p.startsWith(`${runMount.mountPath}/`), p).toBe(true);
    expect(conf).toMatch(/^daemon off;$/m);
    expect(conf).not.toMatch(/^\s*include /m);
  });

  it('probes the health endpoint that nginx.conf answers', () => {
    const { g, nginx } = podOf(config());
    expect(nginx.readinessProbe?.httpGet).toEqual({ path: HEALTH_PATH, port: 'http' });
    expect(nginx.livenessProbe?.httpGet).toEqual({ path: HEALTH_PATH, port: 'http' });
    expect(g.configMap.data!['nginx.conf']).toContain(`location = ${HEALTH_PATH} {`);
  });

  it('exposes Service gateway on 8080 as ClusterIP by default', () => {
    const { g } = podOf(config());
    const svc = g.service as Service;
    expect(svc.metadata?.name).toBe('gateway');
    expect(svc.spec?.type).toBeUndefined();
    expect(svc.spec?.ports).toEqual([{ name: 'http', port: 8080, targetPort: 'http', protocol: 'TCP' }]);
    expect(g.ingress).toBeUndefined();
  });

  it('exposes a NodePort for kind and k3d', () => {
    const { g } = podOf(
      config((c) => ((c.observability.gateway.exposure = 'nodePort'), (c.observability.gateway.nodePort = 30123))),
    );
    expect(g.service.spec?.type).toBe('NodePort');
    // The exporter's port stays off the Service: no node publishes the metrics.
    expect(g.service.spec?.ports).toEqual([
      { name: 'http', port: 8080, targetPort: 'http', protocol: 'TCP', nodePort: 30123 },
    ]);
  });

  it("runs the exporter sidecar on nginx's loopback stub_status, with its pinned image and restricted security", () => {
    const c = config();
    const { g, spec } = podOf(c);
    expect(spec.containers.map((k) => k.name)).toEqual(['nginx', 'nginx-exporter']);
    const exporter = spec.containers[1];
    expect(exporter.image).toBe(c.images.nginxExporter);
    expect(c.images.nginxExporter).toBe('nginx/nginx-prometheus-exporter:1.5.1');
    expect(exporter.command).toBeUndefined();
    expect(exporter.args).toEqual([
      '--nginx.scrape-uri=http://127.0.0.1:8081/stub_status',
      '--web.listen-address=:9113',
    ]);
    expect(exporter.ports).toEqual([{ name: 'http-metrics', containerPort: 9113, protocol: 'TCP' }]);
    expect(exporter.readinessProbe?.httpGet).toEqual({ path: '/metrics', port: 'http-metrics' });
    expect(exporter.livenessProbe).toBeUndefined();
    expect(exporter.resources).toEqual(c.observability.gateway.exporter.resources);
    expect(exporter.securityContext).toEqual({
      allowPrivilegeEscalation: false,
      capabilities: { drop: ['ALL'] },
      readOnlyRootFilesystem: true,
      runAsNonRoot: true,
      seccompProfile: { type: 'RuntimeDefault' },
    });
    // The URI the exporter reads is the status server nginx.conf renders: its listen address and location.
    const uri = new URL(exporter.args![0].replace(/^--nginx\.scrape-uri=/, ''));
    const conf = g.configMap.data!['nginx.conf'];
    const status = /server \{\n\s*listen ([\d.]+):(\d+);\n[\s\S]*?location = (\S+) \{\n\s*stub_status;/.exec(conf);
    expect(status?.slice(1)).toEqual([uri.hostname, uri.port, uri.pathname]);
    expect(uri.hostname).toBe('127.0.0.1');
    expect(Number(uri.port)).not.toBe(8080);
    expect(Number(uri.port)).toBeGreaterThanOrEqual(1024);
    expect(gatewayComponent.metrics!(c)).toEqual([
      {
        name: 'gateway',
        app: 'gateway',
        port: gatewayExporter.portName,
        path: '/metrics',
        jobLabel: 'app.kubernetes.io/name',
      },
    ]);
    expect(g.deployment.spec?.template.metadata?.labels?.['app.kubernetes.io/name']).toBe('gateway');
  });

  it('serves stub_status only on the loopback server, never on the port the Service exposes', () => {
    const conf = podOf(config()).g.configMap.data!['nginx.conf'];
    const directives = conf
      .split('\n')
      .filter((l) => !l.trim().startsWith('#'))
      .join('\n');
    const servers = directives.split(/^ {4}server \{$/m).slice(1);
    expect(servers).toHaveLength(2);
    expect(servers[0]).toMatch(/^\s*listen 8080;$/m);
    expect(servers[0]).not.toContain('stub_status');
    expect(servers[1]).toMatch(new RegExp(`^\\s*listen ${gatewayStatus.host}:${gatewayStatus.port};$`, 'm'));
  });

  it('renders neither the sidecar, nor the status server, nor a scrape job with the exporter off', () => {
    const c = config((c) => (c.observability.gateway.exporter.enabled = false));
    const { g, spec } = podOf(c);
    expect(spec.containers.map((k) => k.name)).toEqual(['nginx']);
    expect(g.configMap.data!['nginx.conf']).not.toContain('stub_status');
    expect(g.configMap.data!['nginx.conf']).not.toContain(`${gatewayStatus.port}`);
    expect(gatewayComponent.metrics!(c)).toEqual([]);
  });

  it('renders an Ingress to the Service when asked', () => {
    const { g } = podOf(
      config(
        (c) => (
          (c.observability.gateway.exposure = 'ingress'),
          (c.observability.gateway.ingress = { className: 'traefik', host: 'mimir.example' })
        ),
      ),
    );
    expect(g.service.spec?.type).toBeUndefined();
    expect(g.ingress?.spec).toEqual({
      ingressClassName: 'traefik',
      rules: [
        {
          host: 'mimir.example',
          http: {
            paths: [
              { path: '/', pathType: 'Prefix', backend: { service: { name: 'gateway', port: { name: 'http' } } } },
            ],
          },
        },
      ],
    });
  });

  it('mounts the htpasswd Secret where nginx.conf reads it, only with basic auth on', () => {
    expect(podOf(config()).g.configMap.data!['nginx.conf']).not.toMatch(/auth_basic(_user_file)? ["/]/);
    const c = config(
      (c) =>
        (c.observability.gateway.basicAuth = {
          ...c.observability.gateway.basicAuth,
          enabled: true,
          secretName: 'team-htpasswd',
          key: 'users',
          realm: 'Metrics',
        }),
    );
    const { g, spec, nginx } = podOf(c);
    const conf = g.configMap.data!['nginx.conf'];
    const file = /auth_basic_user_file (\S+);/.exec(conf)![1];
    const mount = nginx.volumeMounts!.find((m) => file === `${m.mountPath}/users`)!;
    expect(spec.volumes!.find((v) => v.name === mount.name)?.secret?.secretName).toBe('team-htpasswd');
    expect(conf).toContain('auth_basic "Metrics";');
  });

  it('passes the generic Kubernetes checks, and needs the htpasswd Secret listed as existing', async () => {
    const c = config((c) => (c.observability.gateway.basicAuth.enabled = true));
    const tree = { observability: { gateway: gateway(...withStack(c)) } };
    expect(await validateTree(tree, { existingSecrets: ['gateway-basic-auth'] })).toEqual([]);
    const problems = await validateTree(tree);
    expect(problems.map((p) => p.message)).toEqual(['Secret "gateway-basic-auth" does not exist in namespace mimir']);
  });
});

describe("client credentials of the stack's own clients", () => {
  const withAuth = (edit: (c: StackConfig) => void = () => {}) =>
    config((c) => {
      c.observability.gateway.basicAuth.enabled = true;
      edit(c);
    });

  it('are env vars from the client Secret, only when the gateway asks for basic auth', () => {
    expect(gatewayClientEnvVars(config())).toEqual({});
    expect(gatewayClientEnvVars(withAuth((c) => (c.observability.gateway.enabled = false)))).toEqual({});
    expect(gatewayClientEnvVars(withAuth())).toEqual({
      [gatewayClientEnv.username]: { secret: 'gateway-client-credentials', key: 'username' },
      [gatewayClientEnv.password]: { secret: 'gateway-client-credentials', key: 'password' },
    });
    const custom = withAuth(
      (c) => (c.observability.gateway.basicAuth.client = { secretName: 'login', usernameKey: 'u', passwordKey: 'p' }),
    );
    expect(Object.values(gatewayClientEnvVars(custom))).toEqual([
      { secret: 'login', key: 'u' },
      { secret: 'login', key: 'p' },
    ]);
  });

  it('are not mounted into nginx, which needs only the htpasswd file', () => {
    expect(JSON.stringify(gateway(...withStack(withAuth())).deployment)).not.toContain('gateway-client-credentials');
  });

  describe('in the whole rendered tree with basic auth on', () => {
    const c = withAuth();
    const base = ['storage-credentials', 'grafana-admin', 'gateway-basic-auth'];
    const client = c.observability.gateway.basicAuth.client.secretName;
    const run = (existingSecrets: string[]) => validateTree(render(c), { existingSecrets, extraRules: moduleRules(c) });

    it('leave no dangling reference once both Secrets are listed in existingSecrets', async () => {
      expect(await run([...base, client])).toEqual([]);
    }, 30_000);

    it('reach Grafana and Alloy, whose references fail the build when the client Secret is not listed', async () => {
      const problems = await run(base);
      expect(problems.map((p) => `${p.path} ${p.message}`)).toEqual([
        'observability.alloy.deployment Secret "gateway-client-credentials" does not exist in namespace mimir',
        'observability.alloy.deployment Secret "gateway-client-credentials" does not exist in namespace mimir',
        'observability.grafana.deployment Secret "gateway-client-credentials" does not exist in namespace mimir',
        'observability.grafana.deployment Secret "gateway-client-credentials" does not exist in namespace mimir',
      ]);
    }, 30_000);
  });
});

describe('renderNginxConf', () => {
  const c = config();
  const routes = mimirRoutes(c);

  it('is deterministic and independent of the order of exact and prefix routes', () => {
    expect(renderNginxConf(c, routes, grafanaRoute(stackView(c)))).toBe(
      renderNginxConf(c, routes, grafanaRoute(stackView(c))),
    );
    expect(renderNginxConf(c, [...routes].reverse(), grafanaRoute(stackView(c)))).toBe(
      renderNginxConf(c, routes, grafanaRoute(stackView(c))),
    );
  });

  it('renders exactly the locations of the route table it is given, plus health and Grafana', () => {
    const conf = renderNginxConf(
      c,
      [
        route('/custom/api', 'prefix', 'custom'),
        route('/custom/exact', 'exact', 'custom'),
        route('^/re/[0-9]+$', 'regex', 'custom'),
      ],
      grafanaRoute(stackView(c)),
    );
    const locations = [...conf.matchAll(/^\s*location (.*) \{$/gm)].map((m) => m[1]);
    expect(locations).toEqual([
      `= ${HEALTH_PATH}`,
      '= "/custom/exact"',
      '"/custom/api"',
      '~ "^/re/[0-9]+$"',
      '"/"',
      // The loopback status server's.
      `= ${gatewayStatus.path}`,
      '/',
    ]);
    expect(conf).not.toContain('/prometheus');
  });

  it('keeps regular expressions in table order, since nginx tries them in order', () => {
    const conf = renderNginxConf(
      c,
      [route('^/b', 'regex', 'b'), route('^/a', 'regex', 'a')],
      grafanaRoute(stackView(c)),
    );
    expect(conf.indexOf('"^/b"')).toBeLessThan(conf.indexOf('"^/a"'));
  });

  it('escapes quotes and backslashes in paths', () => {
    const conf = renderNginxConf(c, [route('^/x/\\d+"', 'regex', 'x')], grafanaRoute(stackView(c)));
    expect(conf).toContain('location ~ "^/x/\\\\d+\\"" {');
  });

  it('resolves upstreams at request time through kube-dns', () => {
    const conf = renderNginxConf(c, routes, grafanaRoute(stackView(c)));
    expect(conf).toMatch(/^\s*resolver kube-dns\.kube-system\.svc\.cluster\.local valid=10s;$/m);
    const passes = [...conf.matchAll(/proxy_pass (\S+);/g)].map((m) => m[1]);
    expect(passes.length).toBe(routes.length + 1);
    expect(new Set(passes)).toEqual(new Set(['http://$gateway_upstream']));
    const other = config((c) => ((c.clusterDomain = 'k8s.example'), (c.observability.gateway.resolverValid = '30s')));
    expect(renderNginxConf(other, routes, grafanaRoute(stackView(other)))).toMatch(
      /^\s*resolver kube-dns\.kube-system\.svc\.k8s\.example valid=30s;$/m,
    );
    const custom = config((c) => (c.observability.gateway.resolver = '10.96.0.10:53'));
    expect(renderNginxConf(custom, routes, grafanaRoute(stackView(custom)))).toMatch(
      /^\s*resolver 10\.96\.0\.10:53 valid=10s;$/m,
    );
  });

  it('forwards every route to its Service FQDN and port', () => {
    const ups = upstreamsOf(renderNginxConf(c, routes, grafanaRoute(stackView(c)))).map((u) => `${u.host}:${u.port}`);
    expect(ups).toContain('distributor.mimir.svc.cluster.local:8080');
    expect(ups).toContain(`${GRAFANA_UPSTREAM.service}.mimir.svc.cluster.local:${GRAFANA_UPSTREAM.port}`);
    expect(ups).toHaveLength(routes.length + 1);
  });

  it('writes the default tenant into the map and rejects "|" only without tenant federation', () => {
    const conf = renderNginxConf(
      config((c) => (c.defaultTenant = 'fallback')),
      routes,
      grafanaRoute(stackView(config((c) => (c.defaultTenant = 'fallback')))),
    );
    expect(conf).toContain('""      "fallback";');
    expect(conf).toContain('"~[|]"  1;');
    expect(
      renderNginxConf(
        config((c) => (c.observability.gateway.tenantFederation = true)),
        routes,
        grafanaRoute(stackView(config((c) => (c.observability.gateway.tenantFederation = true)))),
      ),
    ).not.toContain('"~[|]"');
  });

  it("drops Grafana's catch-all when Grafana is disabled, and serves nothing else", () => {
    const conf = renderNginxConf(
      config((c) => (c.observability.grafana.enabled = false)),
      routes,
      grafanaRoute(stackView(config((c) => (c.observability.grafana.enabled = false)))),
    );
    expect(conf).not.toContain(GRAFANA_UPSTREAM.service + '.');
    expect(conf).toMatch(/location \/ \{\n\s+return 404/);
  });
});

describe('selectRoute', () => {
  const table = [
    route('/', 'prefix', 'grafana'),
    route('/p', 'prefix', 'qf'),
    route('/p/deep', 'prefix', 'deep'),
    route('/p/rules', 'prefix', 'ruler'),
    route('/p/x', 'exact', 'exact'),
    route('^/p/re', 'regex', 're1'),
    route('^/p/r', 'regex', 're2'),
  ];
  it.each([
    ['/p/x', 'exact'],
    ['/p/x/y', 'qf'],
    ['/p/deep/a', 'deep'],
    // As in nginx: a matching regular expression beats even the longest prefix.
    ['/p/rules/a', 're2'],
    ['/p/re', 're1'],
    ['/p/rx', 're2'],
    ['/q', 'grafana'],
  ])('%s → %s', (path, service) => expect(selectRoute(table, path)?.service).toBe(service));
});

describe('gatewayRules', () => {
  function ctxFor(c: StackConfig, services: [string, number][], extra: KubeObject[] = []): ValidationContext {
    const svc = (name: string, port: number): KubeObject => ({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name, namespace: c.namespace },
      spec: { ports: [{ name: 'http', port }] },
    });
    const tree = {
      observability: { gateway: gateway(...withStack(c)) },
      fake: {
        services: Object.fromEntries([
          ...services.map(([n, p]) => [n, svc(n, p)]),
          ...extra.map((o, i) => [`extra${i}`, o]),
        ]),
      },
    };
    return { entries: flatten(tree), existingSecrets: new Set() };
  }
  const run = (c: StackConfig, ctx: ValidationContext) => gatewayRules(...withStack(c)).flatMap((r) => r(ctx));
  const allServices = (c: StackConfig): [string, number][] => [
    ...new Map([...mimirRoutes(c), grafanaRoute(stackView(c))!].map((r) => [r.service, r.port])),
  ];

  it('pass when every upstream is a rendered Service with that port', () => {
    const c = config();
    expect(run(c, ctxFor(c, allServices(c)))).toEqual([]);
  });

  it('name an upstream Service that is not rendered, with a suggestion', () => {
    const c = config();
    const services = allServices(c).map(([n, p]): [string, number] =>
      n === 'distributor' ? ['distributer', p] : [n, p],
    );
    const problems = run(c, ctxFor(c, services));
    expect(problems.length).toBeGreaterThan(0);
    expect(problems[0]).toMatchObject({
      path: 'observability.gateway.configMap',
      message:
        'distributor.mimir.svc.cluster.local:8080 names Service "distributor" in namespace mimir, which is not rendered',
      hint: 'did you mean `distributer`?',
    });
    expect(problems[0].pointer).toMatch(/^\/data\/nginx\.conf line \d+$/);
  });

  it('name a Service that does not expose the port', () => {
    const c = config();
    const services = allServices(c).map(([n, p]): [string, number] => (n === 'grafana' ? [n, 80] : [n, p]));
    expect(run(c, ctxFor(c, services))).toEqual([
      expect.objectContaining({
        message: 'grafana.mimir.svc.cluster.local:3000 uses port 3000, which Service "grafana" does not expose',
        expected: '80 (http)',
        found: '3000',
      }),
    ]);
  });

  it('check the nginx.conf in the tree, so an override that edits it is checked too', () => {
    const c = config();
    const ctx = ctxFor(c, allServices(c));
    const data = ctx.entries.find((e) => e.key === 'configMap')!.object.data as Record<string, string>;
    data['nginx.conf'] += '\nset $gateway_upstream "nothing.mimir.svc.cluster.local:80";\n';
    expect(run(c, ctx).map((p) => p.message)).toEqual([
      'nothing.mimir.svc.cluster.local:80 names Service "nothing" in namespace mimir, which is not rendered',
    ]);
  });

  it('do nothing when the gateway is not rendered', () => {
    const c = config();
    expect(run(c, { entries: [], existingSecrets: new Set() })).toEqual([]);
  });

  it('report a bad default tenant', () => {
    const c = config((c) => (c.defaultTenant = 'a b'));
    expect(run(c, ctxFor(c, allServices(c)))).toEqual([
      expect.objectContaining({
        path: 'config.defaultTenant',
        message: 'default tenant "a b" has characters Mimir does not accept in a tenant ID: " "',
      }),
    ]);
  });
});

describe('routeTableProblems', () => {
  const c = config();
  it('accepts the Mimir route table', () =>
    expect(routeTableProblems(mimirRoutes(c), grafanaRoute(stackView(c)))).toEqual([]));
  it('reports duplicate locations, including clashes with health and Grafana', () => {
    const problems = routeTableProblems(
      [
        route('/a', 'exact', 'x'),
        route('/a', 'exact', 'y'),
        route(HEALTH_PATH, 'exact', 'z'),
        route('/', 'prefix', 'w'),
      ],
      grafanaRoute(stackView(c)),
    );
    expect(problems.map((p) => p.message)).toEqual([
      'two locations for exact /a: x and y',
      `two locations for exact ${HEALTH_PATH}: gateway and z`,
      'two locations for prefix /: w and grafana',
      "Grafana's path / is claimed by route prefix / → w",
      "Grafana's path /login is claimed by route prefix / → w",
      "Grafana's path /explore is claimed by route prefix / → w",
      "Grafana's path /d/abc/dashboard is claimed by route prefix / → w",
      "Grafana's path /api/health is claimed by route prefix / → w",
      "Grafana's path /api/datasources is claimed by route prefix / → w",
      "Grafana's path /api/live/ws is claimed by route prefix / → w",
      "Grafana's path /public/build/app.js is claimed by route prefix / → w",
    ]);
  });
  it("reports a route that would take Grafana's paths", () => {
    expect(
      routeTableProblems([route('/api', 'prefix', 'x')], grafanaRoute(stackView(c))).map((p) => p.message),
    ).toEqual([
      "Grafana's path /api/health is claimed by route prefix /api → x",
      "Grafana's path /api/datasources is claimed by route prefix /api → x",
      "Grafana's path /api/live/ws is claimed by route prefix /api → x",
    ]);
  });
  it('reports malformed paths, regular expressions and ports', () => {
    expect(
      routeTableProblems(
        [
          route('nope', 'prefix', 'x'),
          route('/a b', 'exact', 'x'),
          route('^/(', 'regex', 'x'),
          route('/q', 'prefix', 'x', 70000),
        ],
        grafanaRoute(stackView(c)),
      ).map((p) => p.message),
    ).toEqual([
      'route prefix nope → x: the path must start with "/" and contain no spaces or control characters',
      'route exact /a b → x: the path must start with "/" and contain no spaces or control characters',
      expect.stringMatching(/^route regex \^\/\( → x: the regular expression does not compile/),
      'route prefix /q → x: port 70000 is not a TCP port',
    ]);
  });
});

describe('tenantIdProblem', () => {
  it.each(['anonymous', 'team-a', "a.b_c!*'()"])('accepts %s', (id) => expect(tenantIdProblem(id)).toBeUndefined());
  it.each([
    ['', 'is empty'],
    ['..', 'cannot be "." or ".."'],
    ['x'.repeat(151), 'is longer than 150 characters'],
    ['a,b|c', 'has characters Mimir does not accept in a tenant ID: "," "|"'],
  ])('rejects %j', (id, message) => expect(tenantIdProblem(id)).toBe(message));
});

describe('local cluster configs', () => {
  const c = config((c) => (c.observability.gateway.exposure = 'nodePort'));
  const nodePort = gateway(...withStack(c)).service.spec?.ports?.[0].nodePort;

  it('kind maps host 8080 to the gateway NodePort, and examples/kind-config.yaml is current', () => {
    const [kind] = parseYamlDocuments(kindConfig(c)) as {
      nodes: { extraPortMappings: { containerPort: number; hostPort: number }[] }[];
    }[];
    expect(kind.nodes[0].extraPortMappings[0]).toMatchObject({ containerPort: nodePort, hostPort: 8080 });
    expect(readFileSync('examples/kind-config.yaml', 'utf8')).toBe(kindConfig(c));
  });

  it('k3d maps host 8080 through its load balancer to the NodePort, and examples/k3d-config.yaml is current', () => {
    const [k3d] = parseYamlDocuments(k3dConfig(c)) as { ports: { port: string; nodeFilters: string[] }[] }[];
    expect(k3d.ports).toEqual([{ port: `127.0.0.1:8080:${nodePort}`, nodeFilters: ['loadbalancer'] }]);
    expect(readFileSync('examples/k3d-config.yaml', 'utf8')).toBe(k3dConfig(c));
  });
});
