import {
  type Dirent,
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

/** What one owned root holds on disk: the one walk both the diff and the writer read. */
export interface RootOnDisk {
  /** Every file under the root, links followed, with its content (what a diff compares). */
  files: Map<string, string>;
  /** Every folder walked into, the root's own included. */
  folders: Set<string>;
  /** No link and nothing but plain folders and files: only then may the writer trust `files` and `folders`. */
  plain: boolean;
}

/** The owned roots on disk, keyed by root; read once and handed to both compareWithDisk and writeOutput. */
export type OnDisk = Map<string, RootOnDisk>;

/** Walks each owned root of `files` under `outDir` once. */
export function readOwned(outDir: string, files: FileSet): OnDisk {
  return new Map(ownedRoots(files).map((root) => [root, readRoot(outDir, root)]));
}

function readRoot(outDir: string, root: string): RootOnDisk {
  const found: RootOnDisk = { files: new Map(), folders: new Set(), plain: true };
  const entry = lstatSync(join(outDir, root), { throwIfNoEntry: false });
  if (entry) visit(outDir, root, entry, found);
  return found;
}

/** What both a Stats and a directory entry tell: the entry's type, without another system call. */
type Kind = Pick<Dirent, 'isFile' | 'isDirectory' | 'isSymbolicLink'>;

function visit(outDir: string, path: string, kind: Kind, found: RootOnDisk): void {
  const full = join(outDir, path);
  if (kind.isSymbolicLink()) {
    // A diff sees through a link (a link to a file is that file, a link to a folder is walked into),
    // but the writer rewrites a root holding one, even one to identical content: the output is plain.
    found.plain = false;
    // existsSync, like the diff always used: a dangling or looping link counts as absent.
    if (existsSync(full)) visit(outDir, path, statSync(full), found);
  } else if (kind.isFile()) found.files.set(path, readFileSync(full, 'utf8'));
  else if (kind.isDirectory()) {
    found.folders.add(path);
    // Entries with their types: one readdir instead of a readdir plus a stat of every entry.
    for (const entry of readdirSync(full, { withFileTypes: true }))
      visit(outDir, `${path}/${entry.name}`, entry, found);
  } else found.plain = false; // a socket or a pipe: nothing a diff can read, nothing the writer keeps
}

export interface FileChange {
  path: string;
  change: 'added' | 'removed' | 'changed';
  before?: string;
  after?: string;
}

/**
 * What writing `files` would change on disk under `outDir`. `onDisk` is the walk of the owned roots; a
 * caller that writes afterwards reads it once and hands the same walk to writeOutput.
 */
export function compareWithDisk(
  outDir: string,
  files: FileSet,
  onDisk: OnDisk = readOwned(outDir, files),
): FileChange[] {
  const changes: FileChange[] = [];
  const found = new Map([...onDisk.values()].flatMap((r) => [...r.files]));
  for (const [path, after] of files) {
    const before = found.get(path);
    if (before === undefined) changes.push({ path, change: 'added', after });
    else if (before !== after) changes.push({ path, change: 'changed', before, after });
  }
  for (const [path, before] of found) if (!files.has(path)) changes.push({ path, change: 'removed', before });
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

/** The folders `expected` needs under `root`, the root's own included when it is a folder. */
function foldersOf(expected: Map<string, string>, root: string): Set<string> {
  const dirs = new Set<string>();
  for (const path of expected.keys())
    for (let d = dirname(path); d !== '.' && d !== dirname(root); d = dirname(d)) dirs.add(d);
  return dirs;
}

/**
 * Whether the root on disk already is exactly `expected`: the same files with the same bytes, and no
 * other file, folder or link. Rewriting such a root would only change timestamps.
 */
function unchangedOnDisk(found: RootOnDisk | undefined, root: string, expected: Map<string, string>): boolean {
  if (!found?.plain || found.files.size !== expected.size) return false;
  // The same count and every expected file present: no file is missing and none is stray.
  const dirs = foldersOf(expected, root);
  return [...found.folders].every((d) => dirs.has(d)) && [...expected].every(([p, c]) => found.files.get(p) === c);
}

/**
 * Replaces the owned folders and files in one swap per root: everything is first written to a staging
 * folder beside them, so a failure while writing leaves the previous output in place. A root whose files
 * on disk are already exactly the new ones is left alone (most rebuilds change one overlay or nothing).
 * `onDisk` is the walk of the owned roots, taken before anything is written (compareWithDisk's, when
 * the caller ran one).
 */
export function writeOutput(outDir: string, files: FileSet, onDisk: OnDisk = readOwned(outDir, files)): void {
  mkdirSync(outDir, { recursive: true });
  const roots = ownedRoots(files)
    .map((root) => ({ root, files: filesUnder(files, root) }))
    .filter((r) => !unchangedOnDisk(onDisk.get(r.root), r.root, r.files));
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
