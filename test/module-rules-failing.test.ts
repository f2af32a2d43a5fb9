/**
 * One failing case per module check (lib/mimir, lib/observability): the whole stack with every
 * optional component on passes all of them; each case breaks one generated file, flag or config value
 * in the rendered tree and asserts the problem's tree path, pointer and message.
 */
import { describe, expect, it } from 'vitest';
import { check, expectModuleCase, stack, type ModuleCase, type Objects } from './support/module-cases.js';
import type { KubeObject, PodSpec } from '../lib/core/k8s/types.js';
import { render } from '../lib/build/render.js';

const data = (t: Objects, g: string, c: string, k: string) => t[g][c][k].data as Record<string, string>;
const pod = (o: KubeObject) => (o.spec as { template: { spec: PodSpec } }).template.spec;

type Case = ModuleCase;

const cases: Case[] = [
  {
    name: 'mimir.yaml that is not YAML',
    edit: (t) => (data(t, 'mimir', 'config', 'configMap')['mimir.yaml'] = 'server: [\n'),
    path: 'mimir.config.configMap',
    pointer: '/data/mimir.yaml',
    message: /^mimir\.yaml is not valid YAML: /,
  },
  {
    name: 'runtime.yaml that is not YAML',
    edit: (t) => (data(t, 'mimir', 'config', 'runtimeConfigMap')['runtime.yaml'] = 'overrides: {\n'),
    path: 'mimir.config.runtimeConfigMap',
    pointer: '/data/runtime.yaml',
    message: /^runtime\.yaml is not valid YAML: /,
  },
  {
    name: 'an unknown field in mimir.yaml',
    edit: (t) => (data(t, 'mimir', 'config', 'configMap')['mimir.yaml'] += 'limits:\n  ingestion_ratee: 1\n'),
    path: 'mimir.config.configMap',
    message: 'unknown field `ingestion_ratee`',
    hint: 'ingestion_rate',
  },
  {
    name: 'an unknown limit for a tenant in runtime.yaml',
    config: (c) => (c.mimir.tenants = { 'team-a': { ingestion_ratee: 1 } as never }),
    path: 'mimir.config.runtimeConfigMap',
    message: 'unknown field `ingestion_ratee`',
  },
  {
    name: 'an unknown Mimir flag',
    config: (c) => (c.mimir.querier.flags = { 'querier.max-concurrentt': 4 }),
    path: 'mimir.querier.deployment',
    pointer: /\/spec\/template\/spec\/containers\/0\/args\/\d+/,
    message: /querier\.max-concurrentt/,
  },
  {
    name: 'a Mimir flag of the wrong type',
    config: (c) => (c.mimir.distributor.flags = { 'distributor.ha-tracker.enable': 'maybe' }),
    path: 'mimir.distributor.deployment',
    pointer: /\/args\/\d+/,
    message: /distributor\.ha-tracker\.enable/,
  },
  {
    name: 'an invalid S3 bucket name',
    config: (c) => (c.storage.buckets.blocks = 'Mimir_Blocks'),
    path: 'config.storage.buckets.blocks',
    message: 'invalid S3 bucket name "Mimir_Blocks"',
  },
  {
    name: 'a bucket Job whose template changed under its old name',
    edit: (t) => (pod(t.observability.minio.job).containers[0].image = 'minio/mc:other'),
    path: 'observability.minio.job',
    pointer: '/metadata/name',
    message: "the bucket Job's name does not match its pod template",
  },
  {
    name: 'a MinIO endpoint naming no rendered Service',
    edit: (t) =>
      (pod(t.observability.minio.job).containers[0].env!.find((e) => e.name === 'MINIO_ENDPOINT')!.value =
        'http://minio2:9000'),
    path: 'observability.minio.job',
    pointer: /\/env\/\d+\/value$/,
    message: /names Service "minio2"/,
  },
  {
    name: 'nginx.conf proxying to a Service that is not rendered',
    edit: (t) =>
      (data(t, 'observability', 'gateway', 'configMap')['nginx.conf'] = data(
        t,
        'observability',
        'gateway',
        'configMap',
      )['nginx.conf'].replace(/distributor\.mimir\.svc/, 'distributer.mimir.svc')),
    path: 'observability.gateway.configMap',
    pointer: /nginx\.conf/,
    message: /distributer/,
    hint: 'distributor',
  },
  {
    name: 'an invalid default tenant',
    config: (c) => (c.defaultTenant = 'a b'),
    path: 'config.defaultTenant',
    message: /default tenant "a b"/,
  },
  {
    name: 'Grafana data sources that are not YAML',
    edit: (t) => (data(t, 'observability', 'grafana', 'datasources')['datasources.yaml'] = 'datasources: [\n'),
    path: 'observability.grafana.datasources',
    pointer: '/data/datasources.yaml',
    message: /^not valid YAML: /,
  },
  {
    name: 'a Grafana dashboard that is not JSON',
    edit: (t) => (data(t, 'observability', 'grafana', 'dashboardMimirStackHealth')['mimir-stack-health.json'] = '{'),
    path: 'observability.grafana.dashboardMimirStackHealth',
    pointer: '/data/mimir-stack-health.json',
    message: /^not valid JSON: /,
  },
  {
    name: 'a dashboard panel querying a data source that is not provisioned',
    edit: (t) => {
      const d = data(t, 'observability', 'grafana', 'dashboardMimirStackHealth');
      d['mimir-stack-health.json'] = d['mimir-stack-health.json'].replace(/"uid": ?"([^"]+)"/, '"uid": "nope"');
    },
    path: 'observability.grafana.dashboardMimirStackHealth',
    message: /queries data source uid "nope", which is not provisioned/,
  },
  {
    name: 'a Grafana data source URL naming no rendered Service',
    edit: (t) => {
      const d = data(t, 'observability', 'grafana', 'datasources');
      d['datasources.yaml'] = d['datasources.yaml'].replace(/gateway\.mimir\.svc/g, 'gatewy.mimir.svc');
    },
    path: 'observability.grafana.datasources',
    message: /gatewy/,
  },
  {
    name: 'an Alloy config that does not parse',
    edit: (t) => (data(t, 'observability', 'alloy', 'configMap')['config.alloy'] += 'broken "x" {\n'),
    path: 'observability.alloy.configMap',
    message: /^Alloy syntax error: /,
  },
  {
    name: 'an Alloy reference to a component that is not declared',
    edit: (t) => {
      const d = data(t, 'observability', 'alloy', 'configMap');
      d['config.alloy'] = d['config.alloy'].replace(
        /prometheus\.remote_write\.([a-z_]+)\.receiver/,
        'prometheus.remote_write.nope.receiver',
      );
    },
    path: 'observability.alloy.configMap',
    message:
      /refers to prometheus\.remote_write\.nope\.receiver, but no component prometheus\.remote_write\.nope is declared/,
  },
  {
    name: 'an Alloy remote write URL naming no rendered Service',
    edit: (t) => {
      const d = data(t, 'observability', 'alloy', 'configMap');
      d['config.alloy'] = d['config.alloy'].replace(/gateway\.mimir\.svc/g, 'gatewy.mimir.svc');
    },
    path: 'observability.alloy.configMap',
    message: /gatewy/,
  },
  {
    name: 'a Kafka client ID set in mimir.yaml by an override',
    config: (c) => {
      c.mimir.architecture = 'ingest-storage';
      c.observability.kafka.enabled = true;
    },
    edit: (t) => {
      const d = data(t, 'mimir', 'config', 'configMap');
      d['mimir.yaml'] = d['mimir.yaml'].replace('  kafka:\n', '  kafka:\n    client_id: mimir prod\n');
    },
    path: 'mimir.config.configMap',
    pointer: '/data/mimir.yaml',
    message: 'the Kafka client ID contains " "',
  },
  {
    name: "a Kafka client ID in a container's args",
    config: (c) => {
      c.mimir.architecture = 'ingest-storage';
      c.observability.kafka.enabled = true;
    },
    edit: (t) => {
      pod(t.mimir.distributor.deployment).containers[0].args!.push(
        '-ingest-storage.kafka.client-id=' + 'x'.repeat(300),
      );
    },
    path: 'mimir.distributor.deployment',
    pointer: '/spec/template/spec/containers/0/args/5',
    message: 'is 300 characters long',
  },
];

describe('module checks', () => {
  it('the whole stack with every optional component passes them all', () => {
    const c = stack();
    expect(check(c, render(c))).toEqual([]);
  });

  it.each(cases.map((c) => [c.name, c] as const))('%s', (_name, k) => expectModuleCase(k));
});
