/**
 * The build validates objects with lib/build/validate/k8s-validators.generated.js, a bundle of the
 * kubernetes-models classes and validators (`npm run k8s-validators`). These tests hold it to the
 * package: the committed file is what the generator makes of the installed packages, and on every
 * object of every environment — as rendered and broken in each place in several ways — it returns the
 * package's verdict, errors and message, exactly.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { beforeAll, describe, expect, it } from 'vitest';
import type { KubeObject } from '../lib/core/k8s/types.js';
import { flatten } from '../lib/core/tree.js';
import { models, type KubeModelClass } from '../lib/build/validate/k8s-validators.generated.js';
import { schemaProblems } from '../lib/build/validate/schema.js';
import { supportedKinds, supportedModels } from '../lib/build/validate/models.js';
import {
  generateK8sValidators,
  validatorsPath,
  validatorsTypes,
  validatorsTypesPath,
} from '../scripts/generate-k8s-validators.js';
import { buildDir, environmentDirs } from './support/environments.js';

const require = createRequire(import.meta.url);

/** Classes of the packages that publish ES modules only (KEDA's), imported before the tests. */
const esmClasses = new Map<string, KubeModelClass>();

/** The package's own class of a kind, loaded from kubernetes-models as the build used to. */
function packageClass(key: string): KubeModelClass {
  const kind = key.slice(key.lastIndexOf('/') + 1);
  return esmClasses.get(key) ?? (require(supportedModels()[key]) as Record<string, KubeModelClass>)[kind];
}

interface Verdict {
  valid: boolean;
  name?: string;
  message?: string;
  errors?: unknown;
}

function verdict(Model: KubeModelClass, object: unknown): Verdict {
  try {
    new Model(object).validate();
    return { valid: true };
  } catch (err) {
    const e = err as Error & { errors?: unknown };
    return { valid: false, name: e.name, message: e.message, errors: e.errors };
  }
}

const clone = <T>(v: T): T => structuredClone(v);

/** Every JSON pointer of a value's containers and leaves (the root is ''). */
function pointers(value: unknown, at = ''): { pointer: string; value: unknown }[] {
  const out = [{ pointer: at, value }];
  if (Array.isArray(value)) value.forEach((v, i) => out.push(...pointers(v, `${at}/${i}`)));
  else if (value && typeof value === 'object')
    for (const [k, v] of Object.entries(value))
      out.push(...pointers(v, `${at}/${k.replace(/~/g, '~0').replace(/\//g, '~1')}`));
  return out;
}

function setAt(root: unknown, pointer: string, edit: (parent: Record<string, unknown>, key: string) => void): void {
  const parts = pointer
    .split('/')
    .slice(1)
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
  let node = root as Record<string, unknown>;
  for (const p of parts.slice(0, -1)) node = node[p] as Record<string, unknown>;
  edit(node, parts[parts.length - 1]);
}

/**
 * Wrong values for a node of each type: every type the schemas distinguish, numbers outside int32 and
 * int64 and with a fraction (the `int32`/`int64` formats), `undefined` (the model drops it), and for
 * containers an unknown key, a missing key and an item of the wrong type.
 */
function replacements(value: unknown): unknown[] {
  if (typeof value === 'string') return [7, true, null, {}, [], undefined, ''];
  if (typeof value === 'number') return ['7', 1.5, -1, 2 ** 40, 2 ** 70, null, undefined];
  if (typeof value === 'boolean') return ['true', 0, null];
  if (Array.isArray(value)) return ['x', {}, [null], [7], [...value, 'extra']];
  return ['x', [], 7, null];
}

/** Each node replaced by two of its wrong values (taking turns through the list), removed, and extended. */
function mutations(object: KubeObject): KubeObject[] {
  const out: KubeObject[] = [];
  let turn = 0;
  for (const { pointer, value } of pointers(object)) {
    if (pointer === '') continue;
    const wrong = replacements(value);
    for (const replacement of [wrong[turn++ % wrong.length], wrong[turn++ % wrong.length]]) {
      const copy = clone(object);
      setAt(copy, pointer, (parent, key) => (parent[key] = replacement));
      out.push(copy);
    }
    const removed = clone(object);
    setAt(removed, pointer, (parent, key) => {
      if (Array.isArray(parent)) parent.splice(Number(key), 1);
      else delete parent[key];
    });
    out.push(removed);
    if (value && typeof value === 'object' && !Array.isArray(value)) {
      const extended = clone(object);
      setAt(extended, pointer, (parent, key) => ((parent[key] as Record<string, unknown>).unknownField = { a: 1 }));
      out.push(extended);
    }
  }
  return out;
}

/** Values the formats of the bundled schemas judge: quantities, timestamps, base64. */
function formatCases(object: KubeObject): KubeObject[] {
  const out: KubeObject[] = [];
  for (const ts of ['2024-02-29T12:00:00Z', '2024-02-30T12:00:00Z', 'yesterday', '2024-01-01']) {
    const copy = clone(object);
    copy.metadata = { ...copy.metadata, creationTimestamp: ts } as KubeObject['metadata'];
    out.push(copy);
  }
  if (object.kind === 'Secret' || object.kind === 'ConfigMap') {
    const field = object.kind === 'Secret' ? 'data' : 'binaryData';
    for (const b64 of ['aGVsbG8=', 'aGVsbG8', 'not base64!', '']) out.push({ ...clone(object), [field]: { k: b64 } });
  }
  for (const { pointer } of pointers(object)) {
    if (!/\/resources\/(requests|limits)\/[^/]+$/.test(pointer)) continue;
    for (const q of ['1.5Gi', '100m', '1e3', '+1', '1 core', '16MB!', '-5', '0.5', 2, 2.5]) {
      const copy = clone(object);
      setAt(copy, pointer, (parent, key) => (parent[key] = q));
      out.push(copy);
    }
  }
  return out;
}

/** Kinds the environments do not render, so every bundled class is compared on a real object too. */
const extraObjects: KubeObject[] = [
  {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: { name: 'cache', namespace: 'x' },
    spec: { accessModes: ['ReadWriteOnce'], storageClassName: 'fast', resources: { requests: { storage: '1Gi' } } },
  },
  {
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: { name: 'agent', namespace: 'x', labels: { app: 'agent' } },
    spec: {
      selector: { matchLabels: { app: 'agent' } },
      template: {
        metadata: { labels: { app: 'agent' } },
        spec: { containers: [{ name: 'agent', image: 'agent:1', ports: [{ containerPort: 9000 }] }] },
      },
    },
  },
  {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name: 'deny', namespace: 'x' },
    spec: { podSelector: {}, policyTypes: ['Ingress'], ingress: [{ ports: [{ port: 8080, protocol: 'TCP' }] }] },
  },
  {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: { name: 'web', namespace: 'x' },
    spec: {
      rules: [
        {
          host: 'a.example',
          http: {
            paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'web', port: { number: 80 } } } }],
          },
        },
      ],
    },
  },
  {
    // What `engine: 'hpa'` renders; no environment of the repository uses it.
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata: { name: 'web', namespace: 'x' },
    spec: {
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' },
      minReplicas: 2,
      maxReplicas: 10,
      metrics: [
        { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } } },
      ],
      behavior: {
        scaleDown: { stabilizationWindowSeconds: 300, policies: [{ type: 'Percent', value: 10, periodSeconds: 60 }] },
        scaleUp: { stabilizationWindowSeconds: 0, policies: [{ type: 'Pods', value: 4, periodSeconds: 15 }] },
      },
    },
  },
  {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRole',
    metadata: { name: 'reader' },
    rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get', 'list'] }],
  },
  {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRoleBinding',
    metadata: { name: 'reader' },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'reader' },
    subjects: [{ kind: 'ServiceAccount', name: 'agent', namespace: 'x' }],
  },
];

let objects: KubeObject[] = [];
beforeAll(async () => {
  for (const [key, mod] of Object.entries(supportedModels())) {
    if (!mod.startsWith('@kubernetes-models/keda/')) continue;
    const kind = key.slice(key.lastIndexOf('/') + 1);
    esmClasses.set(key, ((await import(mod)) as Record<string, KubeModelClass>)[kind]);
  }
  for (const dir of environmentDirs) {
    const built = await buildDir(dir);
    objects.push(...flatten(built.tree).map((e) => e.object), built.application);
  }
  objects.push(...extraObjects);
  // One object per distinct shape is enough to break: the same kind rendered twice differs in values only.
  const seen = new Set<string>();
  objects = objects.filter((o) => {
    const shape = JSON.stringify(o, (_k, v: unknown) => (typeof v === 'string' || typeof v === 'number' ? 0 : v));
    if (seen.has(shape)) return false;
    seen.add(shape);
    return true;
  });
}, 60_000);

describe('the committed Kubernetes validators', () => {
  it('are what `npm run k8s-validators` bundles from the installed kubernetes-models (code and types)', async () => {
    const committed = readFileSync(validatorsPath, 'utf8');
    const generated = await generateK8sValidators();
    // Where they part, not both megabytes.
    let at = 0;
    while (at < committed.length && committed[at] === generated[at]) at++;
    expect(
      { length: committed.length, from: at, text: committed.slice(at, at + 200) },
      'run `npm run k8s-validators` and commit lib/build/validate/k8s-validators.generated.js',
    ).toEqual({ length: generated.length, from: generated.length, text: '' });
    expect(readFileSync(validatorsTypesPath, 'utf8')).toBe(validatorsTypes);
  }, 60_000);

  it('hold a class for exactly the supported kinds', () => {
    expect(Object.keys(models).sort()).toEqual([...supportedKinds]);
  });

  it('cover every supported kind in the objects compared below', () => {
    expect([...new Set(objects.map((o) => `${o.apiVersion}/${o.kind}`))].sort()).toEqual([...supportedKinds]);
  });

  it("judge every rendered object as the package does: valid, with the package's class", () => {
    for (const o of objects) {
      const key = `${o.apiVersion}/${o.kind}`;
      expect(verdict(models[key](), o), key).toEqual({ valid: true });
      expect(verdict(packageClass(key), o), key).toEqual({ valid: true });
    }
  });

  it('return the package verdict, errors and message for every object broken in every place', () => {
    let compared = 0;
    let invalid = 0;
    for (const o of objects) {
      const key = `${o.apiVersion}/${o.kind}`;
      const ours = models[key]();
      const theirs = packageClass(key);
      for (const broken of [...mutations(o), ...formatCases(o)]) {
        const expected = verdict(theirs, broken);
        const actual = verdict(ours, broken);
        if (JSON.stringify(actual) !== JSON.stringify(expected))
          expect(actual, `${key} ${JSON.stringify(broken)}`).toEqual(expected);
        compared++;
        if (!expected.valid) invalid++;
      }
    }
    // The comparison is only as good as the breakage: most of the broken objects must be invalid.
    console.log(`compared ${compared} broken objects, ${invalid} invalid`);
    expect(compared).toBeGreaterThan(8000);
    expect(invalid / compared).toBeGreaterThan(0.4);
  }, 120_000);

  it("are what the build's schema check runs: every kind's objects, broken, are refused as the package refuses them", async () => {
    // The check loads each kind's class on first use; one it skipped or mixed up would pass objects unchecked.
    const quantity = /\/resources\/(?:requests|limits)\/[^/]+$/;
    const perKind = new Map<string, number>();
    for (const o of objects) {
      const key = `${o.apiVersion}/${o.kind}`;
      for (const broken of [o, ...mutations(o)]) {
        // A broken apiVersion or kind is another (or no) kind: the check refuses it as unsupported.
        if (broken.apiVersion !== o.apiVersion || broken.kind !== o.kind) continue;
        const expected = verdict(packageClass(key), broken);
        // Errors the check leaves to other rules: quantities (the resources rule) and bare oneOf/anyOf wrappers.
        const reported = ((expected.errors ?? []) as { instancePath: string; keyword: string }[]).filter(
          (e) => e.keyword !== 'oneOf' && e.keyword !== 'anyOf' && !quantity.test(e.instancePath),
        );
        const problems = await schemaProblems({
          entries: [{ group: 'g', component: 'c', key: 'k', object: broken }],
          existingSecrets: new Set(),
        });
        if (problems.length > 0 !== reported.length > 0)
          expect(
            problems.map((p) => p.message),
            `${key} ${JSON.stringify(broken)}`,
          ).toHaveLength(reported.length);
        if (reported.length) perKind.set(key, (perKind.get(key) ?? 0) + 1);
      }
    }
    expect([...perKind.keys()].sort()).toEqual([...supportedKinds]);
  }, 120_000);

  it('read errors in English, as the package writes them', () => {
    const broken = { ...clone(objects.find((o) => o.kind === 'Deployment')!), spec: { replicas: 'three' } };
    const v = verdict(models['apps/v1/Deployment'](), broken);
    expect(v.valid).toBe(false);
    expect(v.message).toBe(
      'data/spec must have required property selector, data/spec must have required property template, data/spec/replicas must be integer',
    );
  });
});
