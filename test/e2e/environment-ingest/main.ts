import { defineEnvironment } from '../../../lib/index.js';
import ingest from '../../../environments/ingest/main.js';
import { e2eMimirConfig } from '../environment/main.js';

/**
 * The ingest-storage scenario's environment: environments/ingest unchanged except for the same timing knobs
 * as test/e2e/environment and the block-builder's own (the scenario asserts that its render differs from
 * out/ingest by those only).
 */
export const e2eIngestMimirConfig = {
  ...e2eMimirConfig,
  block_builder_scheduler: {
    // (1m) how long a new scheduler listens for the block-builders' jobs before it plans its own.
    startup_observe_time: '5s',
    // (1m) how often it looks at the partitions' end offsets.
    scheduling_interval: '5s',
    // (1h) records per job: a job, and a block, waits until its time slice has passed.
    job_size: '30s',
  },
  block_builder: {
    // (20s) how often a block-builder reports its jobs; a partition's next job waits for the report of the last.
    scheduler_config: { update_interval: '2s' },
  },
};

const base = ingest.config ?? {};

export default defineEnvironment({
  name: 'e2e-ingest',
  config: {
    ...base,
    mimir: { ...base.mimir, config: { ...(base.mimir?.config ?? {}), ...e2eIngestMimirConfig } },
  },
  overrides: ingest.overrides,
});
