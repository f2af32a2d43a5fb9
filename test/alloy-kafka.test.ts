/**
 * Kafka's metrics under ingest storage: Alloy's built-in `prometheus.exporter.kafka` pointed at the Kafka
 * Mimir writes through (the bundled broker's Service, or the external bootstrap address with SASL from the
 * same Secret as Mimir's), its target relabelled to `job` `<namespace>/kafka` and scraped into the same
 * remote write (the meta tenant) as every pod. The real Alloy checks the rendered file in
 * test/alloy-real.test.ts (environments/ingest) and below (the SASL form); the e2e ingest scenario reads the
 * series back from the meta tenant.
 */
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { StackConfig } from '../lib/build/config.js';
import { flatten } from '../lib/core/tree.js';
import { render } from '../lib/build/render.js';
import type { Container, KubeObject, PodSpec } from '../lib/core/k8s/types.js';
import {
  alloy,
  alloyConfig,
  alloyConfigStatements,
  alloyRules,
  attribute,
  blocksNamed,
  callOf,
  isCall,
  isRef,
  parseAlloy,
  refPath,
  type AlloyBlock,
  type AlloyStatement,
  type AlloyValue,
} from '../lib/observability/alloy/index.js';
import { validateTree } from '../lib/build/validate/index.js';
import { expectBuilt, env } from './support/bad-input.js';
import { config, withStack } from './support/stack.js';
import { alloyUnavailable, PEER_REQUIRED, runAlloy } from './support/alloy.js';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ingest = (c: StackConfig) => {
  c.mimir.architecture = 'ingest-storage';
  c.observability.kafka.enabled = true;
};

const externalKafka = {
  existingSecrets: ['kafka-credentials'],
  mimir: {
    architecture: 'ingest-storage',
    ingestStorage: {
      kafka: {
        source: 'external',
        address: 'kafka-bootstrap.kafka.svc.cluster.local:9092',
        sasl: { secretName: 'kafka-credentials', usernameKey: 'user', passwordKey: 'pass' },
      },
    },
  },
};

const one = (statements: AlloyStatement[], name: string, label: string): AlloyBlock => {
  const found = blocksNamed(statements, name).filter((b) => b.label === label);
  expect(found, `${name} "${label}"`).toHaveLength(1);
  return found[0];
};

/** An attribute's value with calls written out (`sys.env("X")`) and references as their path. */
function shown(v: AlloyValue | undefined): unknown {
  if (isCall(v))
    return `${callOf(v).fn}(${callOf(v)
      .args.map((a) => JSON.stringify(a))
      .join(', ')})`;
  if (isRef(v)) return refPath(v);
  if (Array.isArray(v)) return v.map(shown);
  return v;
}
const attributesOf = (b: AlloyBlock) =>
  Object.fromEntries(b.body.flatMap((s) => (s.kind === 'attribute' ? [[s.name, shown(s.value)]] : [])));
const rulesOf = (b: AlloyBlock) => blocksNamed(b.body, 'rule').map(attributesOf);

function mainContainer(o: KubeObject): Container {
  return (o.spec as { template: { spec: PodSpec } }).template.spec.containers[0];
}

describe('Alloy and Kafka under ingest storage', () => {
  it('classic renders no exporter and Alloy reads no Kafka credentials', () => {
    const c = config();
    const statements = alloyConfigStatements(...withStack(c));
    expect(blocksNamed(statements, 'prometheus.exporter.kafka')).toEqual([]);
    expect(alloyConfig(...withStack(c))).not.toMatch(/kafka/);
  });

  it('the bundled Kafka: the exporter reads the Service mimir.yaml names, never creates a topic, no SASL', () => {
    const c = config(ingest);
    const [cfg, stack] = withStack(c);
    const statements = alloyConfigStatements(cfg, stack);
    const exporter = one(statements, 'prometheus.exporter.kafka', 'kafka');
    expect(attributesOf(exporter)).toEqual({
      kafka_uris: ['kafka.mimir.svc.cluster.local:9092'],
      allow_auto_topic_creation: false,
    });
    // The same address Mimir's clients bootstrap from, taken from the same place.
    expect(stack.exporters()).toEqual([
      { exporter: 'kafka', name: 'kafka', addresses: ['kafka.mimir.svc.cluster.local:9092'] },
    ]);
    expect(alloy(cfg, stack).deployment.spec!.template.spec!.containers[0].env).toBeUndefined();
  });

  it('its target becomes job <namespace>/kafka with namespace, scraped into the meta tenant like every pod', () => {
    const c = config(ingest, (x) => {
      x.namespace = 'metrics';
      x.observability.alloy.scrapeInterval = '30s';
    });
    const statements = alloyConfigStatements(...withStack(c));
    const relabel = one(statements, 'discovery.relabel', 'kafka');
    expect(shown(attribute(relabel, 'targets'))).toBe('prometheus.exporter.kafka.kafka.targets');
    expect(rulesOf(relabel)).toEqual([
      { target_label: 'job', replacement: 'metrics/kafka' },
      { target_label: 'namespace', replacement: 'metrics' },
    ]);
    const scrape = one(statements, 'prometheus.scrape', 'kafka');
    expect(attributesOf(scrape)).toEqual({
      targets: 'discovery.relabel.kafka.output',
      forward_to: ['prometheus.remote_write.mimir.receiver'],
      scrape_interval: '30s',
    });
    const rw = one(statements, 'prometheus.remote_write', 'mimir');
    expect(attribute(blocksNamed(rw.body, 'endpoint')[0], 'headers')).toEqual({ 'X-Scope-OrgID': 'meta' });
    // The file reads back to what it was rendered from.
    expect(parseAlloy(alloyConfig(...withStack(c)))).toEqual(statements);
  });

  it('an external Kafka with SASL: its bootstrap address, PLAIN, credentials from the Secret Mimir reads', async () => {
    const built = await expectBuilt(env(externalKafka));
    const text = String(built.tree.observability.alloy!.configMap.data?.['config.alloy']);
    const exporter = one(parseAlloy(text), 'prometheus.exporter.kafka', 'kafka');
    expect(attributesOf(exporter)).toEqual({
      kafka_uris: ['kafka-bootstrap.kafka.svc.cluster.local:9092'],
      allow_auto_topic_creation: false,
      use_sasl: true,
      sasl_mechanism: 'plain',
      sasl_username: 'sys.env("KAFKA_SASL_USERNAME")',
      sasl_password: 'sys.env("KAFKA_SASL_PASSWORD")',
    });
    const y = parse(String(built.tree.mimir.config.configMap.data?.['mimir.yaml'])) as {
      ingest_storage: { kafka: { address: string } };
    };
    expect(attribute(exporter, 'kafka_uris')).toEqual([y.ingest_storage.kafka.address]);
    // The ConfigMap holds no credential; Alloy's container gets the same secretKeyRefs as the ingester's.
    expect(text).not.toMatch(/kafka-credentials|"user"|"pass"/);
    const alloyEnv = built.tree.observability.alloy!.deployment.spec!.template.spec!.containers[0].env;
    const ingester = flatten(built.tree).find((e) => e.component === 'ingester' && e.object.kind === 'StatefulSet')!;
    const ingesterEnv = (mainContainer(ingester.object).env ?? []).filter((v) => v.name.startsWith('KAFKA_SASL_'));
    expect(ingesterEnv).toHaveLength(2);
    expect(alloyEnv).toEqual(ingesterEnv);
    expect(alloyEnv).toEqual([
      { name: 'KAFKA_SASL_PASSWORD', valueFrom: { secretKeyRef: { name: 'kafka-credentials', key: 'pass' } } },
      { name: 'KAFKA_SASL_USERNAME', valueFrom: { secretKeyRef: { name: 'kafka-credentials', key: 'user' } } },
    ]);
  });

  it('with self-monitoring off, Kafka is scraped like every other workload, into the default tenant', () => {
    const c = config(ingest, (x) => (x.selfMonitoring.enabled = false));
    const statements = alloyConfigStatements(...withStack(c));
    one(statements, 'prometheus.scrape', 'kafka');
    const rw = one(statements, 'prometheus.remote_write', 'mimir');
    expect(attribute(blocksNamed(rw.body, 'endpoint')[0], 'headers')).toEqual({ 'X-Scope-OrgID': 'anonymous' });
  });

  it('without Alloy nothing scrapes Kafka, and the build still passes', async () => {
    const built = await expectBuilt(env({ ...externalKafka, observability: { alloy: { enabled: false } } }));
    expect(built.tree.observability.alloy).toBeUndefined();
  });
});

describe('the Kafka dashboard', () => {
  const names = (c: StackConfig) =>
    Object.keys(render(c).observability.grafana!).filter((k) => k.startsWith('dashboard'));
  it('is provisioned when Alloy collects Kafka (ingest storage), not otherwise', () => {
    expect(names(config(ingest))).toContain('dashboardMimirKafka');
    expect(names(config())).toContain('dashboardMimirWrites');
    expect(names(config())).not.toContain('dashboardMimirKafka');
    expect(names(config(ingest, (c) => (c.observability.alloy.enabled = false)))).not.toContain('dashboardMimirKafka');
  });
});

describe("the build's checks of the exporter as the tree leaves it", () => {
  const c = config(ingest, (x) => (x.storage.developmentCredentials = true));
  const check = async (edit: (text: string) => string) => {
    const built = await expectBuilt(
      env({
        mimir: { architecture: 'ingest-storage' },
        observability: { kafka: { enabled: true } },
      }),
    );
    const tree = built.tree;
    const cm = tree.observability.alloy!.configMap;
    cm.data!['config.alloy'] = edit(cm.data!['config.alloy']);
    const problems = await validateTree(tree, { extraRules: alloyRules(c) });
    return problems.filter((p) => p.path.startsWith('observability.alloy'));
  };

  it('accept the rendered exporter', async () => {
    expect(await check((t) => t)).toEqual([]);
  });

  it('report an in-cluster Kafka address that names no rendered Service or port', async () => {
    const wrongService = await check((t) =>
      t.replace('"kafka.mimir.svc.cluster.local:9092"', '"kafka-broker.mimir.svc.cluster.local:9092"'),
    );
    expect(wrongService.map((p) => p.message).join('\n')).toMatch(/Service "kafka-broker"/);
    expect(wrongService[0].pointer).toContain('prometheus.exporter.kafka "kafka" kafka_uris');
    const wrongPort = await check((t) =>
      t.replace('"kafka.mimir.svc.cluster.local:9092"', '"kafka.mimir.svc.cluster.local:9093"'),
    );
    expect(wrongPort.map((p) => p.message).join('\n')).toMatch(/9093/);
    // Another namespace's Kafka (an operator's bootstrap Service) is not the build's to know.
    expect(
      await check((t) =>
        t.replace('"kafka.mimir.svc.cluster.local:9092"', '"kafka-bootstrap.kafka.svc.cluster.local:9092"'),
      ),
    ).toEqual([]);
  });

  it('report SASL credentials read from env vars Alloy does not set', async () => {
    const problems = await check((t) =>
      t.replace(
        '\tallow_auto_topic_creation = false\n',
        '\tallow_auto_topic_creation = false\n\tuse_sasl = true\n\tsasl_username = sys.env("KAFKA_SASL_USERNAME")\n',
      ),
    );
    expect(problems.map((p) => p.message)).toEqual([
      'prometheus.exporter.kafka "kafka" reads env var KAFKA_SASL_USERNAME, which Alloy\'s container does not set: sys.env would return ""',
    ]);
  });
});

describe('the SASL form, checked by the real Alloy', () => {
  const unavailable = alloyUnavailable();
  // Under CI or E2E_REQUIRED=1 a missing Alloy fails here instead of skipping.
  it.skipIf(Boolean(unavailable) && !PEER_REQUIRED)(
    `alloy validate accepts it and alloy fmt keeps it${unavailable ? ` (skipped: ${unavailable})` : ''}`,
    async () => {
      if (unavailable) throw new Error(`the real Alloy is required here (CI or E2E_REQUIRED=1) but: ${unavailable}`);
      const built = await expectBuilt(env(externalKafka));
      const text = String(built.tree.observability.alloy!.configMap.data?.['config.alloy']);
      const dir = mkdtempSync(join(tmpdir(), 'alloy-kafka-'));
      try {
        const file = join(dir, 'config.alloy');
        writeFileSync(file, text);
        const env = { KAFKA_SASL_USERNAME: 'user', KAFKA_SASL_PASSWORD: 'pass' };
        const validate = runAlloy(['validate', file], { env, cwd: dir });
        expect(validate.status, `${validate.stderr}${validate.stdout}`).toBe(0);
        const fmt = runAlloy(['fmt', file], { cwd: dir });
        expect(fmt.status, fmt.stderr).toBe(0);
        expect(fmt.stdout).toBe(text);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  );
});
