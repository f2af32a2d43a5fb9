/**
 * Block-builder configs the build refuses, each with the config path, the expected form, what was found and the
 * fix: the components without ingest storage or without each other, and the settings Mimir's block-builder and
 * scheduler refuse (`blockbuilder.Config`, `schedulerpb.NewSchedulerClient`, `scheduler.Config.Validate`).
 * Working block-builder environments are built alongside, so a rule that refused everything would fail here too.
 */
import { describe, expect, it } from 'vitest';
import { env, expectBuilt, expectRefused, type BadCase } from '../support/bad-input.js';

/** Ingest storage with the bundled Kafka, the block-builder and its scheduler on, `mimir` merged in. */
const builders = (mimir: object = {}) =>
  env({
    mimir: {
      architecture: 'ingest-storage',
      blockBuilder: { enabled: true },
      blockBuilderScheduler: { enabled: true },
      ...mimir,
    },
    observability: { kafka: { enabled: true } },
  });

const schedulerFlags = (flags: object) => builders({ blockBuilderScheduler: { enabled: true, flags } });

describe('block-builder: refused with the path, the expected form and the fix', () => {
  it('the block-builder with its scheduler builds, with timing set in flags and in mimir.yaml', async () => {
    const built = await expectBuilt(builders());
    expect(Object.keys(built.tree.mimir)).toEqual(expect.arrayContaining(['blockBuilder', 'blockBuilderScheduler']));
    await expectBuilt(
      builders({
        blockBuilderScheduler: { enabled: true, flags: { 'block-builder-scheduler.job-size': '30m' } },
        config: {
          block_builder_scheduler: { scheduling_interval: '30s' },
          block_builder: { scheduler_config: { update_interval: '10s', max_update_age: '20s' } },
        },
      }),
    );
  });

  const cases: BadCase[] = [
    {
      name: 'the block-builder under the classic architecture',
      env: env({ mimir: { blockBuilder: { enabled: true }, blockBuilderScheduler: { enabled: true } } }),
      path: 'config.mimir.blockBuilder.enabled',
      message: /consumes the ingest-storage Kafka topic, but the architecture is "classic"/,
      expected: /architecture: "ingest-storage"/,
      hint: /architecture: "ingest-storage", or turn the block-builder and its scheduler off/,
      count: 1,
    },
    {
      name: 'the block-builder without its scheduler',
      env: builders({ blockBuilderScheduler: { enabled: false } }),
      path: 'config.mimir.blockBuilderScheduler.enabled',
      message: /block-builders without the block-builder-scheduler/,
      expected: /true/,
      hint: /blockBuilderScheduler\.enabled: true/,
      count: 1,
    },
    {
      name: 'the scheduler without block-builders',
      env: builders({ blockBuilder: { enabled: false } }),
      path: 'config.mimir.blockBuilder.enabled',
      message: /a block-builder-scheduler without block-builders: it would plan jobs nobody takes$/,
      expected: /true/,
      hint: /blockBuilder\.enabled: true/,
      count: 1,
    },
    {
      name: 'the scheduler alone under the classic architecture',
      env: env({ mimir: { blockBuilderScheduler: { enabled: true } } }),
      path: 'config.mimir.blockBuilder.enabled',
      message: /without block-builders: .* the "classic" architecture does not have/,
      hint: /turn the scheduler off/,
      count: 1,
    },
    {
      name: 'two schedulers',
      env: builders({ blockBuilderScheduler: { enabled: true, replicas: 2 } }),
      path: 'config.mimir.blockBuilderScheduler.replicas',
      message: /2 block-builder-schedulers: .* would lease the same records to two block-builders/,
      expected: /^1$/,
      hint: /replicas: 1/,
      count: 1,
    },
    {
      name: 'a scheduling interval of 0 (its ticker panics)',
      env: schedulerFlags({ 'block-builder-scheduler.scheduling-interval': '0s' }),
      path: 'config.mimir.blockBuilderScheduler.flags["block-builder-scheduler.scheduling-interval"]',
      message: /scheduling-interval must be positive: .* "0s" \(its ticker panics on it\)/,
      expected: /positive Go duration/,
      hint: /default of 1m/,
      count: 1,
    },
    {
      name: 'a negative job size set in mimir.yaml',
      env: builders({ config: { block_builder_scheduler: { job_size: '-1h' } } }),
      path: 'config.mimir.config.block_builder_scheduler.job_size',
      message: /job-size must be positive/,
      expected: /positive Go duration/,
      count: 1,
    },
    {
      name: 'negative job failures allowed',
      env: schedulerFlags({ 'block-builder-scheduler.job-failures-allowed': -1 }),
      path: 'config.mimir.blockBuilderScheduler.flags["block-builder-scheduler.job-failures-allowed"]',
      message: /job-failures-allowed must not be negative/,
      expected: /≥ 0/,
      count: 1,
    },
    {
      name: 'the scheduler with multitenancy on (the block-builders send no tenant)',
      env: schedulerFlags({ 'auth.multitenancy-enabled': true }),
      path: 'config.mimir.blockBuilderScheduler.flags["auth.multitenancy-enabled"]',
      message: /every job request fails with "no org id"/,
      expected: /^false/,
      hint: /remove auth\.multitenancy-enabled/,
      count: 1,
    },
    {
      name: "the scheduler's multitenancy flag removed (mimir.yaml's multitenancy applies)",
      env: schedulerFlags({ 'auth.multitenancy-enabled': null }),
      path: 'config.mimir.blockBuilderScheduler.flags["auth.multitenancy-enabled"]',
      message: /with multitenancy on/,
      count: 1,
    },
    {
      name: 'an empty scheduler consumer group',
      env: builders({ config: { block_builder_scheduler: { consumer_group: '' } } }),
      path: 'config.mimir.config.block_builder_scheduler.consumer_group',
      message: /an empty consumer group/,
      expected: /consumer group name/,
      count: 1,
    },
    {
      name: "the scheduler committing under an ingester's consumer group (its pod name)",
      env: schedulerFlags({ 'block-builder-scheduler.consumer-group': 'ingester-2' }),
      path: 'config.mimir.blockBuilderScheduler.flags["block-builder-scheduler.consumer-group"]',
      message: /consumer group "ingester-2", which an ingester commits under too/,
      expected: /theirs: ingester-0, ingester-1, ingester-2/,
      hint: /default "block-builder"/,
      count: 1,
    },
    {
      name: "the ingesters' consumer group set to the scheduler's",
      env: builders({ config: { ingest_storage: { kafka: { consumer_group: 'block-builder' } } } }),
      path: 'config.mimir.config.ingest_storage.kafka.consumer_group',
      message: /consumer group "block-builder", which an ingester commits under too/,
      count: 1,
    },
    {
      name: 'an update interval of 0',
      env: builders({ blockBuilder: { enabled: true, flags: { 'block-builder.scheduler.update-interval': '0' } } }),
      path: 'config.mimir.blockBuilder.flags["block-builder.scheduler.update-interval"]',
      message: /the block-builder does not start .*updateInterval must be positive/,
      expected: /positive Go duration/,
      count: 1,
    },
    {
      name: 'a max update age below twice the update interval',
      env: builders({
        config: { block_builder: { scheduler_config: { update_interval: '1m', max_update_age: '90s' } } },
      }),
      path: 'config.mimir.config.block_builder.scheduler_config.max_update_age',
      message: /max-update-age "90s" is less than twice the update interval "1m"/,
      expected: /at least 120s/,
      hint: /raise max-update-age/,
      count: 1,
    },
    {
      name: 'the data directory off the data volume',
      env: builders({ blockBuilder: { enabled: true, flags: { 'block-builder.data-dir': '/tmp/blocks' } } }),
      path: 'config.mimir.blockBuilder.flags["block-builder.data-dir"]',
      message: /data directory "\/tmp\/blocks" is not on its data volume/,
      expected: /under \/data\//,
      hint: /"\/data\/block-builder"/,
      count: 1,
    },
    {
      name: "the data directory flag removed (Mimir's relative default on a read-only root)",
      env: builders({ blockBuilder: { enabled: true, flags: { 'block-builder.data-dir': null } } }),
      path: 'config.mimir.blockBuilder.flags["block-builder.data-dir"]',
      message: /data directory "\.\/data-block-builder\/" is not on its data volume/,
      count: 1,
    },
  ];
  it.each(cases)('$name', async (c) => {
    await expectRefused(c);
  });
});
