/**
 * The merge markers written in a YAML environment (`!DELETE`, `!add`, `!append`, `!prepend`,
 * `!byName`, `!byMountPath`) pass the environment schema and merge like their TypeScript forms.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadEnvironment } from '../lib/build/load.js';
import { buildEnvironment } from '../lib/build/pipeline.js';
import { formatProblems } from '../lib/core/problems.js';
import type { Container, StatefulSet } from '../lib/core/k8s/types.js';

const tmp = mkdtempSync(join(tmpdir(), 'yaml-markers-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

async function build(name: string, yaml: string) {
  mkdirSync(join(tmp, name), { recursive: true });
  writeFileSync(join(tmp, name, 'environment.yaml'), yaml);
  const { loaded, problems } = await loadEnvironment(join(tmp, name));
  expect(problems).toEqual([]);
  return buildEnvironment(loaded!.environment, loaded!.source);
}

const head = `name: markers
config:
  storage: { developmentCredentials: true }
  observability: { grafana: { developmentCredentials: true } }
`;

describe('merge markers in YAML environments', () => {
  it('!DELETE removes a whole component and one object; !add, !append, !byName, !byMountPath merge', async () => {
    const r = await build(
      'all',
      `${head}overrides:
  mimir:
    overridesExporter: !DELETE
    distributor:
      pdb: !DELETE
    ingester:
      statefulSet:
        spec:
          template:
            spec:
              nodeSelector: !add { node-pool: mimir }
              tolerations: !add [ { key: dedicated, operator: Exists } ]
              containers: !byName
                ingester:
                  args: !append [ -log.level=debug ]
                  env: !byName { GOMAXPROCS: { value: "4" } }
                  volumeMounts: !byMountPath { /data: { readOnly: !add false } }
`,
    );
    expect(r.problems.length ? formatProblems(r.problems) : '').toBe('');
    const tree = r.built!.tree;
    expect(tree.mimir.overridesExporter).toBeUndefined();
    expect(Object.keys(tree.mimir.distributor)).not.toContain('pdb');
    const pod = (tree.mimir.ingester as { statefulSet: StatefulSet }).statefulSet.spec!.template.spec!;
    expect(pod.nodeSelector).toEqual({ 'node-pool': 'mimir' });
    expect(pod.tolerations).toEqual([{ key: 'dedicated', operator: 'Exists' }]);
    const ingester = pod.containers.find((c: Container) => c.name === 'ingester')!;
    expect(ingester.args?.at(-1)).toBe('-log.level=debug');
    expect(ingester.env?.find((e) => e.name === 'GOMAXPROCS')?.value).toBe('4');
  });

  it('a marker on a path the tree does not have is refused with a suggestion, not by the schema', async () => {
    const r = await build('typo', `${head}overrides:\n  mimir:\n    overridesExporterr: !DELETE\n`);
    const text = formatProblems(r.problems);
    expect(text).toContain('overrides.mimir.overridesExporterr');
    expect(text).toContain('did you mean `overridesExporter`?');
    expect(text).not.toMatch(/wrong type/);
  });
});
