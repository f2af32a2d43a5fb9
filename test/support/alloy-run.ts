/**
 * `alloy run` with a rendered Alloy container's args, env and config file, given what the kubelet gives
 * the pod: the service-account token, CA and namespace at /var/run/secrets/kubernetes.io/serviceaccount
 * and KUBERNETES_SERVICE_HOST/PORT. The rendered `discovery.kubernetes` has neither `api_server` nor
 * `kubeconfig_file`, so Alloy takes client-go's in-cluster path, which reads exactly those (fixed
 * paths). The token directory is mounted in a private mount namespace (`unshare -m`: a tmpfs on /run,
 * of which /var/run is a link), so nothing on the host changes.
 *
 * The API server is a small HTTPS stand-in that answers the pod list/watch requests of Alloy's pod
 * discovery with pods made from the rendered workloads, and records every request.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:https';
import { request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import type { Deployment, KubeObject } from '../../lib/core/k8s/types.js';
import { ALLOY_BIN, type AlloyContainer } from './alloy.js';
import { freePort } from './nginx.js';

export interface RecordedRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  authorization: string | undefined;
}

export interface FakeApiServer {
  host: string;
  port: number;
  /** The CA bundle a pod would find at …/serviceaccount/ca.crt (the server's self-signed certificate). */
  caFile: string;
  token: string;
  requests: RecordedRequest[];
  close(): Promise<void>;
}

/** A pod the stand-in serves: namespace, name, labels, container ports and the IP it "runs" at. */
export interface FakePod {
  namespace: string;
  name: string;
  labels: Record<string, string>;
  containers: { name: string; ports: { name?: string; containerPort: number; protocol?: string }[] }[];
  ip: string;
}

/** One pod per rendered workload (replica 0), each at its own 192.0.2.x address (TEST-NET-1: nothing answers there). */
export function podsOf(objects: readonly KubeObject[]): FakePod[] {
  const pods: FakePod[] = [];
  for (const o of objects) {
    if (o.kind !== 'Deployment' && o.kind !== 'StatefulSet') continue;
    const t = (o as Deployment).spec?.template;
    if (!t?.spec) continue;
    pods.push({
      namespace: o.metadata?.namespace ?? 'default',
      name: o.kind === 'StatefulSet' ? `${o.metadata?.name}-0` : `${o.metadata?.name}-5d8f7c6b9-x2x7q`,
      labels: { ...(t.metadata?.labels ?? {}) },
      containers: t.spec.containers.map((c) => ({ name: c.name, ports: (c.ports ?? []).map((p) => ({ ...p })) })),
      ip: `192.0.2.${pods.length + 1}`,
    });
  }
  return pods;
}

/** `a=b,c=d` equality selectors, the only form the rendered configuration uses. */
function matches(selector: string | null, labels: Record<string, string>): boolean {
  if (!selector) return true;
  return selector.split(',').every((term) => {
    const [k, v] = term.split('=');
    if (v === undefined)
      throw new Error(`label selector term ${term} is not k=v; the stand-in API server only knows equality`);
    return labels[k!.trim()] === v.trim();
  });
}

function podObject(p: FakePod): object {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: p.name,
      namespace: p.namespace,
      labels: p.labels,
      uid: `uid-${p.namespace}-${p.name}`,
      resourceVersion: '1',
    },
    spec: {
      containers: p.containers.map((c) => ({ name: c.name, image: 'stand-in', ports: c.ports })),
      nodeName: 'node-1',
    },
    status: {
      phase: 'Running',
      podIP: p.ip,
      podIPs: [{ ip: p.ip }],
      hostIP: '192.0.2.254',
      conditions: [{ type: 'Ready', status: 'True' }],
    },
  };
}

export async function startFakeApiServer(dir: string, pods: readonly FakePod[]): Promise<FakeApiServer> {
  mkdirSync(dir, { recursive: true });
  const key = join(dir, 'apiserver.key');
  const cert = join(dir, 'apiserver.crt');
  const ssl = spawnSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-days',
      '1',
      '-subj',
      '/CN=kubernetes',
      '-addext',
      'subjectAltName=IP:127.0.0.1,DNS:kubernetes.default.svc',
      '-keyout',
      key,
      '-out',
      cert,
    ],
    { encoding: 'utf8' },
  );
  if (ssl.status !== 0)
    throw new Error(`openssl could not make the API server's certificate: ${ssl.stderr || ssl.error?.message}`);
  const token = `stand-in-token-${process.pid}`;
  const requests: RecordedRequest[] = [];
  const watches = new Set<ServerResponse>();

  const handler = (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'https://127.0.0.1');
    requests.push({
      method: req.method ?? 'GET',
      path: url.pathname,
      query: url.searchParams,
      authorization: req.headers.authorization,
    });
    const json = (status: number, body: object) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (req.headers.authorization !== `Bearer ${token}`) {
      json(401, { kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'Unauthorized', code: 401 });
      return;
    }
    const m = /^\/api\/v1\/(?:namespaces\/([^/]+)\/)?pods$/.exec(url.pathname);
    if (req.method !== 'GET' || !m) {
      json(404, {
        kind: 'Status',
        apiVersion: 'v1',
        status: 'Failure',
        reason: 'NotFound',
        message: `the stand-in API server serves pods only, not ${req.method} ${url.pathname}`,
        code: 404,
      });
      return;
    }
    let selected: FakePod[];
    try {
      selected = pods.filter(
        (p) => (!m[1] || p.namespace === m[1]) && matches(url.searchParams.get('labelSelector'), p.labels),
      );
    } catch (err) {
      json(400, {
        kind: 'Status',
        apiVersion: 'v1',
        status: 'Failure',
        reason: 'BadRequest',
        message: (err as Error).message,
        code: 400,
      });
      return;
    }
    if (url.searchParams.get('watch') === 'true') {
      // Nothing changes: hold the watch open until the client or the server goes away.
      res.writeHead(200, { 'content-type': 'application/json', 'transfer-encoding': 'chunked' });
      res.flushHeaders();
      watches.add(res);
      res.on('close', () => watches.delete(res));
      return;
    }
    json(200, {
      apiVersion: 'v1',
      kind: 'PodList',
      metadata: { resourceVersion: '1' },
      items: selected.map(podObject),
    });
  };

  const server = createServer({ key: readFileSync(key), cert: readFileSync(cert) }, handler);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  return {
    host: '127.0.0.1',
    port: (server.address() as AddressInfo).port,
    caFile: cert,
    token,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        for (const w of watches) w.destroy();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

export interface RunningAlloy {
  process: ChildProcess;
  /** The address the HTTP server listens on (the rendered listen address, rewritten to loopback). */
  httpAddr: string;
  logFile: string;
  /** Every change the harness made to what the pod would run, with the reason. */
  rewritten: string[];
  exited: Promise<number | null>;
  log(): string;
  stop(): Promise<void>;
}

const SA_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

/**
 * Starts `alloy run` with the container's args and env. Rewritten, and listed in `rewritten`: the config
 * path and --storage.path (into `dir`, since the container's paths are mounts), and the listen address
 * (loopback, a free port). Everything else is as rendered.
 */
export async function startAlloy(
  c: AlloyContainer,
  api: FakeApiServer,
  dir: string,
  namespace: string,
  /** Names the pod would resolve through cluster DNS (name → address), put in the mount namespace's /etc/hosts. */
  hosts: Record<string, string> = {},
): Promise<RunningAlloy> {
  const rewritten: string[] = [];
  const configFile = join(dir, c.configPath);
  mkdirSync(dirname(configFile), { recursive: true });
  writeFileSync(configFile, c.configText);
  const port = await freePort();
  const httpAddr = `127.0.0.1:${port}`;
  const args = c.args.map((a) => {
    if (a === c.configPath) {
      rewritten.push(`config file ${a} → ${configFile}`);
      return configFile;
    }
    const flag = /^--([\w.-]+)=(.*)$/.exec(a);
    if (flag?.[1] === 'storage.path') {
      const storage = join(dir, flag[2]!);
      mkdirSync(storage, { recursive: true });
      rewritten.push(`--storage.path ${flag[2]} → ${storage}`);
      return `--storage.path=${storage}`;
    }
    if (flag?.[1] === 'server.http.listen-addr') {
      rewritten.push(`--server.http.listen-addr ${flag[2]} → ${httpAddr}`);
      return `--server.http.listen-addr=${httpAddr}`;
    }
    return a;
  });
  if (!rewritten.some((r) => r.startsWith('--server.http.listen-addr'))) {
    throw new Error(
      `${c.where}: args set no --server.http.listen-addr=…; the harness needs to know where Alloy listens`,
    );
  }

  // What the kubelet mounts for a pod with automountServiceAccountToken.
  const sa = join(dir, 'serviceaccount');
  mkdirSync(sa, { recursive: true });
  writeFileSync(join(sa, 'token'), api.token);
  writeFileSync(join(sa, 'ca.crt'), readFileSync(api.caFile));
  writeFileSync(join(sa, 'namespace'), namespace);

  // Cluster DNS names (the bundled Kafka's Service) resolve through a hosts file bound over /etc/hosts in
  // the private mount namespace only.
  const hostsFile = join(dir, 'hosts');
  const names = Object.entries(hosts);
  if (names.length) {
    writeFileSync(
      hostsFile,
      ['127.0.0.1 localhost', ...names.map(([name, address]) => `${address} ${name}`)].join('\n') + '\n',
    );
    rewritten.push(`/etc/hosts: ${names.map(([name, address]) => `${name} → ${address}`).join(', ')}`);
  }

  const logFile = join(dir, 'alloy.log');
  const fd = openSync(logFile, 'w');
  const script = [
    'set -e',
    'mount -t tmpfs -o mode=0755 tmpfs /run',
    `mkdir -p ${SA_DIR}`,
    `cp "$1/token" "$1/ca.crt" "$1/namespace" ${SA_DIR}/`,
    ...(names.length ? [`mount --bind '${hostsFile}' /etc/hosts`] : []),
    'shift',
    'exec "$@"',
  ].join('\n');
  const unshare = process.getuid?.() === 0 ? ['--mount'] : ['--map-root-user', '--mount'];
  const child = spawn('unshare', [...unshare, '--', 'sh', '-c', script, 'sh', sa, ALLOY_BIN, ...args], {
    env: {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: dir,
      ...c.env,
      // The Service env every pod gets for the `kubernetes` Service, pointing at the stand-in.
      KUBERNETES_SERVICE_HOST: api.host,
      KUBERNETES_SERVICE_PORT: String(api.port),
    },
    cwd: dir,
    stdio: ['ignore', fd, fd],
  });
  closeSync(fd);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const log = () => readFileSync(logFile, 'utf8');
  return {
    process: child,
    httpAddr,
    logFile,
    rewritten,
    exited,
    log,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

export function httpGet(addr: string, path: string): Promise<{ status: number; body: string }> {
  const [host, port] = addr.split(':');
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host, port: Number(port), path, timeout: 5_000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.on('timeout', () => req.destroy(new Error(`GET http://${addr}${path} timed out`)));
    req.end();
  });
}

/** Polls until `probe` returns a value, Alloy exits, or the time is up. */
export async function waitFor<T>(
  alloy: RunningAlloy,
  what: string,
  probe: () => Promise<T | undefined>,
  timeoutMs = 60_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let exitCode: number | null | undefined;
  void alloy.exited.then((c) => (exitCode = c));
  for (;;) {
    if (exitCode !== undefined || alloy.process.exitCode !== null) {
      throw new Error(`alloy exited (code ${alloy.process.exitCode ?? exitCode}) before ${what}:\n${alloy.log()}`);
    }
    const v = await probe().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; alloy's log:\n${alloy.log()}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}
