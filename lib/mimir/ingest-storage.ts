/**
 * The ingest-storage architecture: distributors (and the ruler) write every series to a Kafka topic,
 * ingesters consume the partition of their ordinal and own it in the partition ring, queries read what
 * the ingesters consumed. Facts from Mimir 3.0's reference (`ingest_storage`, `ingester.partition_ring`,
 * the hidden `ingester.push_grpc_method_enabled`) and the settings the jsonnet library applies per component.
 */
import type { JsonObject, MimirStackConfig } from './config.js';
import type { EnvSource, Flags } from '../core/k8s/container.js';
import type { Problem } from '../core/problems.js';
import { endpointHostPort, type ExporterSource, type StackView } from '../core/registry.js';
import { allContainers, pods, problemAt, type Rule } from '../core/checks/context.js';
import type { TreeEntry } from '../core/tree.js';
import { configFileDocuments } from './config-files.js';
import { files, targets } from './names.js';
import { isZoneAware, replicasPerZone } from './zones.js';

export function ingestStorageEnabled(c: MimirStackConfig): boolean {
  return c.mimir.architecture === 'ingest-storage';
}

/** `${VAR}` placeholders of the SASL credentials in mimir.yaml; the values come from the Secret. */
export const kafkaSaslEnv = { username: 'KAFKA_SASL_USERNAME', password: 'KAFKA_SASL_PASSWORD' } as const;

/** The bootstrap address Mimir's Kafka clients use: the configured one, or the stack's Kafka (`endpoint('kafka')`). */
export function kafkaAddress(c: MimirStackConfig, stack: StackView): string {
  const k = c.mimir.ingestStorage.kafka;
  return k.source === 'external' ? k.address : endpointHostPort(c, stack.endpoint('kafka'));
}

/**
 * The `mimir.yaml` part every component reads: Mimir validates `ingest_storage` in every component (the
 * address and topic are required once it is enabled), so it is shared rather than given per component.
 */
export function ingestStorageYaml(c: MimirStackConfig, stack: StackView): JsonObject {
  if (!ingestStorageEnabled(c)) return {};
  const k = c.mimir.ingestStorage.kafka;
  const kafka: JsonObject = {
    address: kafkaAddress(c, stack),
    topic: k.topic,
    auto_create_topic_enabled: true,
    auto_create_topic_default_partitions: k.partitions,
  };
  if (k.clientId) kafka.client_id = k.clientId;
  if (k.sasl.secretName) {
    kafka.sasl_username = `\${${kafkaSaslEnv.username}}`;
    kafka.sasl_password = `\${${kafkaSaslEnv.password}}`;
  }
  return {
    ingest_storage: { enabled: true, kafka },
    limits: { ingest_storage_read_consistency: c.mimir.ingestStorage.readConsistency },
  };
}

/** Polling the last produced offsets every 500 ms (not 1 s) halves the wait of a strongly consistent read. */
const lastProducedOffsetPoll = { 'ingest-storage.kafka.last-produced-offset-poll-interval': '500ms' };

/**
 * Flags a component gets under ingest storage, by Mimir target (the ruler's own query-frontend is a
 * query-frontend too). The user's `flags` are merged over them.
 */
export function ingestStorageFlags(c: MimirStackConfig, target: string): Flags {
  if (!ingestStorageEnabled(c)) return {};
  switch (target) {
    case targets.distributor:
      // Writing to Kafka takes longer than a push to ingesters; the remote timeout also bounds the Kafka write.
      return { 'distributor.remote-timeout': '5s' };
    case targets.ingester:
      return {
        // Everything arrives through Kafka; a stray gRPC push would bypass the log and be lost on replay.
        'ingester.push-grpc-method-enabled': false,
        ...lastProducedOffsetPoll,
        // Fewer offset commits; an abrupt stop replays a few seconds of records (a clean stop commits anyway).
        'ingest-storage.kafka.consumer-group-offset-commit-interval': '5s',
      };
    case targets.queryFrontend:
      // The query-frontend fetches the last produced offsets that strongly consistent queries wait for.
      return { ...lastProducedOffsetPoll };
    default:
      return {};
  }
}

/** The SASL credentials as environment variables from their Secret, for every Mimir pod (all read mimir.yaml). */
export function ingestStorageEnv(c: MimirStackConfig): Record<string, EnvSource> {
  const sasl = c.mimir.ingestStorage.kafka.sasl;
  if (!ingestStorageEnabled(c) || !sasl.secretName) return {};
  return {
    [kafkaSaslEnv.username]: { secret: sasl.secretName, key: sasl.usernameKey },
    [kafkaSaslEnv.password]: { secret: sasl.secretName, key: sasl.passwordKey },
  };
}

/**
 * The Kafka Mimir writes through, for Alloy's Kafka exporter: the same bootstrap address, and with SASL the
 * same Secret (Alloy's container gets its keys as the env vars Mimir's pods use). Its series describe the
 * topic's partitions and Mimir's consumer groups (one per ingester), so they take `job` `<namespace>/kafka`.
 */
export function kafkaExporters(c: MimirStackConfig, stack: StackView): ExporterSource[] {
  if (!ingestStorageEnabled(c)) return [];
  const env = ingestStorageEnv(c);
  return [
    {
      exporter: 'kafka',
      name: 'kafka',
      addresses: [kafkaAddress(c, stack)],
      ...(Object.keys(env).length
        ? { sasl: { usernameEnv: kafkaSaslEnv.username, passwordEnv: kafkaSaslEnv.password, env } }
        : {}),
    },
  ];
}

/**
 * Kafka client IDs Mimir's Kafka client sends as they are: at most 255 characters (franz-go's limit), and
 * only the characters the jsonnet library allows (some Kafka-compatible backends parse `key=value,...` from it).
 */
const clientIdForm = /^[A-Za-z0-9._\-=,]*$/;
export const clientIdExpected = 'at most 255 characters of a-z A-Z 0-9 . _ - = , (e.g. "mimir" or "az=eu-west-1a")';

export function clientIdProblem(id: string): string | undefined {
  if (id.length > 255) return `is ${id.length} characters long; Kafka clients send at most 255`;
  const bad = [...new Set([...id].filter((ch) => !clientIdForm.test(ch)))];
  if (bad.length)
    return `contains ${bad.map((ch) => JSON.stringify(ch)).join(', ')}, which Mimir's Kafka client ID may not`;
  return undefined;
}

const hostPort = /^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?:[0-9]{1,5}$/;

function at(doc: unknown, path: readonly string[]): unknown {
  let v: unknown = doc;
  for (const k of path) v = v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as JsonObject)[k] : undefined;
  return v;
}

/** Components with flags in `config.mimir` (and the ruler's read path), for the client-ID check. */
function flagSettings(c: MimirStackConfig): { path: string; flags: Record<string, unknown> }[] {
  const out: { path: string; flags: Record<string, unknown> }[] = [];
  for (const [key, value] of Object.entries(c.mimir)) {
    const flags = (value as { flags?: unknown } | null)?.flags;
    if (flags && typeof flags === 'object')
      out.push({ path: `config.mimir.${key}.flags`, flags: flags as Record<string, unknown> });
  }
  for (const [key, value] of Object.entries(c.mimir.ruler?.readPath ?? {})) {
    const flags = (value as { flags?: unknown } | null)?.flags;
    if (flags && typeof flags === 'object')
      out.push({ path: `config.mimir.ruler.readPath.${key}.flags`, flags: flags as Record<string, unknown> });
  }
  return out;
}

/**
 * What cannot work under ingest storage, refused before anything renders: the ruler evaluating rules
 * itself, fewer partitions than ingesters per zone, a Kafka client ID Mimir's client would send broken,
 * zone settings the partition ring cannot satisfy, and a Kafka address that is missing or names no
 * rendered Kafka. Each names the config path, the expected form, what was found and the fix.
 */
export function ingestStorageProblems(c: MimirStackConfig, stack: StackView, source: string): Problem[] {
  if (!ingestStorageEnabled(c)) return [];
  const out: Problem[] = [];
  const m = c.mimir;
  const k = m.ingestStorage.kafka;

  if (m.ruler.enabled && m.ruler.mode !== 'remote')
    out.push({
      source,
      path: 'config.mimir.ruler.mode',
      message:
        'ingest storage needs the ruler in remote mode: an internal ruler queries the ingesters directly, which ingest storage does not support',
      expected: '"remote" (or the ruler disabled)',
      found: JSON.stringify(m.ruler.mode),
      hint: 'set config.mimir.ruler.mode: "remote"; the ruler then queries through a query-frontend',
    });

  if (k.source === 'external') {
    if (!k.address)
      out.push({
        source,
        path: 'config.mimir.ingestStorage.kafka.address',
        message: 'an external Kafka without an address: Mimir refuses to start without ingest_storage.kafka.address',
        expected: 'the bootstrap address host:port, e.g. "kafka-bootstrap.kafka.svc.cluster.local:9092"',
        found: '""',
        hint: 'set the address of your Kafka, or source: "bundled" with config.observability.kafka.enabled: true',
      });
    else if (!hostPort.test(k.address))
      out.push({
        source,
        path: 'config.mimir.ingestStorage.kafka.address',
        message:
          'the Kafka address is not host:port: Mimir 3.0 passes it to its Kafka client as one seed broker, without a scheme',
        expected: 'one host:port, e.g. "kafka-bootstrap.kafka.svc.cluster.local:9092"',
        found: JSON.stringify(k.address),
        hint: k.address.includes(',')
          ? 'give one bootstrap address (a DNS name that resolves to the brokers); the client discovers the others'
          : 'write host:port without a scheme or path',
      });
  } else {
    if (!stack.has('kafka'))
      out.push({
        source,
        path: 'config.observability.kafka.enabled',
        message: `ingest storage uses the bundled Kafka, but it is not rendered: Mimir's Kafka address ${endpointHostPort(c, stack.endpoint('kafka'))} would name no Service`,
        expected: 'true (with config.mimir.ingestStorage.kafka.source: "bundled")',
        found: 'false',
        hint: 'set config.observability.kafka.enabled: true, or point Mimir at your Kafka: ingestStorage.kafka { source: "external", address }',
      });
    if (k.address)
      out.push({
        source,
        path: 'config.mimir.ingestStorage.kafka.address',
        message: 'an address is set, but the bundled Kafka is used: the address would be ignored',
        expected: '"" with source "bundled"',
        found: JSON.stringify(k.address),
        hint: 'remove the address, or set source: "external" to use it',
      });
    if (k.sasl.secretName)
      out.push({
        source,
        path: 'config.mimir.ingestStorage.kafka.sasl.secretName',
        message: 'SASL credentials for the bundled Kafka, which listens without SASL: Mimir would fail to authenticate',
        expected: '"" with source "bundled"',
        found: JSON.stringify(k.sasl.secretName),
        hint: 'remove sasl.secretName, or use an external Kafka that has SASL',
      });
  }

  // Client IDs: the library's setting, one set in mimir.yaml, and any set as a flag of a component.
  const ids: { path: string; id: unknown }[] = [
    { path: 'config.mimir.ingestStorage.kafka.clientId', id: k.clientId },
    {
      path: 'config.mimir.config.ingest_storage.kafka.client_id',
      id: at(m.config, ['ingest_storage', 'kafka', 'client_id']),
    },
    ...flagSettings(c).map((s) => ({
      path: `${s.path}["ingest-storage.kafka.client-id"]`,
      id: s.flags['ingest-storage.kafka.client-id'],
    })),
  ];
  for (const { path, id } of ids) {
    if (typeof id !== 'string') continue;
    const problem = clientIdProblem(id);
    if (problem)
      out.push({
        source,
        path,
        message: `the Kafka client ID ${problem}`,
        expected: clientIdExpected,
        found: id.length > 40 ? `${JSON.stringify(id.slice(0, 40))}… (${id.length} characters)` : JSON.stringify(id),
        hint: 'use letters, digits and . _ - = , only; separate key=value options with ","',
      });
  }

  // Each ingester consumes the partition of its ordinal (ingester-zone-a-3 → partition 3): a zone of N
  // ingesters needs partitions 0…N-1, or its last ingesters have nothing to consume and reads miss data.
  const partitionsSet = at(m.config, ['ingest_storage', 'kafka', 'auto_create_topic_default_partitions']);
  const autoCreate = at(m.config, ['ingest_storage', 'kafka', 'auto_create_topic_enabled']);
  const partitions =
    typeof partitionsSet === 'number'
      ? { value: partitionsSet, path: 'config.mimir.config.ingest_storage.kafka.auto_create_topic_default_partitions' }
      : { value: k.partitions, path: 'config.mimir.ingestStorage.kafka.partitions' };
  const zoned = isZoneAware(c, 'ingester');
  const perZone = zoned ? replicasPerZone(c, 'ingester') : m.ingester.replicas;
  if (autoCreate !== false && partitions.value >= 1 && partitions.value < perZone)
    out.push({
      source,
      path: partitions.path,
      message: `${partitions.value} partition${partitions.value === 1 ? '' : 's'} for ${perZone} ingesters${zoned ? ' per zone' : ''}: each ingester consumes the partition of its ordinal, so ingester ${zoned ? 'ordinals' : 'pods'} ${partitions.value}…${perZone - 1} would own partitions the topic does not have`,
      expected: `at least ${perZone} (the ingesters${zoned ? ' per zone' : ''})`,
      found: String(partitions.value),
      hint: `set ${partitions.path.replace('config.', '')} to ${perZone} or more (more leaves room to scale out), or lower config.mimir.ingester.replicas`,
    });
  else if (autoCreate !== false && partitions.value === -1)
    out.push({
      source,
      path: partitions.path,
      message:
        "-1 creates the topic with the broker's default partition count, which the build cannot check against the ingesters",
      expected: `a partition count of at least ${perZone}`,
      found: '-1',
      hint: `set ${partitions.path.replace('config.', '')} to ${perZone} or more`,
    });

  // Zones: every zone holds a full copy of every partition. The jsonnet library runs ingest storage on two or
  // three ingester zones; a partition becomes ACTIVE only once it has min_partition_owners_count owners.
  const zones = m.zoneAwareness.zones.length;
  if (zoned && (zones < 2 || zones > 3))
    out.push({
      source,
      path: 'config.mimir.zoneAwareness.zones',
      message: `ingest storage runs zone-aware ingesters on 2 or 3 zones (each zone consumes every partition); ${zones} ${zones === 1 ? 'is' : 'are'} configured`,
      expected: '2 or 3 zones',
      found: `${zones} zone${zones === 1 ? '' : 's'}`,
      hint:
        zones < 2
          ? 'add a zone, or set config.mimir.ingester.zoneAware: false'
          : 'use 3 zones; a fourth copy of every partition buys nothing',
    });
  const ownersSet = at(m.config, ['ingester', 'partition_ring', 'min_partition_owners_count']);
  const owners = zoned ? zones : 1;
  if (typeof ownersSet === 'number' && ownersSet > owners)
    out.push({
      source,
      path: 'config.mimir.config.ingester.partition_ring.min_partition_owners_count',
      message: `a partition becomes ACTIVE only with ${ownersSet} owners, but each partition has ${owners} (one ingester per ${zoned ? 'zone' : 'partition without zones'}): no partition would take writes`,
      expected: `at most ${owners}`,
      found: String(ownersSet),
      hint: `set it to ${owners}${zoned ? '' : ', or make the ingesters zone-aware'}`,
    });
  return out;
}

const clientIdFlag = '-ingest-storage.kafka.client-id=';

/**
 * The client ID as the tree leaves it (an override of `mimir.yaml` or of a container's args can set one the
 * config never saw): in every `mimir.yaml` and in the args of every container running the Mimir image.
 */
export function kafkaClientIdRule(isMimirImage: (image: string) => boolean): Rule {
  return (ctx) => {
    const out: Problem[] = [];
    const report = (e: TreeEntry, pointer: string, id: string) => {
      const problem = clientIdProblem(id);
      if (problem)
        out.push(
          problemAt(ctx, e, {
            pointer,
            message: `the Kafka client ID ${problem}`,
            expected: clientIdExpected,
            found: JSON.stringify(id.length > 40 ? `${id.slice(0, 40)}…` : id),
            hint: 'use letters, digits and . _ - = , only; fix it in the override that sets it',
          }),
        );
    };
    for (const { entry, doc } of configFileDocuments(ctx.entries, files.mimir)) {
      const id = at(doc, ['ingest_storage', 'kafka', 'client_id']);
      if (typeof id === 'string') report(entry, `/data/${files.mimir}`, id);
    }
    for (const pod of pods(ctx.entries))
      for (const { container, pointer } of allContainers(pod.spec)) {
        if (!container.image || !isMimirImage(container.image)) continue;
        (container.args ?? []).forEach((a, i) => {
          if (a.startsWith(clientIdFlag))
            report(pod.entry, `${pod.pointer}${pointer}/args/${i}`, a.slice(clientIdFlag.length));
        });
      }
    return out;
  };
}
