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

const zones = ['zone-a', 'zone-b', 'zone-c'];
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
      'StatefulSet/ingester',
      'StatefulSet/store-gateway',
    ]);
    expect(req.ingressClasses).toEqual([{ name: 'nginx', users: ['Ingress/gateway'] }]);
  });

  it('knows the ingesters need three labelled nodes (required anti-affinity on the hostname)', () => {
    const ing = req.placements.find((p) => p.workload === 'StatefulSet/ingester');
    expect(ing).toMatchObject({
      replicas: 3,
      nodeSelector: { 'node-pool': 'mimir' },
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
      'no schedulable node is labelled node-pool=mimir (3 needed: required anti-affinity)',
    ]);
    // One Secret, one finding, naming every user (not one line per env var).
    expect(findings[0].fix).toEqual(['kubectl --context prod create namespace mimir']);
    expect(findings[4].users).toEqual(
      expect.arrayContaining(['StatefulSet/ingester', 'Deployment/querier', 'StatefulSet/compactor']),
    );
    expect(findings[4].fix).toEqual([
      'kubectl --context prod -n mimir create secret generic storage-credentials --from-literal=access-key-id=<access-key-id> --from-literal=secret-access-key=<secret-access-key>',
    ]);
    expect(findings[8].users.sort()).toEqual(['StatefulSet/ingester', 'StatefulSet/store-gateway']);
    expect(findings[8].fix[0]).toMatch(/^kubectl --context prod label node <node> node-pool=mimir/);
    expect(formatFindings('production', empty, findings)).toContain('lacks 9 things');
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
      'StatefulSet/ingester needs 3 nodes with distinct kubernetes.io/hostname (required anti-affinity) labelled node-pool=mimir, and 2 qualify: 1 replica would stay Pending',
      'StatefulSet/store-gateway needs 3 nodes with distinct kubernetes.io/hostname (required anti-affinity) labelled node-pool=mimir, and 2 qualify: 1 replica would stay Pending',
    ]);
    const tainted = readyForProduction();
    tainted.nodes = [...general, ...pool.map((n) => ({ ...n, taints: [{ key: 'gpu', effect: 'NoSchedule' }] }))];
    const f = checkCluster(req, allApis(tainted));
    expect(f.map((x) => x.message)).toContain(
      'every node labelled node-pool=mimir has a taint StatefulSet/ingester does not tolerate: gpu:NoSchedule',
    );
    expect(f[0].fix).toContain('kubectl --context prod taint node pool-0 gpu:NoSchedule-');
    // Cordoned nodes do not count.
    const cordoned = readyForProduction();
    cordoned.nodes = cordoned.nodes.map((n) => (n.name === 'pool-2' ? { ...n, unschedulable: true } : n));
    expect(checkCluster(req, allApis(cordoned))).toHaveLength(2);
  });

  it('finds a kind the API server does not serve', () => {
    const s = readyForProduction();
    const f = checkCluster(req, {
      ...allApis(s),
      apis: allApis(s).apis.filter((a) => a !== 'networking.k8s.io/v1 Ingress'),
    });
    expect(f.map((x) => x.message)).toEqual(['the API server does not serve Ingress (networking.k8s.io/v1)']);
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
