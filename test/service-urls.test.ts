/**
 * The address parser every "points at a rendered Service and port" check uses (Mimir's YAML, nginx,
 * Grafana, Alloy, MinIO's Job), and the problems it reports, each asserted whole.
 */
import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../lib/core/k8s/types.js';
import type { TreeEntry } from '../lib/core/tree.js';
import type { ValidationContext } from '../lib/core/checks/context.js';
import { serviceAddress, serviceReferenceProblem, serviceUrlProblem } from '../lib/core/checks/service-urls.js';

describe('serviceAddress', () => {
  it.each([
    [
      'http://gateway.mimir.svc.cluster.local:8080/api',
      'cluster.local',
      { service: 'gateway', namespace: 'mimir', port: 8080 },
    ],
    ['gateway.mimir.svc:9000', undefined, { service: 'gateway', namespace: 'mimir', port: 9000 }],
    ['gateway.mimir.svc', undefined, { service: 'gateway', namespace: 'mimir', port: 80 }],
    ['gateway:8080', undefined, { service: 'gateway', namespace: 'dflt', port: 8080 }],
    ['gateway', undefined, { service: 'gateway', namespace: 'dflt', port: 80 }],
    ['https://gateway', undefined, { service: 'gateway', namespace: 'dflt', port: 443 }],
    ['https://gateway:8443', undefined, { service: 'gateway', namespace: 'dflt', port: 8443 }],
    ['http://gateway.mimir.svc.k8s.example:80', 'k8s.example', { service: 'gateway', namespace: 'mimir', port: 80 }],
    ['http://gateway.mimir.svc.other.domain:80', undefined, { service: 'gateway', namespace: 'mimir', port: 80 }],
    ['http://gateway.mimir.svc.other.domain:80', 'cluster.local', undefined],
    ['gateway.mimir', undefined, undefined],
    ['s3.eu-west-1.amazonaws.com', undefined, undefined],
    ['a.b.c.svc', undefined, undefined],
    ['svc.mimir.x', undefined, undefined],
    ['http://[::1', undefined, undefined],
  ] as const)('%s (cluster domain %s)', (url, domain, expected) => {
    expect(serviceAddress(url, 'dflt', domain)).toStrictEqual(expected);
  });
});

const svc = (name: string, namespace: string, ports: { port: number; name?: string }[]): TreeEntry => ({
  group: 'g',
  component: name,
  key: 'service',
  object: { apiVersion: 'v1', kind: 'Service', metadata: { name, namespace }, spec: { ports } } as KubeObject,
});
const user: TreeEntry = {
  group: 'g',
  component: 'user',
  key: 'configMap',
  object: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'user', namespace: 'mimir' } } as KubeObject,
};
const ctx = (entries: TreeEntry[]): ValidationContext => ({
  entries: [user, ...entries],
  source: 'environments/x/main.ts',
  existingSecrets: new Set(),
});
const base = {
  source: 'environments/x/main.ts',
  path: 'g.user.configMap',
  object: 'v1 ConfigMap mimir/user',
  pointer: '/data/f',
};

describe('serviceReferenceProblem', () => {
  const services = [
    svc('gateway', 'mimir', [{ port: 8080, name: 'http' }, { port: 9095 }]),
    svc('bare', 'mimir', []),
    svc('elsewhere', 'other', [{ port: 1 }]),
  ];

  it('accepts a rendered Service and port, or port name', () => {
    expect(
      serviceReferenceProblem(
        ctx(services),
        user,
        { service: 'gateway', namespace: 'mimir', port: 8080 },
        'x',
        '/data/f',
      ),
    ).toBeUndefined();
    expect(
      serviceReferenceProblem(
        ctx(services),
        user,
        { service: 'gateway', namespace: 'mimir', portName: 'http' },
        'x',
        '/data/f',
      ),
    ).toBeUndefined();
    expect(
      serviceReferenceProblem(ctx(services), user, { service: 'gateway', namespace: 'mimir' }, 'x', '/data/f'),
    ).toBeUndefined();
  });

  it('a Service that is not rendered, with a suggestion or the general hint', () => {
    expect(
      serviceReferenceProblem(
        ctx(services),
        user,
        { service: 'gatewy', namespace: 'mimir', port: 8080 },
        'gatewy:8080',
        '/data/f',
      ),
    ).toStrictEqual({
      ...base,
      message: 'gatewy:8080 names Service "gatewy" in namespace mimir, which is not rendered',
      hint: 'did you mean `gateway`?',
    });
    expect(
      serviceReferenceProblem(ctx(services), user, { service: 'zzzzzzzzzz', namespace: 'mimir' }, 'z', '/data/f'),
    ).toStrictEqual({
      ...base,
      message: 'z names Service "zzzzzzzzzz" in namespace mimir, which is not rendered',
      hint: 'enable the component that serves it, or fix the address',
    });
    expect(
      serviceReferenceProblem(ctx(services), user, { service: 'elsewhere', namespace: 'mimir' }, 'e', '/data/f')
        ?.message,
    ).toBe('e names Service "elsewhere" in namespace mimir, which is not rendered');
  });

  it('a port the Service does not expose, listing the ones it does', () => {
    expect(
      serviceReferenceProblem(
        ctx(services),
        user,
        { service: 'gateway', namespace: 'mimir', port: 80 },
        'gateway:80',
        '/data/f',
      ),
    ).toStrictEqual({
      ...base,
      message: 'gateway:80 uses port 80, which Service "gateway" does not expose',
      expected: '8080 (http), 9095',
      found: '80',
    });
    expect(
      serviceReferenceProblem(
        ctx(services),
        user,
        { service: 'bare', namespace: 'mimir', port: 80 },
        'bare:80',
        '/data/f',
      ),
    ).toStrictEqual({
      ...base,
      message: 'bare:80 uses port 80, which Service "bare" does not expose',
      expected: 'a port',
      found: '80',
    });
  });

  it('a port name the Service does not have', () => {
    expect(
      serviceReferenceProblem(
        ctx(services),
        user,
        { service: 'gateway', namespace: 'mimir', portName: 'grpc' },
        '_grpc._tcp.gateway',
        '/data/f',
      ),
    ).toStrictEqual({
      ...base,
      message: '_grpc._tcp.gateway looks up port "grpc", which Service "gateway" does not name',
      expected: '8080 (http), 9095',
      found: 'grpc',
    });
  });

  it('serviceUrlProblem: the same for a URL, nothing for an address outside the cluster', () => {
    expect(serviceUrlProblem(ctx(services), user, 'http://gateway:80/x', '/data/f')).toStrictEqual({
      ...base,
      message: 'http://gateway:80/x uses port 80, which Service "gateway" does not expose',
      expected: '8080 (http), 9095',
      found: '80',
    });
    expect(
      serviceUrlProblem(ctx(services), user, 'http://gateway.mimir.svc.cluster.local:8080', '/data/f', 'cluster.local'),
    ).toBeUndefined();
    expect(serviceUrlProblem(ctx(services), user, 'https://s3.amazonaws.com', '/data/f')).toBeUndefined();
  });
});
