import { connect } from 'node:net';
import { request as httpRequest } from 'node:http';

export interface HttpResult {
  status: number;
  body: string;
}

export async function http(url: string, init: RequestInit & { timeoutMs?: number } = {}): Promise<HttpResult> {
  const res = await fetch(url, { ...init, signal: AbortSignal.timeout(init.timeoutMs ?? 5000) });
  return { status: res.status, body: await res.text() };
}

/** Kubernetes' httpGet probe: any status from 200 to 399 is success. */
export async function probeHttp(url: string): Promise<boolean> {
  try {
    const r = await fetch(url, { signal: AbortSignal.timeout(1000), redirect: 'manual' });
    await r.arrayBuffer();
    return r.status >= 200 && r.status < 400;
  } catch {
    return false;
  }
}

export function probeTcp(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host, port, timeout: 1000 });
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
    s.once('timeout', () => {
      s.destroy();
      resolve(false);
    });
  });
}

export class Timeout extends Error {}

/**
 * Calls `attempt` until it returns a value other than undefined, or the time is up. The last error or
 * "last seen" description goes into the timeout message, so a failing step says what it saw.
 */
export async function poll<T>(
  what: string,
  timeoutMs: number,
  attempt: () => Promise<T | undefined>,
  intervalMs = 1000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no attempt finished';
  for (;;) {
    try {
      const v = await attempt();
      if (v !== undefined) return v;
      last = 'condition not met';
    } catch (e) {
      last = (e as Error).message;
    }
    if (Date.now() > deadline) throw new Timeout(`${what}: not within ${Math.round(timeoutMs / 1000)}s; last: ${last}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/** Sum of the samples of `name` in Prometheus text exposition whose labels include `labels`. */
export function metricSum(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  let sum: number | undefined;
  for (const line of text.split('\n')) {
    if (!line.startsWith(name)) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{([^}]*)\})?\s+(\S+)/.exec(line);
    if (!m || m[1] !== name) continue;
    const ls = Object.fromEntries(
      [...(m[3] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)].map((x) => [x[1], x[2]]),
    );
    if (Object.entries(labels).every(([k, v]) => ls[k] === v)) sum = (sum ?? 0) + Number(m[4]);
  }
  return sum;
}

/**
 * A request whose headers may repeat (an array value is sent as one header line per element), which
 * `fetch` cannot send: it joins repeated headers into one line.
 */
export function rawHttp(
  url: string,
  opts: { method?: string; headers: Record<string, string | string[]>; body?: Uint8Array | string; timeoutMs?: number },
): Promise<HttpResult> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      url,
      { method: opts.method ?? 'GET', headers: opts.headers, timeout: opts.timeoutMs ?? 5000 },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`${url}: no answer within ${opts.timeoutMs ?? 5000} ms`)));
    req.on('error', reject);
    req.end(opts.body);
  });
}
