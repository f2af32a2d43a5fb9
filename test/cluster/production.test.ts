import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { Cluster, ZONES, waitFor } from './harness/cluster.js';
import {
  apply,
  conditionTrue,
  describeCluster,
  fixCommands,
  installKedaCrds,
  preflight,
  servicesWithoutEndpoints,
  settledBudgets,
  sh,
  trackFailures,
  waitSettled,
} from './support.js';

/**
 * out/production on a real control plane that starts with three general nodes and nothing else the
 * environment needs. Preflight names each missing prerequisite; the manifests are accepted all the
 * same, and the pods that need a missing prerequisite stay Pending. Once the prerequisites exist —
 * created with preflight's own fix commands where they are plain kubectl — preflight finds nothing
 * and every pod schedules.
 */
describeCluster('out/production on a real API server', () => {
  let cluster: Cluster;
  const t = trackFailures();
  const poolNodes = ZONES.map((zone) => ({
    name: `mimir-${zone.slice(-1)}`,
    zone,
    taints: [{ key: 'dedicated', value: 'mimir', effect: 'NoSchedule' as const }],
  }));
  beforeAll(async () => {
    cluster = await Cluster.start('production');
    // KEDA runs in the cluster (production autoscales with it): its CRDs check the ScaledObjects.
    await installKedaCrds(cluster);
  });
  afterAll(async () => {
    await cluster?.stop(t.failed());
  });

  it('preflight finds each missing prerequisite, with its fix (exit 1)', async () => {
    const r = await preflight(cluster, 'environments/production');
    expect(r.code).toBe(1);
    for (const missing of [
      'Namespace mimir does not exist yet, and the Secrets below go into it',
      'Secret mimir/gateway-basic-auth is missing (keys: htpasswd)',
      'Secret mimir/gateway-client-credentials is missing (keys: password, username)',
      'Secret mimir/grafana-admin is missing (keys: admin-password, admin-user)',
      'Secret mimir/storage-credentials is missing (keys: access-key-id, secret-access-key)',
      'StorageClass gp3 does not exist',
      'IngressClass nginx does not exist',
      // Each zone's ingesters and store-gateways need a pool node in their own zone.
      ...ZONES.map((z) => `no schedulable node is labelled node-pool=mimir, topology.kubernetes.io/zone In ${z}`),
    ])
      expect(r.report).toContain(missing);
    // The harness' default StorageClass exists: not reported.
    expect(r.report).not.toContain('no default StorageClass');
    expect(r.report.match(/✖/g)).toHaveLength(10);
  });

  it('is accepted by kubectl apply --server-side with no warning, before its prerequisites exist', async () => {
    const r = await apply(cluster, { kustomize: 'out/production' });
    expect(r.warnings).toEqual([]);
    expect(r.stderr).toBe('');
    expect(r.exitCode).toBe(0);
  });

  it("its ScaledObjects are held to KEDA's own CRD schema by the API server", async () => {
    const names = (await cluster.kubectl(['-n', 'mimir', 'get', 'scaledobjects.keda.sh', '-o', 'name'])).stdout
      .split('\n')
      .filter(Boolean)
      .sort();
    expect(names).toEqual(
      ['distributor', 'querier', 'query-frontend', 'ruler', 'ruler-querier', 'ruler-query-frontend'].map(
        (n) => `scaledobject.keda.sh/${n}`,
      ),
    );
    // The schema is enforced, not merely installed: a count that is not an integer is refused.
    let refused = '';
    try {
      sh(
        cluster,
        `kubectl apply --server-side --dry-run=server -f - <<'EOF'\napiVersion: keda.sh/v1alpha1\nkind: ScaledObject\nmetadata: { name: broken, namespace: mimir }\nspec:\n  scaleTargetRef: { name: querier }\n  minReplicaCount: two\n  triggers: [{ type: cpu, metadata: { value: '80' } }]\nEOF`,
      );
    } catch (err) {
      refused = String((err as { stderr?: string }).stderr ?? err);
    }
    expect(refused).toMatch(/minReplicaCount/);
  });

  it('without its prerequisites, the pods on the Mimir node pool stay Pending', async () => {
    const pending = await waitFor(
      'the ingesters to be reported unschedulable',
      async () => {
        const pods = await cluster.pods('mimir');
        const stuck = pods.filter(
          (p) => p.metadata.labels?.['app.kubernetes.io/component'] === 'ingester' && !p.spec?.nodeName,
        );
        const said = stuck.filter((p) =>
          ((p.status?.conditions as { type: string; reason?: string }[] | undefined) ?? []).some(
            (c) => c.type === 'PodScheduled' && c.reason === 'Unschedulable',
          ),
        );
        return said.length > 0 ? said : undefined;
      },
      120_000,
    );
    expect(pending.length).toBeGreaterThan(0);
  });

  it('after the prerequisites are created, preflight finds nothing (exit 0)', async () => {
    // Secrets: preflight's own commands, placeholders filled in.
    const before = fixCommands((await preflight(cluster, 'environments/production')).report);
    const secretFixes = before.filter((c) => c.includes('create secret generic'));
    expect(secretFixes).toHaveLength(4);
    for (const c of secretFixes) sh(cluster, c.replace(/<([A-Za-z0-9._-]+)>/g, 'test-$1'));
    // A StorageClass and an IngressClass depend on the cluster's drivers and controllers: here, the
    // harness' volume provisioner, and an IngressClass with no controller (no Ingress is served).
    await cluster.createStorageClass('gp3');
    sh(
      cluster,
      `kubectl apply -f - <<'EOF'\napiVersion: networking.k8s.io/v1\nkind: IngressClass\nmetadata: { name: nginx }\nspec: { controller: k8s.io/ingress-nginx }\nEOF`,
    );
    // The node pool: three tainted nodes, labelled with preflight's command.
    await cluster.addNodes(poolNodes);
    const labelFix = fixCommands((await preflight(cluster, 'environments/production')).report);
    expect(labelFix).toHaveLength(ZONES.length);
    // One fix per zone, naming the zone: applied to the pool node of that zone.
    for (const n of poolNodes) {
      const fix = labelFix.find((f) => f.endsWith(`In ${n.zone}`));
      expect(fix, `a label fix for ${n.zone}`).toBeDefined();
      sh(cluster, fix!.replace('<node>', n.name).replace(/#.*$/, ''));
    }

    const after = await preflight(cluster, 'environments/production');
    expect(after.report).toContain('has everything the environment needs');
    expect(after.code).toBe(0);
  });

  it('then every pod schedules (ingesters and store-gateways one per pool node), and every claim binds', async () => {
    const { pods, claims } = await waitSettled(cluster, 'mimir');
    const pool = new Set(poolNodes.map((n) => n.name));
    for (const component of ['ingester', 'store-gateway']) {
      const placed = pods
        .filter((p) => p.metadata.labels?.['app.kubernetes.io/component'] === component)
        .map((p) => p.spec?.nodeName as string);
      expect(placed).toHaveLength(3);
      expect(new Set(placed).size).toBe(3);
      for (const n of placed) expect(pool.has(n), `${component} on ${n}`).toBe(true);
    }
    // Nothing else lands on the tainted pool.
    for (const p of pods.filter((p) => pool.has(p.spec?.nodeName as string)))
      expect(['ingester', 'store-gateway']).toContain(p.metadata.labels?.['app.kubernetes.io/component']);
    expect(pods.every((p) => conditionTrue(p, 'Ready'))).toBe(true);
    expect(claims.map((c) => c.spec?.storageClassName).sort()).toEqual([
      'gp3',
      'gp3',
      'gp3',
      'gp3',
      'gp3',
      'gp3',
      'gp3',
      'standard',
      'standard',
      'standard',
    ]);
  });

  it('every Service gets endpoints', async () => {
    expect(await servicesWithoutEndpoints(cluster, 'mimir')).toEqual([]);
  });

  it('no disruption budget blocks every eviction', async () => {
    const all = await settledBudgets(cluster, 'mimir');
    // Exactly the budgets the output holds: one per zone-aware component over all its zones (never one per
    // zone, which would let a drain take pods of two zones at once), one per cache, one for the operator.
    const rendered = parseAllDocuments(execFileSync('kubectl', ['kustomize', 'out/production'], { encoding: 'utf8' }))
      .map((d) => d.toJS() as { kind?: string; metadata?: { name?: string; namespace?: string } })
      .filter((o) => o?.kind === 'PodDisruptionBudget' && o.metadata?.namespace === 'mimir')
      .map((o) => o.metadata!.name!);
    expect(all.map((b) => b.name).sort()).toEqual(rendered.sort());
    expect(rendered).toEqual(expect.arrayContaining(['ingester', 'store-gateway', 'chunks-cache', 'rollout-operator']));
    expect(rendered.filter((n) => /-zone-/.test(n))).toEqual([]);
    expect(all.filter((b) => b.disruptionsAllowed < 1)).toEqual([]);
  });
});
