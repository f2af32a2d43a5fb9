/**
 * Edges of the shared validation rules that validate-shared-values.test.ts leaves out: values of the wrong
 * shape where the schema rule is the one to speak (a scalar or null where an object belongs, `requests:
 * null`), a probe with no port at all, a Service without ports, and capitals only in a registry host.
 */
import { describe, expect, it } from 'vitest';

import type { KubeObject, TreeLike } from '../lib/core/k8s/types.js';
import { flatten } from '../lib/core/tree.js';
import type { ValidationContext } from '../lib/core/checks/context.js';
import { serviceUrlProblem } from '../lib/core/checks/service-urls.js';
import { fieldsRule } from '../lib/build/validate/fields.js';
import { imageProblem } from '../lib/build/validate/images.js';
import { resourcesRule } from '../lib/build/validate/resources.js';
import { serviceAddressesRule } from '../lib/build/validate/service-addresses.js';

const ctxOf = (tree: TreeLike): ValidationContext => ({
  entries: flatten(tree),
  source: 'environments/shop.ts',
  existingSecrets: new Set(),
});
const obj = (o: unknown): KubeObject => o as KubeObject;
const deployment = (container: Record<string, unknown>): KubeObject =>
  obj({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'shop' },
    spec: { template: { spec: { containers: [{ name: 'web', image: 'web:1', ...container }] } } },
  });

describe('wrong shapes are the schema rule’s to report', () => {
  it('unknown fields: a scalar or a null where an object of known fields belongs is not walked', () => {
    const svc = obj({ apiVersion: 'v1', kind: 'Service', metadata: 'web', spec: { selector: null, ports: null } });
    expect(fieldsRule(ctxOf({ a: { b: { s: svc } } }))).toEqual([]);
  });

  it('resources: `requests: null` is no list of quantities', () => {
    expect(resourcesRule(ctxOf({ a: { b: { d: deployment({ resources: { requests: null } }) } } }))).toEqual([]);
  });
});

describe('probes and Services without ports', () => {
  it('an exec probe has no port to check', () => {
    const d = deployment({
      readinessProbe: { exec: { command: ['true'] } },
      ports: [{ name: 'http', containerPort: 80 }],
    });
    expect(serviceAddressesRule(ctxOf({ shop: { web: { d } } }))).toEqual([]);
  });

  it('a Service with no ports listed exposes none', () => {
    const entries = flatten({
      a: {
        b: {
          cm: obj({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'shop' } }),
          svc: obj({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'shop' }, spec: {} }),
        },
      },
    });
    const cm = entries.find((e) => e.key === 'cm')!;
    const p = serviceUrlProblem({ entries, existingSecrets: new Set() }, cm, 'http://web:80', '/data/x');
    expect(p?.expected).toBe('a port');
  });
});

describe('images', () => {
  it('capitals only in the registry host do not make the repository uppercase', () => {
    expect(imageProblem('Registry.example.com/mimir:1:x')).toBe('not a valid image reference');
  });
});
