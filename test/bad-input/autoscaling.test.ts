/**
 * Bad input for autoscaling: each case is an environment a user could write, refused with the source,
 * the place, the expected value and a hint. Each breaks one thing of a stack whose autoscalers otherwise
 * build (the last cases).
 */
import { describe, expect, it } from 'vitest';
import type { Environment } from '../../lib/build/environment.js';
import { buildEnvironment } from '../../lib/build/pipeline.js';
import { add, DELETE } from '../../lib/core/merge.js';
import { flatten } from '../../lib/core/tree.js';
import { autoscalingRule, type MetricFacts } from '../../lib/mimir/autoscaling/checks.js';
import { env, expectBuilt, expectRefused, source, type BadCase } from '../support/bad-input.js';

const on = { enabled: true };
const readPath = { ruler: { mode: 'remote', dedicatedReadPath: true } };
const scaled = (autoscaling: object, more: object = {}, overrides?: object) =>
  env({ mimir: { ...readPath, autoscaling: { querier: on, distributor: on, ...autoscaling }, ...more } }, overrides);
/** The querier's trigger with one metadata field replaced (arrays replace: the whole trigger is given). */
function querierTrigger(metadata: Record<string, string>): object {
  return {
    mimir: {
      querier: {
        scaledObject: {
          spec: {
            triggers: [
              {
                name: 'querier-inflightqueries',
                type: 'prometheus',
                metadata: {
                  serverAddress: 'http://query-frontend.mimir.svc.cluster.local:8080/prometheus',
                  query:
                    'sum(max_over_time(cortex_query_scheduler_inflight_requests{namespace="mimir",container="query-scheduler",quantile="0.75"}[5m]))',
                  threshold: '15',
                  customHeaders: 'X-Scope-OrgID=meta',
                  ...metadata,
                },
              },
            ],
          },
        },
      },
    },
  };
}

describe('autoscaling: config and tree checks', () => {
  const cases: BadCase[] = [
    {
      name: 'minReplicas above maxReplicas',
      env: scaled({ querier: { enabled: true, minReplicas: 8, maxReplicas: 4 } }),
      path: 'config.mimir.autoscaling.querier.minReplicas',
      message: /minReplicas 8 is above maxReplicas 4/,
      expected: /at most maxReplicas \(4\)/,
      hint: /lower .*minReplicas or raise .*maxReplicas/,
      count: 1,
    },
    {
      name: 'replicas set in config for an autoscaled component',
      env: scaled({}, { distributor: { replicas: 3 } }),
      path: 'config.mimir.distributor.replicas',
      message: /distributor is autoscaled, and its Deployment carries no replica count/,
      expected: /no replicas/,
      hint: /remove config\.mimir\.distributor\.replicas, or set config\.mimir\.autoscaling\.distributor\.enabled: false/,
      count: 1,
    },
    {
      name: "replicas set in config for the ruler's autoscaled querier",
      env: scaled({ rulerQuerier: on }, { ruler: { ...readPath.ruler, readPath: { querier: { replicas: 4 } } } }),
      path: 'config.mimir.ruler.readPath.querier.replicas',
      message: /rulerQuerier is autoscaled/,
      count: 1,
    },
    {
      name: 'an override sets spec.replicas on an autoscaled Deployment',
      env: scaled({}, {}, { mimir: { distributor: { deployment: { spec: { replicas: add(5) } } } } }),
      path: 'mimir.distributor.deployment',
      pointer: '/spec/replicas',
      message: /distributor is autoscaled \(ScaledObject "distributor"\), but its Deployment sets replicas/,
      expected: /no spec\.replicas/,
      hint: /remove the override that sets spec\.replicas/,
      count: 1,
    },
    {
      name: 'a Prometheus signal with the HPA engine',
      env: scaled({ engine: 'hpa', distributor: { enabled: false } }),
      path: 'config.mimir.autoscaling.querier.signals[0].signal',
      message: /engine "hpa" scales on the resource metrics API only; "inflightQueries" .* needs KEDA/,
      expected: /"cpu" or "memory" with engine "hpa"/,
      hint: /engine: 'keda'/,
      count: 1,
    },
    {
      name: 'the query queue as the signal of a component no scheduler feeds',
      env: scaled({ distributor: { enabled: true, signals: [{ signal: 'inflightQueries', target: 75 }] } }),
      path: 'config.mimir.autoscaling.distributor.signals[0].signal',
      message: /distributor takes no queries from a query-scheduler/,
      expected: /"cpu" or "memory"/,
      count: 1,
    },
    {
      name: 'no signal at all',
      env: scaled({ distributor: { enabled: true, signals: [] } }),
      path: 'config.mimir.autoscaling.distributor.signals',
      message: /autoscaled on no signal/,
      expected: /signal: 'cpu'/,
      count: 1,
    },
    {
      name: 'the same signal twice',
      env: scaled({
        distributor: {
          enabled: true,
          signals: [
            { signal: 'cpu', target: 80 },
            { signal: 'cpu', target: 90 },
          ],
        },
      }),
      path: 'config.mimir.autoscaling.distributor.signals[1].signal',
      message: /signal "cpu" is listed twice/,
      count: 1,
    },
    {
      name: "autoscaling the ruler's querier without its dedicated read path",
      env: env({ mimir: { autoscaling: { rulerQuerier: on } } }),
      path: 'config.mimir.autoscaling.rulerQuerier.enabled',
      message: /autoscaling is on for rulerQuerier, which this environment does not render/,
      expected: /dedicatedReadPath: true/,
      count: 1,
    },
    {
      name: 'a metrics tenant Mimir refuses',
      env: scaled({ metricsTenant: 'a|b' }),
      path: 'config.mimir.autoscaling.metricsTenant',
      message: /metrics tenant "a\|b"/,
      expected: /letters/,
      count: 1,
    },
    {
      name: 'a metrics address outside the stack',
      env: scaled({ distributor: { enabled: false }, prometheusAddress: 'http://prometheus:9090' }),
      path: 'mimir.querier.scaledObject',
      pointer: '/spec/triggers/0/metadata/serverAddress',
      message: /KEDA queries "http:\/\/prometheus:9090", which names no Service this stack renders/,
      expected: /of a rendered Service/,
      hint: /prometheusAddress empty/,
      count: 1,
    },
    {
      name: 'a metrics address naming a Service the stack does not render',
      env: scaled({
        distributor: { enabled: false },
        prometheusAddress: 'http://prometheus.mimir.svc.cluster.local:9090/prometheus',
      }),
      path: 'mimir.querier.scaledObject',
      pointer: '/spec/triggers/0/metadata/serverAddress',
      message: /names Service "prometheus" in namespace mimir, which is not rendered/,
      noExpected: true,
      count: 1,
    },
    {
      name: 'a metrics address on a port the Service does not expose',
      env: scaled({
        distributor: { enabled: false },
        prometheusAddress: 'http://query-frontend.mimir.svc.cluster.local:9090/prometheus',
      }),
      path: 'mimir.querier.scaledObject',
      message: /uses port 9090, which Service "query-frontend" does not expose/,
      noExpected: true,
      count: 1,
    },
    {
      name: 'an override that drops the tenant header',
      env: scaled({ distributor: { enabled: false } }, {}, querierTrigger({ customHeaders: '' })),
      path: 'mimir.querier.scaledObject',
      pointer: '/spec/triggers/0/metadata/customHeaders',
      message: /KEDA sends no X-Scope-OrgID/,
      hint: /metricsTenant/,
      count: 1,
    },
    {
      name: 'an override query that is not PromQL',
      env: scaled({ distributor: { enabled: false } }, {}, querierTrigger({ query: 'sum(rate(foo[5m])' })),
      path: 'mimir.querier.scaledObject',
      pointer: '/spec/triggers/0/metadata/query',
      message: /the query is not valid PromQL/,
      count: 1,
    },
    {
      name: 'an override query naming a metric the query-scheduler does not export (the committed fact file)',
      env: scaled(
        { distributor: { enabled: false } },
        {},
        querierTrigger({
          query: 'sum(max_over_time(cortex_query_scheduler_inflight_request{container="query-scheduler"}[5m]))',
        }),
      ),
      path: 'mimir.querier.scaledObject',
      pointer: '/spec/triggers/0/metadata/query',
      message:
        /cortex_query_scheduler_inflight_request\{container="query-scheduler"\}, a metric queryScheduler does not export/,
      expected: /a metric of queryScheduler/,
      hint: /metric name/,
      count: 1,
    },
    {
      name: "a misspelt metric on the ruler's read path, judged by the facts of the same Mimir target",
      env: scaled(
        { distributor: { enabled: false }, querier: { enabled: false }, rulerQuerier: on },
        {},
        {
          mimir: {
            rulerQuerier: {
              scaledObject: {
                spec: {
                  triggers: [
                    {
                      type: 'prometheus',
                      metadata: {
                        serverAddress: 'http://query-frontend.mimir.svc.cluster.local:8080/prometheus',
                        query: 'sum(cortex_query_scheduler_queue_lenght{container="ruler-query-scheduler"})',
                        threshold: '10',
                        customHeaders: 'X-Scope-OrgID=meta',
                      },
                    },
                  ],
                },
              },
            },
          },
        },
      ),
      path: 'mimir.rulerQuerier.scaledObject',
      message:
        /cortex_query_scheduler_queue_lenght\{container="ruler-query-scheduler"\}, a metric rulerQueryScheduler does not export/,
      count: 1,
    },
    {
      name: 'minimum above maximum, set by an override of the ScaledObject',
      env: scaled(
        { distributor: { enabled: false } },
        {},
        { mimir: { querier: { scaledObject: { spec: { minReplicaCount: 12 } } } } },
      ),
      path: 'mimir.querier.scaledObject',
      pointer: '/spec/minReplicaCount',
      message: /the minimum 12 is above the maximum 10/,
      count: 1,
    },
    {
      name: 'a disruption budget that blocks every eviction at the minimum',
      env: scaled(
        { distributor: { enabled: false } },
        {},
        { mimir: { querier: { pdb: { spec: { minAvailable: add(2), maxUnavailable: DELETE } } } } },
      ),
      path: 'mimir.querier.pdb',
      pointer: '/spec/minAvailable',
      message: /at the autoscaler's minimum of 2 pods this budget allows no eviction/,
      expected: /minAvailable below 2/,
      hint: /minReplicas/,
    },
  ];

  for (const c of cases) it(c.name, () => expectRefused(c));

  it('every autoscaled component builds, with KEDA and with the HPA engine', async () => {
    const all = { queryFrontend: on, ruler: on, rulerQuerier: on, rulerQueryFrontend: on };
    await expectBuilt(scaled(all));
    const cpu = [{ signal: 'cpu', target: 75 }];
    await expectBuilt(
      scaled({
        ...all,
        engine: 'hpa',
        querier: { enabled: true, signals: cpu },
        rulerQuerier: { enabled: true, signals: cpu },
      }),
    );
  });

  it('a budget that lets one pod go at the minimum builds', async () => {
    await expectBuilt(
      scaled(
        { querier: { enabled: true, minReplicas: 3 } },
        {},
        { mimir: { querier: { pdb: { spec: { maxUnavailable: 1 } } } } },
      ),
    );
  });
});

describe('autoscaling: the metric check against an injected list', () => {
  /** The metrics of the scheduler and the distributor, as a running stack lists them (an excerpt). */
  const facts: MetricFacts = {
    queryScheduler: ['cortex_query_scheduler_inflight_requests', 'cortex_query_scheduler_queue_length'],
    distributor: [
      'process_cpu_seconds_total',
      'process_resident_memory_bytes',
      'cortex_distributor_received_samples_total',
    ],
  };

  async function problems(e: Environment) {
    const r = await buildEnvironment(e, source);
    if (!r.built) return r.problems;
    const entries = flatten(r.built.tree);
    return autoscalingRule(facts)({ entries, source, existingSecrets: new Set() });
  }

  it("the library's own queries name only exported metrics", async () => {
    expect(await problems(scaled({}))).toEqual([]);
  });

  it('a query naming a metric its container does not export is refused, with the component named', async () => {
    const found = await problems(
      scaled(
        { distributor: { enabled: false } },
        {},
        querierTrigger({
          query: 'sum(max_over_time(cortex_query_scheduler_inflight_request{container="query-scheduler"}[5m]))',
        }),
      ),
    );
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({
      path: 'mimir.querier.scaledObject',
      pointer: '/spec/triggers/0/metadata/query',
      found: 'cortex_query_scheduler_inflight_request',
      expected: 'a metric of queryScheduler',
    });
    expect(found[0].message).toMatch(/a metric queryScheduler does not export/);
  });

  it('a metric of a container the tree does not run, or without a container matcher, is not knowable and passes', async () => {
    const found = await problems(
      scaled(
        { distributor: { enabled: false } },
        {},
        querierTrigger({ query: 'sum(anything{container="elsewhere"}) + sum(other_metric)' }),
      ),
    );
    expect(found).toEqual([]);
  });
});
