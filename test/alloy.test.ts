import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StackConfig } from '../lib/build/config.js';
import { container, httpProbe } from '../lib/core/k8s/container.js';
import { selectorLabels } from '../lib/core/k8s/meta.js';
import { serviceFor } from '../lib/core/k8s/service.js';
import type { TreeLike } from '../lib/core/k8s/types.js';
import { deployment } from '../lib/core/k8s/workload.js';
import {
  alloy,
  alloyConfig,
  alloyConfigStatements,
  alloyRules,
  alloySyntaxErrors,
  attr,
  attribute,
  block,
  blocksNamed,
  call,
  callOf,
  calls,
  isCall,
  isRef,
  parseAlloy,
  quote,
  ref,
  refPath,
  references,
  remoteWriteUrl,
  renderAlloy,
  scrapeJobs,
  type AlloyBlock,
  type AlloyStatement,
} from '../lib/observability/alloy/index.js';
import { gatewayClientEnv } from '../lib/observability/gateway/client.js';
import { grafana } from '../lib/observability/grafana/index.js';
import { minio } from '../lib/observability/minio/index.js';
import { cluster } from '../lib/build/render.js';
import { validateTree } from '../lib/build/validate/index.js';
import { config, fakeGateway, withStack } from './support/stack.js';
import { stackView } from '../lib/build/registry.js';
import { needs } from './support/tools.js';

const resources = { requests: { cpu: '10m', memory: '16Mi' } };

function fakeMimir(c: StackConfig, port = 'http-metrics') {
  const d = deployment({
    name: 'distributor',
    namespace: c.namespace,
    selector: selectorLabels('mimir', 'distributor', c.partOf),
    replicas: 1,
    pod: {
      containers: [
        container({
          name: 'distributor',
          image: 'mimir:test',
          ports: { [port]: 8080, grpc: 9095 },
          resources,
          readinessProbe: httpProbe('/ready', port),
        }),
      ],
    },
  });
  return { deployment: d, service: serviceFor(d) };
}

/** The rendered tree's shape, no cast: tree walkers take it as it is. */
function treeOf(c: StackConfig, parts: { gateway?: boolean; mimirPort?: string } = {}) {
  return {
    cluster: cluster(c),
    mimir: { distributor: fakeMimir(c, parts.mimirPort) },
    observability: {
      alloy: alloy(...withStack(c)),
      ...(c.observability.minio.enabled ? { minio: minio(c) } : {}),
      ...(c.observability.grafana.enabled ? { grafana: grafana(...withStack(c)) } : {}),
      ...(parts.gateway === false ? {} : { gateway: fakeGateway(c) }),
    },
  };
}

const component = (statements: AlloyStatement[], name: string, label: string): AlloyBlock => {
  const found = blocksNamed(statements, name).find((b) => b.label === label);
  if (!found) throw new Error(`no ${name} "${label}"`);
  return found;
};

describe('Alloy objects', () => {
  const c = config();
  const a = alloy(...withStack(c));
  const pod = a.deployment.spec!.template.spec!;
  const agent = pod.containers[0];

  it('runs one replica with the service account token mounted for Kubernetes discovery', () => {
    expect(a.deployment.spec?.replicas).toBe(1);
    expect(pod.serviceAccountName).toBe('alloy');
    expect(pod.automountServiceAccountToken).toBe(true);
    expect(a.serviceAccount.metadata?.name).toBe('alloy');
  });

  it('may only read pods, services, endpoints and endpoint slices in its namespace', () => {
    expect(a.role.kind).toBe('Role');
    expect(a.role.metadata?.namespace).toBe('mimir');
    expect(a.role.rules).toEqual([
      { apiGroups: [''], resources: ['pods', 'services', 'endpoints'], verbs: ['get', 'list', 'watch'] },
      { apiGroups: ['discovery.k8s.io'], resources: ['endpointslices'], verbs: ['get', 'list', 'watch'] },
    ]);
    expect(a.roleBinding.roleRef).toEqual({ apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'alloy' });
    expect(a.roleBinding.subjects).toEqual([{ kind: 'ServiceAccount', name: 'alloy', namespace: 'mimir' }]);
  });

  it('listens on 12345 (http-metrics) behind Service alloy, with readiness on /-/ready', () => {
    expect(a.service.metadata?.name).toBe('alloy');
    expect(a.service.spec?.ports).toEqual([
      { name: 'http-metrics', port: 12345, targetPort: 'http-metrics', protocol: 'TCP' },
    ]);
    expect(agent.readinessProbe?.httpGet).toEqual({ path: '/-/ready', port: 'http-metrics' });
    expect(agent.args).toEqual(
      expect.arrayContaining([
        'run',
        '/etc/alloy/config.alloy',
        '--server.http.listen-addr=0.0.0.0:12345',
        '--storage.path=/var/lib/alloy/data',
      ]),
    );
  });

  it('keeps its storage path on an emptyDir and reads the generated config from its ConfigMap', () => {
    const volumes = Object.fromEntries((pod.volumes ?? []).map((v) => [v.name, v]));
    const storage = agent.volumeMounts?.find((m) => m.mountPath === '/var/lib/alloy/data');
    expect(volumes[storage!.name].emptyDir).toEqual({});
    const cfg = agent.volumeMounts?.find((m) => m.mountPath === '/etc/alloy');
    expect(volumes[cfg!.name].configMap?.name).toBe(a.configMap.metadata?.name);
    expect(a.configMap.data?.['config.alloy']).toBe(alloyConfig(...withStack(c)));
    expect(agent.securityContext?.readOnlyRootFilesystem).toBe(true);
  });

  it('passes the Kubernetes checks (PSS restricted, RBAC references, selectors) in the tree', async () => {
    const tree = { cluster: cluster(c), observability: { alloy: a } };
    expect(await validateTree(tree)).toEqual([]);
  });
});

describe('Alloy configuration', () => {
  const c = config();
  const text = alloyConfig(...withStack(c));
  const statements = parseAlloy(text);

  it('discovers pods of the stack in its namespace only', () => {
    const d = component(statements, 'discovery.kubernetes', 'pods');
    expect(attribute(d, 'role')).toBe('pod');
    expect(attribute(blocksNamed(d.body, 'namespaces')[0], 'names')).toEqual(['mimir']);
    const sel = blocksNamed(d.body, 'selectors')[0];
    expect(attribute(sel, 'role')).toBe('pod');
    expect(attribute(sel, 'label')).toBe('app.kubernetes.io/part-of=mimir');
  });

  it("scrapes Mimir, MinIO, the gateway's exporter, Grafana and itself, each on its named port and path", () => {
    const scrapes = blocksNamed(statements, 'prometheus.scrape');
    expect(scrapes.map((s) => s.label)).toEqual(['mimir', 'minio', 'gateway', 'grafana', 'alloy']);
    const paths = Object.fromEntries(scrapes.map((s) => [s.label, attribute(s, 'metrics_path')]));
    expect(paths).toEqual({
      mimir: '/metrics',
      minio: '/minio/v2/metrics/cluster',
      gateway: '/metrics',
      grafana: '/metrics',
      alloy: '/metrics',
    });
    for (const s of scrapes) {
      const targets = attribute(s, 'targets');
      expect(isRef(targets) && refPath(targets)).toBe(`discovery.relabel.${s.label}.output`);
      const forward = attribute(s, 'forward_to') as unknown[];
      expect(forward.map((f) => (isRef(f) ? refPath(f) : f))).toEqual(['prometheus.remote_write.mimir.receiver']);
    }
    const ports = Object.fromEntries(scrapeJobs(stackView(c)).map((j) => [j.name, j.port]));
    expect(ports).toEqual({
      mimir: 'http-metrics',
      minio: 'api',
      gateway: 'http-metrics',
      grafana: 'http-metrics',
      alloy: 'http-metrics',
    });
  });

  it('leaves out the neighbours that are disabled', () => {
    const off = parseAlloy(
      alloyConfig(
        ...withStack(
          config((c) => {
            c.observability.minio.enabled = false;
            c.observability.grafana.enabled = false;
          }),
        ),
      ),
    );
    expect(blocksNamed(off, 'prometheus.scrape').map((s) => s.label)).toEqual(['mimir', 'gateway', 'alloy']);
  });

  it("scrapes the gateway's exporter only while it runs", () => {
    const off = config((c) => (c.observability.gateway.exporter.enabled = false));
    expect(blocksNamed(parseAlloy(alloyConfig(...withStack(off))), 'prometheus.scrape').map((s) => s.label)).toEqual([
      'mimir',
      'minio',
      'grafana',
      'alloy',
    ]);
  });

  it('keeps the metrics port and sets the job, namespace, pod and container labels the mixin expects', () => {
    const relabel = component(statements, 'discovery.relabel', 'mimir');
    expect(isRef(attribute(relabel, 'targets')) && refPath(attribute(relabel, 'targets') as never)).toBe(
      'discovery.kubernetes.pods.targets',
    );
    const rules = blocksNamed(relabel.body, 'rule').map((r) =>
      Object.fromEntries(r.body.map((s) => (s.kind === 'attribute' ? [s.name, s.value] : [s.name, null]))),
    );
    expect(rules).toContainEqual({
      source_labels: ['__meta_kubernetes_pod_label_app_kubernetes_io_name'],
      regex: 'mimir',
      action: 'keep',
    });
    expect(rules).toContainEqual({
      source_labels: ['__meta_kubernetes_pod_container_port_name'],
      regex: 'http-metrics',
      action: 'keep',
    });
    expect(rules).toContainEqual({
      source_labels: ['__meta_kubernetes_namespace', '__meta_kubernetes_pod_label_app_kubernetes_io_component'],
      separator: '/',
      target_label: 'job',
    });
    for (const label of ['namespace', 'pod', 'container'])
      expect(rules.some((r) => r.target_label === label)).toBe(true);
    // Zone-aware pods' zone (their pod label) becomes `zone`, as Mimir's dashboards group by it.
    expect(rules).toContainEqual({
      source_labels: ['__meta_kubernetes_pod_label_mimir_kube_dev_zone'],
      target_label: 'zone',
    });
    const minioJob = blocksNamed(component(statements, 'discovery.relabel', 'minio').body, 'rule').find(
      (r) => attribute(r, 'target_label') === 'job',
    );
    expect(attribute(minioJob!, 'source_labels')).toEqual([
      '__meta_kubernetes_namespace',
      '__meta_kubernetes_pod_label_app_kubernetes_io_name',
    ]);
  });

  it('remote-writes through the gateway into the meta tenant (self-monitoring) with the cluster label', () => {
    const rw = component(statements, 'prometheus.remote_write', 'mimir');
    const endpoint = blocksNamed(rw.body, 'endpoint')[0];
    expect(attribute(endpoint, 'url')).toBe('http://gateway.mimir.svc.cluster.local:8080/api/v1/push');
    expect(attribute(endpoint, 'headers')).toEqual({ 'X-Scope-OrgID': 'meta' });
    expect(attribute(rw, 'external_labels')).toEqual({ cluster: 'mimir' });
    const other = config((c) => {
      c.namespace = 'obs';
      c.clusterDomain = 'k8s.example';
      c.defaultTenant = 'team-a';
      c.selfMonitoring.tenant = 'ops-meta';
    });
    expect(remoteWriteUrl(...withStack(other))).toBe('http://gateway.obs.svc.k8s.example:8080/api/v1/push');
    const headersOf = (cfg: typeof other): unknown =>
      attribute(
        blocksNamed(
          component(parseAlloy(alloyConfig(...withStack(cfg))), 'prometheus.remote_write', 'mimir').body,
          'endpoint',
        )[0],
        'headers',
      );
    expect(headersOf(other)).toEqual({ 'X-Scope-OrgID': 'ops-meta' });
    // Self-monitoring off: the stack's metrics go where any client's would, the default tenant.
    other.selfMonitoring.enabled = false;
    expect(headersOf(other)).toEqual({ 'X-Scope-OrgID': 'team-a' });
  });

  it('is deterministic and parses back to the statements it was rendered from', () => {
    expect(alloyConfig(...withStack(config()))).toBe(text);
    expect(parseAlloy(text)).toEqual(alloyConfigStatements(...withStack(c)));
    expect(text.endsWith('}\n')).toBe(true);
  });
});

describe("remote write behind the gateway's basic auth", () => {
  const withAuth = (edit: (c: StackConfig) => void = () => {}) =>
    config((c) => {
      c.observability.gateway.basicAuth.enabled = true;
      edit(c);
    });
  const endpointOf = (c: StackConfig) =>
    blocksNamed(
      component(parseAlloy(alloyConfig(...withStack(c))), 'prometheus.remote_write', 'mimir').body,
      'endpoint',
    )[0];
  const envCall = (v: unknown) =>
    isCall(v)
      ? `${callOf(v).fn}(${callOf(v)
          .args.map((a) => JSON.stringify(a))
          .join(', ')})`
      : v;

  it('logs in with a basic_auth block inside the endpoint that reads both values with sys.env', () => {
    const c = withAuth();
    const auths = blocksNamed(endpointOf(c).body, 'basic_auth');
    expect(auths).toHaveLength(1);
    expect(auths[0].body.map((s) => (s.kind === 'attribute' ? [s.name, envCall(s.value)] : [s.name]))).toEqual([
      ['username', 'sys.env("MIMIR_GATEWAY_USERNAME")'],
      ['password', 'sys.env("MIMIR_GATEWAY_PASSWORD")'],
    ]);
    expect(alloyConfig(...withStack(c))).toContain(
      '\t\tbasic_auth {\n\t\t\tusername = sys.env("MIMIR_GATEWAY_USERNAME")\n\t\t\tpassword = sys.env("MIMIR_GATEWAY_PASSWORD")\n\t\t}\n',
    );
    expect(parseAlloy(alloyConfig(...withStack(c)))).toEqual(alloyConfigStatements(...withStack(c)));
  });

  it('gets those env vars from the client Secret', () => {
    const c = withAuth(
      (c) =>
        (c.observability.gateway.basicAuth.client = {
          secretName: 'stack-gateway-login',
          usernameKey: 'user',
          passwordKey: 'pass',
        }),
    );
    const env = alloy(...withStack(c)).deployment.spec!.template.spec!.containers[0].env;
    expect(env).toEqual([
      { name: gatewayClientEnv.password, valueFrom: { secretKeyRef: { name: 'stack-gateway-login', key: 'pass' } } },
      { name: gatewayClientEnv.username, valueFrom: { secretKeyRef: { name: 'stack-gateway-login', key: 'user' } } },
    ]);
    const read = calls(parseAlloy(alloyConfig(...withStack(c))))
      .filter((f) => f.fn === 'sys.env')
      .map((f) => f.args[0]);
    expect(read.sort()).toEqual(env!.map((e) => e.name));
  });

  it('sends no credentials and sets no env when basic auth is off or the gateway is not rendered', () => {
    for (const c of [config(), withAuth((c) => (c.observability.gateway.enabled = false))]) {
      expect(blocksNamed(endpointOf(c).body, 'basic_auth')).toEqual([]);
      expect(alloy(...withStack(c)).deployment.spec!.template.spec!.containers[0].env).toBeUndefined();
    }
  });
});

describe('Alloy syntax builder', () => {
  it('quotes strings with escapes and reads them back unchanged', () => {
    const tricky = 'a "quoted" \\ back\nslash\ttab \u0001 é ${x}';
    const text = renderAlloy([
      attr('value', tricky),
      block('b', 'l', [attr('m', { 'key with space': tricky, plain: 1.5, neg: -2, off: false, nothing: null })]),
    ]);
    expect(quote('"\\\n')).toBe('"\\"\\\\\\n"');
    const back = parseAlloy(text);
    expect(back[0]).toEqual({ kind: 'attribute', name: 'value', value: tricky });
    expect(attribute(back[1] as AlloyBlock, 'm')).toEqual({
      'key with space': tricky,
      plain: 1.5,
      neg: -2,
      off: false,
      nothing: null,
    });
  });

  it('aligns attributes and separates blocks the way alloy fmt does', () => {
    const text = renderAlloy([
      block('a.b', 'x', [attr('short', 1), attr('longer_name', ref('c.d.e')), block('inner', [attr('k', [])])]),
    ]);
    expect(text).toBe('a.b "x" {\n\tshort       = 1\n\tlonger_name = c.d.e\n\n\tinner {\n\t\tk = []\n\t}\n}\n');
  });

  it('renders function calls and parses them back, references in their arguments included', () => {
    const statements = [
      attr('a', call('sys.env', ['HOME'])),
      attr('b', call('string.format', ['%s-%d', ref('x.y.z'), 3])),
    ];
    const text = renderAlloy(statements);
    expect(text).toBe('a = sys.env("HOME")\nb = string.format("%s-%d", x.y.z, 3)\n');
    expect(parseAlloy(text)).toEqual(statements);
    expect(references(parseAlloy(text)).map((r) => r.path)).toEqual(['x.y.z']);
    expect(calls(parseAlloy(text)).map((f) => f.fn)).toEqual(['sys.env', 'string.format']);
    expect(() => call('sys-env', [])).toThrow(/function name/);
  });

  it('refuses names that are not identifiers', () => {
    expect(() => attr('bad-name', 1)).toThrow(/not an identifier/);
    expect(() => block('prometheus.remote-write', [])).toThrow(/dotted identifier/);
    expect(() => block('prometheus.remote_write', 'my-label', [])).toThrow(/label "my-label"/);
    expect(() => ref('discovery.relabel.1x.output')).toThrow(/reference/);
    expect(() => renderAlloy([attr('n', Number.NaN)])).toThrow(/no literal/);
  });
});

describe('Alloy syntax check', () => {
  it('accepts comments, raw strings and calls', () => {
    expect(
      alloySyntaxErrors('// comment\n/* block\ncomment */\na "b" {\n\tc = `raw \\ string`\n\td = env("HOME")\n}\n'),
    ).toEqual([]);
  });

  it.each([
    ['an unclosed block', 'a "b" {\n\tc = 1\n', 3, /expected an attribute or block name, or "}"/],
    ['a stray closing brace', 'a "b" {\n}\n}\n', 3, /expected an attribute or block name/],
    ['an unterminated string', 'a "b" {\n\tc = "x\n}\n', 2, /unterminated string/],
    ['an unknown escape', 'a "b" {\n\tc = "\\q"\n}\n', 2, /unknown escape/],
    ['a label that is not an identifier', 'a "b-c" {\n}\n', 1, /not a valid identifier/],
    ['a name starting with a digit', '1a = 2\n', 1, /invalid number literal/],
    ['a missing comma in a list', 'a = ["x" "y"]\n', 1, /expected ","/],
    ['an attribute set twice', 'a "b" {\n\tc = 1\n\tc = 2\n}\n', 3, /set twice/],
    ['a dotted attribute name', 'a.b = 1\n', 1, /may not contain/],
  ])('reports %s with its line', (_what, text, line, message) => {
    const errors = alloySyntaxErrors(text);
    expect(errors).toHaveLength(1);
    expect(errors[0].line).toBe(line);
    expect(errors[0].message).toMatch(message);
  });
});

describe("alloy fmt (Alloy's own parser and printer)", () => {
  // github.com/grafana/alloy/syntax is the module `alloy fmt` is built on; a few KB of Go, unlike Alloy itself.
  const hasGo = spawnSync('go', ['version'], { encoding: 'utf8' }).status === 0;
  const go = needs('Go', hasGo, 'https://go.dev/dl');
  const dir = mkdtempSync(join(tmpdir(), 'alloy-fmt-'));
  const bin = join(dir, 'alloyfmt');
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  beforeAll(() => {
    if (!go.run) return; // the tests below are skipped, and say why
    expect(hasGo, go.missing).toBe(true);
    writeFileSync(
      join(dir, 'go.mod'),
      'module alloyfmt\n\ngo 1.22\n\nrequire github.com/grafana/alloy/syntax v0.1.0\n',
    );
    writeFileSync(
      join(dir, 'main.go'),
      [
        'package main',
        'import (',
        '\t"fmt"',
        '\t"io"',
        '\t"os"',
        '\t"github.com/grafana/alloy/syntax/parser"',
        '\t"github.com/grafana/alloy/syntax/printer"',
        ')',
        'func main() {',
        '\tsrc, _ := io.ReadAll(os.Stdin)',
        '\tf, err := parser.ParseFile("config.alloy", src)',
        '\tif err != nil {',
        '\t\tfmt.Fprintln(os.Stderr, err)',
        '\t\tos.Exit(1)',
        '\t}',
        '\tif err := printer.Fprint(os.Stdout, f); err != nil {',
        '\t\tfmt.Fprintln(os.Stderr, err)',
        '\t\tos.Exit(1)',
        '\t}',
        '\tfmt.Println()',
        '}',
        '',
      ].join('\n'),
    );
    const build = spawnSync('go', ['build', '-o', bin, '.'], {
      cwd: dir,
      encoding: 'utf8',
      env: { ...process.env, GOFLAGS: '-mod=mod' },
    });
    if (build.status !== 0) throw new Error(`building the Alloy syntax checker failed:\n${build.stderr}`);
  }, 300_000);

  const fmt = (text: string) => spawnSync(bin, [], { input: text, encoding: 'utf8' });

  it.runIf(go.run)(`formats the generated configuration to exactly itself${go.note}`, () => {
    for (const c of [
      config(),
      config((c) => (c.defaultTenant = 'we "ird"\\tenant\n')),
      config((c) => (c.observability.gateway.basicAuth.enabled = true)),
    ]) {
      const text = alloyConfig(...withStack(c));
      const result = fmt(text);
      expect(result.stderr).toBe('');
      expect(result.stdout).toBe(text);
    }
  });

  it.runIf(go.run)(`rejects what the TypeScript check rejects${go.note}`, () => {
    expect(fmt('a "b" {\n\tc = 1\n').status).not.toBe(0);
    expect(fmt('a "b" {\n\tc = "\\q"\n}\n').status).not.toBe(0);
  });
});

describe('alloyRules', () => {
  const run = (c: StackConfig, tree: TreeLike) =>
    validateTree(tree, { existingSecrets: ['storage-credentials', 'grafana-admin'], extraRules: alloyRules(c) });

  it('accept a configuration whose write URL and scrape jobs resolve', async () => {
    const c = config();
    expect(await run(c, treeOf(c))).toEqual([]);
  });

  it('accept the basic_auth env vars with basic auth on, once the client Secret is listed', async () => {
    const c = config((c) => (c.observability.gateway.basicAuth.enabled = true));
    const ok = await validateTree(treeOf(c), {
      existingSecrets: ['storage-credentials', 'grafana-admin', 'gateway-client-credentials'],
      extraRules: alloyRules(c),
    });
    expect(ok.filter((p) => p.path.startsWith('observability.alloy'))).toEqual([]);
    const missing = await validateTree(treeOf(c), {
      existingSecrets: ['storage-credentials', 'grafana-admin'],
      extraRules: alloyRules(c),
    });
    expect(missing.filter((p) => p.path === 'observability.alloy.deployment').map((p) => p.message)).toEqual([
      'Secret "gateway-client-credentials" does not exist in namespace mimir',
      'Secret "gateway-client-credentials" does not exist in namespace mimir',
    ]);
  });

  it('report an env var the file reads but the Alloy container does not set', async () => {
    const c = config((c) => (c.observability.gateway.basicAuth.enabled = true));
    const tree = treeOf(c);
    const cm = tree.observability.alloy.configMap;
    cm.data!['config.alloy'] = cm.data!['config.alloy'].replace(
      'sys.env("MIMIR_GATEWAY_PASSWORD")',
      'sys.env("MIMIR_GATEWAY_PASSWROD")',
    );
    const problems = await validateTree(tree, {
      existingSecrets: ['storage-credentials', 'grafana-admin', 'gateway-client-credentials'],
      extraRules: alloyRules(c),
    });
    const mine = problems.filter((p) => p.path === 'observability.alloy.configMap');
    expect(mine).toHaveLength(1);
    expect(mine[0].message).toBe(
      'prometheus.remote_write "mimir" reads env var MIMIR_GATEWAY_PASSWROD, which Alloy\'s container does not set: sys.env would return ""',
    );
  });

  it('report a write URL that names no rendered Service', async () => {
    const c = config();
    const problems = await run(c, treeOf(c, { gateway: false }));
    // The gateway's pods went with it, so the scrape job of its exporter finds nothing either.
    expect(problems).toHaveLength(2);
    expect(problems[0].message).toContain('Service "gateway"');
    expect(problems[0].pointer).toContain('prometheus.remote_write "mimir" endpoint.url');
    expect(problems[1].message).toBe(
      'scrape job "gateway" matches no container port of any rendered pod: Alloy would scrape nothing',
    );
  });

  it('report a scrape job that matches no container port', async () => {
    const c = config();
    const problems = await run(c, treeOf(c, { mimirPort: 'http' }));
    expect(problems.map((p) => p.message)).toEqual([
      'scrape job "mimir" matches no container port of any rendered pod: Alloy would scrape nothing',
    ]);
  });

  it('report syntax errors and dangling references in an overridden file', async () => {
    const c = config();
    const broken = treeOf(c);
    broken.observability.alloy.configMap.data!['config.alloy'] = 'a "b" {\n';
    const syntax = await run(c, broken);
    expect(syntax).toHaveLength(1);
    expect(syntax[0].message).toMatch(/^Alloy syntax error/);
    expect(syntax[0].pointer).toBe('/data/config.alloy:2:1');

    const dangling = treeOf(c);
    const cm = dangling.observability.alloy.configMap;
    cm.data!['config.alloy'] = cm.data!['config.alloy'].replace(
      'prometheus.remote_write.mimir.receiver',
      'prometheus.remote_write.mimr.receiver',
    );
    const problems = await run(c, dangling);
    expect(problems.length).toBeGreaterThan(0);
    expect(problems.every((p) => p.message.includes('prometheus.remote_write.mimr.receiver'))).toBe(true);
  });
});
