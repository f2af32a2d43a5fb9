import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { Cluster } from './harness/cluster.js';
import { apply, describeCluster, previousOut, servicesWithoutEndpoints, trackFailures, waitSettled } from './support.js';

const previous = previousOut();

/**
 * An upgrade as a user lives it: the committed out/local as it was before its latest change is
 * applied and settles, then this tree's out/local is applied over it. Every apply must be accepted
 * (an immutable field changed — a StatefulSet's claim templates or selector, a Job's template —
 * fails here) and every workload must roll to the new revision.
 */
describeCluster('upgrade from the previous out/local', () => {
  if (!previous) {
    it.skip('(skipped: no git history of out/ here — the upgrade needs the commit before the latest change to out/)', () => undefined);
    return;
  }
  let cluster: Cluster;
  const t = trackFailures();
  beforeAll(async () => {
    cluster = await Cluster.start('upgrade');
  });
  afterAll(async () => {
    await cluster?.stop(t.failed());
    previous.cleanup();
  });

  it(`the previous out/local (${previous.commit.slice(0, 12)}) applies and settles`, async () => {
    const r = await apply(cluster, { kustomize: join(previous.dir, 'local') });
    expect(r.exitCode, r.stderr).toBe(0);
    await waitSettled(cluster, 'mimir');
  });

  it('this out/local applies over it and every workload rolls to the new revision', async () => {
    const before = await cluster.client.list('/apis/apps/v1/namespaces/mimir/statefulsets');
    const r = await apply(cluster, { kustomize: 'out/local' });
    expect(r.stderr).toBe('');
    expect(r.exitCode).toBe(0);
    const { pods } = await waitSettled(cluster, 'mimir');
    // Every pod of a StatefulSet runs its set's current revision, so a changed template did roll.
    const sets = await cluster.client.list('/apis/apps/v1/namespaces/mimir/statefulsets');
    for (const s of sets) {
      const rev = (s.status as { updateRevision?: string }).updateRevision;
      const mine = pods.filter((p) => p.metadata.labels?.['controller-revision-hash'] && p.metadata.ownerReferences?.some((o) => o.kind === 'StatefulSet' && o.name === s.metadata.name));
      for (const p of mine) expect(p.metadata.labels?.['controller-revision-hash'], `${p.metadata.name}`).toBe(rev);
    }
    expect(before.length).toBeGreaterThan(0);
    expect(await servicesWithoutEndpoints(cluster, 'mimir')).toEqual([]);
  });
});
