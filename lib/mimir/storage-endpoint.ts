/**
 * Mimir's S3 client (minio-go) takes `host[:port]` as its endpoint and refuses a URL ("Endpoint url cannot
 * have fully qualified paths"): TLS is chosen by `insecure`, never by a scheme. Checked in every
 * `mimir.yaml`, wherever the endpoint was set (config.storage.endpoint, config.mimir.config, overrides).
 */
import { files } from './names.js';
import type { Problem } from '../core/problems.js';
import { problemAt, type Rule } from '../core/checks/context.js';
import { configFileDocuments } from './config-files.js';

const storageBlocks = ['common.storage', 'blocks_storage', 'ruler_storage', 'alertmanager_storage'] as const;

export const endpointForm =
  'host[:port] without a scheme or path, e.g. `s3.eu-west-1.amazonaws.com` or `minio.storage.svc:9000`';

/** Why `endpoint` is not a `host[:port]` Mimir's S3 client accepts, with the fix; undefined when it is one. */
export function s3EndpointProblem(endpoint: string): { message: string; hint: string } | undefined {
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//.exec(endpoint);
  if (scheme) {
    const host = endpoint.slice(scheme[0].length).replace(/\/+$/, '');
    const insecure = scheme[1].toLowerCase() === 'http';
    return {
      message: `the S3 endpoint is written with a scheme (${scheme[1]}://); Mimir's S3 client takes host[:port] only`,
      hint: `write \`${host}\` and set config.storage.insecure: ${insecure} (plain HTTP ${insecure ? 'on' : 'off'})`,
    };
  }
  if (endpoint.includes('/'))
    return {
      message: "the S3 endpoint has a path; Mimir's S3 client takes host[:port] only",
      hint: `write \`${endpoint.split('/')[0]}\`; the bucket is set in config.storage.buckets`,
    };
  if (/\s/.test(endpoint)) return { message: 'the S3 endpoint contains spaces', hint: 'remove them' };
  return undefined;
}

export const s3EndpointRule: Rule = (ctx) => {
  const out: Problem[] = [];
  for (const { entry: e, doc } of configFileDocuments(ctx.entries, files.mimir)) {
    for (const block of storageBlocks) {
      let node: unknown = doc;
      for (const key of [...block.split('.'), 's3', 'endpoint'])
        node = node && typeof node === 'object' ? (node as Record<string, unknown>)[key] : undefined;
      if (typeof node !== 'string') continue;
      const problem = s3EndpointProblem(node);
      if (problem)
        out.push(
          problemAt(ctx, e, {
            pointer: `/data/${files.mimir}`,
            message: `${block}.s3.endpoint: ${problem.message}`,
            expected: endpointForm,
            found: JSON.stringify(node),
            hint: problem.hint,
          }),
        );
    }
  }
  return out;
};
