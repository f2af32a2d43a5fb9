import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { e2eMimirConfig } from './environment/main.js';
import { selfMonitoringKnobs } from './environment-self-monitoring/main.js';
import { knobDifferences } from './harness/diff.js';
import { http, metricSum, poll } from './harness/http.js';
import { expectScrapedInFacts } from './harness/metrics.js';
import { failWhenRequired } from './harness/required.js';
import { alloyTenant } from './harness/alloy.js';
import { e2eRequired, repoRoot, skipReason, scenarioStack } from './harness/stack.js';

/**
 * Self-monitoring on environments/local, run from its rendered objects like the main scenario: the stack's
 * own metrics reach the meta tenant, the gateway's from its nginx exporter sidecar too; a dashboard panel's query, sent as Grafana's data source sends it,
 * returns them; the rules Job's uploads are loaded and evaluated by the ruler for the meta tenant; the
 * continuous test writes and reads through the gateway without a failure; and a component killed with
 * SIGKILL (and kept down) fires MimirKubeComponentDown in the meta tenant's alertmanager, routed to the
 * receiver the uploaded configuration names.
 */
const skip = skipReason();
if (skip) console.warn(`[e2e-sm] ${e2eRequired ? 'FAILING' : 'skipping'} the self-monitoring scenario: ${skip}`);

const log = (line: string): void => console.log(`[e2e-sm +${(performance.now() / 1000).toFixed(1)}s] ${line}`);

const budget = {
  up: 300_000,
  wave: 90_000,
  // Alloy scrapes every 15 s and batches its remote write.
  metaSeries: 120_000,
  panel: 90_000,
  // The ruler loads the uploaded groups on its next poll (5 s here) and evaluates every 5 s.
  rules: 90_000,
  // It writes every 20 s and checks what it wrote on the next runs.
  continuousTest: 150_000,
  // A scrape (15 s), an evaluation (5 s), the pending time (10 s), and the ruler's alertmanager discovery
  // (it re-resolves the alertmanager's name once a minute).
  alert: 180_000,
} as const;
const margin = 30_000;
const killed = 'compactor';
const alertName = 'MimirKubeComponentDown';

failWhenRequired('the self-monitoring scenario', skip);

type Vector = { metric: Record<string, string>; value: [number, string] }[];
interface DataSource {
  uid: string;
  url: string;
  jsonData?: Record<string, unknown>;
  secureJsonData?: Record<string, string>;
}

describe.skipIf(Boolean(skip))(`self-monitoring on local${skip ? ` (skipped: ${skip})` : ''}`, () => {
  const stack = scenarioStack({
    environment: 'test/e2e/environment-self-monitoring',
    compareWith: join(repoRoot, 'out/local'),
    budget,
    log,
  });
  let upError: Error | undefined;
  let gateway = '';
  let meta = '';
  let namespace = '';

  const up = (): void => {
    if (upError) throw new Error(`the stack did not come up: ${upError.message}`);
  };
  const queryAs = async (tenant: string, promql: string): Promise<Vector> => {
    const r = await http(`${gateway}/prometheus/api/v1/query?query=${encodeURIComponent(promql)}`, {
      headers: { 'X-Scope-OrgID': tenant },
      timeoutMs: 15_000,
    });
    if (r.status !== 200) throw new Error(`query ${promql} as ${tenant} → ${r.status}: ${r.body.slice(0, 300)}`);
    return (JSON.parse(r.body) as { data: { result: Vector } }).data.result;
  };
  const configMapData = (key: string): Record<string, string> => {
    for (const data of stack.plan!.sources.configMaps.values()) if (data[key] !== undefined) return data;
    throw new Error(`no rendered ConfigMap holds ${key}`);
  };
  type Alert = { labels: Record<string, string>; status: { state: string }; receivers: { name: string }[] };
  const alerts = async (): Promise<Alert[]> => {
    const r = await http(`${gateway}/alertmanager/api/v2/alerts`, { headers: { 'X-Scope-OrgID': meta } });
    if (r.status !== 200) throw new Error(`alertmanager API as ${meta} → ${r.status}: ${r.body.slice(0, 200)}`);
    return JSON.parse(r.body) as Alert[];
  };

  beforeAll(async () => {
    try {
      await stack.up();
      gateway = await stack.gatewayUrl();
      meta = alloyTenant(stack.alloy!);
      namespace = stack.plan!.namespace;
    } catch (e) {
      upError = e as Error;
      log(`stack did not come up: ${upError.stack ?? upError.message}`);
    }
  }, budget.up + margin);

  afterAll(() => stack.finish(Boolean(upError)), 120_000);

  it('differs from out/local only by the timing knobs', () => {
    up();
    const { unexpected, missing } = knobDifferences(stack.renderDiff, e2eMimirConfig);
    // The scenario's own two knobs show up as whole lists (the rule file's groups, the container list).
    const own = [
      'ConfigMap self-monitoring-rules data.rules.yaml.groups: ',
      'Deployment continuous-test spec.template.spec.containers: ',
    ];
    expect(
      unexpected.filter((d) => !own.some((o) => d.startsWith(o))),
      'differences from out/local that are not timing knobs',
    ).toEqual([]);
    expect(missing, 'timing knobs that did not reach the rendered mimir.yaml').toEqual([]);
    // Inside those lists, exactly the two knobs differ.
    const local = parseYaml(
      readFileSync(
        join(repoRoot, 'out/local/mimir/selfMonitoringRules/configmap-self-monitoring-rules/rules.yaml'),
        'utf8',
      ),
    ) as { groups: { rules: { alert?: string; for?: string }[] }[] };
    const ran = parseYaml(configMapData('rules.yaml')['rules.yaml']) as typeof local;
    const down = ran.groups.flatMap((g) => g.rules).find((r) => r.alert === alertName)!;
    expect(down.for).toBe(selfMonitoringKnobs.componentDownFor);
    down.for = local.groups.flatMap((g) => g.rules).find((r) => r.alert === alertName)!.for;
    expect(ran).toEqual(local);
    const localCt = parseYaml(
      readFileSync(join(repoRoot, 'out/local/resources/mimir/continuousTest/deployment-continuous-test.yaml'), 'utf8'),
    ) as { spec: { template: { spec: { containers: { args: string[] }[] } } } };
    const ct = stack.plan!.pods.find((p) => p.name.startsWith('continuous-test'))!;
    const interval = (a: string): string => a.replace(/^-tests\.run-interval=.*$/, '-tests.run-interval=…');
    expect(ct.workload.template.spec!.containers[0].args).toContain(
      `-tests.run-interval=${selfMonitoringKnobs.continuousTestRunInterval}`,
    );
    expect(ct.workload.template.spec!.containers.map((c) => c.args?.map(interval))).toEqual(
      localCt.spec.template.spec.containers.map((c) => c.args.map(interval)),
    );
  });

  it(
    "the meta tenant holds every scraped workload's own metrics, with the agreed labels",
    async () => {
      up();
      // Every pod Alloy scrapes (the rendered pods with a metrics port, as the harness runs them).
      const expected = new Set(
        stack.plan!.pods.filter((p) => p.ports['http-metrics'] !== undefined).map((p) => p.name),
      );
      const seen = await poll(`up of every scraped pod in tenant ${meta}`, budget.metaSeries, async () => {
        const r = await queryAs(meta, `up{namespace="${namespace}"}`);
        const pods = new Set(r.map((s) => s.metric.pod));
        const absent = [...expected].filter((p) => !pods.has(p));
        if (absent.length) throw new Error(`no up series yet for ${absent.join(', ')}`);
        return r;
      });
      for (const s of seen) {
        expect(s.metric.job, `job of ${s.metric.pod}`).toMatch(new RegExp(`^${namespace}/[a-z-]+$`));
        expect(Object.keys(s.metric)).toEqual(expect.arrayContaining(['cluster', 'namespace', 'pod', 'container']));
      }
      const compactor = seen.find((s) => s.metric.pod.startsWith(killed))!;
      expect(compactor.metric.job).toBe(`${namespace}/${killed}`);
      expect(compactor.value[1]).toBe('1');
    },
    budget.metaSeries + margin,
  );

  it(
    "the meta tenant holds the gateway's nginx_* series from its exporter sidecar, as job <namespace>/gateway",
    async () => {
      up();
      const gatewayPods = stack.plan!.pods.filter((p) => p.labels['app.kubernetes.io/name'] === 'gateway');
      expect(gatewayPods.length, 'gateway pods in the plan').toBeGreaterThan(0);
      const job = `${namespace}/gateway`;
      // nginx_up is 1 only when the exporter read stub_status; the counters exist only then.
      const series = await poll(`nginx_* of ${job} in tenant ${meta}`, budget.metaSeries, async () => {
        const r = await queryAs(meta, `{__name__=~"nginx_.+", job="${job}"}`);
        const up = r.filter((s) => s.metric.__name__ === 'nginx_up');
        const names = new Set(r.map((s) => s.metric.__name__));
        const missing = ['nginx_connections_active', 'nginx_connections_accepted', 'nginx_http_requests_total'].filter(
          (n) => !names.has(n),
        );
        if (up.length < gatewayPods.length || up.some((s) => s.value[1] !== '1') || missing.length)
          throw new Error(
            `nginx_up ${JSON.stringify(up.map((s) => [s.metric.pod, s.value[1]]))}; missing ${missing.join(', ') || 'none'}`,
          );
        return r;
      });
      for (const s of series) {
        expect(s.metric.job).toBe(job);
        expect(s.metric.container, s.metric.__name__).toBe('nginx-exporter');
        expect(s.metric.namespace).toBe(namespace);
        expect(s.metric.cluster).toBeTruthy();
        expect(gatewayPods.map((p) => p.name)).toContain(s.metric.pod);
      }
      // The gateway served requests (Alloy's remote write and the clients go through it): its own count says so.
      const requests = series.filter((s) => s.metric.__name__ === 'nginx_http_requests_total');
      expect(requests.reduce((n, s) => n + Number(s.value[1]), 0)).toBeGreaterThan(0);
      // Nowhere else: the default tenant has none of them.
      expect(await queryAs(stack.clientTenant, `{__name__=~"nginx_.+", job="${job}"}`)).toEqual([]);
    },
    budget.metaSeries + margin,
  );

  it(
    "a dashboard panel's query, sent as Grafana's self-monitoring data source sends it, returns the stack's data",
    async () => {
      up();
      // The panel as provisioned: the Writes dashboard's first query, on the data source the panel names.
      const dashboards = configMapData('mimir-writes.json');
      const board = JSON.parse(dashboards['mimir-writes.json']) as {
        panels: { title?: string; datasource?: { uid?: string }; targets?: { expr?: string }[] }[];
      };
      const panel = board.panels.find((p) => p.targets?.some((t) => t.expr?.includes('received_samples')))!;
      expect(panel, 'a panel of the Writes dashboard on received samples').toBeDefined();
      const expr = panel.targets!.find((t) => t.expr)!.expr!;
      const provisioned = Object.values(configMapData('datasources.yaml')).join('\n');
      const ds = (parseYaml(provisioned) as { datasources: DataSource[] }).datasources.find(
        (d) => d.uid === panel.datasource?.uid,
      )!;
      expect(ds, `the data source ${panel.datasource?.uid} of the panel is provisioned`).toBeDefined();
      const headers: Record<string, string> = {};
      for (let i = 1; ds.jsonData?.[`httpHeaderName${i}`]; i++)
        headers[String(ds.jsonData[`httpHeaderName${i}`])] = ds.secureJsonData?.[`httpHeaderValue${i}`] ?? '';
      expect(headers['X-Scope-OrgID']).toBe(meta);
      // Grafana's $__rate_interval: max(4 × the data source's scrape interval, step + scrape interval).
      const scrape = Number(String(ds.jsonData?.timeInterval ?? '15s').replace(/s$/, ''));
      const step = 15;
      const expanded = expr.replaceAll('$__rate_interval', `${Math.max(4 * scrape, step + scrape)}s`);
      const url = new URL(ds.url);
      const base = `${gateway}${url.pathname}`;
      const result = await poll(`panel "${panel.title}" as ${meta}`, budget.panel, async () => {
        const end = Math.floor(Date.now() / 1000);
        const body = new URLSearchParams({
          query: expanded,
          start: String(end - 600),
          end: String(end),
          step: String(step),
        });
        const r = await http(`${base}/api/v1/query_range`, {
          method: String(ds.jsonData?.httpMethod ?? 'GET'),
          headers: { ...headers, 'Content-Type': 'application/x-www-form-urlencoded' },
          body: body.toString(),
        });
        if (r.status !== 200) throw new Error(`${r.status}: ${r.body.slice(0, 200)}`);
        const data = (JSON.parse(r.body) as { data: { result: { values: [number, string][] }[] } }).data;
        return data.result.some((s) => s.values.some(([, v]) => Number(v) > 0)) ? data : undefined;
      });
      expect(result.result.length).toBeGreaterThan(0);
      // The same query as the default tenant finds nothing: the stack's metrics live in the meta tenant only.
      expect(await queryAs(stack.clientTenant, expanded.replace(/\[\d+s\]/g, '[1m]'))).toEqual([]);
    },
    budget.panel + margin,
  );

  it(
    'the rules Job uploaded the rules and the routing for the meta tenant; the ruler loads and evaluates them',
    async () => {
      up();
      expect(stack.mimirtoolCalls.map((c) => [c.command, c.tenant])).toEqual([
        ['rules sync', meta],
        ['alertmanager load', meta],
      ]);
      const file = parseYaml(configMapData('rules.yaml')['rules.yaml']) as {
        namespace: string;
        groups: { name: string; rules: unknown[] }[];
      };
      // The ruler's API (through the gateway): every group of the file, evaluated without errors.
      type Group = { name: string; file: string; rules: { health: string; lastError?: string; name: string }[] };
      const groups = await poll(`rule groups of ${meta} evaluated`, budget.rules, async () => {
        const r = await http(`${gateway}/prometheus/api/v1/rules`, { headers: { 'X-Scope-OrgID': meta } });
        if (r.status !== 200) throw new Error(`${r.status}: ${r.body.slice(0, 200)}`);
        const g = (JSON.parse(r.body) as { data: { groups: Group[] } }).data.groups.filter(
          (x) => x.file === file.namespace,
        );
        const pending = g.flatMap((x) => x.rules).filter((x) => x.health !== 'ok');
        if (g.length < file.groups.length || pending.length)
          throw new Error(
            `${g.length} of ${file.groups.length} groups; not ok yet: ${pending.map((x) => `${x.name} ${x.health} ${x.lastError ?? ''}`).join(', ')}`,
          );
        return g;
      });
      expect(groups.map((g) => g.name).sort()).toEqual(file.groups.map((g) => g.name).sort());
      expect(groups.flatMap((g) => g.rules).length).toBe(file.groups.flatMap((g) => g.rules).length);
      // A recording rule's series, and the memory limit the memory alert divides by, in the meta tenant.
      const limit = await poll('the recorded memory limit of the ingester', budget.rules, async () => {
        const r = await queryAs(
          meta,
          `namespace_job_container:mimir_kube_memory_limit_bytes:rendered{job="${namespace}/ingester"}`,
        );
        return r.length ? r : undefined;
      });
      expect(limit[0].value[1]).toBe(String(2 * 1024 ** 3));
      // The memory alert's two sides join on the labels the series really carry: one ratio per Mimir pod.
      const ratios = await queryAs(
        meta,
        `max by (namespace, job, pod, container) (process_resident_memory_bytes{namespace="${namespace}"}) / on (namespace, job, container) group_left () max by (namespace, job, container) (namespace_job_container:mimir_kube_memory_limit_bytes:rendered)`,
      );
      const mimirPods = stack.plan!.pods.filter((p) =>
        p.containers.some((c) => c.argv.some((a) => a.startsWith('-target='))),
      );
      expect(ratios.map((r) => r.metric.pod).sort()).toEqual(mimirPods.map((p) => p.name).sort());
      for (const r of ratios) expect(Number(r.value[1]), r.metric.pod).toBeGreaterThan(0);
      for (const r of ratios) expect(Number(r.value[1]), r.metric.pod).toBeLessThan(0.9);
    },
    2 * budget.rules + margin,
  );

  it(
    'the continuous test writes and reads through the gateway, and its metrics in the meta tenant show no failure',
    async () => {
      up();
      const sum = async (metric: string): Promise<number> =>
        (await queryAs(meta, `sum(${metric}{job="${namespace}/continuous-test"})`)).reduce(
          (n, s) => n + Number(s.value[1]),
          0,
        );
      const counts = await poll(
        'continuous-test writes, queries and result checks',
        budget.continuousTest,
        async () => {
          const c = {
            writes: await sum('mimir_continuous_test_writes_total'),
            queries: await sum('mimir_continuous_test_queries_total'),
            checks: await sum('mimir_continuous_test_query_result_checks_total'),
          };
          if (c.writes > 0 && c.queries > 0 && c.checks > 0) return c;
          throw new Error(JSON.stringify(c));
        },
      );
      // Failures before the gateway answered would count too: from here on, more writes and checks, none failing.
      const pod = stack.plan!.pods.find((p) => p.name.startsWith('continuous-test'))!;
      const own = async (): Promise<Record<string, number>> => {
        const text = (await http(`http://${pod.ip}:${pod.ports['http-metrics']}/metrics`)).body;
        const n = (name: string): number => metricSum(text, name) ?? 0;
        return {
          writes: n('mimir_continuous_test_writes_total'),
          checks: n('mimir_continuous_test_query_result_checks_total'),
          writesFailed: n('mimir_continuous_test_writes_failed_total'),
          queriesFailed: n('mimir_continuous_test_queries_failed_total'),
          checksFailed: n('mimir_continuous_test_query_result_checks_failed_total'),
        };
      };
      const before = await own();
      const after = await poll('more continuous-test writes and result checks', budget.continuousTest, async () => {
        const now = await own();
        return now.writes > before.writes && now.checks > before.checks ? now : undefined;
      });
      expect(
        { writes: after.writesFailed, queries: after.queriesFailed, checks: after.checksFailed },
        `failures while it wrote ${after.writes - before.writes} times and checked ${after.checks - before.checks} results (${JSON.stringify(counts)} in ${meta})`,
      ).toEqual({ writes: before.writesFailed, queries: before.queriesFailed, checks: before.checksFailed });
      // Its series are in its own tenant, read back through the gateway.
      const tenant = stack
        .plan!.pods.find((p) => p.name.startsWith('continuous-test'))!
        .containers[0].argv.find((a) => a.startsWith('-tests.tenant-id='))!
        .split('=')[1];
      expect((await queryAs(tenant, 'count({__name__=~"mimir_continuous_test_.+"})')).length).toBe(1);
    },
    budget.continuousTest + margin,
  );

  // Before the kill: by now the rules, the routing and the continuous test have had work.
  it('every scraped workload serves metrics the fact file knows (written out with E2E_METRICS_DIR)', async () => {
    up();
    const components = await expectScrapedInFacts(stack, 'self-monitoring', log);
    log(`${components.length} components, each in the fact file`);
  }, 60_000);

  it(
    `killing the ${killed} (SIGKILL, kept down) fires ${alertName} in the meta tenant's alertmanager, routed by the uploaded configuration`,
    async () => {
      up();
      const isIt = (a: Alert): boolean => a.labels.alertname === alertName && a.labels.job === `${namespace}/${killed}`;
      expect((await alerts()).filter(isIt), 'before the kill').toEqual([]);
      const procs = stack.procs.filter((p) => p.spec.id.startsWith(`${killed}-`) && p.running);
      expect(procs.length, `running processes of the ${killed}`).toBeGreaterThan(0);
      // No restart: the supervisor stops supervising, as if the pod stayed down.
      for (const p of procs) p.kill();
      const t = performance.now();
      // Listed as `unprocessed` for a moment after it arrives, then `active`.
      const alert = await poll(`${alertName} for ${killed} active in ${meta}'s alertmanager`, budget.alert, async () =>
        (await alerts()).find((a) => isIt(a) && a.status.state === 'active'),
      );
      expect(alert.status.state).toBe('active');
      expect(alert.labels.severity).toBe('critical');
      const routing = parseYaml(configMapData('alertmanager.yaml')['alertmanager.yaml']) as {
        route: { receiver: string };
      };
      expect(alert.receivers.map((r) => r.name)).toEqual([routing.route.receiver]);
      log(`${alertName} for ${killed} active ${((performance.now() - t) / 1000).toFixed(1)}s after the kill`);
      // Nothing else is down.
      expect((await alerts()).filter((a) => a.labels.alertname === alertName && !isIt(a))).toEqual([]);
    },
    budget.alert + 2 * margin,
  );
});
