import { describe, expect, it } from 'vitest';
import type { StackConfig } from '../lib/build/config.js';
import type { ConfigMap, TreeLike } from '../lib/core/k8s/types.js';
import { gatewayClientEnv } from '../lib/observability/gateway/client.js';
import {
  alertmanagerDatasourceUid,
  dashboardKey,
  dashboards,
  datasources,
  datasourcesYaml,
  grafana,
  grafanaMetrics,
  grafanaRules,
  mimirDatasourceUid,
  provisioningEnvRefs,
  selfMonitoringDatasourceUid,
} from '../lib/observability/grafana/index.js';
import { cluster } from '../lib/build/render.js';
import { validateTree } from '../lib/build/validate/index.js';
import { parseYamlDocuments } from '../lib/core/yaml.js';
import { config, fakeGateway, withStack } from './support/stack.js';

/** The rendered tree's shape, no cast: tree walkers take it as it is. */
function treeOf(c: StackConfig, withGateway = true) {
  return {
    cluster: cluster(c),
    observability: { grafana: grafana(...withStack(c)), ...(withGateway ? { gateway: fakeGateway(c) } : {}) },
  };
}

function keysSortedEverywhere(v: unknown): boolean {
  if (Array.isArray(v)) return v.every(keysSortedEverywhere);
  if (v === null || typeof v !== 'object') return true;
  const keys = Object.keys(v);
  return keys.join('\n') === [...keys].sort().join('\n') && Object.values(v).every(keysSortedEverywhere);
}

function provisioned(cm: ConfigMap): { datasources: Record<string, unknown>[] } {
  return parseYamlDocuments(cm.data!['datasources.yaml'])[0] as { datasources: Record<string, unknown>[] };
}

describe('Grafana Deployment and Service', () => {
  const c = config();
  const g = grafana(...withStack(c));
  const pod = g.deployment.spec!.template.spec!;
  const server = pod.containers[0];
  const env = Object.fromEntries((server.env ?? []).map((e) => [e.name, e]));

  it('runs as the image user 472 with a read-only root and writable paths on emptyDirs', () => {
    expect(pod.securityContext?.runAsUser).toBe(472);
    expect(server.securityContext?.readOnlyRootFilesystem).toBe(true);
    const volumes = Object.fromEntries((pod.volumes ?? []).map((v) => [v.name, v]));
    for (const path of ['/var/lib/grafana', '/tmp']) {
      const mount = server.volumeMounts?.find((m) => m.mountPath === path);
      expect(mount, path).toBeDefined();
      expect(volumes[mount!.name].emptyDir).toEqual({});
    }
    expect(env.GF_LOG_MODE.value).toBe('console');
  });

  it('serves /metrics and the UI on port 3000 named http-metrics through Service grafana', () => {
    expect(g.service.metadata?.name).toBe('grafana');
    expect(g.service.spec?.ports).toEqual([
      { name: 'http-metrics', port: 3000, targetPort: 'http-metrics', protocol: 'TCP' },
    ]);
    expect(server.readinessProbe?.httpGet).toEqual({ path: '/api/health', port: 'http-metrics' });
  });

  it('takes the admin credentials from the admin Secret', () => {
    expect(env.GF_SECURITY_ADMIN_USER.valueFrom?.secretKeyRef).toEqual({ name: 'grafana-admin', key: 'admin-user' });
    expect(env.GF_SECURITY_ADMIN_PASSWORD.valueFrom?.secretKeyRef).toEqual({
      name: 'grafana-admin',
      key: 'admin-password',
    });
  });

  it('is served from the root of the gateway by default, and from a sub-path when the root URL has one', () => {
    expect(env.GF_SERVER_ROOT_URL.value).toBe('http://localhost:8080/');
    expect(env.GF_SERVER_SERVE_FROM_SUB_PATH.value).toBe('false');
    const sub = grafana(
      ...withStack(config((c) => (c.observability.grafana.rootUrl = 'https://mimir.example.com/grafana/'))),
    ).deployment.spec!.template.spec!.containers[0].env!;
    expect(sub.find((e) => e.name === 'GF_SERVER_ROOT_URL')?.value).toBe('https://mimir.example.com/grafana/');
    expect(sub.find((e) => e.name === 'GF_SERVER_SERVE_FROM_SUB_PATH')?.value).toBe('true');
  });

  it('moves the health check and metrics under the sub-path it serves from', () => {
    const c = config((c) => (c.observability.grafana.rootUrl = 'https://mimir.example.com/grafana/'));
    expect(grafana(...withStack(c)).deployment.spec!.template.spec!.containers[0].readinessProbe?.httpGet?.path).toBe(
      '/grafana/api/health',
    );
    expect(grafanaMetrics(c).path).toBe('/grafana/metrics');
    expect(grafanaMetrics(config()).path).toBe('/metrics');
  });

  it('lets anonymous visitors in as viewers only when asked', () => {
    expect(env.GF_AUTH_ANONYMOUS_ENABLED.value).toBe('false');
    expect(env.GF_AUTH_ANONYMOUS_ORG_ROLE).toBeUndefined();
    const on = grafana(...withStack(config((c) => (c.observability.grafana.anonymousAccess = true)))).deployment.spec!
      .template.spec!.containers[0].env!;
    expect(on.find((e) => e.name === 'GF_AUTH_ANONYMOUS_ENABLED')?.value).toBe('true');
    expect(on.find((e) => e.name === 'GF_AUTH_ANONYMOUS_ORG_ROLE')?.value).toBe('Viewer');
  });

  it('mounts the provisioning files where Grafana reads them', () => {
    const byVolume = Object.fromEntries((pod.volumes ?? []).map((v) => [v.name, v.configMap?.name]));
    const mounts = Object.fromEntries((server.volumeMounts ?? []).map((m) => [m.mountPath, byVolume[m.name]]));
    expect(mounts['/etc/grafana/provisioning/datasources']).toBe(g.datasources.metadata?.name);
    expect(mounts['/etc/grafana/provisioning/dashboards']).toBe(g.dashboardProviders.metadata?.name);
    expect(mounts['/etc/grafana/dashboards/mimir-stack-health']).toBe(g.dashboardMimirStackHealth.metadata?.name);
    const providers = parseYamlDocuments(g.dashboardProviders.data!['providers.yaml'])[0] as {
      providers: { type: string; options: { path: string } }[];
    };
    expect(providers.providers[0].type).toBe('file');
    expect(providers.providers[0].options.path).toBe('/etc/grafana/dashboards');
  });
});

describe('admin Secret', () => {
  it('is rendered with a development password only when asked for', () => {
    expect(grafana(...withStack(config())).secret).toBeUndefined();
    const dev = grafana(...withStack(config((c) => (c.observability.grafana.developmentCredentials = true)))).secret;
    expect(dev?.metadata?.name).toBe('grafana-admin');
    expect(Object.keys(dev?.stringData ?? {}).sort()).toEqual(['admin-password', 'admin-user']);
  });

  it('is not rendered by the storage development switch', () => {
    expect(grafana(...withStack(config((c) => (c.storage.developmentCredentials = true)))).secret).toBeUndefined();
  });
});

describe('data sources', () => {
  it('provision Mimir through the gateway with the tenant header', () => {
    const c = config((c) => (c.defaultTenant = 'team-a'));
    const [mimir] = provisioned(grafana(...withStack(c)).datasources).datasources;
    expect(mimir).toMatchObject({
      name: 'Mimir',
      uid: mimirDatasourceUid,
      type: 'prometheus',
      access: 'proxy',
      url: 'http://gateway.mimir.svc.cluster.local:8080/prometheus',
      isDefault: true,
      jsonData: {
        prometheusType: 'Mimir',
        prometheusVersion: '2.9.1',
        httpHeaderName1: 'X-Scope-OrgID',
        timeInterval: '15s',
      },
      secureJsonData: { httpHeaderValue1: 'team-a' },
    });
  });

  it('add the meta tenant as a second Mimir data source with self-monitoring on, and only then', () => {
    const c = config((c) => (c.selfMonitoring.tenant = 'ops'));
    const [mimir, meta] = datasources(...withStack(c));
    expect(meta).toMatchObject({
      name: 'Mimir (self-monitoring)',
      uid: selfMonitoringDatasourceUid,
      type: 'prometheus',
      url: mimir.url,
      isDefault: false,
      secureJsonData: { httpHeaderValue1: 'ops' },
    });
    const { alertmanagerUid, ...rest } = mimir.jsonData;
    expect(alertmanagerUid).toBe(alertmanagerDatasourceUid);
    expect(meta.jsonData).toEqual(rest);
    expect(mimir.secureJsonData).toEqual({ httpHeaderValue1: 'anonymous' });
    const off = datasources(...withStack(config((c) => (c.selfMonitoring.enabled = false))));
    expect(off.map((d) => d.uid)).toEqual([mimirDatasourceUid, alertmanagerDatasourceUid]);
  });

  it("add Mimir's Alertmanager at the gateway root when the alertmanager runs", () => {
    const list = datasources(...withStack(config()));
    expect(list.map((d) => d.uid)).toEqual([
      mimirDatasourceUid,
      selfMonitoringDatasourceUid,
      alertmanagerDatasourceUid,
    ]);
    expect(list[2]).toMatchObject({
      type: 'alertmanager',
      url: 'http://gateway.mimir.svc.cluster.local:8080',
      jsonData: { implementation: 'mimir', httpHeaderName1: 'X-Scope-OrgID', handleGrafanaManagedAlerts: false },
      secureJsonData: { httpHeaderValue1: 'anonymous' },
    });
    expect(list[0].jsonData.alertmanagerUid).toBe(alertmanagerDatasourceUid);
  });

  it('leave the Alertmanager out when Mimir runs none', () => {
    const list = datasources(...withStack(config((c) => (c.mimir.alertmanager.enabled = false))));
    expect(list.map((d) => d.type)).toEqual(['prometheus', 'prometheus']);
    expect(list[0].jsonData).not.toHaveProperty('alertmanagerUid');
  });

  it('follow the namespace and cluster domain', () => {
    const list = datasources(
      ...withStack(
        config((c) => {
          c.namespace = 'metrics';
          c.clusterDomain = 'k8s.example';
        }),
      ),
    );
    expect(list[0].url).toBe('http://gateway.metrics.svc.k8s.example:8080/prometheus');
  });
});

describe("data sources behind the gateway's basic auth", () => {
  const withAuth = (edit: (c: StackConfig) => void = () => {}) =>
    config((c) => {
      c.observability.gateway.basicAuth.enabled = true;
      edit(c);
    });

  it('log in with the client user and password, named in the file as env vars Grafana expands', () => {
    const c = withAuth();
    const list = provisioned(grafana(...withStack(c)).datasources).datasources;
    expect(list).toHaveLength(3);
    for (const d of list) {
      expect(d, String(d.name)).toMatchObject({
        basicAuth: true,
        basicAuthUser: '${MIMIR_GATEWAY_USERNAME}',
        secureJsonData: {
          basicAuthPassword: '${MIMIR_GATEWAY_PASSWORD}',
          httpHeaderValue1: d.uid === selfMonitoringDatasourceUid ? 'meta' : 'anonymous',
        },
      });
    }
    expect(datasourcesYaml(...withStack(c))).toContain('basicAuthPassword: ${MIMIR_GATEWAY_PASSWORD}\n');
  });

  it('fill those env vars from the client Secret, never from a literal value', () => {
    const c = withAuth(
      (c) =>
        (c.observability.gateway.basicAuth.client = {
          secretName: 'stack-gateway-login',
          usernameKey: 'user',
          passwordKey: 'pass',
        }),
    );
    const g = grafana(...withStack(c));
    const env = g.deployment.spec!.template.spec!.containers[0].env!;
    const byName = Object.fromEntries(env.map((e) => [e.name, e]));
    expect(byName[gatewayClientEnv.username]).toEqual({
      name: 'MIMIR_GATEWAY_USERNAME',
      valueFrom: { secretKeyRef: { name: 'stack-gateway-login', key: 'user' } },
    });
    expect(byName[gatewayClientEnv.password]).toEqual({
      name: 'MIMIR_GATEWAY_PASSWORD',
      valueFrom: { secretKeyRef: { name: 'stack-gateway-login', key: 'pass' } },
    });
    // Exactly the variables the file names, and each of them is set.
    const refs = provisioningEnvRefs(g.datasources.data!['datasources.yaml']);
    expect(refs).toEqual(['MIMIR_GATEWAY_PASSWORD', 'MIMIR_GATEWAY_USERNAME']);
    for (const name of refs) expect(byName[name]?.valueFrom?.secretKeyRef, name).toBeDefined();
    // Not GF_-prefixed: Grafana would read GF_<SECTION>_<KEY> as a setting.
    expect(refs.every((r) => !r.startsWith('GF_'))).toBe(true);
  });

  it('carry no credentials when basic auth is off, or when the gateway is not rendered', () => {
    for (const c of [config(), withAuth((c) => (c.observability.gateway.enabled = false))]) {
      const g = grafana(...withStack(c));
      for (const d of provisioned(g.datasources).datasources) {
        expect(d).not.toHaveProperty('basicAuth');
        expect(d).not.toHaveProperty('basicAuthUser');
        expect(d.secureJsonData).toEqual({
          httpHeaderValue1: d.uid === selfMonitoringDatasourceUid ? 'meta' : 'anonymous',
        });
      }
      expect(provisioningEnvRefs(g.datasources.data!['datasources.yaml'])).toEqual([]);
      expect(g.deployment.spec!.template.spec!.containers[0].env!.map((e) => e.name)).not.toContain(
        gatewayClientEnv.password,
      );
    }
  });
});

describe('provisioningEnvRefs', () => {
  it('finds $NAME and ${NAME}, and skips the $$ escape', () => {
    expect(provisioningEnvRefs('a: ${B_1}\nc: $D\ne: $$NOT\nf: x$E-y\ng: ${B_1}\n')).toEqual(['B_1', 'D', 'E']);
    expect(provisioningEnvRefs('url: http://gateway:8080/prometheus\n')).toEqual([]);
  });
});

describe('dashboards', () => {
  const c = config();
  const g = grafana(...withStack(c));

  it('are one ConfigMap each, holding canonical JSON', () => {
    const files = dashboards(c);
    expect(files.map((d) => dashboardKey(d.name))).toEqual([
      'dashboardMimirStackHealth',
      'dashboardMimirOverview',
      'dashboardMimirWrites',
      'dashboardMimirReads',
      'dashboardMimirObjectStorage',
      'dashboardMimirCompactor',
      'dashboardMimirRuler',
      'dashboardMimirAlertmanager',
    ]);
    for (const f of files) expect(g[dashboardKey(f.name)].data![`${f.name}.json`], f.name).toBeDefined();
    const text = g.dashboardMimirStackHealth.data!['mimir-stack-health.json'];
    const parsed = JSON.parse(text);
    expect(parsed.uid).toBe('mimir-stack-health');
    expect(keysSortedEverywhere(parsed)).toBe(true);
    expect(text.endsWith('}\n')).toBe(true);
  });

  it('query the self-monitoring data source in every panel and target of every dashboard, the Mimir one with it off', () => {
    const off = grafana(...withStack(config((c) => (c.selfMonitoring.enabled = false))));
    for (const [tree, uid] of [
      [g, selfMonitoringDatasourceUid],
      [off, mimirDatasourceUid],
    ] as const)
      for (const f of dashboards(c)) {
        const text = tree[dashboardKey(f.name)].data![`${f.name}.json`];
        const uids = [...text.matchAll(/"uid": "([^"]+)"/g)].map((m) => m[1]).filter((u) => u !== f.name);
        expect(new Set(uids), f.name).toEqual(new Set([uid]));
      }
  });

  it('the stack health dashboard covers components, write path, requests and object storage', () => {
    const parsed = JSON.parse(g.dashboardMimirStackHealth.data!['mimir-stack-health.json']) as {
      panels: {
        type: string;
        datasource?: { uid: string };
        targets?: { expr: string; datasource?: { uid: string } }[];
      }[];
    };
    const panels = parsed.panels.filter((p) => p.type !== 'row');
    expect(panels.length).toBeGreaterThanOrEqual(5);
    for (const p of panels) {
      expect(p.datasource?.uid).toBe(selfMonitoringDatasourceUid);
      expect(p.targets?.length).toBeGreaterThan(0);
      for (const t of p.targets ?? []) expect(t.datasource?.uid).toBe(selfMonitoringDatasourceUid);
    }
    const exprs = panels.flatMap((p) => (p.targets ?? []).map((t) => t.expr)).join('\n');
    for (const metric of [
      'up{',
      'cortex_request_duration_seconds',
      'cortex_ingester_memory_series',
      'cortex_distributor_received_samples_total',
      'thanos_objstore_bucket_operations_total',
    ])
      expect(exprs).toContain(metric);
    expect(exprs).toContain('namespace="mimir"');
  });

  it('give every panel its own id', () => {
    const parsed = JSON.parse(g.dashboardMimirStackHealth.data!['mimir-stack-health.json']) as {
      panels: { id: number }[];
    };
    const ids = parsed.panels.map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('render byte for byte the same twice', () => {
    expect(grafana(...withStack(config())).dashboardMimirStackHealth).toEqual(g.dashboardMimirStackHealth);
  });
});

describe('Grafana in the tree', () => {
  it("passes the Kubernetes checks with the environment's Secret, or with the development Secret", async () => {
    expect(await validateTree(treeOf(config()), { existingSecrets: ['grafana-admin'] })).toEqual([]);
    expect(await validateTree(treeOf(config((c) => (c.observability.grafana.developmentCredentials = true))))).toEqual(
      [],
    );
    const missing = await validateTree(treeOf(config()));
    expect(missing.map((p) => p.message)).toEqual([
      'Secret "grafana-admin" does not exist in namespace mimir',
      'Secret "grafana-admin" does not exist in namespace mimir',
    ]);
  });
});

describe('grafanaRules', () => {
  const c = config();
  const run = (tree: TreeLike) =>
    validateTree(tree, { existingSecrets: ['grafana-admin'], extraRules: grafanaRules(c) });

  it('accept data sources that reach the gateway', async () => {
    expect(await run(treeOf(c))).toEqual([]);
  });

  it('report data source URLs that name no rendered Service', async () => {
    const problems = await run(treeOf(c, false));
    expect(problems.map((p) => p.pointer)).toEqual([
      '/data/datasources.yaml datasources[0].url',
      '/data/datasources.yaml datasources[1].url',
      '/data/datasources.yaml datasources[2].url',
    ]);
    expect(problems[0].message).toContain('Service "gateway"');
  });

  it('report a port the gateway Service does not expose', async () => {
    const tree = treeOf(c);
    const cm = tree.observability.grafana.datasources;
    cm.data!['datasources.yaml'] = cm.data!['datasources.yaml'].replace(':8080/prometheus', ':9090/prometheus');
    const problems = await run(tree);
    expect(problems).toHaveLength(1);
    expect(problems[0].found).toBe('9090');
  });

  it('accept the client credentials env vars with basic auth on, once the client Secret is listed', async () => {
    const on = config((c) => (c.observability.gateway.basicAuth.enabled = true));
    const secrets = ['grafana-admin', on.observability.gateway.basicAuth.client.secretName];
    expect(await validateTree(treeOf(on), { existingSecrets: secrets, extraRules: grafanaRules(on) })).toEqual([]);
    const missing = await validateTree(treeOf(on), {
      existingSecrets: ['grafana-admin'],
      extraRules: grafanaRules(on),
    });
    expect(missing.map((p) => p.message)).toEqual([
      'Secret "gateway-client-credentials" does not exist in namespace mimir',
      'Secret "gateway-client-credentials" does not exist in namespace mimir',
    ]);
  });

  it('report an env var the data source file names but the Grafana container does not set', async () => {
    const on = config((c) => (c.observability.gateway.basicAuth.enabled = true));
    const tree = treeOf(on);
    const cm = tree.observability.grafana.datasources;
    cm.data!['datasources.yaml'] = cm.data!['datasources.yaml'].replaceAll(
      '${MIMIR_GATEWAY_PASSWORD}',
      '${MIMIR_GATEWAY_PASSWROD}',
    );
    const problems = await validateTree(tree, {
      existingSecrets: ['grafana-admin', 'gateway-client-credentials'],
      extraRules: grafanaRules(on),
    });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ path: 'observability.grafana.datasources', pointer: '/data/datasources.yaml' });
    expect(problems[0].message).toContain('env var MIMIR_GATEWAY_PASSWROD');
  });

  it('report panels that query a data source that is not provisioned', async () => {
    const tree = treeOf(c);
    const cm = tree.observability.grafana.dashboardMimirStackHealth;
    cm.data!['mimir-stack-health.json'] = cm.data!['mimir-stack-health.json'].replaceAll(
      '"uid": "mimir-meta"',
      '"uid": "prometheus"',
    );
    const problems = await run(tree);
    expect(problems.length).toBeGreaterThan(0);
    expect(problems.every((p) => p.message.includes('data source uid "prometheus"'))).toBe(true);
  });
});
