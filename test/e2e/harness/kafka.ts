/**
 * The apache/kafka image, as the harness runs it: its `/opt/kafka/bin/*.sh` scripts are thin wrappers of
 * `kafka-run-class.sh`, which starts `java` with a heap, GC and logging options (from the environment, else
 * its defaults) and one main class. The harness does what those scripts do with the jars
 * test/peers/kafka/build.sh assembled from Maven Central at the pinned version: same main classes, same
 * arguments, same environment variables read, the rendered ConfigMap's server.properties.
 */
import { existsSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';

/** The scripts of the image's /opt/kafka/bin that the harness stands in for, and their main classes. */
export const kafkaScripts: Record<string, string> = {
  'kafka-storage.sh': 'kafka.tools.StorageTool',
  'kafka-server-start.sh': 'kafka.Kafka',
  'kafka-topics.sh': 'org.apache.kafka.tools.TopicCommand',
  'kafka-broker-api-versions.sh': 'org.apache.kafka.tools.BrokerApiVersionsCommand',
  'kafka-metadata-quorum.sh': 'org.apache.kafka.tools.MetadataQuorumCommand',
};

/** The names a container's `command[0]` may use for those scripts (absolute in the image, or on its PATH). */
export const kafkaScriptNames = Object.keys(kafkaScripts).flatMap((s) => [s, `/opt/kafka/bin/${s}`]);

/** The image's defaults when the variable is unset (kafka-run-class.sh and kafka-server-start.sh of Kafka 4.1). */
const defaults = {
  /** kafka-server-start.sh sets this heap when KAFKA_HEAP_OPTS is unset; kafka-run-class.sh's own default is 256M. */
  serverHeap: '-Xmx1G -Xms1G',
  toolHeap: '-Xmx256M',
  performance:
    '-server -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:InitiatingHeapOccupancyPercent=35 -XX:+ExplicitGCInvokesConcurrent -Djava.awt.headless=true',
  logDir: '/opt/kafka/logs',
};

/** What the harness needs of the assembled broker: the cache folder (libs/, log4j2.properties, kafka.stamp). */
export interface KafkaHome {
  /** `${XDG_CACHE_HOME:-~/.cache}/mimir-kube/kafka-<version>` */
  home: string;
  version: string;
}

/** The pinned image's version (lib/core/versions.json `kafka`), or undefined when nothing pins Kafka. */
export function pinnedKafka(repoRoot: string): { image: string; version: string } | undefined {
  const versions = JSON.parse(readFileSync(join(repoRoot, 'lib/core/versions.json'), 'utf8')) as Record<string, string>;
  const image = versions.kafka;
  if (!image) return undefined;
  return { image, version: image.replace(/^.*:/, '') };
}

/** Why the assembled broker is missing or stale, or undefined when `home` holds it. */
export function kafkaMissing(k: KafkaHome): string | undefined {
  const stamp = join(k.home, 'kafka.stamp');
  const jar = join(k.home, 'libs', `kafka_2.13-${k.version}.jar`);
  if (!existsSync(stamp) || !existsSync(jar))
    return `${k.home} (the Kafka ${k.version} broker's jars: bash test/peers/kafka/build.sh)`;
  if (!readFileSync(stamp, 'utf8').startsWith(`kafka ${k.version} `))
    return `${stamp} names another version than ${k.version} (bash test/peers/kafka/build.sh)`;
  return undefined;
}

const words = (s: string | undefined): string[] => (s ?? '').split(/\s+/).filter(Boolean);

/**
 * The `java` command line for one of the image's scripts with its arguments, as kafka-run-class.sh builds it
 * from the container's environment: KAFKA_HEAP_OPTS, KAFKA_JVM_PERFORMANCE_OPTS, LOG_DIR, KAFKA_LOG4J_OPTS,
 * KAFKA_OPTS (each word-split like the script's unquoted expansion). `env` is the container's environment as
 * rendered, `remap` turns a container path into this machine's (applied to what comes from `env` and the
 * image's defaults, once); `args` are used as given. `classpath` is the folder of the jars, `log4jConfig` the
 * stdout configuration that replaces the image's /opt/kafka/config/log4j2.yaml.
 */
export function kafkaJavaArgs(
  script: string,
  args: string[],
  env: Record<string, string>,
  classpath: string,
  log4jConfig: string,
  remap: (containerText: string) => string,
): { argv: string[]; mainClass: string } {
  const name = script.replace(/^.*\//, '');
  const mainClass = kafkaScripts[name];
  if (!mainClass) throw new Error(`${script} is not a script of the apache/kafka image the harness stands in for`);
  const server = name === 'kafka-server-start.sh';
  const logDir = env.LOG_DIR ?? defaults.logDir;
  const jvm = [
    ...words(env.KAFKA_HEAP_OPTS ?? (server ? defaults.serverHeap : defaults.toolHeap)),
    ...words(env.KAFKA_JVM_PERFORMANCE_OPTS ?? defaults.performance),
    // kafka-server-start.sh's `-loggc`: the GC log goes to LOG_DIR (which must therefore be writable).
    ...(server ? [`-Xlog:gc*:file=${logDir}/kafkaServer-gc.log:time,tags:filecount=10,filesize=100M`] : []),
    `-Dkafka.logs.dir=${logDir}`,
    // Not the script's: the JVM's temporary files go where the container's /tmp is (a volume, if one is mounted there).
    '-Djava.io.tmpdir=/tmp',
  ].map(remap);
  const argv = [
    ...jvm,
    ...(env.KAFKA_LOG4J_OPTS !== undefined
      ? words(env.KAFKA_LOG4J_OPTS).map(remap)
      : [`-Dlog4j2.configurationFile=${log4jConfig}`]),
    ...words(env.KAFKA_OPTS).map(remap),
    '-cp',
    `${classpath}/*`,
    mainClass,
    ...args,
  ];
  return { argv, mainClass };
}

/** One partition's answer to ListOffsets (latest): the offset the next record will get, or Kafka's error code. */
export interface PartitionEnd {
  partition: number;
  errorCode: number;
  /** The log end offset (high watermark): records 0 … endOffset-1 are in the partition. */
  endOffset: number;
}

/**
 * Asks the broker itself for the end offsets of `topic`'s partitions: one ListOffsets request (API key 2,
 * version 1, timestamp -1 = latest) over Kafka's wire protocol, to the broker at host:port (the single
 * node leads every partition). What Kafka holds, independently of what Mimir reports about it.
 */
export function kafkaEndOffsets(
  host: string,
  port: number,
  topic: string,
  partitions: number[],
  timeoutMs = 5000,
): Promise<PartitionEnd[]> {
  const clientId = Buffer.from('mimir-kube-e2e');
  const name = Buffer.from(topic);
  const body = Buffer.alloc(2 + 2 + 4 + 2 + clientId.length + 4 + 4 + 2 + name.length + 4 + partitions.length * 12);
  let o = 0;
  o = body.writeInt16BE(2, o); // api_key ListOffsets
  o = body.writeInt16BE(1, o); // api_version
  o = body.writeInt32BE(1, o); // correlation_id
  o = body.writeInt16BE(clientId.length, o);
  o += clientId.copy(body, o);
  o = body.writeInt32BE(-1, o); // replica_id: a consumer
  o = body.writeInt32BE(1, o); // one topic
  o = body.writeInt16BE(name.length, o);
  o += name.copy(body, o);
  o = body.writeInt32BE(partitions.length, o);
  for (const p of partitions) {
    o = body.writeInt32BE(p, o);
    o = body.writeBigInt64BE(-1n, o); // latest
  }
  const frame = Buffer.alloc(4);
  frame.writeInt32BE(body.length);
  return new Promise((resolve, reject) => {
    const s = connect({ host, port });
    let got = Buffer.alloc(0);
    const timer = setTimeout(() => {
      s.destroy();
      reject(new Error(`Kafka ${host}:${port}: no ListOffsets answer within ${timeoutMs} ms`));
    }, timeoutMs);
    s.once('connect', () => s.write(Buffer.concat([frame, body])));
    s.on('data', (d: Buffer) => {
      got = Buffer.concat([got, d]);
      if (got.length < 4 || got.length < 4 + got.readInt32BE(0)) return;
      clearTimeout(timer);
      s.end();
      try {
        let r = 4 + 4; // size, correlation_id
        const out: PartitionEnd[] = [];
        const topics = got.readInt32BE(r);
        r += 4;
        for (let t = 0; t < topics; t++) {
          r += 2 + got.readInt16BE(r);
          const n = got.readInt32BE(r);
          r += 4;
          for (let i = 0; i < n; i++) {
            const partition = got.readInt32BE(r);
            const errorCode = got.readInt16BE(r + 4);
            const endOffset = Number(got.readBigInt64BE(r + 14));
            out.push({ partition, errorCode, endOffset });
            r += 22;
          }
        }
        resolve(out);
      } catch (e) {
        reject(new Error(`Kafka ${host}:${port}: unreadable ListOffsets answer: ${(e as Error).message}`));
      }
    });
    s.once('error', (e) => {
      clearTimeout(timer);
      reject(new Error(`Kafka ${host}:${port}: ${e.message}`));
    });
  });
}
