/**
 * Runs the gateway's rendered nginx.conf in a real nginx on this machine: a tiny DNS server answers
 * for the cluster's Service names, stub HTTP servers stand in for the Services, and only the paths that
 * must exist on this machine (plus listen and resolver addresses) are rewritten.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import dgram from 'node:dgram';
import {
  accessSync,
  chmodSync,
  closeSync,
  constants,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';

/** The nginx binary on PATH (or Debian's /usr/sbin, which a non-root PATH may lack), if any. */
export function findNginx(): string | undefined {
  const dirs = [...(process.env.PATH ?? '').split(delimiter), '/usr/sbin', '/usr/local/sbin'];
  for (const dir of dirs.filter(Boolean)) {
    const candidate = join(dir, 'nginx');
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

export function nginxVersion(bin: string): [number, number, number] {
  const out = spawnSync(bin, ['-v'], { encoding: 'utf8' });
  const m = /nginx\/(\d+)\.(\d+)\.(\d+)/.exec(`${out.stderr}${out.stdout}`);
  if (!m) throw new Error(`cannot read the version of ${bin}: ${out.stderr}`);
  return [Number(m[1]), Number(m[2]), Number(m[3])];
}

/**
 * nginx 1.23.0 and later join repeated header lines in `$http_*` variables (with ", "); older ones
 * show only the first line, so no pure-nginx config can see the second.
 */
export function joinsRepeatedHeaders(version: [number, number, number]): boolean {
  const [major, minor] = version;
  return major > 1 || (major === 1 && minor >= 23);
}

export interface LocalOptions {
  /** Folder for the pid file and temp paths (replaces the pod's emptyDir at /tmp). */
  dir: string;
  /** `host:port` to listen on instead of the pod's `8080`. */
  listen?: string;
  /** `host:port` for the loopback `stub_status` server instead of the pod's `127.0.0.1:8081`. */
  status?: string;
  /** `host:port` of a DNS server instead of the rendered resolver. */
  resolver?: string;
  /** htpasswd file instead of the one mounted from the Secret. */
  htpasswd?: string;
}

/** What `localiseNginxConf` rewrites, and nothing else. */
export const REWRITTEN = [
  'pid <runDir>/nginx.pid → <tmp>/nginx.pid',
  '{client_body,proxy,fastcgi,uwsgi,scgi}_temp_path <runDir>/* → <tmp>/*',
  'listen 8080 → listen 127.0.0.1:<free port> (routing tests)',
  'listen 127.0.0.1:8081 (stub_status) → listen 127.0.0.1:<free port> (routing tests)',
  'resolver <kube-dns> → resolver 127.0.0.1:<port> (the test DNS server, or any address for nginx -t)',
  'auth_basic_user_file <authDir>/<key> → <tmp>/htpasswd (basic-auth tests)',
] as const;

/**
 * Rewrite the machine-specific paths and addresses of a rendered nginx.conf. Every rewrite must find
 * its directive, so a renamed directive fails loudly instead of silently testing something else.
 */
export function localiseNginxConf(conf: string, runDir: string, o: LocalOptions): string {
  const replace = (text: string, pattern: RegExp, to: string | ((...m: string[]) => string), what: string): string => {
    if (!pattern.test(text))
      throw new Error(`localiseNginxConf: no ${what} directive found in the rendered nginx.conf`);
    pattern.lastIndex = 0;
    return text.replace(pattern, to as (...m: string[]) => string);
  };
  const esc = runDir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  let out = replace(conf, new RegExp(`^(\\s*pid\\s+)${esc}/`, 'gm'), `$1${o.dir}/`, 'pid');
  out = replace(out, new RegExp(`^(\\s*\\w+_temp_path\\s+)${esc}/`, 'gm'), `$1${o.dir}/`, '*_temp_path');
  if (o.listen) out = replace(out, /^(\s*listen\s+)8080;/gm, `$1${o.listen};`, 'listen 8080');
  if (o.status) out = replace(out, /^(\s*listen\s+)127\.0\.0\.1:8081;/gm, `$1${o.status};`, 'listen 127.0.0.1:8081');
  if (o.resolver) out = replace(out, /^(\s*resolver\s+)\S+/gm, `$1${o.resolver}`, 'resolver');
  if (o.htpasswd) out = replace(out, /^(\s*auth_basic_user_file\s+)\S+;/gm, `$1${o.htpasswd};`, 'auth_basic_user_file');
  return out;
}

/** A folder nginx's worker processes (user `nobody` when the test runs as root) can read. */
export function tempDir(prefix = 'gateway-nginx-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  chmodSync(dir, 0o755);
  return dir;
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

/**
 * A log file for nginx's stdout and stderr. The config logs to `/dev/stdout`, which nginx cannot open
 * when stdout is the socket Node's `pipe` stdio gives a child (ENXIO); a container's stdout is a pipe or file.
 */
function logFile(dir: string): { path: string; fd: number } {
  const path = join(dir, 'nginx-output.log');
  return { path, fd: openSync(path, 'a') };
}

/** `nginx -t` on a config file; nginx's own verdict and output. */
export function nginxTest(bin: string, confPath: string, prefix: string): { ok: boolean; output: string } {
  const log = logFile(prefix);
  try {
    const r = spawnSync(bin, ['-t', '-p', prefix, '-e', 'stderr', '-c', confPath], {
      stdio: ['ignore', log.fd, log.fd],
    });
    return { ok: r.status === 0, output: readFileSync(log.path, 'utf8') };
  } finally {
    closeSync(log.fd);
  }
}

export async function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, host, () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

export interface RunningNginx {
  port: number;
  /** Everything nginx wrote to stdout and stderr (access and error log). */
  output: () => string;
  stop: () => Promise<void>;
}

/** Start nginx in the foreground on a localised config and wait until it answers. */
export async function startNginx(bin: string, conf: string, dir: string, port: number): Promise<RunningNginx> {
  const confPath = join(dir, 'nginx.conf');
  writeFileSync(confPath, conf);
  const log = logFile(dir);
  const proc: ChildProcess = spawn(bin, ['-p', dir, '-e', 'stderr', '-c', confPath], {
    stdio: ['ignore', log.fd, log.fd],
  });
  closeSync(log.fd);
  const output = () => readFileSync(log.path, 'utf8');
  let exited = false;
  const exit = new Promise<void>((resolve) => proc.once('exit', () => ((exited = true), resolve())));
  const deadline = Date.now() + 10_000;
  for (;;) {
    if (exited) throw new Error(`nginx exited at start:\n${output()}`);
    if (await connects(port)) break;
    if (Date.now() > deadline) {
      proc.kill('SIGKILL');
      throw new Error(`nginx did not listen on ${port} within 10s:\n${output()}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    port,
    output,
    stop: async () => {
      if (!exited) proc.kill('SIGTERM');
      await exit;
    },
  };
}

function connects(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    s.once('connect', () => (s.destroy(), resolve(true)));
    s.once('error', () => resolve(false));
  });
}

export interface DnsServer {
  address: string;
  /** Names asked for, in order. */
  queries: string[];
  close: () => Promise<void>;
}

/**
 * A DNS server for nginx's resolver: A records for the given names, an empty answer for other types
 * of a known name, NXDOMAIN for everything else.
 */
export async function startDns(records: ReadonlyMap<string, string>): Promise<DnsServer> {
  const socket = dgram.createSocket('udp4');
  const queries: string[] = [];
  socket.on('message', (msg, peer) => {
    const q = parseQuestion(msg);
    if (!q) return;
    queries.push(q.name);
    const ip = records.get(q.name.toLowerCase());
    const answer = ip && q.type === 1 ? aRecord(ip) : Buffer.alloc(0);
    const header = Buffer.alloc(12);
    msg.copy(header, 0, 0, 2); // id
    const rd = msg[2] & 0x01;
    header[2] = 0x84 | rd; // response, authoritative, recursion desired copied
    header[3] = 0x80 | (ip ? 0 : 3); // recursion available; NXDOMAIN for unknown names
    header.writeUInt16BE(1, 4);
    header.writeUInt16BE(answer.length ? 1 : 0, 6);
    socket.send(Buffer.concat([header, msg.subarray(12, q.end), answer]), peer.port, peer.address);
  });
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  return {
    address: `127.0.0.1:${socket.address().port}`,
    queries,
    close: () => new Promise((resolve) => socket.close(() => resolve())),
  };
}

function parseQuestion(msg: Buffer): { name: string; type: number; end: number } | undefined {
  if (msg.length < 12 || msg.readUInt16BE(4) !== 1) return undefined;
  const labels: string[] = [];
  let i = 12;
  while (i < msg.length && msg[i] !== 0) {
    labels.push(msg.toString('ascii', i + 1, i + 1 + msg[i]));
    i += 1 + msg[i];
  }
  if (i + 5 > msg.length) return undefined;
  return { name: labels.join('.'), type: msg.readUInt16BE(i + 1), end: i + 5 };
}

function aRecord(ip: string): Buffer {
  const rr = Buffer.alloc(16);
  rr.writeUInt16BE(0xc00c, 0); // name: pointer to the question
  rr.writeUInt16BE(1, 2); // A
  rr.writeUInt16BE(1, 4); // IN
  rr.writeUInt32BE(5, 6); // TTL
  rr.writeUInt16BE(4, 10);
  ip.split('.').forEach((b, k) => (rr[12 + k] = Number(b)));
  return rr;
}

/** What a stub upstream saw. */
export interface Echo {
  service: string;
  path: string;
  host: string;
  /** Every X-Scope-OrgID header line received, in order. */
  tenants: string[];
  authorization: boolean;
}

export interface Stub {
  service: string;
  host: string;
  port: number;
  close: () => Promise<void>;
}

/** An HTTP server standing in for a Service: answers with its name and what it received. */
export async function startStub(service: string, host: string, port: number): Promise<Stub> {
  const server = http.createServer((req, res) => {
    const tenants: string[] = [];
    for (let i = 0; i < req.rawHeaders.length; i += 2)
      if (req.rawHeaders[i].toLowerCase() === 'x-scope-orgid') tenants.push(req.rawHeaders[i + 1]);
    const echo: Echo = {
      service,
      path: req.url ?? '',
      host: req.headers.host ?? '',
      tenants,
      authorization: req.headers.authorization !== undefined,
    };
    req.resume();
    req.on('end', () => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify(echo));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) =>
      reject(
        new Error(
          `stub for ${service} cannot listen on ${host}:${port} (${e.code}); another process listens on port ${port} on all addresses`,
        ),
      ),
    );
    server.listen(port, host, () => resolve());
  });
  return { service, host, port, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

export interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
  echo?: Echo;
}

/** A request to the gateway; an array header value is sent as several header lines. */
export function request(
  port: number,
  path: string,
  headers: Record<string, string | string[]> = {},
  method = 'GET',
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path, method, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => {
        let echo: Echo | undefined;
        if ((res.headers['content-type'] ?? '').includes('application/json')) echo = JSON.parse(body) as Echo;
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body, echo });
      });
    });
    req.setHeader('host', 'localhost:8080');
    for (const [k, v] of Object.entries(headers)) req.setHeader(k, v);
    req.on('error', reject);
    req.end();
  });
}

/** An htpasswd line nginx accepts (`{SSHA}`: salted SHA-1, one of nginx's documented schemes). */
export function htpasswdLine(user: string, password: string): string {
  const salt = randomBytes(8);
  const digest = createHash('sha1').update(password).update(salt).digest();
  return `${user}:{SSHA}${Buffer.concat([digest, salt]).toString('base64')}\n`;
}

export function basicAuthHeader(user: string, password: string): string {
  return `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
}
