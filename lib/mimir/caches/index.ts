/**
 * The four memcached caches: one factory (`memcached.ts`, `component.ts`), one thin spec per cache.
 * `cacheSpecs` is what the always-on checks walk; `cacheComponents` go into the group's list of
 * components, and each contributes its client block to `mimir.yaml` while it is rendered.
 */
import type { MimirStackConfig } from '../config.js';
import { chunksCache, chunksCacheComponent } from './chunks.js';
import { indexCache, indexCacheComponent } from './index-cache.js';
import type { CacheSpec } from './memcached.js';
import { metadataCache, metadataCacheComponent } from './metadata.js';
import { resultsCache, resultsCacheComponent } from './results.js';
import { cacheConfigRule } from './rules.js';

export type { MimirCacheConfig, MimirCachesConfig } from './config.js';
export { defaultCachesConfig } from './config.js';
export type { CacheParts, CacheSpec } from './memcached.js';

export const cacheSpecs: readonly CacheSpec[] = [chunksCache, indexCache, metadataCache, resultsCache];

export const cacheComponents = [
  chunksCacheComponent,
  indexCacheComponent,
  metadataCacheComponent,
  resultsCacheComponent,
] as const;

/** Checks that hold whether or not a cache is rendered (run with Mimir's own rules). */
export function cachesConfigRule(c: MimirStackConfig) {
  return cacheConfigRule(c, cacheSpecs);
}
