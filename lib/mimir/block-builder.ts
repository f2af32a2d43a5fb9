import { component, type MimirComponentConfig, type MimirStackConfig } from './config.js';
import { paths, statelessComponent, type StatelessParts } from './common.js';
import { targets } from './names.js';
import { defineComponent, endpointHostPort, type StackView } from '../core/registry.js';
import type { Rule } from '../core/checks/context.js';
import type { Problem } from '../core/problems.js';
import { effectiveSetting } from './settings.js';
import { durationMs } from './reference/index.js';

/**
 * Mimir's block-builder (`-target=block-builder`, experimental in Mimir 3.0): takes jobs from the
 * block-builder-scheduler, consumes each job's records of one partition from Kafka into a TSDB of its own,
 * compacts it and uploads the blocks to object storage.
 */
export interface MimirBlockBuilderConfig extends MimirComponentConfig {
  /**
   * Run the block-builders. Needs the ingest-storage architecture and the block-builder-scheduler
   * (`config.mimir.blockBuilderScheduler.enabled`): the two are switched on together.
   */
  enabled: boolean;
  /**
   * Whether the ingesters keep uploading blocks of their own too. `false` (default): the block-builders are the
   * only writers of new blocks and the ingesters run with `-blocks-storage.tsdb.ship-interval=0`. `true` while
   * moving a running stack over: both upload, and the compactor merges the overlapping blocks.
   */
  ingestersShipBlocks: boolean;
}

export function defaultBlockBuilderConfig(): MimirBlockBuilderConfig {
  return { ...component(1, '1', '2Gi'), enabled: false, ingestersShipBlocks: false };
}

/** Its scratch space: wiped at every start, under the pod's data volume (the root filesystem is read-only). */
export const blockBuilderDataDir = `${paths.dataDir}/block-builder`;

/** Consumes partitions from Kafka into TSDB blocks in object storage, one scheduler job at a time. */
export function blockBuilder(c: MimirStackConfig, stack: StackView): StatelessParts {
  return statelessComponent(c, {
    name: targets.blockBuilder,
    target: targets.blockBuilder,
    settings: c.mimir.blockBuilder,
    flags: {
      // Without a scheduler the check below refuses the config; a dangling address would only repeat it.
      ...(stack.has('blockBuilderScheduler')
        ? { 'block-builder.scheduler.address': endpointHostPort(c, stack.endpoint('blockBuilderScheduler', 'grpc')) }
        : {}),
      'block-builder.data-dir': blockBuilderDataDir,
    },
    // Per-tenant limits (out-of-order window, native histograms) shape the blocks it builds.
    runtimeConfig: true,
    gossip: false,
    objectStorage: true,
    // A stopping block-builder finishes its job; an interrupted job is leased again and redone.
    terminationGracePeriodSeconds: 1800,
  });
}

/**
 * The ingesters' flags when block-builders build the blocks: with shipping off (`ship-interval` 0) an ingester
 * uploads nothing and deletes its local blocks by age (`-blocks-storage.tsdb.retention-period`).
 */
export function blockBuilderIngesterFlags(c: MimirStackConfig, stack: StackView): Record<string, number> {
  return stack.has('blockBuilder') && !c.mimir.blockBuilder.ingestersShipBlocks
    ? { 'blocks-storage.tsdb.ship-interval': 0 }
    : {};
}

const flagsPath = 'config.mimir.blockBuilder.flags';

function setting(c: MimirStackConfig, flag: string, yamlPath: string[], fallback: unknown) {
  return effectiveSetting(
    { flags: c.mimir.blockBuilder.flags, flagsPath, config: c.mimir.config },
    flag,
    ['block_builder', ...yamlPath],
    fallback,
  );
}

/**
 * Refused before anything renders: a block-builder without ingest storage or without its scheduler, and the
 * settings that stop Mimir's block-builder from starting (`blockbuilder.Config`, `schedulerpb.NewSchedulerClient`).
 */
export function blockBuilderChecks(c: MimirStackConfig): Rule[] {
  return [
    (ctx) => {
      const out: Problem[] = [];
      const m = c.mimir;
      if (m.architecture !== 'ingest-storage')
        out.push({
          source: ctx.source,
          path: 'config.mimir.blockBuilder.enabled',
          message: `the block-builder consumes the ingest-storage Kafka topic, but the architecture is ${JSON.stringify(m.architecture)}: there is no topic to build blocks from`,
          expected: 'config.mimir.architecture: "ingest-storage"',
          found: `architecture ${JSON.stringify(m.architecture)}`,
          hint: 'set config.mimir.architecture: "ingest-storage", or turn the block-builder and its scheduler off (the ingesters then upload blocks)',
        });
      if (!m.blockBuilderScheduler.enabled)
        out.push({
          source: ctx.source,
          path: 'config.mimir.blockBuilderScheduler.enabled',
          message:
            'block-builders without the block-builder-scheduler: they get their jobs from it over gRPC, so they would build nothing',
          expected: 'true (with config.mimir.blockBuilder.enabled)',
          found: 'false',
          hint: 'set config.mimir.blockBuilderScheduler.enabled: true, or turn the block-builder off',
        });
      const update = setting(
        c,
        'block-builder.scheduler.update-interval',
        ['scheduler_config', 'update_interval'],
        '20s',
      );
      const maxAge = setting(
        c,
        'block-builder.scheduler.max-update-age',
        ['scheduler_config', 'max_update_age'],
        '30m',
      );
      const [u, a] = [durationMs(update.value), durationMs(maxAge.value)];
      for (const [v, ms, name] of [
        [update, u, 'update-interval'],
        [maxAge, a, 'max-update-age'],
      ] as const)
        if (ms !== undefined && ms <= 0)
          out.push({
            source: ctx.source,
            path: v.path!,
            message: `block-builder.scheduler.${name} ${JSON.stringify(v.value)}: the block-builder does not start ("make scheduler client: ${name === 'update-interval' ? 'updateInterval' : 'maxUpdateAge'} must be positive")`,
            expected: 'a positive Go duration',
            found: JSON.stringify(v.value),
            hint: `remove it for Mimir's default (${name === 'update-interval' ? '20s' : '30m'})`,
          });
      if (u !== undefined && a !== undefined && u > 0 && a > 0 && a < 2 * u)
        out.push({
          source: ctx.source,
          path: maxAge.path ?? update.path!,
          message: `block-builder.scheduler.max-update-age ${JSON.stringify(maxAge.value)} is less than twice the update interval ${JSON.stringify(update.value)}: the block-builder does not start ("maxUpdateAge must be at least twice the updateInterval")`,
          expected: `at least ${(2 * u) / 1000}s`,
          found: JSON.stringify(maxAge.value),
          hint: 'raise max-update-age or lower update-interval',
        });
      // The rendered flag wins over mimir.yaml; `null` removes it, and then the YAML or Mimir's default applies.
      const dirFlag = c.mimir.blockBuilder.flags['block-builder.data-dir'];
      const dir =
        dirFlag === undefined
          ? { value: blockBuilderDataDir, path: undefined }
          : setting(c, 'block-builder.data-dir', ['data_dir'], './data-block-builder/');
      if (typeof dir.value === 'string' && !dir.value.startsWith(`${paths.dataDir}/`))
        out.push({
          source: ctx.source,
          path: dir.path ?? `${flagsPath}["block-builder.data-dir"]`,
          message: `the block-builder's data directory ${JSON.stringify(dir.value)} is not on its data volume: it empties and recreates it at start, and the container's root filesystem is read-only`,
          expected: `a directory under ${paths.dataDir}/, e.g. "${blockBuilderDataDir}"`,
          found: JSON.stringify(dir.value),
          hint: `remove the setting for "${blockBuilderDataDir}"`,
        });
      return out;
    },
  ];
}

/** Builds TSDB blocks from the Kafka partitions and uploads them. */
export const blockBuilderComponent = defineComponent({
  group: 'mimir',
  key: 'blockBuilder',
  description: 'Consumes Kafka partitions into TSDB blocks and uploads them (ingest storage)',
  config: 'mimir.blockBuilder',
  enabled: (c: MimirStackConfig) => c.mimir.blockBuilder.enabled,
  render: blockBuilder,
  checks: blockBuilderChecks,
});
