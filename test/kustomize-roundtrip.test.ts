import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { byResourceId, stripGeneratorHashes } from '../lib/build/kustomize/normalise.js';
import { outputFiles, writeOutput } from '../lib/build/output.js';
import { flatten } from '../lib/core/tree.js';
import { buildDir, environmentDirs } from './support/environments.js';
import { hasKustomizeV5, kustomizeBuild, kustomizeVersion } from './support/kustomize.js';

const json = (v: unknown) => JSON.parse(JSON.stringify(v)) as unknown;
const tmp = mkdtempSync(join(tmpdir(), 'roundtrip-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('kubectl kustomize out/<env> equals what the library renders', async () => {
  const ok = await hasKustomizeV5();
  it('kubectl embeds Kustomize v5 or newer', async () => {
    expect(ok, `kubectl's Kustomize is ${await kustomizeVersion()}; v5+ is required`).toBe(true);
  });
  for (const dir of environmentDirs) {
    it.runIf(ok)(`${dir}`, async () => {
      const built = await buildDir(dir);
      const out = join(tmp, built.name);
      writeOutput(out, outputFiles([built]));
      const entries = flatten(built.tree);
      const generated = new Set(
        entries.filter((e) => e.object.kind === 'ConfigMap').map((e) => e.object.metadata?.name ?? ''),
      );
      const fromKustomize = byResourceId(stripGeneratorHashes(await kustomizeBuild(join(out, built.name)), generated));
      const rendered = byResourceId(entries.map((e) => e.object));
      expect([...fromKustomize.keys()].sort()).toEqual([...rendered.keys()].sort());
      for (const [id, object] of rendered) expect(json(fromKustomize.get(id)), id).toEqual(json(object));
    });
  }
});
