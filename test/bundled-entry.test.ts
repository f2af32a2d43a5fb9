/**
 * `npm run compile` bundles the library into one script (scripts/bundle-dist.mjs) and leaves V8's code
 * cache of it (scripts/warm-code-cache.mjs). The bundled CLI must build exactly what `tsx build.ts`
 * builds, with the cache accepted, and exactly the same without it; a compiled environment importing the
 * library must share the CLI's run of the script — none of tsc's per-module files — or the bundle would
 * load the library twice.
 *
 * tsc compiles into a folder of its own under node_modules/.cache (incremental, like the compiled-entry
 * test, so a re-run only re-emits what changed); each run copies it and bundles the copy, since the
 * bundle replaces the entries it starts from.
 */
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileLibrary } from './support/compile.js';
import { snapshot } from './support/files.js';

const compiled = join(process.cwd(), 'node_modules', '.cache', 'mimir-kube', 'bundled-src');
const tmp = mkdtempSync(join(tmpdir(), 'bundled-entry-'));
// Inside the repository, so the bundle resolves its dependencies from node_modules.
const bundled = mkdtempSync(join(process.cwd(), 'node_modules', '.cache', 'mimir-kube', 'bundled-'));
afterAll(() => {
  rmSync(tmp, { recursive: true, force: true });
  rmSync(bundled, { recursive: true, force: true });
});

let build: { exitCode?: number; all?: string };

/** The bundled CLI building every committed environment (out/ holds them all) into `out`. */
function buildAll(out: string, codeCache: 'use' | 'require') {
  return execa(
    'node',
    [
      join(bundled, 'build.js'),
      ...readdirSync('environments').map((e) => join(bundled, 'environments', e)),
      '--out',
      out,
      '--no-typecheck',
    ],
    { reject: false, all: true, env: { MIMIR_KUBE_CODE_CACHE: codeCache } },
  );
}

beforeAll(async () => {
  await compileLibrary(compiled);
  cpSync(compiled, bundled, { recursive: true });
  await execa('node', ['scripts/bundle-dist.mjs', bundled]);
  await execa('node', ['scripts/warm-code-cache.mjs', bundled]);
  build = await buildAll(join(tmp, 'out'), 'require');
}, 240_000);

/** Files a module loads through static imports, itself included (relative specifiers only). */
function staticallyLoaded(entry: string, seen = new Set<string>()): Set<string> {
  if (seen.has(entry)) return seen;
  seen.add(entry);
  const code = readFileSync(entry, 'utf8');
  for (const m of code.matchAll(/^\s*(?:import|export)\s[^'"]*?['"](\.{1,2}\/[^'"]+)['"]/gm))
    staticallyLoaded(resolve(dirname(entry), m[1]), seen);
  return seen;
}

function expectCommittedOut(out: string): void {
  const written = snapshot(out);
  const committed = snapshot('out');
  expect(Object.keys(written).sort()).toEqual(Object.keys(committed).sort());
  for (const [path, content] of Object.entries(written)) expect(content, path).toBe(committed[path]);
}

describe('the bundled compiled entry', () => {
  it('builds the compiled environments into exactly the committed out/, from the code cache', () => {
    expect(build.exitCode, build.all).toBe(0);
    expectCommittedOut(join(tmp, 'out'));
  });

  it('builds the same from source when the code cache does not match, and says so only when asked', async () => {
    const chunks = join(bundled, 'chunks');
    const cache = readdirSync(chunks).find((f) => f.endsWith('.v8cache'));
    expect(cache, readdirSync(chunks).join(', ')).toBeDefined();
    // Bytes V8 cannot take for this script: another Node's cache, or a cache of another bundle.
    writeFileSync(join(chunks, cache!), readFileSync(join(chunks, 'library.js')));
    const fallback = await buildAll(join(tmp, 'fallback'), 'use');
    expect(fallback.exitCode, fallback.all).toBe(0);
    expectCommittedOut(join(tmp, 'fallback'));
    const required = await buildAll(join(tmp, 'required'), 'require');
    expect(required.exitCode).not.toBe(0);
    expect(required.all).toContain(`${cache}: rejected by this Node`);
  }, 60_000);

  it('shares one copy of the library between the CLI and an environment', () => {
    const cli = staticallyLoaded(join(bundled, 'lib/build/index.js'));
    const env = staticallyLoaded(join(bundled, 'environments/local/main.js'));
    const files = (set: Set<string>) => [...set].map((f) => relative(bundled, f)).sort();
    // Besides the entries, only chunks and the script's loader are loaded.
    const notChunks = (set: Set<string>) =>
      files(set).filter((f) => !f.startsWith('chunks/') && !f.startsWith('environments/'));
    expect(notChunks(cli)).toEqual(['lib/build/compiled-script.js', 'lib/build/index.js']);
    expect(notChunks(env)).toEqual(['lib/build/compiled-script.js', 'lib/index.js']);
    // What the environment loads of the library, the CLI has loaded already.
    const envChunks = files(env).filter((f) => f.startsWith('chunks/'));
    expect(envChunks.length).toBeGreaterThan(0);
    expect(envChunks.filter((f) => !cli.has(join(bundled, f)))).toEqual([]);
  });

  it('ships every file it loads: the published package holds the chunks', () => {
    const { files } = JSON.parse(readFileSync('package.json', 'utf8')) as { files: string[] };
    const loaded = [
      ...staticallyLoaded(join(bundled, 'build.js')),
      ...staticallyLoaded(join(bundled, 'lib/build/index.js')),
      ...readdirSync(join(bundled, 'chunks')).map((f) => join(bundled, 'chunks', f)),
    ].map((f) => `dist/${relative(bundled, f)}`);
    const unpublished = loaded.filter((f) => !files.some((p) => f === p || f.startsWith(`${p}/`)));
    expect(unpublished).toEqual([]);
  });
});
