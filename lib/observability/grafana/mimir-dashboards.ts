/**
 * The stack's self-monitoring dashboards as data: rows of panels, each a title, a unit, a description
 * and its PromQL. dashboards.ts turns them into Grafana dashboards with the foundation SDK. Like that
 * module, a build never loads this one (`npm run dashboards` renders both ahead of time).
 *
 * Every query selects by the labels Alloy writes (`job` = `<namespace>/<component>`, `pod`, `zone`)
 * and names only metrics the workloads export at the pinned versions (the metric fact file,
 * lib/mimir/reference/metrics-<version>.json; a unit test holds every query to it). The Mimir mixin's
 * dashboards are where the routes and metric names below were learned; the layout is this library's.
 */

export interface QuerySpec {
  expr: string;
  legend: string;
}

export interface PanelSpec {
  title: string;
  description: string;
  /** Grafana unit id, e.g. `reqps`, `s`, `bytes`, `percentunit`. */
  unit: string;
  queries: QuerySpec[];
  /** `stat` shows the last value; the default is a time series. */
  kind?: 'stat' | 'timeseries';
  /** Width in grid columns (of 24); a row's panels share it evenly by default. */
  span?: number;
  /** Stacked series (parts of a whole, e.g. per tenant). */
  stacked?: boolean;
}

export interface RowSpec {
  title: string;
  panels: PanelSpec[];
}

export interface DashboardSpec {
  /** File and ConfigMap name, and the dashboard's uid. */
  name: string;
  title: string;
  description: string;
  rows: RowSpec[];
}

/** Selectors and expressions for one namespace's stack. */
class Q {
  constructor(readonly ns: string) {}

  /** `{job="<ns>/<component>"}`, or a regex over several components; extra matchers appended. */
  sel(components: string | string[], extra = ''): string {
    const list = typeof components === 'string' ? [components] : components;
    const job = list.length === 1 ? `job="${this.ns}/${list[0]}"` : `job=~"${this.ns}/(${list.join('|')})"`;
    return `{${job}${extra ? `, ${extra}` : ''}}`;
  }

  rate(metric: string, components: string | string[], extra = ''): string {
    return `rate(${metric}${this.sel(components, extra)}[$__rate_interval])`;
  }

  /** Requests per second by status code, from the request-duration histogram's count. */
  requests(components: string | string[], route: string): QuerySpec[] {
    return [
      {
        expr: `sum by (status_code) (${this.rate('cortex_request_duration_seconds_count', components, `route=~"${route}"`)})`,
        legend: '{{status_code}}',
      },
    ];
  }

  /** p99, p50 and the mean of a duration histogram. */
  latency(metric: string, components: string | string[], extra = ''): QuerySpec[] {
    const q = (p: number) =>
      `histogram_quantile(${p}, sum by (le) (${this.rate(`${metric}_bucket`, components, extra)}))`;
    return [
      { expr: q(0.99), legend: '99th percentile' },
      { expr: q(0.5), legend: '50th percentile' },
      {
        expr: `sum(${this.rate(`${metric}_sum`, components, extra)}) / sum(${this.rate(`${metric}_count`, components, extra)})`,
        legend: 'average',
      },
    ];
  }

  /** Share of 5xx answers (gRPC errors are `error`, cancellations `cancel`; neither is the client's fault). */
  errorRatio(components: string | string[], route: string): string {
    const all = this.rate('cortex_request_duration_seconds_count', components, `route=~"${route}"`);
    const bad = this.rate(
      'cortex_request_duration_seconds_count',
      components,
      `route=~"${route}", status_code=~"5..|error"`,
    );
    return `sum(${bad}) / sum(${all})`;
  }
}

/** Routes of the write path (HTTP push, OTLP and the distributor's gRPC) and the ingesters' push. */
const writeRoutes = '/distributor.Distributor/Push|/httpgrpc.*|api_(v1|prom)_push|otlp_v1_metrics';
const ingesterPush = '/cortex.Ingester/Push';
/** The Prometheus query API as the query-frontend and queriers name its routes. */
const readRoutes = '(prometheus|api_prom)_api_v1_.+';
const ingesterReads =
  '/cortex.Ingester/(QueryStream|QueryExemplars|LabelValues|LabelNames|LabelNamesAndValues|LabelValuesCardinality|UserStats|AllUserStats|MetricsForLabelMatchers|MetricsMetadata|ActiveSeries)';
const storeGatewayReads = '/gatewaypb.StoreGateway/.*';

/** CPU, memory and Go heap of the pods of some components. */
function resources(q: Q, components: string[]): RowSpec {
  return {
    title: 'Resources',
    panels: [
      {
        title: 'CPU',
        unit: 'short',
        description: 'CPU cores each pod uses.',
        queries: [{ expr: `sum by (pod) (${q.rate('process_cpu_seconds_total', components)})`, legend: '{{pod}}' }],
      },
      {
        title: 'Memory (resident)',
        unit: 'bytes',
        description: 'Resident memory of each pod: what the container memory limit is compared with.',
        queries: [{ expr: `max by (pod) (process_resident_memory_bytes${q.sel(components)})`, legend: '{{pod}}' }],
      },
      {
        title: 'Go heap in use',
        unit: 'bytes',
        description: 'Heap the Go runtime holds in use, by pod.',
        queries: [{ expr: `max by (pod) (go_memstats_heap_inuse_bytes${q.sel(components)})`, legend: '{{pod}}' }],
      },
    ],
  };
}

function overview(q: Q): DashboardSpec {
  return {
    name: 'mimir-overview',
    title: 'Mimir / Overview',
    description: 'The stack at a glance: which components are up, the write and read paths, and ingestion per tenant.',
    rows: [
      {
        title: 'Health',
        panels: [
          {
            title: 'Components up',
            kind: 'stat',
            unit: 'short',
            span: 12,
            description: 'Pods answering their metrics endpoint, by component, out of those Alloy scrapes.',
            queries: [{ expr: `sum by (job) (up{namespace="${q.ns}"})`, legend: '{{job}}' }],
          },
          {
            title: 'Write errors',
            kind: 'stat',
            unit: 'percentunit',
            span: 4,
            description: 'Share of write requests the distributors answer with a server error.',
            queries: [{ expr: q.errorRatio('distributor', writeRoutes), legend: 'errors' }],
          },
          {
            title: 'Read errors',
            kind: 'stat',
            unit: 'percentunit',
            span: 4,
            description: 'Share of queries the query-frontends answer with a server error.',
            queries: [{ expr: q.errorRatio('query-frontend', readRoutes), legend: 'errors' }],
          },
          {
            title: 'Tenants',
            kind: 'stat',
            unit: 'short',
            span: 4,
            description: 'Tenants with series in the ingesters.',
            queries: [
              {
                expr: `count(count by (user) (cortex_ingester_active_series${q.sel('ingester')}))`,
                legend: 'tenants',
              },
            ],
          },
        ],
      },
      {
        title: 'Ingestion per tenant',
        panels: [
          {
            title: 'Samples received per tenant',
            unit: 'short',
            stacked: true,
            description: 'Samples per second the distributors accept, by tenant.',
            queries: [
              {
                expr: `sum by (user) (${q.rate('cortex_distributor_received_samples_total', 'distributor')})`,
                legend: '{{user}}',
              },
            ],
          },
          {
            title: 'Active series per tenant',
            unit: 'short',
            stacked: true,
            description:
              'Series with a sample in the active window, by tenant, summed over the ingesters: with replication, each series counts once per replica.',
            queries: [
              { expr: `sum by (user) (cortex_ingester_active_series${q.sel('ingester')})`, legend: '{{user}}' },
            ],
          },
          {
            title: 'Write requests per tenant',
            unit: 'reqps',
            stacked: true,
            description: 'Push requests per second the distributors receive, by tenant.',
            queries: [
              {
                expr: `sum by (user) (${q.rate('cortex_distributor_received_requests_total', 'distributor')})`,
                legend: '{{user}}',
              },
            ],
          },
        ],
      },
      {
        title: 'Requests',
        panels: [
          {
            title: 'Writes',
            unit: 'reqps',
            description: 'Write requests per second the distributors answer, by status.',
            queries: q.requests('distributor', writeRoutes),
          },
          {
            title: 'Reads',
            unit: 'reqps',
            description: 'Queries per second the query-frontends answer, by status.',
            queries: q.requests('query-frontend', readRoutes),
          },
          {
            title: 'Write latency p99',
            unit: 's',
            description: '99th percentile of write request duration at the distributors.',
            queries: q.latency('cortex_request_duration_seconds', 'distributor', `route=~"${writeRoutes}"`).slice(0, 1),
          },
          {
            title: 'Read latency p99',
            unit: 's',
            description: '99th percentile of query duration at the query-frontends.',
            queries: q
              .latency('cortex_request_duration_seconds', 'query-frontend', `route=~"${readRoutes}"`)
              .slice(0, 1),
          },
        ],
      },
      gatewayRow(q),
    ],
  };
}

/** The gateway's nginx, from its exporter sidecar (nginx's stub_status: connection and request counters). */
function gatewayRow(q: Q): RowSpec {
  return {
    title: 'Gateway',
    panels: [
      {
        title: 'Gateway requests per second',
        unit: 'reqps',
        description:
          'Requests per second nginx answers on every route (Mimir and Grafana alike), by pod. stub_status counts no status codes: the errors are in the Writes and Reads panels.',
        queries: [{ expr: `sum by (pod) (${q.rate('nginx_http_requests_total', 'gateway')})`, legend: '{{pod}}' }],
      },
      {
        title: 'Gateway connections',
        unit: 'short',
        stacked: true,
        description:
          'Client connections open in nginx by state: reading a request, writing a response (waiting for the upstream included), idle keep-alive.',
        queries: ['reading', 'writing', 'waiting'].map((state) => ({
          expr: `sum(nginx_connections_${state}${q.sel('gateway')})`,
          legend: state,
        })),
      },
      {
        title: 'Gateway connections dropped',
        unit: 'short',
        description:
          'Connections per second nginx accepted but did not handle: its worker_connections limit was reached. Zero when healthy.',
        queries: [
          {
            expr: `sum(${q.rate('nginx_connections_accepted', 'gateway')}) - sum(${q.rate('nginx_connections_handled', 'gateway')})`,
            legend: 'dropped',
          },
        ],
      },
    ],
  };
}

function writes(q: Q): DashboardSpec {
  return {
    name: 'mimir-writes',
    title: 'Mimir / Writes',
    description: 'The write path: distributors, then ingesters, their TSDB heads and block uploads.',
    rows: [
      {
        title: 'Summary',
        panels: [
          {
            title: 'Samples per second',
            kind: 'stat',
            unit: 'short',
            description: 'Samples the distributors accept per second.',
            queries: [
              { expr: `sum(${q.rate('cortex_distributor_received_samples_total', 'distributor')})`, legend: 'samples' },
            ],
          },
          {
            title: 'In-memory series',
            kind: 'stat',
            unit: 'short',
            description: "Series in the ingesters' TSDB heads, every replica counted.",
            queries: [{ expr: `sum(cortex_ingester_memory_series${q.sel('ingester')})`, legend: 'series' }],
          },
          {
            title: 'Exemplars per second',
            kind: 'stat',
            unit: 'short',
            description: 'Exemplars the distributors accept per second.',
            queries: [
              {
                expr: `sum(${q.rate('cortex_distributor_received_exemplars_total', 'distributor')})`,
                legend: 'exemplars',
              },
            ],
          },
        ],
      },
      {
        title: 'Distributor',
        panels: [
          {
            title: 'Requests per second',
            unit: 'reqps',
            description: 'Push requests (remote write, OTLP) by status.',
            queries: q.requests('distributor', writeRoutes),
          },
          {
            title: 'Latency',
            unit: 's',
            description: 'Push request duration at the distributors.',
            queries: q.latency('cortex_request_duration_seconds', 'distributor', `route=~"${writeRoutes}"`),
          },
          {
            title: 'Inflight push requests',
            unit: 'short',
            description: 'Push requests each distributor is handling right now.',
            queries: [
              {
                expr: `sum by (pod) (cortex_distributor_inflight_push_requests${q.sel('distributor')})`,
                legend: '{{pod}}',
              },
            ],
          },
        ],
      },
      {
        title: 'Ingester',
        panels: [
          {
            title: 'Requests per second',
            unit: 'reqps',
            description: 'Pushes from the distributors, by status.',
            queries: q.requests('ingester', ingesterPush),
          },
          {
            title: 'Latency',
            unit: 's',
            description: 'Push duration at the ingesters.',
            queries: q.latency('cortex_request_duration_seconds', 'ingester', `route="${ingesterPush}"`),
          },
          {
            title: 'In-memory series by zone and pod',
            unit: 'short',
            description: "Series in each ingester's TSDB head; zone-aware ingesters show their zone.",
            queries: [
              {
                expr: `sum by (zone, pod) (cortex_ingester_memory_series${q.sel('ingester')})`,
                legend: '{{zone}} {{pod}}',
              },
            ],
          },
        ],
      },
      {
        title: 'Ingester TSDB',
        panels: [
          {
            title: 'Blocks uploaded',
            unit: 'short',
            description: 'Blocks the ingesters ship to object storage per second, and failed uploads.',
            queries: [
              { expr: `sum(${q.rate('cortex_ingester_shipper_uploads_total', 'ingester')})`, legend: 'uploads' },
              {
                expr: `sum(${q.rate('cortex_ingester_shipper_upload_failures_total', 'ingester')})`,
                legend: 'failures',
              },
            ],
          },
          {
            title: 'Head compactions',
            unit: 'short',
            description: 'TSDB head compactions (a block cut from the head) per second, and failed ones.',
            queries: [
              { expr: `sum(${q.rate('cortex_ingester_tsdb_compactions_total', 'ingester')})`, legend: 'compactions' },
              {
                expr: `sum(${q.rate('cortex_ingester_tsdb_compactions_failed_total', 'ingester')})`,
                legend: 'failed',
              },
            ],
          },
          {
            title: 'WAL',
            unit: 'short',
            description:
              'Write-ahead log truncations per second, and failed WAL writes and truncations: a failing WAL loses data on a restart.',
            queries: [
              {
                expr: `sum(${q.rate('cortex_ingester_tsdb_wal_truncations_total', 'ingester')})`,
                legend: 'truncations',
              },
              {
                expr: `sum(${q.rate('cortex_ingester_tsdb_wal_truncations_failed_total', 'ingester')})`,
                legend: 'failed truncations',
              },
              {
                expr: `sum(${q.rate('cortex_ingester_tsdb_wal_writes_failed_total', 'ingester')})`,
                legend: 'failed writes',
              },
            ],
          },
        ],
      },
      resources(q, ['distributor', 'ingester']),
    ],
  };
}

function reads(q: Q): DashboardSpec {
  return {
    name: 'mimir-reads',
    title: 'Mimir / Reads',
    description:
      'The read path: query-frontend, query-scheduler, queriers, and the ingesters and store-gateways they ask.',
    rows: [
      {
        title: 'Query-frontend',
        panels: [
          {
            title: 'Requests per second',
            unit: 'reqps',
            description: 'Prometheus API requests by status.',
            queries: q.requests('query-frontend', readRoutes),
          },
          {
            title: 'Latency',
            unit: 's',
            description: 'Query duration at the query-frontends, queueing and execution included.',
            queries: q.latency('cortex_request_duration_seconds', 'query-frontend', `route=~"${readRoutes}"`),
          },
          {
            title: 'Queries by kind',
            unit: 'reqps',
            description: 'Queries per second by route (range, instant, labels, series …).',
            queries: [
              {
                expr: `sum by (route) (${q.rate('cortex_request_duration_seconds_count', 'query-frontend', `route=~"${readRoutes}"`)})`,
                legend: '{{route}}',
              },
            ],
          },
        ],
      },
      {
        title: 'Query-scheduler',
        panels: [
          {
            title: 'Queue length',
            unit: 'short',
            description: 'Queries waiting for a querier, by scheduler: a queue that keeps growing wants more queriers.',
            queries: [
              {
                expr: `sum by (pod) (cortex_query_scheduler_queue_length${q.sel('query-scheduler')})`,
                legend: '{{pod}}',
              },
            ],
          },
          {
            title: 'Queue duration',
            unit: 's',
            description: "How long queries wait in the scheduler's queue.",
            queries: q.latency('cortex_query_scheduler_queue_duration_seconds', 'query-scheduler'),
          },
          {
            title: 'Connected queriers',
            unit: 'short',
            description: 'Querier workers connected to each scheduler.',
            queries: [
              {
                expr: `sum by (pod) (cortex_query_scheduler_connected_querier_clients${q.sel('query-scheduler')})`,
                legend: '{{pod}}',
              },
            ],
          },
        ],
      },
      {
        title: 'Ingester and store-gateway',
        panels: [
          {
            title: 'Ingester requests per second',
            unit: 'reqps',
            description: 'Read requests the ingesters answer (recent data), by status.',
            queries: q.requests('ingester', ingesterReads),
          },
          {
            title: 'Ingester read latency',
            unit: 's',
            description: "Duration of the ingesters' read requests.",
            queries: q.latency('cortex_request_duration_seconds', 'ingester', `route=~"${ingesterReads}"`),
          },
          {
            title: 'Store-gateway requests per second',
            unit: 'reqps',
            description: 'Requests the store-gateways answer (data in object storage), by status.',
            queries: q.requests('store-gateway', storeGatewayReads),
          },
          {
            title: 'Store-gateway latency',
            unit: 's',
            description: "Duration of the store-gateways' requests.",
            queries: q.latency('cortex_request_duration_seconds', 'store-gateway', `route=~"${storeGatewayReads}"`),
          },
        ],
      },
      resources(q, ['query-frontend', 'query-scheduler', 'querier', 'store-gateway']),
    ],
  };
}

function objectStorage(q: Q): DashboardSpec {
  const components = ['ingester', 'querier', 'store-gateway', 'compactor', 'ruler', 'alertmanager'];
  const ops = 'thanos_objstore_bucket_operations_total';
  const failures = 'thanos_objstore_bucket_operation_failures_total';
  return {
    name: 'mimir-object-storage',
    title: 'Mimir / Object storage',
    description: 'Bucket operations of every Mimir component, and MinIO when the stack runs it.',
    rows: [
      {
        title: 'Operations',
        panels: [
          {
            title: 'Operations per second by component',
            unit: 'ops',
            stacked: true,
            description: 'Bucket operations per second, by component.',
            queries: [{ expr: `sum by (job) (${q.rate(ops, components)})`, legend: '{{job}}' }],
          },
          {
            title: 'Operations per second by operation',
            unit: 'ops',
            stacked: true,
            description: 'Bucket operations per second, by operation (get, upload, iter …).',
            queries: [{ expr: `sum by (operation) (${q.rate(ops, components)})`, legend: '{{operation}}' }],
          },
          {
            title: 'Error ratio by operation',
            unit: 'percentunit',
            description: 'Failed bucket operations as a share of all, by operation.',
            queries: [
              {
                expr: `sum by (operation) (${q.rate(failures, components)}) / sum by (operation) (${q.rate(ops, components)})`,
                legend: '{{operation}}',
              },
            ],
          },
        ],
      },
      {
        title: 'Latency',
        panels: [
          {
            title: 'Operation latency p99 by operation',
            unit: 's',
            description: '99th percentile of bucket operation duration, by operation.',
            queries: [
              {
                expr: `histogram_quantile(0.99, sum by (le, operation) (${q.rate('thanos_objstore_bucket_operation_duration_seconds_bucket', components)}))`,
                legend: '{{operation}}',
              },
            ],
          },
          {
            title: 'Operation latency p99 by component',
            unit: 's',
            description: '99th percentile of bucket operation duration, by component.',
            queries: [
              {
                expr: `histogram_quantile(0.99, sum by (le, job) (${q.rate('thanos_objstore_bucket_operation_duration_seconds_bucket', components)}))`,
                legend: '{{job}}',
              },
            ],
          },
        ],
      },
      {
        title: 'MinIO',
        panels: [
          {
            title: 'S3 requests per second',
            unit: 'reqps',
            description: 'Requests MinIO serves, by API call.',
            queries: [{ expr: `sum by (api) (${q.rate('minio_s3_requests_total', 'minio')})`, legend: '{{api}}' }],
          },
          {
            title: 'S3 errors per second',
            unit: 'reqps',
            description: 'Requests MinIO answered with an error, by API call.',
            queries: [
              { expr: `sum by (api) (${q.rate('minio_s3_requests_errors_total', 'minio')})`, legend: '{{api}}' },
            ],
          },
          {
            title: 'Capacity',
            unit: 'bytes',
            description: 'Bytes MinIO stores, and the usable space left.',
            queries: [
              { expr: `max(minio_cluster_usage_total_bytes${q.sel('minio')})`, legend: 'used' },
              { expr: `min(minio_cluster_capacity_usable_free_bytes${q.sel('minio')})`, legend: 'free' },
            ],
          },
        ],
      },
    ],
  };
}

function compactor(q: Q): DashboardSpec {
  return {
    name: 'mimir-compactor',
    title: 'Mimir / Compactor',
    description: 'Compaction runs, their outcome, and the blocks they leave in the bucket.',
    rows: [
      {
        title: 'Runs',
        panels: [
          {
            title: 'Since the last successful run',
            kind: 'stat',
            unit: 's',
            description:
              'Seconds since each compactor last completed a run: a compactor that stops running lets blocks pile up.',
            queries: [
              {
                expr: `time() - max by (pod) (cortex_compactor_last_successful_run_timestamp_seconds${q.sel('compactor')})`,
                legend: '{{pod}}',
              },
            ],
          },
          {
            title: 'Runs',
            unit: 'short',
            description: 'Compaction runs started, completed and failed, per second.',
            queries: [
              { expr: `sum(${q.rate('cortex_compactor_runs_started_total', 'compactor')})`, legend: 'started' },
              { expr: `sum(${q.rate('cortex_compactor_runs_completed_total', 'compactor')})`, legend: 'completed' },
              { expr: `sum(${q.rate('cortex_compactor_runs_failed_total', 'compactor')})`, legend: 'failed' },
            ],
          },
          {
            title: 'Tenants',
            unit: 'short',
            description: 'Tenants found in the bucket, and those the last run processed, succeeded and failed.',
            queries: [
              { expr: `sum(cortex_compactor_tenants_discovered${q.sel('compactor')})`, legend: 'discovered' },
              { expr: `sum(cortex_compactor_tenants_processing_succeeded${q.sel('compactor')})`, legend: 'succeeded' },
              { expr: `sum(cortex_compactor_tenants_processing_failed${q.sel('compactor')})`, legend: 'failed' },
            ],
          },
        ],
      },
      {
        title: 'Blocks',
        panels: [
          {
            title: 'Blocks per tenant',
            unit: 'short',
            stacked: true,
            description: 'Blocks in the bucket, by tenant (the bucket index the compactor writes).',
            queries: [{ expr: `max by (user) (cortex_bucket_blocks_count${q.sel('compactor')})`, legend: '{{user}}' }],
          },
          {
            title: 'Blocks marked for deletion',
            unit: 'short',
            description:
              'Blocks the compactor marks for deletion per second (compacted away or past retention), by reason.',
            queries: [
              {
                expr: `sum by (reason) (${q.rate('cortex_compactor_blocks_marked_for_deletion_total', 'compactor')})`,
                legend: '{{reason}}',
              },
            ],
          },
          {
            title: 'Bucket index age',
            unit: 's',
            description:
              "Seconds since each tenant's bucket index was last written: the store-gateways and queriers read it.",
            queries: [
              {
                expr: `time() - max by (user) (cortex_bucket_index_last_successful_update_timestamp_seconds${q.sel('compactor')})`,
                legend: '{{user}}',
              },
            ],
          },
        ],
      },
      resources(q, ['compactor']),
    ],
  };
}

function ruler(q: Q): DashboardSpec {
  const r = (metric: string) => q.rate(metric, 'ruler');
  return {
    name: 'mimir-ruler',
    title: 'Mimir / Ruler',
    description: 'Rule evaluation, the queries it runs, and the notifications it sends to the alertmanager.',
    rows: [
      {
        title: 'Evaluation',
        panels: [
          {
            title: 'Evaluations per second',
            unit: 'short',
            description: 'Rule evaluations and failed ones, per second.',
            queries: [
              { expr: `sum(${r('cortex_prometheus_rule_evaluations_total')})`, legend: 'evaluations' },
              { expr: `sum(${r('cortex_prometheus_rule_evaluation_failures_total')})`, legend: 'failures' },
            ],
          },
          {
            title: 'Failures and missed iterations per tenant',
            unit: 'short',
            description:
              'Failed evaluations and group iterations skipped because the previous one ran too long, by tenant.',
            queries: [
              {
                expr: `sum by (user) (${r('cortex_prometheus_rule_evaluation_failures_total')})`,
                legend: '{{user}} failed',
              },
              {
                expr: `sum by (user) (${r('cortex_prometheus_rule_group_iterations_missed_total')})`,
                legend: '{{user}} missed',
              },
            ],
          },
          {
            title: 'Slowest groups',
            unit: 's',
            description: 'Duration of the last evaluation of the slowest rule groups.',
            queries: [
              {
                expr: `topk(10, max by (user, rule_group) (cortex_prometheus_rule_group_last_duration_seconds${q.sel('ruler')}))`,
                legend: '{{user}} {{rule_group}}',
              },
            ],
          },
        ],
      },
      {
        title: 'Queries',
        panels: [
          {
            title: 'Queries per second',
            unit: 'reqps',
            description: 'Queries the rules run (through the query-frontend in remote mode).',
            queries: [{ expr: `sum(${r('cortex_ruler_queries_total')})`, legend: 'queries' }],
          },
          {
            title: 'Rule groups',
            unit: 'short',
            description: 'Rule groups each ruler evaluates.',
            queries: [
              { expr: `sum by (pod) (cortex_prometheus_rule_group_rules${q.sel('ruler')})`, legend: '{{pod}}' },
            ],
          },
        ],
      },
      {
        title: 'Notifications',
        panels: [
          {
            title: 'Notifications per second',
            unit: 'short',
            description: 'Alerts sent to the alertmanager, and the ones that failed.',
            queries: [
              { expr: `sum(${r('cortex_prometheus_notifications_sent_total')})`, legend: 'sent' },
              { expr: `sum(${r('cortex_prometheus_notifications_errors_total')})`, legend: 'errors' },
              { expr: `sum(${r('cortex_prometheus_notifications_dropped_total')})`, legend: 'dropped' },
            ],
          },
          {
            title: 'Notification queue',
            unit: 'short',
            description: 'Alerts waiting to be sent, by tenant.',
            queries: [
              {
                expr: `sum by (user) (cortex_prometheus_notifications_queue_length${q.sel('ruler')})`,
                legend: '{{user}}',
              },
            ],
          },
        ],
      },
      resources(q, ['ruler']),
    ],
  };
}

function alertmanager(q: Q): DashboardSpec {
  const r = (metric: string) => q.rate(metric, 'alertmanager');
  return {
    name: 'mimir-alertmanager',
    title: 'Mimir / Alertmanager',
    description: 'Alerts received, notifications sent, and the tenants the alertmanagers serve.',
    rows: [
      {
        title: 'Alerts',
        panels: [
          {
            title: 'Alerts received per second',
            unit: 'short',
            description: 'Alerts the alertmanagers receive, by tenant.',
            queries: [
              { expr: `sum by (user) (${r('cortex_alertmanager_alerts_received_total')})`, legend: '{{user}}' },
            ],
          },
          {
            title: 'Alerts by state',
            unit: 'short',
            description: 'Alerts the alertmanagers hold, by state (active, suppressed …).',
            queries: [
              { expr: `sum by (state) (cortex_alertmanager_alerts${q.sel('alertmanager')})`, legend: '{{state}}' },
            ],
          },
          {
            title: 'Aggregation groups',
            unit: 'short',
            description: 'Alert groups the dispatchers hold (one per route and group-by values), by tenant.',
            queries: [
              {
                expr: `sum by (user) (cortex_alertmanager_dispatcher_aggregation_groups${q.sel('alertmanager')})`,
                legend: '{{user}}',
              },
            ],
          },
        ],
      },
      {
        title: 'Notifications',
        panels: [
          {
            title: 'Notification attempts per second',
            unit: 'short',
            description: 'Notifications the alertmanagers try to send (every integration, success or not).',
            queries: [
              { expr: `sum(${r('cortex_alertmanager_notification_latency_seconds_count')})`, legend: 'attempts' },
            ],
          },
          {
            title: 'Notification latency',
            unit: 's',
            description: 'How long sending a notification takes.',
            queries: q.latency('cortex_alertmanager_notification_latency_seconds', 'alertmanager'),
          },
        ],
      },
      {
        title: 'Tenants and state',
        panels: [
          {
            title: 'State persisted',
            unit: 'short',
            description: 'Notification log and silences written to object storage per second, and failed writes.',
            queries: [
              { expr: `sum(${r('cortex_alertmanager_state_persist_total')})`, legend: 'persisted' },
              { expr: `sum(${r('cortex_alertmanager_state_persist_failed_total')})`, legend: 'failed' },
            ],
          },
          {
            title: 'Tenants',
            unit: 'short',
            description: 'Tenants with an alertmanager configuration, and those each alertmanager serves.',
            queries: [
              { expr: `max(cortex_alertmanager_tenants_discovered${q.sel('alertmanager')})`, legend: 'discovered' },
              {
                expr: `sum by (pod) (cortex_alertmanager_tenants_owned${q.sel('alertmanager')})`,
                legend: '{{pod}} owned',
              },
            ],
          },
          {
            title: 'Configuration syncs',
            unit: 'short',
            description: 'Configuration syncs from object storage per second, by reason, and failed ones.',
            queries: [
              { expr: `sum by (reason) (${r('cortex_alertmanager_sync_configs_total')})`, legend: '{{reason}}' },
              { expr: `sum(${r('cortex_alertmanager_sync_configs_failed_total')})`, legend: 'failed' },
            ],
          },
        ],
      },
      resources(q, ['alertmanager']),
    ],
  };
}

/** The name of the Kafka dashboard, provisioned only when Alloy collects Kafka's metrics (ingest storage). */
export const kafkaDashboardName = 'mimir-kafka';

/**
 * Ingest storage's Kafka as Alloy's Kafka exporter sees it (`job` `<namespace>/kafka`): what is produced to
 * the topic, what it retains, and how far each consumer group (each ingester commits as a group named after
 * itself, for the partition of its ordinal) is behind.
 */
function kafka(q: Q): DashboardSpec {
  const sel = q.sel('kafka');
  return {
    name: kafkaDashboardName,
    title: 'Mimir / Kafka',
    description:
      "Ingest storage's Kafka: records produced per partition, records retained, and each consumer group's lag (Alloy's Kafka exporter).",
    rows: [
      {
        title: 'Topic',
        panels: [
          {
            title: 'Records produced per second',
            unit: 'short',
            description:
              "Records appended to each partition per second (the rate of its end offset): the distributors' and the rulers' writes.",
            queries: [
              {
                expr: `sum by (topic, partition) (rate(kafka_topic_partition_current_offset${sel}[$__rate_interval]))`,
                legend: '{{topic}} / {{partition}}',
              },
            ],
          },
          {
            title: 'Records retained',
            unit: 'short',
            description:
              'Records each partition holds (end offset minus oldest offset): how far back a restarted ingester could replay.',
            queries: [
              {
                expr: `sum by (topic, partition) (kafka_topic_partition_current_offset${sel} - kafka_topic_partition_oldest_offset${sel})`,
                legend: '{{topic}} / {{partition}}',
              },
            ],
          },
          {
            title: 'Brokers',
            kind: 'stat',
            unit: 'short',
            span: 4,
            description: 'Brokers in the cluster metadata the exporter last read.',
            queries: [{ expr: `max(kafka_brokers${sel})`, legend: 'brokers' }],
          },
        ],
      },
      {
        title: 'Consumers',
        panels: [
          {
            title: 'Consumer lag per partition',
            unit: 'short',
            description:
              "Records past each consumer group's committed offset, per partition. Each ingester commits as a group named after itself: a lag that keeps growing is an ingester that does not keep up, or does not run.",
            queries: [
              {
                expr: `sum by (consumergroup, partition) (kafka_consumergroup_uncommitted_offsets${sel})`,
                legend: '{{consumergroup}} / {{partition}}',
              },
            ],
          },
          {
            title: 'Records committed per second',
            unit: 'short',
            description: "Records each consumer group commits per second (the rate of its committed offsets' sum).",
            queries: [
              {
                expr: `sum by (consumergroup) (rate(kafka_consumergroup_current_offset_sum${sel}[$__rate_interval]))`,
                legend: '{{consumergroup}}',
              },
            ],
          },
        ],
      },
    ],
  };
}

/** Every self-monitoring dashboard of a namespace's stack, in the order Grafana lists them. */
export function mimirDashboardSpecs(namespace: string): DashboardSpec[] {
  const q = new Q(namespace);
  return [overview(q), writes(q), reads(q), objectStorage(q), compactor(q), ruler(q), alertmanager(q), kafka(q)];
}
