import { defineEnvironment } from '../../lib/index.js';
import local from '../local/main.js';

/**
 * The ingest-storage architecture on a laptop: `local`'s stack, but distributors write to a bundled
 * single-node Kafka (KRaft) and the ingester consumes its partition from there; the ruler evaluates
 * remotely through the query-frontend (as in `local`), which ingest storage requires. Reads are strongly
 * consistent, so a sample written is in the next query's answer. A block-builder and its scheduler build the
 * TSDB blocks from the topic (the ingester uploads none). Within `local`'s budget (2 CPU, 4 GiB of requests)
 * with the broker's 100m and 512 MiB and the block-builder's 100m and 256 MiB on top of `local`'s components.
 */
const base = local.config ?? {};

export default defineEnvironment({
  name: 'ingest',
  config: {
    ...base,
    mimir: {
      ...base.mimir,
      architecture: 'ingest-storage',
      ingestStorage: {
        // One ingester owns partition 0; a second partition leaves room to scale to two without a new topic.
        kafka: { source: 'bundled', topic: 'mimir-ingest', partitions: 2 },
        readConsistency: 'strong',
      },
      // Blocks come from the block-builder, one job per partition and hour of records (the scheduler's job size).
      blockBuilder: {
        enabled: true,
        replicas: 1,
        resources: { requests: { cpu: '100m', memory: '256Mi' }, limits: { memory: '1Gi' } },
      },
      blockBuilderScheduler: {
        enabled: true,
        replicas: 1,
        resources: { requests: { cpu: '20m', memory: '64Mi' }, limits: { memory: '256Mi' } },
      },
    },
    observability: {
      ...base.observability,
      kafka: {
        enabled: true,
        storageSize: '5Gi',
        heap: '256m',
        resources: { requests: { cpu: '100m', memory: '512Mi' }, limits: { memory: '1Gi' } },
      },
    },
  },
  overrides: local.overrides,
});
