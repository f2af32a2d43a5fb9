/**
 * The loader of the compiled library script (lib/build/compiled-script.ts). The bundled-entry test runs
 * it on the real bundle with its cache written, accepted and rejected; these cases pin what it gives the
 * script and how it reads its switch.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { codeCacheMode, runCompiledScript } from '../lib/build/compiled-script.js';

const dir = mkdtempSync(join(tmpdir(), 'compiled-script-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function script(name: string, body: string): URL {
  writeFileSync(join(dir, name), `(function (module, require, __importMetaUrl, __dynamicImport) {\n${body}\n})\n`);
  return pathToFileURL(join(dir, name));
}

describe('runCompiledScript', () => {
  it("returns the script's module.exports, with require, its own URL and import() of packages", async () => {
    const url = script(
      'lib.js',
      `module.exports = { sep: require('node:path').sep, url: __importMetaUrl, yaml: __dynamicImport('yaml') };`,
    );
    const lib = runCompiledScript(url, new URL('./lib.v8cache', url), 'use') as {
      sep: string;
      url: string;
      yaml: Promise<{ stringify: (v: unknown) => string }>;
    };
    expect(lib.sep).toBe('/');
    expect(lib.url).toBe(url.href);
    expect((await lib.yaml).stringify({ a: 1 })).toBe('a: 1\n');
  });

  it('compiles from source without a cache, and fails when a cache is required', () => {
    const url = script('plain.js', 'module.exports = 42;');
    expect(runCompiledScript(url, new URL('./plain.v8cache', url), 'use')).toBe(42);
    expect(() => runCompiledScript(url, new URL('./plain.v8cache', url), 'require')).toThrow(
      /plain\.v8cache: absent; run `npm run compile` again/,
    );
  });
});

describe('codeCacheMode', () => {
  it('reads MIMIR_KUBE_CODE_CACHE and refuses values it does not know', () => {
    expect(codeCacheMode(undefined)).toBe('use');
    expect(codeCacheMode('')).toBe('use');
    expect(codeCacheMode('write')).toBe('write');
    expect(codeCacheMode('require')).toBe('require');
    expect(() => codeCacheMode('yes')).toThrow('MIMIR_KUBE_CODE_CACHE=yes: expected use, write or require (or unset)');
  });
});
