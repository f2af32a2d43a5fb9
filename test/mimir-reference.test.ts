import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { describe, expect, it } from 'vitest';

import {
  CHECKED_FIELD_TYPES,
  MIMIR_REFERENCE_VERSION,
  checkMimirConfig,
  checkMimirFlags,
  checkRuntimeConfig,
  getMimirFacts,
  mimirFactsUrl,
  mimirFlags,
  type ConfigNode,
} from '../lib/mimir/reference/index.js';
import { formatProblems, type Problem } from '../lib/core/problems.js';
import { DEFAULT_REFERENCE_DIR, renderMimirFacts } from '../scripts/generate-mimir-reference.js';
import { needs } from './support/tools.js';

const config = { source: 'environments/local/main.ts', path: 'mimir.config', file: 'mimir.yaml' };
const runtime = { source: 'environments/local/main.ts', path: 'mimir.runtimeConfig', file: 'runtime.yaml' };
const args = { source: 'environments/local/main.ts', path: 'mimir.distributor.args' };

function at(problems: Problem[], pointer: string): Problem {
  const found = problems.find((p) => p.pointer === pointer);
  if (found === undefined) throw new Error(`no problem at ${pointer}; got:\n${formatProblems(problems)}`);
  return found;
}

/** A plausible microservices mimir.yaml, to prove a correct file raises nothing. */
const validConfig = {
  target: 'distributor',
  multitenancy_enabled: true,
  common: {
    storage: { backend: 's3', s3: { endpoint: 'minio:9000', bucket_name: 'mimir', insecure: true } },
  },
  server: { http_listen_port: 8080, grpc_listen_port: 9095, log_level: 'info', graceful_shutdown_timeout: '30s' },
  memberlist: {
    join_members: ['dns+mimir-gossip-ring.mimir.svc.cluster.local:7946'],
    abort_if_cluster_join_fails: false,
  },
  blocks_storage: {
    tsdb: { dir: '/data/tsdb', retention_period: '13h', head_compaction_interval: '1m' },
    bucket_store: { sync_dir: '/data/tsdb-sync', ignore_blocks_within: '10h' },
  },
  compactor: { block_ranges: ['2h', '12h', '24h'], data_dir: '/data', compaction_interval: '30m' },
  ingester: {
    ring: { replication_factor: 3, zone_awareness_enabled: false },
    instance_limits: { max_ingestion_rate: 0 },
  },
  distributor: { ring: { kvstore: { store: 'memberlist' } } },
  limits: {
    max_global_series_per_user: 150000,
    ingestion_rate: 10000.5,
    compactor_blocks_retention_period: '1y',
    max_label_names_per_series: 30,
    ruler_max_rules_per_rule_group_by_namespace: { team: 10 },
    metric_relabel_configs: [{ source_labels: ['__name__'], regex: 'go_.*', action: 'drop' }],
    blocked_queries: [{ pattern: 'up', regex: false, reason: 'too broad' }],
  },
  runtime_config: { file: '/etc/mimir/runtime.yaml', period: '10s' },
  shutdown_delay: 0,
};

describe('checkMimirConfig', () => {
  it('accepts a correct mimir.yaml', () => {
    expect(checkMimirConfig(validConfig, config)).toEqual([]);
  });

  it('reports an unknown field with a did-you-mean, naming the file and the tree path', () => {
    const problems = checkMimirConfig({ blocks_storage: { tsdb: { retention_periodd: '24h' } } }, config);
    expect(problems).toHaveLength(1);
    const [p] = problems;
    expect(p).toMatchObject({
      source: 'environments/local/main.ts',
      path: 'mimir.config',
      pointer: 'blocks_storage.tsdb.retention_periodd',
      hint: 'did you mean `retention_period`?',
    });
    expect(p.message).toContain('unknown field');
    expect(p.message).toContain('mimir.yaml');
    expect(formatProblems(problems)).toContain('blocks_storage.tsdb.retention_periodd: unknown field');
  });

  it('says where a known field lives when it is written at the wrong level', () => {
    const [p] = checkMimirConfig({ retention_period: '24h' }, config);
    expect(p.hint).toContain('blocks_storage.tsdb.retention_period');
  });

  it('rejects a string where an int is expected', () => {
    const p = at(
      checkMimirConfig({ limits: { max_global_series_per_user: '150000' } }, config),
      'limits.max_global_series_per_user',
    );
    expect(p.expected).toContain('integer');
    expect(p.found).toBe('string "150000"');
    expect(p.hint).toContain('not a quoted string');
  });

  it('rejects a malformed duration and a unitless number, but takes Go and Prometheus durations and 0', () => {
    const problems = checkMimirConfig(
      {
        blocks_storage: { tsdb: { retention_period: '24 hours', head_compaction_interval: 60 } },
        server: { graceful_shutdown_timeout: '1h30m', http_server_read_timeout: '500ms' },
        limits: { compactor_blocks_retention_period: '2w', max_query_lookback: 0 },
        shutdown_delay: '0',
      },
      config,
    );
    expect(problems.map((p) => p.pointer).sort()).toEqual([
      'blocks_storage.tsdb.head_compaction_interval',
      'blocks_storage.tsdb.retention_period',
    ]);
    expect(at(problems, 'blocks_storage.tsdb.retention_period').expected).toContain('duration');
    expect(at(problems, 'blocks_storage.tsdb.head_compaction_interval').hint).toContain('60s');
  });

  it('rejects an int where a boolean is expected', () => {
    const p = at(checkMimirConfig({ multitenancy_enabled: 1 }, config), 'multitenancy_enabled');
    expect(p.expected).toBe('a boolean');
    expect(p.found).toBe('number 1');
  });

  it('rejects a scalar where a block is expected, and a mapping where a scalar is expected', () => {
    const problems = checkMimirConfig({ ingester: 'enabled', server: { http_listen_port: { port: 80 } } }, config);
    expect(at(problems, 'ingester').message).toContain('block');
    expect(at(problems, 'ingester').found).toBe('string "enabled"');
    expect(at(problems, 'server.http_listen_port').expected).toContain('integer');
  });

  it('checks lists, maps and slices item by item', () => {
    const problems = checkMimirConfig(
      {
        memberlist: { join_members: 'a,b' },
        compactor: { block_ranges: ['2h', 'soon'] },
        limits: {
          ruler_max_rules_per_rule_group_by_namespace: { team: 'ten' },
          blocked_queries: [{ pattern: 'up', regexx: true }],
        },
      },
      config,
    );
    expect(problems.map((p) => p.pointer).sort()).toEqual([
      'compactor.block_ranges[1]',
      'limits.blocked_queries[0].regexx',
      'limits.ruler_max_rules_per_rule_group_by_namespace.team',
      'memberlist.join_members',
    ]);
    expect(at(problems, 'limits.blocked_queries[0].regexx').hint).toBe('did you mean `regex`?');
  });

  it('accepts ${VAR} and ${VAR:default} placeholders for any type, and checks defaults it can', () => {
    const ok = checkMimirConfig(
      {
        server: {
          http_listen_port: '${HTTP_PORT}',
          grpc_listen_port: '${GRPC_PORT:9095}',
          log_level: '${LOG_LEVEL:info}',
        },
        multitenancy_enabled: '${MULTITENANCY:true}',
        blocks_storage: { tsdb: { retention_period: '${RETENTION:13h}' }, s3: { endpoint: 'http://${S3_HOST}:9000' } },
        limits: { ingestion_rate: '$INGESTION_RATE' },
        memberlist: { join_members: ['${GOSSIP_HOST}'] },
      },
      config,
    );
    expect(ok).toEqual([]);

    const bad = checkMimirConfig({ server: { grpc_listen_port: '${GRPC_PORT:ninety}' } }, config);
    expect(at(bad, 'server.grpc_listen_port').message).toContain('default');
  });

  it('accepts hidden fields, including anything under a hidden block', () => {
    const problems = checkMimirConfig(
      {
        block_builder: { scheduler_config: { address: 'x:9095', update_interval: '20s' }, anything: [1, 2] },
        usage_tracker: { enabled: true },
        distributor: { influx_endpoint_enabled: true },
        blocks_storage: { tsdb: { block_ranges_period: ['2h'] } },
        limits: { max_active_series_per_user: 1000, ingestion_artificial_delay: '100ms' },
      },
      config,
    );
    expect(problems).toEqual([]);
  });

  it('collects every problem instead of stopping at the first', () => {
    const problems = checkMimirConfig(
      {
        targett: 'all',
        server: { http_listen_port: 'eighty' },
        blocks_storage: { tsdb: { retention_periodd: '1h', ship_interval: 'often' } },
        multitenancy_enabled: 'yes',
        ingester: 3,
      },
      config,
    );
    expect(problems.map((p) => p.pointer).sort()).toEqual([
      'blocks_storage.tsdb.retention_periodd',
      'blocks_storage.tsdb.ship_interval',
      'ingester',
      'multitenancy_enabled',
      'server.http_listen_port',
      'targett',
    ]);
    expect(problems.every((p) => p.path === 'mimir.config' && p.source === 'environments/local/main.ts')).toBe(true);
  });

  it('treats explicit nulls as "keep the default" and rejects a non-mapping file', () => {
    expect(checkMimirConfig({ server: null, limits: { max_global_series_per_user: null } }, config)).toEqual([]);
    expect(at(checkMimirConfig(['not', 'a', 'mapping'], config), '(root)').expected).toBe('a YAML mapping');
  });
});

describe('checkRuntimeConfig', () => {
  it('accepts every top-level key Mimir reads from the runtime file', () => {
    const problems = checkRuntimeConfig(
      {
        overrides: {
          'tenant-a': {
            max_global_series_per_user: 300000,
            ingestion_rate: 50000,
            compactor_blocks_retention_period: '30d',
          },
          'team.b': null,
          anonymous: { max_active_series_per_user: 5, ingestion_artificial_delay: '1s' },
        },
        multi_kv_config: { primary: 'memberlist', mirror_enabled: false },
        ingester_stream_chunks_when_using_blocks: true,
        ingester_limits: { max_series: 1500000, max_tenants: 1000, max_ingestion_rate: 20000 },
        distributor_limits: { max_inflight_push_requests: 2000, max_ingestion_rate: 20000 },
      },
      runtime,
    );
    expect(problems).toEqual([]);
    expect(checkRuntimeConfig(null, runtime)).toEqual([]);
  });

  it('checks each tenant entry against the limits block', () => {
    const problems = checkRuntimeConfig(
      {
        overrides: {
          'tenant-a': { max_global_series_per_user: 'lots', ingestion_ratee: 5 },
          'team.b': { compactor_blocks_retention_period: 'forever' },
        },
      },
      runtime,
    );
    expect(problems.map((p) => p.pointer).sort()).toEqual([
      'overrides.tenant-a.ingestion_ratee',
      'overrides.tenant-a.max_global_series_per_user',
      'overrides["team.b"].compactor_blocks_retention_period',
    ]);
    expect(at(problems, 'overrides.tenant-a.ingestion_ratee').hint).toBe('did you mean `ingestion_rate`?');
    expect(problems.every((p) => p.message.includes('runtime.yaml'))).toBe(true);
  });

  it('points out limits written outside a tenant, and unknown top-level keys', () => {
    const problems = checkRuntimeConfig(
      {
        ingestion_rate: 5,
        overrides: { max_global_series_per_user: 10 },
        ingester_limitss: {},
        ingester_limits: { max_tenant: 3 },
      },
      runtime,
    );
    expect(at(problems, 'ingestion_rate').hint).toContain('overrides.<tenant>.ingestion_rate');
    expect(at(problems, 'overrides.max_global_series_per_user').message).toContain('tenant');
    expect(at(problems, 'ingester_limitss').hint).toBe('did you mean `ingester_limits`?');
    expect(at(problems, 'ingester_limits.max_tenant').hint).toBe('did you mean `max_tenants`?');
  });

  it('takes placeholders literally, since Mimir does not expand the runtime file', () => {
    const p = at(
      checkRuntimeConfig({ overrides: { t: { max_global_series_per_user: '${MAX_SERIES:1000}' } } }, runtime),
      'overrides.t.max_global_series_per_user',
    );
    expect(p.hint).toContain('does not expand');
  });
});

describe('checkMimirFlags', () => {
  it('accepts known flags in every form Go accepts', () => {
    const problems = checkMimirFlags(
      [
        '-target=distributor',
        '-config.expand-env=true',
        '-config.file=/etc/mimir/mimir.yaml',
        '--runtime-config.file=/etc/mimir/runtime.yaml',
        '-auth.multitenancy-enabled',
        '-server.http-listen-port',
        '8080',
        '-blocks-storage.tsdb.retention-period=13h',
        '-ingester.ring.replication-factor=3',
        '-distributor.ingestion-rate-limit=1e5',
        '-ingester.ring.instance-addr=$(POD_IP)',
        '-blocks-storage.tsdb.block-ranges-period=2h,12h',
        '-help',
      ],
      args,
    );
    expect(problems).toEqual([]);
  });

  it('reports an unknown flag with the nearest known one', () => {
    const [p] = checkMimirFlags(['-target=distributor', '-blocks-storage.tsdb.retention-periodd=13h'], args);
    expect(p).toMatchObject({ path: 'mimir.distributor.args', pointer: 'args[1]' });
    expect(p.message).toContain('-blocks-storage.tsdb.retention-periodd');
    expect(p.hint).toBe('did you mean `-blocks-storage.tsdb.retention-period`?');
  });

  it('rejects values of the wrong type', () => {
    const problems = checkMimirFlags(
      [
        '-ingester.ring.replication-factor=three',
        '-config.expand-env=yes',
        '-blocks-storage.tsdb.retention-period=13 hours',
        '-server.grpc-listen-port=${GRPC_PORT}',
      ],
      args,
    );
    expect(problems.map((p) => p.pointer)).toEqual(['args[0]', 'args[1]', 'args[2]', 'args[3]']);
    expect(problems[0].expected).toBe('an integer');
    expect(problems[1].expected).toContain('boolean');
    expect(problems[2].expected).toContain('duration');
    expect(problems[3].hint).toContain('$(VAR)');
  });

  it('reports a value stranded after a boolean flag, which ends flag parsing', () => {
    const problems = checkMimirFlags(['-config.expand-env', 'true', '-target=all'], args);
    expect(problems).toHaveLength(1);
    expect(problems[0].pointer).toBe('args[1]');
    expect(problems[0].hint).toBe('boolean flags take their value only after `=`: write `-config.expand-env=true`');
  });

  it('reports a flag missing its value, and bad flag syntax', () => {
    const problems = checkMimirFlags(['---target=all', '-log.level'], args);
    expect(problems.map((p) => p.pointer)).toEqual(['args[0]', 'args[1]']);
    expect(problems[1].message).toContain('needs a value');
  });
});

describe('Mimir facts', () => {
  it('are the facts for MIMIR_REFERENCE_VERSION', () => {
    expect(getMimirFacts().mimirVersion).toBe(MIMIR_REFERENCE_VERSION);
    expect(getMimirFacts().limitsBlock).toBe('limits');
  });

  it('live in mimir-<version>.json beside the checks', () => {
    expect(path.basename(fileURLToPath(mimirFactsUrl()))).toBe(`mimir-${MIMIR_REFERENCE_VERSION}.json`);
    expect(path.basename(fileURLToPath(mimirFactsUrl('9.9')))).toBe('mimir-9.9.json');
  });

  it('stay small enough to load on every build', () => {
    expect(statSync(mimirFactsUrl()).size).toBeLessThan(200_000);
  });

  it('only use field types the checker understands', () => {
    const seen = new Set<string>();
    const visit = (node: ConfigNode): void => {
      if (typeof node === 'string') seen.add(node);
      else if (Array.isArray(node)) {
        if (node[0] !== 'ref') visit(node[1] as ConfigNode);
      } else for (const child of Object.values(node)) visit(child);
    };
    visit(getMimirFacts().config);
    visit(getMimirFacts().runtimeConfig);
    expect([...seen].filter((t) => !CHECKED_FIELD_TYPES.has(t))).toEqual([]);
    expect(mimirFlags().get('config.expand-env')).toBe('boolean');
    expect(mimirFlags().get('target')).toBe('string');
  });
});

const descriptor = path.join(DEFAULT_REFERENCE_DIR, 'config-descriptor.json');
const haveReference = existsSync(descriptor);
const reference = needs(
  `the full Mimir reference at ${path.relative(process.cwd(), descriptor)}`,
  haveReference,
  'the ../shared checkout',
);

describe.runIf(reference.run)(`facts freshness${reference.note}`, () => {
  it('has the reference', () => expect(haveReference, reference.missing).toBe(true));
  it(`regenerating from the reference reproduces ${path.basename(fileURLToPath(mimirFactsUrl()))} byte for byte`, () => {
    const committed = readFileSync(mimirFactsUrl(), 'utf8');
    expect(renderMimirFacts(DEFAULT_REFERENCE_DIR) === committed, 'facts are stale: run `npm run reference`').toBe(
      true,
    );
  });
});
