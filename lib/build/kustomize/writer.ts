import type { ConfigMap, KubeObject } from '../../core/k8s/types.js';
import { STABLE_NAME_ANNOTATION } from '../../core/k8s/objects.js';
import type { TreeEntry } from '../../core/tree.js';
import { resourceId } from '../../core/tree.js';
import { toYaml } from '../../core/yaml.js';
import { compareText } from '../../core/collate.js';
import { deepEqual, jsonPatch } from './diff.js';

/** Relative path under the output folder → file content. Built in memory, written atomically later. */
export type FileSet = Map<string, string>;

interface GeneratorEntry {
  name: string;
  namespace?: string;
  behavior?: 'create' | 'replace' | 'merge';
  files: string[];
  options?: { labels?: Record<string, string>; annotations?: Record<string, string>; disableNameSuffixHash?: boolean };
}

const header = { apiVersion: 'kustomize.config.k8s.io/v1beta1', kind: 'Kustomization' };

function entryFolder(e: TreeEntry): string {
  return `${e.group}/${e.component}`;
}

function fileName(o: KubeObject): string {
  return `${o.kind.toLowerCase()}-${o.metadata?.name ?? 'unnamed'}`;
}

function isGenerated(o: KubeObject): o is ConfigMap & KubeObject {
  return o.kind === 'ConfigMap' && o.apiVersion === 'v1';
}

/** A ConfigMap as a configMapGenerator entry plus its data files. */
function generator(e: TreeEntry, root: string, files: FileSet, behavior?: GeneratorEntry['behavior']): GeneratorEntry {
  const cm = e.object as ConfigMap;
  const folder = `${entryFolder(e)}/${fileName(e.object)}`;
  const data = cm.data ?? {};
  const paths = Object.keys(data)
    .sort()
    .map((key) => {
      files.set(`${root}/${folder}/${key}`, data[key]);
      return `${folder}/${key}`;
    });
  const out: GeneratorEntry = { name: cm.metadata?.name ?? '', files: paths };
  if (cm.metadata?.namespace) out.namespace = cm.metadata.namespace;
  if (behavior) out.behavior = behavior;
  const options: NonNullable<GeneratorEntry['options']> = {};
  if (cm.metadata?.labels) options.labels = cm.metadata.labels;
  if (cm.metadata?.annotations) options.annotations = cm.metadata.annotations;
  if (cm.metadata?.annotations?.[STABLE_NAME_ANNOTATION] === 'true') options.disableNameSuffixHash = true;
  if (Object.keys(options).length > 0) out.options = options;
  return out;
}

function kustomization(body: Record<string, unknown>): string {
  const doc: Record<string, unknown> = { ...header };
  for (const [k, v] of Object.entries(body)) if (!(Array.isArray(v) && v.length === 0)) doc[k] = v;
  return toYaml(doc);
}

/** `out/base`: every object of the library defaults, one file per object, grouped by component. */
export function writeBase(entries: TreeEntry[], root = 'base'): FileSet {
  const files: FileSet = new Map();
  const resources: string[] = [];
  const generators: GeneratorEntry[] = [];
  for (const e of entries) {
    if (isGenerated(e.object)) {
      generators.push(generator(e, root, files));
      continue;
    }
    const path = `${entryFolder(e)}/${fileName(e.object)}.yaml`;
    files.set(`${root}/${path}`, toYaml(e.object));
    resources.push(path);
  }
  files.set(
    `${root}/kustomization.yaml`,
    kustomization({ resources: resources.sort(), configMapGenerator: generators }),
  );
  return files;
}

function patchTarget(o: KubeObject): Record<string, string> {
  const [group, version] = o.apiVersion.includes('/') ? o.apiVersion.split('/') : ['', o.apiVersion];
  const target: Record<string, string> = { kind: o.kind, name: o.metadata?.name ?? '', version };
  if (group) target.group = group;
  if (o.metadata?.namespace) target.namespace = o.metadata.namespace;
  return target;
}

/**
 * `out/<env>`: an overlay on `../base` holding only what the environment changes — JSON 6902 patches
 * for changed objects, `$patch: delete` for objects it drops, generator replacements for changed
 * config files, and the objects only it has.
 */
export function writeOverlay(
  name: string,
  baseEntries: TreeEntry[],
  envEntries: TreeEntry[],
  baseRoot = 'base',
): FileSet {
  const root = name;
  const files: FileSet = new Map();
  const resources: string[] = [`../${baseRoot}`];
  const patches: { path: string; target?: Record<string, string> }[] = [];
  const generators: GeneratorEntry[] = [];
  const base = new Map(baseEntries.map((e) => [resourceId(e.object), e]));
  const env = new Map(envEntries.map((e) => [resourceId(e.object), e]));

  for (const e of envEntries) {
    const before = base.get(resourceId(e.object));
    if (before && deepEqual(before.object, e.object)) continue;
    if (isGenerated(e.object)) {
      generators.push(generator(e, root, files, before ? 'replace' : 'create'));
      continue;
    }
    if (!before) {
      const path = `resources/${entryFolder(e)}/${fileName(e.object)}.yaml`;
      files.set(`${root}/${path}`, toYaml(e.object));
      resources.push(path);
      continue;
    }
    const path = `patches/${entryFolder(e)}/${fileName(e.object)}.yaml`;
    files.set(`${root}/${path}`, toYaml(jsonPatch(before.object, e.object)));
    patches.push({ path, target: patchTarget(e.object) });
  }
  for (const e of baseEntries) {
    if (env.has(resourceId(e.object))) continue;
    const path = `patches/${entryFolder(e)}/${fileName(e.object)}.delete.yaml`;
    const metadata: Record<string, string> = { name: e.object.metadata?.name ?? '' };
    if (e.object.metadata?.namespace) metadata.namespace = e.object.metadata.namespace;
    files.set(
      `${root}/${path}`,
      toYaml({ $patch: 'delete', apiVersion: e.object.apiVersion, kind: e.object.kind, metadata }),
    );
    patches.push({ path });
  }
  patches.sort((a, b) => compareText(a.path, b.path));
  files.set(
    `${root}/kustomization.yaml`,
    kustomization({ resources: [resources[0], ...resources.slice(1).sort()], configMapGenerator: generators, patches }),
  );
  return files;
}
