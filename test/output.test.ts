/**
 * The output folder: atomic writes (README "Writes are atomic (staged, then swapped)"), what the build
 * owns and replaces, and the --check/--diff comparison with the disk.
 */
import {
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { compareWithDisk, formatDiff, outputFiles, readOwned, writeOutput } from '../lib/build/output.js';
import { buildEnvironment } from '../lib/build/pipeline.js';
import { snapshot } from './support/files.js';

const tmp = mkdtempSync(join(tmpdir(), 'output-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
let n = 0;
const fresh = () => join(tmp, `o${n++}`);
const files = (entries: Record<string, string>) => new Map(Object.entries(entries));

describe('writeOutput', () => {
  it('writes every file, creating folders', () => {
    const out = fresh();
    writeOutput(
      out,
      files({
        'base/kustomization.yaml': 'k',
        'base/a/b/c.yaml': 'c',
        'local/kustomization.yaml': 'l',
        'argocd/local.yaml': 'app',
      }),
    );
    expect(snapshot(out)).toEqual({
      '/argocd/local.yaml': 'app',
      '/base/a/b/c.yaml': 'c',
      '/base/kustomization.yaml': 'k',
      '/local/kustomization.yaml': 'l',
    });
  });

  it('replaces each owned root whole: files the new render lacks are gone, other roots and foreign files stay', () => {
    const out = fresh();
    writeOutput(
      out,
      files({
        'base/old.yaml': 'old',
        'base/keep.yaml': 'v1',
        'prod/kustomization.yaml': 'p',
        'argocd/prod.yaml': 'p',
        'argocd/local.yaml': 'l1',
      }),
    );
    writeFileSync(join(out, 'README.md'), 'not ours');
    writeOutput(out, files({ 'base/keep.yaml': 'v2', 'argocd/local.yaml': 'l2' }));
    expect(snapshot(out)).toEqual({
      '/README.md': 'not ours',
      '/argocd/local.yaml': 'l2',
      '/argocd/prod.yaml': 'p',
      '/base/keep.yaml': 'v2',
      '/prod/kustomization.yaml': 'p',
    });
  });

  it('a failure while writing leaves the previous output untouched and no staging folder behind', () => {
    const out = fresh();
    const before = { 'base/a.yaml': 'a1', 'local/kustomization.yaml': 'l1' };
    writeOutput(out, files(before));
    // `base/x` cannot be a file and a folder at once: the second write fails after the first file was staged.
    expect(() =>
      writeOutput(
        out,
        files({ 'base/a.yaml': 'a2', 'base/x': 'file', 'base/x/y.yaml': 'y', 'local/kustomization.yaml': 'l2' }),
      ),
    ).toThrow();
    expect(snapshot(out)).toEqual({ '/base/a.yaml': 'a1', '/local/kustomization.yaml': 'l1' });
    expect(readdirSync(out).sort()).toEqual(['base', 'local']);
  });

  it('clears a staging folder a crashed build of the same process id left behind', () => {
    const out = fresh();
    mkdirSync(join(out, `.staging-${process.pid}`, 'base'), { recursive: true });
    writeFileSync(join(out, `.staging-${process.pid}`, 'base', 'stale.yaml'), 'stale');
    writeOutput(out, files({ 'base/a.yaml': 'a' }));
    expect(snapshot(out)).toEqual({ '/base/a.yaml': 'a' });
  });

  it('leaves a root alone when its files on disk already are the new ones, and swaps it when anything differs', () => {
    const out = fresh();
    const set = files({ 'base/a/b.yaml': 'b', 'base/kustomization.yaml': 'k', 'local/kustomization.yaml': 'l' });
    writeOutput(out, set);
    const inode = (p: string) => statSync(join(out, p)).ino;
    const [base, local] = [inode('base'), inode('local')];
    writeOutput(out, set);
    expect([inode('base'), inode('local')]).toEqual([base, local]);
    // same files plus a stray one: the root is rewritten without it
    writeFileSync(join(out, 'base', 'a', 'stray.yaml'), 's');
    writeOutput(out, set);
    expect(inode('base')).not.toBe(base);
    expect(existsSync(join(out, 'base', 'a', 'stray.yaml'))).toBe(false);
    expect(inode('local')).toBe(local);
    // a changed byte of the same length is seen
    const base2 = inode('base');
    writeFileSync(join(out, 'base', 'kustomization.yaml'), 'K');
    writeOutput(out, set);
    expect(inode('base')).not.toBe(base2);
    expect(readFileSync(join(out, 'base', 'kustomization.yaml'), 'utf8')).toBe('k');
  });

  it('a missing file, an empty extra folder or a link in place of a file makes the root be rewritten', () => {
    const out = fresh();
    const set = files({ 'base/a.yaml': 'a', 'base/b.yaml': 'b' });
    writeOutput(out, set);
    rmSync(join(out, 'base', 'b.yaml'));
    writeOutput(out, set);
    expect(snapshot(out)).toEqual({ '/base/a.yaml': 'a', '/base/b.yaml': 'b' });
    mkdirSync(join(out, 'base', 'empty'));
    writeOutput(out, set);
    expect(existsSync(join(out, 'base', 'empty'))).toBe(false);
    rmSync(join(out, 'base', 'a.yaml'));
    symlinkSync(join(out, 'base', 'b.yaml'), join(out, 'base', 'a.yaml'));
    writeOutput(out, set);
    expect(statSync(join(out, 'base', 'a.yaml')).isFile()).toBe(true);
    expect(readFileSync(join(out, 'base', 'a.yaml'), 'utf8')).toBe('a');
  });
  it('a link to a file with the very same bytes, or a stray link, still makes the root be rewritten', () => {
    const out = fresh();
    const set = files({ 'base/a.yaml': 'zzzz' });
    writeOutput(out, set);
    // The link's own size (the length of "../z") equals the file's, and reading through it gives the same text.
    writeFileSync(join(out, 'z'), 'zzzz');
    rmSync(join(out, 'base', 'a.yaml'));
    symlinkSync('../z', join(out, 'base', 'a.yaml'));
    writeOutput(out, set);
    expect(lstatSync(join(out, 'base', 'a.yaml')).isFile()).toBe(true);
    symlinkSync('../z', join(out, 'base', 'stray.yaml'));
    writeOutput(out, set);
    expect(existsSync(join(out, 'base', 'stray.yaml'))).toBe(false);
  });
});

describe('compareWithDisk and formatDiff', () => {
  it('lists added, changed and removed files of the owned roots only, sorted by path', () => {
    const out = fresh();
    writeOutput(
      out,
      files({
        'base/same.yaml': 's',
        'base/changed.yaml': 'v1\n',
        'base/removed.yaml': 'r\n',
        'argocd/local.yaml': 'a',
      }),
    );
    writeFileSync(join(out, 'foreign.txt'), 'x');
    mkdirSync(join(out, 'other'));
    writeFileSync(join(out, 'other', 'f.yaml'), 'x');
    const changes = compareWithDisk(
      out,
      files({ 'base/same.yaml': 's', 'base/changed.yaml': 'v2\n', 'base/added.yaml': 'n\n', 'argocd/local.yaml': 'a' }),
    );
    expect(changes).toEqual([
      { path: 'base/added.yaml', change: 'added', after: 'n\n' },
      { path: 'base/changed.yaml', change: 'changed', before: 'v1\n', after: 'v2\n' },
      { path: 'base/removed.yaml', change: 'removed', before: 'r\n' },
    ]);
    expect(
      compareWithDisk(
        out,
        files({
          'base/same.yaml': 's',
          'base/changed.yaml': 'v1\n',
          'base/removed.yaml': 'r\n',
          'argocd/local.yaml': 'a',
        }),
      ),
    ).toEqual([]);
    const text = formatDiff(out, changes);
    expect(text).toContain(`+ ${join(out, 'base/added.yaml')} (added)`);
    expect(text).toContain(`~ ${join(out, 'base/changed.yaml')} (changed)`);
    expect(text).toContain(`- ${join(out, 'base/removed.yaml')} (removed)`);
    expect(text).toMatch(/-v1\n\+v2/);
    expect(text).toContain('+n');
    expect(text).toContain('-r');
    expect(text).toContain('+++ /dev/null');
    // every file gets both header lines: /dev/null for the side that does not exist, the path otherwise
    const section = (path: string) =>
      text.split(/\n(?=[-+~] \/)/).find((s) => s.includes(`${join(out, path)} (`)) ?? '';
    expect(section('base/added.yaml').split('\n').slice(1, 3)).toEqual([
      '--- /dev/null',
      `+++ ${join(out, 'base/added.yaml')}`,
    ]);
    expect(section('base/changed.yaml').split('\n').slice(1, 3)).toEqual([
      `--- ${join(out, 'base/changed.yaml')}`,
      `+++ ${join(out, 'base/changed.yaml')}`,
    ]);
    expect(section('base/removed.yaml').split('\n').slice(1, 3)).toEqual([
      `--- ${join(out, 'base/removed.yaml')}`,
      '+++ /dev/null',
    ]);
    expect(text).not.toMatch(/^(Index: |====)/m);
    expect(formatDiff(out, [])).toBe('');
  });

  it('a changed line ending in = keeps it (only the header rules of the diff library are dropped)', () => {
    const out = fresh();
    writeOutput(out, files({ 'base/k.yaml': 'key: a=\n' }));
    const text = formatDiff(out, compareWithDisk(out, files({ 'base/k.yaml': 'key: b==\n' })));
    expect(text).toContain('-key: a=\n+key: b==');
  });

  it('an added file shows only added lines and a removed one only removed lines, with three lines of context, one change after another', () => {
    const lines = (n: number, changed?: number) =>
      `${Array.from({ length: n }, (_, i) => (i === changed ? 'X' : `l${i}`)).join('\n')}\n`;
    const text = formatDiff('/o', [
      { path: 'base/a.yaml', change: 'added', after: 'n\n' },
      { path: 'base/c.yaml', change: 'changed', before: lines(11), after: lines(11, 5) },
      { path: 'base/r.yaml', change: 'removed', before: 'r\n' },
    ]);
    expect(text.split('\n')).toEqual([
      '+ /o/base/a.yaml (added)',
      '--- /dev/null',
      '+++ /o/base/a.yaml',
      '@@ -0,0 +1,1 @@',
      '+n',
      '',
      '~ /o/base/c.yaml (changed)',
      '--- /o/base/c.yaml',
      '+++ /o/base/c.yaml',
      '@@ -3,7 +3,7 @@',
      ' l2',
      ' l3',
      ' l4',
      '-l5',
      '+X',
      ' l6',
      ' l7',
      ' l8',
      '',
      '- /o/base/r.yaml (removed)',
      '--- /o/base/r.yaml',
      '+++ /dev/null',
      '@@ -1,1 +0,0 @@',
      '-r',
      '',
    ]);
  });

  it('everything is added when the folder does not exist', () => {
    expect(compareWithDisk(join(tmp, 'nothing-here'), files({ 'base/a': 'a' }))).toEqual([
      { path: 'base/a', change: 'added', after: 'a' },
    ]);
  });
});

describe('one walk of the owned roots for the diff and the write', () => {
  const set = files({ 'base/a/b.yaml': 'b', 'base/k.yaml': 'k', 'local/k.yaml': 'l', 'argocd/local.yaml': 'app' });
  const inode = (out: string, p: string) => lstatSync(join(out, p)).ino;

  it('a link to a folder is walked into by the diff, and makes the writer rewrite its root', () => {
    const out = fresh();
    writeOutput(out, set);
    renameSync(join(out, 'base', 'a'), join(out, 'elsewhere'));
    symlinkSync('../elsewhere', join(out, 'base', 'a'));
    const walk = readOwned(out, set);
    expect(walk.get('base')!.files).toEqual(files({ 'base/a/b.yaml': 'b', 'base/k.yaml': 'k' }));
    expect([walk.get('base')!.plain, walk.get('local')!.plain]).toEqual([false, true]);
    expect(compareWithDisk(out, set, walk)).toEqual([]);
    const local = inode(out, 'local');
    writeOutput(out, set, walk);
    expect(lstatSync(join(out, 'base', 'a')).isDirectory()).toBe(true);
    expect(snapshot(join(out, 'base'))).toEqual({ '/a/b.yaml': 'b', '/k.yaml': 'k' });
    expect(inode(out, 'local')).toBe(local);
  });

  it('a root missing on disk is added whole, and the roots already on disk are left alone', () => {
    const out = fresh();
    writeOutput(out, set);
    rmSync(join(out, 'local'), { recursive: true });
    rmSync(join(out, 'argocd', 'local.yaml'));
    const walk = readOwned(out, set);
    expect(walk.get('local')).toEqual({ files: new Map(), folders: new Set(), plain: true });
    expect(compareWithDisk(out, set, walk)).toEqual([
      { path: 'argocd/local.yaml', change: 'added', after: 'app' },
      { path: 'local/k.yaml', change: 'added', after: 'l' },
    ]);
    const base = inode(out, 'base');
    writeOutput(out, set, walk);
    expect(snapshot(out)).toEqual({
      '/argocd/local.yaml': 'app',
      '/base/a/b.yaml': 'b',
      '/base/k.yaml': 'k',
      '/local/k.yaml': 'l',
    });
    expect(inode(out, 'base')).toBe(base);
  });

  it('a dangling link is absent for the diff, and the writer still rewrites the root holding it', () => {
    const out = fresh();
    writeOutput(out, set);
    symlinkSync('../nowhere', join(out, 'local', 'gone.yaml'));
    expect(compareWithDisk(out, set)).toEqual([]);
    writeOutput(out, set);
    expect(readdirSync(join(out, 'local'))).toEqual(['k.yaml']);
  });

  it('a folder where a single-file root belongs: the diff sees its files, the writer puts the file back', () => {
    const out = fresh();
    writeOutput(out, set);
    rmSync(join(out, 'argocd', 'local.yaml'));
    mkdirSync(join(out, 'argocd', 'local.yaml'));
    writeFileSync(join(out, 'argocd', 'local.yaml', 'x'), 'app');
    expect(compareWithDisk(out, set)).toEqual([
      { path: 'argocd/local.yaml', change: 'added', after: 'app' },
      { path: 'argocd/local.yaml/x', change: 'removed', before: 'app' },
    ]);
    writeOutput(out, set);
    expect(readFileSync(join(out, 'argocd', 'local.yaml'), 'utf8')).toBe('app');
  });

  it('a pipe in a root is nothing the diff can read, and the writer rewrites the root without it', () => {
    const out = fresh();
    writeOutput(out, set);
    execFileSync('mkfifo', [join(out, 'base', 'a', 'pipe')]);
    expect(compareWithDisk(out, set)).toEqual([]);
    writeOutput(out, set);
    expect(readdirSync(join(out, 'base', 'a'))).toEqual(['b.yaml']);
  });

  it('a root the walk handed in does not cover is written, never taken as unchanged', () => {
    const out = fresh();
    writeOutput(out, set);
    const local = inode(out, 'local');
    const base = inode(out, 'base');
    writeOutput(out, set, readOwned(out, files({ 'base/k.yaml': 'k' })));
    expect(inode(out, 'local')).not.toBe(local);
    expect(inode(out, 'base')).toBe(base);
    expect(snapshot(join(out, 'local'))).toEqual({ '/k.yaml': 'l' });
  });

  it('both read the walk they are handed, not the disk again', () => {
    const out = fresh();
    writeOutput(out, set);
    const walk = readOwned(out, set);
    writeFileSync(join(out, 'base', 'stray.yaml'), 's');
    expect(compareWithDisk(out, set, walk)).toEqual([]);
    writeOutput(out, set, walk);
    expect(existsSync(join(out, 'base', 'stray.yaml'))).toBe(true);
    // and without one, each reads the disk itself
    expect(compareWithDisk(out, set)).toEqual([{ path: 'base/stray.yaml', change: 'removed', before: 's' }]);
    writeOutput(out, set);
    expect(existsSync(join(out, 'base', 'stray.yaml'))).toBe(false);
  });
});

describe('outputFiles', () => {
  it('holds the base, each overlay and each Application, sorted by path', async () => {
    const r = await buildEnvironment(
      { name: 'staging', config: { namespace: 'obs', existingSecrets: ['storage-credentials', 'grafana-admin'] } },
      'environments/staging/main.ts',
    );
    const set = outputFiles([r.built!]);
    const paths = [...set.keys()];
    expect(paths).toEqual([...paths].sort());
    expect(paths).toContain('base/kustomization.yaml');
    expect(paths).toContain('staging/kustomization.yaml');
    expect(paths).toContain('argocd/staging.yaml');
    expect(paths.every((p) => p.startsWith('base/') || p.startsWith('staging/') || p === 'argocd/staging.yaml')).toBe(
      true,
    );
    expect(set.get('argocd/staging.yaml')).toContain('name: mimir-staging');
  });
});
