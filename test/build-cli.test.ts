import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { snapshot } from './support/files.js';
import { afterAll, describe, expect, it } from 'vitest';
import { environmentDirs } from './support/environments.js';

const tmp = mkdtempSync(join(tmpdir(), 'build-cli-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function build(args: string[]) {
  return execa('npx', ['tsx', 'build.ts', ...args], { reject: false, all: true });
}

describe('build CLI', () => {
  it('the committed out/ is fresh (--check)', async () => {
    const r = await build([...environmentDirs, '--check']);
    expect(r.all, 'run `npx tsx build.ts ' + environmentDirs.join(' ') + '` and commit out/').toContain('up to date');
    expect(r.exitCode).toBe(0);
  });

  it('two builds in a row write byte-identical files', async () => {
    const a = join(tmp, 'a');
    const b = join(tmp, 'b');
    expect((await build([...environmentDirs, '--out', a])).exitCode).toBe(0);
    expect((await build([...environmentDirs, '--out', b, '--no-typecheck'])).exitCode).toBe(0);
    expect(snapshot(b)).toEqual(snapshot(a));
  });

  it('--check fails on stale output and names the changed files; --diff shows the change', async () => {
    const dir = join(tmp, 'stale');
    cpSync('out', dir, { recursive: true });
    const kustomization = join(dir, 'base', 'kustomization.yaml');
    const file = readFileSync(kustomization, 'utf8');
    writeFileSync(kustomization, file.replace('resources:', 'resources:\n  - stale.yaml'));
    const check = await build([...environmentDirs, '--out', dir, '--check', '--no-typecheck']);
    expect(check.exitCode).toBe(1);
    expect(check.all).toContain('is stale');
    expect(check.all).toContain('base/kustomization.yaml');
    const diff = await build([...environmentDirs, '--out', dir, '--diff', '--no-typecheck']);
    expect(diff.all).toContain('-  - stale.yaml');
  });

  it('prints a summary with objects per kind, requests, files written and time', async () => {
    const r = await build(['environments/local', '--out', join(tmp, 'summary'), '--no-typecheck']);
    expect(r.exitCode).toBe(0);
    expect(r.all).toMatch(/local: .*\d+ Namespace/);
    expect(r.all).toMatch(/local: \d+\.\d\d CPU, \d+\.\d\d GiB memory requested/);
    expect(r.all).toMatch(/wrote \d+ files to .* in \d+\.\d\ds/);
  });
});
