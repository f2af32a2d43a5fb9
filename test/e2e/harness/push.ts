import { http } from './http.js';
/**
 * A Prometheus remote-write 1.0 request without dependencies: the WriteRequest protobuf encoded by hand and
 * wrapped in a snappy block of literals only (valid snappy that any decoder reads; no compression needed).
 * The test writes its own series with it, as a named tenant and with the timestamps it chooses.
 */

export interface Series {
  labels: Record<string, string>;
  samples: { value: number; timestampMs: number }[];
}

function varint(n: number | bigint): number[] {
  let v = BigInt.asUintN(64, BigInt(n));
  const out: number[] = [];
  do {
    let byte = Number(v & 0x7fn);
    v >>= 7n;
    if (v) byte |= 0x80;
    out.push(byte);
  } while (v);
  return out;
}

const field = (num: number, wire: number): number[] => varint((num << 3) | wire);
const bytesField = (num: number, data: Uint8Array | number[]): number[] => [
  ...field(num, 2),
  ...varint(data.length),
  ...data,
];
const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);

function sample(value: number, timestampMs: number): number[] {
  const d = new DataView(new ArrayBuffer(8));
  d.setFloat64(0, value, true);
  return [...field(1, 1), ...new Uint8Array(d.buffer), ...field(2, 0), ...varint(timestampMs)];
}

/** `WriteRequest { repeated TimeSeries timeseries = 1 }`, labels sorted by name as the protocol requires. */
export function encodeWriteRequest(series: Series[]): Uint8Array {
  const out: number[] = [];
  for (const s of series) {
    const ts: number[] = [];
    for (const [name, value] of Object.entries(s.labels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      ts.push(...bytesField(1, [...bytesField(1, utf8(name)), ...bytesField(2, utf8(value))]));
    }
    for (const x of s.samples) ts.push(...bytesField(2, sample(x.value, x.timestampMs)));
    out.push(...bytesField(1, ts));
  }
  return Uint8Array.from(out);
}

/** Snappy block format: the uncompressed length, then literal elements of at most 64 KiB each. */
export function snappyLiteral(data: Uint8Array): Uint8Array {
  const out: number[] = varint(data.length);
  for (let i = 0; i < data.length; i += 65536) {
    const chunk = data.subarray(i, Math.min(i + 65536, data.length));
    const n = chunk.length - 1;
    if (n < 60) out.push(n << 2);
    else if (n < 256) out.push(60 << 2, n);
    else out.push(61 << 2, n & 0xff, n >> 8);
    out.push(...chunk);
  }
  return Uint8Array.from(out);
}

export function remoteWriteBody(series: Series[]): Uint8Array {
  return snappyLiteral(encodeWriteRequest(series));
}

export const remoteWriteHeaders = {
  'Content-Type': 'application/x-protobuf',
  'Content-Encoding': 'snappy',
  'X-Prometheus-Remote-Write-Version': '0.1.0',
};

/** One write of a probe: when it was sampled and in which phase of a scenario (before, during, after a kill). */
export interface ProbePush {
  ts: number;
  phase: string;
}

/**
 * Each shard's sample timestamps of a probe series, read raw through the gateway (`<metric>{run}[30m]`);
 * throws, naming each shard's first missing samples, until every push is there (for `poll`).
 */
export async function readBackShards(opts: {
  gateway: string;
  metric: string;
  runId: string;
  headers: Record<string, string>;
  shards: number;
  pushes: ProbePush[];
}): Promise<Map<string, number[]>> {
  const query = `${opts.metric}{run="${opts.runId}"}[30m]`;
  const r = await http(`${opts.gateway}/prometheus/api/v1/query?query=${encodeURIComponent(query)}`, {
    headers: opts.headers,
    timeoutMs: 15_000,
  });
  if (r.status !== 200) throw new Error(`${r.status}: ${r.body.slice(0, 200)}`);
  const m = (
    JSON.parse(r.body) as { data: { result: { metric: Record<string, string>; values: [number, string][] }[] } }
  ).data.result;
  const got = new Map(
    m.map((x) => [x.metric.shard, x.values.map(([t]) => Math.round(t * 1000)).sort((a, b) => a - b)]),
  );
  const short: string[] = [];
  for (let i = 0; i < opts.shards; i++) {
    const ts = got.get(String(i)) ?? [];
    const missing = opts.pushes.filter((p) => !ts.includes(p.ts));
    if (missing.length)
      short.push(
        `shard ${i}: ${ts.length} of ${opts.pushes.length}, missing ${missing
          .slice(0, 5)
          .map((p) => `${p.phase}@${p.ts}`)
          .join(', ')}`,
      );
  }
  if (short.length) throw new Error(short.join('; '));
  return got;
}
