/**
 * Systems that serve no Prometheus metrics of their own, collected through Alloy's built-in exporters:
 * Kafka under ingest storage (`prometheus.exporter.kafka`, Grafana's fork of kafka_exporter inside Alloy:
 * brokers, the topic's partitions and offsets, every consumer group's committed offsets and lag). The
 * component that knows a system's address publishes it (`StackView.exporters()`); this module turns each
 * into an exporter, a relabelling that gives its series the stack's labels, and a scrape into the same
 * remote write as every pod.
 */
import type { ObservabilityStackConfig } from '../config.js';
import type { ValidationContext } from '../../core/checks/context.js';
import { serviceAddress, serviceUrlProblem } from '../../core/checks/service-urls.js';
import type { EnvSource } from '../../core/k8s/container.js';
import type { Problem } from '../../core/problems.js';
import type { ExporterSource, KafkaExporterSource, StackView } from '../../core/registry.js';
import type { TreeEntry } from '../../core/tree.js';
import { attr, attribute, attrs, block, blocksNamed, call, ref, type AlloyStatement } from './syntax.js';

/** The exporter's Alloy component name, by kind. */
export const exporterComponents = { kafka: 'prometheus.exporter.kafka' } as const satisfies Record<
  ExporterSource['exporter'],
  string
>;

/**
 * Arguments of `prometheus.exporter.kafka` (Alloy 1.11's `internal/component/prometheus/exporter/kafka`).
 * One bootstrap address, so the target's `instance` is that address. The exporter never creates a topic
 * (`allow_auto_topic_creation`, false by default, written out because a broker with
 * `auto.create.topics.enable` would otherwise create any topic a metadata request names). SASL is PLAIN,
 * the mechanism Mimir 3.0's Kafka client uses; the credentials come from env vars set from the Secret, so
 * the ConfigMap holds only their names. Mimir 3.0 offers no TLS to Kafka, so neither does this.
 */
function kafkaExporterBody(x: KafkaExporterSource): AlloyStatement[] {
  return [
    ...attrs({ kafka_uris: x.addresses, allow_auto_topic_creation: false }),
    ...(x.sasl
      ? attrs({
          use_sasl: true,
          sasl_mechanism: 'plain',
          sasl_username: call('sys.env', [x.sasl.usernameEnv]),
          sasl_password: call('sys.env', [x.sasl.passwordEnv]),
        })
      : []),
  ];
}

/**
 * One exporter with its relabelling and scrape. The exporter's target carries `job="integrations/<kind>"`
 * and `instance` = the bootstrap address; the relabelling sets `job` = `<namespace>/<name>` and `namespace`,
 * as on every pod's series (`cluster` comes from the remote write's external labels). No `pod` or
 * `container`: the series describe the Kafka cluster as its clients see it, not a pod.
 */
function exporterStatements(
  c: ObservabilityStackConfig,
  x: ExporterSource,
  forwardTo: string,
  scrapeInterval: string,
): AlloyStatement[] {
  const component = exporterComponents[x.exporter];
  const rule = (targetLabel: string, replacement: string) =>
    block('rule', attrs({ target_label: targetLabel, replacement }));
  return [
    block(component, x.name, kafkaExporterBody(x)),
    block('discovery.relabel', x.name, [
      attr('targets', ref(`${component}.${x.name}.targets`)),
      rule('job', `${c.namespace}/${x.name}`),
      rule('namespace', c.namespace),
    ]),
    block(
      'prometheus.scrape',
      x.name,
      attrs({
        targets: ref(`discovery.relabel.${x.name}.output`),
        forward_to: [ref(forwardTo)],
        scrape_interval: scrapeInterval,
      }),
    ),
  ];
}

/** Every published exporter's statements, scraped into `forwardTo` every `scrapeInterval`. */
export function exportersStatements(
  c: ObservabilityStackConfig,
  stack: StackView,
  forwardTo: string,
  scrapeInterval: string,
): AlloyStatement[] {
  return stack.exporters().flatMap((x) => exporterStatements(c, x, forwardTo, scrapeInterval));
}

/** The env vars the exporters read (SASL credentials from their Secret), for Alloy's container. */
export function exportersEnvVars(stack: StackView): Record<string, EnvSource> {
  return Object.fromEntries(stack.exporters().flatMap((x) => Object.entries(x.sasl?.env ?? {})));
}

/**
 * Every exporter address in the stack's own namespace names a rendered Service and port, as the file
 * leaves it (an override may have changed it): the bundled Kafka's Service, say. Addresses elsewhere (an
 * external Kafka, in the cluster or not) name what the build does not render, so they are not its to check.
 */
export function exporterAddressProblems(
  ctx: ValidationContext,
  e: TreeEntry,
  statements: AlloyStatement[],
  pointer: string,
  clusterDomain: string,
): Problem[] {
  const namespace = e.object.metadata?.namespace ?? '';
  const out: Problem[] = [];
  for (const x of blocksNamed(statements, exporterComponents.kafka)) {
    const uris = attribute(x, 'kafka_uris');
    for (const uri of Array.isArray(uris) ? uris : []) {
      if (typeof uri !== 'string' || serviceAddress(uri, namespace, clusterDomain)?.namespace !== namespace) continue;
      const problem = serviceUrlProblem(
        ctx,
        e,
        uri,
        `${pointer} ${exporterComponents.kafka} "${x.label}" kafka_uris`,
        clusterDomain,
      );
      if (problem) out.push(problem);
    }
  }
  return out;
}
