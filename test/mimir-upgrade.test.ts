import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runCli } from '../lib/build/cli.js';
import { mimirFactsUrl } from '../lib/mimir/reference/index.js';
import { showDefault, upgradeCheck } from '../lib/mimir/reference/upgrade.js';
import { MIMIR_VERSIONS, upgradeTarget } from '../lib/mimir/reference/versions.js';
import { DEFAULT_REFERENCE_DIR, renderMimirDefaults, renderMimirFacts } from '../scripts/generate-mimir-reference.js';
import { needs } from './support/tools.js';

const [v30, next] = MIMIR_VERSIONS;

describe('which version an upgrade check compares with', () => {
  it('the next one after the pinned version, else the previous one, else none', () => {
    expect(upgradeTarget()).toMatchObject({ from: { version: '3.0' }, to: { version: '3.1-dev' }, direction: 'next' });
    expect(upgradeTarget(undefined, MIMIR_VERSIONS, '3.1-dev')).toMatchObject({
      from: { version: '3.1-dev' },
      to: { version: '3.0' },
      direction: 'previous',
    });
    expect(upgradeTarget('2.17')).toEqual({ error: 'no facts for Mimir 2.17; committed: 3.0, 3.1-dev' });
    expect(upgradeTarget(undefined, [v30])).toEqual({
      error: "only Mimir 3.0's facts are committed: nothing to compare with",
    });
  });

  it('each facts file names its own version', () => {
    for (const v of MIMIR_VERSIONS) expect(v.facts.mimirVersion).toBe(v.version);
  });
});

describe('an environment against the next version', () => {
  const object = 'apps/v1 Deployment mimir/querier';
  it('names flags and fields it sets that are removed or renamed there', () => {
    const items = upgradeCheck(
      {
        files: [
          {
            object: 'v1 ConfigMap mimir/mimir-config',
            file: 'mimir.yaml',
            value: { compactor: { no_blocks_file_cleanup_enabled: true }, include_tenant_id_in_profile_labels: false },
          },
        ],
        args: [
          {
            object,
            container: 'querier',
            args: [
              '-target=querier',
              '-querier.prefer-availability-zone=zone-a',
              '-distributor.metric-relabeling-enabled=true',
            ],
          },
        ],
      },
      v30,
      next,
    );
    const blocking = items.filter((i) => i.kind !== 'default');
    expect(blocking.map((i) => [i.kind, i.name])).toEqual([
      ['removed', '-distributor.metric-relabeling-enabled'],
      ['removed', 'mimir.yaml compactor.no_blocks_file_cleanup_enabled'],
      ['renamed', '-querier.prefer-availability-zone'],
    ]);
    expect(blocking[2].message).toBe(
      '-querier.prefer-availability-zone is gone in Mimir 3.1-dev; -querier.prefer-availability-zones looks like its new name',
    );
    expect(blocking[0].where).toEqual([`${object} container querier`]);
    // A default the environment sets itself is its own choice, not a change the upgrade makes.
    const defaults = items.filter((i) => i.kind === 'default').map((i) => i.name);
    expect(defaults).not.toContain('-include-tenant-id-in-profile-labels');
    expect(defaults).toContain('-querier.mimir-query-engine.enable-eliminate-deduplicate-and-merge');
  });

  it('reports the defaults it relies on that change, durations as written', () => {
    const items = upgradeCheck({ files: [], args: [] }, v30, next).filter((i) => i.kind === 'default');
    expect(items.find((i) => i.name === '-include-tenant-id-in-profile-labels')).toEqual({
      kind: 'default',
      name: '-include-tenant-id-in-profile-labels',
      message: 'default false → true',
      where: ['include_tenant_id_in_profile_labels'],
    });
    expect(showDefault(5_400_000_000_000, 'duration')).toBe('1h30m');
    expect(showDefault(1_500_000, 'duration')).toBe('1ms500000ns');
    expect(showDefault('x', 'string')).toBe('"x"');
  });

  it('`--upgrade-check` reports per environment; the environments here need no change', async () => {
    const lines: string[] = [];
    const code = await runCli(['environments/local', '--upgrade-check', '--no-typecheck'], {
      log: (l) => lines.push(l),
      error: (l) => lines.push(l),
    });
    expect(lines[0]).toBe(`upgrade check: Mimir 3.0 → 3.1-dev (${next.source})`);
    expect(lines.at(-1)).toMatch(/^local: nothing to change before Mimir 3\.1-dev, \d+ defaults it relies on change$/);
    expect(code).toBe(0);
  });

  it('`--upgrade-check --to` an unknown version fails with the known ones', async () => {
    const lines: string[] = [];
    const code = await runCli(['environments/local', '--upgrade-check', '--to', '9.9', '--no-typecheck'], {
      log: (l) => lines.push(l),
      error: (l) => lines.push(l),
    });
    expect(lines).toEqual(['upgrade check: no facts for Mimir 9.9; committed: 3.0, 3.1-dev']);
    expect(code).toBe(1);
  });
});

// The pinned version's reference is ../shared's; the next one's is fetched by scripts/fetch-mimir-reference.sh.
const pinned = needs(
  `the Mimir reference at ${path.relative(process.cwd(), DEFAULT_REFERENCE_DIR)}`,
  existsSync(path.join(DEFAULT_REFERENCE_DIR, 'config-descriptor.json')),
  'the ../shared checkout',
);
describe.runIf(pinned.run)(`defaults freshness${pinned.note}`, () => {
  it('regenerating reproduces mimir-3.0.defaults.json byte for byte', () => {
    const committed = readFileSync(fileURLToPath(mimirFactsUrl('3.0')).replace(/\.json$/, '.defaults.json'), 'utf8');
    expect(renderMimirDefaults(DEFAULT_REFERENCE_DIR) === committed, 'stale: run `npm run reference`').toBe(true);
  });
});

const nextDir = path.join(
  process.env.XDG_CACHE_HOME ?? path.join(homedir(), '.cache'),
  'mimir-kube/reference/mimir-3.1-dev',
);
describe.runIf(existsSync(path.join(nextDir, 'config-descriptor.json')))('3.1-dev facts freshness', () => {
  it('regenerating from the fetched reference reproduces both files byte for byte', () => {
    const facts = fileURLToPath(mimirFactsUrl('3.1-dev'));
    expect(renderMimirFacts(nextDir, '3.1-dev') === readFileSync(facts, 'utf8')).toBe(true);
    expect(renderMimirDefaults(nextDir) === readFileSync(facts.replace(/\.json$/, '.defaults.json'), 'utf8')).toBe(
      true,
    );
  });
});
