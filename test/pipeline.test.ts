/**
 * The build pipeline as a whole: config merge rules (README "Merge rules", the paragraph on the config
 * merge), every layer's problems together, and what reaches validation.
 */
import { describe, expect, it } from 'vitest';
import { defaultConfig } from '../lib/build/config.js';
import { add } from '../lib/core/merge.js';
import type { Environment } from '../lib/build/environment.js';
import type { KubeObject } from '../lib/core/k8s/types.js';
import { buildEnvironment, renderChecked, resolveConfig } from '../lib/build/pipeline.js';
import { parseYamlDocuments } from '../lib/core/yaml.js';

const source = 'environments/test/main.ts';
/** The storage and Grafana admin Secrets are the cluster's, as in every environment without development credentials. */
const existingSecrets = ['storage-credentials', 'grafana-admin'];

function args(o: KubeObject): string[] {
  return (
    (o.spec as { template: { spec: { containers: { name: string; args?: string[] }[] } } }).template.spec.containers[0]
      .args ?? []
  );
}

describe('config merge (resolveConfig): objects merge, arrays replace, null is kept as a value', () => {
  it('keeps a null from the environment instead of dropping it, and keeps the defaults beside it', () => {
    const c = resolveConfig({
      config: { mimir: { distributor: { flags: { 'runtime-config.file': null, 'log.level': 'debug' } } } },
    });
    expect(c.mimir.distributor.flags).toEqual({ 'runtime-config.file': null, 'log.level': 'debug' });
    expect(Object.hasOwn(c.mimir.distributor.flags, 'runtime-config.file')).toBe(true);
    expect(c.mimir.distributor.replicas).toBe(defaultConfig().mimir.distributor.replicas);
    expect(c.namespace).toBe('mimir');
  });

  it('keeps a null inside the partial of mimir.yaml', () => {
    const c = resolveConfig({ config: { mimir: { config: { server: { grpc_listen_port: null } } } } });
    expect(c.mimir.config).toEqual({ server: { grpc_listen_port: null } });
  });

  it('replaces arrays instead of concatenating them', () => {
    const base = defaultConfig();
    expect(base.mimir.alertmanager.fallbackConfig.receivers).toHaveLength(1);
    const c = resolveConfig({
      config: {
        existingSecrets: ['b'],
        mimir: { alertmanager: { fallbackConfig: { receivers: [{ name: 'pager' }, { name: 'mail' }] } } },
      },
    });
    expect(c.existingSecrets).toEqual(['b']);
    expect(c.mimir.alertmanager.fallbackConfig.receivers).toEqual([{ name: 'pager' }, { name: 'mail' }]);
    // the sibling key of the replaced array is merged as usual
    expect(c.mimir.alertmanager.fallbackConfig.route).toEqual({ receiver: 'default-receiver' });
  });

  it('merges objects recursively and never mutates the defaults or the environment', () => {
    const env = { config: { storage: { region: 'eu-west-1' } } };
    const frozen = JSON.stringify(env);
    const c = resolveConfig(env);
    expect(c.storage.region).toBe('eu-west-1');
    expect(c.storage.buckets).toEqual(defaultConfig().storage.buckets);
    expect(JSON.stringify(env)).toBe(frozen);
    c.storage.buckets.blocks = 'changed';
    expect(resolveConfig(env).storage.buckets.blocks).toBe('mimir-blocks');
  });

  it('an environment without config gets exactly the defaults', () => {
    expect(resolveConfig({})).toEqual(defaultConfig());
  });
});

describe('buildEnvironment', () => {
  it('a null flag in config removes the flag from the built container (end to end through the pipeline)', async () => {
    const withFlag = await buildEnvironment({ name: 'test', config: { existingSecrets } }, source);
    const without = await buildEnvironment(
      { name: 'test', config: { existingSecrets, mimir: { distributor: { flags: { 'runtime-config.file': null } } } } },
      source,
    );
    expect(without.problems).toEqual([]);
    const before = args(withFlag.built!.tree.mimir.distributor.deployment as KubeObject);
    const after = args(without.built!.tree.mimir.distributor.deployment as KubeObject);
    expect(before.some((a) => a.startsWith('-runtime-config.file='))).toBe(true);
    expect(after.some((a) => a.startsWith('-runtime-config.file'))).toBe(false);
    expect(after).toEqual(before.filter((a) => !a.startsWith('-runtime-config.file=')));
  });

  it('a null in the mimir.yaml partial removes a generated key from the file', async () => {
    const r = await buildEnvironment(
      {
        name: 'test',
        config: { existingSecrets, mimir: { config: { server: { log_level: 'debug', grpc_listen_port: null } } } },
      },
      source,
    );
    expect(r.problems).toEqual([]);
    const cm = r.built!.tree.mimir.config.configMap as KubeObject & { data: Record<string, string> };
    const yaml = parseYamlDocuments(cm.data['mimir.yaml'])[0] as { server: Record<string, unknown> };
    expect(yaml.server).toEqual({ http_listen_port: 8080, log_level: 'debug' });
  });

  it('returns the built environment with its resolved config, name and source', async () => {
    const r = await buildEnvironment({ name: 'test', config: { existingSecrets, namespace: 'obs' } }, source);
    expect(r.problems).toEqual([]);
    expect(r.built).toMatchObject({ name: 'test', source, config: { namespace: 'obs' } });
    expect((r.built!.tree.mimir.distributor.deployment as KubeObject).metadata?.namespace).toBe('obs');
  });

  it('stops at the schema: a config the schema rejects is reported and nothing is rendered', async () => {
    const r = await buildEnvironment({ name: 'test', config: { namespac: 'x' } } as unknown as Environment, source);
    expect(r.built).toBeUndefined();
    expect(r.problems.length).toBeGreaterThan(0);
    expect(r.problems.map((p) => `${p.source} ${p.path} ${p.message} ${p.hint ?? ''}`).join('\n')).toMatch(
      /environments\/test\/main\.ts config.*namespac.*namespace/s,
    );
  });

  it('an override problem carries the source and the override path', async () => {
    const r = await buildEnvironment(
      { name: 'test', overrides: { mimir: { ingestr: {} } } } as unknown as Environment,
      source,
    );
    expect(r.built).toBeUndefined();
    expect(r.problems).toHaveLength(1);
    expect(r.problems[0].source).toBe(source);
    expect(r.problems[0].path).toContain('overrides.mimir.ingestr');
    expect(r.problems[0].hint).toContain('ingester');
  });

  it('a render failure becomes a problem that names the step, not an exception', () => {
    const c = defaultConfig();
    (c.mimir as unknown as { distributor: unknown }).distributor = undefined;
    const r = renderChecked(c, source);
    expect(r.tree).toBeUndefined();
    expect(r.problems).toHaveLength(1);
    expect(r.problems[0]).toMatchObject({ source });
    expect(r.problems[0].path).toMatch(/render|mimir\.distributor/);
  });

  it('a config that passes the schema but cannot be rendered is reported, and nothing is built', async () => {
    const r = await buildEnvironment(
      { name: 'test', config: { existingSecrets, mimir: { distributor: { flags: { '-target': 'x' } } } } },
      source,
    );
    expect(r.built).toBeUndefined();
    expect(r.problems.length).toBeGreaterThan(0);
    expect(r.problems.every((p) => p.source === source)).toBe(true);
    expect(r.problems.map((p) => p.message).join('\n')).toContain('without the leading dash');
  });

  it('an exception that is not a BuildError becomes one problem at the step it happened in', () => {
    const c = defaultConfig();
    (c as unknown as { mimir: unknown }).mimir = undefined;
    const r = renderChecked(c, source);
    expect(r.tree).toBeUndefined();
    expect(r.problems).toEqual([{ source, path: 'render', message: expect.stringMatching(/undefined/) }]);
  });

  it('a missing environment is reported, not thrown', async () => {
    const r = await buildEnvironment(undefined as unknown as Environment, source);
    expect(r.built).toBeUndefined();
    expect(r.problems.length).toBeGreaterThan(0);
  });

  it('validation problems of the Kubernetes rules and of the module rules are all returned, with the source', async () => {
    const r = await buildEnvironment(
      {
        name: 'test',
        config: { existingSecrets, mimir: { config: { blocks_storage: { tsdb: { retention_periodd: '1h' } } } } },
        overrides: {
          mimir: { distributor: { deployment: { spec: { template: { spec: { hostNetwork: add(true) } } } } } },
        },
      } as unknown as Environment,
      source,
    );
    expect(r.built).toBeUndefined();
    const text = r.problems.map((p) => `${p.source} ${p.path} ${p.pointer ?? ''} ${p.message}`).join('\n');
    expect(text).toContain('retention_periodd');
    expect(text).toContain('mimir.distributor.deployment /spec/template/spec host namespaces are not allowed');
    expect(r.problems.every((p) => p.source === source)).toBe(true);
  });

  it('the Argo CD Application is checked too: a bad project name type is a problem', async () => {
    const r = await buildEnvironment(
      { name: 'test', config: { existingSecrets, gitops: { automated: false } } },
      source,
    );
    expect(r.problems).toEqual([]);
    const bad = await buildEnvironment(
      { name: 'test', config: { existingSecrets, gitops: { repoURL: 5 } } } as unknown as Environment,
      source,
    );
    expect(bad.built).toBeUndefined();
    expect(bad.problems.length).toBeGreaterThan(0);
  });
});

describe('the error shown in the README', () => {
  it('is what the build prints for a misspelt Mimir field, byte for byte', async () => {
    const { readFileSync } = await import('node:fs');
    const { formatProblems } = await import('../lib/core/problems.js');
    const readme = readFileSync('README.md', 'utf8');
    const shown = /Errors name the file, the path and the fix[^\n]*:\n\n```\n([\s\S]*?)\n```/.exec(readme)?.[1];
    expect(shown, 'README.md shows an error after "Errors name the file, the path and the fix:"').toBeDefined();
    const r = await buildEnvironment(
      {
        name: 'local',
        config: { existingSecrets, mimir: { config: { blocks_storage: { tsdb: { retention_periodd: '24h' } } } } },
      },
      'environments/local/main.ts',
    );
    expect(formatProblems(r.problems)).toBe(shown);
  });
});

describe('buildEnvironment: which layer reports', () => {
  it('a bad name is reported once, by the name check, beside the schema problems of the rest', async () => {
    const r = await buildEnvironment({ name: 'Bad_Name', config: { namespac: 'x' } } as unknown as Environment, source);
    expect(r.built).toBeUndefined();
    expect(r.problems.filter((p) => p.path === 'name')).toHaveLength(1);
    expect(r.problems.some((p) => p.path !== 'name' && /namespac/.test(`${p.path} ${p.message}`))).toBe(true);
  });

  it('a namespace the schema accepts but Kubernetes does not stops the build before rendering', async () => {
    const r = await buildEnvironment({ name: 'test', config: { existingSecrets, namespace: 'Mimir_X' } }, source);
    expect(r.built).toBeUndefined();
    expect(r.problems.map(({ path, message }) => ({ path, message }))).toEqual([
      { path: 'config.namespace', message: 'invalid namespace name' },
    ]);
  });

  it('renderChecked returns the tree and no problems when rendering succeeds', () => {
    const r = renderChecked(resolveConfig({}), source);
    expect(r.tree).toBeDefined();
    expect(r.problems).toEqual([]);
  });
});
