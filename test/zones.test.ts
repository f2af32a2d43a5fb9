/**
 * Zone-aware replication as rendered: one StatefulSet per zone with the zone's flag, the rollout-operator's
 * label and annotation, OnDelete, node affinity; the Services and the budget; Mimir's rings told about
 * zones; the rollout-operator itself. Every environment goes through the whole build (all checks).
 */
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { KubeObject, PodDisruptionBudget, Service, StatefulSet } from '../lib/core/k8s/types.js';
import type { BuiltEnvironment } from '../lib/build/pipeline.js';
import { flatten } from '../lib/core/tree.js';
import { env, expectBuilt } from './support/bad-input.js';
import { buildDir } from './support/environments.js';

const zones = ['zone-a', 'zone-b', 'zone-c'];

function zonedEnv(mimir: object = {}, zoneAwareness: object = {}) {
  return env({
    mimir: {
      zoneAwareness: {
        zones: zones.map((name) => ({ name, topologyValue: `eu-west-1${name.slice(-1)}` })),
        ...zoneAwareness,
      },
      ingester: { replicas: 6 },
      storeGateway: { replicas: 3 },
      ...mimir,
    },
  });
}

function objects(built: BuiltEnvironment): KubeObject[] {
  return flatten(built.tree).map((e) => e.object);
}

function named<T>(built: BuiltEnvironment, kind: string, name: string): T {
  const o = objects(built).find((x) => x.kind === kind && x.metadata?.name === name);
  if (!o) throw new Error(`no ${kind} ${name}`);
  return o as T;
}

function mimirYaml(built: BuiltEnvironment): Record<string, Record<string, Record<string, unknown>>> {
  const cm = built.tree.mimir.config.configMap;
  return parse(cm.data!['mimir.yaml']) as Record<string, Record<string, Record<string, unknown>>>;
}

describe('zone-aware replication', () => {
  it('without zones nothing changes: one StatefulSet per component, no rollout-operator, no zone settings', async () => {
    const built = await expectBuilt(env());
    expect(Object.keys(built.tree.mimir.ingester).sort()).toEqual(['pdb', 'service', 'statefulSet']);
    expect(built.tree.mimir.rolloutOperator).toBeUndefined();
    expect(JSON.stringify(mimirYaml(built))).not.toContain('zone');
    expect(objects(built).some((o) => o.metadata?.labels?.['rollout-group'])).toBe(false);
  });

  it('renders one StatefulSet per zone with its flag, the rollout group, OnDelete and node affinity', async () => {
    const built = await expectBuilt(zonedEnv({}, { topologyKey: 'example.com/rack', maxUnavailable: 2 }));
    expect(Object.keys(built.tree.mimir.ingester).sort()).toEqual([
      'pdb',
      'service',
      'service-zone-a',
      'service-zone-b',
      'service-zone-c',
      'statefulSet-zone-a',
      'statefulSet-zone-b',
      'statefulSet-zone-c',
    ]);
    for (const [component, flag, replicas] of [
      ['ingester', 'ingester.ring', 2],
      ['store-gateway', 'store-gateway.sharding-ring', 1],
    ] as const) {
      for (const zone of zones) {
        const name = `${component}-${zone}`;
        const s = named<StatefulSet>(built, 'StatefulSet', name);
        expect(s.spec!.replicas).toBe(replicas);
        expect(s.spec!.updateStrategy).toEqual({ type: 'OnDelete' });
        expect(s.spec!.serviceName).toBe(name);
        expect(s.metadata!.labels!['rollout-group']).toBe(component);
        expect(s.metadata!.annotations!['rollout-max-unavailable']).toBe('2');
        const podLabels = s.spec!.template.metadata!.labels!;
        // The zone as a pod label: Alloy turns it into the `zone` label of the pod's series.
        expect(podLabels).toMatchObject({ name, 'rollout-group': component, 'mimir-kube.dev/zone': zone });
        expect(s.spec!.selector.matchLabels).toMatchObject({ name });
        const args = s.spec!.template.spec!.containers[0].args!;
        expect(args).toContain(`-${flag}.instance-availability-zone=${zone}`);
        expect(s.spec!.template.spec!.affinity!.nodeAffinity).toEqual({
          requiredDuringSchedulingIgnoredDuringExecution: {
            nodeSelectorTerms: [
              {
                matchExpressions: [{ key: 'example.com/rack', operator: 'In', values: [`eu-west-1${zone.slice(-1)}`] }],
              },
            ],
          },
        });
        const headless = named<Service>(built, 'Service', name);
        expect(headless.spec!.clusterIP).toBe('None');
        expect(headless.spec!.selector).toEqual(s.spec!.selector.matchLabels);
      }
      // The shared Service (what queriers, rulers and the gateway address) selects every zone's pods.
      const shared = named<Service>(built, 'Service', component);
      expect(shared.spec!.selector).not.toHaveProperty('name');
      for (const zone of zones) {
        const pod = named<StatefulSet>(built, 'StatefulSet', `${component}-${zone}`).spec!.template.metadata!.labels!;
        expect(Object.entries(shared.spec!.selector!).every(([k, v]) => pod[k] === v)).toBe(true);
      }
      // One budget over the whole group: a node drain never takes pods of two zones at once.
      const pdb = named<PodDisruptionBudget>(built, 'PodDisruptionBudget', component);
      expect(pdb.spec).toEqual({
        maxUnavailable: 1,
        selector: { matchLabels: { ...shared.spec!.selector, 'rollout-group': component } },
      });
    }
    expect(objects(built).some((o) => o.kind === 'StatefulSet' && o.metadata?.name === 'ingester')).toBe(false);
  });

  it("tells every ring client about zones in mimir.yaml; the alertmanager's ring only when it opts in", async () => {
    const plain = mimirYaml(await expectBuilt(zonedEnv()));
    expect(plain.ingester.ring.zone_awareness_enabled).toBe(true);
    expect(plain.store_gateway.sharding_ring.zone_awareness_enabled).toBe(true);
    expect(plain.alertmanager.sharding_ring).not.toHaveProperty('zone_awareness_enabled');

    const built = await expectBuilt(zonedEnv({ alertmanager: { zoneAware: true, replicas: 3 } }));
    expect(mimirYaml(built).alertmanager.sharding_ring.zone_awareness_enabled).toBe(true);
    const am = named<StatefulSet>(built, 'StatefulSet', 'alertmanager-zone-b');
    expect(am.spec!.template.spec!.containers[0].args).toContain(
      '-alertmanager.sharding-ring.instance-availability-zone=zone-b',
    );
  });

  it('a component set zoneAware: false keeps one StatefulSet while the others split', async () => {
    const built = await expectBuilt(zonedEnv({ storeGateway: { zoneAware: false, replicas: 3 } }));
    expect(Object.keys(built.tree.mimir.storeGateway).sort()).toEqual(['pdb', 'service', 'statefulSet']);
    expect(mimirYaml(built).store_gateway.sharding_ring).not.toHaveProperty('zone_awareness_enabled');
    expect(Object.keys(built.tree.mimir.ingester)).toContain('statefulSet-zone-a');
  });

  it('runs the rollout-operator with a namespaced Role, restricted, with requests; off on request', async () => {
    const built = await expectBuilt(zonedEnv());
    const ro = built.tree.mimir.rolloutOperator!;
    const pod = ro.deployment.spec!.template.spec!;
    expect(pod.serviceAccountName).toBe('rollout-operator');
    expect(pod.automountServiceAccountToken).toBe(true);
    expect(pod.containers[0].image).toBe('grafana/rollout-operator:v0.28.0');
    expect(pod.containers[0].args).toEqual(['-kubernetes.namespace=mimir']);
    expect(pod.containers[0].resources!.requests).toEqual({ cpu: '100m', memory: '100Mi' });
    expect(ro.deployment.spec!.strategy).toEqual({
      type: 'RollingUpdate',
      rollingUpdate: { maxSurge: 0, maxUnavailable: 1 },
    });
    expect(ro.role.rules).toContainEqual({
      apiGroups: [''],
      resources: ['pods'],
      verbs: ['list', 'get', 'watch', 'delete'],
    });
    expect(ro.role.rules).toContainEqual({
      apiGroups: ['apps'],
      resources: ['statefulsets'],
      verbs: ['list', 'get', 'watch', 'patch'],
    });
    expect(ro.roleBinding.roleRef).toEqual({
      apiGroup: 'rbac.authorization.k8s.io',
      kind: 'Role',
      name: 'rollout-operator',
    });
    // Nothing cluster-scoped: the webhooks are not rendered (see lib/mimir/rollout-operator).
    expect(objects(built).filter((o) => /Cluster|Webhook/.test(o.kind))).toEqual([]);

    const off = await expectBuilt(zonedEnv({ rolloutOperator: { enabled: false } }));
    expect(off.tree.mimir.rolloutOperator).toBeUndefined();
  });
});

describe('the environments', () => {
  it('production renders three zones of ingesters and store-gateways and the rollout-operator', async () => {
    const { tree } = await buildDir('environments/production');
    for (const component of ['ingester', 'storeGateway'] as const)
      expect(Object.keys(tree.mimir[component]).filter((k) => k.startsWith('statefulSet-'))).toEqual([
        'statefulSet-zone-a',
        'statefulSet-zone-b',
        'statefulSet-zone-c',
      ]);
    expect(tree.mimir.rolloutOperator?.deployment).toBeDefined();
  });

  it('local-ha: three zones, replication factor 3, within 3 CPU and 6 GiB of requests', async () => {
    const built = await buildDir('environments/local-ha');
    const { totalRequests } = await import('../lib/build/summary.js');
    const total = totalRequests(built.tree);
    expect(total.cpu).toBeLessThanOrEqual(3);
    expect(total.memoryBytes).toBeLessThanOrEqual(6 * 2 ** 30);
    expect(mimirYaml(built).ingester.ring).toMatchObject({ replication_factor: 3, zone_awareness_enabled: true });
    for (const zone of zones)
      expect(named<StatefulSet>(built, 'StatefulSet', `ingester-${zone}`).spec!.replicas).toBe(1);
  });
});
