import { readFileSync } from 'node:fs';
import { request } from 'node:https';

/** The parts of a Kubernetes object the tests read; everything else stays untyped JSON. */
export interface Obj {
  apiVersion?: string;
  kind?: string;
  metadata: {
    name: string;
    namespace?: string;
    uid?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    ownerReferences?: { kind: string; name: string }[];
    deletionTimestamp?: string;
  };
  spec?: Record<string, unknown> & { [k: string]: unknown };
  status?: Record<string, unknown> & { [k: string]: unknown };
  [k: string]: unknown;
}

export interface List<T = Obj> {
  items: T[];
}

export class KubeError extends Error {
  constructor(
    readonly status: number,
    readonly body: string,
    what: string,
  ) {
    super(`${what}: HTTP ${status}: ${body.slice(0, 500)}`);
  }
}

/**
 * A minimal JSON client for the test cluster's API server, authenticated with the admin client
 * certificate. The tests poll through it instead of spawning a kubectl per poll (two shared cores).
 */
export class KubeClient {
  private readonly ca: Buffer;
  private readonly cert: Buffer;
  private readonly key: Buffer;
  private readonly url: URL;

  constructor(server: string, tls: { ca: string; cert: string; key: string }) {
    this.url = new URL(server);
    this.ca = readFileSync(tls.ca);
    this.cert = readFileSync(tls.cert);
    this.key = readFileSync(tls.key);
  }

  request<T = Obj>(method: string, path: string, body?: unknown, contentType = 'application/json'): Promise<T> {
    const payload = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
    return new Promise((resolve, reject) => {
      const req = request(
        {
          host: this.url.hostname,
          port: this.url.port,
          method,
          path,
          ca: this.ca,
          cert: this.cert,
          key: this.key,
          headers: {
            accept: 'application/json',
            ...(payload === undefined
              ? {}
              : { 'content-type': contentType, 'content-length': Buffer.byteLength(payload) }),
          },
          timeout: 30_000,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            if ((res.statusCode ?? 500) >= 300)
              return reject(new KubeError(res.statusCode ?? 0, text, `${method} ${path}`));
            // Health endpoints (/readyz) answer plain text.
            if (!String(res.headers['content-type'] ?? '').includes('json')) return resolve(text as T);
            try {
              resolve((text ? JSON.parse(text) : {}) as T);
            } catch (err) {
              reject(err);
            }
          });
        },
      );
      req.on('timeout', () => req.destroy(new Error(`${method} ${path}: timed out`)));
      req.on('error', reject);
      if (payload !== undefined) req.write(payload);
      req.end();
    });
  }

  get<T = Obj>(path: string): Promise<T> {
    return this.request<T>('GET', path);
  }

  list<T = Obj>(path: string): Promise<T[]> {
    return this.request<List<T>>('GET', path).then((l) => l.items);
  }

  create<T = Obj>(path: string, body: unknown): Promise<T> {
    return this.request<T>('POST', path, body);
  }

  delete(path: string): Promise<unknown> {
    return this.request('DELETE', path);
  }
}
