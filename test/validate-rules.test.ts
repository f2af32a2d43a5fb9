import { describe, expect, it } from 'vitest';
import * as k from '../lib/core/k8s/index.js';
import type { Tree } from '../lib/core/k8s/types.js';
import { validateTree } from '../lib/build/validate/index.js';

const ns = 'test';
const selector = k.selectorLabels('app', 'web', 'stack');

function web(extra: Partial<k.ContainerSpec> = {}, volumes: k.Volume[] = []) {
  return k.deployment({
    name: 'web',
    namespace: ns,
    selector,
    replicas: 1,
    pod: {
      containers: [
        k.container({
          name: 'web',
          image: 'web:1',
          ports: { http: 8080 },
          resources: { requests: { cpu: '10m', memory: '16Mi' } },
          readinessProbe: k.httpProbe('/ready', 'http'),
          ...extra,
        }),
      ],
      volumes,
    },
  });
}

function tree(component: Record<string, k.KubeObject>): Tree {
  return { cluster: { namespace: { namespace: k.namespace(ns) as k.KubeObject } }, app: { web: component } };
}

async function messages(t: Tree, existingSecrets: string[] = []): Promise<string[]> {
  return (await validateTree(t, { existingSecrets })).map(
    (p) => `${p.path} ${p.pointer ?? ''} ${p.message}${p.hint ? ` (${p.hint})` : ''}`,
  );
}

const asObject = (o: unknown) => o as k.KubeObject;

describe('validation rules', () => {
  it('a well-formed component passes every rule', async () => {
    const d = web();
    expect(
      await messages(tree({ deployment: asObject(d), service: asObject(k.serviceFor(d)), pdb: asObject(k.pdbFor(d)) })),
    ).toEqual([]);
  });

  it('schema: a wrong type inside an object is reported with its JSON pointer', async () => {
    const d = web();
    (d.spec!.template.spec!.containers[0].ports![0] as { containerPort: unknown }).containerPort = '8080';
    expect(await messages(tree({ deployment: asObject(d) }))).toContain(
      'app.web.deployment /spec/template/spec/containers/0/ports/0/containerPort must be integer',
    );
  });

  it('schema: an apiVersion outside the allowlist is rejected', async () => {
    const bad = { apiVersion: 'extensions/v1beta1', kind: 'Ingress', metadata: { name: 'x', namespace: ns } };
    expect((await messages(tree({ ingress: bad }))).join('\n')).toContain(
      'unsupported apiVersion/kind extensions/v1beta1/Ingress',
    );
  });

  it('names: DNS-1123 object names, DNS-1035 Service names and IANA port names', async () => {
    const d = web({ ports: { 'http-metrics-port': 8080 } });
    d.metadata!.name = 'Web';
    const svc = k.serviceFor(web());
    svc.metadata!.name = '1web';
    const all = (await messages(tree({ deployment: asObject(d), service: asObject(svc) }))).join('\n');
    expect(all).toContain('/metadata/name invalid object name');
    expect(all).toContain('app.web.service /metadata/name invalid Service name');
    expect(all).toContain('/spec/template/spec/containers/0/ports/0/name invalid port name');
  });

  it('names: two tree paths rendering the same object fail instead of overwriting', async () => {
    const d = web();
    expect((await messages(tree({ a: asObject(d), b: asObject(structuredClone(d)) }))).join('\n')).toContain(
      'duplicate object',
    );
  });

  it('selectors: a Service that selects nothing, and a targetPort no pod exposes', async () => {
    const d = web();
    const svc = k.serviceFor(d);
    svc.spec!.selector = { 'app.kubernetes.io/name': 'nothing' };
    const svc2 = k.serviceFor(d, { name: 'web2' });
    svc2.spec!.ports![0].targetPort = 'grpc';
    const all = (
      await messages(tree({ deployment: asObject(d), service: asObject(svc), service2: asObject(svc2) }))
    ).join('\n');
    expect(all).toContain('app.web.service /spec/selector Service selects no workload');
    expect(all).toContain('app.web.service2 /spec/ports/0/targetPort no selected pod exposes targetPort "grpc"');
  });

  it('selectors: a selector label missing from the pod template, and a PDB selecting nothing', async () => {
    const d = web();
    delete d.spec!.template.metadata!.labels!['app.kubernetes.io/component'];
    const pdb = k.pdbFor(web());
    pdb.spec!.selector = { matchLabels: { x: 'y' } };
    const all = (await messages(tree({ deployment: asObject(d), pdb: asObject(pdb) }))).join('\n');
    expect(all).toContain('selector label missing from the pod template');
    expect(all).toContain('PodDisruptionBudget selects no workload');
  });

  it('references: a missing ConfigMap, Secret and volume are reported; an existing Secret is allowed', async () => {
    const d = web(
      { env: { PASSWORD: { secret: 'creds', key: 'password' } }, volumeMounts: [{ name: 'data', mountPath: '/data' }] },
      [k.volume.configMap('config', 'web-confg')],
    );
    const cm = k.configMap({ name: 'web-config', namespace: ns, data: { 'a.yaml': 'a: 1\n' } });
    const all = (await messages(tree({ deployment: asObject(d), configMap: asObject(cm) }))).join('\n');
    expect(all).toContain('ConfigMap "web-confg" does not exist in namespace test (did you mean `web-config`?)');
    expect(all).toContain('Secret "creds" does not exist');
    expect(all).toContain('volume "data" is not defined in the pod');
    expect(
      (await messages(tree({ deployment: asObject(d), configMap: asObject(cm) }), ['creds'])).join('\n'),
    ).not.toContain('Secret "creds"');
  });

  it('security: privileged, root, missing requests and probes are reported', async () => {
    const d = web();
    const c = d.spec!.template.spec!.containers[0];
    c.securityContext = { privileged: true, runAsUser: 0 };
    delete c.resources;
    delete c.readinessProbe;
    d.spec!.template.spec!.hostNetwork = true;
    const all = (await messages(tree({ deployment: asObject(d) }))).join('\n');
    for (const expected of [
      'host namespaces',
      'privileged containers',
      'runAsUser 0',
      'allowPrivilegeEscalation must be false',
      'capabilities must drop ALL',
      'has no CPU and memory requests',
      'has no readiness probe',
    ]) {
      expect(all).toContain(expected);
    }
  });
});

describe('container helpers', () => {
  it('mapToFlags sorts, drops null and rejects dashed keys', () => {
    expect(k.mapToFlags({ 'b.x': 1, a: true, c: null, d: 'v' })).toEqual(['-a=true', '-b.x=1', '-d=v']);
    expect(() => k.mapToFlags({ '-target': 'x' })).toThrow(/without the leading dash/);
  });
  it('gomaxprocs rounds the CPU request up', () => {
    expect(k.gomaxprocs('100m')).toBe('1');
    expect(k.gomaxprocs('1500m')).toBe('2');
    expect(k.gomaxprocs('4')).toBe('4');
  });
  it('every container is restricted and has requests', () => {
    const c = k.container({ name: 'x', image: 'x', resources: { requests: { cpu: '1', memory: '1Gi' } } });
    expect(c.securityContext).toMatchObject({
      runAsNonRoot: true,
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ['ALL'] },
    });
    expect(c.resources?.requests).toEqual({ cpu: '1', memory: '1Gi' });
  });
});

describe('YAML parsing of generated files', async () => {
  const { parseYamlDocuments } = await import('../lib/core/yaml.js');
  it('rejects duplicate keys at any depth, as Mimir does', () => {
    expect(() => parseYamlDocuments('a:\n  b: 1\n  b: 2\n')).toThrow('duplicate key "b"');
    expect(parseYamlDocuments('a:\n  b: 1\n  c: 2\n')).toEqual([{ a: { b: 1, c: 2 } }]);
  });
});

describe('YAML written by the library', async () => {
  const { parseYamlDocuments, toYaml } = await import('../lib/core/yaml.js');
  it('parses back to the data it was written from, large or small, and edits are seen', () => {
    const big = {
      overrides: Object.fromEntries(
        Array.from({ length: 2000 }, (_, i) => [`tenant-${i}`, { ingestion_rate: i, flag: 'yes' }]),
      ),
    };
    const text = toYaml(big);
    expect(parseYamlDocuments(text)).toEqual([big]);
    expect(parseYamlDocuments(text.replace('tenant-7:', 'tenant-seven:'))[0]).toHaveProperty([
      'overrides',
      'tenant-seven',
    ]);
    expect(parseYamlDocuments(toYaml({ a: 'on' }))).toEqual([{ a: 'on' }]);
  });
});

describe('unknown fields inside Kubernetes objects', async () => {
  const { generateK8sFields, fieldsPath } = await import('../scripts/generate-k8s-fields.js');
  const { readFileSync } = await import('node:fs');
  it('the committed field lists are what `npm run k8s-fields` derives from kubernetes-models', () => {
    expect(
      readFileSync(fieldsPath, 'utf8'),
      'run `npm run k8s-fields` and commit lib/build/validate/k8s-fields.json',
    ).toBe(generateK8sFields());
  });

  it('are reported with their pointer and the nearest field, at any depth, also inside arrays and maps', async () => {
    const d = web();
    Object.assign(d.spec!.template.spec!, { nodeSelectr: { pool: 'a' } });
    Object.assign(d.spec!.template.spec!.containers[0], { imagePullPolicyy: 'Always' });
    d.metadata!.annotations = { 'free.form/keys': 'are fine' };
    const all = await messages(tree({ deployment: asObject(d) }));
    expect(all).toContain(
      'app.web.deployment /spec/template/spec/nodeSelectr unknown field `nodeSelectr` (did you mean `nodeSelector`?)',
    );
    expect(all).toContain(
      'app.web.deployment /spec/template/spec/containers/0/imagePullPolicyy unknown field `imagePullPolicyy` (did you mean `imagePullPolicy`?)',
    );
    expect(all.filter((m) => m.includes('unknown field'))).toHaveLength(2);
  });
});
