import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { checkEnvironmentSchema } from '../lib/build/config-schema.js';
import { loadEnvironment } from '../lib/build/load.js';
import { validate as committed } from '../lib/build/environment-validator.generated.js';
import { generateEnvironmentSchema, schemaPath } from '../scripts/generate-schema.js';
import {
  ajvOptions,
  generateValidator,
  validatorPath,
  validatorTypes,
  validatorTypesPath,
} from '../scripts/generate-validator.js';
import { environmentDirs } from './support/environments.js';

describe('environment JSON Schema', () => {
  it('the committed schema is what `npm run schema` generates from the types', async () => {
    expect(readFileSync(schemaPath, 'utf8'), 'run `npm run schema` and commit schema/environment.schema.json').toBe(
      await generateEnvironmentSchema(),
    );
  });

  it('accepts a partial config and rejects extra keys and wrong types everywhere', async () => {
    expect(
      await checkEnvironmentSchema({ name: 'x', config: { namespace: 'a', storage: { insecure: false } } }, 'x'),
    ).toEqual([]);
    const problems = await checkEnvironmentSchema(
      { name: 'x', config: { storage: { bucket: {} }, defaultTenant: 3 }, extra: 1 },
      'x',
    );
    expect(problems.map((p) => p.path).sort()).toEqual(['config.defaultTenant', 'config.storage.bucket', 'extra']);
    expect(problems.find((p) => p.path === 'config.storage.bucket')?.hint).toBe('did you mean `buckets`?');
  });

  it('requires a valid name', async () => {
    const problems = await checkEnvironmentSchema({ name: 'Local Env' }, 'x');
    expect(problems[0]).toMatchObject({ path: 'name' });
    expect((await checkEnvironmentSchema({}, 'x'))[0].message).toBe('missing required key `name`');
  });
});

describe('the committed environment validator', () => {
  it('is what `npm run schema` generates from the committed schema (code and types)', async () => {
    expect(
      readFileSync(validatorPath, 'utf8'),
      'run `npm run schema` and commit lib/build/environment-validator.generated.js',
    ).toBe(await generateValidator());
    expect(readFileSync(validatorTypesPath, 'utf8')).toBe(validatorTypes);
  });

  it('is what the build validates with: a change to the schema not regenerated is caught above, and a rejected key here', async () => {
    const problems = await checkEnvironmentSchema({ name: 'x', config: { mimir: { ingester: { replica: 3 } } } }, 'x');
    expect(problems).toMatchObject([
      { path: 'config.mimir.ingester.replica', message: 'unknown key', hint: 'did you mean `replicas`?' },
    ]);
  });
});

type Validate = ((data: unknown) => boolean) & { errors?: unknown[] | null };

interface AjvError {
  instancePath: string;
  keyword: string;
  message?: string;
  params: unknown;
  data?: unknown;
  parentSchema?: { properties?: Record<string, unknown>; type?: unknown };
}

/** What the build reads of an error (lib/build/config-schema.ts): everything but `schemaPath`. */
function readable(errors: unknown[] | null | undefined): string {
  return JSON.stringify(
    ((errors ?? []) as AjvError[]).map((e) => ({
      instancePath: e.instancePath,
      keyword: e.keyword,
      message: e.message,
      params: e.params,
      data: e.data,
      properties: Object.keys(e.parentSchema?.properties ?? {}),
      type: e.parentSchema?.type,
    })),
  );
}

/** Every path of a value's containers and leaves, as keys. */
function paths(value: unknown, at: string[] = []): string[][] {
  const out = [at];
  if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) out.push(...paths(v, [...at, k]));
  return out;
}

/** Every property path the schema knows, through anyOf/oneOf branches and array items. */
function schemaPaths(s: Record<string, unknown>, at: string[] = []): string[][] {
  const out: string[][] = [];
  const alternatives = [
    s,
    ...((s.anyOf ?? []) as Record<string, unknown>[]),
    ...((s.oneOf ?? []) as Record<string, unknown>[]),
  ];
  for (const alt of alternatives)
    for (const [k, v] of Object.entries((alt.properties ?? {}) as Record<string, Record<string, unknown>>)) {
      out.push([...at, k], ...schemaPaths(v, [...at, k]));
      if (v.items) out.push(...schemaPaths(v.items as Record<string, unknown>, [...at, k, '0']));
    }
  return out;
}

function wrongValues(v: unknown): unknown[] {
  if (typeof v === 'string') return [7, true, null, {}, [], '', 'Xx'];
  if (typeof v === 'number') return ['7', 1.5, -1, 2 ** 40, null];
  if (typeof v === 'boolean') return ['true', 0, null];
  if (Array.isArray(v)) return ['x', {}, [null], [7], [...(v as unknown[]), 'extra'], [{ bogus: 1 }]];
  return ['x', [], 7, null, { ...(v as object), unknownKey: 1 }, { ...(v as object), replica: 3, enabled: 'yes' }];
}

function setAt(root: unknown, path: string[], value: unknown, remove = false): unknown {
  const copy = structuredClone(root) as Record<string, unknown>;
  let node = copy;
  for (const k of path.slice(0, -1)) node = (node[k] ??= {}) as Record<string, unknown>;
  if (remove) delete node[path[path.length - 1]];
  else node[path[path.length - 1]] = value;
  return copy;
}

describe('the committed environment validator, one function per object of the schema', () => {
  it("returns Ajv's errors for the schema as written, on every environment broken in every place", async () => {
    const { default: Ajv } = await import('ajv');
    const inline = new Ajv.default(ajvOptions).compile(
      JSON.parse(readFileSync(schemaPath, 'utf8')) as object,
    ) as Validate;
    const split = committed as Validate;
    const cases: unknown[] = [];
    for (const dir of environmentDirs) {
      const { loaded } = await loadEnvironment(dir, { typeCheck: false });
      const env = structuredClone(loaded!.environment) as unknown;
      cases.push(env);
      for (const path of paths(env).slice(1)) {
        const value = path.reduce<unknown>((o, k) => (o as Record<string, unknown>)[k], env);
        for (const w of wrongValues(value)) cases.push(setAt(env, path, w));
        cases.push(setAt(env, path, undefined, true));
      }
    }
    // Sections no environment sets, each set wrong from an empty environment.
    const schema = JSON.parse(readFileSync(schemaPath, 'utf8')) as Record<string, unknown>;
    for (const path of schemaPaths(schema))
      for (const w of [7, 'x', true, null, {}, [], { bogus: 1 }, [{ bogus: 1 }], -1, 1.5])
        cases.push(setAt({ name: 'x' }, path, w));
    let invalid = 0;
    for (const c of cases) {
      const expected = inline(c);
      const expectedErrors = readable(inline.errors);
      const actual = split(c);
      const actualErrors = readable(split.errors);
      if (!expected) invalid++;
      if (actual !== expected || actualErrors !== expectedErrors)
        expect({ valid: actual, errors: actualErrors }, JSON.stringify(c).slice(0, 500)).toEqual({
          valid: expected,
          errors: expectedErrors,
        });
    }
    expect(cases.length).toBeGreaterThan(5000);
    expect(invalid / cases.length).toBeGreaterThan(0.5);
  }, 60_000);
});
