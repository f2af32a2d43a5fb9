import { createHash, createHmac } from 'node:crypto';

/** Just enough of S3 (AWS Signature Version 4) to create buckets and list objects, as the bucket Job's `mc` would. */
export interface S3Target {
  /** `http://host:port`, reachable from the test process. */
  endpoint: string;
  accessKeyId: string;
  secretAccessKey: string;
  region: string;
}

const sha256 = (data: string): string => createHash('sha256').update(data).digest('hex');
const hmac = (key: Buffer | string, data: string): Buffer => createHmac('sha256', key).update(data).digest();
const encode = (s: string): string =>
  encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

export function signedHeaders(
  t: S3Target,
  method: string,
  path: string,
  query: Record<string, string>,
  now: Date,
): Record<string, string> {
  const amzDate = now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
  const day = amzDate.slice(0, 8);
  const payloadHash = sha256('');
  const headers: Record<string, string> = {
    host: new URL(t.endpoint).host,
    'x-amz-content-sha256': payloadHash,
    'x-amz-date': amzDate,
  };
  const names = Object.keys(headers).sort();
  const canonicalQuery = Object.keys(query)
    .sort()
    .map((k) => `${encode(k)}=${encode(query[k])}`)
    .join('&');
  const canonicalPath = path.split('/').map(encode).join('/');
  const canonical = [
    method,
    canonicalPath,
    canonicalQuery,
    names.map((n) => `${n}:${headers[n]}\n`).join(''),
    names.join(';'),
    payloadHash,
  ].join('\n');
  const scope = `${day}/${t.region}/s3/aws4_request`;
  const toSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256(canonical)].join('\n');
  const key = hmac(hmac(hmac(hmac(`AWS4${t.secretAccessKey}`, day), t.region), 's3'), 'aws4_request');
  const signature = createHmac('sha256', key).update(toSign).digest('hex');
  return {
    ...headers,
    authorization: `AWS4-HMAC-SHA256 Credential=${t.accessKeyId}/${scope}, SignedHeaders=${names.join(';')}, Signature=${signature}`,
  };
}

async function request(
  t: S3Target,
  method: string,
  path: string,
  query: Record<string, string> = {},
): Promise<{ status: number; body: string }> {
  const qs = new URLSearchParams(query).toString();
  const res = await fetch(`${t.endpoint}${path}${qs ? `?${qs}` : ''}`, {
    method,
    headers: signedHeaders(t, method, path, query, new Date()),
    signal: AbortSignal.timeout(10_000),
  });
  return { status: res.status, body: await res.text() };
}

/** `mc mb --ignore-existing`: 200 created, 409 BucketAlreadyOwnedByYou is fine too. */
export async function makeBucket(t: S3Target, bucket: string): Promise<string> {
  const r = await request(t, 'PUT', `/${bucket}`);
  if (r.status === 200) return 'created';
  if (r.status === 409 && r.body.includes('BucketAlreadyOwnedByYou')) return 'already existed';
  throw new Error(`PUT /${bucket} → ${r.status}: ${r.body.slice(0, 300)}`);
}

export async function listObjects(t: S3Target, bucket: string, prefix = ''): Promise<string[]> {
  const keys: string[] = [];
  let token: string | undefined;
  do {
    const query: Record<string, string> = {
      'list-type': '2',
      prefix,
      ...(token ? { 'continuation-token': token } : {}),
    };
    const r = await request(t, 'GET', `/${bucket}`, query);
    if (r.status !== 200) throw new Error(`ListObjectsV2 ${bucket} → ${r.status}: ${r.body.slice(0, 300)}`);
    for (const m of r.body.matchAll(/<Key>([^<]*)<\/Key>/g)) keys.push(m[1].replace(/&amp;/g, '&'));
    token = /<IsTruncated>true<\/IsTruncated>/.test(r.body)
      ? /<NextContinuationToken>([^<]*)</.exec(r.body)?.[1]
      : undefined;
  } while (token);
  return keys;
}

export async function listBuckets(t: S3Target): Promise<string[]> {
  const r = await request(t, 'GET', '/');
  if (r.status !== 200) throw new Error(`ListBuckets → ${r.status}: ${r.body.slice(0, 300)}`);
  return [...r.body.matchAll(/<Name>([^<]*)<\/Name>/g)].map((m) => m[1]);
}

/** GetObject of a small text object (a block's meta.json). */
export async function getObject(t: S3Target, bucket: string, key: string): Promise<string> {
  // Keys here (tenant IDs, block ULIDs) need no escaping; the signer encodes the canonical path itself.
  const r = await request(t, 'GET', `/${bucket}/${key}`);
  if (r.status !== 200) throw new Error(`GetObject ${bucket}/${key} → ${r.status}: ${r.body.slice(0, 300)}`);
  return r.body;
}
