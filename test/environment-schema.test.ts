import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { checkEnvironmentSchema } from '../lib/build/config-schema.js';
import { generateEnvironmentSchema, schemaPath } from '../scripts/generate-schema.js';
import { generateValidator, validatorPath, validatorTypes, validatorTypesPath } from '../scripts/generate-validator.js';

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
