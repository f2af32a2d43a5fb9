/**
 * A representative subset of the bad-input suite through the real CLI, in one run: each broken
 * environment is its own YAML file, and together they must exit 1 with every file and path named, no
 * stack trace, and the output folder byte-identical. (`rules.test.ts` covers every rule in process.)
 */
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { snapshot } from '../support/files.js';
import { stackFrame } from '../support/bad-input.js';

const tmp = mkdtempSync(join(tmpdir(), 'bad-input-cli-'));
const out = join(tmp, 'out');
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const working = {
  storage: { developmentCredentials: true },
  observability: { grafana: { developmentCredentials: true } },
};

/** Folder name → environment file content (an object is written as YAML, a string as is). */
const environments: Record<string, object | string> = {
  'uppercase-namespace': { name: 'uppercase-namespace', config: { ...working, namespace: 'Mimir' } },
  'limit-below-request': {
    name: 'limit-below-request',
    config: {
      ...working,
      mimir: { ingester: { resources: { requests: { cpu: '1', memory: '2Gi' }, limits: { memory: '1Gi' } } } },
    },
  },
  'untagged-image': { name: 'untagged-image', config: { ...working, images: { mimir: 'grafana/mimir' } } },
  'log-level': {
    name: 'log-level',
    config: { ...working, mimir: { distributor: { flags: { 'log.level': 'verbose' } } } },
  },
  'grpc-port': {
    name: 'grpc-port',
    config: { ...working, mimir: { distributor: { flags: { 'server.grpc-listen-port': 8080 } } } },
  },
  tenant: { name: 'tenant', config: { ...working, mimir: { tenants: { 'team a': { ingestion_rate: 1 } } } } },
  'endpoint-scheme': {
    name: 'endpoint-scheme',
    config: {
      ...working,
      existingSecrets: ['storage-credentials'],
      storage: { endpoint: 'https://s3.eu-west-1.amazonaws.com' },
    },
  },
  'long-name': { name: 'a'.repeat(300), config: working },
  'ruler-mode': { name: 'ruler-mode', config: { ...working, mimir: { ruler: { mode: 'remot' } } } },
  'missing-secret': {
    name: 'missing-secret',
    config: { observability: { grafana: { developmentCredentials: true } } },
  },
  empty: '# nothing here yet\n',
  reserved: { name: 'base', config: working },
  'twin-a': { name: 'twin', config: working },
  'twin-b': { name: 'twin', config: working },
};

const file = (dir: string) => relative(process.cwd(), join(tmp, 'environments', dir, 'environment.yaml'));
let result: { exitCode?: number; all?: string };
let before: Record<string, string>;

beforeAll(async () => {
  cpSync('out', out, { recursive: true });
  for (const [dir, content] of Object.entries(environments)) {
    mkdirSync(join(tmp, 'environments', dir), { recursive: true });
    writeFileSync(
      join(tmp, 'environments', dir, 'environment.yaml'),
      typeof content === 'string' ? content : stringify(content),
    );
  }
  before = snapshot(out);
  const dirs = Object.keys(environments).map((d) => join(tmp, 'environments', d));
  result = await execa('npx', ['tsx', 'build.ts', ...dirs, '--out', out], { reject: false, all: true });
}, 120_000);

describe('bad input through the CLI: exit 1, every file named, no stack, out/ untouched', () => {
  it('exits 1 and leaves the output folder byte-identical', () => {
    expect(result.exitCode, result.all).toBe(1);
    expect(snapshot(out)).toEqual(before);
    expect(result.all).toMatch(/error: \d+ errors in \d+ places — out\/ left untouched/);
  });

  it('prints no stack trace', () => {
    expect(result.all).not.toMatch(stackFrame);
    expect(result.all).not.toMatch(/ENAMETOOLONG|TypeError|RangeError/);
  });

  const expectations: [string, string, RegExp][] = [
    ['uppercase-namespace', 'config.namespace', /invalid namespace name[\s\S]*hint: e\.g\. "mimir"/],
    [
      'limit-below-request',
      'mimir.ingester.statefulSet',
      /memory limit 1Gi of container "ingester" is below its request 2Gi/,
    ],
    ['untagged-image', 'places', /the image has neither a tag nor a digest/],
    ['log-level', 'mimir.distributor.deployment', /takes one of `debug`, `info`, `warn`, `error`/],
    ['grpc-port', 'mimir.distributor.deployment', /HTTP and gRPC on the same port 8080/],
    ['tenant', 'config.mimir.tenants["team a"]', /tenant ID "team a" has characters Mimir does not accept/],
    ['endpoint-scheme', 'config.storage.endpoint', /written with a scheme \(https:\/\/\)/],
    ['long-name', 'name', /300 characters long; its Argo CD Application/],
    ['ruler-mode', 'config.mimir.ruler.mode', /expected: one of "internal", "remote"[\s\S]*did you mean `remote`/],
    ['missing-secret', 'places', /Secret "storage-credentials" does not exist/],
    ['empty', '(file)', /environment\.yaml is empty/],
    ['reserved', 'name', /"base" is a reserved output folder/],
    ['twin-a', 'name', /are both named "twin"/],
  ];
  it.each(expectations)('%s: the file and path are named, with the message', (dir, path, message) => {
    const all = result.all ?? '';
    const head = `${file(dir)} › ${path === 'places' ? '' : path}`;
    const at = all.indexOf(head);
    expect(at, `"${head}" not in:\n${all}`).toBeGreaterThanOrEqual(0);
    // The message belongs to this file's block: it comes before the next file's heading.
    const block = all.slice(at).split(/\n(?=\S)/)[0];
    expect(block).toMatch(message);
  });

  it('the uppercase namespace is one problem, and the missing Secret is named once', () => {
    const all = result.all ?? '';
    expect(all.split('\n').filter((l) => l.startsWith(file('uppercase-namespace')))).toHaveLength(1);
    expect(all.match(/Secret "storage-credentials" does not exist/g)).toHaveLength(1);
  });

  it('the duplicate name names both files', () => {
    expect(result.all).toContain(`environments ${file('twin-a')} and ${file('twin-b')} are both named "twin"`);
  });
});
