/**
 * The four memcached caches Mimir can use: sizes and client settings per cache. Every cache is off by
 * default (as in the mimir-distributed chart); an environment turns on the ones it wants.
 */

export interface MimirCacheConfig {
  /** Run this cache and point Mimir at it. */
  enabled: boolean;
  /**
   * Number of memcached pods; Mimir's client spreads keys over all of them.
   * @TJS-type integer
   * @minimum 1
   */
  replicas: number;
  /**
   * memcached's item memory in MiB (`-m`). The container's memory request and limit are this plus 20 %
   * for memcached's hash table and connection buffers (the chart's factor).
   * @TJS-type integer
   * @minimum 16
   */
  memoryMiB: number;
  /**
   * Largest item memcached stores, in MiB (`-I`); Mimir's `max_item_size` is set to the same.
   * @TJS-type integer
   * @minimum 1
   */
  maxItemSizeMiB: number;
  /**
   * memcached's simultaneous connection limit (`-c`).
   * @TJS-type integer
   * @minimum 1
   */
  connectionLimit: number;
  /** CPU request of the memcached container. */
  cpu: string;
  /** Mimir's client timeout for one request to this cache (`memcached.timeout`), a Go duration. */
  timeout: string;
  /**
   * Idle connections each Mimir client pod keeps to every memcached pod (`memcached.max_idle_connections`).
   * @TJS-type integer
   * @minimum 1
   */
  maxIdleConnections: number;
}

export interface MimirCachesConfig {
  /** Chunks read by the store-gateway (`blocks_storage.bucket_store.chunks_cache`). */
  chunks: MimirCacheConfig;
  /** Postings and series of block indexes (`blocks_storage.bucket_store.index_cache`). */
  index: MimirCacheConfig;
  /** Bucket listings, block metadata and the bucket index (`blocks_storage.bucket_store.metadata_cache`). */
  metadata: MimirCacheConfig;
  /** Query results of the query-frontend (`frontend.results_cache`, `frontend.cache_results`). */
  results: MimirCacheConfig;
}

function cache(memoryMiB: number, maxItemSizeMiB: number, timeout: string): MimirCacheConfig {
  return {
    enabled: false,
    replicas: 1,
    memoryMiB,
    maxItemSizeMiB,
    connectionLimit: 16384,
    cpu: '500m',
    timeout,
    maxIdleConnections: 150,
  };
}

/** The mimir-distributed chart's sizes (MiB of items, largest item) and client timeouts (Mimir's 200ms default where the chart sets none). */
export function defaultCachesConfig(): MimirCachesConfig {
  return {
    chunks: cache(8192, 1, '750ms'),
    index: cache(2048, 5, '750ms'),
    metadata: cache(512, 1, '200ms'),
    results: cache(512, 5, '500ms'),
  };
}
