import {
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { createRequire } from 'node:module';
import { defaultConfig } from './config.js';
import { writeBase, writeOverlay, type FileSet } from './kustomize/writer.js';
import type { BuiltEnvironment } from './pipeline.js';
import { finalise, render, type RenderedTree } from './render.js';
import { flatten } from '../core/tree.js';
import { compareText } from '../core/collate.js';
import { toYaml } from '../core/yaml.js';

/** The tree `out/base` holds: the library's defaults, rendered (and finalised) once per build. */
export function baseTree(): RenderedTree {
  const tree = render(defaultConfig());
  return finalise(tree, tree, defaultConfig());
}

/**
 * Every file the build owns under the output folder, for the given environments. The base tree is
 * passed in by a caller that renders it once for every environment; each environment's tree and
 * Application come from its build, never rendered again here.
 */
export function outputFiles(builds: BuiltEnvironment[], base: RenderedTree = baseTree()): FileSet {
  const baseEntries = flatten(base);
  const files: FileSet = new Map(writeBase(baseEntries));
  for (const b of builds) {
    for (const [path, content] of writeOverlay(b.name, baseEntries, flatten(b.tree))) files.set(path, content);
    files.set(`argocd/${b.name}.yaml`, toYaml(b.application));
  }
  return new Map([...files.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** Top-level entries of the output folder the build replaces: `base`, each `<env>`, `argocd/<env>.yaml`. */
function ownedRoots(files: FileSet): string[] {
  return [...new Set([...files.keys()].map((p) => (p.startsWith('argocd/') ? p : p.split('/')[0])))].sort();
}

function listFiles(dir: string, prefix: string): string[] {
  if (!existsSync(dir)) return [];
  if (statSync(dir).isFile()) return [prefix];
  return readdirSync(dir).flatMap((name) => listFiles(join(dir, name), `${prefix}/${name}`));
}

export interface FileChange {
  path: string;
  change: 'added' | 'removed' | 'changed';
  before?: string;
  after?: string;
}

/** What writing `files` would change on disk under `outDir`. */
export function compareWithDisk(outDir: string, files: FileSet): FileChange[] {
  const changes: FileChange[] = [];
  const onDisk = new Set(ownedRoots(files).flatMap((root) => listFiles(join(outDir, root), root)));
  for (const [path, after] of files) {
    if (!onDisk.has(path)) changes.push({ path, change: 'added', after });
    else {
      const before = readFileSync(join(outDir, path), 'utf8');
      if (before !== after) changes.push({ path, change: 'changed', before, after });
    }
  }
  for (const path of onDisk)
    if (!files.has(path)) changes.push({ path, change: 'removed', before: readFileSync(join(outDir, path), 'utf8') });
  return changes.sort((a, b) => compareText(a.path, b.path));
}

export function formatDiff(outDir: string, changes: FileChange[]): string {
  // Loaded here, not at the top: only `--diff` needs it, and every other build would pay for loading it.
  const { createTwoFilesPatch } = createRequire(import.meta.url)('diff') as typeof import('diff');
  return changes
    .map((c) => {
      const path = join(outDir, c.path);
      const mark = c.change === 'added' ? '+' : c.change === 'removed' ? '-' : '~';
      const patch = createTwoFilesPatch(
        c.change === 'added' ? '/dev/null' : path,
        c.change === 'removed' ? '/dev/null' : path,
        c.before ?? '',
        c.after ?? '',
        undefined,
        undefined,
        { context: 3 },
      );
      // Drop the `Index:` and `====` lines the library writes above the `---`/`+++` header (it writes
      // `Index:` only when both names are the same, so a fixed count would cut `--- /dev/null`).
      const body = patch.split('\n').filter((l) => !l.startsWith('Index: ') && !/^=+$/.test(l));
      return `${mark} ${path} (${c.change})\n${body.join('\n')}`;
    })
    .join('\n');
}

/** Files of `files` under one owned root, keyed by their path relative to the output folder. */
function filesUnder(files: FileSet, root: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const [path, content] of files) if (path === root || path.startsWith(`${root}/`)) out.set(path, content);
  return out;
}

/**
 * Whether the root on disk already is exactly `expected`: the same files with the same bytes, and no
 * other file, folder or link. Rewriting such a root would only change timestamps.
 */
function unchangedOnDisk(outDir: string, root: string, expected: Map<string, string>): boolean {
  const dirs = new Set<string>();
  for (const path of expected.keys())
    for (let d = dirname(path); d !== '.' && d !== dirname(root); d = dirname(d)) dirs.add(d);
  let seen = 0;
  const same = (path: string): boolean => {
    const stat = lstatSync(join(outDir, path), { throwIfNoEntry: false });
    if (!stat) return false;
    if (stat.isDirectory())
      return dirs.has(path) && readdirSync(join(outDir, path)).every((name) => same(`${path}/${name}`));
    if (!stat.isFile()) return false;
    const want = expected.get(path);
    seen++;
    return (
      want !== undefined && stat.size === Buffer.byteLength(want) && readFileSync(join(outDir, path), 'utf8') === want
    );
  };
  return same(root) && seen === expected.size;
}

/**
 * Replaces the owned folders and files in one swap per root: everything is first written to a staging
 * folder beside them, so a failure while writing leaves the previous output in place. A root whose files
 * on disk are already exactly the new ones is left alone (most rebuilds change one overlay or nothing).
 */
export function writeOutput(outDir: string, files: FileSet): void {
  mkdirSync(outDir, { recursive: true });
  const roots = ownedRoots(files)
    .map((root) => ({ root, files: filesUnder(files, root) }))
    .filter((r) => !unchangedOnDisk(outDir, r.root, r.files));
  if (roots.length === 0) return;
  const staging = join(outDir, `.staging-${process.pid}`);
  rmSync(staging, { recursive: true, force: true });
  try {
    const made = new Set<string>();
    for (const r of roots) {
      for (const [path, content] of r.files) {
        const dir = dirname(join(staging, path));
        if (!made.has(dir)) mkdirSync(dir, { recursive: true });
        made.add(dir);
        writeFileSync(join(staging, path), content);
      }
    }
    for (const { root } of roots) {
      const target = join(outDir, root);
      const old = join(staging, `.old-${relative(outDir, target).replace(/\//g, '_')}`);
      mkdirSync(dirname(target), { recursive: true });
      if (existsSync(target)) renameSync(target, old);
      renameSync(join(staging, root), target);
    }
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}
