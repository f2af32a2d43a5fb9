/**
 * The Kustomize writer, the JSON 6902 diff and the hash normalisation, file by file and operation by
 * operation, without kubectl (the round trip through kubectl is kustomize-roundtrip.test.ts and
 * readme-claims.test.ts). These are fast enough to run against every mutant.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import * as k from '../lib/core/k8s/index.js';
import type { KubeObject } from '../lib/core/k8s/types.js';
import { deepEqual, escapePointer, jsonPatch } from '../lib/build/kustomize/diff.js';
import { byResourceId, stripGeneratorHashes } from '../lib/build/kustomize/normalise.js';
import { writeBase, writeOverlay } from '../lib/build/kustomize/writer.js';
import type { TreeEntry } from '../lib/core/tree.js';
import { parseYamlDocuments } from '../lib/core/yaml.js';

const ns = 'shop';
const yaml = (text: string | undefined) => parseYamlDocuments(text ?? '')[0] as Record<string, unknown>;
const entry = (group: string, component: string, key: string, object: unknown): TreeEntry => ({
  group,
  component,
  key,
  object: object as KubeObject,
});

function web(replicas = 1) {
  return k.deployment({
    name: 'web',
    namespace: ns,
    selector: { app: 'web' },
    replicas,
    pod: {
      containers: [k.container({ name: 'web', image: 'web:1', resources: { requests: { cpu: '1', memory: '1Gi' } } })],
    },
  });
}
const config = (data: Record<string, string>, stableName = false) =>
  k.configMap({ name: 'web-config', namespace: ns, data, stableName, labels: { app: 'web' } });
const clusterRole = k.clusterRole({ name: 'reader', rules: [] });

describe('jsonPatch', () => {
  it('is empty for equal values', () => {
    expect(jsonPatch({ a: [1, { b: 2 }] }, { a: [1, { b: 2 }] })).toEqual([]);
  });
  it('removes, adds and replaces keys in sorted order, with escaped pointers', () => {
    expect(jsonPatch({ b: 1, a: 1, 'x/y': 1, keep: 1 }, { keep: 1, c: 2, b: 3, 'm~n': 4 })).toEqual([
      { op: 'remove', path: '/a' },
      { op: 'remove', path: '/x~1y' },
      { op: 'replace', path: '/b', value: 3 },
      { op: 'add', path: '/c', value: 2 },
      { op: 'add', path: '/m~0n', value: 4 },
    ]);
  });
  it('diffs equal-length arrays item by item, and replaces arrays of another length whole', () => {
    expect(jsonPatch({ l: [1, 2, 3] }, { l: [1, 5, 3] })).toEqual([{ op: 'replace', path: '/l/1', value: 5 }]);
    expect(jsonPatch({ l: [1, 2] }, { l: [1, 2, 3] })).toEqual([{ op: 'replace', path: '/l', value: [1, 2, 3] }]);
    expect(jsonPatch({ l: [{ a: 1 }] }, { l: [{ a: 1, b: 2 }] })).toEqual([{ op: 'add', path: '/l/0/b', value: 2 }]);
  });
  it('replaces a value whose type changes, and the whole document at the root', () => {
    expect(jsonPatch({ a: { b: 1 } }, { a: [1] })).toEqual([{ op: 'replace', path: '/a', value: [1] }]);
    expect(jsonPatch({ a: 1 }, { a: null })).toEqual([{ op: 'replace', path: '/a', value: null }]);
    expect(jsonPatch([1], { a: 1 })).toEqual([{ op: 'replace', path: '/', value: { a: 1 } }]);
    expect(jsonPatch(1, 2)).toEqual([{ op: 'replace', path: '/', value: 2 }]);
  });
  it('removes keys in sorted order whatever the order of the object', () => {
    expect(jsonPatch({ z: 1, a: 1, m: 1 }, { m: 1 })).toEqual([
      { op: 'remove', path: '/a' },
      { op: 'remove', path: '/z' },
    ]);
  });
  it('replaces an array by an object with the same indices whole, and the other way round', () => {
    expect(jsonPatch({ a: [1, 2] }, { a: { 0: 1, 1: 3 } })).toEqual([
      { op: 'replace', path: '/a', value: { 0: 1, 1: 3 } },
    ]);
    expect(jsonPatch({ a: { 0: 1, 1: 2, length: 2 } }, { a: [1, 3] })).toEqual([
      { op: 'replace', path: '/a', value: [1, 3] },
    ]);
  });
  it('keeps the path prefix it is given', () => {
    expect(jsonPatch({ a: 1 }, { a: 2 }, '/spec')).toEqual([{ op: 'replace', path: '/spec/a', value: 2 }]);
  });
});

describe('deepEqual and escapePointer', () => {
  it.each([
    [{ a: 1 }, { a: 1 }, true],
    [{ a: 1 }, { a: 1, b: undefined }, false],
    [{ a: 1, b: 2 }, { a: 1, c: 2 }, false],
    [{ a: undefined }, { b: undefined }, false],
    [[1, 2], [1, 2], true],
    [[1, 2], [2, 1], false],
    [[1], [1, 1], false],
    [[], {}, false],
    [{}, [], false],
    [null, {}, false],
    [{}, null, false],
    [null, null, true],
    ['1', 1, false],
    [{ a: { b: [1, { c: 'x' }] } }, { a: { b: [1, { c: 'x' }] } }, true],
    [{ a: { b: [1, { c: 'x' }] } }, { a: { b: [1, { c: 'y' }] } }, false],
    [[1], { 0: 1, length: 1 }, false],
  ])('deepEqual(%j, %j) is %s', (a, b, expected) => {
    expect(deepEqual(a, b)).toBe(expected);
    expect(deepEqual(b, a)).toBe(expected);
  });
  it('escapes ~ before / (RFC 6901)', () => {
    expect(escapePointer('a~/b/~')).toBe('a~0~1b~1~0');
    expect(escapePointer('plain')).toBe('plain');
  });
});

describe('writeBase', () => {
  // Written inside each test (not once for the describe): a mutant is only active while a test runs.
  const entries = () => [
    entry('cluster', 'rbac', 'clusterRole', clusterRole),
    entry('app', 'web', 'configMap', config({ 'b.yaml': 'b: 1\n', 'a.yaml': 'a: 1\n' })),
    entry('app', 'web', 'deployment', web()),
  ];
  let files: ReturnType<typeof writeBase>;
  beforeEach(() => {
    files = writeBase(entries());
  });

  it('writes one file per object under <group>/<component>/<kind>-<name>.yaml and lists them sorted', () => {
    expect([...files.keys()].sort()).toEqual([
      'base/app/web/configmap-web-config/a.yaml',
      'base/app/web/configmap-web-config/b.yaml',
      'base/app/web/deployment-web.yaml',
      'base/cluster/rbac/clusterrole-reader.yaml',
      'base/kustomization.yaml',
    ]);
    expect(yaml(files.get('base/app/web/deployment-web.yaml'))).toEqual(JSON.parse(JSON.stringify(web())));
    const kz = yaml(files.get('base/kustomization.yaml'));
    expect(kz.apiVersion).toBe('kustomize.config.k8s.io/v1beta1');
    expect(kz.kind).toBe('Kustomization');
    expect(kz.resources).toEqual(['app/web/deployment-web.yaml', 'cluster/rbac/clusterrole-reader.yaml']);
  });

  it('turns ConfigMaps into configMapGenerator entries whose files hold the data, keeping labels and annotations', () => {
    expect(files.get('base/app/web/configmap-web-config/a.yaml')).toBe('a: 1\n');
    expect(yaml(files.get('base/kustomization.yaml')).configMapGenerator).toEqual([
      {
        name: 'web-config',
        namespace: ns,
        files: ['app/web/configmap-web-config/a.yaml', 'app/web/configmap-web-config/b.yaml'],
        options: { labels: { app: 'web' }, annotations: { 'argocd.argoproj.io/compare-options': 'IgnoreExtraneous' } },
      },
    ]);
  });

  it('disables the hash suffix only for a stable-name ConfigMap', () => {
    const stable = writeBase([entry('app', 'web', 'configMap', config({ 'a.yaml': '' }, true))]);
    const [gen] = yaml(stable.get('base/kustomization.yaml')).configMapGenerator as {
      options: Record<string, unknown>;
    }[];
    expect(gen.options.disableNameSuffixHash).toBe(true);
    const [hashed] = yaml(files.get('base/kustomization.yaml')).configMapGenerator as {
      options: Record<string, unknown>;
    }[];
    expect(hashed.options).not.toHaveProperty('disableNameSuffixHash');
  });

  it('leaves out empty lists and empty options, and writes under another root when asked', () => {
    const only = writeBase([entry('cluster', 'rbac', 'clusterRole', clusterRole)], 'lib');
    const kz = yaml(only.get('lib/kustomization.yaml'));
    expect(kz).not.toHaveProperty('configMapGenerator');
    expect(kz.resources).toEqual(['cluster/rbac/clusterrole-reader.yaml']);
    const bare = writeBase([
      entry('a', 'b', 'cm', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'bare' } }),
    ]);
    expect(yaml(bare.get('base/kustomization.yaml'))).toEqual({
      apiVersion: 'kustomize.config.k8s.io/v1beta1',
      kind: 'Kustomization',
      configMapGenerator: [{ name: 'bare', files: [] }],
    });
  });
  it('writes data files in key order whatever the order of the ConfigMap, and any apiVersion other than v1 as a resource', () => {
    const raw = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'raw', namespace: ns },
      data: { 'z.yaml': 'z', 'a.yaml': 'a' },
    };
    const crd = { apiVersion: 'example.com/v1', kind: 'ConfigMap', metadata: { name: 'custom', namespace: ns } };
    const out = writeBase([entry('app', 'raw', 'configMap', raw), entry('app', 'custom', 'configMap', crd)]);
    const kz = yaml(out.get('base/kustomization.yaml'));
    expect(kz.configMapGenerator).toEqual([
      { name: 'raw', namespace: ns, files: ['app/raw/configmap-raw/a.yaml', 'app/raw/configmap-raw/z.yaml'] },
    ]);
    expect(kz.resources).toEqual(['app/custom/configmap-custom.yaml']);
  });

  it('names a file for an object without a name "<kind>-unnamed", and a generator without metadata ""', () => {
    const out = writeBase([
      entry('app', 'x', 'sa', { apiVersion: 'v1', kind: 'ServiceAccount' }),
      entry('app', 'y', 'cm', { apiVersion: 'v1', kind: 'ConfigMap', data: { f: 'x' } }),
    ]);
    expect(out.has('base/app/x/serviceaccount-unnamed.yaml')).toBe(true);
    expect(out.get('base/app/y/configmap-unnamed/f')).toBe('x');
    expect(yaml(out.get('base/kustomization.yaml')).configMapGenerator).toEqual([
      { name: '', files: ['app/y/configmap-unnamed/f'] },
    ]);
  });
});

describe('writeOverlay', () => {
  const baseEntries = [
    entry('app', 'web', 'configMap', config({ 'a.yaml': 'a: 1\n' })),
    entry('app', 'web', 'deployment', web(1)),
    entry('app', 'web', 'service', k.serviceFor(web())),
    entry('cluster', 'rbac', 'clusterRole', clusterRole),
  ];

  it('is only `resources: [../base]` when nothing changes', () => {
    const files = writeOverlay('prod', baseEntries, baseEntries);
    expect([...files.keys()]).toEqual(['prod/kustomization.yaml']);
    expect(yaml(files.get('prod/kustomization.yaml'))).toEqual({
      apiVersion: 'kustomize.config.k8s.io/v1beta1',
      kind: 'Kustomization',
      resources: ['../base'],
    });
  });

  it('patches a changed object with JSON 6902 and a target naming group, version, kind, name and namespace', () => {
    const files = writeOverlay(
      'prod',
      baseEntries,
      baseEntries.map((e) => (e.key === 'deployment' ? entry('app', 'web', 'deployment', web(3)) : e)),
    );
    expect(parseYamlDocuments(files.get('prod/patches/app/web/deployment-web.yaml')!)[0]).toEqual([
      { op: 'replace', path: '/spec/replicas', value: 3 },
    ]);
    expect(yaml(files.get('prod/kustomization.yaml')).patches).toEqual([
      {
        path: 'patches/app/web/deployment-web.yaml',
        target: { kind: 'Deployment', name: 'web', version: 'v1', group: 'apps', namespace: ns },
      },
    ]);
  });

  it('targets a core-group and a cluster-scoped object without group or namespace', () => {
    const svc = k.serviceFor(web());
    svc.spec!.type = 'NodePort';
    const role = { ...clusterRole, rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get'] }] };
    const files = writeOverlay(
      'prod',
      baseEntries,
      baseEntries.map((e) =>
        e.key === 'service'
          ? entry('app', 'web', 'service', svc)
          : e.key === 'clusterRole'
            ? entry('cluster', 'rbac', 'clusterRole', role)
            : e,
      ),
    );
    expect(yaml(files.get('prod/kustomization.yaml')).patches).toEqual([
      {
        path: 'patches/app/web/service-web.yaml',
        target: { kind: 'Service', name: 'web', version: 'v1', namespace: ns },
      },
      {
        path: 'patches/cluster/rbac/clusterrole-reader.yaml',
        target: { kind: 'ClusterRole', name: 'reader', version: 'v1', group: 'rbac.authorization.k8s.io' },
      },
    ]);
  });

  it('deletes an object the environment drops with $patch: delete, without a target', () => {
    const files = writeOverlay(
      'prod',
      baseEntries,
      baseEntries.filter((e) => e.key !== 'service' && e.key !== 'clusterRole'),
    );
    expect(yaml(files.get('prod/patches/app/web/service-web.delete.yaml'))).toEqual({
      $patch: 'delete',
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'web', namespace: ns },
    });
    expect(yaml(files.get('prod/patches/cluster/rbac/clusterrole-reader.delete.yaml'))).toEqual({
      $patch: 'delete',
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRole',
      metadata: { name: 'reader' },
    });
    expect(yaml(files.get('prod/kustomization.yaml')).patches).toEqual([
      { path: 'patches/app/web/service-web.delete.yaml' },
      { path: 'patches/cluster/rbac/clusterrole-reader.delete.yaml' },
    ]);
  });

  it('replaces a changed config file through the generator (behavior: replace) and creates a new one (behavior: create)', () => {
    const extra = k.configMap({ name: 'extra', namespace: ns, data: { 'x.yaml': 'x: 1\n' } });
    const files = writeOverlay('prod', baseEntries, [
      ...baseEntries.map((e) =>
        e.key === 'configMap' ? entry('app', 'web', 'configMap', config({ 'a.yaml': 'a: 2\n' })) : e,
      ),
      entry('app', 'extra', 'configMap', extra),
    ]);
    expect(files.get('prod/app/web/configmap-web-config/a.yaml')).toBe('a: 2\n');
    expect(files.get('prod/app/extra/configmap-extra/x.yaml')).toBe('x: 1\n');
    const gens = yaml(files.get('prod/kustomization.yaml')).configMapGenerator as {
      name: string;
      behavior: string;
      files: string[];
    }[];
    expect(gens.map((g) => [g.name, g.behavior, g.files])).toEqual([
      ['web-config', 'replace', ['app/web/configmap-web-config/a.yaml']],
      ['extra', 'create', ['app/extra/configmap-extra/x.yaml']],
    ]);
  });

  it('adds objects only the environment has as resources, sorted after ../base', () => {
    const files = writeOverlay(
      'prod',
      baseEntries,
      [
        ...baseEntries,
        entry('app', 'web', 'secret', k.secret({ name: 'b', namespace: ns, stringData: {} })),
        entry('app', 'a', 'secret', k.secret({ name: 'a', namespace: ns, stringData: {} })),
      ],
      'lib',
    );
    expect(yaml(files.get('prod/kustomization.yaml')).resources).toEqual([
      '../lib',
      'resources/app/a/secret-a.yaml',
      'resources/app/web/secret-b.yaml',
    ]);
    expect(yaml(files.get('prod/resources/app/web/secret-b.yaml'))).toMatchObject({
      kind: 'Secret',
      metadata: { name: 'b' },
    });
  });

  it('sorts patches by path', () => {
    const files = writeOverlay('prod', baseEntries, [
      entry('app', 'web', 'deployment', web(2)),
      entry('app', 'web', 'configMap', config({ 'a.yaml': 'a: 1\n' })),
    ]);
    expect((yaml(files.get('prod/kustomization.yaml')).patches as { path: string }[]).map((p) => p.path)).toEqual([
      'patches/app/web/deployment-web.yaml',
      'patches/app/web/service-web.delete.yaml',
      'patches/cluster/rbac/clusterrole-reader.delete.yaml',
    ]);
  });
  it('sorts patches by path, also when a delete sorts before a patch', () => {
    const role = { ...clusterRole, rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['list'] }] };
    const files = writeOverlay(
      'prod',
      baseEntries,
      baseEntries
        .filter((e) => e.key !== 'service')
        .map((e) => (e.key === 'clusterRole' ? entry('cluster', 'rbac', 'clusterRole', role) : e)),
    );
    expect((yaml(files.get('prod/kustomization.yaml')).patches as { path: string }[]).map((p) => p.path)).toEqual([
      'patches/app/web/service-web.delete.yaml',
      'patches/cluster/rbac/clusterrole-reader.yaml',
    ]);
  });

  it('handles objects without metadata: an unnamed patch target and delete', () => {
    const bare = { apiVersion: 'v1', kind: 'ServiceAccount' } as KubeObject;
    const changed = { apiVersion: 'v1', kind: 'ServiceAccount', automountServiceAccountToken: true } as KubeObject;
    const patched = writeOverlay('prod', [entry('a', 'b', 'sa', bare)], [entry('a', 'b', 'sa', changed)]);
    expect(yaml(patched.get('prod/kustomization.yaml')).patches).toEqual([
      { path: 'patches/a/b/serviceaccount-unnamed.yaml', target: { kind: 'ServiceAccount', name: '', version: 'v1' } },
    ]);
    const deleted = writeOverlay('prod', [entry('a', 'b', 'sa', bare)], []);
    expect(yaml(deleted.get('prod/patches/a/b/serviceaccount-unnamed.delete.yaml'))).toEqual({
      $patch: 'delete',
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: { name: '' },
    });
  });
});

describe('stripGeneratorHashes and byResourceId', () => {
  const cm = (name: string) =>
    ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: ns } }) as KubeObject;
  it('strips a 10-character suffix from generated ConfigMaps and rewrites references to them', () => {
    const pod = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web', namespace: ns },
      spec: { volumes: [{ configMap: { name: 'web-config-abc12345de' } }], note: 'web-config-abc12345de', n: 1 },
    } satisfies KubeObject;
    const [a, b, c, d] = stripGeneratorHashes(
      [cm('web-config-abc12345de'), pod, cm('other-abc12345de'), cm('web-config-short')],
      new Set(['web-config', 'web-config-short']),
    );
    expect(a.metadata?.name).toBe('web-config');
    expect(b).toEqual({ ...pod, spec: { volumes: [{ configMap: { name: 'web-config' } }], note: 'web-config', n: 1 } });
    expect(c.metadata?.name).toBe('other-abc12345de');
    expect(d.metadata?.name).toBe('web-config-short');
  });
  it('strips only a suffix at the end of the name, and leaves ConfigMaps without metadata alone', () => {
    const [a, b] = stripGeneratorHashes(
      [cm('web-config-abc12345dexyz'), { apiVersion: 'v1', kind: 'ConfigMap' } as KubeObject],
      new Set(['web-config', '']),
    );
    expect(a.metadata?.name).toBe('web-config-abc12345dexyz');
    expect(b).toEqual({ apiVersion: 'v1', kind: 'ConfigMap' });
  });
  it('only ConfigMaps are renamed', () => {
    const secret = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'web-config-abc12345de' } } as KubeObject;
    expect(stripGeneratorHashes([secret], new Set(['web-config']))[0].metadata?.name).toBe('web-config-abc12345de');
  });
  it('keys objects by apiVersion, kind, namespace and name', () => {
    expect([...byResourceId([cm('a'), cm('b')]).keys()]).toEqual([`v1|ConfigMap|${ns}|a`, `v1|ConfigMap|${ns}|b`]);
  });
});
