import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, posix, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * The house rules of lib/, read from the source itself:
 *
 *   lib/index.ts, lib/cli.ts     entry points: may import anything
 *   lib/build                    load, schema, pipeline, render, checks, writer, CLI — all I/O lives here
 *   lib/mimir, lib/observability the component groups: import lib/core and their own group only
 *   lib/core                     types, problems, tree, YAML, merge, config, registry types: imports lib/core only
 *
 * Mimir and its neighbours meet only through lib/core's registry types (`StackView`, `Endpoint`,
 * `Route`): an endpoint is asked for by component key, never imported from the other group.
 */
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const lib = join(root, 'lib');

type Layer = 'entry' | 'build' | 'mimir' | 'observability' | 'core';

const allowed: Record<Layer, readonly Layer[]> = {
  entry: ['entry', 'build', 'mimir', 'observability', 'core'],
  build: ['build', 'mimir', 'observability', 'core'],
  mimir: ['mimir', 'core'],
  observability: ['observability', 'core'],
  core: ['core'],
};

/** Modules that reach the file system, other processes or the network: only lib/build (and the entries) may load them. */
const ioModules =
  /^(node:)?(fs|fs\/promises|child_process|net|http|https|worker_threads|dgram|os)$|^(execa|tsx\/esm\/api|typescript)$/;

export function layerOf(file: string): Layer | undefined {
  const rel = posix.normalize(relative(lib, file).split('\\').join('/'));
  if (rel.startsWith('..')) return undefined;
  const top = rel.split('/')[0];
  if (top === 'build' || top === 'mimir' || top === 'observability' || top === 'core') return top;
  return 'entry';
}

/** Every module specifier of a file: static imports and re-exports, `import()` and `import type`. */
export function specifiers(text: string): string[] {
  const code = text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`])\/\/.*$/gm, '$1');
  const out: string[] = [];
  for (const m of code.matchAll(/\b(?:import|export)\s+(?:type\s+)?(?:[\w*{}\s,]+?\s+from\s+)?['"]([^'"]+)['"]/g))
    out.push(m[1]);
  for (const m of code.matchAll(/\bimport\(\s*['"]([^'"]+)['"]\s*\)/g)) out.push(m[1]);
  return out;
}

export interface Violation {
  file: string;
  specifier: string;
  rule: string;
}

/** Problems of one file's imports; `file` is an absolute path under lib/. */
export function violations(file: string, text: string): Violation[] {
  const from = layerOf(file);
  if (!from) return [];
  const out: Violation[] = [];
  const rel = relative(root, file);
  for (const s of specifiers(text)) {
    if (s.startsWith('.')) {
      const target = join(dirname(file), s);
      const to = layerOf(target);
      if (!to) out.push({ file: rel, specifier: s, rule: 'lib imports nothing outside lib/' });
      else if (!allowed[from].includes(to))
        out.push({
          file: rel,
          specifier: s,
          rule: `lib/${from} may import ${allowed[from].map((l) => (l === 'entry' ? 'the entries' : `lib/${l}`)).join(', ')} — not ${to === 'entry' ? 'an entry point' : `lib/${to}`}`,
        });
    } else if (ioModules.test(s) && from !== 'build' && from !== 'entry') {
      out.push({ file: rel, specifier: s, rule: `file-system and process I/O (${s}) only in lib/build` });
    }
  }
  if (
    from !== 'build' &&
    from !== 'entry' &&
    /\bprocess\.(cwd|env|exit|argv|stdout|stderr|chdir)\b/.test(text.replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, ''))
  ) {
    out.push({
      file: rel,
      specifier: 'process',
      rule: 'the process (cwd, env, argv, exit, streams) is read only in lib/build',
    });
  }
  return out;
}

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) return sources(p);
    return /\.ts$/.test(name) && !name.endsWith('.d.ts') ? [p] : [];
  });
}

describe('architecture: imports only point down', () => {
  const files = sources(lib);

  it('finds the four layers', () => {
    const layers = new Set(files.map(layerOf));
    expect([...layers].sort()).toEqual(['build', 'core', 'entry', 'mimir', 'observability']);
  });

  it('every lib file keeps the layer rules and does its I/O only in lib/build', () => {
    const found = files.flatMap((f) => violations(f, readFileSync(f, 'utf8')));
    expect(found.map((v) => `${v.file}: ${v.specifier} — ${v.rule}`)).toEqual([]);
  });

  it('catches an upward import, a cross-group import, an I/O import and an outside import', () => {
    const at = (p: string) => join(lib, p);
    expect(violations(at('core/tree.ts'), "import { render } from '../build/render.js';")).toHaveLength(1);
    expect(
      violations(at('observability/gateway/nginx.ts'), "import { mimirRoutes } from '../../mimir/routes.js';"),
    ).toHaveLength(1);
    expect(
      violations(at('mimir/names.ts'), "import type { GatewayConfig } from '../observability/gateway/config.js';"),
    ).toHaveLength(1);
    expect(violations(at('mimir/names.ts'), "const x = await import('../build/load.js');")).toHaveLength(1);
    expect(violations(at('core/yaml.ts'), "import { readFileSync } from 'node:fs';")).toHaveLength(1);
    expect(violations(at('observability/minio/index.ts'), 'const here = process.cwd();')).toHaveLength(1);
    expect(violations(at('core/yaml.ts'), "import x from '../../test/support/files.js';")).toHaveLength(1);
    // And what is allowed stays allowed.
    expect(
      violations(
        at('build/load.ts'),
        "import { readFileSync } from 'node:fs';\nimport { mimir } from '../mimir/index.js';",
      ),
    ).toEqual([]);
    expect(
      violations(
        at('observability/gateway/index.ts'),
        "import type { StackView } from '../../core/registry.js';\nimport { x } from '../grafana/index.js';",
      ),
    ).toEqual([]);
  });

  it('the public entry (lib/index.ts) loads no CLI, writer, loader, pipeline or I/O', () => {
    const seen = new Set<string>();
    const visit = (file: string): void => {
      if (seen.has(file)) return;
      seen.add(file);
      for (const s of specifiers(readFileSync(file, 'utf8'))) {
        if (!s.startsWith('.')) continue;
        const target = join(dirname(file), s).replace(/\.js$/, '.ts');
        if (target.endsWith('.ts')) visit(target);
      }
    };
    visit(join(lib, 'index.ts'));
    const loaded = [...seen].map((f) => relative(lib, f).split('\\').join('/'));
    const buildOnly = loaded.filter((f) =>
      /^build\/(cli|output|load|pipeline|config-schema|index)\.ts$|^build\/(kustomize|validate|gitops)\//.test(f),
    );
    expect(buildOnly).toEqual([]);
    const io = [...seen].flatMap((f) =>
      specifiers(readFileSync(f, 'utf8'))
        .filter((s) => ioModules.test(s))
        .map((s) => `${relative(lib, f)}: ${s}`),
    );
    expect(io).toEqual([]);
  });
});

describe('the registry drives the docs', () => {
  it("README's component table is the registry's", async () => {
    const { componentTable } = await import('../lib/build/registry.js');
    // Cells compared trimmed: the formatter pads the README's table columns.
    const rows = (text: string) =>
      text
        .split('\n')
        .filter((line) => line.startsWith('|'))
        .map((line) =>
          line
            .split('|')
            .map((cell) => cell.trim().replace(/^-+$/, '---'))
            .join('|'),
        );
    expect(
      rows(readFileSync(join(root, 'README.md'), 'utf8')).join('\n'),
      'paste componentTable() into README.md',
    ).toContain(rows(componentTable()).join('\n'));
  });
});

describe('the registry owns the config slices', () => {
  it("every slice of a group's config belongs to a registered component, and every component's slice exists", async () => {
    const { registry } = await import('../lib/build/registry.js');
    const { defaultConfig } = await import('../lib/build/config.js');
    const { defaultMimirSharedConfig } = await import('../lib/mimir/config.js');
    const config = defaultConfig() as unknown as Record<string, Record<string, unknown>>;
    const shared: Record<string, readonly string[]> = {
      mimir: Object.keys(defaultMimirSharedConfig()),
      observability: [],
    };
    for (const [group, list] of Object.entries(registry)) {
      // A component's `config` names its slice (`mimir.caches.chunks`); its top-level key is the slice's.
      const owned = new Set(list.map((d) => d.config.split('.')[1]).filter(Boolean));
      const orphans = Object.keys(config[group]).filter((k) => !owned.has(k) && !shared[group].includes(k));
      expect(orphans, `config.${group} slices no registered component reads`).toEqual([]);
      const dangling = list.filter((d) => {
        let at: unknown = config;
        for (const k of d.config.split('.')) at = (at as Record<string, unknown> | undefined)?.[k];
        return at === undefined;
      });
      expect(
        dangling.map((d) => `${d.key} → config.${d.config}`),
        'components whose slice has no default',
      ).toEqual([]);
    }
  });
});
