import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { Cluster, type ZONES, type NodeSpec } from './harness/cluster.js';
import {
  apply,
  describeCluster,
  previousOut,
  satisfyPreflight,
  installKedaCrds,
  servicesWithoutEndpoints,
  trackFailures,
  waitSettled,
} from './support.js';

/**
 * An upgrade as a user lives it, per environment: out/<env> as it was before its latest change
 * (previousOut) is applied to a cluster that has the environment's prerequisites and settles, then
 * this tree's out/<env> is applied over it. Every apply must be accepted (a changed immutable field —
 * a StatefulSet's claim templates or selector, a Job's template — fails here) and every workload must
 * roll to its new revision.
 */
/** Names of the StatefulSets an output renders. */
function statefulSets(dir: string): Set<string> {
  const docs = parseAllDocuments(execFileSync('kubectl', ['kustomize', dir], { encoding: 'utf8' }));
  return new Set(
    docs
      .map((d) => d.toJS() as { kind?: string; metadata?: { name?: string } })
      .filter((o) => o?.kind === 'StatefulSet')
      .map((o) => o.metadata?.name ?? ''),
  );
}

for (const env of ['local', 'production']) {
  const previous = previousOut(env);
  describeCluster(`upgrade of out/${env} from its previous version`, () => {
    if (!previous) {
      it.skip(`(skipped: no earlier out/${env} in this clone's git history — nothing to upgrade from)`, () =>
        undefined);
      return;
    }
    let cluster: Cluster;
    const t = trackFailures();
    beforeAll(async () => {
      cluster = await Cluster.start(`upgrade-${env}`);
      await installKedaCrds(cluster);
      await satisfyPreflight(cluster, `environments/${env}`);
    });
    afterAll(async () => {
      await cluster?.stop(t.failed());
      previous.cleanup();
    });

    it(`the previous out/${env} (${previous.commit.slice(0, 12)}) applies and settles`, async () => {
      const r = await apply(cluster, { kustomize: join(previous.dir, env) });
      expect(r.exitCode, r.stderr).toBe(0);
      await waitSettled(cluster, 'mimir');
    });

    it(`this out/${env} applies over it and every workload rolls to its new revision`, async () => {
      // A move to zones replaces StatefulSets (ingester → ingester-zone-a…): README's path runs both sets
      // side by side, so the pool gets a second node per zone first, and the old sets are removed once the
      // new pods run (kwok's pods hold no data to flush).
      const retired = [...statefulSets(join(previous.dir, env))].filter((n) => !statefulSets(`out/${env}`).has(n));
      if (retired.length) {
        const pool = (
          await cluster.client.list<{
            metadata: { name: string; labels?: Record<string, string> };
            spec?: { taints?: NodeSpec['taints'] };
          }>('/api/v1/nodes')
        ).filter((n) => n.metadata.labels?.['node-pool']);
        await cluster.addNodes(
          pool.map((n) => ({
            name: `${n.metadata.name}-move`,
            zone: n.metadata.labels!['topology.kubernetes.io/zone'] as (typeof ZONES)[number],
            labels: { 'node-pool': n.metadata.labels!['node-pool'] },
            taints: n.spec?.taints,
          })),
        );
      }
      const r = await apply(cluster, { kustomize: `out/${env}` });
      expect(r.stderr).toBe('');
      expect(r.exitCode).toBe(0);
      if (retired.length) {
        await waitSettled(cluster, 'mimir');
        for (const name of retired) await cluster.client.delete(`/apis/apps/v1/namespaces/mimir/statefulsets/${name}`);
      }
      const { pods } = await waitSettled(cluster, 'mimir');
      const sets = await cluster.client.list('/apis/apps/v1/namespaces/mimir/statefulsets');
      expect(sets.length).toBeGreaterThan(0);
      for (const s of sets) {
        const rev = (s.status as { updateRevision?: string }).updateRevision;
        const mine = pods.filter((p) =>
          p.metadata.ownerReferences?.some((o) => o.kind === 'StatefulSet' && o.name === s.metadata.name),
        );
        expect(mine.length, s.metadata.name).toBeGreaterThan(0);
        for (const p of mine) expect(p.metadata.labels?.['controller-revision-hash'], p.metadata.name).toBe(rev);
      }
      expect(await servicesWithoutEndpoints(cluster, 'mimir')).toEqual([]);
    });
  });
}
