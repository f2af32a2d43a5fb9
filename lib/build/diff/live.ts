import type { KubeObject } from '../../core/k8s/types.js';
import { resourceId } from '../../core/tree.js';
import type { DeployedObjects } from './objects.js';

/**
 * Turning the API server's copy of an object into something comparable with a render: the server
 * adds fields nobody wrote (status, uid, managedFields, defaults such as `dnsPolicy` or
 * `terminationMessagePath`, an allocated `clusterIP`) and Kustomize suffixed the generated ConfigMaps'
 * names. Only the fields the committed output or the new render set are kept: a field either of them
 * sets is compared, a field only the server wrote is not. Pure.
 */

type Json = Record<string, unknown>;
const isObj = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Keeps of `live` only what `shape` has, recursively; list items are matched by `name`, else by index. */
export function project(live: unknown, shape: unknown): unknown {
  if (isObj(shape) && isObj(live)) {
    const out: Json = {};
    for (const k of Object.keys(shape)) if (k in live) out[k] = project(live[k], shape[k]);
    return out;
  }
  if (Array.isArray(shape) && Array.isArray(live)) {
    return live.map((item, i) => {
      const byName =
        isObj(item) && typeof item.name === 'string' ? shape.find((s) => isObj(s) && s.name === item.name) : undefined;
      const s = byName ?? (shape[i] !== undefined ? shape[i] : shape[0]);
      return s === undefined ? item : project(item, s);
    });
  }
  return live;
}

/** The union of two shapes: every key either has (values of `a` where both have one). */
export function unionShape(a: unknown, b: unknown): unknown {
  if (a === undefined) return b;
  if (b === undefined) return a;
  if (isObj(a) && isObj(b)) {
    const out: Json = {};
    for (const k of new Set([...Object.keys(a), ...Object.keys(b)])) out[k] = unionShape(a[k], b[k]);
    return out;
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    const n = Math.max(a.length, b.length);
    return Array.from({ length: n }, (_, i) => unionShape(a[i], b[i]));
  }
  return a;
}

/** A Secret's `stringData` as the server stores it: base64 in `data`. */
export function secretAsStored(o: KubeObject): KubeObject {
  if (o.kind !== 'Secret' || !isObj(o.stringData)) return o;
  const data: Record<string, string> = { ...((o.data as Record<string, string> | undefined) ?? {}) };
  for (const [k, v] of Object.entries(o.stringData)) data[k] = Buffer.from(String(v)).toString('base64');
  const { stringData: _dropped, ...rest } = o;
  return { ...rest, data };
}

const HASH = /^(.*)-[a-z0-9]{10}$/;

/** Replaces every string naming a hash-suffixed copy of a generated ConfigMap by its base name. */
function unhash(v: unknown, renames: ReadonlyMap<string, string>): unknown {
  if (typeof v === 'string') return renames.get(v) ?? v;
  if (Array.isArray(v)) return v.map((x) => unhash(x, renames));
  if (isObj(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, unhash(x, renames)]));
  return v;
}

/**
 * The live counterpart of a rendered set: `live` holds what the server returned for the rendered and
 * committed objects (and every ConfigMap of their namespaces, for the hashed ones). The copy of a
 * generated ConfigMap that live workloads reference is the one compared.
 */
export function liveObjects(
  live: KubeObject[],
  committed: DeployedObjects,
  rendered: DeployedObjects,
): DeployedObjects {
  const hashed = new Set([...committed.hashed, ...rendered.hashed]);
  const generated = new Map<string, string>(); // "ns|base" → id
  for (const id of hashed) {
    const [, , ns, name] = id.split('|');
    generated.set(`${ns}|${name}`, id);
  }
  const referenced = JSON.stringify(live.filter((o) => o.kind !== 'ConfigMap'));
  const renames = new Map<string, string>();
  const chosen = new Map<string, KubeObject>();
  for (const o of live) {
    if (o.kind !== 'ConfigMap') continue;
    const m = HASH.exec(o.metadata?.name ?? '');
    const key = m ? `${o.metadata?.namespace ?? ''}|${m[1]}` : undefined;
    if (!m || key === undefined || !generated.has(key)) continue;
    renames.set(o.metadata?.name ?? '', m[1]);
    const inUse = referenced.includes(`"${o.metadata?.name ?? ''}"`);
    const prev = chosen.get(key);
    const newer = String(o.metadata?.creationTimestamp ?? '') > String(prev?.metadata?.creationTimestamp ?? '');
    if (!prev || inUse || (!referenced.includes(`"${prev.metadata?.name ?? ''}"`) && newer)) chosen.set(key, o);
  }
  const shapes = new Map<string, unknown>();
  for (const o of [...committed.objects, ...rendered.objects]) {
    const s = secretAsStored(o);
    shapes.set(resourceId(s), unionShape(shapes.get(resourceId(s)), s));
  }
  const out: KubeObject[] = [];
  for (const o of live) {
    let obj = o;
    if (o.kind === 'ConfigMap' && HASH.test(o.metadata?.name ?? '')) {
      const m = HASH.exec(o.metadata?.name ?? '') as RegExpExecArray;
      const key = `${o.metadata?.namespace ?? ''}|${m[1]}`;
      if (generated.has(key)) {
        if (chosen.get(key) !== o) continue;
        obj = { ...o, metadata: { ...o.metadata, name: m[1] } };
      }
    }
    obj = unhash(obj, renames) as KubeObject;
    const shape = shapes.get(resourceId(obj));
    if (shape === undefined) continue;
    out.push(project(obj, shape) as KubeObject);
  }
  return { objects: out, hashed: new Set([...hashed].filter((id) => out.some((o) => resourceId(o) === id))) };
}

/** The rendered set with Secrets as the server stores them, to compare with `liveObjects`. */
export function renderedForLive(rendered: DeployedObjects): DeployedObjects {
  return { objects: rendered.objects.map(secretAsStored), hashed: rendered.hashed };
}

/** `kubectl get` arguments naming each object: `kind.group/name`, grouped by namespace ('' = cluster). */
export function getArgs(objects: KubeObject[]): Map<string, string[]> {
  const byNs = new Map<string, string[]>();
  for (const o of objects) {
    const group = o.apiVersion.includes('/') ? o.apiVersion.split('/')[0] : '';
    const ns = o.metadata?.namespace ?? '';
    const list = byNs.get(ns) ?? [];
    list.push(`${o.kind.toLowerCase()}${group ? `.${group}` : ''}/${o.metadata?.name ?? ''}`);
    byNs.set(ns, list);
  }
  return byNs;
}
