/**
 * Build-time checks of what Mimir will read: `mimir.yaml` and `runtime.yaml` wherever a ConfigMap in the
 * tree carries them (after overrides), and the args of every container running the Mimir image.
 */
import type { MimirStackConfig } from './config.js';
import { objectId } from '../core/k8s/types.js';
import type { Problem } from '../core/problems.js';
import { treePath } from '../core/tree.js';
import { allContainers, pods, problemAt, type Rule } from '../core/checks/context.js';
import { parseYamlDocuments } from '../core/yaml.js';
import { cachesConfigRule } from './caches/index.js';
import { files } from './names.js';
import { checkMimirConfig, checkMimirFlags, checkRuntimeConfig } from './reference/index.js';
import { kafkaClientIdRule } from './ingest-storage.js';
import { mimirListenPortsRule } from './listen-ports.js';
import { s3EndpointRule } from './storage-endpoint.js';
import { runtimeTenantsRule } from './tenant-id.js';

function parseOne(text: string): { value?: unknown; error?: string } {
  try {
    const docs = parseYamlDocuments(text);
    if (docs.length > 1) return { error: `holds ${docs.length} YAML documents; Mimir reads one` };
    return { value: docs[0] ?? {} };
  } catch (err) {
    return { error: err instanceof Error ? err.message : String(err) };
  }
}

export const mimirConfigFilesRule: Rule = (ctx) => {
  const out: Problem[] = [];
  const checks = [
    { file: files.mimir, check: checkMimirConfig },
    { file: files.runtime, check: checkRuntimeConfig },
  ];
  for (const e of ctx.entries) {
    if (e.object.kind !== 'ConfigMap') continue;
    const data = (e.object.data ?? {}) as Record<string, string>;
    for (const { file, check } of checks) {
      const text = data[file];
      if (text === undefined) continue;
      const parsed = parseOne(text);
      if (parsed.error !== undefined) {
        out.push(
          problemAt(ctx, e, { pointer: `/data/${file}`, message: `${file} is not valid YAML: ${parsed.error}` }),
        );
        continue;
      }
      const hint =
        file === files.mimir
          ? "mimir.yaml is rendered from config.mimir.config over the library's defaults: fix the value there"
          : 'runtime.yaml is rendered from config.mimir.tenants: fix the value there';
      out.push(
        ...check(parsed.value, { source: ctx.source, path: treePath(e), file, object: objectId(e.object) }).map(
          (p) => ({ ...p, hint: p.hint ?? hint }),
        ),
      );
    }
  }
  return out;
};

/** `grafana/mimir:3.0.2` → `grafana/mimir`: a tag or digest override is still the Mimir binary. */
function repository(image: string): string {
  const at = image.indexOf('@');
  const noDigest = at === -1 ? image : image.slice(0, at);
  const colon = noDigest.lastIndexOf(':');
  return colon > noDigest.lastIndexOf('/') ? noDigest.slice(0, colon) : noDigest;
}

export function mimirFlagsRule(c: MimirStackConfig): Rule {
  const mimirRepository = repository(c.images.mimir);
  return (ctx) => {
    const out: Problem[] = [];
    for (const pod of pods(ctx.entries)) {
      for (const { container, pointer } of allContainers(pod.spec)) {
        if (!container.image || repository(container.image) !== mimirRepository) continue;
        const argsPointer = `${pod.pointer}${pointer}/args`;
        const problems = checkMimirFlags(container.args ?? [], {
          source: ctx.source,
          path: treePath(pod.entry),
          object: objectId(pod.entry.object),
          file: `args of container "${container.name}"`,
        });
        // The checker says `args[3]`; a JSON pointer into the object is what every other problem carries.
        const flagsAt = Object.hasOwn(c.mimir, pod.entry.component)
          ? `config.mimir.${pod.entry.component}.flags`
          : 'the flags of this component in config.mimir';
        out.push(
          ...problems.map((p) => ({
            ...p,
            pointer: p.pointer?.replace(/^args\[(\d+)\]/, `${argsPointer}/$1`),
            hint: p.hint ?? `fix the flag in ${flagsAt}, or in the override that sets these args`,
          })),
        );
      }
    }
    return out;
  };
}

/**
 * Rules to pass to `validateTree` (`extraRules`) for a tree rendered from `c`: the reference checks, then
 * what Mimir itself would refuse at start-up or per request beyond its reference (listen ports against
 * the pod, tenant IDs of the runtime overrides, the S3 endpoint's form, the Kafka client ID).
 */
export function mimirRules(c: MimirStackConfig): Rule[] {
  return [
    mimirConfigFilesRule,
    mimirFlagsRule(c),
    mimirListenPortsRule(c),
    runtimeTenantsRule,
    s3EndpointRule,
    cachesConfigRule(c),
    kafkaClientIdRule((image) => repository(image) === repository(c.images.mimir)),
  ];
}
