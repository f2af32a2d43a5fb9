/**
 * Mimir's reference checks, value by value: every problem is compared whole (message, pointer, expected,
 * found, hint), so a check that reports the wrong thing, in the wrong place or with the wrong fix fails here.
 * mimir-reference.test.ts covers the walk; this file covers each type, each YAML value a placeholder's default
 * resolves to, each runtime-file slip and each way Go's flag package reads (or stops reading) arguments.
 */
import { describe, expect, it } from 'vitest';

import { checkMimirConfig, checkMimirFlags, checkRuntimeConfig } from '../lib/mimir/reference/index.js';
import type { Problem } from '../lib/core/problems.js';

const config = { path: 'mimir.config', file: 'mimir.yaml' };
const runtime = { path: 'mimir.runtimeConfig', file: 'runtime.yaml' };
const inConfig = (value: unknown): Problem[] => checkMimirConfig(value, config);
const inRuntime = (value: unknown): Problem[] => checkRuntimeConfig(value, runtime);
const flags = (args: string[], file?: string): Problem[] =>
  checkMimirFlags(args, { path: 'mimir.distributor.args', ...(file !== undefined ? { file } : {}) });

/** The one problem of a mimir.yaml problem list, as the user sees it. */
function leaf(pointer: string, message: string, rest: Omit<Problem, 'path' | 'pointer' | 'message'>): Problem {
  return { path: 'mimir.config', pointer, message, ...rest };
}

const INTEGER = 'limits.max_global_series_per_user';
const integerProblem = (found: string, hint?: string): Problem =>
  leaf(INTEGER, '`max_global_series_per_user` in mimir.yaml must be an integer', {
    expected: 'an integer',
    found,
    ...(hint !== undefined ? { hint } : {}),
  });

describe('the problem names where it is', () => {
  it('carries the source and the object when given, and leaves them out when not', () => {
    const value = { limits: { max_global_series_per_user: 'x' } };
    const [p] = checkMimirConfig(value, {
      ...config,
      source: 'environments/prod.ts',
      object: 'v1 ConfigMap mimir/mimir-config',
    });
    expect(p).toStrictEqual({
      source: 'environments/prod.ts',
      path: 'mimir.config',
      object: 'v1 ConfigMap mimir/mimir-config',
      pointer: INTEGER,
      message: '`max_global_series_per_user` in mimir.yaml must be an integer',
      expected: 'an integer',
      found: 'string "x"',
    });
    expect(Object.keys(inConfig(value)[0])).toEqual(['path', 'pointer', 'message', 'expected', 'found']);
  });
});

describe('what a wrong value is described as', () => {
  it.each([
    [true, 'boolean true'],
    [1.5, 'number 1.5'],
    ['x', 'string "x"'],
    [[1], 'a list of 1 item'],
    [[1, 2], 'a list of 2 items'],
    [{}, 'an empty mapping'],
    [{ a: 1, b: 2, c: 3, d: 4 }, 'a mapping (a, b, c, d)'],
    [{ a: 1, b: 2, c: 3, d: 4, e: 5 }, 'a mapping (a, b, c, d, …)'],
  ])('%j in an integer field is found as %s', (value, found) => {
    expect(inConfig({ limits: { max_global_series_per_user: value } })).toStrictEqual([integerProblem(found)]);
  });
});

describe('scalar types in mimir.yaml', () => {
  it('an integer: a quoted number gets a hint, trimmed; other strings and fractions do not', () => {
    const hint = (n: string): string => `write ${n} as a number, not a quoted string`;
    expect(inConfig({ limits: { max_global_series_per_user: ' 5 ' } })).toStrictEqual([
      integerProblem('string " 5 "', hint('5')),
    ]);
    expect(inConfig({ limits: { max_global_series_per_user: '-5' } })).toStrictEqual([
      integerProblem('string "-5"', hint('-5')),
    ]);
    for (const s of ['x5', '5x'])
      expect(inConfig({ limits: { max_global_series_per_user: s } })).toStrictEqual([integerProblem(`string "${s}"`)]);
    expect(inConfig({ limits: { max_global_series_per_user: -7 } })).toEqual([]);
  });

  it('a number: integers and fractions pass; a quoted number gets a hint, a word and a boolean do not', () => {
    const number = (found: string, hint?: string): Problem =>
      leaf('limits.ingestion_rate', '`ingestion_rate` in mimir.yaml must be a number', {
        expected: 'a number',
        found,
        ...(hint !== undefined ? { hint } : {}),
      });
    expect(inConfig({ limits: { ingestion_rate: 3 } })).toEqual([]);
    expect(inConfig({ limits: { ingestion_rate: ' 2.5 ' } })).toStrictEqual([
      number('string " 2.5 "', 'write 2.5 as a number, not a quoted string'),
    ]);
    expect(inConfig({ limits: { ingestion_rate: 'abc' } })).toStrictEqual([number('string "abc"')]);
    expect(inConfig({ limits: { ingestion_rate: true } })).toStrictEqual([number('boolean true')]);
  });

  it('a boolean: a quoted true/false says to drop the quotes, anything else says to use true or false', () => {
    const boolean = (found: string, hint: string): Problem[] => [
      leaf('multitenancy_enabled', '`multitenancy_enabled` in mimir.yaml must be a boolean', {
        expected: 'a boolean',
        found,
        hint,
      }),
    ];
    expect(inConfig({ multitenancy_enabled: ' True ' })).toStrictEqual(
      boolean('string " True "', 'write true without quotes'),
    );
    expect(inConfig({ multitenancy_enabled: 'FALSE' })).toStrictEqual(
      boolean('string "FALSE"', 'write false without quotes'),
    );
    for (const s of ['xtrue', 'falsey', 'yes'])
      expect(inConfig({ multitenancy_enabled: s })).toStrictEqual(boolean(`string "${s}"`, 'use `true` or `false`'));
  });

  it('a duration: a list or a word has no unit hint; a number other than 0 does', () => {
    const duration = (found: string, hint?: string): Problem[] => [
      leaf('shutdown_delay', '`shutdown_delay` in mimir.yaml must be a duration', {
        expected: 'a duration, e.g. `15m`, `1h30m`, `500ms` or `0s`',
        found,
        ...(hint !== undefined ? { hint } : {}),
      }),
    ];
    expect(inConfig({ shutdown_delay: ['1h'] })).toStrictEqual(duration('a list of 1 item'));
    expect(inConfig({ shutdown_delay: 'soon' })).toStrictEqual(duration('string "soon"'));
    expect(inConfig({ shutdown_delay: '' })).toStrictEqual(duration('string ""'));
    expect(inConfig({ shutdown_delay: 5 })).toStrictEqual(duration('number 5', 'give the unit, e.g. `5s` or `5ms`'));
    for (const ok of ['0', '+0', '-0', '1d2h', '-1.5h', '2w', '1y', '.5s', '300ms'])
      expect(inConfig({ shutdown_delay: ok }), ok).toEqual([]);
  });

  it('a string or a URL takes any scalar, but not a mapping or a list', () => {
    expect(inConfig({ activity_tracker: { filepath: 8080 }, alertmanager: { external_url: true } })).toEqual([]);
    expect(inConfig({ activity_tracker: { filepath: { a: 1 } }, alertmanager: { external_url: ['x'] } })).toStrictEqual(
      [
        leaf('activity_tracker.filepath', '`filepath` in mimir.yaml must be a string', {
          expected: 'a string',
          found: 'a mapping (a)',
        }),
        leaf('alertmanager.external_url', '`external_url` in mimir.yaml must be a string', {
          expected: 'a string',
          found: 'a list of 1 item',
        }),
      ],
    );
  });

  it('a field with a fixed set of values lists them, marks the empty one, and suggests the nearest', () => {
    expect(
      inConfig({
        server: { log_level: 'inf', log_format: 'yaml' },
        alertmanager: { alertmanager_client: { grpc_compression: 'zip' } },
      }),
    ).toStrictEqual([
      leaf('server.log_level', '`log_level` in mimir.yaml must be one of `debug`, `info`, `warn`, `error`', {
        expected: 'one of `debug`, `info`, `warn`, `error`',
        found: 'string "inf"',
        hint: 'did you mean `info`?',
      }),
      leaf('server.log_format', '`log_format` in mimir.yaml must be one of `logfmt`, `json`', {
        expected: 'one of `logfmt`, `json`',
        found: 'string "yaml"',
      }),
      leaf(
        'alertmanager.alertmanager_client.grpc_compression',
        '`grpc_compression` in mimir.yaml must be one of `gzip`, `snappy`, `s2`, "" (unset)',
        { expected: 'one of `gzip`, `snappy`, `s2`, "" (unset)', found: 'string "zip"', hint: 'did you mean `gzip`?' },
      ),
    ]);
    expect(inConfig({ alertmanager: { alertmanager_client: { grpc_compression: '' } } })).toEqual([]);
  });

  it('a number in a field with a fixed set of values is read as its text, as Mimir reads it', () => {
    const problems = inConfig({ server: { log_level: 5 } });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({
      pointer: 'server.log_level',
      expected: 'one of `debug`, `info`, `warn`, `error`',
    });
  });
});

describe('lists and maps in mimir.yaml', () => {
  it('a list of strings: one scalar is told to become a sequence, a mapping is not; items are checked, nulls skipped', () => {
    expect(inConfig({ memberlist: { join_members: 'a' } })).toStrictEqual([
      leaf('memberlist.join_members', '`join_members` in mimir.yaml must be a list of strings', {
        expected: 'a list of strings',
        found: 'string "a"',
        hint: 'write a YAML sequence, e.g. `[a, b]`, not one scalar',
      }),
    ]);
    expect(inConfig({ memberlist: { join_members: { a: 1 } } })).toStrictEqual([
      leaf('memberlist.join_members', '`join_members` in mimir.yaml must be a list of strings', {
        expected: 'a list of strings',
        found: 'a mapping (a)',
      }),
    ]);
    expect(inConfig({ memberlist: { join_members: ['a', { b: 1 }, null] } })).toStrictEqual([
      leaf('memberlist.join_members[1]', '`join_members` in mimir.yaml must be a string', {
        expected: 'a string',
        found: 'a mapping (b)',
      }),
    ]);
  });

  it('a list of durations and relabel configs, item by item', () => {
    expect(inConfig({ compactor: { block_ranges: ['2h', 5] } })).toStrictEqual([
      leaf('compactor.block_ranges[1]', '`block_ranges` in mimir.yaml must be a duration', {
        expected: 'a duration, e.g. `15m`, `1h30m`, `500ms` or `0s`',
        found: 'number 5',
        hint: 'give the unit, e.g. `5s` or `5ms`',
      }),
    ]);
    expect(inConfig({ compactor: { block_ranges: '2h' } })[0].expected).toBe('a list of durations');
    expect(inConfig({ limits: { metric_relabel_configs: ['x', null, { action: 'drop' }] } })).toStrictEqual([
      leaf(
        'limits.metric_relabel_configs[0]',
        '`metric_relabel_configs` in mimir.yaml must be a relabel config mapping (source_labels, regex, action, ...)',
        { expected: 'a relabel config mapping (source_labels, regex, action, ...)', found: 'string "x"' },
      ),
    ]);
    expect(inConfig({ limits: { metric_relabel_configs: { action: 'drop' } } })[0].expected).toBe(
      'a list of relabel configs',
    );
  });

  it('maps of strings, integers and numbers: a scalar in place of the map, and each value', () => {
    const params = 'limits.ruler_alertmanager_client_config.oauth2.endpoint_params';
    expect(
      inConfig({ limits: { ruler_alertmanager_client_config: { oauth2: { endpoint_params: 'a=b' } } } }),
    ).toStrictEqual([
      leaf(params, '`endpoint_params` in mimir.yaml must be a mapping of strings', {
        expected: 'a mapping of strings',
        found: 'string "a=b"',
      }),
    ]);
    expect(
      inConfig({
        limits: {
          ruler_alertmanager_client_config: { oauth2: { endpoint_params: { a: 'x', b: [1], 'c.d': null, e: 5 } } },
        },
      }),
    ).toStrictEqual([
      leaf(`${params}.b`, '`endpoint_params` in mimir.yaml must be a string', {
        expected: 'a string',
        found: 'a list of 1 item',
      }),
    ]);
    expect(inConfig({ limits: { active_series_custom_trackers: { t: { x: 1 }, u: '{job="a"}' } } })).toStrictEqual([
      leaf('limits.active_series_custom_trackers.t', '`active_series_custom_trackers` in mimir.yaml must be a string', {
        expected: 'a string',
        found: 'a mapping (x)',
      }),
    ]);
    expect(inConfig({ limits: { active_series_custom_trackers: ['x'] } })[0].expected).toBe('a mapping of strings');
    expect(inConfig({ limits: { ruler_max_rules_per_rule_group_by_namespace: { team: 1.5, ok: 2 } } })).toStrictEqual([
      leaf(
        'limits.ruler_max_rules_per_rule_group_by_namespace.team',
        '`ruler_max_rules_per_rule_group_by_namespace` in mimir.yaml must be an integer',
        { expected: 'an integer', found: 'number 1.5' },
      ),
    ]);
    expect(inConfig({ limits: { ruler_max_rules_per_rule_group_by_namespace: 3 } })[0].expected).toBe(
      'a mapping of integers',
    );
    const perIntegration = 'limits.alertmanager_notification_rate_limit_per_integration';
    const rate = '`alertmanager_notification_rate_limit_per_integration` in mimir.yaml must be a number';
    expect(
      inConfig({
        limits: { alertmanager_notification_rate_limit_per_integration: { email: 'fast', slack: '2', webhook: 1.5 } },
      }),
    ).toStrictEqual([
      leaf(`${perIntegration}.email`, rate, { expected: 'a number', found: 'string "fast"' }),
      leaf(`${perIntegration}.slack`, rate, {
        expected: 'a number',
        found: 'string "2"',
        hint: 'write 2 as a number, not a quoted string',
      }),
    ]);
    expect(inConfig({ limits: { alertmanager_notification_rate_limit_per_integration: 5 } })[0].expected).toBe(
      'a mapping of numbers',
    );
  });

  it('sequences and mappings of blocks: the container, then each item, with quoted keys in the pointer', () => {
    expect(inConfig({ limits: { blocked_requests: { method: 'GET' } } })).toStrictEqual([
      leaf('limits.blocked_requests', '`blocked_requests` in mimir.yaml takes a list', {
        expected: 'a YAML sequence',
        found: 'a mapping (method)',
      }),
    ]);
    expect(inConfig({ limits: { blocked_requests: ['GET'] } })).toStrictEqual([
      leaf(
        'limits.blocked_requests[0]',
        '`limits.blocked_requests[0]` in mimir.yaml is a block and takes a mapping of its fields',
        { expected: 'a YAML mapping', found: 'string "GET"' },
      ),
    ]);
    expect(inConfig({ limits: { blocked_requests: [{ query_params: 'x' }] } })).toStrictEqual([
      leaf('limits.blocked_requests[0].query_params', '`query_params` in mimir.yaml takes a mapping', {
        expected: 'a YAML mapping',
        found: 'string "x"',
      }),
    ]);
    expect(
      inConfig({
        limits: {
          blocked_requests: [
            { query_params: { 'a.b': 'x', plain: 'y', ok: { is_regexp: true }, bad: { is_regexp: 'no' } } },
          ],
        },
      }),
    ).toStrictEqual([
      leaf(
        'limits.blocked_requests[0].query_params["a.b"]',
        '`a.b` in mimir.yaml is a block and takes a mapping of its fields',
        { expected: 'a YAML mapping', found: 'string "x"' },
      ),
      leaf(
        'limits.blocked_requests[0].query_params.plain',
        '`plain` in mimir.yaml is a block and takes a mapping of its fields',
        { expected: 'a YAML mapping', found: 'string "y"' },
      ),
      leaf('limits.blocked_requests[0].query_params.bad.is_regexp', '`is_regexp` in mimir.yaml must be a boolean', {
        expected: 'a boolean',
        found: 'string "no"',
        hint: 'use `true` or `false`',
      }),
    ]);
  });

  it('a field left undefined (as a JS environment may) is skipped like a null', () => {
    expect(inConfig({ limits: { max_global_series_per_user: undefined }, server: undefined })).toEqual([]);
  });

  it('a file that is not a mapping', () => {
    expect(inConfig('x')).toStrictEqual([
      {
        path: 'mimir.config',
        pointer: '(root)',
        message: 'mimir.yaml must be a mapping at its top level',
        expected: 'a YAML mapping',
        found: 'string "x"',
      },
    ]);
  });
});

describe('unknown fields in mimir.yaml', () => {
  it('say where a field of that name lives, or nothing when no name is near and none lives elsewhere', () => {
    expect(inConfig({ server: { retention_period: '1h' }, limits: { http_listen_port: 80 } })).toStrictEqual([
      {
        path: 'mimir.config',
        pointer: 'server.retention_period',
        message: 'unknown field `retention_period` in mimir.yaml (Mimir 3.0)',
        hint: '`retention_period` belongs at `blocks_storage.tsdb.retention_period`',
      },
      {
        path: 'mimir.config',
        pointer: 'limits.http_listen_port',
        message: 'unknown field `http_listen_port` in mimir.yaml (Mimir 3.0)',
        hint: '`http_listen_port` belongs at `server.http_listen_port`',
      },
    ]);
    expect(inConfig({ server: { zzzzzz_qqq: 1 }, limits: { 'a.b': 1 } })).toStrictEqual([
      {
        path: 'mimir.config',
        pointer: 'server.zzzzzz_qqq',
        message: 'unknown field `zzzzzz_qqq` in mimir.yaml (Mimir 3.0)',
      },
      { path: 'mimir.config', pointer: 'limits["a.b"]', message: 'unknown field `a.b` in mimir.yaml (Mimir 3.0)' },
    ]);
  });

  it('name up to three places a field lives, and none when it lives in more', () => {
    // `bucket_name` lives under every object store of every storage block: too many places to list.
    const [many] = inConfig({ server: { bucket_name: 'x' } });
    expect(many.hint).toBeUndefined();
    expect(inConfig({ server: { replication_factor: 3 } })[0].hint).toBe(
      '`replication_factor` belongs at `alertmanager.sharding_ring.replication_factor`, `ingester.ring.replication_factor`, `store_gateway.sharding_ring.replication_factor`',
    );
    expect(inConfig({ server: { enable_api: true } })[0].hint).toBe(
      '`enable_api` belongs at `alertmanager.enable_api`, `ruler.enable_api`',
    );
    expect(inConfig({ server: { account_key: 'k' } })[0].hint).toBeUndefined();
  });
});

describe('placeholder defaults in mimir.yaml, read as yaml.v3 reads a plain scalar', () => {
  it.each([
    // null: the field keeps its default
    ['', undefined],
    ['~', undefined],
    ['null', undefined],
    ['Null', undefined],
    ['NULL', undefined],
    ['notnull', 'string "notnull"'],
    ['nullable', 'string "nullable"'],
    // booleans are not integers
    ['true', 'boolean true'],
    ['False', 'boolean false'],
    ['TRUE', 'boolean true'],
    ['xtrue', 'string "xtrue"'],
    ['falsey', 'string "falsey"'],
    // integers, signed, trimmed, in hex and octal
    [' 5', undefined],
    ['+5', undefined],
    ['-5', undefined],
    ['55', undefined],
    ['a5', 'string "a5"'],
    ['lots', 'string "lots"'],
    ['0x1F', undefined],
    ['0o17', undefined],
    ['0x', 'string "0x"'],
    ['a0x1F', 'string "a0x1F"'],
    ['0x1Fz', 'string "0x1Fz"'],
    ['a0o17', 'string "a0o17"'],
    ['0o17z', 'string "0o17z"'],
    ['0o8', 'string "0o8"'],
    // floats
    ['1.5', 'number 1.5'],
    ['-2.5E-3', 'number -0.0025'],
    ['.5', 'number 0.5'],
    ['+.5', 'number 0.5'],
    ['1e3', undefined],
    ['1.', undefined],
    ['1.5x', 'string "1.5x"'],
    ['x1.5', 'string "x1.5"'],
    ['1e', 'string "1e"'],
    ['1.5.5', 'string "1.5.5"'],
    ['.', 'string "."'],
    // infinities and NaN
    ['.inf', 'number Infinity'],
    ['+.Inf', 'number Infinity'],
    ['-.INF', 'number -Infinity'],
    ['x.inf', 'string "x.inf"'],
    ['.infx', 'string ".infx"'],
    ['.nan', 'number NaN'],
    ['.NaN', 'number NaN'],
    ['x.nan', 'string "x.nan"'],
    ['.nanx', 'string ".nanx"'],
  ])('${N:%s} in an integer field: %s', (fallback, found) => {
    const value = `\${N:${fallback}}`;
    expect(inConfig({ limits: { max_global_series_per_user: value } })).toStrictEqual(
      found === undefined
        ? []
        : [
            leaf(INTEGER, `the default in placeholder ${JSON.stringify(value)} in mimir.yaml is not an integer`, {
              expected: 'an integer',
              found,
              hint: 'fix the part after `:` in `${VAR:default}`',
            }),
          ],
    );
  });

  it('each placeholder of a value needs a default before the value can be checked', () => {
    expect(inConfig({ limits: { max_global_series_per_user: '${A:1}${B:x}' } })).toHaveLength(1);
    expect(inConfig({ limits: { max_global_series_per_user: '${A:1}${B}' } })).toEqual([]);
    expect(inConfig({ limits: { max_global_series_per_user: '${A:x}$B' } })).toEqual([]);
    expect(inConfig({ limits: { max_global_series_per_user: '${A}' } })).toEqual([]);
    expect(inConfig({ limits: { max_global_series_per_user: '${A:1}' } })).toEqual([]);
    expect(inConfig({ limits: { max_global_series_per_user: '${A:1:2}' } })[0].found).toBe('string "1:2"');
  });

  it("the type's own hint wins over the generic one", () => {
    expect(inConfig({ multitenancy_enabled: '${M:yes}', shutdown_delay: '${D:5}' })).toStrictEqual([
      leaf('multitenancy_enabled', 'the default in placeholder "${M:yes}" in mimir.yaml is not a boolean', {
        expected: 'a boolean',
        found: 'string "yes"',
        hint: 'use `true` or `false`',
      }),
      leaf('shutdown_delay', 'the default in placeholder "${D:5}" in mimir.yaml is not a duration', {
        expected: 'a duration, e.g. `15m`, `1h30m`, `500ms` or `0s`',
        found: 'number 5',
        hint: 'give the unit, e.g. `5s` or `5ms`',
      }),
    ]);
    expect(inConfig({ shutdown_delay: '${D:0}', limits: { ingestion_rate: '${R:1.5}' } })).toEqual([]);
  });

  it('strings, URLs, free fields, blocks, lists, maps and enums take a placeholder unchecked', () => {
    expect(
      inConfig({
        activity_tracker: { filepath: '${F:{}}' },
        alertmanager: { external_url: '${U:[x]}' },
        block_builder: '${X:1}',
        server: { log_level: '${L:loud}' },
        compactor: { block_ranges: '${R:soon}' },
        memberlist: { join_members: ['${A}', '${B:x}'] },
        limits: {
          blocked_requests: '${Q:x}',
          ruler_max_rules_per_rule_group_by_namespace: { t: '${N:ten}' },
          alertmanager_notification_rate_limit_per_integration: { email: '${E:fast}' },
          metric_relabel_configs: ['${RELABEL}'],
        },
        blocks_storage: { tsdb: { retention_period: '${RETENTION}' } },
        ingester: '${I:x}',
      }),
    ).toEqual([]);
  });
});

describe('the runtime file', () => {
  const rt = (pointer: string, message: string, rest: Omit<Problem, 'path' | 'pointer' | 'message'> = {}): Problem => ({
    path: 'mimir.runtimeConfig',
    pointer,
    message,
    ...rest,
  });

  it('must be a mapping at its top level', () => {
    for (const [value, found] of [
      ['x', 'string "x"'],
      [['a'], 'a list of 1 item'],
    ] as const)
      expect(inRuntime(value)).toStrictEqual([
        rt('(root)', 'runtime.yaml must be a mapping at its top level', { expected: 'a YAML mapping', found }),
      ]);
  });

  it('overrides must map tenants to mappings of limits', () => {
    expect(inRuntime({ overrides: 'x' })).toStrictEqual([
      rt('overrides', '`overrides` in runtime.yaml takes a mapping', {
        expected: 'a YAML mapping',
        found: 'string "x"',
      }),
    ]);
    expect(inRuntime({ overrides: { t: ['x'] } })).toStrictEqual([
      rt('overrides.t', '`t` in runtime.yaml is a block and takes a mapping of its fields', {
        expected: 'a YAML mapping',
        found: 'a list of 1 item',
      }),
    ]);
    expect(inRuntime({ overrides: { ingestion_rate: 5, tenant: 'x' } })).toStrictEqual([
      rt(
        'overrides.ingestion_rate',
        '`overrides` in runtime.yaml maps tenant IDs to limits, but `ingestion_rate` is a limit',
        {
          expected: 'overrides: {<tenant>: {ingestion_rate: ...}}',
          found: 'ingestion_rate: number 5',
          hint: 'nest it under a tenant ID: `overrides.<tenant>.ingestion_rate`',
        },
      ),
      rt('overrides.tenant', '`tenant` in runtime.yaml is a block and takes a mapping of its fields', {
        expected: 'a YAML mapping',
        found: 'string "x"',
      }),
    ]);
    // A tenant may be named like a limit: with a mapping (or nothing) under it, it is a tenant.
    expect(
      inRuntime({ overrides: { ingestion_rate: null, max_global_series_per_user: { ingestion_rate: 1 } } }),
    ).toEqual([]);
  });

  it('a field Mimir reads from mimir.yaml only is pointed there, from the top and from a tenant', () => {
    expect(inRuntime({ http_listen_port: 80, zzzz_qqqq: 1 })).toStrictEqual([
      rt('http_listen_port', 'unknown field `http_listen_port` in runtime.yaml (Mimir 3.0)', {
        hint: '`http_listen_port` belongs at `server.http_listen_port`',
      }),
      rt('zzzz_qqqq', 'unknown field `zzzz_qqqq` in runtime.yaml (Mimir 3.0)'),
    ]);
    expect(inRuntime({ overrides: { t: { http_listen_port: 80 } } })).toStrictEqual([
      rt('overrides.t.http_listen_port', 'unknown field `http_listen_port` in runtime.yaml (Mimir 3.0)', {
        hint: '`http_listen_port` is not a per-tenant limit; it is set at `server.http_listen_port` in mimir.yaml',
      }),
    ]);
  });

  it('outside overrides, a field that lives elsewhere is pointed at mimir.yaml like any unknown field', () => {
    expect(
      inRuntime({ multi_kv_config: { http_listen_port: 80 }, ingester_limits: { http_listen_port: 80 } }),
    ).toStrictEqual([
      rt('multi_kv_config.http_listen_port', 'unknown field `http_listen_port` in runtime.yaml (Mimir 3.0)', {
        hint: '`http_listen_port` belongs at `server.http_listen_port`',
      }),
      rt('ingester_limits.http_listen_port', 'unknown field `http_listen_port` in runtime.yaml (Mimir 3.0)', {
        hint: '`http_listen_port` belongs at `server.http_listen_port`',
      }),
    ]);
  });

  it('checks the instance limits blocks and the multi-KV block against their own fields', () => {
    expect(
      inRuntime({
        ingester_limits: { max_series: 'many' },
        distributor_limits: 'x',
        multi_kv_config: { mirror_enabled: 'yes' },
        ingester_stream_chunks_when_using_blocks: 1,
      }),
    ).toStrictEqual([
      rt('ingester_limits.max_series', '`max_series` in runtime.yaml must be an integer', {
        expected: 'an integer',
        found: 'string "many"',
      }),
      rt('distributor_limits', '`distributor_limits` in runtime.yaml is a block and takes a mapping of its fields', {
        expected: 'a YAML mapping',
        found: 'string "x"',
      }),
      rt('multi_kv_config.mirror_enabled', '`mirror_enabled` in runtime.yaml must be a boolean', {
        expected: 'a boolean',
        found: 'string "yes"',
        hint: 'use `true` or `false`',
      }),
      rt(
        'ingester_stream_chunks_when_using_blocks',
        '`ingester_stream_chunks_when_using_blocks` in runtime.yaml must be a boolean',
        { expected: 'a boolean', found: 'number 1', hint: 'use `true` or `false`' },
      ),
    ]);
  });

  it('takes a placeholder literally everywhere, and says so only where the text holds one', () => {
    const literal = 'Mimir does not expand `${VAR}` in runtime.yaml; write the value itself';
    expect(
      inRuntime({
        overrides: {
          t: {
            max_global_series_per_user: ['${X}'],
            ingestion_rate: '${Y}',
            metric_relabel_configs: '${R}',
            ruler_max_rules_per_rule_group_by_namespace: { a: '${N}' },
            compactor_blocks_retention_period: '${P:1d}',
          },
        },
      }),
    ).toStrictEqual([
      rt('overrides.t.max_global_series_per_user', '`max_global_series_per_user` in runtime.yaml must be an integer', {
        expected: 'an integer',
        found: 'a list of 1 item',
      }),
      rt('overrides.t.ingestion_rate', '`ingestion_rate` in runtime.yaml must be a number', {
        expected: 'a number',
        found: 'string "${Y}"',
        hint: literal,
      }),
      rt(
        'overrides.t.metric_relabel_configs',
        '`metric_relabel_configs` in runtime.yaml must be a list of relabel configs',
        {
          expected: 'a list of relabel configs',
          found: 'string "${R}"',
          hint: literal,
        },
      ),
      rt(
        'overrides.t.ruler_max_rules_per_rule_group_by_namespace.a',
        '`ruler_max_rules_per_rule_group_by_namespace` in runtime.yaml must be an integer',
        { expected: 'an integer', found: 'string "${N}"', hint: literal },
      ),
      rt(
        'overrides.t.compactor_blocks_retention_period',
        '`compactor_blocks_retention_period` in runtime.yaml must be a duration',
        { expected: 'a duration, e.g. `15m`, `1h30m`, `500ms` or `0s`', found: 'string "${P:1d}"', hint: literal },
      ),
    ]);
    expect(inRuntime({ overrides: { t: { max_label_names_per_series: '30' } } })[0].hint).toBe(
      'write 30 as a number, not a quoted string',
    );
    expect(inRuntime({ multi_kv_config: { primary: '${P}' }, overrides: { t: { log_level: 1 } } })).toHaveLength(1);
  });
});

describe('command-line flags', () => {
  const flag = (
    pointer: string,
    message: string,
    rest: Omit<Problem, 'path' | 'pointer' | 'message'> = {},
  ): Problem => ({
    path: 'mimir.distributor.args',
    pointer,
    message,
    ...rest,
  });
  const notAFlag = (i: number, arg: string, where = ''): Problem =>
    flag(`args[${i}]`, `\`${arg}\` is not a flag${where}: Mimir stops reading flags here and ignores the rest`, {
      hint: 'remove it, or write it as `-name=value`',
    });

  it('everything after `--` is ignored, and said so once; a trailing `--` is harmless', () => {
    expect(flags(['-target=all', '--', '-x', 'y'])).toStrictEqual([
      flag('args[2]', 'Mimir ignores every argument after `--`', {
        found: '-x y',
        hint: 'remove `--` or pass these as flags before it',
      }),
    ]);
    expect(flags(['-target=all', '--'])).toEqual([]);
    expect(flags(['--', 'x'], 'args.txt')).toStrictEqual([
      flag('args[1]', 'Mimir ignores every argument after `--` in args.txt', {
        found: 'x',
        hint: 'remove `--` or pass these as flags before it',
      }),
    ]);
  });

  it('an argument that is not a flag stops parsing; only after a boolean flag is it a stranded value', () => {
    expect(flags(['-'])).toStrictEqual([notAFlag(0, '-')]);
    expect(flags(['all', '-target=all'])).toStrictEqual([notAFlag(0, 'all')]);
    expect(flags(['-target=all', 'x'])).toStrictEqual([notAFlag(1, 'x')]);
    expect(flags(['-target=all', 'x', 'y'])).toStrictEqual([notAFlag(1, 'x'), notAFlag(2, 'y')]);
    expect(flags(['-log.level', 'info', 'x'])).toStrictEqual([notAFlag(2, 'x')]);
    expect(flags(['-auth.multitenancy-enabled', 'false'], 'mimir.args')).toStrictEqual([
      flag('args[1]', '`false` is not a flag in mimir.args: Mimir stops reading flags here and ignores the rest', {
        hint: 'boolean flags take their value only after `=`: write `-auth.multitenancy-enabled=false`',
      }),
    ]);
  });

  it('bad flag syntax: dashes or `=` with no name', () => {
    for (const arg of ['-=x', '--=x', '---x'])
      expect(flags([arg]), arg).toStrictEqual([
        flag('args[0]', `bad flag syntax \`${arg}\``, { hint: 'write flags as `-name=value`' }),
      ]);
    expect(flags(['-=x'], 'f')[0].message).toBe('bad flag syntax `-=x` in f');
  });

  it('an unknown flag is reported once, with its value, and parsing goes on after it', () => {
    const unknown = (i: number, name: string, hint?: string): Problem =>
      flag(`args[${i}]`, `unknown flag \`-${name}\` (Mimir 3.0)`, hint !== undefined ? { hint } : {});
    expect(flags(['-nope', 'value', '-log.level=loud'])).toStrictEqual([
      unknown(0, 'nope'),
      flag('args[2]', 'flag `-log.level` takes one of `debug`, `info`, `warn`, `error`', {
        expected: 'one of `debug`, `info`, `warn`, `error`',
        found: '"loud"',
      }),
    ]);
    expect(flags(['-nope', '-log.level=loud'])).toHaveLength(2);
    expect(flags(['-nope'])).toStrictEqual([unknown(0, 'nope')]);
    expect(flags(['-nope=1', 'x'])).toStrictEqual([unknown(0, 'nope'), notAFlag(1, 'x')]);
    expect(flags(['-zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz'])).toStrictEqual([
      unknown(0, 'zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz'),
    ]);
    expect(flags(['--log.levl=info'])).toStrictEqual([unknown(0, 'log.levl', 'did you mean `-log.level`?')]);
    expect(flags(['-targett=all'])).toStrictEqual([unknown(0, 'targett', 'did you mean `-target`?')]);
    // Suggestions as far as the distance limit allows, by length too: two letters short of a six-letter name,
    // three short of a long one.
    expect(flags(['-targ'])[0].hint).toBe('did you mean `-target`?');
    expect(flags(['-blocks-storage.tsdb.retention-per'])[0].hint).toBe(
      'did you mean `-blocks-storage.tsdb.retention-period`?',
    );
    expect(flags(['-nope'], 'f')[0].message).toBe('unknown flag `-nope` in f (Mimir 3.0)');
  });

  it('a flag without `=` takes the next argument, unless that is itself a known flag', () => {
    const noValue = (next: string): Problem[] => [
      flag('args[0]', `flag \`-log.level\` has no value, so it takes the next argument \`${next}\` as one`, {
        hint: 'write `-log.level=<value>`',
      }),
    ];
    expect(flags(['-log.level', '-target=all'])).toStrictEqual(noValue('-target=all'));
    expect(flags(['-log.level', '--target'])).toStrictEqual(noValue('--target'));
    expect(flags(['-server.http-listen-port', '-5'])).toEqual([]);
    expect(flags(['-log.level', '-nope'])[0].expected).toBe('one of `debug`, `info`, `warn`, `error`');
    expect(flags(['-log.level'], 'f')).toStrictEqual([
      flag('args[0]', 'flag `-log.level` in f needs a value', { hint: 'write `-log.level=<value>`' }),
    ]);
  });

  it('values by type: booleans as strconv.ParseBool, integers as ParseInt with base prefixes, numbers, durations', () => {
    expect(
      flags([
        '-auth.multitenancy-enabled=1',
        '-auth.multitenancy-enabled=T',
        '-auth.multitenancy-enabled=FALSE',
        '-server.http-listen-port=0x1F',
        '-server.http-listen-port=1_000',
        '-server.http-listen-port=0o17',
        '-distributor.ingestion-rate-limit=inf',
        '-distributor.ingestion-rate-limit=.5',
        '-compactor.block-ranges=2h, 12h',
        '-server.http-listen-port=$(PORT)',
      ]),
    ).toEqual([]);
    expect(
      flags([
        '-auth.multitenancy-enabled=maybe',
        '-server.http-listen-port=08',
        '-distributor.ingestion-rate-limit=fast',
        '-compactor.block-ranges=2h,soon',
        '-compactor.block-ranges=soon,2h',
        '-server.graceful-shutdown-timeout=5',
      ]),
    ).toStrictEqual([
      flag('args[0]', 'flag `-auth.multitenancy-enabled` takes a boolean (`true` or `false`)', {
        expected: 'a boolean (`true` or `false`)',
        found: '"maybe"',
      }),
      flag('args[1]', 'flag `-server.http-listen-port` takes an integer', { expected: 'an integer', found: '"08"' }),
      flag('args[2]', 'flag `-distributor.ingestion-rate-limit` takes a number', {
        expected: 'a number',
        found: '"fast"',
      }),
      flag('args[3]', 'flag `-compactor.block-ranges` takes comma-separated durations', {
        expected: 'comma-separated durations, e.g. `2h,12h,24h`',
        found: '"2h,soon"',
      }),
      flag('args[4]', 'flag `-compactor.block-ranges` takes comma-separated durations', {
        expected: 'comma-separated durations, e.g. `2h,12h,24h`',
        found: '"soon,2h"',
      }),
      flag('args[5]', 'flag `-server.graceful-shutdown-timeout` takes a duration', {
        expected: 'a duration, e.g. `15m`, `1h30m`, `500ms` or `0s`',
        found: '"5"',
      }),
    ]);
  });

  it('only a whole Kubernetes `$(VAR)` reference skips the check', () => {
    expect(
      flags([
        '-server.http-listen-port=$(1PORT)',
        '-server.http-listen-port=$(P-Q)',
        '-server.http-listen-port=$()',
        '-server.http-listen-port=$(PORT_2)',
      ]).map((p) => p.pointer),
    ).toEqual(['args[0]', 'args[1]', 'args[2]']);
  });

  it('enums list their values and the nearest one; a ${VAR} gets the hint about $(VAR) instead', () => {
    expect(
      flags(['-log.level=inf', '-log.format=yaml', '-alertmanager-storage.s3.list-objects-version=v3']),
    ).toStrictEqual([
      flag('args[0]', 'flag `-log.level` takes one of `debug`, `info`, `warn`, `error`', {
        expected: 'one of `debug`, `info`, `warn`, `error`',
        found: '"inf"',
        hint: 'did you mean `info`?',
      }),
      flag('args[1]', 'flag `-log.format` takes one of `logfmt`, `json`', {
        expected: 'one of `logfmt`, `json`',
        found: '"yaml"',
      }),
      flag('args[2]', 'flag `-alertmanager-storage.s3.list-objects-version` takes one of `v1`, `v2`, "" (unset)', {
        expected: 'one of `v1`, `v2`, "" (unset)',
        found: '"v3"',
        hint: 'did you mean `v1`?',
      }),
    ]);
    expect(flags(['-log.level=${LEVEL}'])[0].hint).toBe(
      'container args are not env-expanded by Mimir; use Kubernetes `$(VAR)` syntax',
    );
    expect(flags(['-alertmanager-storage.s3.list-objects-version='])).toEqual([]);
    // The empty value is listed, but never suggested, even when it is the nearest.
    expect(flags(['-alertmanager-storage.s3.list-objects-version=x'])[0].hint).toBe('did you mean `v1`?');
  });
});
