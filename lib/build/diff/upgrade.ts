import { objectId } from '../../core/k8s/types.js';
import { flatten } from '../../core/tree.js';
import { parseYamlDocuments } from '../../core/yaml.js';
import type { MimirInputs, UpgradeItem } from '../../mimir/reference/upgrade.js';
import type { BuiltEnvironment } from '../pipeline.js';

interface Io {
  log(line: string): void;
  error(line: string): void;
}

type PodSpecLike = { containers?: { name: string; image?: string; args?: string[] }[]; initContainers?: unknown[] };

/** `grafana/mimir:3.0.2` → `grafana/mimir`. */
function repository(image: string): string {
  const noDigest = image.split('@')[0];
  const colon = noDigest.lastIndexOf(':');
  return colon > noDigest.lastIndexOf('/') ? noDigest.slice(0, colon) : noDigest;
}

/** What Mimir reads in an environment: its config files and the args of every Mimir container. */
export function mimirInputs(b: BuiltEnvironment): MimirInputs {
  const inputs: MimirInputs = { files: [], args: [] };
  const mimirRepo = repository(b.config.images.mimir);
  for (const e of flatten(b.tree)) {
    const o = e.object;
    if (o.kind === 'ConfigMap') {
      const data = (o.data ?? {}) as Record<string, string>;
      for (const file of ['mimir.yaml', 'runtime.yaml'] as const)
        if (data[file] !== undefined)
          inputs.files.push({ object: objectId(o), file, value: parseYamlDocuments(data[file])[0] ?? {} });
    }
    const spec = ((o.spec as { template?: { spec?: PodSpecLike } } | undefined)?.template?.spec ?? undefined) as
      PodSpecLike | undefined;
    for (const c of spec?.containers ?? [])
      if (c.image && repository(c.image) === mimirRepo)
        inputs.args.push({ object: objectId(o), container: c.name, args: c.args ?? [] });
  }
  return inputs;
}

const MARK: Readonly<Record<UpgradeItem['kind'], string>> = {
  removed: '✖ removed',
  renamed: '✖ renamed',
  invalid: '✖ invalid',
  default: '~ default',
};

/**
 * `--upgrade-check [--to V]`: each environment against another Mimir version's facts. Exit 1 when
 * something the environment sets is removed, renamed or no longer valid there; changed defaults are
 * reported, not failed (they are the upgrade's content). The facts are loaded here only.
 */
export async function runUpgradeCheck(builds: BuiltEnvironment[], to: string | undefined, io: Io): Promise<number> {
  const { upgradeTarget } = await import('../../mimir/reference/versions.js');
  const { factsDifference, upgradeCheck } = await import('../../mimir/reference/upgrade.js');
  const target = upgradeTarget(to);
  if ('error' in target) {
    io.error(`upgrade check: ${target.error}`);
    return 1;
  }
  const { from, to: next, direction } = target;
  const diff = factsDifference(from, next);
  io.log(
    `upgrade check: Mimir ${from.version} → ${next.version} (${next.source})${direction === 'previous' ? ` — no later version's facts are committed, so this compares with the previous one: what ${from.version} removed or renamed since ${next.version}, read backwards` : ''}`,
  );
  io.log(
    `  between them: ${diff.removed} flags removed, ${diff.added} added, ${diff.defaults} defaults changed${next.released ? '' : ` (${next.version} is not released: its facts may still change)`}`,
  );
  let failed = false;
  for (const b of builds) {
    const items = upgradeCheck(mimirInputs(b), from, next);
    for (const i of items) {
      io.log(`  ${MARK[i.kind]} ${i.name}: ${i.message}`);
      io.log(`      ${i.kind === 'default' ? 'mimir.yaml' : 'set in'}: ${i.where.join(', ')}`);
    }
    const blocking = items.filter((i) => i.kind !== 'default');
    const defaults = items.length - blocking.length;
    io.log(
      `${b.name}: ${blocking.length ? `${blocking.length} setting${blocking.length === 1 ? '' : 's'} to change before Mimir ${next.version}` : `nothing to change before Mimir ${next.version}`}, ${defaults} default${defaults === 1 ? '' : 's'} it relies on change${defaults === 1 ? 's' : ''}`,
    );
    failed = failed || blocking.length > 0;
  }
  return failed ? 1 : 0;
}
