import { describe, expect, it } from 'vitest';
import { SYNC_OPTIONS, syncOptionProblems, withSyncOptions } from '../lib/build/sync-options.js';
import type { KubeObject } from '../lib/core/k8s/types.js';
import { flatten } from '../lib/core/tree.js';
import { buildDir, environmentDirs } from './support/environments.js';

const sts = (annotations?: Record<string, string>, claims = true): KubeObject => ({
  apiVersion: 'apps/v1',
  kind: 'StatefulSet',
  metadata: { name: 'ingester', namespace: 'mimir', ...(annotations ? { annotations } : {}) },
  spec: { volumeClaimTemplates: claims ? [{ metadata: { name: 'data' } }] : [] },
});

describe('Argo CD sync options from the classification', () => {
  for (const dir of environmentDirs) {
    it(`${dir}: Prune=false on every StatefulSet with claims, Replace=true only on Jobs`, async () => {
      const entries = flatten((await buildDir(dir)).tree);
      for (const { object: o } of entries) {
        const opts = o.metadata?.annotations?.[SYNC_OPTIONS] ?? '';
        const claims = (o.spec as { volumeClaimTemplates?: unknown[] } | undefined)?.volumeClaimTemplates?.length ?? 0;
        if (o.kind === 'StatefulSet' && claims > 0) expect(opts.split(','), o.metadata?.name).toContain('Prune=false');
        if (o.kind !== 'Job') expect(opts, `${o.kind}/${o.metadata?.name}`).not.toMatch(/Replace=true|Force=true/);
      }
      expect(syncOptionProblems(entries, dir)).toEqual([]);
    });
  }

  it('keeps other options and an explicit Prune choice; leaves a StatefulSet without claims alone', () => {
    expect(withSyncOptions(sts({ [SYNC_OPTIONS]: 'ServerSideApply=true' })).metadata?.annotations).toEqual({
      [SYNC_OPTIONS]: 'ServerSideApply=true,Prune=false',
    });
    const explicit = sts({ [SYNC_OPTIONS]: 'Prune=confirm' });
    expect(withSyncOptions(explicit)).toBe(explicit);
    const stateless = sts(undefined, false);
    expect(withSyncOptions(stateless)).toBe(stateless);
  });

  it('refuses Replace/Force on anything but a Job, and Prune=true on a data holder', () => {
    const entry = (object: KubeObject) => ({ group: 'mimir', component: 'ingester', key: 'statefulSet', object });
    const problems = syncOptionProblems(
      [entry(sts({ [SYNC_OPTIONS]: 'Force=true,Replace=true' })), entry(sts({ [SYNC_OPTIONS]: 'Prune=true' }))],
      'env',
    );
    expect(problems.map((p) => p.message)).toEqual([
      'StatefulSet ingester has sync option Force=true,Replace=true: Argo CD would delete and recreate it on every change',
      'StatefulSet ingester holds data but lets Argo CD prune it',
    ]);
    const job = {
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: { name: 'j', annotations: { [SYNC_OPTIONS]: 'Replace=true' } },
    };
    expect(syncOptionProblems([entry(job)], 'env')).toEqual([]);
  });
});
