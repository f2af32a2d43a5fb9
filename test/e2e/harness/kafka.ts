/**
 * The apache/kafka image, as the harness runs it: its `/opt/kafka/bin/*.sh` scripts are thin wrappers of
 * `kafka-run-class.sh`, which starts `java` with a heap, GC and logging options (from the environment, else
 * its defaults) and one main class. The harness does what those scripts do with the jars
 * test/peers/kafka/build.sh assembled from Maven Central at the pinned version: same main classes, same
 * arguments, same environment variables read, the rendered ConfigMap's server.properties.
 */
import { existsSync, readFileSync } from 'node:fs';
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
