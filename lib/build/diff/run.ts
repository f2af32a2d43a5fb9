import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { KubeObject } from '../../core/k8s/types.js';
import { resourceId } from '../../core/tree.js';
import type { FileSet } from '../kustomize/writer.js';
import type { BuiltEnvironment } from '../pipeline.js';
import { blocked, classifyChanges, type Finding } from './classify.js';
import { getArgs, liveObjects, renderedForLive } from './live.js';
import { deployedObjects, type DeployedObjects } from './objects.js';
import { formatFindings, summaryLine } from './report.js';

interface Io {
  log(line: string): void;
  error(line: string): void;
}

/** The files under `outDir/<root>` for each root, keyed like the writer's FileSet. */
export function readOutput(outDir: string, roots: string[]): FileSet {
  const files: FileSet = new Map();
  const walk = (dir: string, prefix: string): void => {
    if (!existsSync(dir)) return;
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path, `${prefix}${name}/`);
      else files.set(`${prefix}${name}`, readFileSync(path, 'utf8'));
    }
  };
  for (const root of roots) walk(join(outDir, root), `${root}/`);
  return files;
}

function report(env: string, findings: Finding[], allow: string[], details: boolean, io: Io): boolean {
  if (details && findings.length) io.log(formatFindings(env, findings));
  io.log(summaryLine(env, findings, allow));
  return blocked(findings, allow).length > 0;
}

/**
 * `--check`/`--diff`: each environment's objects as the committed output deploys them against the
 * fresh render's. Returns whether a blocking change is not allowed.
 */
export function classifyAgainstOutput(
  builds: BuiltEnvironment[],
  files: FileSet,
  outDir: string,
  allow: string[],
  details: boolean,
  io: Io,
): boolean {
  const disk = readOutput(outDir, ['base', ...builds.map((b) => b.name)]);
  let stop = false;
  for (const b of builds) {
    let before;
    try {
      before = deployedObjects(disk, b.name);
    } catch (err) {
      // A hand-edited output Kustomize could not build either: the file list below says what differs.
      io.error(
        `${b.name}: ${outDir}/${b.name} cannot be read as Kustomize would (${err instanceof Error ? err.message : String(err)}); its objects are not classified`,
      );
      continue;
    }
    const findings = classifyChanges(before, deployedObjects(files, b.name), {
      applyCommand: `kubectl apply --server-side -k ${outDir}/${b.name}`,
    });
    stop = report(b.name, findings, allow, details, io) || stop;
  }
  return stop;
}

function kubectl(target: { context?: string; kubeconfig?: string }, args: string[]): Promise<string> {
  const base = [
    ...(target.kubeconfig ? [`--kubeconfig=${target.kubeconfig}`] : []),
    ...(target.context ? [`--context=${target.context}`] : []),
  ];
  return new Promise((resolve, reject) => {
    execFile('kubectl', [...base, ...args], { maxBuffer: 256 * 1024 * 1024, timeout: 120_000 }, (err, out, stderr) => {
      if (err) reject(new Error(`kubectl ${args.slice(0, 3).join(' ')} …: ${String(stderr).trim() || err.message}`));
      else resolve(String(out));
    });
  });
}

/** Reads (get only) every object the committed output or the render names, and the namespaces' ConfigMaps. */
export async function readLive(
  target: { context?: string; kubeconfig?: string },
  objects: KubeObject[],
): Promise<KubeObject[]> {
  const out: KubeObject[] = [];
  for (const [ns, names] of getArgs(objects)) {
    const scope = ns ? ['-n', ns] : [];
    // Batches keep each command line short; a missing object is simply absent from the answer.
    for (let i = 0; i < names.length; i += 50) {
      const text = await kubectl(target, [
        'get',
        ...scope,
        ...names.slice(i, i + 50),
        '--ignore-not-found',
        '-o',
        'json',
      ]);
      if (text.trim()) {
        const doc = JSON.parse(text) as { items?: KubeObject[] } & KubeObject;
        out.push(...(doc.items ?? [doc]));
      }
    }
    if (ns)
      out.push(
        ...(JSON.parse(await kubectl(target, ['get', 'configmaps', '-n', ns, '-o', 'json'])) as { items: KubeObject[] })
          .items,
      );
  }
  return [...new Map(out.map((o) => [`${resourceId(o)}`, o])).values()];
}

/**
 * `--diff --context NAME`: each environment's fresh render against what the cluster runs now, so a
 * change made outside Git is classified too. Read-only. Exit 0, 1 on a blocking change, 2 when the
 * cluster cannot be read.
 */
export async function classifyLive(
  builds: BuiltEnvironment[],
  files: FileSet,
  outDir: string,
  target: { context?: string; kubeconfig?: string },
  allow: string[],
  io: Io,
): Promise<number> {
  const disk = readOutput(outDir, ['base', ...builds.map((b) => b.name)]);
  let stop = false;
  for (const b of builds) {
    let committed: DeployedObjects = { objects: [], hashed: new Set() };
    try {
      committed = deployedObjects(disk, b.name);
    } catch {
      // Only the render's fields are compared then: the committed output adds the fields it dropped.
    }
    const rendered = deployedObjects(files, b.name);
    const wanted = new Map([...committed.objects, ...rendered.objects].map((o) => [resourceId(o), o]));
    let live: KubeObject[];
    try {
      live = await readLive(target, [...wanted.values()]);
    } catch (err) {
      io.error(`diff ${b.name}: cannot read the cluster: ${err instanceof Error ? err.message : String(err)}`);
      return 2;
    }
    // Against the cluster, an object the committed output has but the cluster lacks is not "removed".
    const findings = classifyChanges(liveObjects(live, committed, rendered), renderedForLive(rendered), {
      applyCommand: `kubectl${target.context ? ` --context ${target.context}` : ''} apply --server-side -k ${outDir}/${b.name}`,
    });
    const label = `${b.name} (live${target.context ? `, context ${target.context}` : ''})`;
    stop = report(label, findings, allow, true, io) || stop;
  }
  return stop ? 1 : 0;
}
