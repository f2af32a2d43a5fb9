import { parseAllDocuments, stringify } from 'yaml';
import { describe, expect, it } from 'vitest';
import { outputFiles } from '../lib/build/output.js';
import { flatten } from '../lib/core/tree.js';
import { emitYaml } from '../lib/core/yaml-emit.js';
import { parseYamlDocuments, toYaml } from '../lib/core/yaml.js';
import { buildDir, environmentDirs } from './support/environments.js';

/** What the library wrote with before it had its own emitter, and what the emitter must equal. */
const reference = (v: unknown): string =>
  stringify(v, { version: '1.1', lineWidth: 0, sortMapEntries: true, indentSeq: true, aliasDuplicateObjects: false });

/** Every YAML document a text holds, as data; undefined when the text is not YAML collections. */
function documents(text: string): unknown[] | undefined {
  const docs = parseAllDocuments(text, { version: '1.1' });
  if (!Array.isArray(docs) || docs.some((d) => d.errors.length > 0)) return undefined;
  const values = docs.map((d) => d.toJS({ maxAliasCount: -1 }) as unknown);
  return values.every((v) => v !== null && typeof v === 'object') ? values : undefined;
}

const tricky: string[] = [
  '',
  ' ',
  '  ',
  'a',
  ' a',
  'a ',
  'a: b',
  'a:b',
  'a:',
  ': a',
  'a #b',
  'a#b',
  '#a',
  '-',
  '- a',
  '-a',
  '?',
  '? a',
  ':',
  'true',
  'True',
  'TRUE',
  'false',
  'yes',
  'Yes',
  'no',
  'NO',
  'on',
  'On',
  'OFF',
  'y',
  'Y',
  'n',
  'N',
  'null',
  'Null',
  'NULL',
  '~',
  '1',
  '-1',
  '+1',
  '01',
  '08',
  '0b101',
  '0o7',
  '0x1F',
  '1_000',
  '1.5',
  '-.5',
  '1.',
  '.5',
  '1e3',
  '1E-3',
  '.inf',
  '-.Inf',
  '.nan',
  '.NaN',
  '12:30',
  '1:20:30.5',
  '2024-01-01',
  '2024-1-1',
  '2024-01-01T10:00:00Z',
  '2024-01-01 10:00:00 +02:00',
  '<<',
  '"a"',
  "'a'",
  `a"b'c`,
  'a"b',
  "a'b",
  '@a',
  '`a',
  '!a',
  '&a',
  '*a',
  '%a',
  '|',
  '>',
  '[a]',
  '{a}',
  'a,b',
  'a[b]',
  'http://x:80/y',
  '0.0.0.0:9095',
  '10m',
  '1Gi',
  'key with space',
  'é ☃ 日本 😀',
  '\u00a0',
  'a\nb',
  'a\nb\n',
  'a\nb\n\n',
  '\na',
  '\n\na',
  ' a\nb',
  'a\n b',
  'a \nb',
  'a\n\n\nb',
  'a\n  ',
  '\n',
  '\n\n',
  'x\n\n\n',
  '  indented\nlines\n',
  'a: b\nc: d\n',
  'groups:\n  - name: x\n',
  '# comment\nline',
  'a\tb',
  '\t',
  'tab\n\tline',
  '--- a',
  '...',
  'a\n---\nb',
  'a\n...\n',
  '\u0001',
  'bell\u0007',
  'x'.repeat(1100),
];
const numbers: unknown[] = [
  0,
  -0,
  1,
  -1,
  1.5,
  -2.25,
  0.1 + 0.2,
  1e21,
  1e-7,
  2 ** 53,
  NaN,
  Infinity,
  -Infinity,
  true,
  false,
  null,
];

/** The shapes each scalar is tried in: value, sequence item, nested deep, key. */
function shapes(s: unknown): unknown[] {
  const out: unknown[] = [{ k: s }, [s], { a: { b: [s, { c: s, d: [s] }] } }, [[s, s], { x: s }], [{ a: [{ b: s }] }]];
  if (typeof s === 'string') out.push({ [s]: 1 }, { a: [{ [s]: { [s]: [s] } }] }, { [s]: s });
  return out;
}

describe('the YAML emitter writes exactly what yaml.stringify writes', () => {
  it('for tricky scalars as values, items and keys (or declines, and toYaml falls back)', () => {
    let emitted = 0;
    for (const s of [...tricky, ...numbers])
      for (const v of shapes(s)) {
        const text = emitYaml(v);
        if (text !== undefined) {
          emitted++;
          expect(text, JSON.stringify(v)).toBe(reference(v));
        }
        expect(toYaml(v), JSON.stringify(v)).toBe(reference(v));
      }
    // Most of these are within the emitter's subset: a test that always declined would prove nothing.
    expect(emitted).toBeGreaterThan(700);
  });

  it('for empty, nested and sparse collections', () => {
    const values: unknown[] = [
      {},
      [],
      { a: {}, b: [], c: [{}], d: [[]], e: undefined, f: [{ a: undefined }] },
      { a: undefined },
      [[[1]]],
      [[{ a: [[1, 2]] }]],
      { b: 1, a: 2, B: 3, _: 4, '10': 5, '9': 6, é: 7, Z: 8 },
      Object.assign(Object.create(null), { x: 1 }),
    ];
    for (const v of values) {
      expect(emitYaml(v), JSON.stringify(v)).toBe(reference(v));
      expect(toYaml(v)).toBe(reference(v));
    }
  });

  it('declines what it does not reproduce, and toYaml still writes it as yaml does', () => {
    const declined: unknown[] = [
      'text',
      1,
      null,
      { k: 'a\u0001' },
      { k: '--- a' },
      { 'a\nb': 1 },
      { ['k'.repeat(1100)]: 1 },
      { k: 'a\n  ' },
      [undefined],
      { d: new Date(0) },
    ];
    for (const v of declined) {
      expect(emitYaml(v)).toBeUndefined();
      expect(toYaml(v)).toBe(reference(v));
    }
  });

  for (const dir of environmentDirs) {
    it(`for every rendered object, every YAML file and every YAML ConfigMap entry of ${dir}`, async () => {
      const built = await buildDir(dir);
      const objects: unknown[] = flatten(built.tree).map((e) => e.object);
      objects.push(built.application);
      for (const [, text] of outputFiles([built])) objects.push(...(documents(text) ?? []));
      for (const e of flatten(built.tree))
        if (e.object.kind === 'ConfigMap')
          for (const text of Object.values((e.object as { data?: Record<string, string> }).data ?? {}))
            objects.push(...(documents(text) ?? []));
      expect(objects.length).toBeGreaterThan(100);
      for (const v of objects) {
        const text = emitYaml(v);
        // The build's own values are all inside the subset, so writing them never goes through yaml.
        expect(text, JSON.stringify(v).slice(0, 200)).toBeDefined();
        expect(text).toBe(reference(v));
      }
    });
  }
});

/** What `parseYamlDocuments` gave before it remembered texts: `yaml`'s parser, as it calls it. */
function parsed(text: string): unknown[] {
  return parseAllDocuments(text, { uniqueKeys: false })
    .map((d) => d.toJS({ maxAliasCount: -1 }) as unknown)
    .filter((v) => v !== null && v !== undefined);
}

describe('reading back a text toYaml wrote gives what the parser gives', () => {
  it('for tricky scalars in every shape', () => {
    for (const s of [...tricky, ...numbers, '0o17', 'a: 0o17'])
      for (const v of [...shapes(s), { a: undefined, b: [{ c: undefined, d: s }] }]) {
        const text = toYaml(v);
        expect(parseYamlDocuments(text), text).toStrictEqual(parsed(text));
      }
  });

  it('returns a fresh copy, and never data changed after writing', () => {
    const value = { b: { c: [1, 2] }, a: 'x' };
    const text = toYaml(value);
    const [first] = parseYamlDocuments(text) as [{ b: { c: number[] } }];
    first.b.c.push(3);
    expect(parseYamlDocuments(text)).toStrictEqual(parsed(text));
    value.b.c.push(4);
    expect(parseYamlDocuments(text)).toStrictEqual(parsed(text));
    expect(Object.keys((parseYamlDocuments(text) as [object])[0])).toEqual(['a', 'b']);
  });

  for (const dir of environmentDirs) {
    it(`for every YAML text in a ConfigMap of ${dir}`, async () => {
      const built = await buildDir(dir);
      let texts = 0;
      for (const e of flatten(built.tree))
        if (e.object.kind === 'ConfigMap')
          for (const text of Object.values((e.object as { data?: Record<string, string> }).data ?? {}))
            if (documents(text)) {
              texts++;
              expect(parseYamlDocuments(text), text.slice(0, 200)).toStrictEqual(parsed(text));
            }
      expect(texts).toBeGreaterThan(3);
    });
  }
});
