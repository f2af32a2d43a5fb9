import { relative } from 'node:path';
import { performance } from 'node:perf_hooks';
import { entryOf, loadEnvironment, typeCheckEnvironments } from './load.js';
import { compareWithDisk, formatDiff, outputFiles, readOwned, writeOutput } from './output.js';
import { buildEnvironment, type BuiltEnvironment } from './pipeline.js';
import { formatProblems, type Problem } from '../core/problems.js';
import { groupByCause } from './problem-groups.js';
import { formatRequests, kindCounts, totalRequests } from './summary.js';

export interface CliOptions {
  environments: string[];
  out: string;
  check: boolean;
  diff: boolean;
  typeCheck: boolean;
  preflight?: { context?: string; kubeconfig?: string };
  /** With `--diff`: classify against the live objects of this kubectl context instead of `out/`. */
  live?: { context?: string; kubeconfig?: string };
  /** `Kind/namespace/name` of objects whose data-at-risk or refused change is accepted. */
  allow: string[];
  /** `--upgrade-check [--to V]`: the Mimir version to compare with (`true`: the next one). */
  upgrade?: string | true;
}

const usage = `usage: tsx build.ts environments/<name> [environments/<other> ...] [--out DIR] [--check] [--diff] [--no-typecheck]
       tsx build.ts environments/<name> --preflight [--context NAME] [--kubeconfig FILE]

  --out DIR        output folder (default: out)
  --check          exit 1 when the committed output differs from a fresh render; writes nothing.
                   Every changed object is classified (in place, rolling restart, needs recreate,
                   data at risk, refused) with a summary line per environment
  --diff           print what would change, file by file, then each changed object's class, the pods
                   that restart and the safe procedure; writes nothing. Exit 1 on data at risk or refused
  --diff --context NAME [--kubeconfig FILE]
                   classify against the live objects of that kubectl context (read-only) instead of out/
  --allow REF      accept a data-at-risk or refused change of REF (Kind/namespace/name), repeatable
  --upgrade-check [--to VERSION]
                   write nothing; check each environment against the next Mimir version's facts (or
                   VERSION's): flags and fields it sets that are removed, renamed or invalid there
                   (exit 1), and the defaults it relies on that change
  --no-typecheck   skip the TypeScript check of environment modules
  --preflight      write nothing; read the kubectl context (read-only) and report what the environment
                   needs that the cluster lacks, each with the command that fixes it (exit 1 if anything)`;

export function parseArgs(argv: string[]): CliOptions | { error: string } {
  const opts: CliOptions = { environments: [], out: 'out', check: false, diff: false, typeCheck: true, allow: [] };
  let preflight = false;
  const target: { context?: string; kubeconfig?: string } = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--check') opts.check = true;
    else if (a === '--diff') opts.diff = true;
    else if (a === '--no-typecheck') opts.typeCheck = false;
    else if (a === '--preflight') preflight = true;
    else if (a === '--upgrade-check') opts.upgrade = opts.upgrade ?? true;
    else if (a === '--to') {
      const v = argv[++i];
      if (!v) return { error: '--to needs a Mimir version' };
      opts.upgrade = v;
    } else if (a === '--allow') {
      const v = argv[++i];
      if (!v || !/^[A-Za-z]+\/[^/]+(\/[^/]+)?$/.test(v)) return { error: '--allow needs Kind/namespace/name' };
      opts.allow.push(v);
    } else if (a === '--context' || a === '--kubeconfig') {
      const v = argv[++i];
      if (!v) return { error: `${a} needs a value` };
      target[a === '--context' ? 'context' : 'kubeconfig'] = v;
    } else if (a === '--out') {
      const v = argv[++i];
      if (!v) return { error: '--out needs a folder' };
      opts.out = v;
    } else if (a.startsWith('--out=')) opts.out = a.slice('--out='.length);
    else if (a === '-h' || a === '--help') return { error: usage };
    else if (a.startsWith('-')) return { error: `unknown option ${a}\n${usage}` };
    else opts.environments.push(a.replace(/\/+$/, ''));
  }
  if (opts.environments.length === 0) return { error: `no environment given\n${usage}` };
  if (!preflight && !opts.diff && (target.context || target.kubeconfig))
    return { error: `--context and --kubeconfig go with --preflight or --diff\n${usage}` };
  if (preflight) opts.preflight = target;
  else if (target.context || target.kubeconfig) opts.live = target;
  return opts;
}

/** Output folders the build owns besides the environments' own. */
const reservedNames = ['base', 'argocd'];

export interface CliIo {
  log(line: string): void;
  error(line: string): void;
}

/**
 * The whole build: load, render, validate every environment, then write (or check, or diff). Returns the
 * exit code: 0 built (or up to date), 1 problems in the input (nothing written), 2 a bug — an exception
 * nothing expected. Everything that can fail runs before the first write, so a bug leaves `out/` untouched.
 */
export async function runCli(
  argv: string[],
  io: CliIo = { log: (l) => console.log(l), error: (l) => console.error(l) },
): Promise<number> {
  const state: BuildState = { out: 'out', writing: false };
  try {
    return await build(argv, io, state);
  } catch (err) {
    io.error(unexpectedError(err, state));
    if (process.env.DEBUG && err instanceof Error && err.stack) io.error(err.stack);
    return 2;
  }
}

interface BuildState {
  out: string;
  /** Set once the first file is about to be written: from then on `out/` may have changed. */
  writing: boolean;
}

/** The first stack frame, as a path relative to the working directory: where the bug is. */
function whereThrown(err: unknown): string | undefined {
  if (!(err instanceof Error) || !err.stack) return undefined;
  for (const line of err.stack.split('\n').slice(1)) {
    const m = /\(?((?:file:\/\/)?\/[^():]+):(\d+):\d+\)?$/.exec(line.trim());
    if (!m) continue;
    const file = m[1].replace(/^file:\/\//, '');
    return `${relative(process.cwd(), file) || file}:${m[2]}`;
  }
  return undefined;
}

/** One line: what failed, where, and what it did to the output folder. */
export function unexpectedError(err: unknown, state: { out: string; writing: boolean }): string {
  const what = err instanceof Error ? `${err.name}: ${err.message.split('\n')[0]}` : String(err).split('\n')[0];
  const where = whereThrown(err);
  const at = where ? ` (at ${where})` : '';
  const stack = process.env.DEBUG ? '' : '; DEBUG=1 shows the stack trace';
  if (state.writing)
    return `error: writing ${state.out}/ failed: ${what}${at} — each output folder is swapped whole, so it holds either the previous or the new files${stack}`;
  // Thrown in the library (source, compiled or installed) it is our bug; elsewhere, by code an environment ran.
  const ours =
    where === undefined || /(?:^|\/)(?:lib|dist)\/|(?:^|\/)build\.[jt]s:|node_modules\/mimir-kube\//.test(where);
  const whose = ours ? 'a bug in mimir-kube; please report it' : 'thrown by code the environment runs, not by a check';
  return `error: unexpected ${what}${at} — ${whose}. ${state.out}/ is untouched: nothing was written${stack}`;
}

async function build(argv: string[], io: CliIo, state: BuildState): Promise<number> {
  const started = performance.now();
  const parsed = parseArgs(argv);
  if ('error' in parsed) {
    io.error(parsed.error);
    return parsed.error === usage ? 0 : 1;
  }
  state.out = parsed.out;
  const problems: Problem[] = [];
  const builds: BuiltEnvironment[] = [];
  const tsEntries = parsed.environments.map(entryOf).filter((e): e is string => e !== undefined && e.endsWith('.ts'));
  const typeProblems = parsed.typeCheck ? await typeCheckEnvironments(tsEntries) : [];
  problems.push(...typeProblems);
  for (const path of parsed.environments) {
    // A TypeScript environment that does not type-check is not run.
    if (typeProblems.length && entryOf(path)?.endsWith('.ts')) continue;
    const { loaded, problems: loadProblems } = await loadEnvironment(path, { typeCheck: false });
    problems.push(...loadProblems);
    if (!loaded) continue;
    const result = await buildEnvironment(loaded.environment, loaded.source);
    problems.push(...result.problems);
    if (result.built) builds.push(result.built);
  }
  const names = builds.map((b) => b.name);
  for (const name of new Set(names)) {
    const sources = builds.filter((b) => b.name === name).map((b) => b.source);
    if (sources.length > 1) {
      problems.push({
        source: sources[0],
        path: 'name',
        message: `environments ${sources.join(' and ')} are both named "${name}"`,
        found: JSON.stringify(name),
        hint: 'each environment needs its own name: it is its folder out/<name> and its Argo CD Application',
      });
    }
  }
  for (const b of builds) {
    if (reservedNames.includes(b.name)) {
      problems.push({
        source: b.source,
        path: 'name',
        message: `"${b.name}" is a reserved output folder`,
        expected: `a name other than ${reservedNames.map((r) => `"${r}"`).join(' and ')}`,
        found: JSON.stringify(b.name),
        hint: 'choose another environment name',
      });
    }
  }
  if (problems.length) {
    // Two environments importing the same broken file report the same problem once.
    const unique = [...new Map(problems.map((p) => [JSON.stringify(p), p])).values()];
    io.error(formatProblems(groupByCause(unique)));
    return 1;
  }
  if (parsed.preflight) {
    // Loaded here: it runs kubectl, and loading node:child_process costs every other build ~25 ms.
    const { runPreflight } = await import('./preflight-kubectl.js');
    return runPreflight(builds, parsed.preflight, io);
  }
  const files = outputFiles(builds);
  // One walk of the owned output serves both the comparison and the write's check for unchanged roots.
  const onDisk = readOwned(parsed.out, files);
  const changes = compareWithDisk(parsed.out, files, onDisk);
  const seconds = ((performance.now() - started) / 1000).toFixed(2);
  // The change classifiers load only when asked for: a plain build never needs them or node:child_process.
  if (parsed.upgrade !== undefined) {
    const { runUpgradeCheck } = await import('./diff/upgrade.js');
    return runUpgradeCheck(builds, parsed.upgrade === true ? undefined : parsed.upgrade, io);
  }
  if (parsed.live) {
    const { classifyLive } = await import('./diff/run.js');
    return classifyLive(builds, files, parsed.out, parsed.live, parsed.allow, io);
  }
  if (parsed.check || parsed.diff) {
    if (parsed.diff && changes.length) io.log(formatDiff(parsed.out, changes));
    if (changes.length === 0) {
      io.log(`${parsed.out}/ is up to date with ${names.join(', ')} (${files.size} files, ${seconds}s)`);
      return 0;
    }
    const { classifyAgainstOutput } = await import('./diff/run.js');
    const blocking = classifyAgainstOutput(builds, files, parsed.out, parsed.allow, parsed.diff, io);
    const list = changes.map((c) => `  ${c.change.padEnd(7)} ${parsed.out}/${c.path}`).join('\n');
    io.error(
      `${parsed.out}/ is stale: ${changes.length} file${changes.length === 1 ? '' : 's'} differ from a fresh render\n${list}\nrun \`npx tsx build.ts ${parsed.environments.join(' ')}\` and commit the result`,
    );
    return parsed.check || blocking ? 1 : 0;
  }
  // The summary is computed before the first write: whatever can fail has run when writing starts.
  const summary = builds.flatMap((b) => [
    `${b.name}: ${Object.entries(kindCounts(b.tree))
      .map(([k, n]) => `${n} ${k}`)
      .join(', ')}`,
    `${b.name}: ${formatRequests(totalRequests(b.tree))}`,
  ]);
  state.writing = true;
  writeOutput(parsed.out, files, onDisk);
  state.writing = false;
  for (const line of summary) io.log(line);
  io.log(
    `wrote ${files.size} files to ${parsed.out}/ (${changes.length} changed) in ${((performance.now() - started) / 1000).toFixed(2)}s`,
  );
  return 0;
}
