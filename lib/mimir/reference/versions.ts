/**
 * Every Mimir version whose facts are committed, oldest first, with where its reference came from.
 * Only the upgrade check loads this module (the build's checks import the pinned version's facts
 * alone), so the other versions' facts and every defaults file cost a plain build nothing.
 *
 * Adding a version: `npm run reference -- <folder with its config-descriptor.json> --version <v>`,
 * then one entry here.
 */
import facts30 from './mimir-3.0.json' with { type: 'json' };
import defaults30 from './mimir-3.0.defaults.json' with { type: 'json' };
import facts31dev from './mimir-3.1-dev.json' with { type: 'json' };
import defaults31dev from './mimir-3.1-dev.defaults.json' with { type: 'json' };
import { MIMIR_REFERENCE_VERSION, type MimirFacts } from './index.js';
import { assertDefaults, assertFacts } from './facts-shape.js';

/** Flag (without dashes) → its `mimir.yaml` path and default as Mimir's descriptor states it. */
export type MimirDefaults = Readonly<Record<string, readonly [string, unknown]>>;

export interface MimirVersion {
  version: string;
  /** Where the reference came from, said in every report that uses it. */
  source: string;
  /** Whether a release carries it (a version from a development branch is not one). */
  released: boolean;
  facts: MimirFacts;
  defaults: MimirDefaults;
}

/** A version's facts and defaults, each checked to be the shape its type says (JSON modules widen tuples to arrays). */
function committed(version: string, facts: unknown, defaults: unknown): Pick<MimirVersion, 'facts' | 'defaults'> {
  assertFacts(facts, `mimir-${version}.json`);
  assertDefaults(defaults, `mimir-${version}.defaults.json`);
  return { facts, defaults };
}

export const MIMIR_VERSIONS: readonly MimirVersion[] = [
  {
    version: '3.0',
    source: 'tag mimir-3.0.2 (identical at 3.0.0 to 3.0.2 and release-3.0)',
    released: true,
    ...committed('3.0', facts30, defaults30),
  },
  {
    version: '3.1-dev',
    source: 'grafana/mimir main at 4f9ab9cc5ab5 (2026-03-24), the unreleased successor of 3.0',
    released: false,
    ...committed('3.1-dev', facts31dev, defaults31dev),
  },
];

/**
 * The version an upgrade check compares with: `to` when given, else the next one after the pinned
 * version; without a later one, the previous one (then the report says it looks backwards).
 */
export function upgradeTarget(
  to?: string,
  versions: readonly MimirVersion[] = MIMIR_VERSIONS,
  current: string = MIMIR_REFERENCE_VERSION,
): { from: MimirVersion; to: MimirVersion; direction: 'next' | 'previous' | 'chosen' } | { error: string } {
  const i = versions.findIndex((v) => v.version === current);
  if (i < 0) return { error: `no facts for the pinned Mimir ${current}` };
  const known = versions.map((v) => v.version).join(', ');
  if (to !== undefined) {
    const j = versions.findIndex((v) => v.version === to);
    if (j < 0) return { error: `no facts for Mimir ${to}; committed: ${known}` };
    if (j === i) return { error: `Mimir ${to} is the pinned version; choose another of ${known}` };
    return { from: versions[i], to: versions[j], direction: 'chosen' };
  }
  if (i + 1 < versions.length) return { from: versions[i], to: versions[i + 1], direction: 'next' };
  if (i > 0) return { from: versions[i], to: versions[i - 1], direction: 'previous' };
  return { error: `only Mimir ${current}'s facts are committed: nothing to compare with` };
}
