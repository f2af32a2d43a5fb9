import { describe, expect, it } from 'vitest';
import type { ConfigMap, KubeObject, TreeLike } from '../lib/core/k8s/types.js';
import { flatten } from '../lib/core/tree.js';
import { serviceAddressesRule } from '../lib/build/validate/service-addresses.js';
import { buildDir } from './support/environments.js';

const address = /(?:_[a-z0-9-]+\._tcp\.)?[a-z0-9-]+\.[a-z0-9-]+\.svc\.cluster\.local(?::\d+)?/g;

function run(tree: TreeLike) {
  return serviceAddressesRule({ entries: flatten(tree), existingSecrets: new Set() });
}

function configMaps(tree: TreeLike): ConfigMap[] {
  return flatten(tree)
    .filter((e) => e.object.kind === 'ConfigMap')
    .map((e) => e.object as ConfigMap);
}

describe('every address in a rendered config file is a rendered Service with that port', () => {
  it('local: Mimir, nginx, Grafana and Alloy configs reference only rendered Services and ports', async () => {
    const { tree } = await buildDir('environments/local');
    const found = new Set(
      configMaps(tree).flatMap((cm) => Object.values(cm.data ?? {}).flatMap((t) => t.match(address) ?? [])),
    );
    // The configs do talk to each other: the check below has something to check.
    for (const expected of [
      'distributor.mimir.svc.cluster.local:8080',
      'gateway.mimir.svc.cluster.local:8080',
      'minio.mimir.svc.cluster.local:9000',
      'grafana.mimir.svc.cluster.local:3000',
    ]) {
      expect([...found]).toContain(expected);
    }
    expect(run(tree)).toEqual([]);
  });

  it('a config naming a Service that is not rendered, or a port it does not expose, is reported', async () => {
    const { tree } = await buildDir('environments/local');
    const broken = structuredClone(tree);
    const cm = broken.mimir.config.configMap as KubeObject & { data: Record<string, string> };
    cm.data['mimir.yaml'] = cm.data['mimir.yaml']
      .replace('alertmanager.mimir.svc', 'alertmanagr.mimir.svc')
      .replace('minio.mimir.svc.cluster.local:9000', 'minio.mimir.svc.cluster.local:9999');
    const messages = run(broken).map((p) => `${p.message} ${p.hint ?? ''}`);
    expect(messages.join('\n')).toMatch(
      /names Service "alertmanagr" in namespace mimir, which is not rendered did you mean `alertmanager`\?/,
    );
    expect(messages.join('\n')).toContain(
      'minio.mimir.svc.cluster.local:9999 uses port 9999, which Service "minio" does not expose',
    );
  });

  it('a probe on a port the container does not name is reported', async () => {
    const { tree } = await buildDir('environments/local');
    const broken = structuredClone(tree);
    broken.mimir.distributor.deployment.spec!.template.spec!.containers[0].readinessProbe!.httpGet!.port =
      'http-metric';
    expect(run(broken).map((p) => p.message)).toContain(
      'readinessProbe uses port "http-metric", which container "distributor" does not name',
    );
  });
});

describe('DNS SRV names', () => {
  it('a lookup of a port name the Service does not have is reported', async () => {
    const { tree } = await buildDir('environments/local');
    const broken = structuredClone(tree);
    const cm = broken.mimir.config.configMap as KubeObject & { data: Record<string, string> };
    cm.data['mimir.yaml'] += '# _grpcc._tcp.query-scheduler-discovery.mimir.svc.cluster.local\n';
    expect(run(broken).map((p) => p.message)).toContain(
      '_grpcc._tcp.query-scheduler-discovery.mimir.svc.cluster.local looks up port "grpcc", which Service "query-scheduler-discovery" does not name',
    );
  });
});

describe('ingest storage: the Kafka address in mimir.yaml', () => {
  it('names the bundled Kafka Service and port; removing that Service, or another port, is reported', async () => {
    const { tree } = await buildDir('environments/ingest');
    const text = String(tree.mimir.config.configMap.data?.['mimir.yaml']);
    expect(text).toContain('address: kafka.mimir.svc.cluster.local:9092');
    expect(run(tree)).toEqual([]);
    const withoutService = structuredClone(tree);
    delete (withoutService.observability.kafka as { service?: unknown }).service;
    expect(
      run(withoutService)
        .map((p) => p.message)
        .join('\n'),
    ).toMatch(/names Service "kafka" in namespace mimir, which is not rendered/);
    const otherPort = structuredClone(tree);
    const cm = otherPort.mimir.config.configMap as KubeObject & { data: Record<string, string> };
    cm.data['mimir.yaml'] = cm.data['mimir.yaml'].replace(
      'kafka.mimir.svc.cluster.local:9092',
      'kafka.mimir.svc.cluster.local:9093',
    );
    expect(run(otherPort).map((p) => p.message)).toContain(
      'kafka.mimir.svc.cluster.local:9093 uses port 9093, which Service "kafka" does not expose',
    );
  });
});
