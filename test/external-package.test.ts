import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasKustomizeV5, kustomizeBuild } from './support/kustomize.js';

const root = resolve('.');
const work = mkdtempSync(join(tmpdir(), 'external-package-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

beforeAll(async () => {
  // The package's emitted JavaScript and types, exactly what `npm install mimir-kube` would ship.
  await execa('npm', ['run', 'compile'], { cwd: root });
  cpSync('test/fixtures/external-package', work, { recursive: true });
  const pkg = JSON.parse(readFileSync(join(work, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
  pkg.dependencies['mimir-kube'] = `file:${root}`;
  writeFileSync(join(work, 'package.json'), JSON.stringify(pkg, null, 2));
  await execa('npm', ['install', '--no-audit', '--no-fund', '--ignore-scripts', '--offline'], { cwd: work });
}, 180_000);

describe('the library imported from another package', () => {
  it('its emitted types check the environment', async () => {
    const r = await execa(join(root, 'node_modules/.bin/tsc'), ['-p', 'tsconfig.json'], {
      cwd: work,
      reject: false,
      all: true,
    });
    expect(r.all).toBe('');
    expect(r.exitCode).toBe(0);
  });

  it('its bin builds the environment into a Kustomize overlay', async () => {
    const r = await execa('npx', ['mimir-kube', 'environments/staging', '--out', 'out'], {
      cwd: work,
      reject: false,
      all: true,
    });
    expect(r.all).toContain('staging:');
    expect(r.exitCode).toBe(0);
    expect(existsSync(join(work, 'out/staging/kustomization.yaml'))).toBe(true);
    expect(existsSync(join(work, 'out/argocd/staging.yaml'))).toBe(true);
    if (await hasKustomizeV5()) {
      const objects = await kustomizeBuild(join(work, 'out/staging'));
      const ns = objects.find((o) => o.kind === 'Namespace');
      expect(ns?.metadata?.name).toBe('mimir-staging');
      expect(ns?.metadata?.labels?.team).toBe('observability');
    }
  });

  it('a type error in the other package fails its build', async () => {
    const file = join(work, 'environments/staging/main.ts');
    const good = readFileSync(file, 'utf8');
    writeFileSync(file, good.replace("namespace: 'mimir-staging'", 'namespace: 7'));
    try {
      const r = await execa('npx', ['mimir-kube', 'environments/staging', '--out', 'out2'], {
        cwd: work,
        reject: false,
        all: true,
      });
      expect(r.exitCode).toBe(1);
      expect(r.all).toContain('TypeScript error TS2322');
      expect(existsSync(join(work, 'out2'))).toBe(false);
    } finally {
      writeFileSync(file, good);
    }
  });
});
