/**
 * Synthetic environments for the growth measurements. Each one starts from `environments/local` and
 * scales one dimension, so the steps differ in that dimension alone.
 */
import type { Environment } from '../lib/build/environment.js';
import type { Component, TreeLike } from '../lib/core/k8s/types.js';
import { flatten } from '../lib/core/tree.js';
import { add } from '../lib/core/merge.js';
import { resolveConfig } from '../lib/build/pipeline.js';
import { render } from '../lib/build/render.js';
import local from '../environments/local/main.js';

export { local };

/** Tenant IDs with a few limits each, as a platform team's runtime overrides file would hold them. */
export function tenants(n: number): Record<string, Record<string, number | string>> {
  const out: Record<string, Record<string, number | string>> = {};
  for (let i = 0; i < n; i++) {
    out[`tenant-${String(i).padStart(5, '0')}`] = {
      ingestion_rate: 10_000 + i,
      ingestion_burst_size: 200_000,
      max_global_series_per_user: 150_000 + i,
      compactor_blocks_retention_period: '90d',
    };
  }
  return out;
}

/** `local` with ingesters and store-gateways at `replicas` and `tenantCount` tenants in the runtime overrides. */
export function scaled(replicas: number, tenantCount: number, name = 'scaled'): Environment {
  const mimir = local.config?.mimir ?? {};
  return {
    ...local,
    name,
    config: {
      ...local.config,
      mimir: {
        ...mimir,
        ingester: { ...mimir.ingester, replicas },
        storeGateway: { ...mimir.storeGateway, replicas },
        tenants: tenants(tenantCount),
      },
    },
  };
}

/** `n` copies of `local` under different names, as a repository with many clusters would build them in one call. */
export function copies(n: number): Environment[] {
  return Array.from({ length: n }, (_, i) => ({ ...local, name: `local-${String(i + 1).padStart(3, '0')}` }));
}

/**
 * `local` plus `n` extra components added through overrides, each a renamed copy of the distributor
 * (Deployment, Service, PodDisruptionBudget, …): the object count of one tree grows by that much, which is
 * what the cross-reference rules iterate over.
 */
export function extraObjects(n: number): Environment {
  if (n === 0) return { ...local, name: 'objects' };
  const tree = render(resolveConfig(local));
  const template = JSON.stringify(tree.mimir.distributor);
  const extra: Record<string, Component> = {};
  for (let i = 0; i < n; i++) {
    const name = `copy-${String(i + 1).padStart(4, '0')}`;
    extra[name] = JSON.parse(template.replaceAll('"distributor"', JSON.stringify(name))) as Component;
  }
  return { ...local, name: 'objects', overrides: { bench: add(extra) } as never };
}

/** Objects one tree holds. */
export function objectCount(tree: TreeLike): number {
  return flatten(tree).length;
}
