/**
 * The gateway's generated nginx.conf in a real nginx. Upstream Services are stub HTTP servers, each on
 * its own loopback address and on the Service's real port; a DNS server started here resolves the
 * cluster's Service names to those addresses through nginx's `resolver`. The harness changes only what
 * `REWRITTEN` lists: pid and temp paths, the listen address, the resolver address and the htpasswd path.
 */
import { spawn } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultConfig, serviceHost, type StackConfig } from '../lib/build/config.js';
import { mimirRoutes } from '../lib/mimir/routes.js';
import {
  gatewayPaths,
  gatewayStatus,
  grafanaRoute,
  HEALTH_PATH,
  renderNginxConf,
  selectRoute,
  TENANT_REJECTED_MESSAGE,
} from '../lib/observability/gateway/nginx.js';
import type { Container } from '../lib/core/k8s/types.js';
import {
  alloy,
  alloyConfig,
  blocksNamed,
  attribute,
  callOf,
  isCall,
  parseAlloy,
  type AlloyValue,
} from '../lib/observability/alloy/index.js';
import { grafana } from '../lib/observability/grafana/index.js';
import { gateway, gatewayExporter } from '../lib/observability/gateway/index.js';
import type { Route } from '../lib/core/routes.js';
import { parseYamlDocuments } from '../lib/core/yaml.js';
import { withStack } from './support/stack.js';
import { stackView } from '../lib/build/registry.js';
import {
  basicAuthHeader,
  findNginx,
  freePort,
  htpasswdLine,
  joinsRepeatedHeaders,
  localiseNginxConf,
  nginxTest,
  nginxVersion,
  removeDir,
  REWRITTEN,
  request,
  startDns,
  startNginx,
  startStub,
  tempDir,
  type DnsServer,
  type RunningNginx,
  type Stub,
} from './support/nginx.js';
import { needs } from './support/tools.js';

/** Grafana's Service as the registry publishes it: the gateway's catch-all upstream. */
const GRAFANA_UPSTREAM = stackView(defaultConfig()).endpoint('grafana');

const bin = findNginx();
const nginx = needs('nginx', bin !== undefined, 'apt-get install -y nginx');
const version = bin ? nginxVersion(bin) : ([0, 0, 0] as [number, number, number]);
const joins = joinsRepeatedHeaders(version);

/** The exporter the gateway's sidecar runs, at the pinned version, as test/peers/nginx-exporter/build.sh caches it. */
const exporterVersion = defaultConfig().images.nginxExporter.replace(/^.*:/, '');
const exporterBin = join(
  process.env.XDG_CACHE_HOME || join(homedir(), '.cache'),
  'mimir-kube',
  `nginx-exporter-${exporterVersion}`,
  'bin',
  'nginx-prometheus-exporter',
);
const exporter = needs(
  `the NGINX Prometheus exporter ${exporterVersion}`,
  existsSync(exporterBin),
  'npm run peers:nginx-exporter',
);

function config(edit: (c: StackConfig) => void = () => {}): StackConfig {
  const c = defaultConfig();
  c.defaultTenant = 'default-tenant-for-tests';
  edit(c);
  return c;
}

/** A request path that a route's location matches. */
function probePath(r: Route): string {
  if (r.match === 'exact') return r.path;
  if (r.match === 'prefix') return `${r.path}${r.path.endsWith('/') ? '' : '/'}gateway-probe`;
  throw new Error(`route ${r.path} is a regular expression: give the routing test a sample path for it`);
}

/** One loopback address per Service, each Service's stub on the port the routes name. */
class Upstreams {
  private stubs: Stub[] = [];
  readonly records = new Map<string, string>();

  async start(c: StackConfig, routes: readonly Route[]): Promise<void> {
    const targets = new Map<string, Set<number>>();
    for (const r of routes) targets.set(r.service, (targets.get(r.service) ?? new Set()).add(r.port));
    let n = 0;
    for (const [service, ports] of [...targets].sort(([a], [b]) => a.localeCompare(b))) {
      const ip = `127.77.0.${++n}`;
      this.records.set(serviceHost(c, service), ip);
      for (const port of ports) this.stubs.push(await startStub(service, ip, port));
    }
  }

  async close(): Promise<void> {
    await Promise.all(this.stubs.map((s) => s.close()));
  }
}

interface Gateway {
  nginx: RunningNginx;
  /** The loopback stub_status server's port, when the exporter (and so the server) is on. */
  statusPort?: number;
  dns: DnsServer;
  upstreams: Upstreams;
  dir: string;
  stop: () => Promise<void>;
}

async function startGateway(c: StackConfig, opts: { htpasswd?: string; routes?: Route[] } = {}): Promise<Gateway> {
  const routes = opts.routes ?? mimirRoutes(c);
  const grafana = grafanaRoute(stackView(c));
  const upstreams = new Upstreams();
  await upstreams.start(c, [...routes, ...(grafana ? [grafana] : [])]);
  const dns = await startDns(upstreams.records);
  const dir = tempDir();
  let htpasswd: string | undefined;
  if (opts.htpasswd !== undefined) {
    htpasswd = join(dir, 'htpasswd');
    writeFileSync(htpasswd, opts.htpasswd, { mode: 0o644 });
  }
  const port = await freePort();
  // Its own free port, so that several gateways (test files run in parallel) never share one.
  const statusPort = c.observability.gateway.exporter.enabled ? await freePort() : undefined;
  const conf = localiseNginxConf(renderNginxConf(c, routes, grafanaRoute(stackView(c))), gatewayPaths.runDir, {
    dir,
    listen: `127.0.0.1:${port}`,
    status: statusPort === undefined ? undefined : `127.0.0.1:${statusPort}`,
    resolver: dns.address,
    htpasswd,
  });
  let nginx: RunningNginx;
  try {
    nginx = await startNginx(bin!, conf, dir, port);
  } catch (e) {
    await dns.close();
    await upstreams.close();
    removeDir(dir);
    throw e;
  }
  return {
    nginx,
    statusPort,
    dns,
    upstreams,
    dir,
    stop: async () => {
      await nginx.stop();
      await dns.close();
      await upstreams.close();
      removeDir(dir);
    },
  };
}

/** A container's env as the kubelet would set it, with secretKeyRefs looked up in the given Secrets' data. */
function envOf(k: Container, secrets: Record<string, Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of k.env ?? []) {
    const ref = e.valueFrom?.secretKeyRef;
    const value = ref ? secrets[ref.name ?? '']?.[ref.key] : e.value;
    if (value === undefined)
      throw new Error(`env ${e.name}: no value (Secret ${ref?.name}/${ref?.key} not given to the test)`);
    out[e.name] = value;
  }
  return out;
}

/**
 * What Grafana does to a parsed provisioning file: every string value (not the file's text, so a value
 * with ": " in it cannot break the YAML) gets `$NAME` and `${NAME}` from its env.
 */
function expandGrafanaEnv(v: unknown, env: Record<string, string>): unknown {
  if (typeof v === 'string')
    return v.replace(/\$\$|\$\{([A-Za-z_]\w*)\}|\$([A-Za-z_]\w*)/g, (m, a?: string, b?: string) =>
      m === '$$' ? '$' : (env[a ?? b ?? ''] ?? ''),
    );
  if (Array.isArray(v)) return v.map((x) => expandGrafanaEnv(x, env));
  if (v !== null && typeof v === 'object')
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, expandGrafanaEnv(x, env)]));
  return v;
}

/** Alloy's value of an attribute: a string literal, or `sys.env("NAME")` from its env. */
function alloyString(v: AlloyValue | undefined, env: Record<string, string>): string {
  if (typeof v === 'string') return v;
  if (isCall(v) && callOf(v).fn === 'sys.env' && typeof callOf(v).args[0] === 'string')
    return env[callOf(v).args[0] as string] ?? '';
  throw new Error(`cannot evaluate ${JSON.stringify(v)}`);
}

/**
 * The requests the stack's own clients send through the gateway, with the Authorization header they
 * compute from their rendered config and pod env (the client Secret's values filled in).
 */
function clientRequests(
  c: StackConfig,
  secrets: Record<string, Record<string, string>>,
): { client: string; path: string; method: string; headers: Record<string, string> }[] {
  const out: { client: string; path: string; method: string; headers: Record<string, string> }[] = [];
  const g = grafana(...withStack(c));
  const grafanaEnv = envOf(g.deployment.spec!.template.spec!.containers[0], secrets);
  const file = expandGrafanaEnv(parseYamlDocuments(g.datasources.data!['datasources.yaml'])[0], grafanaEnv) as {
    datasources: {
      name: string;
      type: string;
      url: string;
      basicAuth?: boolean;
      basicAuthUser?: string;
      jsonData: Record<string, string>;
      secureJsonData: Record<string, string>;
    }[];
  };
  for (const d of file.datasources) {
    const headers: Record<string, string> = { [d.jsonData.httpHeaderName1]: d.secureJsonData.httpHeaderValue1 };
    if (d.basicAuth)
      headers.Authorization = basicAuthHeader(d.basicAuthUser ?? '', d.secureJsonData.basicAuthPassword ?? '');
    const base = new URL(d.url).pathname.replace(/\/$/, '');
    const path = d.type === 'prometheus' ? `${base}/api/v1/query` : `${base}/alertmanager/api/v2/status`;
    out.push({ client: `Grafana data source ${d.name}`, path, method: 'GET', headers });
  }
  const a = alloy(...withStack(c));
  const alloyEnv = envOf(a.deployment.spec!.template.spec!.containers[0], secrets);
  const rw = blocksNamed(parseAlloy(alloyConfig(...withStack(c))), 'prometheus.remote_write')[0];
  for (const endpoint of blocksNamed(rw.body, 'endpoint')) {
    const headers = { ...(attribute(endpoint, 'headers') as Record<string, string>) };
    for (const auth of blocksNamed(endpoint.body, 'basic_auth')) {
      headers.Authorization = basicAuthHeader(
        alloyString(attribute(auth, 'username'), alloyEnv),
        alloyString(attribute(auth, 'password'), alloyEnv),
      );
    }
    out.push({
      client: 'Alloy remote write',
      path: new URL(attribute(endpoint, 'url') as string).pathname,
      method: 'POST',
      headers,
    });
  }
  return out;
}

describe('localiseNginxConf', () => {
  it(`changes only what REWRITTEN lists: ${REWRITTEN.join('; ')}`, () => {
    const c = config((c) => (c.observability.gateway.basicAuth.enabled = true));
    const rendered = renderNginxConf(c, mimirRoutes(c), grafanaRoute(stackView(c))).split('\n');
    const local = localiseNginxConf(rendered.join('\n'), gatewayPaths.runDir, {
      dir: '/x',
      listen: '127.0.0.1:1',
      status: '127.0.0.1:3',
      resolver: '127.0.0.1:2',
      htpasswd: '/x/htpasswd',
    }).split('\n');
    expect(local).toHaveLength(rendered.length);
    const changed = rendered.map((line, i) => [line.trim(), local[i].trim()]).filter(([a, b]) => a !== b);
    expect(changed.map(([, b]) => b.split(' ')[0]).sort()).toEqual([
      'auth_basic_user_file',
      'client_body_temp_path',
      'fastcgi_temp_path',
      'listen',
      'listen',
      'pid',
      'proxy_temp_path',
      'resolver',
      'scgi_temp_path',
      'uwsgi_temp_path',
    ]);
  });

  it('fails loudly when a directive it rewrites is gone', () => {
    expect(() => localiseNginxConf('events {}\n', gatewayPaths.runDir, { dir: '/x' })).toThrow(/no pid directive/);
  });
});

describe.runIf(nginx.run)(`gateway nginx.conf in real nginx ${version.join('.')}${nginx.note}`, () => {
  it('has an nginx binary', () => expect(bin, nginx.missing).toBeDefined());
  describe('nginx -t', () => {
    const cases: [string, StackConfig][] = [
      ['defaults', config()],
      [
        'basic auth and tenant federation',
        config(
          (c) => (
            (c.observability.gateway.basicAuth.enabled = true),
            (c.observability.gateway.tenantFederation = true)
          ),
        ),
      ],
      [
        'Grafana, ruler and Alertmanager disabled',
        config(
          (c) => (
            (c.observability.grafana.enabled = false),
            (c.mimir.ruler.enabled = false),
            (c.mimir.alertmanager.enabled = false)
          ),
        ),
      ],
      ['the exporter off (no stub_status server)', config((c) => (c.observability.gateway.exporter.enabled = false))],
      [
        'another namespace and cluster domain',
        config((c) => ((c.namespace = 'metrics'), (c.clusterDomain = 'k8s.example'))),
      ],
    ];
    const custom: Route[] = [
      {
        path: '^/custom/[0-9]{2}\\.json$',
        match: 'regex',
        component: 'custom',
        service: 'custom',
        port: 9000,
        description: 'a regex with braces and a backslash',
      },
      {
        path: '/with "quotes"',
        match: 'prefix',
        component: 'custom',
        service: 'custom',
        port: 9000,
        description: 'quotes in a path',
      },
    ];
    it.each([
      ...cases.map(([n, c]) => [n, c, mimirRoutes(c)] as const),
      ['routes that need quoting', config(), [...mimirRoutes(config()), ...custom]] as const,
    ])('accepts the rendered config: %s', (_name, c, routes) => {
      const dir = tempDir();
      try {
        // The rendered resolver is kube-dns' cluster name, which nginx resolves while loading the file.
        const conf = localiseNginxConf(renderNginxConf(c, routes, grafanaRoute(stackView(c))), gatewayPaths.runDir, {
          dir,
          resolver: '127.0.0.1',
          htpasswd: c.observability.gateway.basicAuth.enabled ? join(dir, 'htpasswd') : undefined,
        });
        writeFileSync(join(dir, 'htpasswd'), htpasswdLine('alice', 'secret'));
        const confPath = join(dir, 'nginx.conf');
        writeFileSync(confPath, conf);
        const result = nginxTest(bin!, confPath, dir);
        expect(result.output).toContain('test is successful');
        expect(result.ok).toBe(true);
      } finally {
        removeDir(dir);
      }
    });

    it('rejects a broken config, so the check above can fail', () => {
      const dir = tempDir();
      try {
        const c = config();
        const conf = localiseNginxConf(
          renderNginxConf(c, [...mimirRoutes(c), ...mimirRoutes(c).slice(0, 1)], grafanaRoute(stackView(c))),
          gatewayPaths.runDir,
          { dir, resolver: '127.0.0.1' },
        );
        const confPath = join(dir, 'nginx.conf');
        writeFileSync(confPath, conf);
        const result = nginxTest(bin!, confPath, dir);
        expect(result.ok).toBe(false);
        expect(result.output).toMatch(/duplicate location/);
      } finally {
        removeDir(dir);
      }
    });
  });

  describe('routing with every component enabled', () => {
    const c = config();
    let gw: Gateway;
    beforeAll(async () => {
      gw = await startGateway(c);
    });
    afterAll(async () => gw?.stop());

    const routes = mimirRoutes(c);
    it('has Mimir routes to test', () => expect(routes.length).toBeGreaterThan(5));

    it.each(routes.map((r) => [`${r.match} ${r.path}`, r] as const))('%s reaches its component', async (_label, r) => {
      const path = probePath(r);
      const reply = await request(gw.nginx.port, path);
      expect(reply.status, reply.body).toBe(200);
      expect(reply.echo).toMatchObject({ service: r.service, path });
    });

    it('the most specific location wins, exactly as selectRoute (used by the build checks) predicts', async () => {
      const table = [...routes, grafanaRoute(stackView(c))!];
      const paths = [
        '/prometheus/api/v1/rules',
        '/prometheus/api/v1/rules/extra',
        '/prometheus/api/v1/query',
        '/prometheus/config/v1/rules/namespace',
        '/prometheus',
        '/api/v1/push',
        '/api/v1/push/extra',
        '/api/v1/alerts',
        '/api/v1/upload/block/01ABC/files',
        '/alertmanager/api/v2/status',
        '/multitenant_alertmanager/status',
        '/distributor/all_user_stats',
        '/ingester/ring',
        '/ingester/ring/extra',
        '/compactor/ring',
        '/otlp/v1/metrics',
      ];
      const expected = {
        '/prometheus/api/v1/rules': 'ruler',
        '/prometheus/api/v1/query': 'query-frontend',
        '/api/v1/push/extra': 'grafana',
      } as Record<string, string>;
      for (const path of paths) {
        const reply = await request(gw.nginx.port, path);
        expect(reply.echo?.service, path).toBe(selectRoute(table, path)?.service);
        if (expected[path]) expect(reply.echo?.service, path).toBe(expected[path]);
      }
    });

    it.each([
      '/explore',
      '/api/health',
      '/public/build/app.js',
      '/api/datasources',
      '/',
      '/login',
      '/d/abc/my-dashboard?orgId=1',
    ])('Grafana serves %s', async (path) => {
      const reply = await request(gw.nginx.port, path);
      expect(reply.status).toBe(200);
      expect(reply.echo).toMatchObject({ service: GRAFANA_UPSTREAM.service, path, host: 'localhost' });
      // Grafana never sees a tenant header, not even the default one.
      expect(reply.echo?.tenants).toEqual([]);
    });

    it('answers the health endpoint itself', async () => {
      const reply = await request(gw.nginx.port, HEALTH_PATH);
      expect(reply).toMatchObject({ status: 200, body: 'ok\n' });
    });

    it('serves stub_status on the loopback status server, in the format the exporter parses', async () => {
      expect(gw.statusPort).toBeDefined();
      const reply = await request(gw.statusPort!, gatewayStatus.path);
      expect(reply.status, reply.body).toBe(200);
      // nginx's stub_status page; the exporter's parser (collector/nginx.go) reads exactly these lines.
      expect(reply.body).toMatch(
        /^Active connections: \d+ \nserver accepts handled requests\n \d+ \d+ \d+ \nReading: \d+ Writing: \d+ Waiting: \d+ \n$/,
      );
      expect((await request(gw.statusPort!, '/')).status).toBe(404);
    });

    it.runIf(exporter.run)(
      `the real NGINX exporter ${exporterVersion}, run with the sidecar's rendered args, reads it${exporter.note}`,
      async () => {
        expect(existsSync(exporterBin), exporter.missing).toBe(true);
        const sidecar = gateway(...withStack(c)).deployment.spec!.template.spec!.containers.find(
          (k) => k.name === gatewayExporter.container,
        )!;
        const metricsPort = await freePort();
        // Only the ports move (the test's nginx and exporter share this machine's loopback); host and path stay.
        const args = sidecar.args!.map((a) =>
          a
            .replace(/^(--nginx\.scrape-uri=http:\/\/127\.0\.0\.1:)8081(\/)/, `$1${gw.statusPort}$2`)
            .replace(/^(--web\.listen-address=):9113$/, `$1127.0.0.1:${metricsPort}`),
        );
        expect(args.filter((a, i) => a !== sidecar.args![i])).toHaveLength(2);
        const proc = spawn(exporterBin, args, { stdio: 'ignore' });
        try {
          let text = '';
          const deadline = Date.now() + 10_000;
          while (!/^nginx_up 1$/m.test(text)) {
            if (Date.now() > deadline) throw new Error(`the exporter did not report nginx_up 1 within 10s:\n${text}`);
            await new Promise((r) => setTimeout(r, 200));
            text = await fetch(`http://127.0.0.1:${metricsPort}/metrics`)
              .then((r) => r.text())
              .catch(() => '');
          }
          for (const name of ['nginx_connections_active', 'nginx_connections_accepted', 'nginx_connections_handled'])
            expect(text).toMatch(new RegExp(`^${name} \\d+$`, 'm'));
          // The requests the tests above sent through the gateway, counted by nginx.
          expect(Number(/^nginx_http_requests_total (\d+)$/m.exec(text)?.[1])).toBeGreaterThan(0);
        } finally {
          proc.kill('SIGTERM');
        }
      },
    );

    it("keeps stub_status off the gateway port: the path is Grafana's there", async () => {
      const reply = await request(gw.nginx.port, gatewayStatus.path);
      expect(reply.echo).toMatchObject({ service: GRAFANA_UPSTREAM.service, path: gatewayStatus.path });
    });

    it('gives a request without X-Scope-OrgID the default tenant', async () => {
      const reply = await request(gw.nginx.port, '/prometheus/api/v1/query');
      expect(reply.echo?.tenants).toEqual([c.defaultTenant]);
    });

    it('passes a single tenant through unchanged', async () => {
      const reply = await request(gw.nginx.port, '/api/v1/push', { 'X-Scope-OrgID': 'team-a' }, 'POST');
      expect(reply.status).toBe(200);
      expect(reply.echo).toMatchObject({ service: 'distributor', tenants: ['team-a'] });
    });

    it.skipIf(!joins)(
      'rejects two X-Scope-OrgID headers with 400 (needs nginx ≥ 1.23, which joins repeated headers)',
      async () => {
        const reply = await request(gw.nginx.port, '/prometheus/api/v1/query', {
          'X-Scope-OrgID': ['team-a', 'team-b'],
        });
        expect(reply.status).toBe(400);
        expect(reply.body).toBe(`${TENANT_REJECTED_MESSAGE}\n`);
        expect(reply.echo).toBeUndefined();
      },
    );

    it('never forwards two tenant headers, whatever the nginx version', async () => {
      const reply = await request(gw.nginx.port, '/prometheus/api/v1/query', { 'X-Scope-OrgID': ['team-a', 'team-b'] });
      if (joins) expect(reply.status).toBe(400);
      else {
        // nginx < 1.23 sees only the first line; proxy_set_header still replaces all of them.
        console.warn(
          `nginx ${version.join('.')} < 1.23 cannot see repeated headers; the gateway image (nginx 1.29) rejects them`,
        );
        expect(reply.echo?.tenants).toEqual(['team-a']);
      }
    });

    it.each(['team-a, team-b', 'team-a,team-b', 'team-a|team-b'])(
      'rejects X-Scope-OrgID "%s" with 400',
      async (value) => {
        const reply = await request(gw.nginx.port, '/api/v1/push', { 'X-Scope-OrgID': value }, 'POST');
        expect(reply.status).toBe(400);
        expect(reply.body).toBe(`${TENANT_REJECTED_MESSAGE}\n`);
      },
    );

    it('resolves Service names through the configured resolver', () => {
      expect(gw.dns.queries).toContain(serviceHost(c, 'distributor'));
      expect(gw.dns.queries).toContain(serviceHost(c, GRAFANA_UPSTREAM.service));
    });
  });

  describe('a regular-expression route', () => {
    const c = config();
    const regex: Route = {
      path: '^/prometheus/api/v1/query_(range|exemplars)/[0-9]{2}$',
      match: 'regex',
      component: 'custom',
      service: 'custom',
      port: 9000,
      description: 'regex beats prefix',
    };
    let gw: Gateway;
    beforeAll(async () => {
      gw = await startGateway(c, { routes: [...mimirRoutes(c), regex] });
    });
    afterAll(async () => gw?.stop());

    it('matches as written, before the longest prefix, as selectRoute predicts', async () => {
      const table = [...mimirRoutes(c), regex, grafanaRoute(stackView(c))!];
      for (const [path, service] of [
        ['/prometheus/api/v1/query_range/42', 'custom'],
        ['/prometheus/api/v1/query_range/4', 'query-frontend'],
        ['/prometheus/api/v1/rules', 'ruler'],
      ]) {
        expect(selectRoute(table, path)?.service, path).toBe(service);
        expect((await request(gw.nginx.port, path)).echo?.service, path).toBe(service);
      }
    });
  });

  describe('routing with components disabled', () => {
    const c = config(
      (c) => (
        (c.mimir.alertmanager.enabled = false),
        (c.mimir.ruler.enabled = false),
        (c.observability.gateway.tenantFederation = true)
      ),
    );
    let gw: Gateway;
    beforeAll(async () => {
      gw = await startGateway(c);
    });
    afterAll(async () => gw?.stop());

    it.each(['/alertmanager/api/v2/status', '/api/v1/alerts', '/multitenant_alertmanager/status'])(
      'Alertmanager route %s is absent and falls through to Grafana',
      async (path) => {
        const reply = await request(gw.nginx.port, path);
        expect(reply.echo?.service).toBe('grafana');
      },
    );

    it('ruler routes are absent: the Prometheus API prefix answers them', async () => {
      for (const path of ['/prometheus/api/v1/rules', '/prometheus/config/v1/rules/ns']) {
        const reply = await request(gw.nginx.port, path);
        expect(reply.echo?.service, path).toBe('query-frontend');
      }
    });

    it('lets a "|"-joined tenant list through when tenant federation is on', async () => {
      const reply = await request(gw.nginx.port, '/prometheus/api/v1/query', { 'X-Scope-OrgID': 'team-a|team-b' });
      expect(reply.status).toBe(200);
      expect(reply.echo?.tenants).toEqual(['team-a|team-b']);
    });
  });

  describe('Grafana disabled', () => {
    const c = config((c) => (c.observability.grafana.enabled = false));
    let gw: Gateway;
    beforeAll(async () => {
      gw = await startGateway(c);
    });
    afterAll(async () => gw?.stop());

    it('answers 404 for paths no route claims, instead of serving files', async () => {
      const reply = await request(gw.nginx.port, '/explore');
      expect(reply.status).toBe(404);
      expect(reply.echo).toBeUndefined();
    });

    it('still routes Mimir', async () => {
      const reply = await request(gw.nginx.port, '/prometheus/api/v1/query');
      expect(reply.echo?.service).toBe('query-frontend');
    });
  });

  describe('basic auth', () => {
    const c = config((c) => (c.observability.gateway.basicAuth.enabled = true));
    const client = c.observability.gateway.basicAuth.client;
    // The client Secret as the environment provides it; its user is also in the htpasswd file.
    const clientSecret = { [client.usernameKey]: 'mimir-stack', [client.passwordKey]: 'stack: pass-1' };
    const secrets = {
      [client.secretName]: clientSecret,
      [c.observability.grafana.adminSecret.secretName]: { 'admin-user': 'admin', 'admin-password': 'x' },
    };
    let gw: Gateway;
    beforeAll(async () => {
      gw = await startGateway(c, {
        htpasswd: htpasswdLine('alice', 'correct horse') + htpasswdLine('mimir-stack', 'stack: pass-1'),
      });
    });
    afterAll(async () => gw?.stop());

    it('rejects requests without credentials', async () => {
      for (const path of ['/prometheus/api/v1/query', '/explore']) {
        const reply = await request(gw.nginx.port, path);
        expect(reply.status, path).toBe(401);
        expect(reply.headers['www-authenticate'], path).toBe(
          `Basic realm="${c.observability.gateway.basicAuth.realm}"`,
        );
        expect(reply.echo).toBeUndefined();
      }
    });

    it('rejects a wrong password', async () => {
      const reply = await request(gw.nginx.port, '/prometheus/api/v1/query', {
        Authorization: basicAuthHeader('alice', 'wrong'),
      });
      expect(reply.status).toBe(401);
    });

    it('accepts correct credentials and keeps them from the upstream', async () => {
      for (const [path, service] of [
        ['/prometheus/api/v1/query', 'query-frontend'],
        ['/explore', 'grafana'],
      ]) {
        const reply = await request(gw.nginx.port, path, { Authorization: basicAuthHeader('alice', 'correct horse') });
        expect(reply.status, path).toBe(200);
        expect(reply.echo, path).toMatchObject({ service, authorization: false });
      }
    });

    it("lets Grafana's data sources and Alloy's remote write in with the client Secret's credentials", async () => {
      const requests = clientRequests(c, secrets);
      expect(requests.map((r) => r.client)).toEqual([
        'Grafana data source Mimir',
        'Grafana data source Mimir (self-monitoring)',
        'Grafana data source Mimir Alertmanager',
        'Alloy remote write',
      ]);
      const expected: Record<string, string> = {
        'Grafana data source Mimir': 'query-frontend',
        'Grafana data source Mimir (self-monitoring)': 'query-frontend',
        'Grafana data source Mimir Alertmanager': 'alertmanager',
        'Alloy remote write': 'distributor',
      };
      // The stack's own metrics live in the meta tenant; Grafana's Mimir and Alertmanager data sources read the default one.
      const meta = new Set(['Grafana data source Mimir (self-monitoring)', 'Alloy remote write']);
      for (const r of requests) {
        expect(r.headers.Authorization, r.client).toBe(basicAuthHeader('mimir-stack', 'stack: pass-1'));
        const reply = await request(gw.nginx.port, r.path, r.headers, r.method);
        expect(reply.status, `${r.client} ${r.path}: ${reply.body}`).toBe(200);
        expect(reply.echo, r.client).toMatchObject({
          service: expected[r.client],
          tenants: [meta.has(r.client) ? c.selfMonitoring.tenant : c.defaultTenant],
          authorization: false,
        });
      }
    });

    it('turns the same clients away when the client Secret holds a password nginx does not know', async () => {
      const wrong = {
        ...secrets,
        [client.secretName]: { ...clientSecret, [client.passwordKey]: 'rotated-but-not-in-htpasswd' },
      };
      for (const r of clientRequests(c, wrong)) {
        const reply = await request(gw.nginx.port, r.path, r.headers, r.method);
        expect(reply.status, r.client).toBe(401);
      }
    });

    it('leaves the health endpoint open for the kubelet', async () => {
      expect((await request(gw.nginx.port, HEALTH_PATH)).status).toBe(200);
    });

    it('leaves stub_status open for the exporter, which sends no credentials', async () => {
      expect((await request(gw.statusPort!, gatewayStatus.path)).status).toBe(200);
    });
  });
});
