import { describe, expect, it } from 'vitest';
import { buildDir } from './support/environments.js';

describe('environments written as YAML', () => {
  it('render exactly what the same environment written in TypeScript renders', async () => {
    const fromYaml = await buildDir('test/fixtures/environments/local-yaml');
    const fromTs = await buildDir('environments/local');
    expect(fromYaml.source).toBe('test/fixtures/environments/local-yaml/environment.yaml');
    expect(fromYaml.tree).toEqual(fromTs.tree);
  });
});
