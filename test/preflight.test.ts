import { describe, expect, it } from 'vitest';
import {
  checkCluster,
  formatFindings,
  requirementsOf,
  type ClusterState,
  type NodeState,
} from '../lib/build/preflight.js';
import { parseArgs } from '../lib/build/cli.js';
import type { TreeLike } from '../lib/core/k8s/types.js';
import { flatten } from '../lib/core/tree.js';
import { buildDir } from './support/environments.js';

const objectsOf = (tree: TreeLike) => flatten(tree).map((e) => e.object);

// The zone labels environments/production pins its ingester and store-gateway zones to.
const zones = ['eu-west-1a', 'eu-west-1b', 'eu-west-1c'];
const node = (
  name: string,
  zone: string,
  labels: Record<string, string> = {},
  taints: NodeState['taints'] = [],
): NodeState => ({
  name,
  labels: { 'kubernetes.io/hostname': name, 'topology.kubernetes.io/zone': zone, ...labels },
  taints,
  unschedulable: false,
});
const general = zones.map((z, i) => node(`general-${i}`, z));
const pool = zones.map((z, i) =>
  node(`pool-${i}`, z, { 'node-pool': 'mimir' }, [{ key: 'dedicated', value: 'mimir', effect: 'NoSchedule' }]),
);

/** Everything production asks for, written out by hand from environments/production/main.ts. */
function readyForProduction(): ClusterState {
  return {
    context: 'prod',
    namespaces: ['default', 'mimir'],
    secrets: {
      mimir: {
        'storage-credentials': ['access-key-id', 'secret-access-key'],
        'grafana-admin': ['admin-password', 'admin-user'],
        'gateway-basic-auth': ['htpasswd'],
        'gateway-client-credentials': ['password', 'username'],
      },
    },
    storageClasses: [{ name: 'gp3', isDefault: true }],
    ingressClasses: ['nginx'],
    nodes: [...general, ...pool],
    apis: [],
  };
}

describe('preflight requirements (pure, over the rendered production tree)', async () => {
  const prod = await buildDir('environments/production');
  const local = await buildDir('environments/local');
  const req = requirementsOf(objectsOf(prod.tree));
  const allApis = (s: ClusterState) => ({ ...s, apis: req.apis.map((a) => `${a.apiVersion} ${a.kind}`) });

  it('lists the Secrets the cluster must provide, with their keys, and none the environment renders', () => {
    expect(req.secrets.map((s) => [s.name, s.keys])).toEqual([
      ['gateway-basic-auth', ['htpasswd']], // from nginx.conf's auth_basic_user_file under the mount
      ['gateway-client-credentials', ['password', 'username']],
      ['grafana-admin', ['admin-password', 'admin-user']],
      ['storage-credentials', ['access-key-id', 'secret-access-key']],
    ]);
    // local renders its Secrets itself: nothing to provide.
    expect(requirementsOf(objectsOf(local.tree)).secrets).toEqual([]);
  });

  it('lists StorageClasses by name and the default class for claims without one, and the IngressClass', () => {
    expect(req.storageClasses.map((s) => s.name)).toEqual([undefined, 'gp3']);
    expect(req.storageClasses.find((s) => s.name === 'gp3')?.users.sort()).toEqual([
      'StatefulSet/compactor',
      'StatefulSet/ingester-zone-a',
      'StatefulSet/ingester-zone-b',
      'StatefulSet/ingester-zone-c',
      'StatefulSet/store-gateway-zone-a',
      'StatefulSet/store-gateway-zone-b',
      'StatefulSet/store-gateway-zone-c',
    ]);
    expect(req.ingressClasses).toEqual([{ name: 'nginx', users: ['Ingress/gateway'] }]);
  });

  it("knows each zone's ingesters need a labelled node in their zone (node affinity, anti-affinity on the hostname)", () => {
    const ing = req.placements.find((p) => p.workload === 'StatefulSet/ingester-zone-b');
    expect(ing).toMatchObject({
      replicas: 1,
      nodeSelector: { 'node-pool': 'mimir' },
      nodeAffinity: [[{ key: 'topology.kubernetes.io/zone', operator: 'In', values: ['eu-west-1b'] }]],
      spreadKeys: ['kubernetes.io/hostname'],
    });
  });

  it('finds nothing on a cluster that has everything', () => {
    expect(checkCluster(req, allApis(readyForProduction()))).toEqual([]);
  });

  it('finds each missing prerequisite, grouped by cause, with a fix command', () => {
    const empty: ClusterState = {
      context: 'prod',
      namespaces: ['default'],
      secrets: {},
      storageClasses: [],
      ingressClasses: [],
      nodes: general,
      apis: [],
    };
    const findings = checkCluster(req, allApis(empty));
    const messages = findings.map((f) => f.message);
    expect(messages).toEqual([
      'Namespace mimir does not exist yet, and the Secrets below go into it',
      'Secret mimir/gateway-basic-auth is missing (keys: htpasswd)',
      'Secret mimir/gateway-client-credentials is missing (keys: password, username)',
      'Secret mimir/grafana-admin is missing (keys: admin-password, admin-user)',
      'Secret mimir/storage-credentials is missing (keys: access-key-id, secret-access-key)',
      'no default StorageClass: claims without storageClassName stay Pending',
      'StorageClass gp3 does not exist: its claims stay Pending',
      'IngressClass nginx does not exist: no controller will serve the Ingress',
      // One finding per zone: each zone's pods need a pool node in their own zone.
      'no schedulable node is labelled node-pool=mimir, topology.kubernetes.io/zone In eu-west-1a',
      'no schedulable node is labelled node-pool=mimir, topology.kubernetes.io/zone In eu-west-1b',
      'no schedulable node is labelled node-pool=mimir, topology.kubernetes.io/zone In eu-west-1c',
    ]);
    // One Secret, one finding, naming every user (not one line per env var).
    expect(findings[0].fix).toEqual(['kubectl --context prod create namespace mimir']);
    expect(findings[4].users).toEqual(
      expect.arrayContaining(['StatefulSet/ingester-zone-a', 'Deployment/querier', 'StatefulSet/compactor']),
    );
    expect(findings[4].fix).toEqual([
      'kubectl --context prod -n mimir create secret generic storage-credentials --from-literal=access-key-id=<access-key-id> --from-literal=secret-access-key=<secret-access-key>',
    ]);
    expect(findings[8].users.sort()).toEqual(['StatefulSet/ingester-zone-a', 'StatefulSet/store-gateway-zone-a']);
    expect(findings[8].fix).toEqual([
      'kubectl --context prod label node <node> node-pool=mimir   # on a node with topology.kubernetes.io/zone In eu-west-1a',
    ]);
    expect(formatFindings('production', empty, findings)).toContain('lacks 11 things');
    // Once the Namespace exists (the Secrets are still missing), it is no longer reported.
    expect(
      checkCluster(req, allApis({ ...empty, namespaces: ['default', 'mimir'] })).map((f) => f.message),
    ).not.toContain(messages[0]);
  });

  it('finds a Secret without the key a workload reads', () => {
    const s = readyForProduction();
    s.secrets.mimir['storage-credentials'] = ['access-key-id'];
    const f = checkCluster(req, allApis(s));
    expect(f.map((x) => x.message)).toEqual([
      'Secret mimir/storage-credentials lacks key secret-access-key (it has: access-key-id)',
    ]);
    expect(f[0].fix[0]).toContain(
      `patch secret storage-credentials --type merge -p '{"stringData":{"secret-access-key":"<secret-access-key>"}}'`,
    );
  });

  it('finds too few nodes for required anti-affinity, and a taint the workload does not tolerate', () => {
    const s = readyForProduction();
    s.nodes = [...general, ...pool.slice(0, 2)];
    expect(checkCluster(req, allApis(s)).map((x) => x.message)).toEqual([
      'no schedulable node is labelled node-pool=mimir, topology.kubernetes.io/zone In eu-west-1c',
    ]);
    // Two ingesters in zone a, which has one pool node.
    const twoInZoneA = {
      ...req,
      placements: req.placements.map((p) => (p.workload === 'StatefulSet/ingester-zone-a' ? { ...p, replicas: 2 } : p)),
    };
    expect(checkCluster(twoInZoneA, allApis(readyForProduction())).map((x) => x.message)).toEqual([
      'StatefulSet/ingester-zone-a needs 2 nodes with distinct kubernetes.io/hostname (required anti-affinity) labelled node-pool=mimir, topology.kubernetes.io/zone In eu-west-1a, and 1 qualify: 1 replica would stay Pending',
    ]);
    const tainted = readyForProduction();
    tainted.nodes = [...general, ...pool.map((n) => ({ ...n, taints: [{ key: 'gpu', effect: 'NoSchedule' }] }))];
    const f = checkCluster(req, allApis(tainted));
    expect(f.map((x) => x.message)).toContain(
      'every node labelled node-pool=mimir, topology.kubernetes.io/zone In eu-west-1a has a taint StatefulSet/ingester-zone-a does not tolerate: gpu:NoSchedule',
    );
    expect(f[0].fix).toContain('kubectl --context prod taint node pool-0 gpu:NoSchedule-');
    // Cordoned nodes do not count.
    const cordoned = readyForProduction();
    cordoned.nodes = cordoned.nodes.map((n) => (n.name === 'pool-2' ? { ...n, unschedulable: true } : n));
    expect(checkCluster(req, allApis(cordoned)).map((x) => x.message)).toEqual([
      'no schedulable node is labelled node-pool=mimir, topology.kubernetes.io/zone In eu-west-1c',
    ]);
  });

  it('finds a kind the API server does not serve', () => {
    const s = readyForProduction();
    const f = checkCluster(req, {
      ...allApis(s),
      apis: allApis(s).apis.filter((a) => a !== 'networking.k8s.io/v1 Ingress'),
    });
    expect(f.map((x) => x.message)).toEqual(['the API server does not serve Ingress (networking.k8s.io/v1)']);
  });

  it('finds KEDA missing, once for every ScaledObject, and says how to install it or scale without it', () => {
    const s = readyForProduction();
    const f = checkCluster(req, {
      ...allApis(s),
      apis: allApis(s).apis.filter((a) => a !== 'keda.sh/v1alpha1 ScaledObject'),
    });
    expect(f.map((x) => x.message)).toEqual(['the API server does not serve ScaledObject (keda.sh/v1alpha1)']);
    expect(f[0].users).toHaveLength(6);
    expect(f[0].fix.join('\n')).toMatch(/install KEDA .*\n.*engine: 'hpa'/);
  });
});

describe('preflight command line', () => {
  it('takes --preflight with --context and --kubeconfig, and refuses those two without it', () => {
    expect(
      parseArgs(['environments/production', '--preflight', '--context', 'prod', '--kubeconfig', '/k']),
    ).toMatchObject({ preflight: { context: 'prod', kubeconfig: '/k' } });
    expect(parseArgs(['environments/production', '--preflight'])).toMatchObject({ preflight: {} });
    expect(parseArgs(['environments/production', '--context', 'prod'])).toMatchObject({
      error: expect.stringContaining('--context and --kubeconfig go with --preflight'),
    });
  });
});
