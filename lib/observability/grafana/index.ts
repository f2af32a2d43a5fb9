import type { ObservabilityStackConfig } from '../config.js';
import { defineComponent, endpointUrl, type StackView } from '../../core/registry.js';
import { labelKeys } from '../../core/k8s/meta.js';
import { container, httpProbe, type EnvSource } from '../../core/k8s/container.js';
import { selectorLabels } from '../../core/k8s/meta.js';
import { configMap, secret } from '../../core/k8s/objects.js';
import { serviceFor } from '../../core/k8s/service.js';
import type { ConfigMap, Deployment, Secret, Service, Volume, VolumeMount } from '../../core/k8s/types.js';
import { deployment, restrictedPodSecurityContext, volume } from '../../core/k8s/workload.js';
import type { Problem } from '../../core/problems.js';
import { syncWave, syncWaves } from '../../core/k8s/waves.js';
import { pods, problemAt, type Rule } from '../../core/checks/context.js';
import { serviceUrlProblem } from '../../core/checks/service-urls.js';
import { parseYamlDocuments, toYaml } from '../../core/yaml.js';
import { gatewayClientEnv, gatewayClientEnvVars, gatewayRequiresCredentials } from '../gateway/client.js';
import {
  dashboardTexts,
  MIMIR_DATASOURCE_UID,
  SELF_MONITORING_DATASOURCE_UID,
  type DashboardText,
} from './dashboard-files.js';

/** Grafana's HTTP port; named like every scrapeable port of the stack so Alloy finds `/metrics` on it. */
export const grafanaPort = { name: 'http-metrics', port: 3000 } as const;

/** The image's own user; every path it writes to is an emptyDir, so the root file system stays read-only. */
const uid = 472;
const dashboardsPath = '/etc/grafana/dashboards';

export const mimirDatasourceUid = MIMIR_DATASOURCE_UID;
export const selfMonitoringDatasourceUid = SELF_MONITORING_DATASOURCE_UID;
export const alertmanagerDatasourceUid = 'mimir-alertmanager';

/** Publicly known development password, rendered only with `grafana.developmentCredentials` (local clusters). */
const developmentAdmin = { user: 'admin', password: 'admin-dev-password-not-for-production' };

/** Grafana reaches Mimir (and its Alertmanager) through the gateway, like any client. */
function gatewayUrl(c: ObservabilityStackConfig, stack: StackView, path = ''): string {
  return endpointUrl(c, stack.endpoint('gateway', 'http'), path);
}

/** Data source entries as Grafana's provisioning file lists them. */
export interface ProvisionedDatasource {
  name: string;
  uid: string;
  type: string;
  access: 'proxy';
  url: string;
  isDefault: boolean;
  editable: boolean;
  basicAuth?: boolean;
  basicAuthUser?: string;
  jsonData: Record<string, string | boolean>;
  secureJsonData: Record<string, string>;
}

/** `${VAR}`: Grafana expands environment variables in provisioning files when it reads them. */
export function grafanaEnvRef(name: string): string {
  return `\${${name}}`;
}

/**
 * The gateway's client credentials when its basic auth is on: the file names the env vars, which the
 * Deployment fills from the client Secret, so the password never sits in a ConfigMap.
 */
function gatewayAuth(c: ObservabilityStackConfig): {
  fields: Pick<ProvisionedDatasource, 'basicAuth' | 'basicAuthUser'>;
  secure: Record<string, string>;
} {
  if (!gatewayRequiresCredentials(c)) return { fields: {}, secure: {} };
  return {
    fields: { basicAuth: true, basicAuthUser: grafanaEnvRef(gatewayClientEnv.username) },
    secure: { basicAuthPassword: grafanaEnvRef(gatewayClientEnv.password) },
  };
}

/**
 * Mimir through the gateway's `/prometheus`, and (when Mimir runs one) its Alertmanager; with
 * self-monitoring on, a second Mimir data source for the meta tenant, which the stack's dashboards query.
 * Grafana's
 * Mimir alertmanager client appends `/alertmanager/api/v2/...` and `/api/v1/alerts` itself, so that
 * data source's URL is the gateway's root. Both send the tenant header; the tenant is not a secret.
 * With the gateway's basic auth on, both log in with the client credentials.
 */
export function datasources(c: ObservabilityStackConfig, stack: StackView): ProvisionedDatasource[] {
  const tenantHeader = { httpHeaderName1: 'X-Scope-OrgID' };
  const auth = gatewayAuth(c);
  const secure = { httpHeaderValue1: c.defaultTenant, ...auth.secure };
  const am = stack.has('alertmanager');
  const mimirJson: Record<string, string | boolean> = {
    ...tenantHeader,
    httpMethod: 'POST',
    prometheusType: 'Mimir',
    prometheusVersion: c.observability.grafana.prometheusVersion,
    timeInterval: c.observability.alloy.scrapeInterval,
  };
  if (am) mimirJson.alertmanagerUid = alertmanagerDatasourceUid;
  const out: ProvisionedDatasource[] = [
    {
      name: 'Mimir',
      uid: mimirDatasourceUid,
      type: 'prometheus',
      access: 'proxy',
      url: gatewayUrl(c, stack, '/prometheus'),
      isDefault: true,
      editable: false,
      ...auth.fields,
      jsonData: mimirJson,
      secureJsonData: secure,
    },
  ];
  if (c.selfMonitoring.enabled) {
    out.push({
      name: 'Mimir (self-monitoring)',
      uid: selfMonitoringDatasourceUid,
      type: 'prometheus',
      access: 'proxy',
      url: gatewayUrl(c, stack, '/prometheus'),
      isDefault: false,
      editable: false,
      ...auth.fields,
      // Only the tenant differs: the stack's own series, which users' tenants never see. No
      // alertmanagerUid: the Alertmanager data source is the default tenant's, not the meta tenant's.
      jsonData: Object.fromEntries(Object.entries(mimirJson).filter(([k]) => k !== 'alertmanagerUid')),
      secureJsonData: { ...secure, httpHeaderValue1: c.selfMonitoring.tenant },
    });
  }
  if (am) {
    out.push({
      name: 'Mimir Alertmanager',
      uid: alertmanagerDatasourceUid,
      type: 'alertmanager',
      access: 'proxy',
      url: gatewayUrl(c, stack),
      isDefault: false,
      editable: false,
      ...auth.fields,
      jsonData: { ...tenantHeader, implementation: 'mimir', handleGrafanaManagedAlerts: false },
      secureJsonData: secure,
    });
  }
  return out;
}

export function datasourcesYaml(c: ObservabilityStackConfig, stack: StackView): string {
  return toYaml({ apiVersion: 1, datasources: datasources(c, stack) });
}

/**
 * The stack's dashboards, generated ahead of time from dashboards.ts (`npm run dashboards`); the Kafka
 * dashboard when Alloy collects Kafka's metrics (ingest storage, Alloy rendered).
 */
export function dashboards(c: ObservabilityStackConfig, stack?: StackView): DashboardText[] {
  const kafka = Boolean(stack?.has('alloy') && stack.exporters().some((x) => x.exporter === 'kafka'));
  return dashboardTexts(c, { kafka });
}

export function dashboardProvidersYaml(): string {
  return toYaml({
    apiVersion: 1,
    providers: [
      {
        name: 'mimir-kube',
        orgId: 1,
        folder: 'Mimir',
        type: 'file',
        disableDeletion: true,
        allowUiUpdates: false,
        updateIntervalSeconds: 60,
        options: { path: dashboardsPath, foldersFromFilesStructure: false },
      },
    ],
  });
}

/** `mimir-stack-health` → `dashboardMimirStackHealth`: the dashboard's stable key in the tree. */
export function dashboardKey(name: string): `dashboard${string}` {
  return `dashboard${name
    .split('-')
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
    .join('')}`;
}

/** The path Grafana serves from: `/` unless the root URL has a sub-path. */
function servePath(c: ObservabilityStackConfig): string {
  return new URL(c.observability.grafana.rootUrl).pathname.replace(/\/+$/, '') || '/';
}

/** Where Alloy finds Grafana's metrics: on its HTTP port, under the path it serves from. */
export function grafanaMetrics(c: ObservabilityStackConfig): { app: string; port: string; path: string } {
  return { app: 'grafana', port: grafanaPort.name, path: `${servePath(c).replace(/\/$/, '')}/metrics` };
}

function grafanaEnv(c: ObservabilityStackConfig): Record<string, EnvSource> {
  const g = c.observability.grafana;
  const env: Record<string, EnvSource> = {
    GF_SECURITY_ADMIN_USER: { secret: g.adminSecret.secretName, key: g.adminSecret.userKey },
    GF_SECURITY_ADMIN_PASSWORD: { secret: g.adminSecret.secretName, key: g.adminSecret.passwordKey },
    GF_SERVER_HTTP_PORT: String(grafanaPort.port),
    GF_SERVER_ROOT_URL: g.rootUrl,
    GF_SERVER_SERVE_FROM_SUB_PATH: String(servePath(c) !== '/'),
    GF_AUTH_ANONYMOUS_ENABLED: String(g.anonymousAccess),
    GF_PATHS_DATA: '/var/lib/grafana',
    GF_PATHS_LOGS: '/var/lib/grafana/logs',
    GF_PATHS_PLUGINS: '/var/lib/grafana/plugins',
    // The default also writes a log file; stdout is where Kubernetes collects logs.
    GF_LOG_MODE: 'console',
    GF_ANALYTICS_REPORTING_ENABLED: 'false',
    GF_ANALYTICS_CHECK_FOR_UPDATES: 'false',
    GF_ANALYTICS_CHECK_FOR_PLUGIN_UPDATES: 'false',
    ...gatewayClientEnvVars(c),
  };
  if (g.anonymousAccess) env.GF_AUTH_ANONYMOUS_ORG_ROLE = 'Viewer';
  return env;
}

function grafanaDeployment(
  c: ObservabilityStackConfig,
  files: { datasources: string; providers: string; dashboards: { name: string; configMap: string }[] },
): Deployment {
  const volumes: Volume[] = [
    volume.emptyDir('storage'),
    volume.emptyDir('tmp'),
    volume.configMap('datasources', files.datasources),
    volume.configMap('dashboard-providers', files.providers),
    ...files.dashboards.map((d) => volume.configMap(`dashboard-${d.name}`, d.configMap)),
  ];
  const mounts: VolumeMount[] = [
    { name: 'storage', mountPath: '/var/lib/grafana' },
    { name: 'tmp', mountPath: '/tmp' },
    { name: 'datasources', mountPath: '/etc/grafana/provisioning/datasources', readOnly: true },
    { name: 'dashboard-providers', mountPath: '/etc/grafana/provisioning/dashboards', readOnly: true },
    ...files.dashboards.map((d) => ({
      name: `dashboard-${d.name}`,
      mountPath: `${dashboardsPath}/${d.name}`,
      readOnly: true,
    })),
  ];
  // Serving from a sub-path moves every route under it, the health check included.
  const health = `${servePath(c).replace(/\/$/, '')}/api/health`;
  const server = container({
    name: 'grafana',
    image: c.images.grafana,
    ports: { [grafanaPort.name]: grafanaPort.port },
    env: grafanaEnv(c),
    resources: c.observability.grafana.resources,
    readinessProbe: httpProbe(health, grafanaPort.name, { initialDelaySeconds: 5 }),
    livenessProbe: httpProbe(health, grafanaPort.name, { initialDelaySeconds: 60, failureThreshold: 10 }),
    volumeMounts: mounts,
  });
  return deployment({
    name: 'grafana',
    namespace: c.namespace,
    annotations: syncWave(syncWaves.edge),
    selector: selectorLabels('grafana', 'server', c.partOf),
    replicas: 1,
    pod: { containers: [server], volumes, securityContext: restrictedPodSecurityContext(uid, uid) },
  });
}

function developmentSecret(c: ObservabilityStackConfig): Secret {
  const s = c.observability.grafana.adminSecret;
  return secret({
    name: s.secretName,
    namespace: c.namespace,
    labels: selectorLabels('grafana', 'credentials', c.partOf),
    stringData: { [s.userKey]: developmentAdmin.user, [s.passwordKey]: developmentAdmin.password },
  });
}

export interface GrafanaComponent {
  deployment: Deployment;
  service: Service;
  datasources: ConfigMap;
  dashboardProviders: ConfigMap;
  /** One ConfigMap per dashboard, keyed by `dashboardKey(name)`. */
  [dashboard: `dashboard${string}`]: ConfigMap;
  /** Only with `grafana.developmentCredentials`. */
  secret?: Secret;
}

/** Grafana with Mimir provisioned and the stack's health dashboard; served by the gateway from its root. */
export function grafana(c: ObservabilityStackConfig, stack: StackView): GrafanaComponent {
  const meta = (name: string) => ({
    name,
    namespace: c.namespace,
    labels: selectorLabels('grafana', 'server', c.partOf),
  });
  const datasourcesCm = configMap({
    ...meta('grafana-datasources'),
    data: { 'datasources.yaml': datasourcesYaml(c, stack) },
  });
  const providersCm = configMap({
    ...meta('grafana-dashboard-providers'),
    data: { 'providers.yaml': dashboardProvidersYaml() },
  });
  const dashboardCms = dashboards(c, stack).map((d) => ({
    name: d.name,
    key: dashboardKey(d.name),
    configMap: configMap({
      ...meta(`grafana-dashboard-${d.name}`),
      data: { [`${d.name}.json`]: `${d.json}\n` },
    }),
  }));
  const dep = grafanaDeployment(c, {
    datasources: datasourcesCm.metadata?.name ?? '',
    providers: providersCm.metadata?.name ?? '',
    dashboards: dashboardCms.map((d) => ({ name: d.name, configMap: d.configMap.metadata?.name ?? '' })),
  });
  const out: GrafanaComponent = {
    deployment: dep,
    service: serviceFor(dep, { annotations: syncWave(syncWaves.edge) }),
    datasources: datasourcesCm,
    dashboardProviders: providersCm,
  };
  for (const d of dashboardCms) out[d.key] = d.configMap;
  if (c.observability.grafana.developmentCredentials) out.secret = developmentSecret(c);
  return out;
}

interface PanelLike {
  title?: string;
  datasource?: { uid?: string };
  targets?: { datasource?: { uid?: string } }[];
  panels?: PanelLike[];
}

/** Env vars a provisioning file refers to as `$NAME` or `${NAME}`; `$$` is Grafana's escape for a literal `$`. */
export function provisioningEnvRefs(text: string): string[] {
  const names = new Set<string>();
  for (const m of text.matchAll(/\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)/g)) {
    const name = m[1] ?? m[2];
    if (name) names.add(name);
  }
  return [...names].sort();
}

/**
 * Every env var a data source file refers to is set on Grafana's container: Grafana expands an unset
 * one to an empty string, and the gateway would answer the data source with 401.
 */
const provisioningEnvRule: Rule = (ctx) => {
  const out: Problem[] = [];
  const grafanaPods = pods(ctx.entries).filter(
    (p) => p.entry.group === 'observability' && p.entry.component === 'grafana',
  );
  if (grafanaPods.length === 0) return out;
  const set = new Set(
    grafanaPods.flatMap((p) => (p.spec.containers ?? []).flatMap((k) => (k.env ?? []).map((v) => v.name))),
  );
  const files = ctx.entries.filter(
    (e) => e.group === 'observability' && e.component === 'grafana' && e.object.kind === 'ConfigMap',
  );
  for (const e of files) {
    for (const [file, text] of Object.entries((e.object.data ?? {}) as Record<string, string>)) {
      if (!file.endsWith('.yaml') || !/^\s*datasources:/m.test(text)) continue;
      for (const name of provisioningEnvRefs(text)) {
        if (set.has(name)) continue;
        out.push(
          problemAt(ctx, e, {
            pointer: `/data/${file}`,
            message: `refers to env var ${name}, which Grafana's container does not set: Grafana would use an empty value`,
            hint: 'set it on the Grafana container (from a Secret for credentials), or remove the reference',
          }),
        );
      }
    }
  }
  return out;
};

/**
 * Build-time checks of Grafana's generated files as the environment leaves them: every data source
 * URL reaches a rendered Service and port, every env var a data source file names is set, and every
 * panel queries a provisioned data source.
 */
export function grafanaRules(c: ObservabilityStackConfig): Rule[] {
  const rule: Rule = (ctx) => {
    const out: Problem[] = [];
    const mine = ctx.entries.filter(
      (e) => e.group === 'observability' && e.component === 'grafana' && e.object.kind === 'ConfigMap',
    );
    const uids = new Set<string>();
    for (const e of mine) {
      const data = (e.object.data ?? {}) as Record<string, string>;
      for (const [file, text] of Object.entries(data)) {
        if (!file.endsWith('.yaml') || !/^\s*datasources:/m.test(text)) continue;
        let docs: unknown[];
        try {
          docs = parseYamlDocuments(text);
        } catch (err) {
          out.push(
            problemAt(ctx, e, { pointer: `/data/${file}`, message: `not valid YAML: ${(err as Error).message}` }),
          );
          continue;
        }
        for (const doc of docs) {
          const list = (doc as { datasources?: { uid?: string; url?: string }[] }).datasources ?? [];
          list.forEach((d, i) => {
            if (d.uid) uids.add(d.uid);
            if (!d.url) return;
            const problem = serviceUrlProblem(ctx, e, d.url, `/data/${file} datasources[${i}].url`, c.clusterDomain);
            if (problem) out.push(problem);
          });
        }
      }
    }
    for (const e of mine) {
      const data = (e.object.data ?? {}) as Record<string, string>;
      for (const [file, text] of Object.entries(data)) {
        if (!file.endsWith('.json')) continue;
        let parsed: { panels?: PanelLike[] };
        try {
          parsed = JSON.parse(text) as { panels?: PanelLike[] };
        } catch (err) {
          out.push(
            problemAt(ctx, e, { pointer: `/data/${file}`, message: `not valid JSON: ${(err as Error).message}` }),
          );
          continue;
        }
        const walk = (panels: PanelLike[]) => {
          for (const p of panels) {
            const used = [p.datasource?.uid, ...(p.targets ?? []).map((t) => t.datasource?.uid)].filter(
              (u): u is string => u !== undefined && !u.startsWith('$') && u !== '-- Grafana --',
            );
            for (const u of new Set(used)) {
              if (!uids.has(u))
                out.push(
                  problemAt(ctx, e, {
                    pointer: `/data/${file}`,
                    message: `panel "${p.title ?? ''}" queries data source uid "${u}", which is not provisioned`,
                    expected: [...uids].sort().join(', ') || 'a provisioned data source',
                  }),
                );
            }
            walk(p.panels ?? []);
          }
        };
        walk(parsed.panels ?? []);
      }
    }
    return out;
  };
  return [rule, provisioningEnvRule];
}

/** Grafana, served by the gateway from its root. */
export const grafanaComponent = defineComponent({
  group: 'observability',
  key: 'grafana',
  description: "Grafana with Mimir, its meta tenant and its Alertmanager as data sources, and the stack's dashboards",
  config: 'observability.grafana',
  enabled: (c: ObservabilityStackConfig) => c.observability.grafana.enabled,
  render: grafana,
  checks: grafanaRules,
  endpoints: () => ({ http: { service: 'grafana', port: grafanaPort.port, portName: grafanaPort.name } }),
  metrics: (c: ObservabilityStackConfig) => [{ name: 'grafana', ...grafanaMetrics(c), jobLabel: labelKeys.name }],
});
