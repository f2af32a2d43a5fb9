/**
 * The compiled `mimir-kube` entry builds every environment exactly like `tsx build.ts`. The
 * environments import the source `lib` (through tsx's loader) while the compiled CLI merges with its
 * own compiled copy, so this is also the test that merge markers (DELETE, add(), byName(), …) made by
 * one copy of the library are recognised by another: they carry a registered brand, not a class
 * identity.
 *
 * The package is compiled (`tsconfig.build.json`, as `npm run compile` does) into a folder of its own
 * under node_modules/.cache — inside the repository, so it resolves its dependencies from
 * `node_modules` — so this test never races another one that compiles into `dist/`. The compile is
 * incremental (its build info lives in that folder, so both go together): a re-run only re-emits
 * what changed.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DELETE, add, append, byName, merge, prepend } from '../lib/core/merge.js';
import { environmentDirs } from './support/environments.js';
import { compileLibrary } from './support/compile.js';
import { snapshot } from './support/files.js';

const compiled = join(process.cwd(), 'node_modules', '.cache', 'mimir-kube', 'compiled');
const tmp = mkdtempSync(join(tmpdir(), 'compiled-entry-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

let fromTsx: { exitCode?: number; all?: string };
let fromCompiled: { exitCode?: number; all?: string };

beforeAll(async () => {
  await compileLibrary(compiled);
  [fromTsx, fromCompiled] = await Promise.all([
    execa('npx', ['tsx', 'build.ts', ...environmentDirs, '--out', join(tmp, 'tsx'), '--no-typecheck'], {
      reject: false,
      all: true,
    }),
    execa('node', [join(compiled, 'build.js'), ...environmentDirs, '--out', join(tmp, 'compiled'), '--no-typecheck'], {
      reject: false,
      all: true,
    }),
  ]);
}, 240_000);

describe('every environment, with tsx build.ts and with the compiled entry', () => {
  it('both build', () => {
    expect(fromTsx.exitCode, fromTsx.all).toBe(0);
    expect(fromCompiled.exitCode, fromCompiled.all).toBe(0);
  });

  it('both write the same files, which are the committed out/', () => {
    const a = snapshot(join(tmp, 'tsx'));
    const b = snapshot(join(tmp, 'compiled'));
    expect(b).toEqual(a);
    const committed = snapshot('out');
    for (const [path, content] of Object.entries(a)) expect(committed[path], path).toBe(content);
  });
});

describe('merge markers across copies of the library', () => {
  type MergeModule = typeof import('../lib/core/merge.js');
  let other: MergeModule;
  beforeAll(async () => {
    other = (await import(pathToFileURL(resolve(compiled, 'lib/core/merge.js')).href)) as MergeModule;
    expect(other.merge).not.toBe(merge);
  });

  const base = () => ({
    a: { keep: 1, drop: 2 },
    list: [
      { name: 'x', v: 1 },
      { name: 'y', v: 2 },
    ],
    items: [1, 2],
  });

  it("the other copy's markers work in this copy's merge", () => {
    const out = merge(base(), {
      a: { drop: other.DELETE, extra: other.add(3) },
      list: other.byName({ x: { v: 10 }, y: other.DELETE, z: other.add({ v: 3 }) }),
      items: other.append([3]),
    } as never);
    expect(out).toEqual({
      a: { keep: 1, extra: 3 },
      list: [
        { name: 'x', v: 10 },
        { name: 'z', v: 3 },
      ],
      items: [1, 2, 3],
    });
  });

  it("this copy's markers work in the other copy's merge", () => {
    const out = other.merge(base(), {
      a: { drop: DELETE },
      items: prepend([0]),
      list: byName({ y: DELETE, w: add({ v: 4 }) }),
    } as never);
    expect(out).toEqual({
      a: { keep: 1 },
      list: [
        { name: 'x', v: 1 },
        { name: 'w', v: 4 },
      ],
      items: [0, 1, 2],
    });
  });

  it('DELETE is one registered symbol for every copy', () => {
    expect(other.DELETE).toBe(DELETE);
    expect(Symbol.keyFor(DELETE)).toBe('mimir-kube.merge.DELETE');
    expect(other.isMarker(append([1]))).toBe(true);
    expect(other.isMarker({ items: [1] })).toBe(false);
  });
});
