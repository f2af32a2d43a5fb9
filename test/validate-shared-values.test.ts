/**
 * The shared validation rules (images, ranges, resources, unknown fields, schema, names) and the lookups
 * they share, value by value: each problem is compared whole, each limit is tried on both sides, and the
 * objects a rule must pass over without a word (or a crash) are tried too. validate-failing.test.ts has one
 * failing case per rule on a realistic stack; this file pins the messages, boundaries and fixes.
 */
import { describe, expect, it } from 'vitest';

import type { KubeObject, TreeLike } from '../lib/core/k8s/types.js';
import type { Problem } from '../lib/core/problems.js';
import { flatten } from '../lib/core/tree.js';
import { namesIndex, namesOfKind, type ValidationContext } from '../lib/core/checks/context.js';
import { serviceAddress, serviceUrlProblem } from '../lib/core/checks/service-urls.js';
import { fieldsRule } from '../lib/build/validate/fields.js';
import { imageProblem, imagesRule } from '../lib/build/validate/images.js';
import { nameProblem } from '../lib/build/validate/name-formats.js';
import { rangesRule } from '../lib/build/validate/ranges.js';
import { resourcesRule } from '../lib/build/validate/resources.js';
import { schemaProblems } from '../lib/build/validate/schema.js';
import { serviceAddressesRule } from '../lib/build/validate/service-addresses.js';

const source = 'environments/shop.ts';
const ctxOf = (tree: TreeLike): ValidationContext => ({ entries: flatten(tree), source, existingSecrets: new Set() });
const obj = (o: unknown): KubeObject => o as KubeObject;
const C = '/spec/template/spec/containers/0';

function deployment(container: Record<string, unknown>, pod: Record<string, unknown> = {}, spec = {}): KubeObject {
  return obj({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'shop' },
    spec: {
      replicas: 1,
      ...spec,
      template: { spec: { ...pod, containers: [{ name: 'web', image: 'web:1', ...container }] } },
    },
  });
}

/** A problem of the object at `path` (group.component.key), as problemAt builds it. */
function at(path: string, object: string, p: Omit<Problem, 'path' | 'object' | 'source'>): Problem {
  return { source, path, object, ...p };
}
const WEB = 'apps/v1 Deployment shop/web';

describe('images', () => {
  it.each([
    ['web:1', undefined],
    ['registry.example.com:5000/grafana/mimir:3.0.2', undefined],
    [`grafana/mimir@sha256:${'a'.repeat(64)}`, undefined],
    ['', 'the image is empty'],
    [' web:1', 'the image contains spaces'],
    ['web:1 ', 'the image contains spaces'],
    ['web :1', 'the image contains spaces'],
    ['Mimir:1', 'the repository part must be lowercase'],
    ['grafana/Mimir:1', 'the repository part must be lowercase'],
    ['registry:5000/Grafana/mimir:1', 'the repository part must be lowercase'],
    ['web:', 'not a valid image reference'],
    ['web', 'the image has neither a tag nor a digest, so every node pulls whatever `latest` is that day'],
    [`${'a'.repeat(255)}:1`, undefined],
    [`${'a'.repeat(256)}:1`, 'the repository name is longer than 255 characters'],
  ])('%s: %s', (image, problem) => {
    expect(imageProblem(image)).toBe(problem);
  });

  it('a container without an image is reported at its image, found as ""', () => {
    const d = deployment({ image: undefined });
    expect(imagesRule(ctxOf({ shop: { web: { deployment: d } } }))).toStrictEqual([
      at('shop.web.deployment', WEB, {
        pointer: `${C}/image`,
        message: 'the image is empty',
        expected:
          'an image reference with a tag or a digest, e.g. `grafana/mimir:3.0.2` or `registry.example.com/grafana/mimir@sha256:<64 hex digits>`',
        found: '""',
        hint: 'images are pinned in config.images (defaults in lib/core/versions.json); set the full reference there, or in the override that changed it',
      }),
    ]);
  });
});

describe('ranges', () => {
  const ports = (containerPort: number, hostPort?: number) =>
    deployment({ ports: [{ name: 'http', containerPort, ...(hostPort !== undefined ? { hostPort } : {}) }] });

  it('ports from 1 to 65535 pass, either side of them is refused, and hostPort is checked too', () => {
    expect(rangesRule(ctxOf({ shop: { web: { a: ports(1, 65535) } } }))).toEqual([]);
    expect(rangesRule(ctxOf({ shop: { web: { a: ports(8080, 65536) } } }))).toStrictEqual([
      at('shop.web.a', WEB, {
        pointer: `${C}/ports/0/hostPort`,
        message: 'hostPort 65536 is out of range; the API server refuses the object',
        expected: 'a port number from 1 to 65535',
        found: '65536',
        hint: 'set hostPort in the config or the override that produced it',
      }),
    ]);
    expect(rangesRule(ctxOf({ shop: { web: { a: ports(80.5) } } }))[0].message).toBe(
      'containerPort 80.5 is out of range; the API server refuses the object',
    );
  });

  it('replicas of every workload kind, and a disruption budget’s counts, are 0 or more', () => {
    const workload = (kind: string, replicas: number) =>
      obj({ apiVersion: 'apps/v1', kind, metadata: { name: 'w', namespace: 'shop' }, spec: { replicas } });
    const pdb = (spec: Record<string, unknown>) =>
      obj({ apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name: 'w', namespace: 'shop' }, spec });
    expect(
      rangesRule(
        ctxOf({
          shop: {
            w: { a: workload('StatefulSet', 0), b: pdb({ minAvailable: 0 }), c: pdb({ maxUnavailable: '50%' }) },
          },
        }),
      ),
    ).toEqual([]);
    const problems = rangesRule(
      ctxOf({
        shop: {
          w: {
            a: workload('StatefulSet', -1),
            b: workload('ReplicaSet', -2),
            c: pdb({ minAvailable: -1 }),
            d: pdb({ maxUnavailable: -3 }),
            e: obj({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'w', namespace: 'shop' } }),
            f: obj({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'nospec', namespace: 'shop' } }),
          },
        },
      }),
    );
    expect(problems.map((p) => [p.path, p.pointer, p.message, p.expected])).toEqual([
      [
        'shop.w.a',
        '/spec/replicas',
        'replicas -1 is out of range; the API server refuses the object',
        'a whole number, 0 or more',
      ],
      [
        'shop.w.b',
        '/spec/replicas',
        'replicas -2 is out of range; the API server refuses the object',
        'a whole number, 0 or more',
      ],
      [
        'shop.w.c',
        '/spec/minAvailable',
        'minAvailable -1 is out of range; the API server refuses the object',
        'a whole number, 0 or more',
      ],
      [
        'shop.w.d',
        '/spec/maxUnavailable',
        'maxUnavailable -3 is out of range; the API server refuses the object',
        'a whole number, 0 or more',
      ],
    ]);
  });

  it('node ports: 30000 and 32767 pass, 29999 and 32768 do not', () => {
    const svc = (nodePort: number) =>
      obj({
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: 'web', namespace: 'shop' },
        spec: { type: 'NodePort', ports: [{ port: 80, targetPort: 'http', nodePort }] },
      });
    expect(rangesRule(ctxOf({ shop: { web: { a: svc(30000), b: svc(32767) } } }))).toEqual([]);
    expect(rangesRule(ctxOf({ shop: { web: { a: svc(29999), b: svc(32768) } } })).map((p) => p.found)).toEqual([
      '29999',
      '32768',
    ]);
    expect(rangesRule(ctxOf({ shop: { web: { a: svc(29999) } } }))[0].expected).toBe(
      "a node port in the API server's default range, 30000 to 32767",
    );
  });
});

describe('resources', () => {
  const QUANTITY =
    'a Kubernetes quantity: a number with an optional suffix — m, k, M, G, T, P, E (powers of 1000), Ki, Mi, Gi, Ti, Pi, Ei (powers of 1024) or an exponent such as e9 — e.g. `500m`, `2`, `512Mi`, `1.5Gi`, `1e9`';

  it('a bad quantity names the config that sets it: config.mimir.<component> or config.observability.<component>', () => {
    const problems = resourcesRule(
      ctxOf({
        mimir: { ingester: { d: deployment({ resources: { requests: { memory: '16MB' } } }) } },
        grafana: { grafana: { d: deployment({ resources: { limits: { cpu: '1 core' } } }) } },
      }),
    );
    expect(problems).toStrictEqual([
      at('grafana.grafana.d', WEB, {
        pointer: `${C}/resources/limits/cpu`,
        message: 'invalid cpu quantity: "1 core" is not a quantity',
        expected: QUANTITY,
        found: '"1 core"',
        hint: 'remove the spaces (config.observability.grafana.resources)',
      }),
      at('mimir.ingester.d', WEB, {
        pointer: `${C}/resources/requests/memory`,
        message: 'invalid memory quantity: "16MB" is not a quantity',
        expected: QUANTITY,
        found: '"16MB"',
        hint: 'write the unit as M or Mi (config.mimir.ingester.resources)',
      }),
    ]);
  });

  it('zero passes, a negative quantity does not; a limit only needs a request of its own resource to compare to', () => {
    expect(
      resourcesRule(
        ctxOf({
          a: { b: { d: deployment({ resources: { requests: { cpu: '0' }, limits: { cpu: '0', memory: '1Gi' } } }) } },
        }),
      ),
    ).toEqual([]);
    expect(
      resourcesRule(ctxOf({ a: { b: { d: deployment({ resources: { limits: { cpu: '-1' } } }) } } })),
    ).toStrictEqual([
      at('a.b.d', WEB, {
        pointer: `${C}/resources/limits/cpu`,
        message: 'cpu must not be negative',
        expected: 'zero or more',
        found: '"-1"',
        hint: 'fix it in config.observability.b.resources',
      }),
    ]);
    expect(
      resourcesRule(
        ctxOf({ a: { b: { d: deployment({ resources: { requests: { cpu: '2' }, limits: { cpu: '1' } } }) } } }),
      ),
    ).toStrictEqual([
      at('a.b.d', WEB, {
        pointer: `${C}/resources/limits/cpu`,
        message: 'cpu limit 1 of container "web" is below its request 2; the API server refuses the pod',
        expected: 'a limit of at least 2',
        found: '1',
        hint: 'raise the limit or lower the request in config.observability.b.resources',
      }),
    ]);
  });

  it('pod-level resources, claims and claim templates are checked at their own pointers', () => {
    expect(
      resourcesRule(
        ctxOf({
          a: { b: { d: deployment({}, { resources: { requests: { cpu: 'x' }, limits: { memory: '-1Mi' } } }) } },
        }),
      ).map((p) => [p.pointer, p.message]),
    ).toEqual([
      ['/spec/template/spec/resources/requests/cpu', 'invalid cpu quantity: "x" is not a quantity'],
      ['/spec/template/spec/resources/limits/memory', 'memory must not be negative'],
    ]);
    const problems = resourcesRule(
      ctxOf({
        a: {
          b: {
            p: obj({
              apiVersion: 'v1',
              kind: 'PersistentVolumeClaim',
              metadata: { name: 'p', namespace: 'shop' },
              spec: { resources: { requests: { storage: 'lots' } } },
            }),
            q: obj({ apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'q', namespace: 'shop' } }),
            r: obj({ apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'r' }, spec: {} }),
          },
        },
        mimir: {
          ingester: {
            s: obj({
              apiVersion: 'apps/v1',
              kind: 'StatefulSet',
              metadata: { name: 's', namespace: 'shop' },
              spec: {
                volumeClaimTemplates: [{}, { spec: {} }, { spec: { resources: { requests: { storage: '1 Gi' } } } }],
              },
            }),
            t: obj({ apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 't', namespace: 'shop' } }),
          },
        },
      }),
    );
    expect(problems.map((p) => [p.path, p.pointer, p.hint])).toEqual([
      ['a.b.p', '/spec/resources/requests/storage', 'fix it in the volume size in config'],
      [
        'mimir.ingester.s',
        '/spec/volumeClaimTemplates/2/spec/resources/requests/storage',
        'remove the spaces (config.mimir.ingester.storage.size)',
      ],
    ]);
  });
});

describe('unknown fields', () => {
  it('lists the fields of that level and suggests the nearest', () => {
    const svc = obj({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'x', namespace: 'shop', labelz: {} } });
    expect(fieldsRule(ctxOf({ a: { b: { s: svc } } }))).toStrictEqual([
      at('a.b.s', 'v1 Service shop/x', {
        pointer: '/metadata/labelz',
        message: 'unknown field `labelz`',
        expected:
          'one of annotations, creationTimestamp, deletionGracePeriodSeconds, deletionTimestamp, finalizers, generateName, generation, labels, managedFields, name, namespace, ownerReferences, resourceVersion, selfLink, uid',
        hint: 'did you mean `labels`?',
      }),
    ]);
  });

  it('leaves type errors to the schema rule, and custom resources and free-form fields unwalked', () => {
    const svc = obj({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'x', namespace: 'shop', managedFields: [{ fieldsV1: { 'f:anything': {} } }] },
      spec: { ports: { a: 1 }, clusterIP: { x: 1 }, selector: 'app' },
    });
    const crd = obj({ apiVersion: 'example.com/v1', kind: 'Thing', metadata: { name: 'x' }, spc: {} });
    expect(fieldsRule(ctxOf({ a: { b: { s: svc, t: crd } } }))).toEqual([]);
  });
});

describe('schema', () => {
  it('a missing top-level field is reported at "/"', async () => {
    const rb = obj({
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: { name: 'r', namespace: 'shop' },
      subjects: [],
    });
    expect(await schemaProblems(ctxOf({ a: { b: { r: rb } } }))).toStrictEqual([
      at('a.b.r', 'rbac.authorization.k8s.io/v1 RoleBinding shop/r', {
        pointer: '/',
        message: 'must have required property roleRef',
      }),
    ]);
  });

  it('every mistake once, and no "must match a schema in oneOf" on top of the branches', async () => {
    const svc = obj({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 's', namespace: 'shop', labels: 5 },
      spec: { ports: [{ port: 'x', targetPort: true }] },
    });
    expect((await schemaProblems(ctxOf({ a: { b: { s: svc } } }))).map((p) => `${p.pointer} ${p.message}`)).toEqual([
      '/metadata/labels must be object',
      '/spec/ports/0/port must be integer',
      '/spec/ports/0/targetPort must be string',
      '/spec/ports/0/targetPort must be integer',
    ]);
  });

  it('an unsupported kind lists the supported ones', async () => {
    const [p] = await schemaProblems(
      ctxOf({ a: { b: { s: obj({ apiVersion: 'x/v1', kind: 'Y', metadata: { name: 's' } }) } } }),
    );
    expect(p.expected).toMatch(/^one of apps\/v1\/DaemonSet, apps\/v1\/Deployment, apps\/v1\/StatefulSet, argoproj/);
  });
});

describe('object names', () => {
  it('a name over 40 characters is shown cut, with its length', () => {
    expect(nameProblem('ConfigMap', 'A'.repeat(41))?.found).toBe(`"${'A'.repeat(40)}…" (41 characters)`);
    expect(nameProblem('ConfigMap', 'A'.repeat(40))?.found).toBe(`"${'A'.repeat(40)}"`);
  });

  it('suggests the lowercase form with "-" for other characters, when that form is valid', () => {
    expect(nameProblem('Deployment', 'Web_App')).toStrictEqual({
      message: 'invalid object name',
      expected:
        'a DNS-1123 subdomain: lowercase letters, digits, "-" and ".", starting and ending with a letter or digit, at most 253 characters',
      found: '"Web_App"',
      hint: 'e.g. "web-app"',
    });
    expect(nameProblem('Deployment', '-web')).not.toHaveProperty('hint');
    expect(nameProblem('Deployment', 'Web_')).not.toHaveProperty('hint');
  });
});

describe('service addresses and the lookups rules share', () => {
  const service = (name: string, namespace: string, ports: { port: number; name?: string }[] = []) =>
    obj({ apiVersion: 'v1', kind: 'Service', metadata: { name, namespace }, spec: { ports } });

  it('a `.svc` name with the cluster domain, with another domain, and without one', () => {
    expect(serviceAddress('http://mimir.ns.svc:8080', 'x', 'cluster.local')).toEqual({
      service: 'mimir',
      namespace: 'ns',
      port: 8080,
    });
    expect(serviceAddress('mimir.ns.svc.cluster.local:80', 'x')).toEqual({
      service: 'mimir',
      namespace: 'ns',
      port: 80,
    });
    expect(serviceAddress('mimir.ns.svc.cluster.local:80', 'x', 'cluster.local')).toEqual({
      service: 'mimir',
      namespace: 'ns',
      port: 80,
    });
    expect(serviceAddress('mimir.ns.svc.other.local:80', 'x', 'cluster.local')).toBeUndefined();
    expect(serviceAddress('https://mimir', 'x')).toEqual({ service: 'mimir', namespace: 'x', port: 443 });
    expect(serviceAddress('mimir.example.com', 'x')).toBeUndefined();
  });

  it('a URL in the object’s own namespace, and a Service that exposes no ports', () => {
    const entries = flatten({
      a: {
        b: {
          cm: obj({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'shop' } }),
          svc: service('web', 'shop'),
          other: service('web', 'elsewhere', [{ port: 80 }]),
        },
      },
    });
    const ctx: ValidationContext = { entries, source, existingSecrets: new Set() };
    const cm = entries.find((e) => e.key === 'cm')!;
    expect(serviceUrlProblem(ctx, cm, 'http://web:80', '/data/x')).toStrictEqual(
      at('a.b.cm', 'v1 ConfigMap shop/c', {
        pointer: '/data/x',
        message: 'http://web:80 uses port 80, which Service "web" does not expose',
        expected: 'a port',
        found: '80',
      }),
    );
  });

  it('addresses in args, command and env values are checked; probe ports must be named by the container', () => {
    const d = deployment({
      args: ['-a=web.shop.svc:81'],
      command: ['run', 'web.shop.svc:82'],
      env: [
        { name: 'A', value: 'web.shop.svc:83' },
        { name: 'B', valueFrom: { fieldRef: { fieldPath: 'x' } } },
      ],
      ports: [{ name: 'http', containerPort: 8080 }, { containerPort: 9000 }],
      readinessProbe: { grpc: { port: 'grcp' } },
    });
    const problems = serviceAddressesRule(
      ctxOf({ shop: { web: { d, s: service('web', 'shop', [{ port: 80, name: 'http' }]) } } }),
    );
    expect(problems.map((p) => [p.pointer, p.message, p.hint])).toEqual([
      [`${C}/args/0`, 'web.shop.svc:81 uses port 81, which Service "web" does not expose', undefined],
      [`${C}/command/1`, 'web.shop.svc:82 uses port 82, which Service "web" does not expose', undefined],
      [`${C}/env/0/value`, 'web.shop.svc:83 uses port 83, which Service "web" does not expose', undefined],
      [`${C}/readinessProbe`, 'readinessProbe uses port "grcp", which container "web" does not name', undefined],
    ]);
    const named = deployment({
      ports: [{ name: 'grpc', containerPort: 9095 }],
      livenessProbe: { grpc: { port: 'grcp' } },
    });
    expect(serviceAddressesRule(ctxOf({ shop: { web: { d: named } } }))[0].hint).toBe('did you mean `grpc`?');
  });

  it('names by kind, in one namespace or in all, each lookup answered for its own kind and namespace', () => {
    const entries = flatten({
      a: {
        b: {
          x: service('one', 'n1'),
          y: service('two', 'n2'),
          z: obj({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'three', namespace: 'n1' } }),
        },
      },
    });
    expect([...namesOfKind(entries, 'Service', 'n1')]).toEqual(['one']);
    expect([...namesOfKind(entries, 'Service')].sort()).toEqual(['one', 'two']);
    const names = namesIndex(entries);
    expect([...names('Service', 'n1')]).toEqual(['one']);
    expect([...names('Service', 'n2')]).toEqual(['two']);
    expect([...names('Service')].sort()).toEqual(['one', 'two']);
    expect([...names('ConfigMap')]).toEqual(['three']);
    expect([...names('Secret')]).toEqual([]);
  });
});
