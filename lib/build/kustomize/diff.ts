/** RFC 6902 operations that turn `from` into `to`; objects and equal-length arrays are diffed in place. */
export type JsonPatchOp =
  | { op: 'add'; path: string; value: unknown }
  | { op: 'replace'; path: string; value: unknown }
  | { op: 'remove'; path: string };

export function escapePointer(key: string): string {
  return key.replace(/~/g, '~0').replace(/\//g, '~1');
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) {
    if (a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!deepEqual(a[i], b[i])) return false;
    return true;
  }
  if (isObject(a) && isObject(b)) {
    const ka = Object.keys(a);
    if (ka.length !== Object.keys(b).length) return false;
    for (const k of ka) if (!(k in b) || !deepEqual(a[k], b[k])) return false;
    return true;
  }
  return false;
}

/**
 * Objects and equal-length arrays are walked without comparing them whole first: equal ones yield no
 * operations anyway, and comparing at every level made the walk quadratic in the depth.
 */
export function jsonPatch(from: unknown, to: unknown, path = ''): JsonPatchOp[] {
  if (from === to) return [];
  if (isObject(from) && isObject(to)) {
    const ops: JsonPatchOp[] = [];
    for (const key of Object.keys(from).sort())
      if (!(key in to)) ops.push({ op: 'remove', path: `${path}/${escapePointer(key)}` });
    for (const key of Object.keys(to).sort()) {
      const at = `${path}/${escapePointer(key)}`;
      if (!(key in from)) ops.push({ op: 'add', path: at, value: to[key] });
      else ops.push(...jsonPatch(from[key], to[key], at));
    }
    return ops;
  }
  if (Array.isArray(from) && Array.isArray(to) && from.length === to.length) {
    return from.flatMap((item, i) => jsonPatch(item, to[i], `${path}/${i}`));
  }
  if (deepEqual(from, to)) return [];
  return [{ op: 'replace', path: path || '/', value: to }];
}
