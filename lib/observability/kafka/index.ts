/**
 * A single-node Apache Kafka in KRaft combined mode (broker and controller in one process, no ZooKeeper):
 * the log the ingest-storage architecture writes through, for laptops and tests. Mimir reaches it through
 * `endpoint('kafka')`; the broker advertises the same Service address, so clients that bootstrap from the
 * Service keep talking to it.
 */
import type { ObservabilityStackConfig } from '../config.js';
import { defineComponent, endpointHostPort, type Endpoint } from '../../core/registry.js';
import { selectorLabels } from '../../core/k8s/meta.js';
import { container, tcpProbe } from '../../core/k8s/container.js';
import { configMap } from '../../core/k8s/objects.js';
import { headlessServiceFor, serviceFor } from '../../core/k8s/service.js';
import type { ConfigMap, Service, StatefulSet } from '../../core/k8s/types.js';
import { restrictedPodSecurityContext, statefulSet, volume } from '../../core/k8s/workload.js';
import type { Problem } from '../../core/problems.js';
import { syncWave, syncWaves } from '../../core/k8s/waves.js';
import type { Rule } from '../../core/checks/context.js';

export const kafkaPorts = { kafka: 9092, controller: 9093 } as const;

/** The bootstrap address Mimir's distributors, ingesters, rulers and query-frontends use. */
export const kafkaEndpoint: Endpoint = { service: 'kafka', port: kafkaPorts.kafka, portName: 'kafka' };

export const kafkaNames = {
  statefulSet: 'kafka',
  service: 'kafka',
  headlessService: 'kafka-headless',
  configMap: 'kafka-config',
} as const;

export const kafkaPaths = {
  configDir: '/etc/kafka',
  configFile: '/etc/kafka/server.properties',
  /** `log.dirs`: the partitions' data, on the claim. */
  dataDir: '/var/lib/kafka/data',
  /** The start scripts write their own logs (server.log, GC log) under `LOG_DIR`; the root file system is read-only. */
  logDir: '/opt/kafka/logs',
  bin: '/opt/kafka/bin',
} as const;

/** The image runs as `appuser` (uid 1000); fsGroup makes the data volume writable for it. */
const uid = 1000;

/** The broker's `server.properties`, as ordered key-value pairs. */
export function serverProperties(c: ObservabilityStackConfig): [string, string][] {
  const k = c.observability.kafka;
  return [
    // One process is broker and controller; its own controller quorum is itself.
    ['process.roles', 'broker,controller'],
    ['node.id', '0'],
    ['controller.quorum.voters', `0@localhost:${kafkaPorts.controller}`],
    ['controller.listener.names', 'CONTROLLER'],
    // Clients on every interface; the controller only on the loopback interface (nothing outside the pod needs it).
    ['listeners', `PLAINTEXT://:${kafkaPorts.kafka},CONTROLLER://localhost:${kafkaPorts.controller}`],
    ['advertised.listeners', `PLAINTEXT://${endpointHostPort(c, kafkaEndpoint)}`],
    ['listener.security.protocol.map', 'PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT'],
    ['inter.broker.listener.name', 'PLAINTEXT'],
    ['log.dirs', kafkaPaths.dataDir],
    // One broker: every internal topic has one replica, or the broker waits forever for the others.
    ['offsets.topic.replication.factor', '1'],
    ['transaction.state.log.replication.factor', '1'],
    ['transaction.state.log.min.isr', '1'],
    ['share.coordinator.state.topic.replication.factor', '1'],
    ['share.coordinator.state.topic.min.isr', '1'],
    ['default.replication.factor', '1'],
    ['min.insync.replicas', '1'],
    // Mimir creates its topic with the partition count it is configured with; nothing else creates topics.
    ['auto.create.topics.enable', 'false'],
    ['group.initial.rebalance.delay.ms', '0'],
    ['log.retention.hours', String(k.retentionHours)],
    // Small segments so retention frees disk on a small volume instead of waiting for a 1 GiB segment to fill.
    ['log.segment.bytes', String(64 * 2 ** 20)],
  ];
}

export function serverPropertiesText(c: ObservabilityStackConfig): string {
  return serverProperties(c)
    .map(([key, value]) => `${key}=${value}\n`)
    .join('');
}

function kafkaConfigMap(c: ObservabilityStackConfig): ConfigMap {
  return configMap({
    name: kafkaNames.configMap,
    namespace: c.namespace,
    labels: selectorLabels('kafka', 'config', c.partOf),
    annotations: syncWave(syncWaves.storage),
    data: { 'server.properties': serverPropertiesText(c) },
  });
}

function kafkaStatefulSet(c: ObservabilityStackConfig): StatefulSet {
  const k = c.observability.kafka;
  const mounts = [
    { name: 'config', mountPath: kafkaPaths.configFile, subPath: 'server.properties', readOnly: true },
    { name: 'data', mountPath: kafkaPaths.dataDir },
    { name: 'logs', mountPath: kafkaPaths.logDir },
    // The JVM keeps its perf data and temporary files under /tmp.
    { name: 'tmp', mountPath: '/tmp' },
  ];
  const env = { KAFKA_HEAP_OPTS: `-Xms${k.heap} -Xmx${k.heap}`, LOG_DIR: kafkaPaths.logDir };
  // KRaft needs its data directory formatted with the cluster ID once; `--ignore-formatted` makes every later start a no-op.
  const format = container({
    name: 'format-storage',
    image: c.images.kafka,
    command: [
      `${kafkaPaths.bin}/kafka-storage.sh`,
      'format',
      '--cluster-id',
      k.clusterId,
      '--config',
      kafkaPaths.configFile,
      '--ignore-formatted',
    ],
    env,
    resources: k.resources,
    volumeMounts: mounts,
  });
  const broker = container({
    name: 'kafka',
    image: c.images.kafka,
    command: [`${kafkaPaths.bin}/kafka-server-start.sh`, kafkaPaths.configFile],
    ports: { kafka: kafkaPorts.kafka },
    env,
    resources: k.resources,
    readinessProbe: tcpProbe('kafka', { initialDelaySeconds: 5, periodSeconds: 5 }),
    livenessProbe: tcpProbe('kafka', { initialDelaySeconds: 60, periodSeconds: 10, failureThreshold: 6 }),
    volumeMounts: mounts,
  });
  return statefulSet({
    name: kafkaNames.statefulSet,
    namespace: c.namespace,
    annotations: syncWave(syncWaves.storage),
    selector: selectorLabels('kafka', 'broker', c.partOf),
    replicas: 1,
    serviceName: kafkaNames.headlessService,
    volumeClaims: [{ name: 'data', size: k.storageSize, storageClassName: k.storageClassName }],
    pod: {
      initContainers: [format],
      containers: [broker],
      volumes: [volume.configMap('config', kafkaNames.configMap), volume.emptyDir('logs'), volume.emptyDir('tmp')],
      securityContext: restrictedPodSecurityContext(uid, uid),
      // A clean shutdown closes the log segments; a killed broker recovers them on the next start (slower).
      terminationGracePeriodSeconds: 60,
    },
  });
}

export interface KafkaComponent {
  statefulSet: StatefulSet;
  /** `kafka:9092`, the bootstrap address clients use. */
  service: Service;
  /** `kafka-headless`: the StatefulSet's governing Service (stable pod DNS names). */
  headlessService: Service;
  configMap: ConfigMap;
}

export function kafka(c: ObservabilityStackConfig): KafkaComponent {
  const sts = kafkaStatefulSet(c);
  return {
    statefulSet: sts,
    service: serviceFor(sts, { name: kafkaNames.service, annotations: syncWave(syncWaves.storage) }),
    headlessService: headlessServiceFor(sts, {
      name: kafkaNames.headlessService,
      annotations: syncWave(syncWaves.storage),
      // The broker must resolve its own pod name before it reports ready.
      publishNotReadyAddresses: true,
    }),
    configMap: kafkaConfigMap(c),
  };
}

/** A KRaft cluster ID: a UUID in base64url without padding, 22 characters, not all zeros. */
const clusterIdForm = /^[A-Za-z0-9_-]{21}[AQgw]$/;
/** A Java memory size as `-Xmx` takes it. */
const javaSize = /^[1-9][0-9]*[kKmMgG]?$/;

/** Values Kafka refuses at start-up, refused at build time with the path and the fix. */
export function kafkaRules(c: ObservabilityStackConfig): Rule[] {
  const config: Rule = (ctx) => {
    const k = c.observability.kafka;
    const out: Problem[] = [];
    if (typeof k.clusterId !== 'string' || !clusterIdForm.test(k.clusterId) || /^A+[AQgw]$/.test(k.clusterId))
      out.push({
        source: ctx.source,
        path: 'config.observability.kafka.clusterId',
        message: 'kafka-storage.sh format refuses this KRaft cluster ID',
        expected: 'a UUID in base64url without padding: 22 characters of A-Z a-z 0-9 - _ (not all zeros)',
        found: JSON.stringify(k.clusterId),
        hint: 'generate one with `kafka-storage.sh random-uuid`, or keep the default',
      });
    if (typeof k.heap !== 'string' || !javaSize.test(k.heap))
      out.push({
        source: ctx.source,
        path: 'config.observability.kafka.heap',
        message: 'the JVM heap size is not a Java memory size; the JVM would not start',
        expected: 'a number with an optional unit k, m or g, e.g. "256m" or "1g"',
        found: JSON.stringify(k.heap),
        hint: 'e.g. "256m" (Kubernetes units such as "256Mi" are not Java units)',
      });
    return out;
  };
  return [config];
}

/** Apache Kafka for the ingest-storage architecture, when `observability.kafka.enabled`. */
export const kafkaComponent = defineComponent({
  group: 'observability',
  key: 'kafka',
  description: 'Single-node Apache Kafka (KRaft) for the ingest-storage architecture',
  config: 'observability.kafka',
  enabled: (c: ObservabilityStackConfig) => c.observability.kafka.enabled,
  render: kafka,
  checks: kafkaRules,
  endpoints: () => ({ kafka: kafkaEndpoint }),
});
