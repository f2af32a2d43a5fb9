import type { SharedConfig } from '../core/config.js';
import type { MimirComponentsConfig } from './index.js';
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

/** Mimir's write path. */
export type MimirArchitecture = 'classic' | 'ingest-storage';

/**
 * SASL/PLAIN credentials of an external Kafka, from a Secret the cluster provides (never inline). Mimir 3.0's
 * Kafka client has no TLS, so they travel unencrypted: keep the brokers on a network you trust.
 */
export interface MimirKafkaSaslConfig {
  /** Secret holding the username and password; empty means no SASL. List it in `existingSecrets`. */
  secretName: string;
  usernameKey: string;
  passwordKey: string;
}

/** Where the ingest-storage architecture's Kafka is and how Mimir uses it. */
export interface MimirKafkaConfig {
  /**
   * `bundled`: the stack's own single-node Kafka (`config.observability.kafka.enabled`), addressed through
   * its Service. `external`: an existing Kafka cluster at `addresses`.
   */
  source: 'bundled' | 'external';
  /**
   * Bootstrap address of an external Kafka, `host:port` (`external` only). One address: Mimir 3.0 hands it to
   * its Kafka client as its single seed broker, so name a DNS entry that resolves to the brokers (the
   * bootstrap Service of a Kafka operator, a managed Kafka's bootstrap host).
   */
  address: string;
  /** The topic every write goes through (Mimir creates it when missing). */
  topic: string;
  /**
   * Partitions Mimir creates the topic with (`auto_create_topic_default_partitions`). Each ingester of a zone
   * owns the partition of its ordinal, so at least the number of ingesters per zone; more leaves room to
   * scale the ingesters out without re-partitioning.
   * @TJS-type integer
   * @minimum 1
   */
  partitions: number;
  /**
   * Kafka client ID of every Mimir component (`ingest_storage.kafka.client_id`); empty leaves Mimir's default.
   * At most 255 characters of a-z A-Z 0-9 . _ - = , (some Kafka-compatible backends read options from it).
   */
  clientId: string;
  /** SASL credentials (external Kafka). */
  sasl: MimirKafkaSaslConfig;
}

/** The ingest-storage architecture: Kafka, and the read consistency queries get by default. */
export interface MimirIngestStorageConfig {
  kafka: MimirKafkaConfig;
  /**
   * Default read consistency of queries (the `ingest_storage_read_consistency` limit, per tenant in
   * `tenants`): `eventual` answers from what the ingesters have consumed; `strong` first waits until they
   * have consumed everything written before the query (read-after-write, slower).
   */
  readConsistency: 'eventual' | 'strong';
}

/** The stack-wide Mimir knobs; each component's own slice is declared by the registry (`index.ts`). */
export interface MimirSharedConfig {
  /**
   * `classic`: distributors push each series to its ingesters over gRPC. `ingest-storage`: distributors
   * write to Kafka and ingesters consume their partition from it (Mimir 3's preferred architecture; needs
   * Kafka, see `ingestStorage`, and the ruler in remote mode).
   */
  architecture: MimirArchitecture;
  /** Kafka and read consistency of the ingest-storage architecture (ignored by `classic`). */
  ingestStorage: MimirIngestStorageConfig;
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
  /** A partial of Mimir's YAML configuration, deep-merged last into the generated `mimir.yaml` (checked against Mimir's reference). */
  config: JsonObject;
  /** Per-tenant limits, written to the runtime overrides file as `overrides.<tenant>` (reloaded without restarts). */
  tenants: MimirTenants;
}

/** The `mimir` slice of the stack's config: the shared knobs and one slice per component. */
export interface MimirConfig extends MimirSharedConfig, MimirComponentsConfig {}

/** A component's slice: replicas, requests, no extra flags. */
export function component(replicas: number, cpu: string, memory: string): MimirComponentConfig {
  return { replicas, resources: { requests: { cpu, memory } }, flags: {} };
}

/** A stateful component's slice: `component` plus a volume per pod. */
export function stateful(replicas: number, cpu: string, memory: string, size: string): MimirStatefulComponentConfig {
  return { ...component(replicas, cpu, memory), storage: { size, storageClass: '' } };
}

/** Shared defaults; `defaultMimirConfig` (index.ts) adds each component's own. */
export function defaultMimirSharedConfig(): MimirSharedConfig {
  return {
    architecture: 'classic',
    ingestStorage: {
      kafka: {
        source: 'bundled',
        address: '',
        topic: 'mimir-ingest',
        partitions: 3,
        clientId: '',
        sasl: { secretName: '', usernameKey: 'username', passwordKey: 'password' },
      },
      readConsistency: 'eventual',
    },
    fastStartup: false,
    spreadAcrossNodes: false,
    spreadAcrossZones: false,
    zoneAwareness: { zones: [], topologyKey: 'topology.kubernetes.io/zone', maxUnavailable: 1 },
    config: {},
    tenants: {},
  };
}

/** What Mimir's components read: the shared config and the `mimir` slice. */
export interface MimirStackConfig extends SharedConfig {
  mimir: MimirConfig;
}
