/**
 * Edges of Mimir's reference checks that mimir-reference-values.test.ts leaves out: placeholder defaults
 * that only look like a boolean or run past one digit, placeholders inside lists and map values (taken
 * literally in the runtime file, and not a string at all when nested one level deeper), a flag name two
 * fifths shorter than the one meant, and a valued flag followed by a flag name without its dash.
 */
import { describe, expect, it } from 'vitest';

import { checkMimirConfig, checkMimirFlags, checkRuntimeConfig } from '../lib/mimir/reference/index.js';
import type { Problem } from '../lib/core/problems.js';

const config = { path: 'mimir.config', file: 'mimir.yaml' };
const inConfig = (value: unknown): Problem[] => checkMimirConfig(value, config);

describe('placeholder defaults read whole, as yaml.v3 reads a plain scalar', () => {
  it.each([
    ['truex', ['string "truex"']],
    ['xfalse', ['string "xfalse"']],
    ['.55', ['number 0.55']],
    ['1e10', []],
  ])('${N:%s} in an integer field is found as %j', (fallback, found) => {
    const problems = inConfig({ limits: { max_global_series_per_user: `\${N:${fallback}}` } });
    expect(problems.map((p) => p.found)).toEqual(found);
  });
});

describe('placeholders inside lists and maps', () => {
  it('the runtime file takes a list item holding ${VAR} literally, and says so', () => {
    expect(
      checkRuntimeConfig(
        { overrides: { t: { metric_relabel_configs: ['${R}'] } } },
        { path: 'mimir.runtimeConfig', file: 'runtime.yaml' },
      ),
    ).toStrictEqual([
      {
        path: 'mimir.runtimeConfig',
        pointer: 'overrides.t.metric_relabel_configs[0]',
        message:
          '`metric_relabel_configs` in runtime.yaml must be a relabel config mapping (source_labels, regex, action, ...)',
        expected: 'a relabel config mapping (source_labels, regex, action, ...)',
        found: 'string "${R}"',
        hint: 'Mimir does not expand `${VAR}` in runtime.yaml; write the value itself',
      },
    ]);
  });

  it('in mimir.yaml, a list holding a placeholder is not a string, one level down in a list or a map', () => {
    expect(
      inConfig({
        memberlist: { join_members: [['${A}']] },
        limits: { ruler_max_rules_per_rule_group_by_namespace: { t: ['${N}'] } },
      }).map((p) => [p.pointer, p.found]),
    ).toEqual([
      ['memberlist.join_members[0]', 'a list of 1 item'],
      ['limits.ruler_max_rules_per_rule_group_by_namespace.t', 'a list of 1 item'],
    ]);
  });
});

describe('flags', () => {
  it('suggests a flag five letters longer than the typo, within a third of the longer name', () => {
    expect(checkMimirFlags(['-config.expan'], { path: 'args' })[0].hint).toBe('did you mean `-config.expand-env`?');
  });

  it('a word after a valued flag is its value, even when it names a flag', () => {
    expect(checkMimirFlags(['-log.level', 'target'], { path: 'args' })).toStrictEqual([
      {
        path: 'args',
        pointer: 'args[0]',
        message: 'flag `-log.level` takes one of `debug`, `info`, `warn`, `error`',
        expected: 'one of `debug`, `info`, `warn`, `error`',
        found: '"target"',
      },
    ]);
  });
});
