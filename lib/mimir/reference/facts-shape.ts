/**
 * The committed facts files, read as what they are. A JSON module's type widens the generator's
 * `['list', node]` tuples to arrays, so rather than asserting the type, these functions check every
 * node of a file against it (a few thousand nodes, well under a millisecond) and name the first node of
 * a file edited by hand, or written by an older generator, that does not fit.
 */
import type { MimirFacts } from './index.js';
import type { MimirDefaults } from './versions.js';

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function fail(file: string, at: string, expected: string): never {
  throw new Error(`${file}: ${at || '(root)'} is not ${expected}; run \`npm run reference\` to regenerate it`);
}

const join = (at: string, key: string) => (at ? `${at}.${key}` : key);

/** A ConfigNode: a field type, a block, `['list' | 'map', node]` or `['ref', path]`. */
function checkNode(v: unknown, file: string, at: string): void {
  if (typeof v === 'string') return;
  if (Array.isArray(v)) {
    const pair: readonly unknown[] = v;
    if (pair.length === 2 && pair[0] === 'ref' && typeof pair[1] === 'string') return;
    if (pair.length === 2 && (pair[0] === 'list' || pair[0] === 'map')) return checkNode(pair[1], file, `${at}[1]`);
    return fail(file, at, "a ['list' | 'map', node] or ['ref', path] pair");
  }
  checkBlock(v, file, at);
}

function checkBlock(v: unknown, file: string, at: string): void {
  if (!isRecord(v)) return fail(file, at, 'a block of fields');
  for (const [k, node] of Object.entries(v)) checkNode(node, file, join(at, k));
}

function checkFlags(v: unknown, file: string, at: string): void {
  if (!isRecord(v)) return fail(file, at, 'a tree of flags');
  for (const [k, node] of Object.entries(v)) if (typeof node !== 'string') checkFlags(node, file, join(at, k));
}

function checkStringLists(v: unknown, file: string, at: string): void {
  if (!isRecord(v)) return fail(file, at, 'a record of string lists');
  for (const [k, list] of Object.entries(v)) {
    const items: unknown = list;
    if (!Array.isArray(items) || !items.every((x: unknown) => typeof x === 'string'))
      fail(file, join(at, k), 'a list of strings');
  }
}

/** A facts file (`mimir-<version>.json`) is MimirFacts, or this throws naming the first node that is not. */
export function assertFacts(v: unknown, file: string): asserts v is MimirFacts {
  if (!isRecord(v)) return fail(file, '', 'an object');
  if (typeof v.mimirVersion !== 'string') fail(file, 'mimirVersion', 'a string');
  if (typeof v.limitsBlock !== 'string') fail(file, 'limitsBlock', 'a string');
  checkBlock(v.config, file, 'config');
  checkBlock(v.runtimeConfig, file, 'runtimeConfig');
  checkFlags(v.flags, file, 'flags');
  if (v.enums === undefined) return;
  if (!isRecord(v.enums)) return fail(file, 'enums', 'an object');
  checkStringLists(v.enums.flags, file, 'enums.flags');
  checkStringLists(v.enums.config, file, 'enums.config');
}

/** A defaults file (`mimir-<version>.defaults.json`) maps each flag to [its `mimir.yaml` path, its default]. */
export function assertDefaults(v: unknown, file: string): asserts v is MimirDefaults {
  if (!isRecord(v)) return fail(file, '', 'an object');
  for (const [flag, entry] of Object.entries(v)) {
    const pair: unknown = entry;
    if (!Array.isArray(pair) || pair.length !== 2 || typeof (pair as readonly unknown[])[0] !== 'string')
      fail(file, flag, 'a [path, default] pair');
  }
}
