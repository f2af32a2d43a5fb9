/**
 * The four memcached caches: one factory (`memcached.ts`, `component.ts`), one thin spec per cache.
 * `cacheSpecs` is what `mimir.yaml` and the always-on checks walk; `cacheComponents` go into the
 * group's list of components.
 */
import type { MimirStackConfig } from '../config.js';
import type { JsonObject } from '../config.js';
import type { StackView } from '../../core/registry.js';
import { mergeYaml } from '../../core/merge.js';
import { chunksCache, chunksCacheComponent } from './chunks.js';
import { indexCache, indexCacheComponent } from './index-cache.js';
import { cacheSettings, cacheYaml, type CacheSpec } from './memcached.js';
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

/** The client blocks of every enabled cache, as one `mimir.yaml` partial. */
export function cachesYaml(c: MimirStackConfig, stack: StackView): JsonObject {
  return cacheSpecs
    .filter((s) => cacheSettings(c, s).enabled)
    .reduce<JsonObject>((doc, s) => mergeYaml(doc, cacheYaml(c, s, stack)), {});
}

/** Checks that hold whether or not a cache is rendered (run with Mimir's own rules). */
export function cachesConfigRule(c: MimirStackConfig) {
  return cacheConfigRule(c, cacheSpecs);
}
