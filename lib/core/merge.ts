/**
 * The library's one merge module, with three named modes; each states what `null` means:
 *
 * | mode                    | used for                                   | objects | arrays, scalars | `null`                         |
 * |-------------------------|--------------------------------------------|---------|-----------------|--------------------------------|
 * | `merge` (tree)          | overrides onto the rendered tree           | merge   | replace         | error: ambiguous, use `DELETE` |
 * | `mergeConfig` (config)  | an environment's config onto the defaults  | merge   | replace         | kept as a value                |
 * | `mergeYaml` (Mimir YAML)| a YAML partial onto a generated file       | merge   | replace         | removes the key                |
 *
 * In config, a `null` is a value the library reads: a flag or a key of Mimir's YAML set to `null` is
 * removed where that flag or file is rendered. The config passed the environment's JSON Schema
 * before it is merged, so unknown keys cannot slip in; `undefined` means "not set" and changes nothing.
 *
 * The tree mode in detail (Jsonnet-style):
 *
 * | override value              | rule                                                                 |
 * |-----------------------------|----------------------------------------------------------------------|
 * | object onto object          | merge recursively                                                    |
 * | scalar or whole array       | replace (arrays replace as in Jsonnet; deepmerge would concatenate)  |
 * | `append(items)` / `prepend` | add items to the end / start of the base array                       |
 * | `byName({ n: … }, key)`     | merge list items by `key` (default `name`), never by position/port   |
 * | `DELETE`                    | remove the key, component or byName item                             |
 * | key missing from the base   | error with "did you mean", unless `add(…)` or `allowNew`             |
 * | `null` / `undefined`        | error: ambiguous (YAML null vs. deepmerge's keep) — use `DELETE`     |
 * | class instance, Date, Map   | error: the tree stays JSON-pure                                      |
 *
 * deepmerge is deliberately not used here: every rule above needs the path (for problems), the base's
 * keys (for did-you-mean) and marker handling, none of which its hooks can see. Its defaults — array
 * concatenation and keeping `undefined` — are the pitfalls this module exists to avoid.
 */
import { BuildError, type Problem } from './problems.js';
import { didYouMean } from './suggest.js';

// Every symbol here is registered (`Symbol.for`): an environment may import another copy of this
// module than the build runs (the source `lib` under the compiled `mimir-kube` command, or two installed
// versions), and a marker made by one copy must be recognised by the other. `instanceof` and
// unregistered symbols are per copy, so markers are told apart by a registered brand instead.
export const DELETE: unique symbol = Symbol.for('mimir-kube.merge.DELETE');
export type Delete = typeof DELETE;

// Markers are class instances so that `isPlainObject` never mistakes one for data. Their fields sit
// behind symbols so TypeScript cannot confuse a marker with a tree object that happens to have an
// `items` or `value` key when it infers a marker's type from where it is used.
const ITEMS = Symbol.for('mimir-kube.merge.items');
const ENTRIES = Symbol.for('mimir-kube.merge.entries');
const KEY = Symbol.for('mimir-kube.merge.key');
const VALUE = Symbol.for('mimir-kube.merge.value');
const TYPE = Symbol.for('mimir-kube.merge.type');
/** The brand every marker carries: which marker it is. */
const BRAND = Symbol.for('mimir-kube.merge.marker');
type MarkerKind = 'append' | 'prepend' | 'byName' | 'add';

function brandOf(value: unknown): MarkerKind | undefined {
  if (value === null || typeof value !== 'object') return undefined;
  const brand = (value as { [BRAND]?: unknown })[BRAND];
  return brand === 'append' || brand === 'prepend' || brand === 'byName' || brand === 'add' ? brand : undefined;
}
const isAppend = (v: unknown): v is Append<unknown> => brandOf(v) === 'append';
const isPrepend = (v: unknown): v is Prepend<unknown> => brandOf(v) === 'prepend';
const isByName = (v: unknown): v is ByName<unknown> => brandOf(v) === 'byName';
const isAdd = (v: unknown): v is Add<unknown> => brandOf(v) === 'add';

/** Whether `value` is DELETE or a marker made by `append`, `prepend`, `byName` or `add` — from any copy of the library. */
export function isMarker(value: unknown): boolean {
  return value === DELETE || brandOf(value) !== undefined;
}

// A marker's T comes only from where it is used (see `append`). Inside a generic call such as
// `merge(tree, { … })` TypeScript cannot work that out and infers `unknown`; T therefore lives in a
// bivariant phantom method, so such a marker still fits its slot (runtime checks still apply) while
// Append<number> stays unassignable to Append<string>.
class Append<T> {
  readonly [BRAND] = 'append' as const;
  [TYPE]?(item: T): void;
  readonly [ITEMS]: readonly unknown[];
  constructor(items: readonly unknown[]) {
    this[ITEMS] = items;
  }
}
class Prepend<T> {
  readonly [BRAND] = 'prepend' as const;
  [TYPE]?(item: T): void;
  readonly [ITEMS]: readonly unknown[];
  constructor(items: readonly unknown[]) {
    this[ITEMS] = items;
  }
}
class ByName<T> {
  readonly [BRAND] = 'byName' as const;
  [TYPE]?(item: T): void;
  readonly [ENTRIES]: Readonly<Record<string, unknown>>;
  readonly [KEY]: string;
  constructor(entries: Readonly<Record<string, unknown>>, key: string) {
    this[ENTRIES] = entries;
    this[KEY] = key;
  }
}
class Add<T> {
  readonly [BRAND] = 'add' as const;
  [TYPE]?(value: T): void;
  readonly [VALUE]: unknown;
  constructor(value: unknown) {
    this[VALUE] = value;
  }
}
export type { Append, Prepend, ByName, Add };

type Primitive = string | number | boolean | bigint | symbol | null | undefined;

export type DeepPartial<T> = T extends Primitive | readonly unknown[] ? T : { [K in keyof T]?: DeepPartial<T[K]> };

/** A deep partial of T where any key may be `DELETE` or `add(…)`, and arrays may be markers. */
export type Override<T> = T extends Primitive
  ? T
  : T extends readonly (infer I)[]
    ? readonly I[] | Append<I> | Prepend<I> | ByName<I>
    : { [K in keyof T]?: Override<NonNullable<T[K]>> | Delete | Add<NonNullable<T[K]>> };

/** A byName entry; a new item may leave out its key field, which the entry name supplies. */
export type ByNameEntry<T, K extends string> = Override<T> | Delete | Add<Omit<T, K> & Partial<Pick<T, K & keyof T>>>;

// NoInfer: T comes from where the marker is used (e.g. `containers`), so the argument is checked
// against the tree type, excess-property typos included, instead of defining T itself.
export const append = <T>(items: NoInfer<readonly T[]>): Append<T> => new Append(items);
export const prepend = <T>(items: NoInfer<readonly T[]>): Prepend<T> => new Prepend(items);
export const add = <T>(value: NoInfer<T>): Add<T> => new Add(value);

// Overloads rather than a type parameter for the key: an unresolved key type parameter stops
// TypeScript from inferring T for the markers nested in the entries.
export function byName<T>(entries: NoInfer<Readonly<Record<string, ByNameEntry<T, 'name'>>>>): ByName<T>;
export function byName<T>(
  entries: NoInfer<Readonly<Record<string, ByNameEntry<T, 'mountPath'>>>>,
  key: 'mountPath',
): ByName<T>;
export function byName<T>(entries: NoInfer<Readonly<Record<string, ByNameEntry<T, string>>>>, key: string): ByName<T>;
export function byName(entries: Readonly<Record<string, unknown>>, key = 'name'): ByName<unknown> {
  return new ByName(entries, key);
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object') return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

export interface MergeOptions {
  /** Let the override create keys and byName items the base lacks (for config partials, not the tree). */
  allowNew?: boolean;
  /** Copied into every problem, e.g. `environments/local/main.ts`. */
  source?: string;
  /** Root of every problem path, e.g. `overrides`. */
  path?: string;
}

// NoInfer: T is the base's type and nothing else. Where the caller's expected result (e.g.
// `expect(merge(…))`) also had a say, markers at the top of the override lost their types.
export function merge<T>(base: T, override: NoInfer<Override<T>>, opts: MergeOptions = {}): NoInfer<T> {
  return mergeAll(base, [override], opts);
}

/** Applies overrides left to right and reports the problems of all of them together. */
export function mergeAll<T>(base: T, overrides: NoInfer<readonly Override<T>[]>, opts: MergeOptions = {}): NoInfer<T> {
  const ctx: Ctx = { problems: [], source: opts.source, allowNew: opts.allowNew ?? false };
  let result: unknown = base;
  for (const override of overrides) result = mergeValue(result, override, opts.path ?? '', ctx);
  if (ctx.problems.length > 0) throw new BuildError(ctx.problems);
  return (overrides.length === 0 ? clone(base) : result) as T;
}

interface Ctx {
  problems: Problem[];
  source?: string;
  allowNew: boolean;
}

function report(ctx: Ctx, path: string, problem: Omit<Problem, 'path' | 'source'>): void {
  ctx.problems.push({
    ...(ctx.source === undefined ? {} : { source: ctx.source }),
    path: path || '(root)',
    ...problem,
  });
}

function keyPath(parent: string, key: string): string {
  // Annotation and label keys contain dots and slashes; bracket them so the path stays unambiguous.
  const segment = /^[A-Za-z_$][\w$-]*$/.test(key) ? key : `[${JSON.stringify(key)}]`;
  if (!parent) return segment;
  return segment.startsWith('[') ? parent + segment : `${parent}.${segment}`;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (isAppend(value)) return 'append(…)';
  if (isPrepend(value)) return 'prepend(…)';
  if (isByName(value)) return 'byName(…)';
  if (isAdd(value)) return 'add(…)';
  if (value === DELETE) return 'DELETE';
  if (typeof value === 'object') return isPlainObject(value) ? 'object' : (value.constructor?.name ?? 'object');
  return typeof value;
}

/** Deep copy of JSON-like data; anything else is kept by reference (only the base can hold it). */
function clone(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(clone);
  if (!isPlainObject(value)) return value;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value)) setKey(out, key, clone(value[key]));
  return out;
}

// Plain assignment of `__proto__` (legal in JSON input) would replace the prototype instead.
function setKey(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

/**
 * `base === undefined` means there is nothing to merge into (a new key, an `add(…)`, an array item):
 * everything below it is new, so unknown-key checks are off there.
 */
function mergeValue(base: unknown, over: unknown, path: string, ctx: Ctx): unknown {
  if (base === undefined && !ctx.allowNew) ctx = { ...ctx, allowNew: true };
  if (over === null || over === undefined) {
    report(ctx, path, {
      message: `raw ${over} in an override is not allowed`,
      found: String(over),
      hint: 'use DELETE to remove the key, or leave the key out to keep the base value',
    });
    return clone(base);
  }
  if (over === DELETE || isAdd(over)) {
    report(ctx, path, {
      message: `${describe(over)} must be the value of an object key or byName entry, not nested in another marker or array`,
      found: describe(over),
    });
    return clone(base);
  }
  if (isAppend(over) || isPrepend(over)) {
    const items = over[ITEMS].map((item, i) => mergeValue(undefined, item, `${path}[${i}]`, ctx));
    if (base === undefined) return items;
    if (!Array.isArray(base)) return mismatch(base, over, path, ctx);
    const kept = base.map(clone);
    return isAppend(over) ? [...kept, ...items] : [...items, ...kept];
  }
  if (isByName(over)) return mergeByName(base, over, path, ctx);
  if (Array.isArray(over)) return over.map((item, i) => mergeValue(undefined, item, `${path}[${i}]`, ctx));
  if (isPlainObject(over)) {
    if (base === undefined) return mergeObject({}, over, path, ctx);
    if (!isPlainObject(base)) return mismatch(base, over, path, ctx);
    return mergeObject(base, over, path, ctx);
  }
  if (typeof over === 'string' || typeof over === 'number' || typeof over === 'boolean') return over;
  report(ctx, path, {
    message: 'only plain data (objects, arrays, strings, numbers, booleans) can be merged',
    found: describe(over),
    hint: 'convert it to plain JSON data first, e.g. a Date to an ISO string',
  });
  return clone(base);
}

function mismatch(base: unknown, over: unknown, path: string, ctx: Ctx): unknown {
  report(ctx, path, {
    message: `cannot merge ${describe(over)} into the base value`,
    expected: isPlainObject(over) ? 'an object in the base' : 'an array in the base',
    found: describe(base),
    hint: isPlainObject(over) ? 'check the path; objects only merge into objects' : 'give a whole array to replace it',
  });
  return clone(base);
}

const DROP = Symbol('drop');

function mergeObject(base: Record<string, unknown>, over: Record<string, unknown>, path: string, ctx: Ctx) {
  // Overrides are resolved in their own order (so problems read top to bottom), output keeps base order.
  const resolved = new Map<string, unknown>();
  for (const key of Object.keys(over)) {
    const value = over[key];
    const at = keyPath(path, key);
    const has = Object.hasOwn(base, key);
    if (value === DELETE) {
      if (!has && !ctx.allowNew) unknownKey(key, base, at, ctx, true);
      resolved.set(key, DROP);
    } else if (isAdd(value)) {
      if (has) {
        report(ctx, at, {
          message: `add(…) used on \`${key}\`, which the base already has`,
          hint: 'drop add(…) to merge into the existing value',
        });
      }
      resolved.set(key, mergeValue(undefined, value[VALUE], at, ctx));
    } else {
      if (!has && !ctx.allowNew) unknownKey(key, base, at, ctx, false);
      resolved.set(key, mergeValue(has ? base[key] : undefined, value, at, ctx));
    }
  }
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(base)) {
    const value = resolved.has(key) ? resolved.get(key) : clone(base[key]);
    if (value !== DROP) setKey(out, key, value);
  }
  for (const [key, value] of resolved) {
    if (!Object.hasOwn(base, key) && value !== DROP) setKey(out, key, value);
  }
  return out;
}

function unknownKey(key: string, base: Record<string, unknown>, at: string, ctx: Ctx, deleting: boolean): void {
  const suggestion = didYouMean(key, Object.keys(base));
  report(ctx, at, {
    message: `${deleting ? 'nothing to DELETE: ' : ''}the base has no key \`${key}\``,
    hint:
      [suggestion, deleting ? undefined : 'To create it on purpose, wrap the value in add(…).']
        .filter(Boolean)
        .join(' ') || undefined,
  });
}

function mergeByName(base: unknown, over: ByName<unknown>, path: string, ctx: Ctx): unknown {
  if (base !== undefined && !Array.isArray(base)) return mismatch(base, over, path, ctx);
  const key = over[KEY];
  const items: unknown[] = (base ?? []).map(clone);
  const nameOf = (item: unknown) => (isPlainObject(item) ? item[key] : undefined);
  const names = () => items.map(nameOf).filter((n): n is string => typeof n === 'string');

  for (const name of Object.keys(over[ENTRIES])) {
    const entry = over[ENTRIES][name];
    const at = `${path}[${key}=${name}]`;
    const matches = items.flatMap((item, i) => (nameOf(item) === name ? [i] : []));
    if (matches.length > 1) {
      report(ctx, at, {
        message: `the base has ${matches.length} items with ${key} \`${name}\`; byName cannot tell them apart`,
      });
      continue;
    }
    const index = matches[0];
    const missing = (deleting: boolean) => {
      if (ctx.allowNew) return;
      const suggestion = didYouMean(name, names());
      report(ctx, at, {
        message: `${deleting ? 'nothing to DELETE: ' : ''}no item with ${key} \`${name}\` in the base list`,
        expected: names().length ? `one of ${names().join(', ')}` : 'an existing item',
        hint:
          [suggestion, deleting ? undefined : 'To append a new item, wrap it in add(…).'].filter(Boolean).join(' ') ||
          undefined,
      });
    };

    if (entry === DELETE) {
      if (index === undefined) missing(true);
      else items.splice(index, 1);
    } else if (isAdd(entry)) {
      if (index !== undefined) {
        report(ctx, at, {
          message: `add(…) used on \`${name}\`, which the base list already has`,
          hint: 'drop add(…) to merge into the existing item',
        });
      } else items.push(withKey(mergeValue(undefined, entry[VALUE], at, ctx), key, name, at, ctx));
    } else if (!isPlainObject(entry)) {
      report(ctx, at, { message: 'a byName entry must be an object, add(…) or DELETE', found: describe(entry) });
    } else if (index === undefined) {
      missing(false);
      items.push(withKey(mergeValue(undefined, entry, at, ctx), key, name, at, ctx));
    } else {
      items[index] = mergeValue(items[index], entry, at, ctx);
    }
  }
  return items;
}

// The entry's name is the item's identity, so a new item gets it even when the value leaves it out.
function withKey(item: unknown, key: string, name: string, at: string, ctx: Ctx): unknown {
  if (!isPlainObject(item)) return item;
  if (item[key] !== undefined && item[key] !== name) {
    report(ctx, at, {
      message: `the item's ${key} disagrees with its byName entry`,
      expected: name,
      found: String(item[key]),
    });
  }
  const out: Record<string, unknown> = {};
  setKey(out, key, name);
  for (const k of Object.keys(item)) if (k !== key) setKey(out, k, item[k]);
  return out;
}

/** A copy of plain JSON-like data: objects and arrays copied, everything else shared. */
function copyData<T>(value: T): T {
  if (Array.isArray(value)) return value.map(copyData) as T;
  if (isPlainObject(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, copyData(v)])) as T;
  return value;
}

/**
 * Config mode: `patch` onto `base`. Plain objects merge recursively; arrays and scalars replace;
 * `null` is kept as a value; `undefined` leaves the base as it is. Neither input is mutated.
 */
export function mergeConfig<T>(base: T, patch: NoInfer<DeepPartial<T>> | undefined): T {
  return mergeConfigData(base, patch) as T;
}

function mergeConfigData(base: unknown, patch: unknown): unknown {
  if (patch === undefined) return copyData(base);
  // A scalar, an array or null replaces; only two plain objects merge.
  if (!isPlainObject(base) || !isPlainObject(patch)) return copyData(patch);
  const out = copyData(base);
  for (const [key, value] of Object.entries(patch)) {
    if (value !== undefined) out[key] = mergeConfigData(out[key], value);
  }
  return out;
}

/** A YAML mapping as the YAML mode sees it. */
export type YamlMapping = { [key: string]: unknown };

/**
 * Mimir YAML mode: a partial of a YAML file onto the generated one. Mappings merge recursively, lists
 * and scalars replace, and `null` removes the key, so a generated setting can be dropped entirely.
 */
export function mergeYaml<T extends YamlMapping>(base: T, over: YamlMapping): T {
  const out: YamlMapping = { ...base };
  for (const [key, value] of Object.entries(over)) {
    if (value === null) delete out[key];
    else {
      const current = out[key];
      out[key] = isPlainObject(value) && isPlainObject(current) ? mergeYaml(current, value) : value;
    }
  }
  return out as T;
}
