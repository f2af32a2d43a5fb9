import { posix } from 'node:path';
import type { KubeObject } from '../../core/k8s/types.js';
import { resourceId } from '../../core/tree.js';
import { parseYamlDocuments } from '../../core/yaml.js';
import type { FileSet } from '../kustomize/writer.js';

/**
 * The objects an output folder deploys, read back from the files the writer produced: the base's
 * resources and generators, then the overlay's resources, JSON 6902 patches, `$patch: delete` files
 * and generator replacements. Pure: it reads a FileSet, so the committed output (read from disk) and a
 * fresh render (still in memory) go through the same code and compare like for like.
 *
 * Generated ConfigMaps keep their unsuffixed names, as the tree has them; `hashed` lists the ones
 * Kustomize gives a content-hash suffix, whose change therefore renames them and rolls their consumers.
 */
export interface DeployedObjects {
  objects: KubeObject[];
  /** `resourceId`s of generated ConfigMaps whose name carries Kustomize's content hash. */
  hashed: Set<string>;
}

interface Kustomization {
  resources?: string[];
  configMapGenerator?: {
    name: string;
    namespace?: string;
    behavior?: 'create' | 'replace' | 'merge';
    files: string[];
    options?: {
      labels?: Record<string, string>;
      annotations?: Record<string, string>;
      disableNameSuffixHash?: boolean;
    };
  }[];
  patches?: { path: string; target?: { kind: string; name: string; namespace?: string } }[];
}

type Op = { op: 'add' | 'replace'; path: string; value: unknown } | { op: 'remove'; path: string };

function read(files: FileSet, path: string): string {
  const text = files.get(path);
  if (text === undefined) throw new Error(`${path} is referenced by a kustomization but does not exist`);
  return text;
}

function unescape(segment: string): string {
  return segment.replace(/~1/g, '/').replace(/~0/g, '~');
}

/** Applies RFC 6902 operations (the subset the writer emits: add, replace, remove) to a copy. */
export function applyJsonPatch<T>(doc: T, ops: Op[]): T {
  let out = structuredClone(doc) as unknown;
  for (const op of ops) {
    const keys = op.path === '' || op.path === '/' ? [] : op.path.slice(1).split('/').map(unescape);
    if (keys.length === 0) {
      if (op.op === 'remove') throw new Error('cannot remove the whole document');
      out = structuredClone(op.value);
      continue;
    }
    let parent = out as Record<string, unknown> | unknown[];
    for (const key of keys.slice(0, -1)) {
      const next = Array.isArray(parent) ? parent[Number(key)] : parent[key];
      if (typeof next !== 'object' || next === null) throw new Error(`patch path ${op.path} does not exist`);
      parent = next as Record<string, unknown> | unknown[];
    }
    const last = keys[keys.length - 1];
    if (Array.isArray(parent)) {
      const index = last === '-' ? parent.length : Number(last);
      if (op.op === 'add') parent.splice(index, 0, structuredClone(op.value));
      else if (op.op === 'replace') parent[index] = structuredClone(op.value);
      else parent.splice(index, 1);
    } else if (op.op === 'remove') delete parent[last];
    else parent[last] = structuredClone(op.value);
  }
  return out as T;
}

function matches(o: KubeObject, t: { kind: string; name: string; namespace?: string }): boolean {
  return o.kind === t.kind && o.metadata?.name === t.name && (o.metadata?.namespace ?? '') === (t.namespace ?? '');
}

function load(files: FileSet, root: string, out: Map<string, KubeObject>, hashed: Set<string>): void {
  const k = (parseYamlDocuments(read(files, `${root}/kustomization.yaml`))[0] ?? {}) as Kustomization;
  for (const r of k.resources ?? []) {
    const path = posix.normalize(`${root}/${r}`);
    if (files.has(`${path}/kustomization.yaml`)) {
      load(files, path, out, hashed);
      continue;
    }
    for (const doc of parseYamlDocuments(read(files, path))) out.set(resourceId(doc as KubeObject), doc as KubeObject);
  }
  for (const g of k.configMapGenerator ?? []) {
    const data: Record<string, string> = {};
    for (const f of [...g.files].sort()) data[posix.basename(f)] = read(files, posix.normalize(`${root}/${f}`));
    const metadata: NonNullable<KubeObject['metadata']> = { name: g.name };
    if (g.namespace) metadata.namespace = g.namespace;
    if (g.options?.labels) metadata.labels = g.options.labels;
    if (g.options?.annotations) metadata.annotations = g.options.annotations;
    const cm: KubeObject = { apiVersion: 'v1', kind: 'ConfigMap', metadata, data };
    const id = resourceId(cm);
    out.set(id, cm);
    if (g.options?.disableNameSuffixHash) hashed.delete(id);
    else hashed.add(id);
  }
  for (const p of k.patches ?? []) {
    const docs = parseYamlDocuments(read(files, posix.normalize(`${root}/${p.path}`)));
    const body = docs[0];
    if (Array.isArray(body)) {
      const target = p.target;
      if (!target) throw new Error(`${root}/${p.path}: a JSON 6902 patch needs a target`);
      const id = [...out.keys()].find((key) => matches(out.get(key) as KubeObject, target));
      if (id === undefined) throw new Error(`${root}/${p.path}: no object ${target.kind}/${target.name} to patch`);
      out.set(id, applyJsonPatch(out.get(id) as KubeObject, body as Op[]));
    } else {
      const del = body as KubeObject & { $patch?: string };
      if (del.$patch !== 'delete') throw new Error(`${root}/${p.path}: only JSON 6902 and $patch: delete are read`);
      const id = resourceId({ apiVersion: del.apiVersion, kind: del.kind, metadata: del.metadata });
      out.delete(id);
      hashed.delete(id);
    }
  }
}

/** The objects `kubectl kustomize <root>` would yield from `files` (generator hash suffixes left off). */
export function deployedObjects(files: FileSet, root: string): DeployedObjects {
  const out = new Map<string, KubeObject>();
  const hashed = new Set<string>();
  if (!files.has(`${root}/kustomization.yaml`)) return { objects: [], hashed };
  load(files, root, out, hashed);
  return { objects: [...out.values()], hashed };
}
