import type { SharedConfig } from '../core/config.js';
import { defaultCachesConfig, type MimirCachesConfig } from './caches/config.js';
import { defaultRolloutOperatorConfig, type RolloutOperatorConfig } from './rollout-operator/config.js';
import {
  defaultSelfMonitoringRulesConfig,
  type MimirSelfMonitoringRulesConfig,
} from './self-monitoring-rules/config.js';
/**
 * The Mimir part of the stack's config: the knobs that are required or used in several places.
 * Everything else is reached through `config` (a partial of `mimir.yaml`), per-component `flags`, or
 * tree overrides.
 */

/** Any JSON value: what a YAML config file can hold. */
export type JsonValue = string | number | boolean | null | JsonValue[] | JsonObject;

/**
 * A YAML mapping, e.g. a partial of `mimir.yaml`. Deliberately open in the JSON Schema: a recursive
 * schema does not survive inlining, and Mimir's reference checks the rendered file anyway.
 * @TJS-type object
 * @TJS-additionalProperties true
 */
export interface JsonObject {
  [key: string]: JsonValue;
}

/** A command-line flag value; `null` removes a flag the library sets. */
export type MimirFlagValue = string | number | boolean | null;

/**
 * Flags by name without the leading dash. The annotations keep the free keys in the environment's JSON
 * Schema, which otherwise loses index signatures under `DeepPartial`.
 * @TJS-type object
 * @TJS-additionalProperties {"type": ["string", "number", "boolean", "null"]}
 */
export interface MimirFlags {
  [flag: string]: MimirFlagValue;
}

/**
 * Per-tenant limits by tenant ID.
 * @TJS-type object
 * @TJS-additionalProperties {"type": "object"}
 */
export interface MimirTenants {
  [tenant: string]: JsonObject;
}

export interface ComponentResources {
  /** Requests are always set: the scheduler and GOMAXPROCS depend on them. */
  requests: { cpu: string; memory: string };
  /** Optional limits; unset means none. */
  limits?: { cpu?: string; memory?: string };
}

export interface MimirComponentConfig {
  /**
   * Number of pods.
   * @TJS-type integer
   * @minimum 0
   */
  replicas: number;
  resources: ComponentResources;
  /** Extra command-line flags without the leading dash, e.g. `{ "log.level": "debug" }`; `null` removes a flag the library sets. */
  flags: MimirFlags;
}

export interface MimirVolumeConfig {
  /** Size of each pod's PersistentVolumeClaim, e.g. `50Gi`. */
  size: string;
  /** StorageClass of the claims; empty means the cluster's default class. */
  storageClass: string;
}

export interface MimirStatefulComponentConfig extends MimirComponentConfig {
  /** Persistent volume per pod. */
  storage: MimirVolumeConfig;
}

/**
 * `auto`: zone-aware whenever `config.mimir.zoneAwareness.zones` lists zones; `true`: zone-aware (zones required);
 * `false`: one StatefulSet across every zone.
 */
export type MimirZoneAwareness = boolean | 'auto';

/** A stateful component that can be split into one StatefulSet per zone (ingester, store-gateway, alertmanager). */
export interface MimirZonedComponentConfig extends MimirStatefulComponentConfig {
  /**
   * One StatefulSet per zone (`<name>-<zone>`), with Mimir's zone-aware replication on its ring.
   * `replicas` is then the total across zones, split evenly.
   */
  zoneAware: MimirZoneAwareness;
}

/** One failure domain of zone-aware replication. */
export interface MimirZone {
  /**
   * Zone name: in object names (`ingester-<name>`), labels and Mimir's ring
   * (`-ingester.ring.instance-availability-zone`). A DNS-1123 label, e.g. `zone-a`.
   */
  name: string;
  /**
   * Value of `config.mimir.zoneAwareness.topologyKey` on the nodes this zone's pods must run on (required node
   * affinity), e.g. `eu-west-1a`; empty: no node affinity (a logical zone, e.g. on a one-node laptop cluster).
   */
  topologyValue: string;
}

/** Zone-aware replication: the zones, how their pods are placed, how fast the rollout-operator rolls each. */
export interface MimirZonesConfig {
  /** The zones; empty (the default) renders one StatefulSet per component. */
  zones: MimirZone[];
  /** Node label a zone's `topologyValue` is matched against. */
  topologyKey: string;
  /**
   * Pods of one zone the rollout-operator may restart at once (the `rollout-max-unavailable` annotation).
   * @TJS-type integer
   * @minimum 1
   */
  maxUnavailable: number;
}

export interface MimirAlertmanagerConfig extends MimirZonedComponentConfig {
  /** Run the multi-tenant Alertmanager (and point the ruler at it). */
  enabled: boolean;
  /** Alertmanager configuration used for tenants that have not uploaded their own (`alertmanager.fallback_config_file`). */
  fallbackConfig: JsonObject;
}

/** Mimir's continuous test: a client of the stack that writes series, reads them back and counts what fails. */
export interface MimirContinuousTestConfig extends MimirComponentConfig {
  /**
   * Run it (`-target=continuous-test`): it writes series through the gateway as `tenant`, queries them back
   * through the gateway and exports its own success metrics (`mimir_continuous_test_*`).
   */
  enabled: boolean;
  /** The tenant it writes and reads as; keep it apart from real tenants. */
  tenant: string;
  /**
   * Series it writes every 20 s (`-tests.write-read-series-test.num-series`).
   * @TJS-type integer
   * @minimum 1
   */
  numSeries: number;
  /** How often it writes and checks its series (`-tests.run-interval`), e.g. `5m`. */
  runInterval: string;
}

export interface MimirOverridesExporterConfig extends MimirComponentConfig {
  /** Run the overrides-exporter, which exposes per-tenant limits as metrics. */
  enabled: boolean;
}

/** The ruler's own read path (remote mode only): query-frontend, query-scheduler and querier kept apart from user queries. */
export interface MimirRulerReadPathConfig {
  queryFrontend: MimirComponentConfig;
  queryScheduler: MimirComponentConfig;
  querier: MimirComponentConfig;
}

export interface MimirRulerConfig extends MimirComponentConfig {
  /** Run the ruler (recording and alerting rules). */
  enabled: boolean;
  /**
   * `internal`: the ruler evaluates rules itself (queries ingesters and store-gateways directly).
   * `remote`: the ruler sends each rule's query to a query-frontend over gRPC.
   */
  mode: 'internal' | 'remote';
  /** In remote mode, query through a dedicated ruler-query-frontend/-scheduler/-querier instead of the user-facing read path. */
  dedicatedReadPath: boolean;
  /** Replicas, resources and flags of the dedicated read path. */
  readPath: MimirRulerReadPathConfig;
}

export interface MimirConfig {
  /**
   * Shorten the waits Mimir puts in for large clusters (ring stability, ingester min-ready duration)
   * so a small or local installation becomes ready in seconds. Leave off in production.
   */
  fastStartup: boolean;
  /** Spread each component's pods across nodes (`kubernetes.io/hostname`); ingesters and store-gateways strictly. */
  spreadAcrossNodes: boolean;
  /** Spread each component's pods across zones (`topology.kubernetes.io/zone`), best effort. */
  spreadAcrossZones: boolean;
  /** Zone-aware replication of the ingesters and store-gateways (and, opted in, the alertmanagers). */
  zoneAwareness: MimirZonesConfig;
  distributor: MimirComponentConfig;
  ingester: MimirZonedComponentConfig;
  querier: MimirComponentConfig;
  queryFrontend: MimirComponentConfig;
  queryScheduler: MimirComponentConfig;
  storeGateway: MimirZonedComponentConfig;
  compactor: MimirStatefulComponentConfig;
  alertmanager: MimirAlertmanagerConfig;
  overridesExporter: MimirOverridesExporterConfig;
  ruler: MimirRulerConfig;
  /** Mimir's continuous test, off unless enabled. */
  continuousTest: MimirContinuousTestConfig;
  /** The memcached caches (chunks, index, metadata, results), each off unless enabled. */
  caches: MimirCachesConfig;
  /** The rollout-operator, which rolls zone-aware StatefulSets one zone at a time. */
  rolloutOperator: RolloutOperatorConfig;
  /** The stack's own alerting and recording rules and alert routing, for the self-monitoring tenant. */
  selfMonitoringRules: MimirSelfMonitoringRulesConfig;
  /** A partial of Mimir's YAML configuration, deep-merged last into the generated `mimir.yaml` (checked against Mimir's reference). */
  config: JsonObject;
  /** Per-tenant limits, written to the runtime overrides file as `overrides.<tenant>` (reloaded without restarts). */
  tenants: MimirTenants;
}

function component(replicas: number, cpu: string, memory: string): MimirComponentConfig {
  return { replicas, resources: { requests: { cpu, memory } }, flags: {} };
}

function stateful(replicas: number, cpu: string, memory: string, size: string): MimirStatefulComponentConfig {
  return { ...component(replicas, cpu, memory), storage: { size, storageClass: '' } };
}

/**
 * Defaults sized for a small production installation with upstream's replication factor 3; the local
 * environment scales everything to one replica and turns on `fastStartup`.
 */
export function defaultMimirConfig(): MimirConfig {
  return {
    fastStartup: false,
    spreadAcrossNodes: false,
    spreadAcrossZones: false,
    zoneAwareness: { zones: [], topologyKey: 'topology.kubernetes.io/zone', maxUnavailable: 1 },
    distributor: component(2, '500m', '512Mi'),
    ingester: { ...stateful(3, '1', '2Gi', '20Gi'), zoneAware: 'auto' },
    querier: component(2, '500m', '1Gi'),
    queryFrontend: component(2, '250m', '512Mi'),
    queryScheduler: component(2, '100m', '128Mi'),
    storeGateway: { ...stateful(3, '500m', '1Gi', '10Gi'), zoneAware: 'auto' },
    compactor: stateful(1, '500m', '1Gi', '20Gi'),
    alertmanager: {
      ...stateful(3, '100m', '256Mi', '1Gi'),
      // Opt-in: its state is small and replicated anyway; zones add three StatefulSets for little gain.
      zoneAware: false,
      enabled: true,
      fallbackConfig: { receivers: [{ name: 'default-receiver' }], route: { receiver: 'default-receiver' } },
    },
    overridesExporter: { ...component(1, '100m', '128Mi'), enabled: true },
    ruler: {
      ...component(2, '250m', '512Mi'),
      enabled: true,
      mode: 'remote',
      dedicatedReadPath: false,
      readPath: {
        queryFrontend: component(2, '250m', '512Mi'),
        queryScheduler: component(2, '100m', '128Mi'),
        querier: component(2, '500m', '1Gi'),
      },
    },
    continuousTest: {
      ...component(1, '50m', '64Mi'),
      enabled: false,
      tenant: 'mimir-continuous-test',
      numSeries: 1000,
      runInterval: '5m',
    },
    caches: defaultCachesConfig(),
    rolloutOperator: defaultRolloutOperatorConfig(),
    selfMonitoringRules: defaultSelfMonitoringRulesConfig(),
    config: {},
    tenants: {},
  };
}

/** What Mimir's components read: the shared config and the `mimir` slice. */
export interface MimirStackConfig extends SharedConfig {
  mimir: MimirConfig;
}
