/**
 * The stack's own rules for the self-monitoring tenant: every expression parses as PromQL (Prometheus'
 * own Lezer grammar), names only metrics the components export (the fact file listed from a running e2e
 * stack), scoped to a component that exports it; every alert carries what the routes need; and each
 * build-time check of the rules component fails on the mistake it is there for.
 */
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { check, expectModuleCase, stack, type ModuleCase, type Objects } from './support/module-cases.js';
import { parse as parseYaml } from 'yaml';
import type { StackConfig } from '../lib/build/config.js';
import { render } from '../lib/build/render.js';
import type { ConfigMap, Job, PodSpec } from '../lib/core/k8s/types.js';
import { targets } from '../lib/mimir/names.js';
import {
  defaultPendingFor,
  ingestStorageAlerts,
  isAlertingRule,
  memoryLimitRecord,
  ruleNamespace,
  selfMonitoringFiles,
  type RuleFile,
} from '../lib/mimir/self-monitoring-rules/index.js';
import { buildDir } from './support/environments.js';
import { parsePromql } from './support/promql.js';

const factFile = 'lib/mimir/reference/metrics-3.0.2.json';

const parts = (t: Objects) => t.mimir.selfMonitoringRules as unknown as { configMap: ConfigMap; job: Job } | undefined;
const ruleFileOf = (data: Record<string, string> | undefined): RuleFile =>
  parseYaml(data?.[selfMonitoringFiles.rules] ?? '') as RuleFile;

/** Series no component exports: `up` is written by the scraper for every target. */
const scraperSeries = new Set(['up']);

/** The fact file's component (tree key) of a `job` label's component (Mimir's target name). */
const treeKeyOf = new Map<string, string>(Object.entries(targets).map(([key, target]) => [target, key]));

function exported(facts: Record<string, string[]>, component: string, metric: string): boolean {
  const list = facts[component] ?? [];
  const family = metric.replace(/_(count|sum|bucket)$/, '');
  return list.includes(metric) || list.includes(family);
}

/** Problems of one rule file against the facts: parse errors, unknown metrics, metrics a named job does not export. */
function ruleFileProblems(file: RuleFile, namespace: string, facts: Record<string, string[]>): string[] {
  const out: string[] = [];
  const recorded = new Set(file.groups.flatMap((g) => g.rules.flatMap((r) => ('record' in r ? [r.record] : []))));
  const everywhere = new Set(Object.values(facts).flat());
  for (const g of file.groups)
    for (const r of g.rules) {
      const name = 'alert' in r ? r.alert : r.record;
      const { errors, selectors } = parsePromql(r.expr);
      for (const e of errors) out.push(`${name}: does not parse as PromQL ${e}`);
      for (const s of selectors) {
        if (!s.metric || recorded.has(s.metric) || scraperSeries.has(s.metric)) continue;
        const family = s.metric.replace(/_(count|sum|bucket)$/, '');
        if (!everywhere.has(s.metric) && !everywhere.has(family)) {
          out.push(`${name}: ${s.metric} is exported by no component (${factFile})`);
          continue;
        }
        // A selector scoped to jobs: each job it names must export the metric.
        const jobs = s.job?.op === '=' ? [s.job.value] : s.job?.op === '=~' ? s.job.value.split('|') : [];
        for (const j of jobs) {
          if (!j.startsWith(`${namespace}/`) || /[.*+?()[\]]/.test(j)) continue;
          const key = treeKeyOf.get(j.slice(namespace.length + 1)) ?? j.slice(namespace.length + 1);
          if (!exported(facts, key, s.metric)) out.push(`${name}: ${s.metric} is not exported by ${j} (${key})`);
        }
      }
    }
  return out;
}

describe('the rule file of every environment', () => {
  const facts = existsSync(factFile)
    ? (JSON.parse(readFileSync(factFile, 'utf8')) as Record<string, string[]>)
    : undefined;

  it(`the fact file ${factFile} lists the metrics of the running stack's components`, () => {
    expect(facts, `${factFile} is missing`).toBeDefined();
    expect(Object.keys(facts!)).toEqual(expect.arrayContaining(['distributor', 'ingester', 'compactor']));
  });

  it.each(['environments/local', 'environments/local-ha', 'environments/production', 'environments/ingest'])(
    '%s: every expression parses as PromQL and names only metrics its jobs export',
    async (dir) => {
      const built = await buildDir(dir);
      const tree = built.tree as unknown as Objects;
      const p = parts(tree);
      expect(p, 'the rules component is rendered').toBeDefined();
      const file = ruleFileOf(p!.configMap.data);
      expect(file.namespace).toBe(ruleNamespace);
      const alerts = file.groups.flatMap((g) => g.rules.filter(isAlertingRule));
      const limited = file.groups[0].rules.some((r) => 'record' in r && r.record === memoryLimitRecord);
      expect(alerts.map((a) => a.alert).sort()).toEqual(
        Object.keys(defaultPendingFor)
          .filter((a) => limited || a !== 'MimirKubeMemoryNearLimit')
          .filter((a) => built.config.mimir.continuousTest.enabled || a !== 'MimirKubeContinuousTestFailing')
          .filter((a) => built.config.mimir.architecture === 'ingest-storage' || !ingestStorageAlerts.includes(a))
          .sort(),
      );
      expect(ruleFileProblems(file, built.config.namespace, facts ?? {})).toEqual([]);
    },
  );

  it('a misspelt metric, a metric of another component and an expression that does not parse are each found', () => {
    const c = stack();
    const file = ruleFileOf(parts(render(c) as unknown as Objects)!.configMap.data);
    const rules = file.groups[1].rules;
    const i = rules.findIndex((r) => 'alert' in r && r.alert === 'MimirKubeCompactorHasNotRunSinceStart');
    rules[i].expr = rules[i].expr.replace(
      'cortex_compactor_last_successful_run_timestamp_seconds',
      'cortex_compactor_last_successfull_run',
    );
    const j = rules.findIndex((r) => 'alert' in r && r.alert === 'MimirKubeRulerFailedEvaluations');
    rules[j].expr = `rate(cortex_prometheus_rule_evaluation_failures_total{job="${c.namespace}/distributor"}[5m]) > 0`;
    const k = rules.findIndex((r) => 'alert' in r && r.alert === 'MimirKubeComponentDown');
    rules[k].expr = 'up{namespace="mimir"} == ';
    const problems = ruleFileProblems(file, c.namespace, facts ?? {});
    expect(problems).toEqual([
      'MimirKubeComponentDown: does not parse as PromQL syntax error at 25: …mespace="mimir"} == …',
      expect.stringMatching(
        /^MimirKubeCompactorHasNotRunSinceStart: cortex_compactor_last_successfull_run is exported by no component/,
      ),
      'MimirKubeRulerFailedEvaluations: cortex_prometheus_rule_evaluation_failures_total is not exported by mimir/distributor (distributor)',
    ]);
  });

  it('the memory alert divides by the limit each Mimir container was rendered with', async () => {
    const built = await buildDir('environments/local');
    const file = ruleFileOf(parts(built.tree as unknown as Objects)!.configMap.data);
    const limits = file.groups[0].rules.filter((r) => 'record' in r && r.record === memoryLimitRecord);
    // local: every Mimir component has a 1Gi limit except the ingester (2Gi) and a few of 256Mi.
    const byJob = Object.fromEntries(limits.map((r) => [r.labels!.job, r.expr]));
    expect(byJob['mimir/ingester']).toBe(`vector(${2 * 1024 ** 3})`);
    expect(byJob['mimir/querier']).toBe(`vector(${1024 ** 3})`);
    expect(byJob['mimir/alertmanager']).toBe(`vector(${256 * 1024 ** 2})`);
    expect(byJob['mimir/continuous-test']).toBe(`vector(${128 * 1024 ** 2})`);
    expect(Object.keys(byJob).length).toBe(11);
  });
});

describe('what the rules component renders', () => {
  it('a Job uploading the rules to the ruler and the routing to the alertmanager, as the meta tenant, after Mimir', () => {
    const c = stack();
    const p = parts(render(c) as unknown as Objects)!;
    const spec = p.job.spec!.template.spec as PodSpec;
    expect(spec.containers.map((k) => [k.name, k.args])).toEqual([
      [
        'rules-sync',
        [
          'rules',
          'sync',
          '--address=http://ruler.mimir.svc.cluster.local:8080',
          '--id=meta',
          `--namespaces=${ruleNamespace}`,
          '/etc/self-monitoring/rules.yaml',
        ],
      ],
      [
        'alertmanager-load',
        [
          'alertmanager',
          'load',
          '--address=http://alertmanager.mimir.svc.cluster.local:8080',
          '--id=meta',
          '/etc/self-monitoring/alertmanager.yaml',
        ],
      ],
    ]);
    expect(p.job.metadata?.annotations?.['argocd.argoproj.io/sync-wave']).toBe('2');
    expect(p.job.metadata?.name).toMatch(/^self-monitoring-rules-[0-9a-f]{10}$/);
    const routing = parseYaml(p.configMap.data![selfMonitoringFiles.alertmanager]) as { route: { receiver: string } };
    expect(routing.route.receiver).toBe('self-monitoring');
  });

  it('a change of one rule renames the Job, so it uploads again', () => {
    const a = parts(render(stack()) as unknown as Objects)!;
    const b = parts(
      render(
        stack((c) => (c.mimir.selfMonitoringRules.pendingFor = { MimirKubeComponentDown: '1m' })),
      ) as unknown as Objects,
    )!;
    expect(a.job.spec).toEqual(b.job.spec);
    expect(a.job.metadata?.name).not.toBe(b.job.metadata?.name);
    expect(b.configMap.data![selfMonitoringFiles.rules]).toContain('for: 1m');
  });

  it('follows the ruler and the alertmanager; nothing without self-monitoring or with the rules off', () => {
    const noRuler = parts(render(stack((c) => (c.mimir.ruler.enabled = false))) as unknown as Objects)!;
    expect(noRuler.job.spec!.template.spec!.containers.map((k) => k.name)).toEqual(['alertmanager-load']);
    expect(Object.keys(noRuler.configMap.data!)).toEqual([selfMonitoringFiles.alertmanager]);
    const noAm = parts(render(stack((c) => (c.mimir.alertmanager.enabled = false))) as unknown as Objects)!;
    expect(noAm.job.spec!.template.spec!.containers.map((k) => k.name)).toEqual(['rules-sync']);
    for (const off of [
      (c: StackConfig) => (c.selfMonitoring.enabled = false),
      (c: StackConfig) => (c.mimir.selfMonitoringRules.enabled = false),
      (c: StackConfig) => {
        c.mimir.ruler.enabled = false;
        c.mimir.alertmanager.enabled = false;
      },
    ])
      expect(parts(render(stack(off)) as unknown as Objects)).toBeUndefined();
  });

  it("the README's routing example (a webhook receiver) renders into the uploaded file and passes the checks", () => {
    const c = stack((x) => {
      x.mimir.selfMonitoringRules.pendingFor = { MimirKubeComponentDown: '2m' };
      x.mimir.selfMonitoringRules.alertmanagerConfig = {
        route: { receiver: 'oncall', group_by: ['alertname', 'cluster', 'namespace'] },
        receivers: [{ name: 'oncall', webhook_configs: [{ url: 'https://hooks.example.com/mimir' }] }],
      };
    });
    const tree = render(c);
    expect(check(c, tree)).toEqual([]);
    const routing = parseYaml(parts(tree as unknown as Objects)!.configMap.data![selfMonitoringFiles.alertmanager]);
    expect(routing).toEqual(c.mimir.selfMonitoringRules.alertmanagerConfig);
  });

  it('the whole stack passes every module check', () => {
    const c = stack();
    expect(check(c, render(c))).toEqual([]);
  });
});

type Case = ModuleCase;

const cm = (t: Objects) => parts(t)!.configMap.data!;
const editRules = (t: Objects, f: (file: RuleFile) => void): void => {
  const file = ruleFileOf(cm(t));
  f(file);
  cm(t)[selfMonitoringFiles.rules] = JSON.stringify(file);
};

const cases: Case[] = [
  {
    name: 'a pending duration for an alert that does not exist',
    config: (c) => (c.mimir.selfMonitoringRules.pendingFor = { MimirKubeComponentDwn: '1m' }),
    path: 'config.mimir.selfMonitoringRules.pendingFor.MimirKubeComponentDwn',
    message: 'no alert named MimirKubeComponentDwn',
    hint: 'MimirKubeComponentDown',
  },
  {
    name: 'a pending duration the ruler does not accept',
    config: (c) => (c.mimir.selfMonitoringRules.pendingFor = { MimirKubeComponentDown: '5 minutes' }),
    path: 'config.mimir.selfMonitoringRules.pendingFor.MimirKubeComponentDown',
    message: '"5 minutes" is not a duration the ruler accepts',
  },
  {
    name: 'an alert without a severity',
    edit: (t) =>
      editRules(t, (f) => {
        const a = f.groups[1].rules[0];
        if ('alert' in a) a.labels = {} as never;
      }),
    path: 'mimir.selfMonitoringRules.configMap',
    pointer: /rules\[0\] \(MimirKubeComponentDown\)\.labels\.severity$/,
    message: 'an alert without a severity the routes match on',
  },
  {
    name: 'an alert without a description',
    edit: (t) =>
      editRules(t, (f) => {
        const a = f.groups[1].rules[1];
        if ('alert' in a) a.annotations = { summary: 'x' } as never;
      }),
    path: 'mimir.selfMonitoringRules.configMap',
    pointer: /\(MimirKubeWriteErrors\)\.annotations\.description$/,
    message: 'an alert without a description',
  },
  {
    name: 'a rule group twice',
    edit: (t) => editRules(t, (f) => f.groups.push(f.groups[0])),
    path: 'mimir.selfMonitoringRules.configMap',
    message: 'rule group "mimir_kube_self_monitoring_records" appears twice',
  },
  {
    name: 'a route naming a receiver that is not defined',
    config: (c) =>
      (c.mimir.selfMonitoringRules.alertmanagerConfig = {
        route: { receiver: 'self-monitoring', routes: [{ receiver: 'pager' }] },
        receivers: [{ name: 'self-monitoring' }],
      }),
    path: 'mimir.selfMonitoringRules.configMap',
    pointer: '/data/alertmanager.yaml route.routes[0].receiver',
    message: 'route names receiver "pager", which receivers does not define',
  },
  {
    name: "the Job's name left behind its pod template",
    edit: (t) => (parts(t)!.job.spec!.template.spec!.containers[0].args![4] = '--namespaces=other'),
    path: 'mimir.selfMonitoringRules.job',
    pointer: '/metadata/name',
    message: "the rules Job's name does not match its pod template and files",
  },
  {
    name: "the Job's name left behind its files",
    edit: (t) => (cm(t)[selfMonitoringFiles.alertmanager] += '\n# changed\n'),
    path: 'mimir.selfMonitoringRules.job',
    pointer: '/metadata/name',
    message: "the rules Job's name does not match its pod template and files",
  },
  {
    name: 'an upload address naming no rendered Service',
    edit: (t) =>
      (parts(t)!.job.spec!.template.spec!.containers[0].args![2] =
        '--address=http://rulr.mimir.svc.cluster.local:8080'),
    path: 'mimir.selfMonitoringRules.job',
    pointer: '/spec/template/spec/containers/0/args/2',
    message: 'names Service "rulr"',
    hint: 'ruler',
  },
  {
    name: 'a memory limit set by an override, not in config',
    config: (c) => (c.mimir.querier.resources.limits = { memory: '1Gi' }),
    edit: (t) => {
      const spec = (t.mimir.querier.deployment.spec as { template: { spec: PodSpec } }).template.spec;
      spec.containers[0].resources!.limits = { memory: '2Gi' };
    },
    path: 'mimir.querier.deployment',
    pointer: '/spec/template/spec/containers/0/resources/limits/memory',
    message: 'the memory limit of querier differs from the one the self-monitoring rules record',
  },
];

describe('checks of the rules component', () => {
  it.each(cases.map((c) => [c.name, c] as const))('%s', (_name, k) => expectModuleCase(k));
});
