/**
 * Every problem merge() can report, each asserted whole: path, message, expected, found and hint —
 * the words a user reads to fix an override. merge.test.ts has the rules; this file has their errors.
 */
import { describe, expect, it } from 'vitest';
import { add, append, byName, DELETE, isPlainObject, merge, mergeAll, prepend } from '../lib/core/merge.js';
import { BuildError, type Problem } from '../lib/core/problems.js';

/** The problems of one merge, which must fail. */
function problems(
  base: unknown,
  override: unknown,
  opts: { source?: string; path?: string; allowNew?: boolean } = {},
): Problem[] {
  try {
    merge(base as never, override as never, opts);
  } catch (err) {
    if (err instanceof BuildError) return err.problems;
    throw err;
  }
  throw new Error('the merge succeeded');
}

const src = { source: 'environments/x/main.ts', path: 'overrides' };

describe('merge problems, each in full', () => {
  const cases: [string, unknown, unknown, Problem][] = [
    [
      'raw null',
      { a: 1 },
      { a: null },
      {
        source: src.source,
        path: 'overrides.a',
        message: 'raw null in an override is not allowed',
        found: 'null',
        hint: 'use DELETE to remove the key, or leave the key out to keep the base value',
      },
    ],
    [
      'raw undefined',
      { a: 1 },
      { a: undefined },
      {
        source: src.source,
        path: 'overrides.a',
        message: 'raw undefined in an override is not allowed',
        found: 'undefined',
        hint: 'use DELETE to remove the key, or leave the key out to keep the base value',
      },
    ],
    [
      'DELETE inside an array',
      { a: [1] },
      { a: [DELETE] },
      {
        source: src.source,
        path: 'overrides.a[0]',
        message: 'DELETE must be the value of an object key or byName entry, not nested in another marker or array',
        found: 'DELETE',
      },
    ],
    [
      'add(…) inside append(…)',
      { a: [1] },
      { a: append([add(2)]) },
      {
        source: src.source,
        path: 'overrides.a[0]',
        message: 'add(…) must be the value of an object key or byName entry, not nested in another marker or array',
        found: 'add(…)',
      },
    ],
    [
      'raw null inside prepend(…)',
      { a: [1] },
      { a: prepend([1, null]) },
      {
        source: src.source,
        path: 'overrides.a[1]',
        message: 'raw null in an override is not allowed',
        found: 'null',
        hint: 'use DELETE to remove the key, or leave the key out to keep the base value',
      },
    ],
    [
      'append(…) onto a number',
      { a: 1 },
      { a: append([2]) },
      {
        source: src.source,
        path: 'overrides.a',
        message: 'cannot merge append(…) into the base value',
        expected: 'an array in the base',
        found: 'number',
        hint: 'give a whole array to replace it',
      },
    ],
    [
      'prepend(…) onto an object',
      { a: {} },
      { a: prepend([2]) },
      {
        source: src.source,
        path: 'overrides.a',
        message: 'cannot merge prepend(…) into the base value',
        expected: 'an array in the base',
        found: 'object',
        hint: 'give a whole array to replace it',
      },
    ],
    [
      'byName(…) onto a string',
      { a: 'x' },
      { a: byName({ n: {} }) },
      {
        source: src.source,
        path: 'overrides.a',
        message: 'cannot merge byName(…) into the base value',
        expected: 'an array in the base',
        found: 'string',
        hint: 'give a whole array to replace it',
      },
    ],
    [
      'an object onto an array',
      { a: [1] },
      { a: { b: 1 } },
      {
        source: src.source,
        path: 'overrides.a',
        message: 'cannot merge object into the base value',
        expected: 'an object in the base',
        found: 'array',
        hint: 'check the path; objects only merge into objects',
      },
    ],
    [
      'an object onto null',
      { a: null },
      { a: { b: 1 } },
      {
        source: src.source,
        path: 'overrides.a',
        message: 'cannot merge object into the base value',
        expected: 'an object in the base',
        found: 'null',
        hint: 'check the path; objects only merge into objects',
      },
    ],
    [
      'a Date',
      { a: 1 },
      { a: new Date(0) },
      {
        source: src.source,
        path: 'overrides.a',
        message: 'only plain data (objects, arrays, strings, numbers, booleans) can be merged',
        found: 'Date',
        hint: 'convert it to plain JSON data first, e.g. a Date to an ISO string',
      },
    ],
    [
      'a Map',
      { a: 1 },
      { a: new Map() },
      {
        source: src.source,
        path: 'overrides.a',
        message: 'only plain data (objects, arrays, strings, numbers, booleans) can be merged',
        found: 'Map',
        hint: 'convert it to plain JSON data first, e.g. a Date to an ISO string',
      },
    ],
    [
      'an object without a constructor',
      { a: 1 },
      { a: Object.create(Object.create(null) as object) as object },
      {
        source: src.source,
        path: 'overrides.a',
        message: 'only plain data (objects, arrays, strings, numbers, booleans) can be merged',
        found: 'object',
        hint: 'convert it to plain JSON data first, e.g. a Date to an ISO string',
      },
    ],
    [
      'a function',
      { a: 1 },
      { a: () => 1 },
      {
        source: src.source,
        path: 'overrides.a',
        message: 'only plain data (objects, arrays, strings, numbers, booleans) can be merged',
        found: 'function',
        hint: 'convert it to plain JSON data first, e.g. a Date to an ISO string',
      },
    ],
    [
      'a key the base lacks, with a suggestion',
      { name: 1 },
      { nmae: 2 },
      {
        source: src.source,
        path: 'overrides.nmae',
        message: 'the base has no key `nmae`',
        hint: 'did you mean `name`? To create it on purpose, wrap the value in add(…).',
      },
    ],
    [
      'a key the base lacks, without a suggestion',
      { name: 1 },
      { zzzzzzzz: 2 },
      {
        source: src.source,
        path: 'overrides.zzzzzzzz',
        message: 'the base has no key `zzzzzzzz`',
        hint: 'To create it on purpose, wrap the value in add(…).',
      },
    ],
    [
      'DELETE of a key the base lacks',
      { name: 1 },
      { nmae: DELETE },
      {
        source: src.source,
        path: 'overrides.nmae',
        message: 'nothing to DELETE: the base has no key `nmae`',
        hint: 'did you mean `name`?',
      },
    ],
    [
      'DELETE of a key the base lacks, without a suggestion',
      { name: 1 },
      { zzzzzzzz: DELETE },
      {
        source: src.source,
        path: 'overrides.zzzzzzzz',
        message: 'nothing to DELETE: the base has no key `zzzzzzzz`',
        hint: undefined,
      },
    ],
    [
      'add(…) on a key the base has',
      { a: 1 },
      { a: add(2) },
      {
        source: src.source,
        path: 'overrides.a',
        message: 'add(…) used on `a`, which the base already has',
        hint: 'drop add(…) to merge into the existing value',
      },
    ],
    [
      'byName on a name twice in the base',
      { l: [{ name: 'a' }, { name: 'a' }] },
      { l: byName({ a: {} }) },
      {
        source: src.source,
        path: 'overrides.l[name=a]',
        message: 'the base has 2 items with name `a`; byName cannot tell them apart',
      },
    ],
    [
      'byName on a missing name',
      { l: [{ name: 'http' }, { name: 'grpc' }, 5, { name: 3 }] },
      { l: byName({ htp: { port: 1 } }) },
      {
        source: src.source,
        path: 'overrides.l[name=htp]',
        message: 'no item with name `htp` in the base list',
        expected: 'one of http, grpc',
        hint: 'did you mean `http`? To append a new item, wrap it in add(…).',
      },
    ],
    [
      'byName on an empty base list',
      { l: [] },
      { l: byName({ zzzzzzzz: {} }) },
      {
        source: src.source,
        path: 'overrides.l[name=zzzzzzzz]',
        message: 'no item with name `zzzzzzzz` in the base list',
        expected: 'an existing item',
        hint: 'To append a new item, wrap it in add(…).',
      },
    ],
    [
      'byName DELETE of a missing name',
      { l: [{ mountPath: '/data' }] },
      { l: byName({ '/dta': DELETE }, 'mountPath') },
      {
        source: src.source,
        path: 'overrides.l[mountPath=/dta]',
        message: 'nothing to DELETE: no item with mountPath `/dta` in the base list',
        expected: 'one of /data',
        hint: 'did you mean `/data`?',
      },
    ],
    [
      'byName add(…) of a name the base has',
      { l: [{ name: 'a' }] },
      { l: byName({ a: add({ v: 1 }) }) },
      {
        source: src.source,
        path: 'overrides.l[name=a]',
        message: 'add(…) used on `a`, which the base list already has',
        hint: 'drop add(…) to merge into the existing item',
      },
    ],
    [
      'byName entry that is not an object',
      { l: [{ name: 'a' }] },
      { l: byName({ a: 5 as never }) },
      {
        source: src.source,
        path: 'overrides.l[name=a]',
        message: 'a byName entry must be an object, add(…) or DELETE',
        found: 'number',
      },
    ],
    [
      'byName entry that is an array',
      { l: [{ name: 'a' }] },
      { l: byName({ a: [] as never }) },
      {
        source: src.source,
        path: 'overrides.l[name=a]',
        message: 'a byName entry must be an object, add(…) or DELETE',
        found: 'array',
      },
    ],
    [
      'an added item whose name disagrees with its entry',
      { l: [] },
      { l: byName({ x: add({ name: 'y' }) }) },
      {
        source: src.source,
        path: 'overrides.l[name=x]',
        message: "the item's name disagrees with its byName entry",
        expected: 'x',
        found: 'y',
      },
    ],
    [
      'a label key with dots and slashes',
      { metadata: { labels: {} } },
      { metadata: { labels: { 'app.kubernetes.io/name': 1 } } },
      {
        source: src.source,
        path: 'overrides.metadata.labels["app.kubernetes.io/name"]',
        message: 'the base has no key `app.kubernetes.io/name`',
        hint: 'To create it on purpose, wrap the value in add(…).',
      },
    ],
    [
      'a key starting with a digit',
      { a: {} },
      { a: { '1x': 1 } },
      {
        source: src.source,
        path: 'overrides.a["1x"]',
        message: 'the base has no key `1x`',
        hint: 'To create it on purpose, wrap the value in add(…).',
      },
    ],
  ];

  it.each(cases)('%s', (_name, base, override, expected) => {
    const found = problems(base, override, src);
    expect(found).toStrictEqual([expected]);
  });

  it('a problem at the root is at "(root)", and carries no source when none was given', () => {
    const [p] = problems({ a: 1 }, null);
    expect(p).toStrictEqual({
      path: '(root)',
      message: 'raw null in an override is not allowed',
      found: 'null',
      hint: 'use DELETE to remove the key, or leave the key out to keep the base value',
    });
    expect('source' in p).toBe(false);
  });

  it('a bracketed key at the root has no leading dot, a plain one no leading dot either', () => {
    expect(problems({}, { 'a.b': 1 })[0].path).toBe('["a.b"]');
    expect(problems({}, { ab: 1 })[0].path).toBe('ab');
    expect(problems({ x: {} }, { x: { 'a.b': 1 } })[0].path).toBe('x["a.b"]');
    expect(problems({ x: {} }, { x: { ab_c$1: 1 } })[0].path).toBe('x.ab_c$1');
  });
});

describe('what merge() returns', () => {
  it('an added byName item gets its name first, then the fields it was given', () => {
    const out = merge({ l: [{ name: 'a', v: 1 }] }, {
      l: byName({ b: add({ v: 2, name: 'b' }), c: add({ v: 3 }) }),
    } as never) as { l: Record<string, unknown>[] };
    expect(out.l).toStrictEqual([
      { name: 'a', v: 1 },
      { name: 'b', v: 2 },
      { name: 'c', v: 3 },
    ]);
    expect(Object.keys(out.l[1])).toEqual(['name', 'v']);
  });

  it('an added byName item that is not an object is kept as it is', () => {
    expect(merge({ l: [] as unknown[] }, { l: byName({ b: add(5) }) } as never)).toStrictEqual({ l: [5] });
  });

  it('with allowNew, a byName entry for a missing name appends it', () => {
    expect(merge({ l: [] as unknown[] }, { l: byName({ b: { v: 1 } }) } as never, { allowNew: true })).toStrictEqual({
      l: [{ name: 'b', v: 1 }],
    });
  });

  it('copies every array and object of the base, also with no override at all', () => {
    const base = { a: [1, { b: [2] }], c: { d: 1 } };
    for (const out of [merge(base, {}), merge(base, { c: { d: 2 } }), mergeAll(base, [])]) {
      const o = out as typeof base;
      expect(o.a).not.toBe(base.a);
      expect(o.a[1]).not.toBe(base.a[1]);
      expect((o.a[1] as { b: number[] }).b).not.toBe((base.a[1] as { b: number[] }).b);
    }
  });

  it('returns ordinary writable, deletable, enumerable keys', () => {
    const out = merge({ a: { b: 1 } }, { a: { b: 2 } }) as { a: { b?: number } };
    out.a.b = 3;
    expect(out.a.b).toBe(3);
    delete out.a.b;
    expect(out.a).toStrictEqual({});
    expect(JSON.stringify(merge({ a: 1, b: [1] }, { a: 2 }))).toBe('{"a":2,"b":[1]}');
  });

  it('a key named __proto__ stays data', () => {
    const out = merge(
      JSON.parse('{"__proto__": {"x": 1}}') as object,
      JSON.parse('{"__proto__": {"x": 2}}') as never,
    ) as Record<string, unknown>;
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect(Object.keys(out)).toEqual(['__proto__']);
  });
});

describe('isPlainObject', () => {
  it.each([
    [{}, true],
    [Object.create(null), true],
    [null, false],
    [undefined, false],
    [5, false],
    ['x', false],
    [[], false],
    [new Date(0), false],
    [new Map(), false],
    [Object.create({}), false],
  ])('%o is %s', (value, expected) => {
    expect(isPlainObject(value)).toBe(expected);
  });
});
