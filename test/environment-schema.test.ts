import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { checkEnvironmentSchema } from '../lib/build/config-schema.js';
import { generateEnvironmentSchema, schemaPath } from '../scripts/generate-schema.js';

describe('environment JSON Schema', () => {
  it('the committed schema is what `npm run schema` generates from the types', async () => {
    expect(readFileSync(schemaPath, 'utf8'), 'run `npm run schema` and commit schema/environment.schema.json').toBe(await generateEnvironmentSchema());
  });

  it('accepts a partial config and rejects extra keys and wrong types everywhere', async () => {
    expect(await checkEnvironmentSchema({ name: 'x', config: { namespace: 'a', storage: { insecure: false } } }, 'x')).toEqual([]);
    const problems = await checkEnvironmentSchema({ name: 'x', config: { storage: { bucket: {} }, defaultTenant: 3 }, extra: 1 }, 'x');
    expect(problems.map((p) => p.path).sort()).toEqual(['config.defaultTenant', 'config.storage.bucket', 'extra']);
    expect(problems.find((p) => p.path === 'config.storage.bucket')?.hint).toBe('did you mean `buckets`?');
  });

  it('requires a valid name', async () => {
    const problems = await checkEnvironmentSchema({ name: 'Local Env' }, 'x');
    expect(problems[0]).toMatchObject({ path: 'name' });
    expect((await checkEnvironmentSchema({}, 'x'))[0].message).toBe('missing required key `name`');
  });
});
