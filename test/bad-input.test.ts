import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { snapshot } from './support/files.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const tmp = mkdtempSync(join(tmpdir(), 'bad-input-'));
const out = join(tmp, 'out');
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

beforeAll(() => cpSync('out', out, { recursive: true }));

/** Builds the good environment together with a bad one: nothing at all may be written. */
async function failingBuild(bad: string) {
  const before = snapshot(out);
  const r = await execa('npx', ['tsx', 'build.ts', 'environments/local', bad, '--out', out], {
    reject: false,
    all: true,
  });
  expect(r.exitCode).toBe(1);
  expect(snapshot(out)).toEqual(before);
  expect(r.all).toMatch(/error: \d+ errors? in \d+ places? — out\/ left untouched/);
  return r.all ?? '';
}

describe('bad input: exit 1, a clear message, out/ untouched', () => {
  it('unknown environment path', async () => {
    const msg = await failingBuild('environments/locl');
    expect(msg).toContain('environment not found');
    expect(msg).toContain('did you mean `environments/local`?');
  });

  it('a TypeScript error in an environment', async () => {
    const msg = await failingBuild('test/fixtures/environments/ts-error');
    expect(msg).toContain('test/fixtures/environments/ts-error/main.ts › line 6');
    expect(msg).toMatch(/TypeScript error TS2322: Type 'number' is not assignable to type 'string'/);
  });

  it('a config that violates the schema: unknown key with a suggestion and a wrong type, both reported', async () => {
    const msg = await failingBuild('test/fixtures/environments/bad-config');
    expect(msg).toContain('environment.yaml › config.namespce');
    expect(msg).toContain('did you mean `namespace`?');
    expect(msg).toMatch(/config\.storage\.insecure[\s\S]*expected: boolean[\s\S]*found: {4}string "yes"/);
    expect(msg).toContain('error: 2 errors');
  });

  it('an override that addresses a component that does not exist', async () => {
    const msg = await failingBuild('test/fixtures/environments/bad-override');
    expect(msg).toContain('overrides.cluster.namespase');
    expect(msg).toContain('did you mean `namespace`?');
  });

  it('an invalid object after merge', async () => {
    const msg = await failingBuild('test/fixtures/environments/invalid-object');
    expect(msg).toContain('cluster.namespace.namespace (v1 Namespace Mimir_Namespace)');
    expect(msg).toContain('/metadata/name: invalid Namespace name');
  });
});
