/**
 * The stack's own rules and alert routing for the self-monitoring tenant: a ConfigMap with the rule file
 * and the tenant's Alertmanager configuration, and a Job that uploads them with `mimirtool` (`rules sync`
 * to the ruler, `alertmanager load` to the alertmanager), one container each.
 *
 * Why a Job and not the ruler's `local` storage backend: Mimir's ruler reads rules from exactly one
 * store (`ruler_storage.backend`), and the `local` one is read-only — with it, no tenant could upload
 * rules through the API any more (`SetRuleGroup unsupported in rule local store`). The object-storage
 * backend stays, so users keep their rules API, and the Job writes the stack's rules into it through the
 * same API, for the self-monitoring tenant and the `mimir-kube` namespace only (`--namespaces`): other
 * rule namespaces of that tenant are never touched. The Job's name carries a hash of its pod template and
 * of the files, so every change of a rule or of the routing is a new Job that uploads it again.
 */
import type { MimirStackConfig } from '../config.js';
import { defineComponent } from '../../core/registry.js';
import { container } from '../../core/k8s/container.js';
import { contentHash } from '../../core/k8s/hash.js';
import { selectorLabels } from '../../core/k8s/meta.js';
import { configMap } from '../../core/k8s/objects.js';
import type { ConfigMap, Job, KubeObject } from '../../core/k8s/types.js';
import { syncWave, syncWaves } from '../../core/k8s/waves.js';
import { job, restrictedPodSecurityContext, volume } from '../../core/k8s/workload.js';
import { problemAt, pods, type Rule as CheckRule } from '../../core/checks/context.js';
import { serviceUrlProblem } from '../../core/checks/service-urls.js';
import type { Problem } from '../../core/problems.js';
import { didYouMean } from '../../core/suggest.js';
import { parseYamlDocuments, toYaml } from '../../core/yaml.js';
import { quantityValue } from '../../core/quantity.js';
import { httpUrl, targets } from '../names.js';
import { mimirApp } from '../common.js';
import {
  defaultPendingFor,
  isAlertingRule,
  memoryLimitRecord,
  mimirMemoryLimits,
  ruleNamespace,
  selfMonitoringRuleFile,
  severities,
  type RuleFile,
} from './rules.js';

export * from './rules.js';
export { defaultSelfMonitoringRulesConfig } from './config.js';
export type { AlertPendingDurations, MimirSelfMonitoringRulesConfig } from './config.js';

export const selfMonitoringRulesName = 'self-monitoring-rules';
/** Where the Job's containers find the files. */
export const selfMonitoringRulesDir = '/etc/self-monitoring';
export const selfMonitoringFiles = { rules: 'rules.yaml', alertmanager: 'alertmanager.yaml' } as const;
/** The image's user is root; any fixed non-root user reads a ConfigMap volume. */
const uid = 65534;

export interface SelfMonitoringRulesParts {
  configMap: ConfigMap;
  job: Job;
}

function rulerEnabled(c: MimirStackConfig): boolean {
  return c.mimir.ruler.enabled;
}

/** On when the stack monitors itself, the rules are wanted, and a ruler or an alertmanager takes them. */
export function selfMonitoringRulesEnabled(c: MimirStackConfig): boolean {
  return (
    c.selfMonitoring.enabled && c.mimir.selfMonitoringRules.enabled && (rulerEnabled(c) || c.mimir.alertmanager.enabled)
  );
}

/** The files of the ConfigMap: the rule file (with a ruler) and the tenant's Alertmanager configuration (with an alertmanager). */
export function selfMonitoringData(c: MimirStackConfig): Record<string, string> {
  const data: Record<string, string> = {};
  if (rulerEnabled(c))
    data[selfMonitoringFiles.rules] = toYaml(selfMonitoringRuleFile(c, c.mimir.selfMonitoringRules.pendingFor));
  if (c.mimir.alertmanager.enabled)
    data[selfMonitoringFiles.alertmanager] = toYaml(c.mimir.selfMonitoringRules.alertmanagerConfig);
  return data;
}

/** Jobs are immutable: the name follows the pod template and the files it uploads. */
export function selfMonitoringJobName(job: Job | undefined, data: Record<string, string> | undefined): string {
  return `${selfMonitoringRulesName}-${contentHash({ template: job?.spec?.template ?? {}, data: data ?? {} })}`;
}

function uploadJob(c: MimirStackConfig, data: Record<string, string>): Job {
  const tenant = c.selfMonitoring.tenant;
  const settings = c.mimir.selfMonitoringRules;
  const file = (name: string): string => `${selfMonitoringRulesDir}/${name}`;
  const mounts = [{ name: 'files', mountPath: selfMonitoringRulesDir, readOnly: true }];
  const containers = [];
  if (data[selfMonitoringFiles.rules] !== undefined)
    containers.push(
      container({
        name: 'rules-sync',
        image: c.images.mimirtool,
        args: [
          'rules',
          'sync',
          `--address=${httpUrl(c, targets.ruler)}`,
          `--id=${tenant}`,
          `--namespaces=${ruleNamespace}`,
          file(selfMonitoringFiles.rules),
        ],
        resources: settings.resources,
        volumeMounts: mounts,
      }),
    );
  if (data[selfMonitoringFiles.alertmanager] !== undefined)
    containers.push(
      container({
        name: 'alertmanager-load',
        image: c.images.mimirtool,
        args: [
          'alertmanager',
          'load',
          `--address=${httpUrl(c, targets.alertmanager)}`,
          `--id=${tenant}`,
          file(selfMonitoringFiles.alertmanager),
        ],
        resources: settings.resources,
        volumeMounts: mounts,
      }),
    );
  const rendered = job({
    name: selfMonitoringRulesName,
    namespace: c.namespace,
    // After Mimir's wave: the ruler and the alertmanager answer by then; until they do, the Job retries.
    annotations: { ...syncWave(syncWaves.edge), 'argocd.argoproj.io/sync-options': 'Replace=true' },
    selector: selectorLabels(mimirApp, selfMonitoringRulesName, c.partOf),
    backoffLimit: 20,
    pod: {
      containers,
      volumes: [volume.configMap('files', selfMonitoringRulesName)],
      securityContext: restrictedPodSecurityContext(uid, uid),
    },
  });
  rendered.metadata = { ...rendered.metadata, name: selfMonitoringJobName(rendered, data) };
  return rendered;
}

export function selfMonitoringRules(c: MimirStackConfig): SelfMonitoringRulesParts {
  const data = selfMonitoringData(c);
  return {
    configMap: configMap({
      name: selfMonitoringRulesName,
      namespace: c.namespace,
      labels: selectorLabels(mimirApp, selfMonitoringRulesName, c.partOf),
      annotations: syncWave(syncWaves.edge),
      data,
    }),
    job: uploadJob(c, data),
  };
}

/** A Prometheus duration as the rule file takes it (`for:`): units y, w, d, h, m, s, ms, largest first. */
const promDuration = /^(?:\d+y)?(?:\d+w)?(?:\d+d)?(?:\d+h)?(?:\d+m)?(?:\d+s)?(?:\d+ms)?$/;

function configProblems(c: MimirStackConfig, source: string | undefined): Problem[] {
  const out: Problem[] = [];
  const known = Object.keys(defaultPendingFor);
  for (const [name, duration] of Object.entries(c.mimir.selfMonitoringRules.pendingFor)) {
    const path = `config.mimir.selfMonitoringRules.pendingFor.${name}`;
    if (!known.includes(name))
      out.push({
        source,
        path,
        message: `no alert named ${name} among the stack's own rules`,
        expected: known.join(', '),
        hint: didYouMean(name, known) ?? 'use one of the alert names above',
      });
    if (duration === '' || !promDuration.test(duration))
      out.push({
        source,
        path,
        message: `${JSON.stringify(duration)} is not a duration the ruler accepts`,
        expected: 'a Prometheus duration such as 30s, 5m, 1h or 1h30m',
        found: duration,
      });
  }
  return out;
}

interface AlertmanagerRoute {
  receiver?: string;
  routes?: AlertmanagerRoute[];
}

/** Every receiver a route names exists: Mimir refuses the whole configuration otherwise. */
function routingProblems(text: string): { pointer: string; message: string; expected?: string }[] {
  let doc: { route?: AlertmanagerRoute; receivers?: { name?: string }[] } | undefined;
  try {
    doc = parseYamlDocuments(text)[0] as typeof doc;
  } catch (e) {
    return [{ pointer: '', message: `does not parse as YAML: ${(e as Error).message}` }];
  }
  const receivers = (doc?.receivers ?? []).map((r) => r.name ?? '');
  const out: { pointer: string; message: string; expected?: string }[] = [];
  if (!doc?.route?.receiver) out.push({ pointer: 'route.receiver', message: 'the top-level route names no receiver' });
  const walk = (r: AlertmanagerRoute, at: string): void => {
    if (r.receiver !== undefined && !receivers.includes(r.receiver))
      out.push({
        pointer: `${at}.receiver`,
        message: `route names receiver "${r.receiver}", which receivers does not define`,
        expected: receivers.join(', ') || 'a receivers entry',
      });
    (r.routes ?? []).forEach((child, i) => walk(child, `${at}.routes[${i}]`));
  };
  if (doc?.route) walk(doc.route, 'route');
  return out;
}

/**
 * Build-time checks of the rules Job as the environment leaves it: pending durations and alert names in
 * config; every alert with a severity the routes know and a summary and description; the Job's addresses
 * pointing at rendered Services; its name following its template and files; the tenant's routes naming
 * defined receivers; and the memory limits the memory alert divides by equal to the rendered containers'.
 */
export function selfMonitoringRulesChecks(c: MimirStackConfig): CheckRule[] {
  const fromConfig: CheckRule = (ctx) => configProblems(c, ctx.source);
  const objects: CheckRule = (ctx) => {
    const out: Problem[] = [];
    const mine = ctx.entries.filter((e) => e.group === 'mimir' && e.component === 'selfMonitoringRules');
    const cm = mine.find((e) => e.object.kind === 'ConfigMap');
    const data = (cm?.object as ConfigMap | undefined)?.data ?? {};
    if (cm && data[selfMonitoringFiles.rules] !== undefined) {
      let file: RuleFile | undefined;
      try {
        file = parseYamlDocuments(data[selfMonitoringFiles.rules])[0] as RuleFile;
      } catch (e) {
        out.push(
          problemAt(ctx, cm, {
            pointer: `/data/${selfMonitoringFiles.rules}`,
            message: `does not parse: ${(e as Error).message}`,
          }),
        );
      }
      const seen = new Set<string>();
      for (const [gi, group] of (file?.groups ?? []).entries()) {
        if (seen.has(group.name))
          out.push(
            problemAt(ctx, cm, {
              pointer: `/data/${selfMonitoringFiles.rules} groups[${gi}]`,
              message: `rule group "${group.name}" appears twice: the ruler refuses the namespace`,
            }),
          );
        seen.add(group.name);
        for (const [ri, rule] of (group.rules ?? []).entries()) {
          if (!isAlertingRule(rule)) continue;
          const at = `/data/${selfMonitoringFiles.rules} groups[${gi}].rules[${ri}] (${rule.alert})`;
          if (!(severities as readonly string[]).includes(rule.labels?.severity))
            out.push(
              problemAt(ctx, cm, {
                pointer: `${at}.labels.severity`,
                message: 'an alert without a severity the routes match on',
                expected: severities.join(', '),
                found: String(rule.labels?.severity),
              }),
            );
          for (const a of ['summary', 'description'] as const)
            if (!rule.annotations?.[a])
              out.push(problemAt(ctx, cm, { pointer: `${at}.annotations.${a}`, message: `an alert without a ${a}` }));
        }
      }
    }
    if (cm && data[selfMonitoringFiles.alertmanager] !== undefined)
      for (const p of routingProblems(data[selfMonitoringFiles.alertmanager]))
        out.push(
          problemAt(ctx, cm, {
            pointer: `/data/${selfMonitoringFiles.alertmanager} ${p.pointer}`,
            message: p.message,
            expected: p.expected,
            hint: 'fix config.mimir.selfMonitoringRules.alertmanagerConfig',
          }),
        );
    for (const e of mine) {
      if (e.object.kind !== 'Job') continue;
      const j = e.object as KubeObject & Job;
      const expected = selfMonitoringJobName(j, data);
      if (j.metadata?.name !== expected)
        out.push(
          problemAt(ctx, e, {
            pointer: '/metadata/name',
            message:
              "the rules Job's name does not match its pod template and files: Jobs are immutable, so applying a changed template under an old name fails",
            expected,
            found: String(j.metadata?.name),
            hint: `set metadata.name to "${expected}" in the same override`,
          }),
        );
      (j.spec?.template.spec?.containers ?? []).forEach((k, i) =>
        (k.args ?? []).forEach((arg, a) => {
          if (!arg.startsWith('--address=')) return;
          const problem = serviceUrlProblem(
            ctx,
            e,
            arg.slice('--address='.length),
            `/spec/template/spec/containers/${i}/args/${a}`,
            c.clusterDomain,
          );
          if (problem) out.push(problem);
        }),
      );
    }
    // The memory alert divides by the limits config renders; an override that changes a container's
    // limit would leave the alert measuring against the old one.
    if (cm && data[selfMonitoringFiles.rules] !== undefined) {
      const recorded = new Map(mimirMemoryLimits(c).map((l) => [l.container, l.bytes]));
      for (const p of pods(ctx.entries)) {
        if (p.entry.group !== 'mimir') continue;
        for (const [i, k] of (p.spec.containers ?? []).entries()) {
          if (!mimirContainer(k.args)) continue;
          let bytes: number | undefined;
          try {
            bytes = k.resources?.limits?.memory === undefined ? undefined : quantityValue(k.resources.limits.memory);
          } catch {
            continue; // the resources check reports it
          }
          if (recorded.get(k.name) === bytes) continue;
          out.push(
            problemAt(ctx, p.entry, {
              pointer: `${p.pointer}/spec/containers/${i}/resources/limits/memory`,
              message: `the memory limit of ${k.name} differs from the one the self-monitoring rules record (${memoryLimitRecord}): MimirKubeMemoryNearLimit would measure against the wrong limit`,
              expected: recorded.has(k.name) ? `${recorded.get(k.name)} bytes` : 'no limit',
              found: bytes === undefined ? 'no limit' : `${bytes} bytes`,
              hint: `set the limit in config.mimir.<component>.resources.limits.memory instead of an override`,
            }),
          );
        }
      }
    }
    return out;
  };
  return [fromConfig, objects];
}

/** A container that runs a Mimir target (its args carry `-target=`). */
function mimirContainer(args: string[] | undefined): boolean {
  return (args ?? []).some((a) => a.startsWith('-target='));
}

/**
 * The Job's name follows its pod template and files as the overrides leave them. A name the environment
 * set itself (different from the rendered one) is kept, and the check above holds it to the template.
 */
export function finaliseSelfMonitoringRules(
  merged: SelfMonitoringRulesParts,
  rendered: SelfMonitoringRulesParts,
): SelfMonitoringRulesParts {
  const j = merged.job;
  if (!j || j.metadata?.name !== rendered.job.metadata?.name) return merged;
  const name = selfMonitoringJobName(j, merged.configMap?.data);
  if (name === j.metadata?.name) return merged;
  return { ...merged, job: { ...j, metadata: { ...j.metadata, name } } };
}

/** The stack's own alerting and recording rules and alert routing, uploaded for the self-monitoring tenant. */
export const selfMonitoringRulesComponent = defineComponent({
  group: 'mimir',
  key: 'selfMonitoringRules',
  description: "The stack's own alerting and recording rules and alert routing for the self-monitoring tenant",
  config: 'mimir.selfMonitoringRules',
  enabled: selfMonitoringRulesEnabled,
  render: selfMonitoringRules,
  checks: selfMonitoringRulesChecks,
  finalise: finaliseSelfMonitoringRules,
});
