import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import type { KubeObject } from '../../lib/core/k8s/types.js';
import { runCli } from '../../lib/build/cli.js';
import { e2eMimirConfig } from './environment/main.js';
import { knobDifferences, renderDiff } from './harness/diff.js';
import { clusterDns } from './harness/dns.js';
import { readBucketJob } from './harness/jobs.js';
import { isMimirtoolJob, readMimirtoolJob } from './harness/mimirtool.js';
import { dataSources, parseObjects, resolveEnv, services, workloads } from './harness/manifest.js';
import { peerForImage, planPods, type Peers } from './harness/plan.js';
import { remapPath, remapText } from './harness/remap.js';
import { clientTenantOf, e2eRequired } from './harness/stack.js';
import { groupChanges } from './harness/report.js';
import { alloyTenant, expectedExporterLabels, expectedTargets, readAlloyConfig, relabel } from './harness/alloy.js';
import { exporterMetricsUrl } from './harness/metrics.js';
import { readFileSync } from 'node:fs';

/** The harness's pure parts, checked against the committed local environment (no root needed). */
const repo = join(import.meta.dirname, '../..');
const hasKubectl = spawnSync('sh', ['-c', 'command -v kubectl'], { stdio: 'ignore' }).status === 0;
const local = (): KubeObject[] =>
  parseObjects(
    execFileSync('kubectl', ['kustomize', join(repo, 'out/local')], { encoding: 'utf8', maxBuffer: 64 << 20 }),
  );
const peers: Peers = {
  mimir: { path: '/bin/peer-mimir', version: 'test' },
  minio: { path: '/bin/peer-minio', version: 'test' },
  nginx: { path: '/bin/peer-nginx', version: 'test' },
  'nginx-exporter': { path: '/bin/peer-nginx-exporter', version: 'test' },
  memcached: { path: '/bin/peer-memcached', version: 'test' },
  alloy: { path: '/bin/peer-alloy', version: 'test' },
};
const plan = (objects: KubeObject[]) =>
  planPods(objects, { root: '/RUN', peers, allocateIp: (i) => `10.9.0.${10 + i}` });

describe('peer images', () => {
  it('maps image repositories, whatever the registry, tag or digest, and nothing else', () => {
    expect(peerForImage('grafana/mimir:3.0.2')).toBe('mimir');
    expect(peerForImage('docker.io/grafana/mimir@sha256:abc')).toBe('mimir');
    expect(peerForImage('quay.io/minio/minio:RELEASE.2025-09-07T16-13-09Z')).toBe('minio');
    expect(peerForImage('nginxinc/nginx-unprivileged:1.29-alpine')).toBe('nginx');
    expect(peerForImage('nginx/nginx-prometheus-exporter:1.5.1')).toBe('nginx-exporter');
    expect(peerForImage('docker.io/nginx/nginx-prometheus-exporter@sha256:abc')).toBe('nginx-exporter');
    expect(peerForImage('memcached:1.6.39-alpine')).toBe('memcached');
    expect(peerForImage('docker.io/library/memcached:1.6.39-alpine')).toBe('memcached');
    expect(peerForImage('prom/memcached-exporter:v0.15.3')).toBeUndefined();
    expect(peerForImage('quay.io/minio/mc:RELEASE.2025-08-13T08-35-41Z')).toBeUndefined();
    expect(peerForImage('grafana/alloy:v1.11.3')).toBe('alloy');
    expect(peerForImage('grafana/grafana:12.3.0')).toBeUndefined();
    expect(peerForImage('grafana/mimir-continuous-test:3.0.2')).toBeUndefined();
    expect(peerForImage('apache/kafka:4.1.1')).toBe('kafka');
    expect(peerForImage('docker.io/apache/kafka@sha256:abc')).toBe('kafka');
    expect(peerForImage('bitnami/kafka:4.0')).toBeUndefined();
  });
});

describe.skipIf(!hasKubectl)(
  `the plan for out/ingest's Kafka${hasKubectl ? '' : ' (skipped: kubectl is not on PATH)'}`,
  () => {
    const objects = (): KubeObject[] =>
      parseObjects(
        execFileSync('kubectl', ['kustomize', join(repo, 'out/ingest')], { encoding: 'utf8', maxBuffer: 64 << 20 }),
      );
    const kafka = { path: '/usr/bin/java', version: 'test', home: '/CACHE/kafka-4.1.1' };
    const kafkaPod = (objs: KubeObject[]) =>
      planPods(objs, { root: '/RUN', peers: { ...peers, kafka }, allocateIp: (i) => `10.9.0.${10 + i}` }).pods.find(
        (p) => p.name === 'kafka-0',
      )!;
    const statefulSet = (objs: KubeObject[]) =>
      workloads(objs).find((w) => w.name === 'kafka' && w.kind === 'StatefulSet')!.template.spec!;

    it("runs the image's scripts as java with their main class, the rendered arguments, heap and log folder", () => {
      const objs = objects();
      const spec = statefulSet(objs);
      const pod = kafkaPod(objs);
      const [init] = pod.initContainers;
      const [server] = pod.containers;
      expect(init.name).toBe(spec.initContainers![0].name);
      const heap = spec.containers[0].env!.find((e) => e.name === 'KAFKA_HEAP_OPTS')!.value!.split(' ');
      const cp = ['-cp', '/RUN/peers/kafka-4.1.1/libs/*'];
      // The init container formats the data volume with the rendered cluster ID and the mounted server.properties.
      const rendered = spec.initContainers![0].command!.slice(1);
      expect(init.argv.slice(init.argv.indexOf('kafka.tools.StorageTool') + 1)).toEqual(
        rendered.map((a) =>
          a === '/etc/kafka/server.properties'
            ? '/RUN/pods/kafka-0/volumes/config.format-storage/server.properties'
            : a,
        ),
      );
      for (const c of [init, server]) {
        expect(c.argv[0]).toBe('/usr/bin/java');
        expect(c.argv.slice(1, 1 + heap.length)).toEqual(heap);
        expect(c.argv).toEqual(expect.arrayContaining([...cp, '-Dkafka.logs.dir=/RUN/pods/kafka-0/volumes/logs']));
        expect(c.argv).toContain('-Dlog4j2.configurationFile=/RUN/peers/kafka-4.1.1/log4j2.properties');
        expect(c.uid).toBe(spec.securityContext!.runAsUser);
      }
      expect(server.argv.slice(-2)).toEqual([
        'kafka.Kafka',
        '/RUN/pods/kafka-0/volumes/config.kafka/server.properties',
      ]);
      // server.properties: the data folder is the pod's claim.
      const props = server.files.find((f) => f.path.endsWith('/server.properties'))!.content;
      expect(props).toMatch(/^log\.dirs=\/RUN\/pvc\/data-kafka-0$/m);
      expect(pod.ports.kafka).toBe(9092);
      expect(server.ready).toEqual({ kind: 'tcp', port: 9092 });
    });

    it('copies the jars into the run folder, once', () => {
      const p = planPods(objects(), {
        root: '/RUN',
        peers: { ...peers, kafka },
        allocateIp: (i) => `10.9.0.${10 + i}`,
      });
      expect(p.staged).toEqual([{ from: '/CACHE/kafka-4.1.1', to: '/RUN/peers/kafka-4.1.1' }]);
    });

    it('honours KAFKA_HEAP_OPTS, KAFKA_OPTS and the defaults of the scripts when they are unset', () => {
      const objs = objects();
      const spec = statefulSet(objs);
      spec.containers[0].env = [{ name: 'KAFKA_OPTS', value: '-Dx=/tmp/y' }];
      const server = kafkaPod(objs).containers[0];
      // kafka-server-start.sh's own heap; LOG_DIR's default is the image's /opt/kafka/logs, a volume here.
      expect(server.argv.slice(1, 3)).toEqual(['-Xmx1G', '-Xms1G']);
      expect(server.argv).toContain('-Dkafka.logs.dir=/RUN/pods/kafka-0/volumes/logs');
      expect(server.argv).toContain('-Dx=/RUN/pods/kafka-0/volumes/tmp/y');
    });

    it('refuses what it cannot stand in for: another script, the image entrypoint, no Kafka peer', () => {
      let objs = objects();
      statefulSet(objs).containers[0].command = ['/opt/kafka/bin/connect-distributed.sh', 'x'];
      expect(() => kafkaPod(objs)).toThrow(/connect-distributed\.sh", which the kafka peer does not stand in for/);
      objs = objects();
      delete statefulSet(objs).containers[0].command;
      expect(() => kafkaPod(objs)).toThrow(/relies on the apache\/kafka:4\.1\.1 entrypoint script/);
      expect(() => planPods(objects(), { root: '/RUN', peers, allocateIp: () => '10.9.0.1' })).toThrow(
        /the kafka peer is not built here \(bash test\/peers\/kafka\/build\.sh\)/,
      );
    });
  },
);

describe('path remapping', () => {
  const mounts = [
    { mountPath: '/data', hostPath: '/RUN/d' },
    { mountPath: '/etc/mimir', hostPath: '/RUN/c' },
    { mountPath: '/tmp', hostPath: '/RUN/t' },
  ];
  it('rewrites absolute paths under a mount and leaves the image file system alone', () => {
    expect(remapPath('/data', mounts)).toBe('/RUN/d');
    expect(remapPath('/data/tsdb', mounts)).toBe('/RUN/d/tsdb');
    expect(remapPath('/database', mounts)).toBe('/database');
    expect(remapPath('/etc/passwd', mounts)).toBe('/etc/passwd');
  });
  it('finds paths in flags, YAML and nginx syntax, not in URLs or route paths', () => {
    expect(remapText('-config.file=/etc/mimir/mimir.yaml', mounts)).toBe('-config.file=/RUN/c/mimir.yaml');
    expect(remapText('pid /tmp/nginx.pid;', mounts)).toBe('pid /RUN/t/nginx.pid;');
    expect(remapText('  dir: /data/tsdb\n  external_url: /alertmanager', mounts)).toBe(
      '  dir: /RUN/d/tsdb\n  external_url: /alertmanager',
    );
    expect(remapText('url: http://minio:9000/data/x', mounts)).toBe('url: http://minio:9000/data/x');
    expect(remapText('address: dns:///data:9095', mounts)).toBe('address: dns:///data:9095');
  });
});

describe('environment', () => {
  const sources = dataSources([
    {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 's' },
      stringData: { user: 'u' },
      data: { pass: Buffer.from('p').toString('base64'), user: Buffer.from('old').toString('base64') },
    },
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, data: { mode: 'm' } },
  ]);
  const pod = { name: 'x-0', namespace: 'ns', ip: '10.0.0.1' };
  it('resolves secretKeyRef from stringData over data, configMapKeyRef, fieldRef and $(VAR)', () => {
    const env = resolveEnv(
      {
        name: 'c',
        env: [
          { name: 'USER', valueFrom: { secretKeyRef: { name: 's', key: 'user' } } },
          { name: 'PASS', valueFrom: { secretKeyRef: { name: 's', key: 'pass' } } },
          { name: 'MODE', valueFrom: { configMapKeyRef: { name: 'c', key: 'mode' } } },
          { name: 'POD', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
          { name: 'BOTH', value: '$(USER):$(PASS) $$(USER) $(NOPE)' },
        ],
      },
      sources,
      pod,
    );
    expect(env).toEqual({ USER: 'u', PASS: 'p', MODE: 'm', POD: 'x-0', BOTH: 'u:p $(USER) $(NOPE)' });
  });
  it('names the missing Secret key instead of starting a process without it', () => {
    expect(() =>
      resolveEnv(
        { name: 'c', env: [{ name: 'X', valueFrom: { secretKeyRef: { name: 's', key: 'nope' } } }] },
        sources,
        pod,
      ),
    ).toThrow('Secret "s" has no key "nope"');
  });
});

if (!hasKubectl && e2eRequired) {
  describe('the harness checks under E2E_REQUIRED=1 / CI', () => {
    it('cannot run here: kubectl is missing', () => {
      throw new Error('E2E_REQUIRED=1 (or CI) is set and kubectl, which the harness checks need, is not on PATH');
    });
  });
}

describe.skipIf(!hasKubectl)(`the plan for out/local${hasKubectl ? '' : ' (skipped: kubectl is not on PATH)'}`, () => {
  const objects = hasKubectl ? local() : [];

  it('runs every workload with a peer image, one pod per replica, and lists the others', () => {
    const p = plan(objects);
    const expected = workloads(objects)
      .filter((w) => w.template.spec?.containers.some((c) => peerForImage(c.image ?? '')))
      .reduce((n, w) => n + w.replicas, 0);
    expect(p.pods.length).toBe(expected);
    expect(p.notRun.map((n) => n.workload).sort()).toEqual(
      workloads(objects)
        .filter((w) => !w.template.spec?.containers.some((c) => peerForImage(c.image ?? '')))
        .map((w) => w.name)
        .sort(),
    );
    // Sync waves: storage before Mimir before the gateway.
    const waves = p.pods.map((x) => x.workload.wave);
    expect([...waves].sort((a, b) => a - b)).toEqual(waves);
  });

  it('changes nothing but paths under volume mounts (every argument, environment and file change maps back)', () => {
    const p = plan(objects);
    for (const ch of p.changes.filter((c) => ['argument', 'environment', 'file'].includes(c.what))) {
      const pod = p.pods.find((x) => x.name === ch.pod)!;
      const c = pod.workload.template.spec!.containers.find((x) => x.name === ch.container)!;
      const mounts = [...(c.volumeMounts ?? [])].sort((a, b) => b.mountPath.length - a.mountPath.length);
      let back = ch.to;
      for (const m of mounts) {
        const host = [
          `/RUN/pods/${pod.name}/volumes/${m.name}.${c.name}`,
          `/RUN/pods/${pod.name}/volumes/${m.name}`,
          `/RUN/pvc/${m.name}-${pod.name}`,
        ];
        for (const h of host) back = back.split(h).join(m.mountPath);
      }
      expect(back, `${ch.pod} ${ch.where}`).toBe(ch.from);
    }
    expect(
      p.changes
        .map((c) => c.what)
        .every((w) => ['program', 'argument', 'environment', 'file', 'working directory'].includes(w)),
    ).toBe(true);
  });

  it('reads the bucket Job: its buckets are the ones mimir.yaml uses, its credentials the storage Secret', () => {
    const p = plan(objects);
    const job = workloads(objects).find((w) => w.kind === 'Job' && !isMimirtoolJob(w))!;
    const intent = readBucketJob(job, p.sources, p.namespace);
    const mimir = parseYaml([...p.sources.configMaps.values()].find((d) => d['mimir.yaml'])!['mimir.yaml']) as Record<
      string,
      { s3?: { bucket_name?: string } }
    >;
    const used = ['blocks_storage', 'ruler_storage', 'alertmanager_storage']
      .map((k) => mimir[k]?.s3?.bucket_name)
      .sort();
    expect([...intent.buckets].sort()).toEqual(used);
    expect(intent.endpoint).toMatch(/^http:\/\/minio\./);
    const secret = [...p.sources.secrets.values()].find((s) => s['access-key-id']);
    expect(intent.accessKeyId).toBe(secret?.['access-key-id']);
  });

  it('reads the self-monitoring rules Job: rules to the ruler, routing to the alertmanager, as the meta tenant', () => {
    const p = plan(objects);
    const job = workloads(objects).find((w) => w.kind === 'Job' && isMimirtoolJob(w))!;
    const intents = readMimirtoolJob(job, p.sources);
    expect(intents.map((i) => [i.command, i.address, i.tenant, i.namespaces])).toEqual([
      ['rules sync', 'http://ruler.mimir.svc.cluster.local:8080', 'meta', ['mimir-kube']],
      ['alertmanager load', 'http://alertmanager.mimir.svc.cluster.local:8080', 'meta', undefined],
    ]);
    const rules = parseYaml(intents[0].files[0].content) as { namespace: string; groups: { name: string }[] };
    expect(rules.namespace).toBe('mimir-kube');
    expect(rules.groups.length).toBeGreaterThan(0);
    expect(intents[1].files[0].content).toContain('receiver: self-monitoring');
  });

  it('gives each Service the addresses of the pods its selector picks, and headless ones SRV records', () => {
    const p = plan(objects);
    const dns = clusterDns(
      services(objects),
      p.pods,
      p.namespace,
      'cluster.local',
      '10.9.0.1',
      new Set(p.pods.map((x) => x.name)),
    );
    const gossip = dns.endpoints.find((e) => e.service === 'gossip-ring')!;
    expect(gossip.pods).toContain('ingester-0');
    expect(gossip.pods.some((x) => x.startsWith('minio'))).toBe(false);
    expect(dns.a).toContainEqual({ name: 'kube-dns.kube-system.svc.cluster.local', ip: '10.9.0.1' });
    const minio = p.pods.find((x) => x.workload.name === 'minio')!;
    expect(dns.a).toContainEqual({ name: 'minio.mimir.svc.cluster.local', ip: minio.ip });
    expect(dns.a).toContainEqual({ name: 'minio.mimir.svc', ip: minio.ip });
    const srv = dns.srv.filter((r) => r.name === '_grpc._tcp.query-scheduler-discovery.mimir.svc.cluster.local');
    expect(srv.length).toBe(p.pods.filter((x) => x.workload.name === 'query-scheduler').length);
    expect(dns.endpoints.flatMap((e) => e.portMismatches)).toEqual([]);
  });

  it('answers only with ready pods, except for a Service that publishes not-ready addresses', () => {
    const p = plan(objects);
    const ingester = p.pods.find((x) => x.name === 'ingester-0')!;
    const ready = new Set(p.pods.map((x) => x.name).filter((n) => n !== ingester.name));
    const dns = clusterDns(services(objects), p.pods, p.namespace, 'cluster.local', '10.9.0.1', ready);
    const ofName = (name: string): string[] => dns.a.filter((r) => r.name === name).map((r) => r.ip);
    // ingester (plain Service): the not-ready pod is not an endpoint, its A and SRV records are gone.
    const svc = dns.endpoints.find((e) => e.service === 'ingester')!;
    expect(svc.publishNotReady).toBe(false);
    expect(svc.selected).toContain(ingester.name);
    expect(svc.pods).not.toContain(ingester.name);
    expect(ofName('ingester.mimir.svc.cluster.local')).not.toContain(ingester.ip);
    // gossip-ring publishes not-ready addresses (members must find each other before they are ready).
    const gossip = dns.endpoints.find((e) => e.service === 'gossip-ring')!;
    expect(gossip.publishNotReady).toBe(true);
    expect(gossip.pods).toContain(ingester.name);
    expect(ofName('gossip-ring.mimir.svc.cluster.local')).toContain(ingester.ip);
    // Nothing ready: only Services that publish not-ready addresses answer at all.
    const none = clusterDns(services(objects), p.pods, p.namespace, 'cluster.local', '10.9.0.1', new Set());
    expect(none.endpoints.filter((e) => e.pods.length).every((e) => e.publishNotReady)).toBe(true);
    expect(
      none.srv.every((r) => none.endpoints.some((e) => e.publishNotReady && r.name.includes(`.${e.service}.`))),
    ).toBe(true);
  });

  it('the test environment differs from out/local only by its listed timing knobs, and each knob is in effect', async () => {
    const out = mkdtempSync(join(tmpdir(), 'mimir-e2e-env-'));
    try {
      const lines: string[] = [];
      const code = await runCli([join(repo, 'test/e2e/environment'), '--out', out], {
        log: (l) => lines.push(l),
        error: (l) => lines.push(l),
      });
      expect(code, lines.join('\n')).toBe(0);
      const e2e = parseObjects(
        execFileSync('kubectl', ['kustomize', join(out, 'e2e')], { encoding: 'utf8', maxBuffer: 64 << 20 }),
      );
      const diff = renderDiff(objects, e2e);
      expect(knobDifferences(diff, e2eMimirConfig)).toEqual({ unexpected: [], missing: [] });
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  }, 60_000);

  const alloyText = (): string =>
    Object.values(
      (
        objects.find((o) => o.kind === 'ConfigMap' && o.metadata?.name?.startsWith('alloy')) as unknown as {
          data: Record<string, string>;
        }
      ).data,
    )[0];

  it("reads Alloy's configuration: discovery, scrape jobs with their rules, remote write, tenant, external labels", () => {
    const intent = readAlloyConfig(alloyText());
    expect(intent.remoteWrite.url).toBe('http://gateway.mimir.svc.cluster.local:8080/api/v1/push');
    // Self-monitoring is on: Alloy writes into the meta tenant; clients read as the default tenant.
    expect(alloyTenant(intent)).toBe('meta');
    expect(clientTenantOf(objects)).toBe('anonymous');
    expect(intent.externalLabels).toEqual({ cluster: 'mimir' });
    expect(intent.namespaces).toEqual(['mimir']);
    expect(intent.labelSelector).toBe('app.kubernetes.io/part-of=mimir');
    expect(intent.scrapes.map((s) => s.name)).toEqual(['mimir', 'minio', 'gateway', 'grafana', 'alloy']);
    expect(intent.scrapes[0].rules[0]).toEqual({
      source_labels: ['__meta_kubernetes_pod_label_app_kubernetes_io_name'],
      regex: 'mimir',
      action: 'keep',
    });
  });

  it('expects, for every Mimir pod, one target on its metrics port with the labels the rules and external labels set', () => {
    const p = plan(objects);
    const intent = readAlloyConfig(alloyText());
    const mimirPods = p.pods.filter((x) => x.containers.some((c) => c.peer === 'mimir'));
    expect(mimirPods.length).toBeGreaterThan(5);
    for (const pod of mimirPods) {
      const targets = expectedTargets(intent, pod, p.namespace);
      const c = pod.containers[0];
      expect(targets).toEqual([
        {
          scrape: 'mimir',
          pod: pod.name,
          address: `${pod.ip}:${c.ports['http-metrics']}`,
          labels: {
            job: `mimir/${pod.labels['app.kubernetes.io/component']}`,
            instance: `${pod.ip}:${c.ports['http-metrics']}`,
            namespace: 'mimir',
            pod: pod.name,
            container: c.name,
            cluster: 'mimir',
          },
        },
      ]);
    }
  });

  it("reads an exporter's scrape apart from the pods': out/ingest's Kafka exporter, its address and its series' labels", () => {
    const text = readFileSync('out/ingest/observability/alloy/configmap-alloy/config.alloy', 'utf8');
    const intent = readAlloyConfig(text);
    expect(intent.scrapes.map((s) => s.name)).toEqual(['mimir', 'minio', 'gateway', 'grafana', 'alloy']);
    expect(intent.exporterScrapes.map((s) => [s.name, s.exporter, s.args])).toEqual([
      ['kafka', 'prometheus.exporter.kafka.kafka', { kafka_uris: ['kafka.mimir.svc.cluster.local:9092'] }],
    ]);
    expect(expectedExporterLabels(intent, intent.exporterScrapes[0])).toEqual({
      job: 'mimir/kafka',
      namespace: 'mimir',
      instance: 'kafka.mimir.svc.cluster.local:9092',
      cluster: 'mimir',
    });
    // No pod is a target of the exporter's scrape (its rules keep everything they are given).
    const p = plan(objects);
    for (const pod of p.pods)
      expect(expectedTargets(intent, pod, p.namespace).map((t) => t.scrape)).not.toContain('kafka');
    expect(exporterMetricsUrl(p.pods, intent.exporterScrapes[0])).toMatch(
      /^http:\/\/10\.\d+\.\d+\.\d+:12345\/api\/v0\/component\/prometheus\.exporter\.kafka\.kafka\/metrics$/,
    );
  });

  it("runs the gateway's exporter sidecar with its rendered args, scraped as job mimir/gateway", () => {
    const p = plan(objects);
    const pod = p.pods.find((x) => x.labels['app.kubernetes.io/name'] === 'gateway')!;
    const rendered = pod.workload.template.spec!.containers.find((c) => c.name === 'nginx-exporter')!;
    const exporter = pod.containers.find((c) => c.name === 'nginx-exporter')!;
    expect(exporter.peer).toBe('nginx-exporter');
    expect(exporter.argv).toEqual(['/bin/peer-nginx-exporter', ...rendered.args!]);
    expect(exporter.ready).toEqual({ kind: 'http', port: 9113, path: '/metrics' });
    const targets = expectedTargets(readAlloyConfig(alloyText()), pod, p.namespace);
    expect(targets.map((t) => [t.scrape, t.address, t.labels.job, t.labels.container])).toEqual([
      ['gateway', `${pod.ip}:9113`, 'mimir/gateway', 'nginx-exporter'],
    ]);
  });

  it('relabels as Prometheus does: anchored regexes, keep/drop, $N replacements, empty values remove a label', () => {
    const l = { a: 'x-1', b: 'y' };
    expect(relabel(l, [{ source_labels: ['a'], regex: 'x', action: 'keep' }])).toBeUndefined();
    expect(relabel(l, [{ source_labels: ['a'], regex: 'x-.', action: 'keep' }])).toEqual(l);
    expect(relabel(l, [{ source_labels: ['b'], regex: 'y|z', action: 'drop' }])).toBeUndefined();
    expect(relabel(l, [{ source_labels: ['a', 'b'], separator: '/', target_label: 'c' }])).toEqual({
      ...l,
      c: 'x-1/y',
    });
    expect(relabel(l, [{ source_labels: ['a'], regex: 'x-(.)', replacement: 'n$1', target_label: 'c' }])).toEqual({
      ...l,
      c: 'n1',
    });
    expect(relabel(l, [{ source_labels: ['none'], target_label: 'b' }])).toEqual({ a: 'x-1' });
    expect(() => relabel(l, [{ action: 'hashmod' }])).toThrow(/hashmod/);
  });
});

describe('report helpers', () => {
  it('lists one row for a change made identically in several pods', () => {
    const rows = groupChanges(
      [
        { pod: 'a-0', container: 'a', what: 'file', where: 'f:1', from: 'dir: /data', to: 'dir: /R/pvc/data-a-0' },
        { pod: 'b-0', container: 'b', what: 'file', where: 'f:1', from: 'dir: /data', to: 'dir: /R/pvc/data-b-0' },
      ],
      '/R',
    );
    expect(rows).toEqual([
      { what: 'file', where: 'f:1', from: 'dir: /data', to: 'dir: $RUN/pvc/data-<pod>', pods: ['a-0/a', 'b-0/b'] },
    ]);
  });
  it('flags every difference that is not a timing knob, and every knob that is not in effect', () => {
    const diff = [
      'ConfigMap mimir-config data.mimir.yaml.ruler.poll_interval: (unset) → "5s"',
      'ConfigMap mimir-config data.mimir.yaml.ingester.ring.replication_factor: 1 → 3',
    ];
    expect(knobDifferences(diff, { ruler: { poll_interval: '5s', evaluation_interval: '5s' } })).toEqual({
      unexpected: ['ConfigMap mimir-config data.mimir.yaml.ingester.ring.replication_factor: 1 → 3'],
      missing: ['ConfigMap mimir-config data.mimir.yaml.ruler.evaluation_interval'],
    });
  });
  it('diffs two renders leaf by leaf, ignoring generated name suffixes', () => {
    const cm = (name: string, yaml: string): KubeObject => ({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name },
      data: { 'm.yaml': yaml },
    });
    expect(renderDiff([cm('cfg-aaaaaaaaaa', 'a: 1\nb: 2\n')], [cm('cfg-bbbbbbbbbb', 'a: 1\nb: 2\n')])).toEqual([]);
    expect(renderDiff([cm('cfg-aaaaaaaaaa', 'a: 1\nb: 2\n')], [cm('cfg-bbbbbbbbbb', 'a: 1\nb: 3\n')])).toEqual([
      'ConfigMap cfg data.m.yaml.b: 2 → 3',
    ]);
  });
});
