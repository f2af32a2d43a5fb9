/**
 * Autoscaling as rendered: KEDA ScaledObjects (or HPAs) beside the Deployments they own, which carry no
 * replica count; the jsonnet library's signals, read from the stack's own Mimir for the metrics tenant;
 * production scaling its stateless components with KEDA.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parser } from '@prometheus-io/lezer-promql';
import type { Environment } from '../lib/build/environment.js';
import { buildEnvironment } from '../lib/build/pipeline.js';
import { formatProblems } from '../lib/core/problems.js';
import type { HorizontalPodAutoscaler, ScaledObject } from '../lib/core/k8s/types.js';
import { flatten } from '../lib/core/tree.js';
import {
  autoscaledComponents,
  defaultAutoscalingConfig,
  querierMaxConcurrentDefault,
} from '../lib/mimir/autoscaling/index.js';
import { selectedMetrics } from '../lib/mimir/autoscaling/promql.js';
import { buildDir } from './support/environments.js';
import { env, source } from './support/bad-input.js';

const on = { enabled: true };
const everyComponent = Object.fromEntries(autoscaledComponents.map((k) => [k, on]));
const readPath = { ruler: { mode: 'remote', dedicatedReadPath: true } };

async function built(e: Environment) {
  const r = await buildEnvironment(e, source);
  expect(r.problems.map((p) => formatProblems([p])).join('\n')).toBe('');
  return r.built!;
}

type Parts = Record<
  string,
  { deployment: { spec?: { replicas?: number } }; scaledObject?: ScaledObject } & Record<string, unknown>
>;

describe('autoscaling', () => {
  it('is off by default: every Deployment keeps its replicas and no autoscaler renders', async () => {
    expect(autoscaledComponents.every((k) => !defaultAutoscalingConfig()[k].enabled)).toBe(true);
    const b = await built(env({ mimir: readPath }));
    const kinds = flatten(b.tree).map((e) => e.object.kind);
    expect(kinds).not.toContain('ScaledObject');
    expect(kinds).not.toContain('HorizontalPodAutoscaler');
    const m = b.tree.mimir as unknown as Parts;
    for (const k of autoscaledComponents) expect(m[k].deployment.spec?.replicas, k).toBeGreaterThan(0);
  });

  it('KEDA: one ScaledObject per component, named and targeting its Deployment, which carries no replicas', async () => {
    const b = await built(env({ mimir: { ...readPath, autoscaling: everyComponent } }));
    const m = b.tree.mimir as unknown as Parts;
    for (const k of autoscaledComponents) {
      const so = m[k].scaledObject!;
      const name = (m[k].deployment as { metadata?: { name?: string } }).metadata?.name;
      expect(so.kind, k).toBe('ScaledObject');
      expect(so.metadata?.name).toBe(name);
      expect(so.spec.scaleTargetRef).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name });
      expect([so.spec.minReplicaCount, so.spec.maxReplicaCount]).toEqual([2, 10]);
      expect(m[k].deployment.spec).not.toHaveProperty('replicas');
      expect(m[k]).not.toHaveProperty('horizontalPodAutoscaler');
      for (const t of so.spec.triggers) {
        expect(t.type).toBe('prometheus');
        // The stack's own query-frontend, for the metrics tenant.
        expect(t.metadata.serverAddress).toBe('http://query-frontend.mimir.svc.cluster.local:8080/prometheus');
        expect(t.metadata.customHeaders).toBe('X-Scope-OrgID=meta');
        expect(t.metadata.threshold).toMatch(/^[1-9]\d*$/);
        // Prometheus' own grammar reads every query without an error node.
        let error = false;
        parser.parse(t.metadata.query!).iterate({ enter: (n) => void (n.type.isError && (error = true)) });
        expect(error, t.metadata.query).toBe(false);
      }
    }
    // Scale-down as the jsonnet library: 10 % per minute after five minutes; rulers every ten minutes.
    expect(m.distributor.scaledObject!.spec.advanced?.horizontalPodAutoscalerConfig?.behavior).toEqual({
      scaleDown: { stabilizationWindowSeconds: 300, policies: [{ type: 'Percent', value: 10, periodSeconds: 60 }] },
    });
    expect(m.ruler.scaledObject!.spec.advanced?.horizontalPodAutoscalerConfig?.behavior?.scaleDown?.policies).toEqual([
      { type: 'Percent', value: 10, periodSeconds: 600 },
    ]);
  });

  it('scales each component on its signal: CPU and memory against the request, queriers on their scheduler’s queue', async () => {
    const b = await built(
      env({
        mimir: {
          ...readPath,
          distributor: { resources: { requests: { cpu: '1500m', memory: '2Gi' } } },
          ruler: { ...readPath.ruler, readPath: { querier: { flags: { 'querier.max-concurrent': 8 } } } },
          autoscaling: { ...everyComponent, queryFrontend: { enabled: true } },
        },
      }),
    );
    const m = b.tree.mimir as unknown as Parts;
    const triggers = (k: string) =>
      m[k].scaledObject!.spec.triggers.map((t) => ({
        name: t.name,
        metrics: selectedMetrics(t.metadata.query!).metrics.map((x) => `${x.name}{container=${x.labels.container}}`),
        threshold: t.metadata.threshold,
      }));
    expect(triggers('distributor')).toEqual([
      {
        name: 'distributor-cpu',
        metrics: ['process_cpu_seconds_total{container=distributor}', 'up{container=distributor}'],
        threshold: '1500', // millicores at 100 % of the request
      },
      {
        name: 'distributor-memory',
        metrics: ['process_resident_memory_bytes{container=distributor}', 'up{container=distributor}'],
        threshold: String(2 * 2 ** 30),
      },
    ]);
    // 75 % of the default request of 250m CPU.
    expect(triggers('queryFrontend')[0].threshold).toBe('187');
    expect(triggers('querier')).toEqual([
      {
        name: 'querier-inflightqueries',
        metrics: ['cortex_query_scheduler_inflight_requests{container=query-scheduler}'],
        threshold: String(Math.floor(querierMaxConcurrentDefault * 0.75)),
      },
    ]);
    // The ruler's querier takes its queue from the ruler's own scheduler, and its own concurrency.
    expect(triggers('rulerQuerier')).toEqual([
      {
        name: 'ruler-querier-inflightqueries',
        metrics: ['cortex_query_scheduler_inflight_requests{container=ruler-query-scheduler}'],
        threshold: '6',
      },
    ]);
  });

  it("the querier's default concurrency is Mimir 3.0's -querier.max-concurrent", () => {
    const defaults = JSON.parse(readFileSync('lib/mimir/reference/mimir-3.0.defaults.json', 'utf8')) as Record<
      string,
      [string, unknown]
    >;
    expect(defaults['querier.max-concurrent']).toEqual(['querier.max_concurrent', querierMaxConcurrentDefault]);
  });

  it('follows the metrics tenant, the address and the polling interval of the config', async () => {
    const b = await built(
      env({
        mimir: {
          autoscaling: {
            metricsTenant: 'ops',
            pollingInterval: 30,
            prometheusAddress: 'http://gateway.mimir.svc.cluster.local:8080/prometheus',
            querier: on,
          },
        },
      }),
    );
    const so = (b.tree.mimir as unknown as Parts).querier.scaledObject!;
    expect(so.spec.pollingInterval).toBe(30);
    expect(so.spec.triggers[0].metadata).toMatchObject({
      serverAddress: 'http://gateway.mimir.svc.cluster.local:8080/prometheus',
      customHeaders: 'X-Scope-OrgID=ops',
    });
  });

  it('HPA engine: autoscaling/v2 on cpu and memory utilisation, with the configured behaviour, no replicas', async () => {
    const scaleUp = { stabilizationWindowSeconds: 0, policies: [{ type: 'Pods', value: 4, periodSeconds: 15 }] };
    const b = await built(
      env({
        mimir: {
          autoscaling: {
            engine: 'hpa',
            distributor: { enabled: true, minReplicas: 3, maxReplicas: 12, scaleUp },
          },
        },
      }),
    );
    const m = b.tree.mimir as unknown as Record<string, Record<string, unknown>>;
    const hpa = m.distributor.horizontalPodAutoscaler as HorizontalPodAutoscaler;
    expect(m.distributor).not.toHaveProperty('scaledObject');
    expect((m.distributor.deployment as { spec: object }).spec).not.toHaveProperty('replicas');
    expect(hpa.spec).toEqual({
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'distributor' },
      minReplicas: 3,
      maxReplicas: 12,
      metrics: [
        { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 100 } } },
        { type: 'Resource', resource: { name: 'memory', target: { type: 'Utilization', averageUtilization: 100 } } },
      ],
      behavior: {
        scaleDown: { stabilizationWindowSeconds: 300, policies: [{ type: 'Percent', value: 10, periodSeconds: 60 }] },
        scaleUp,
      },
    });
  });

  it('production scales its stateless components with KEDA; out/ holds no replicas for them', async () => {
    const b = await buildDir('environments/production');
    const m = b.tree.mimir as unknown as Parts;
    for (const k of autoscaledComponents) {
      expect(m[k].scaledObject?.kind, k).toBe('ScaledObject');
      expect(m[k].deployment.spec, k).not.toHaveProperty('replicas');
    }
    // The committed overlay removes the base's count rather than replacing it.
    const patch = readFileSync('out/production/patches/mimir/distributor/deployment-distributor.yaml', 'utf8');
    expect(patch).toMatch(/- op: remove\n {2}path: \/spec\/replicas\n/);
    const readPathDeployment = readFileSync(
      'out/production/resources/mimir/rulerQuerier/deployment-ruler-querier.yaml',
      'utf8',
    );
    expect(readPathDeployment).not.toMatch(/replicas:/);
  });
});
