import { component, type MimirComponentConfig, type MimirStackConfig } from './config.js';
import { statelessComponent, type StatelessParts } from './common.js';
import { portNames, ports, targets } from './names.js';
import { defineComponent } from '../core/registry.js';
import type { Rule } from '../core/checks/context.js';
import type { Problem } from '../core/problems.js';
import { effectiveSetting } from './settings.js';
import { durationMs } from './reference/index.js';
import { isZoneAware, replicasPerZone, zonedName } from './zones.js';

/**
 * Mimir's block-builder-scheduler (`-target=block-builder-scheduler`, experimental in Mimir 3.0): watches the
 * ingest-storage topic's end offsets, cuts each partition into jobs of `job-size` worth of records and leases
 * them to the block-builders over gRPC; it commits what they finished to Kafka under its consumer group.
 */
export interface MimirBlockBuilderSchedulerConfig extends MimirComponentConfig {
  /**
   * Run it. Needs the ingest-storage architecture and the block-builder (`config.mimir.blockBuilder.enabled`):
   * the two are switched on together. Timing (`block-builder-scheduler.job-size`, 1h by default, …) goes in
   * `flags` or in `config.mimir.config.block_builder_scheduler`.
   */
  enabled: boolean;
}

export function defaultBlockBuilderSchedulerConfig(): MimirBlockBuilderSchedulerConfig {
  // One pod: it plans every partition and keeps the job leases in memory.
  return { ...component(1, '100m', '128Mi'), enabled: false };
}

const multitenancyFlag = 'auth.multitenancy-enabled';

/**
 * One pod that never overlaps its successor: the schedule and the leases live in its memory, so two schedulers
 * would lease the same records to two builders. A new pod rebuilds the schedule from Kafka's committed offsets
 * (after `startup-observe-time`, in which running builders report their jobs back).
 */
export function blockBuilderScheduler(c: MimirStackConfig): StatelessParts {
  const parts = statelessComponent(c, {
    name: targets.blockBuilderScheduler,
    target: targets.blockBuilderScheduler,
    settings: c.mimir.blockBuilderScheduler,
    // Mimir 3.0.2's gRPC auth exempts the query-scheduler's and frontend's streams but not the
    // block-builder-scheduler's methods, and the block-builders send no tenant: with multitenancy on, every
    // AssignJob fails with "no org id". The scheduler holds no tenant data, so it runs without it.
    flags: { [multitenancyFlag]: false },
    runtimeConfig: false,
    gossip: false,
    objectStorage: false,
    // It commits the finished jobs' offsets to Kafka when it stops.
    terminationGracePeriodSeconds: 60,
  });
  parts.deployment.spec!.strategy = { type: 'RollingUpdate', rollingUpdate: { maxSurge: 0, maxUnavailable: 1 } };
  return parts;
}

const flagsPath = 'config.mimir.blockBuilderScheduler.flags';

/** The settings Mimir's scheduler config declares invalid (`scheduler.Config.Validate`), with their defaults. */
const positiveDurations: [flag: string, field: string, fallback: string][] = [
  ['scheduling-interval', 'scheduling_interval', '1m'],
  ['job-size', 'job_size', '1h'],
  ['startup-observe-time', 'startup_observe_time', '1m'],
  ['job-lease-expiry', 'job_lease_expiry', '2m'],
  ['lookback-on-no-commit', 'lookback_on_no_commit', '6h'],
  ['max-scan-age', 'max_scan_age', '12h'],
  ['enqueue-interval', 'enqueue_interval', '2s'],
];
const nonNegativeInts: [flag: string, field: string, fallback: number][] = [
  ['max-jobs-per-partition', 'max_jobs_per_partition', 1],
  ['job-failures-allowed', 'job_failures_allowed', 2],
];

function setting(c: MimirStackConfig, flag: string, field: string, fallback: unknown) {
  return effectiveSetting(
    { flags: c.mimir.blockBuilderScheduler.flags, flagsPath, config: c.mimir.config },
    `block-builder-scheduler.${flag}`,
    ['block_builder_scheduler', field],
    fallback,
  );
}

/** Kafka consumer groups the ingesters commit under: the configured one per partition, else each pod's name. */
function ingesterConsumerGroups(c: MimirStackConfig): { groups: string[]; path?: string } {
  const g = effectiveSetting(
    { flags: c.mimir.ingester.flags, flagsPath: 'config.mimir.ingester.flags', config: c.mimir.config },
    'ingest-storage.kafka.consumer-group',
    ['ingest_storage', 'kafka', 'consumer_group'],
    '',
  );
  const zoned = isZoneAware(c, 'ingester');
  const perZone = zoned ? replicasPerZone(c, 'ingester') : c.mimir.ingester.replicas;
  const prefixes = zoned
    ? c.mimir.zoneAwareness.zones.map((z) => zonedName(targets.ingester, z.name))
    : [targets.ingester];
  if (typeof g.value === 'string' && g.value !== '') {
    const partitions = Array.from({ length: Math.max(c.mimir.ingestStorage.kafka.partitions, perZone) }, (_, i) => i);
    return { groups: partitions.map((p) => (g.value as string).replaceAll('<partition>', String(p))), path: g.path };
  }
  return { groups: prefixes.flatMap((p) => Array.from({ length: perZone }, (_, i) => `${p}-${i}`)) };
}

/**
 * What Mimir's scheduler would refuse or get wrong: more than one pod, a setting its config declares invalid
 * (Mimir 3.0.2 does not call that validation at start, and a non-positive interval then panics its ticker),
 * and a consumer group an ingester commits under too (each would move the other's offsets).
 */
export function blockBuilderSchedulerChecks(c: MimirStackConfig): Rule[] {
  return [
    (ctx) => {
      const out: Problem[] = [];
      const s = c.mimir.blockBuilderScheduler;
      // With the block-builder on, its own check reports the architecture (one cause, one error).
      if (!c.mimir.blockBuilder.enabled)
        out.push({
          source: ctx.source,
          path: 'config.mimir.blockBuilder.enabled',
          message: `a block-builder-scheduler without block-builders: it would plan jobs nobody takes${c.mimir.architecture === 'ingest-storage' ? '' : `, over a Kafka topic the ${JSON.stringify(c.mimir.architecture)} architecture does not have`}`,
          expected: 'true (with config.mimir.blockBuilderScheduler.enabled)',
          found: 'false',
          hint:
            c.mimir.architecture === 'ingest-storage'
              ? 'set config.mimir.blockBuilder.enabled: true, or turn the scheduler off'
              : 'turn the scheduler off, or use config.mimir.architecture: "ingest-storage" with the block-builder enabled',
        });
      if (s.replicas !== 1)
        out.push({
          source: ctx.source,
          path: 'config.mimir.blockBuilderScheduler.replicas',
          message: `${s.replicas} block-builder-schedulers: the scheduler keeps its schedule and job leases in memory, so ${s.replicas === 0 ? 'without one no block-builder gets a job' : 'two would lease the same records to two block-builders'}`,
          expected: '1',
          found: String(s.replicas),
          hint: 'set config.mimir.blockBuilderScheduler.replicas: 1; scale the block-builders instead',
        });
      for (const [flag, field, fallback] of positiveDurations) {
        const v = setting(c, flag, field, fallback);
        const ms = durationMs(v.value);
        if (ms !== undefined && ms <= 0)
          out.push({
            source: ctx.source,
            path: v.path!,
            message: `block-builder-scheduler.${flag} must be positive: Mimir's scheduler config refuses ${JSON.stringify(v.value)}${['scheduling-interval', 'enqueue-interval'].includes(flag) ? ' (its ticker panics on it)' : ''}`,
            expected: 'a positive Go duration, e.g. "30s"',
            found: JSON.stringify(v.value),
            hint: `remove it for Mimir's default of ${fallback}, or give a positive duration`,
          });
      }
      for (const [flag, field, fallback] of nonNegativeInts) {
        const v = setting(c, flag, field, fallback);
        if (typeof v.value === 'number' && v.value < 0)
          out.push({
            source: ctx.source,
            path: v.path!,
            message: `block-builder-scheduler.${flag} must not be negative: Mimir's scheduler config refuses ${v.value}`,
            expected: 'an integer ≥ 0',
            found: String(v.value),
            hint: `remove it for Mimir's default of ${fallback}`,
          });
      }
      const tenancy = c.mimir.blockBuilderScheduler.flags[multitenancyFlag];
      const yamlTenancy = c.mimir.config.multitenancy_enabled;
      if (tenancy === true || (tenancy === null && yamlTenancy !== false))
        out.push({
          source: ctx.source,
          path: `${flagsPath}["${multitenancyFlag}"]`,
          message:
            'the block-builder-scheduler with multitenancy on: Mimir 3.0.2 requires a tenant on its gRPC methods, which the block-builders do not send, so every job request fails with "no org id"',
          expected: 'false (the library sets it; the scheduler holds no tenant data)',
          found: tenancy === null ? "removed (mimir.yaml's multitenancy_enabled: true applies)" : 'true',
          hint: `remove ${multitenancyFlag} from config.mimir.blockBuilderScheduler.flags`,
        });
      const group = setting(c, 'consumer-group', 'consumer_group', 'block-builder');
      if (group.value === '')
        out.push({
          source: ctx.source,
          path: group.path!,
          message: "an empty consumer group: Mimir's scheduler config refuses it, and it could commit no offsets",
          expected: 'a Kafka consumer group name, e.g. "block-builder"',
          found: '""',
          hint: 'remove it for Mimir\'s default "block-builder"',
        });
      else if (typeof group.value === 'string') {
        const ingesters = ingesterConsumerGroups(c);
        if (ingesters.groups.includes(group.value))
          out.push({
            source: ctx.source,
            path: group.path ?? ingesters.path ?? 'config.mimir.blockBuilderScheduler.flags',
            message: `the block-builder-scheduler commits under consumer group ${JSON.stringify(group.value)}, which an ingester commits under too: each would overwrite the other's offsets, and a restarted ingester would replay from the wrong place`,
            expected: `a group no ingester uses (theirs: ${ingesters.groups.slice(0, 3).join(', ')}${ingesters.groups.length > 3 ? ', …' : ''})`,
            found: JSON.stringify(group.value),
            hint: 'keep the scheduler\'s default "block-builder", and leave the ingesters\' consumer group empty (their pod names)',
          });
      }
      return out;
    },
  ];
}

/** Plans block-building jobs over the Kafka partitions. */
export const blockBuilderSchedulerComponent = defineComponent({
  group: 'mimir',
  key: 'blockBuilderScheduler',
  description: 'Plans jobs over the ingest-storage partitions and leases them to the block-builders (gRPC)',
  config: 'mimir.blockBuilderScheduler',
  enabled: (c: MimirStackConfig) => c.mimir.blockBuilderScheduler.enabled,
  render: blockBuilderScheduler,
  checks: blockBuilderSchedulerChecks,
  endpoints: () => ({
    grpc: { service: targets.blockBuilderScheduler, port: ports.grpc, portName: portNames.grpc },
  }),
});
