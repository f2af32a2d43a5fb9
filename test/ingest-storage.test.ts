/**
 * The ingest-storage architecture as rendered: the `ingest_storage` block every component reads, the
 * flags each component gets, the bundled KRaft Kafka (objects, names and paths the end-to-end harness
 * relies on), an external Kafka with SASL from a Secret, zone-aware ingesters, and classic left untouched.
 */
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { StackConfig } from '../lib/build/config.js';
import { render } from '../lib/build/render.js';
import { totalRequests } from '../lib/build/summary.js';
import type { Container, PodSpec, KubeObject } from '../lib/core/k8s/types.js';
import { flatten } from '../lib/core/tree.js';
import { mimirYaml } from '../lib/mimir/index.js';
import { serverProperties } from '../lib/observability/kafka/index.js';
import { buildDir } from './support/environments.js';
import { expectBuilt, env } from './support/bad-input.js';
import { config, withStack } from './support/stack.js';

const ingest = (c: StackConfig) => {
  c.mimir.architecture = 'ingest-storage';
  c.observability.kafka.enabled = true;
};

function mainContainer(o: KubeObject): Container {
  return (o.spec as { template: { spec: PodSpec } }).template.spec.containers[0];
}

/** Every Mimir container's args by tree path (zoned ingesters included). */
function mimirArgs(c: StackConfig): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const e of flatten(render(c))) {
    if (e.group !== 'mimir' || (e.object.kind !== 'Deployment' && e.object.kind !== 'StatefulSet')) continue;
    const k = mainContainer(e.object);
    if (k.image?.startsWith('grafana/mimir:')) out[`${e.component}.${e.key}`] = k.args ?? [];
  }
  return out;
}

const ingestFlags = [
  '-distributor.remote-timeout=5s',
  '-ingester.push-grpc-method-enabled=false',
  '-ingest-storage.kafka.last-produced-offset-poll-interval=500ms',
  '-ingest-storage.kafka.consumer-group-offset-commit-interval=5s',
];

describe('ingest storage: mimir.yaml and flags', () => {
  it('classic (the default) renders no ingest_storage, no Kafka and none of its flags', () => {
    const c = config();
    const [cfg, stack] = withStack(c);
    expect(c.mimir.architecture).toBe('classic');
    expect(stack.has('kafka')).toBe(false);
    const y = mimirYaml(cfg, stack);
    expect(y.ingest_storage).toBeUndefined();
    expect(JSON.stringify(y)).not.toMatch(/ingest_storage|kafka/);
    for (const [path, args] of Object.entries(mimirArgs(c)))
      for (const f of ingestFlags) expect(args, path).not.toContain(f);
  });

  it('every component reads one ingest_storage block: enabled, the Kafka Service from the stack view, topic, partitions', () => {
    const c = config(ingest);
    const [cfg, stack] = withStack(c);
    const y = mimirYaml(cfg, stack);
    expect(y.ingest_storage).toEqual({
      enabled: true,
      kafka: {
        address: 'kafka.mimir.svc.cluster.local:9092',
        topic: 'mimir-ingest',
        auto_create_topic_enabled: true,
        auto_create_topic_default_partitions: 3,
      },
    });
    expect(y.limits).toEqual({ ingest_storage_read_consistency: 'eventual' });
    // The address follows the Kafka endpoint, not a literal: another namespace and domain move it.
    const moved = config(ingest, (x) => {
      x.namespace = 'metrics';
      x.clusterDomain = 'example.internal';
    });
    const [m2, s2] = withStack(moved);
    expect((mimirYaml(m2, s2).ingest_storage as { kafka: { address: string } }).kafka.address).toBe(
      'kafka.metrics.svc.example.internal:9092',
    );
  });

  it('gives each component its flags: distributor remote timeout, ingester without gRPC push, query-frontends polling offsets', () => {
    const c = config(ingest, (x) => {
      x.mimir.ruler.dedicatedReadPath = true;
    });
    const args = mimirArgs(c);
    expect(args['distributor.deployment']).toContain('-distributor.remote-timeout=5s');
    expect(args['ingester.statefulSet']).toEqual(
      expect.arrayContaining([
        '-ingester.push-grpc-method-enabled=false',
        '-ingest-storage.kafka.last-produced-offset-poll-interval=500ms',
        '-ingest-storage.kafka.consumer-group-offset-commit-interval=5s',
      ]),
    );
    for (const qf of ['queryFrontend.deployment', 'rulerQueryFrontend.deployment'])
      expect(args[qf], qf).toContain('-ingest-storage.kafka.last-produced-offset-poll-interval=500ms');
    // Nothing else gets them: the querier, ruler, store-gateway, compactor… run with the shared block only.
    for (const path of ['querier.deployment', 'ruler.deployment', 'storeGateway.statefulSet', 'compactor.statefulSet'])
      for (const f of ingestFlags) expect(args[path], path).not.toContain(f);
  });

  it("a component's own flags win over the architecture's", () => {
    const c = config(ingest, (x) => {
      x.mimir.distributor.flags = { 'distributor.remote-timeout': '8s' };
    });
    expect(mimirArgs(c)['distributor.deployment']).toContain('-distributor.remote-timeout=8s');
    expect(mimirArgs(c)['distributor.deployment']).not.toContain('-distributor.remote-timeout=5s');
  });

  it('zone-aware ingesters each get the ingest flags in every zone', () => {
    const c = config(ingest, (x) => {
      x.mimir.zoneAwareness.zones = [
        { name: 'zone-a', topologyValue: '' },
        { name: 'zone-b', topologyValue: '' },
        { name: 'zone-c', topologyValue: '' },
      ];
    });
    const args = mimirArgs(c);
    for (const zone of ['zone-a', 'zone-b', 'zone-c'])
      expect(args[`ingester.statefulSet-${zone}`]).toEqual(
        expect.arrayContaining([
          '-ingester.push-grpc-method-enabled=false',
          `-ingester.ring.instance-availability-zone=${zone}`,
        ]),
      );
  });

  it('an external Kafka: its address, no bundled broker, SASL credentials only through the Secret', async () => {
    const built = await expectBuilt(
      env({
        existingSecrets: ['kafka-credentials'],
        mimir: {
          architecture: 'ingest-storage',
          ingestStorage: {
            kafka: {
              source: 'external',
              address: 'bootstrap.kafka.example.com:9092',
              clientId: 'mimir',
              sasl: { secretName: 'kafka-credentials', usernameKey: 'user', passwordKey: 'pass' },
            },
            readConsistency: 'strong',
          },
        },
      }),
    );
    expect(built.tree.observability.kafka).toBeUndefined();
    const text = String(built.tree.mimir.config.configMap.data?.['mimir.yaml']);
    const y = parse(text) as { ingest_storage: { kafka: Record<string, unknown> }; limits: Record<string, unknown> };
    expect(y.ingest_storage.kafka).toMatchObject({
      address: 'bootstrap.kafka.example.com:9092',
      client_id: 'mimir',
      sasl_username: '${KAFKA_SASL_USERNAME}',
      sasl_password: '${KAFKA_SASL_PASSWORD}',
    });
    expect(y.limits.ingest_storage_read_consistency).toBe('strong');
    // Every Mimir pod reads mimir.yaml, so every one gets the variables, from the Secret and nothing inline.
    for (const e of flatten(built.tree)) {
      if (e.group !== 'mimir' || (e.object.kind !== 'Deployment' && e.object.kind !== 'StatefulSet')) continue;
      const k = mainContainer(e.object);
      if (!k.image?.startsWith('grafana/mimir:')) continue;
      const vars = Object.fromEntries((k.env ?? []).map((v) => [v.name, v]));
      expect(vars.KAFKA_SASL_USERNAME?.valueFrom?.secretKeyRef, e.component).toEqual({
        name: 'kafka-credentials',
        key: 'user',
      });
      expect(vars.KAFKA_SASL_PASSWORD?.valueFrom?.secretKeyRef, e.component).toEqual({
        name: 'kafka-credentials',
        key: 'pass',
      });
      expect(vars.KAFKA_SASL_PASSWORD?.value).toBeUndefined();
    }
  });
});

describe('the bundled Kafka', () => {
  const c = config(ingest);
  const k = render(c).observability.kafka!;

  it('is a one-replica StatefulSet with its claim, behind kafka:9092 and the headless kafka-headless', () => {
    expect(k.statefulSet.metadata?.name).toBe('kafka');
    expect(k.statefulSet.spec?.replicas).toBe(1);
    expect(k.statefulSet.spec?.serviceName).toBe('kafka-headless');
    expect(
      k.statefulSet.spec?.volumeClaimTemplates?.map((v) => [v.metadata?.name, v.spec?.resources?.requests?.storage]),
    ).toEqual([['data', '5Gi']]);
    expect(k.service.metadata?.name).toBe('kafka');
    expect(k.service.spec?.ports?.map((p) => [p.name, p.port])).toEqual([['kafka', 9092]]);
    expect(k.service.spec?.clusterIP).toBeUndefined();
    expect(k.headlessService.metadata?.name).toBe('kafka-headless');
    expect(k.headlessService.spec?.clusterIP).toBe('None');
    expect(k.configMap.metadata?.name).toBe('kafka-config');
    // With the object storage, before Mimir (wave 1): Mimir exits at start-up when it cannot reach Kafka.
    for (const o of [k.statefulSet, k.service, k.headlessService, k.configMap])
      expect(o.metadata?.annotations?.['argocd.argoproj.io/sync-wave'], o.metadata?.name).toBe('-1');
  });

  it('formats its storage once, then starts the broker, both with server.properties at /etc/kafka', () => {
    const pod = k.statefulSet.spec!.template.spec!;
    expect(pod.initContainers?.map((x) => [x.name, x.image, x.command])).toEqual([
      [
        'format-storage',
        'apache/kafka:4.1.1',
        [
          '/opt/kafka/bin/kafka-storage.sh',
          'format',
          '--cluster-id',
          c.observability.kafka.clusterId,
          '--config',
          '/etc/kafka/server.properties',
          '--ignore-formatted',
        ],
      ],
    ]);
    expect(pod.containers.map((x) => [x.name, x.image, x.command])).toEqual([
      ['kafka', 'apache/kafka:4.1.1', ['/opt/kafka/bin/kafka-server-start.sh', '/etc/kafka/server.properties']],
    ]);
    for (const x of [...pod.initContainers!, ...pod.containers]) {
      const mounts = Object.fromEntries((x.volumeMounts ?? []).map((m) => [m.mountPath, m.name]));
      expect(mounts).toMatchObject({
        '/etc/kafka/server.properties': 'config',
        '/var/lib/kafka/data': 'data',
        '/opt/kafka/logs': 'logs',
      });
      const vars = Object.fromEntries((x.env ?? []).map((v) => [v.name, v.value]));
      expect(vars).toEqual({ KAFKA_HEAP_OPTS: '-Xms256m -Xmx256m', LOG_DIR: '/opt/kafka/logs' });
      expect(x.resources?.requests).toEqual({ cpu: '100m', memory: '512Mi' });
      expect(x.securityContext).toEqual({
        allowPrivilegeEscalation: false,
        capabilities: { drop: ['ALL'] },
        readOnlyRootFilesystem: true,
        runAsNonRoot: true,
        seccompProfile: { type: 'RuntimeDefault' },
      });
    }
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 1000, fsGroup: 1000 });
  });

  it('runs KRaft combined mode on node 0, the controller on localhost:9093, advertising its Service address', () => {
    const props = Object.fromEntries(serverProperties(c));
    expect(props).toMatchObject({
      'process.roles': 'broker,controller',
      'node.id': '0',
      'controller.quorum.voters': '0@localhost:9093',
      'log.dirs': '/var/lib/kafka/data',
      'advertised.listeners': 'PLAINTEXT://kafka.mimir.svc.cluster.local:9092',
      'offsets.topic.replication.factor': '1',
    });
    expect(props.listeners).toBe('PLAINTEXT://:9092,CONTROLLER://localhost:9093');
    const text = k.configMap.data?.['server.properties'] ?? '';
    expect(text).toContain('process.roles=broker,controller\n');
    expect(text.split('\n').filter(Boolean)).toHaveLength(serverProperties(c).length);
  });
});

describe('environments/ingest', () => {
  it('renders ingest storage with the bundled Kafka and the remote ruler, within local’s budget', async () => {
    const { tree, config: c } = await buildDir('environments/ingest');
    expect(c.namespace).toBe('mimir');
    expect(c.mimir.architecture).toBe('ingest-storage');
    expect(c.mimir.ruler.mode).toBe('remote');
    expect(tree.observability.kafka?.statefulSet.metadata?.name).toBe('kafka');
    const y = parse(String(tree.mimir.config.configMap.data?.['mimir.yaml'])) as {
      ingest_storage: { enabled: boolean; kafka: { address: string } };
    };
    expect(y.ingest_storage.enabled).toBe(true);
    expect(y.ingest_storage.kafka.address).toBe('kafka.mimir.svc.cluster.local:9092');
    const total = totalRequests(tree);
    expect(total.cpu).toBeLessThanOrEqual(2);
    expect(total.memoryBytes).toBeLessThanOrEqual(4 * 2 ** 30);
  });
});
