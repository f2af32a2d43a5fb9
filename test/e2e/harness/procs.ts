import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, closeSync, openSync, readFileSync } from 'node:fs';

export interface ProcessSpec {
  /** `pod/container`, for logs and the report. */
  id: string;
  netns: string;
  hostname: string;
  argv: string[];
  env: Record<string, string>;
  cwd: string;
  uid: number;
  gid: number;
  groups: number[];
  log: string;
  /** Seconds between SIGTERM and SIGKILL (the pod's terminationGracePeriodSeconds, capped by the harness). */
  stopTimeoutSeconds: number;
  /** Restart on exit with a growing delay, as the kubelet does for `restartPolicy: Always`. */
  restart: boolean;
  /**
   * A folder with `token`, `ca.crt` and `namespace`, mounted read-only at the fixed path client-go's
   * in-cluster configuration reads (a private mount namespace: a tmpfs on /run, which /var/run links to).
   */
  serviceAccountDir?: string;
}

export const serviceAccountPath = '/var/run/secrets/kubernetes.io/serviceaccount';

export interface ExitRecord {
  code: number | null;
  signal: string | null;
  atMs: number;
}

const basePath = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/**
 * The command line that runs a program as a pod's container: in the pod's network namespace, with its own
 * UTS namespace and hostname (the pod name), as the pod's user and groups, without privileges.
 */
export function containerCommand(s: ProcessSpec): string[] {
  const creds = [
    '--reuid',
    String(s.uid),
    '--regid',
    String(s.gid),
    ...(s.groups.length ? ['--groups', s.groups.join(',')] : ['--clear-groups']),
  ];
  // `ip netns exec` gives the process a mount namespace of its own already; `unshare --mount` one more, private,
  // for the service-account mount, so that nothing on the host changes.
  const sa = s.serviceAccountDir
    ? [
        '--mount',
        'sh',
        '-c',
        `hostname "$0" && mount -t tmpfs -o mode=0755 tmpfs /run && mkdir -p ${serviceAccountPath} && mount --bind "$1" ${serviceAccountPath} && mount -o remount,bind,ro ${serviceAccountPath} && shift && exec "$@"`,
        s.hostname,
        s.serviceAccountDir,
      ]
    : ['sh', '-c', 'hostname "$0" && exec "$@"', s.hostname];
  return [
    'ip',
    'netns',
    'exec',
    s.netns,
    'unshare',
    '--uts',
    ...sa,
    'setpriv',
    ...creds,
    '--no-new-privs',
    '--inh-caps=-all',
    '--bounding-set=-all',
    '--',
    ...s.argv,
  ];
}

export class Supervised {
  child?: ChildProcess;
  exits: ExitRecord[] = [];
  startedAtMs = 0;
  private stopping = false;
  private restartTimer?: NodeJS.Timeout;

  constructor(
    readonly spec: ProcessSpec,
    private readonly onLine: (line: string) => void = () => {},
  ) {}

  start(): void {
    this.startedAtMs = Date.now();
    // The log file is the process's stdout and stderr (append mode). It is owned by the container's user
    // so that a program reopening /dev/stdout (nginx's `access_log /dev/stdout`) can, as it can a
    // container runtime's pipe. (Node's 'pipe' stdio is a socket, which /dev/stdout cannot reopen.)
    const fd = openSync(this.spec.log, 'a');
    const [cmd, ...args] = containerCommand(this.spec);
    // Its own process group, so stopping reaches every process it forks (nginx workers).
    this.child = spawn(cmd, args, {
      cwd: this.spec.cwd,
      env: { PATH: basePath, HOSTNAME: this.spec.hostname, ...this.spec.env },
      stdio: ['ignore', fd, fd],
      detached: true,
    });
    closeSync(fd);
    this.child.on('exit', (code, signal) => {
      const rec: ExitRecord = { code, signal, atMs: Date.now() };
      this.exits.push(rec);
      this.child = undefined;
      if (this.stopping) return;
      const delay = Math.min(10, 2 ** (this.exits.length - 1));
      appendFileSync(
        this.spec.log,
        `--- e2e harness: ${this.spec.id} exited (code ${code}, signal ${signal})${this.spec.restart ? `; restarting in ${delay}s` : ''}\n`,
      );
      this.onLine(`${this.spec.id} exited (code ${code}, signal ${signal})`);
      if (this.spec.restart) this.restartTimer = setTimeout(() => this.start(), delay * 1000);
    });
  }

  /** Resolves with the next exit (a process run to completion: an init container). */
  nextExit(): Promise<ExitRecord> {
    const child = this.child;
    if (!child) return Promise.resolve(this.exits[this.exits.length - 1]);
    return new Promise((resolve) => child.once('exit', () => resolve(this.exits[this.exits.length - 1])));
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  get running(): boolean {
    return this.child !== undefined;
  }

  /** SIGTERM, then SIGKILL after the stop timeout. */
  async stop(): Promise<void> {
    this.stopping = true;
    if (this.restartTimer) clearTimeout(this.restartTimer);
    const child = this.child;
    if (!child?.pid) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    const signal = (sig: NodeJS.Signals): void => {
      try {
        process.kill(-child.pid!, sig);
      } catch {
        /* gone */
      }
    };
    signal('SIGTERM');
    const timer = setTimeout(() => signal('SIGKILL'), this.spec.stopTimeoutSeconds * 1000);
    await exited;
    clearTimeout(timer);
  }

  /** Synchronous last resort (process exit handler). */
  kill(): void {
    this.stopping = true;
    if (this.restartTimer) clearTimeout(this.restartTimer);
    if (this.child?.pid) {
      try {
        process.kill(-this.child.pid, 'SIGKILL');
      } catch {
        /* gone */
      }
    }
  }

  /**
   * The end of the log. A crash loop prints the same thing on every run: the last run is shown once, with
   * how many runs printed the same (timestamps aside).
   */
  tail(lines = 40): string {
    let text: string;
    try {
      text = readFileSync(this.spec.log, 'utf8');
    } catch (e) {
      return `(no log: ${(e as Error).message})`;
    }
    const runs = text.split(/^--- e2e harness: .*\n?/m).filter((r) => r.trim());
    if (runs.length === 0) return '(empty log)';
    const last = runs[runs.length - 1];
    const strip = (r: string): string =>
      r.replace(/ts=\S+|\d{4}[-/]\d\d[-/]\d\d[T ]\d\d:\d\d:\d\d(\.\d+)?Z?|\[\d+\]|#\d+/g, '');
    const same = runs.filter((r) => strip(r) === strip(last)).length;
    const body = last
      .split('\n')
      .slice(-lines - 1)
      .join('\n');
    return runs.length > 1
      ? `(output of the last of ${runs.length} runs; ${same} of them printed the same)\n${body}`
      : body;
  }
}
