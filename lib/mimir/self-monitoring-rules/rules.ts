/**
 * The stack's own alerting and recording rules, evaluated by the ruler for the self-monitoring tenant.
 * The series they read are the ones Alloy writes there: every workload's own `/metrics`, labelled
 * `cluster`, `namespace`, `job` = `<namespace>/<component>`, `pod`, `container`. Thresholds and pending
 * durations follow what the Mimir mixin found useful in large installations; the expressions are ours.
 *
 * No cAdvisor and no kube-state-metrics run here, so container working sets and limits are not series
 * the stack has. Memory near the limit compares each Mimir process's resident set
 * (`process_resident_memory_bytes`, what the kernel's OOM killer mostly counts for a Go program) with
 * the memory limit this library rendered for its container, which a recording rule writes as a series.
 */
import { quantityValue } from '../../core/quantity.js';
import type { MimirStackConfig } from '../config.js';
import { names, targets } from '../names.js';

/** Labels every alert carries: `severity` is what the self-monitoring tenant's routes match on. */
export interface AlertLabels {
  severity: 'critical' | 'warning';
  [label: string]: string;
}

export interface AlertingRule {
  alert: string;
  expr: string;
  for: string;
  labels: AlertLabels;
  annotations: { summary: string; description: string };
}

export interface RecordingRule {
  record: string;
  expr: string;
  labels?: Record<string, string>;
}

export type Rule = AlertingRule | RecordingRule;

export interface RuleGroup {
  name: string;
  rules: Rule[];
}

/** A rule file as `mimirtool rules sync` reads it: one ruler namespace and its groups. */
export interface RuleFile {
  namespace: string;
  groups: RuleGroup[];
}

/** The ruler namespace the stack's rules live in; the Job syncs this namespace only. */
export const ruleNamespace = 'mimir-kube';

/** The series the memory alert divides by: a rendered container's memory limit in bytes. */
export const memoryLimitRecord = 'namespace_job_container:mimir_kube_memory_limit_bytes:rendered';

export const severities = ['critical', 'warning'] as const;

/** Pending durations of the alerts only the ingest-storage architecture has, in the rule file's order. */
const ingestStoragePendingFor: Record<string, string> = {
  MimirKubeIngesterKafkaReceiveDelayHigh: '5m',
  MimirKubeIngesterKafkaRecordsFailing: '5m',
  MimirKubeIngesterKafkaFetchErrors: '15m',
  MimirKubeIngesterKafkaOffsetCommitFailing: '15m',
};

/** Pending durations before each alert fires, unless `pendingFor` in config says otherwise. */
export const defaultPendingFor: Record<string, string> = {
  MimirKubeComponentDown: '5m',
  MimirKubeWriteErrors: '15m',
  MimirKubeReadErrors: '15m',
  MimirKubeIngesterUnhealthy: '15m',
  MimirKubeStoreGatewayUnhealthy: '15m',
  MimirKubeCompactorHasNotSuccessfullyRunCompaction: '1h',
  MimirKubeCompactorHasNotRunSinceStart: '24h',
  MimirKubeObjectStorageErrors: '15m',
  MimirKubeMemoryNearLimit: '15m',
  MimirKubeRulerFailedEvaluations: '5m',
  MimirKubeRulerAlertDeliveryFailing: '5m',
  MimirKubeContinuousTestFailing: '15m',
  ...ingestStoragePendingFor,
};

/** The alerts only the ingest-storage architecture has: the ingesters' reading of the Kafka topic. */
export const ingestStorageAlerts: readonly string[] = Object.keys(ingestStoragePendingFor);

/** A Mimir container of the stack and the memory limit rendered for it (config, not overrides). */
export interface MemoryLimit {
  /** The `job` label's component: the workload's component label. */
  component: string;
  container: string;
  bytes: number;
}

/** Every Mimir workload the config renders with a memory limit (zoned ones share their component's job). */
export function mimirMemoryLimits(c: MimirStackConfig): MemoryLimit[] {
  const m = c.mimir;
  const readPath = m.ruler.enabled && m.ruler.mode === 'remote' && m.ruler.dedicatedReadPath;
  const workloads: [string, { resources: { limits?: { memory?: string } } }, boolean][] = [
    [targets.distributor, m.distributor, true],
    [targets.ingester, m.ingester, true],
    [targets.querier, m.querier, true],
    [targets.queryFrontend, m.queryFrontend, true],
    [targets.queryScheduler, m.queryScheduler, true],
    [targets.storeGateway, m.storeGateway, true],
    [targets.compactor, m.compactor, true],
    [targets.alertmanager, m.alertmanager, m.alertmanager.enabled],
    [targets.overridesExporter, m.overridesExporter, m.overridesExporter.enabled],
    [targets.ruler, m.ruler, m.ruler.enabled],
    [names.rulerQueryFrontend, m.ruler.readPath.queryFrontend, readPath],
    [names.rulerQueryScheduler, m.ruler.readPath.queryScheduler, readPath],
    [names.rulerQuerier, m.ruler.readPath.querier, readPath],
    [targets.continuousTest, m.continuousTest, m.continuousTest.enabled],
    [targets.blockBuilder, m.blockBuilder, m.blockBuilder.enabled],
    [targets.blockBuilderScheduler, m.blockBuilderScheduler, m.blockBuilderScheduler.enabled],
  ];
  const out: MemoryLimit[] = [];
  for (const [name, settings, enabled] of workloads) {
    // A component whose config is missing fails its own render, with its own path; it is not this one's problem.
    const limit = (settings as Partial<typeof settings> | undefined)?.resources?.limits?.memory;
    if (!enabled || limit === undefined) continue;
    let bytes: number;
    try {
      bytes = quantityValue(limit);
    } catch {
      // The resources check reports a limit that is not a quantity, with its path.
      continue;
    }
    out.push({ component: name, container: name, bytes });
  }
  return out;
}

const lines = (...parts: string[]): string => parts.join('\n');

/** Builds one alerting rule with its pending duration from config. */
type AlertOf = (
  name: string,
  severity: AlertLabels['severity'],
  expr: string,
  summary: string,
  description: string,
) => AlertingRule;

/** The stack's rule file for the self-monitoring tenant. */
export function selfMonitoringRuleFile(c: MimirStackConfig, pendingFor: Record<string, string>): RuleFile {
  const ns = c.namespace;
  const job = (component: string): string => `${ns}/${component}`;
  const sel = (extra = ''): string => `namespace="${ns}"${extra ? `, ${extra}` : ''}`;
  const forOf = (alert: string): string => pendingFor[alert] ?? defaultPendingFor[alert];
  const alert: AlertOf = (name, severity, expr, summary, description) => ({
    alert: name,
    expr,
    for: forOf(name),
    labels: { severity },
    annotations: { summary, description },
  });
  const errorRatio = (jobs: string, routes: string): string =>
    lines(
      '100 * (',
      `  sum by (cluster, namespace, job, route) (rate(cortex_request_duration_seconds_count{${sel(`job=~"${jobs}", route=~"${routes}", status_code=~"5..|error"`)}}[5m]))`,
      '  /',
      `  sum by (cluster, namespace, job, route) (rate(cortex_request_duration_seconds_count{${sel(`job=~"${jobs}", route=~"${routes}"`)}}[5m]))`,
      ') > 1',
    );
  const writeJobs = `${job(targets.distributor)}|${job(targets.ingester)}`;
  const readJobs = [targets.queryFrontend, targets.storeGateway, targets.ingester].map(job).join('|');
  const unhealthy = (ring: string): string =>
    `min by (cluster, namespace) (cortex_ring_members{${sel(`name="${ring}", state="Unhealthy"`)}}) > 0`;
  const lastRun = `cortex_compactor_last_successful_run_timestamp_seconds{${sel(`job="${job(targets.compactor)}"`)}}`;

  const limits = mimirMemoryLimits(c);
  const memoryAlert = alert(
    'MimirKubeMemoryNearLimit',
    'warning',
    lines(
      `max by (cluster, namespace, job, pod, container) (process_resident_memory_bytes{${sel()}})`,
      '  / on (namespace, job, container) group_left ()',
      `max by (namespace, job, container) (${memoryLimitRecord})`,
      '> 0.9',
    ),
    '{{ $labels.pod }} uses {{ $value | humanizePercentage }} of its memory limit.',
    'The resident memory of {{ $labels.container }} in {{ $labels.pod }} ({{ $labels.job }}) is above 90% of the limit its container was rendered with: the kernel will kill it when it reaches the limit.',
  );

  const records: RecordingRule[] = [
    {
      record: 'cluster_namespace_job_route:cortex_request_duration_seconds_count:rate5m',
      expr: `sum by (cluster, namespace, job, route, status_code) (rate(cortex_request_duration_seconds_count{${sel()}}[5m]))`,
    },
    {
      record: 'cluster_namespace_user:cortex_distributor_received_samples:rate5m',
      expr: `sum by (cluster, namespace, user) (rate(cortex_distributor_received_samples_total{${sel()}}[5m]))`,
    },
    ...limits.map((l) => ({
      record: memoryLimitRecord,
      expr: `vector(${l.bytes})`,
      labels: { namespace: ns, job: job(l.component), container: l.container },
    })),
  ];

  const alerts: AlertingRule[] = [
    alert(
      'MimirKubeComponentDown',
      'critical',
      `up{${sel()}} == 0`,
      '{{ $labels.job }} pod {{ $labels.pod }} does not answer scrapes.',
      'Alloy could not scrape {{ $labels.pod }} ({{ $labels.job }}) in {{ $labels.cluster }}/{{ $labels.namespace }}: the process is down, restarting or unreachable.',
    ),
    alert(
      'MimirKubeWriteErrors',
      'critical',
      errorRatio(writeJobs, 'api_v1_push|otlp_v1_metrics|/cortex.Ingester/Push'),
      '{{ $labels.job }} fails {{ printf "%.2f" $value }}% of writes on {{ $labels.route }}.',
      'More than 1% of write requests on route {{ $labels.route }} of {{ $labels.job }} in {{ $labels.cluster }}/{{ $labels.namespace }} end in a server error: samples are being lost or retried.',
    ),
    alert(
      'MimirKubeReadErrors',
      'critical',
      errorRatio(readJobs, 'prometheus_api_v1_.+|/gatewaypb.StoreGateway/Series|/cortex.Ingester/QueryStream'),
      '{{ $labels.job }} fails {{ printf "%.2f" $value }}% of reads on {{ $labels.route }}.',
      'More than 1% of read requests on route {{ $labels.route }} of {{ $labels.job }} in {{ $labels.cluster }}/{{ $labels.namespace }} end in a server error: queries and dashboards fail.',
    ),
    alert(
      'MimirKubeIngesterUnhealthy',
      'critical',
      unhealthy('ingester'),
      '{{ $value }} ingester(s) unhealthy in the ring of {{ $labels.cluster }}/{{ $labels.namespace }}.',
      'Ingesters stopped heartbeating to the ring; with more unhealthy ingesters than the replication factor tolerates, writes and reads fail.',
    ),
    alert(
      'MimirKubeStoreGatewayUnhealthy',
      'critical',
      unhealthy('store-gateway'),
      '{{ $value }} store-gateway(s) unhealthy in the ring of {{ $labels.cluster }}/{{ $labels.namespace }}.',
      'Store-gateways stopped heartbeating to the ring; queries over blocks in object storage may fail.',
    ),
    alert(
      'MimirKubeCompactorHasNotSuccessfullyRunCompaction',
      'critical',
      lines(`(time() - ${lastRun} > 60 * 60 * 24)`, 'and', `(${lastRun} > 0)`),
      'Compactor {{ $labels.pod }} has not completed a compaction in 24 hours.',
      'Without compaction blocks pile up in object storage: queries get slower and the store-gateways need more memory and disk.',
    ),
    alert(
      'MimirKubeCompactorHasNotRunSinceStart',
      'critical',
      `${lastRun} == 0`,
      'Compactor {{ $labels.pod }} has not completed a compaction since it started.',
      'The compactor has run for a day without a successful compaction: check its log for bucket or disk errors.',
    ),
    alert(
      'MimirKubeObjectStorageErrors',
      'warning',
      lines(
        '100 * (',
        `  sum by (cluster, namespace, job, operation) (rate(thanos_objstore_bucket_operation_failures_total{${sel()}}[5m]))`,
        '  /',
        `  sum by (cluster, namespace, job, operation) (rate(thanos_objstore_bucket_operations_total{${sel()}}[5m]))`,
        ') > 5',
      ),
      '{{ $labels.job }} fails {{ printf "%.2f" $value }}% of object storage {{ $labels.operation }} operations.',
      'Requests from {{ $labels.job }} to the object storage fail: blocks, rules or alertmanager state may not be written or read.',
    ),
    // Only where a limit is rendered: without one there is nothing to be near, and no series to divide by.
    ...(limits.length ? [memoryAlert] : []),
    alert(
      'MimirKubeRulerFailedEvaluations',
      'warning',
      `sum by (cluster, namespace, job, user) (rate(cortex_prometheus_rule_evaluation_failures_total{${sel()}}[5m])) > 0`,
      'The ruler fails to evaluate rules of tenant {{ $labels.user }}.',
      'Rule evaluations of tenant {{ $labels.user }} fail in {{ $labels.cluster }}/{{ $labels.namespace }}: recorded series have gaps and alerts may not fire.',
    ),
    alert(
      'MimirKubeRulerAlertDeliveryFailing',
      'critical',
      lines(
        `sum by (cluster, namespace, job, user) (rate(cortex_prometheus_notifications_errors_total{${sel(`job="${job(targets.ruler)}"`)}}[5m])) > 0`,
        'or',
        `sum by (cluster, namespace, job, user) (rate(cortex_prometheus_notifications_dropped_total{${sel(`job="${job(targets.ruler)}"`)}}[5m])) > 0`,
      ),
      'The ruler fails to deliver alerts of tenant {{ $labels.user }} to the alertmanager.',
      "Alerts of tenant {{ $labels.user }} in {{ $labels.cluster }}/{{ $labels.namespace }} do not reach the alertmanager, so nobody is notified of them, this stack's own alerts included: check the ruler's log and the alertmanager.",
    ),
  ];

  if (c.mimir.continuousTest.enabled) {
    const failed = (metric: string): string =>
      `sum by (cluster, namespace, job) (rate(${metric}{${sel(`job="${job(targets.continuousTest)}"`)}}[15m])) > 0`;
    alerts.push(
      alert(
        'MimirKubeContinuousTestFailing',
        'warning',
        lines(
          failed('mimir_continuous_test_writes_failed_total'),
          'or',
          failed('mimir_continuous_test_queries_failed_total'),
          'or',
          failed('mimir_continuous_test_query_result_checks_failed_total'),
        ),
        "The continuous test's writes, queries or result checks fail.",
        "Mimir's continuous test ({{ $labels.job }}) writes series through the gateway and reads them back: some of its writes, queries or comparisons failed, so users' writes and reads may fail too.",
      ),
    );
  }

  if (c.mimir.architecture === 'ingest-storage')
    alerts.push(...ingestStorageAlertRules(alert, sel(`job="${job(targets.ingester)}"`)));

  return {
    namespace: ruleNamespace,
    groups: [
      { name: 'mimir_kube_self_monitoring_records', rules: records },
      { name: 'mimir_kube_self_monitoring_alerts', rules: alerts },
    ],
  };
}

/**
 * Under ingest storage a written sample is acknowledged once it is in Kafka; users see it only when an
 * ingester has read it. These watch that read: how far behind the partition's end each ingester reads,
 * records it cannot apply, and the fetches and offset commits it depends on. `ingesters` selects the
 * ingesters' series (zoned ones share the job).
 */
function ingestStorageAlertRules(alert: AlertOf, ingesters: string): AlertingRule[] {
  const perPod = (metric: string, extra = '', range = '5m'): string =>
    `sum by (cluster, namespace, pod) (rate(${metric}{${ingesters}${extra}}[${range}]))`;
  const ratio = (failed: string, total: string, above: number): string =>
    lines(perPod(failed), '/', perPod(total), `> ${above}`);
  return [
    alert(
      'MimirKubeIngesterKafkaReceiveDelayHigh',
      'critical',
      lines(
        'histogram_quantile(0.99,',
        `  sum by (cluster, namespace, pod, le) (rate(cortex_ingest_storage_reader_receive_delay_seconds_bucket{${ingesters}, phase="running"}[5m]))`,
        ') > 120',
      ),
      '{{ $labels.pod }} reads records from Kafka {{ $value | humanizeDuration }} after they were written.',
      'The 99th percentile of the delay between a distributor writing a record to Kafka and {{ $labels.pod }} receiving it is above two minutes in {{ $labels.cluster }}/{{ $labels.namespace }}: writes succeed, but queries do not see the newest samples. The ingester may be short of CPU, or Kafka slow to serve its partition.',
    ),
    alert(
      'MimirKubeIngesterKafkaRecordsFailing',
      'critical',
      // A failure is retried, so one is no alarm: failing in every minute for five is. While a forced head
      // compaction runs (a flush, or the head grown too old) the TSDB refuses appends by design.
      lines(
        `(${perPod('cortex_ingest_storage_reader_requests_failed_total', ', cause="server"', '1m')} > 0)`,
        'unless',
        `(max by (cluster, namespace, pod) (max_over_time(cortex_ingester_tsdb_forced_compactions_in_progress{${ingesters}}[1m])) > 0)`,
      ),
      '{{ $labels.pod }} fails to apply records it read from Kafka.',
      '{{ $labels.pod }} in {{ $labels.cluster }}/{{ $labels.namespace }} keeps reading records from its partition that its TSDB refuses with a server error (not a tenant limit), outside a forced head compaction: it retries them and falls behind, and samples may be lost. Check its log.',
    ),
    alert(
      'MimirKubeIngesterKafkaFetchErrors',
      'warning',
      ratio('cortex_ingest_storage_reader_fetch_errors_total', 'cortex_ingest_storage_reader_fetches_total', 0.1),
      '{{ $labels.pod }} fails {{ $value | humanizePercentage }} of its fetches from Kafka.',
      'More than 10% of the fetch requests {{ $labels.pod }} sends to Kafka in {{ $labels.cluster }}/{{ $labels.namespace }} fail: it reads its partition late or not at all. Check that the brokers are reachable and healthy.',
    ),
    alert(
      'MimirKubeIngesterKafkaOffsetCommitFailing',
      'warning',
      ratio(
        'cortex_ingest_storage_reader_offset_commit_failures_total',
        'cortex_ingest_storage_reader_offset_commit_requests_total',
        0.2,
      ),
      '{{ $labels.pod }} fails {{ $value | humanizePercentage }} of its offset commits to Kafka.',
      '{{ $labels.pod }} in {{ $labels.cluster }}/{{ $labels.namespace }} cannot commit how far it has read its partition: after a restart it replays from the last committed offset, which takes longer the older that is.',
    ),
  ];
}

export function isAlertingRule(r: Rule): r is AlertingRule {
  return 'alert' in r;
}
