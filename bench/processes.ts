/** Wall time and peak memory of fresh processes, and a description of the machine they ran on. */
import { spawnSync } from 'node:child_process';
import { cpus, loadavg, totalmem } from 'node:os';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';

export interface ProcessRun {
  wallMs: number;
  /** Largest resident set of the process and its children (tsx starts node as a child). */
  maxRssKb?: number;
  status: number | null;
  stdout: string;
  stderr: string;
}

const gnuTime = '/usr/bin/time';
const rssPreload = pathToFileURL(fileURLToPath(new URL('./maxrss.mjs', import.meta.url))).href;

/**
 * GNU time reports the peak RSS of the whole process tree it waited for. Without it, every node process
 * of the run writes its own `process.resourceUsage().maxRSS` through a preload and the largest counts.
 */
export function rssMethod(): string {
  return existsSync(gnuTime) ? 'GNU time (%M)' : 'process.resourceUsage().maxRSS via NODE_OPTIONS preload';
}

export function runProcess(
  command: string,
  args: string[],
  opts: { cwd: string; env?: NodeJS.ProcessEnv },
): ProcessRun {
  const scratch = mkdtempSync(join(tmpdir(), 'mimir-kube-bench-rss-'));
  const rssFile = join(scratch, 'rss');
  const env = { ...process.env, ...opts.env };
  let argv: [string, string[]];
  if (existsSync(gnuTime)) {
    argv = [gnuTime, ['-f', '%M', '-o', rssFile, command, ...args]];
  } else {
    env.NODE_OPTIONS = `${env.NODE_OPTIONS ?? ''} --import=${rssPreload}`.trim();
    env.BENCH_MAXRSS_FILE = rssFile;
    argv = [command, args];
  }
  const started = performance.now();
  const r = spawnSync(argv[0], argv[1], { cwd: opts.cwd, env, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  const wallMs = performance.now() - started;
  let maxRssKb: number | undefined;
  try {
    const values = readFileSync(rssFile, 'utf8')
      .split('\n')
      .map((l) => Number(l.trim()))
      .filter((n) => Number.isFinite(n) && n > 0);
    if (values.length) maxRssKb = Math.max(...values);
  } catch {
    // No report: the process died before writing it.
  }
  rmSync(scratch, { recursive: true, force: true });
  return {
    wallMs,
    maxRssKb,
    status: r.status,
    stdout: r.stdout ?? '',
    stderr: (r.stderr ?? '') + (r.error ? String(r.error) : ''),
  };
}

function firstLine(text: string, pattern: RegExp): string | undefined {
  return text.split('\n').find((l) => pattern.test(l));
}

export interface Machine {
  cpus: number;
  cpuModel: string;
  memory: string;
  node: string;
  os: string;
  load: string;
}

export function machine(): Machine {
  let cpuModel = cpus()[0]?.model ?? 'unknown';
  let os = `${process.platform} ${process.arch}`;
  try {
    cpuModel =
      firstLine(readFileSync('/proc/cpuinfo', 'utf8'), /^model name/)
        ?.split(':')[1]
        ?.trim() ?? cpuModel;
  } catch {
    // Not Linux: the os module's model name stands.
  }
  try {
    os =
      firstLine(readFileSync('/etc/os-release', 'utf8'), /^PRETTY_NAME=/)
        ?.split('=')[1]
        ?.replace(/"/g, '') ?? os;
  } catch {
    // No os-release: platform and arch stand.
  }
  const nproc = spawnSync('nproc', { encoding: 'utf8' }).stdout?.trim();
  return {
    cpus: Number(nproc) || cpus().length,
    cpuModel,
    memory: `${(totalmem() / 1024 ** 3).toFixed(1)} GiB`,
    node: process.version,
    os,
    load: loadavg()
      .map((l) => l.toFixed(2))
      .join(' '),
  };
}
