/**
 * The one `mimir.yaml` every component reads, and the runtime overrides file. Addresses in them name
 * only Services this module renders for the same config.
 */
import type { MimirStackConfig } from './config.js';
import { serviceHost } from '../core/config.js';
import { endpointHostPort, type StackView } from '../core/registry.js';
import { mergeYaml } from '../core/merge.js';
import type { JsonObject } from './config.js';
import { paths, replicationFactor } from './common.js';
import { ingestStorageYaml } from './ingest-storage.js';
import { zoneAwarenessYaml } from './zones.js';
import { grpcAddress, headlessService, httpUrl, names, ports, schedulerDiscoveryService, targets } from './names.js';

/** The address the ruler sends rule queries to in remote mode (`dns:///` so gRPC balances over pods). */
export function rulerQueryFrontendAddress(c: MimirStackConfig): string {
  const service = c.mimir.ruler.dedicatedReadPath ? names.rulerQueryFrontend : headlessService(targets.queryFrontend);
  return `dns:///${grpcAddress(c, service)}`;
}

export function schedulerAddress(c: MimirStackConfig, scheduler: string): string {
  return grpcAddress(c, schedulerDiscoveryService(scheduler));
}

/** `${VAR}` placeholders Mimir expands at start-up (`-config.expand-env=true`); the values come from the Secret. */
export const credentialEnv = { accessKeyId: 'AWS_ACCESS_KEY_ID', secretAccessKey: 'AWS_SECRET_ACCESS_KEY' } as const;

/** The S3 endpoint Mimir talks to: the configured one, or the stack's object storage (`endpoint('minio', 's3')`). */
export function objectStorageEndpoint(c: MimirStackConfig, stack: StackView): string {
  return c.storage.endpoint || endpointHostPort(c, stack.endpoint('minio', 's3'));
}

function storage(c: MimirStackConfig, stack: StackView): JsonObject {
  return {
    backend: 's3',
    s3: {
      endpoint: objectStorageEndpoint(c, stack),
      region: c.storage.region,
      insecure: c.storage.insecure,
      access_key_id: `\${${credentialEnv.accessKeyId}}`,
      secret_access_key: `\${${credentialEnv.secretAccessKey}}`,
    },
  };
}

/** Waits that protect large clusters from churn; a one-replica installation only pays for them at start-up. */
function fastStartup(): JsonObject {
  return {
    ingester: { ring: { final_sleep: '0s', min_ready_duration: '0s', observe_period: '0s' } },
    store_gateway: { sharding_ring: { wait_stability_min_duration: '0s', wait_stability_max_duration: '1m' } },
    compactor: { sharding_ring: { wait_stability_min_duration: '0s', wait_stability_max_duration: '1m' } },
  };
}

function ruler(c: MimirStackConfig): JsonObject {
  const r = c.mimir.ruler;
  const out: JsonObject = { rule_path: paths.dataDir };
  if (c.mimir.alertmanager.enabled) out.alertmanager_url = httpUrl(c, targets.alertmanager, '/alertmanager');
  if (r.mode === 'remote') out.query_frontend = { address: rulerQueryFrontendAddress(c) };
  return out;
}

function alertmanager(c: MimirStackConfig): JsonObject {
  return {
    data_dir: paths.dataDir,
    external_url: '/alertmanager',
    fallback_config_file: paths.fallbackAlertmanagerFile,
    sharding_ring: { replication_factor: replicationFactor(c.mimir.alertmanager.replicas) },
  };
}

/** The generated configuration before `config.mimir.config` is merged over it. */
export function baseMimirYaml(c: MimirStackConfig, stack: StackView): JsonObject {
  const m = c.mimir;
  const scheduler = schedulerAddress(c, targets.queryScheduler);
  const doc: JsonObject = {
    multitenancy_enabled: true,
    server: { http_listen_port: ports.http, grpc_listen_port: ports.grpc },
    common: { storage: storage(c, stack) },
    blocks_storage: {
      s3: { bucket_name: c.storage.buckets.blocks },
      tsdb: { dir: `${paths.dataDir}/tsdb` },
      bucket_store: { sync_dir: `${paths.dataDir}/tsdb-sync` },
    },
    ruler_storage: { s3: { bucket_name: c.storage.buckets.ruler } },
    alertmanager_storage: { s3: { bucket_name: c.storage.buckets.alertmanager } },
    activity_tracker: { filepath: `${paths.activityTrackerDir}/activity.log` },
    memberlist: {
      bind_port: ports.gossip,
      join_members: [`dns+${serviceHost(c, names.gossipRing)}:${ports.gossip}`],
      // Pods start in any order; they keep retrying instead of exiting when no peer answers yet.
      abort_if_cluster_join_fails: false,
    },
    ingester: { ring: { replication_factor: replicationFactor(m.ingester.replicas) } },
    store_gateway: { sharding_ring: { replication_factor: replicationFactor(m.storeGateway.replicas) } },
    compactor: { data_dir: paths.dataDir },
    query_scheduler: { service_discovery_mode: 'dns' },
    frontend: { scheduler_address: scheduler },
    frontend_worker: { scheduler_address: scheduler },
  };
  if (m.ruler.enabled) doc.ruler = ruler(c);
  if (m.alertmanager.enabled) doc.alertmanager = alertmanager(c);
  // Every ring client (distributors, queriers, rulers) reads the same file, so each learns the zones here;
  // then what each rendered component says about itself (a cache's client block), then the architecture.
  const parts = [zoneAwarenessYaml(c), ...stack.mimirYaml(), ingestStorageYaml(c, stack)];
  const zoned = parts.reduce<JsonObject>((d, part) => mergeYaml(d, part), doc);
  return m.fastStartup ? mergeYaml(zoned, fastStartup()) : zoned;
}

export function mimirYaml(c: MimirStackConfig, stack: StackView): JsonObject {
  return mergeYaml(baseMimirYaml(c, stack), c.mimir.config);
}

/** The runtime overrides file: per-tenant limits under `overrides`. */
export function runtimeYaml(c: MimirStackConfig): JsonObject {
  return { overrides: { ...c.mimir.tenants } };
}
