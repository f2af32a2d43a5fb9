import type { IStatefulSet } from 'kubernetes-models/apps/v1/StatefulSet';
import type { IService } from 'kubernetes-models/v1/Service';
import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../lib/build/pipeline.js';
import {
  DELETE,
  add,
  append,
  byName,
  isMarker,
  isPlainObject,
  merge,
  mergeAll,
  mergeConfig,
  mergeYaml,
  prepend,
  type Override,
} from '../lib/core/merge.js';
import { BuildError, type Problem } from '../lib/core/problems.js';

interface Tree {
  mimir: {
    ingester: { statefulSet: IStatefulSet; service: IService };
    distributor: { service: IService };
  };
}

function tree(): Tree {
  return {
    mimir: {
      ingester: {
        statefulSet: {
          apiVersion: 'apps/v1',
          kind: 'StatefulSet',
          metadata: { name: 'ingester', labels: { 'app.kubernetes.io/name': 'mimir' } },
          spec: {
            serviceName: 'ingester',
            replicas: 3,
            selector: { matchLabels: { app: 'ingester' } },
            template: {
              spec: {
                containers: [
                  {
                    name: 'ingester',
                    image: 'grafana/mimir:2.14.0',
                    args: ['-target=ingester', '-config.file=/etc/mimir/mimir.yaml'],
                    ports: [
                      { name: 'http-metrics', containerPort: 8080 },
                      { name: 'grpc', containerPort: 9095 },
                    ],
                    env: [
                      { name: 'GOMAXPROCS', value: '4' },
                      { name: 'JAEGER_AGENT_HOST', value: 'alloy' },
                    ],
                    volumeMounts: [
                      { name: 'config', mountPath: '/etc/mimir' },
                      { name: 'data', mountPath: '/data' },
                    ],
                  },
                  { name: 'sidecar', image: 'busybox' },
                ],
              },
            },
          },
        },
        service: {
          apiVersion: 'v1',
          kind: 'Service',
          metadata: { name: 'ingester' },
          spec: { ports: [{ name: 'grpc', port: 9095 }] },
        },
      },
      distributor: { service: { apiVersion: 'v1', kind: 'Service', metadata: { name: 'distributor' } } },
    },
  };
}

const ingester = (t: Tree) => t.mimir.ingester.statefulSet.spec!.template.spec!.containers[0];

function problemsOf(run: () => unknown): Problem[] {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(BuildError);
    return (error as BuildError).problems;
  }
  throw new Error('expected merge() to throw a BuildError');
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object') {
    // ownKeys, not Object.values: marker fields are symbol-keyed and must be frozen too.
    for (const key of Reflect.ownKeys(value)) deepFreeze((value as Record<PropertyKey, unknown>)[key]);
    Object.freeze(value);
  }
  return value;
}

/** Every value in the output must be JSON data: no markers, symbols, class instances or undefined. */
function assertPlainData(value: unknown, path = '$'): void {
  if (Array.isArray(value)) return value.forEach((item, i) => assertPlainData(item, `${path}[${i}]`));
  if (isPlainObject(value)) {
    expect(Object.getOwnPropertySymbols(value), path).toEqual([]);
    return Object.entries(value).forEach(([k, v]) => assertPlainData(v, `${path}.${k}`));
  }
  expect(['string', 'number', 'boolean'], `${path} is ${String(value)}`).toContain(typeof value);
}

describe('merge', () => {
  it('merges objects recursively, keeping base keys the override does not mention', () => {
    const out = merge(tree(), {
      mimir: { ingester: { statefulSet: { metadata: { labels: { 'app.kubernetes.io/name': 'x' } } } } },
    });
    expect(out.mimir.ingester.statefulSet.metadata).toEqual({
      name: 'ingester',
      labels: { 'app.kubernetes.io/name': 'x' },
    });
    expect(out.mimir.ingester.statefulSet.spec!.replicas).toBe(3);
    expect(out.mimir.distributor).toEqual(tree().mimir.distributor);
  });

  it('replaces scalars', () => {
    const out = merge(tree(), {
      mimir: { ingester: { statefulSet: { spec: { replicas: 5, serviceName: 'ingest' } } } },
    });
    expect(out.mimir.ingester.statefulSet.spec!.replicas).toBe(5);
    expect(out.mimir.ingester.statefulSet.spec!.serviceName).toBe('ingest');
  });

  it('replaces arrays as a whole (a plain deep merge would concatenate them)', () => {
    const base = { args: ['-a', '-b'] };
    const override = { args: ['-c'] };
    expect(merge(base, override).args).toEqual(['-c']);
  });

  it('append() adds items to the end of the base array', () => {
    const out = merge(tree(), {
      mimir: {
        ingester: {
          statefulSet: {
            spec: { template: { spec: { containers: byName({ ingester: { args: append(['-foo=bar']) } }) } } },
          },
        },
      },
    });
    expect(ingester(out).args).toEqual(['-target=ingester', '-config.file=/etc/mimir/mimir.yaml', '-foo=bar']);
  });

  it('prepend() adds items to the start of the base array', () => {
    expect(merge({ args: ['-b'] }, { args: prepend(['-a']) }).args).toEqual(['-a', '-b']);
  });

  describe('byName', () => {
    const containers = (o: Override<IStatefulSet['spec']>) => ({ mimir: { ingester: { statefulSet: { spec: o } } } });

    it('merges into the item with that name, not by position, keeping order', () => {
      const out = merge(
        tree(),
        containers({ template: { spec: { containers: byName({ sidecar: { image: 'alpine' } }) } } }),
      );
      const list = out.mimir.ingester.statefulSet.spec!.template.spec!.containers;
      expect(list.map((c) => c.name)).toEqual(['ingester', 'sidecar']);
      expect(list[1]).toEqual({ name: 'sidecar', image: 'alpine' });
      expect(list[0]).toEqual(ingester(tree()));
    });

    it('matches ports by name, never by containerPort', () => {
      const out = merge(
        tree(),
        containers({
          template: {
            spec: { containers: byName({ ingester: { ports: byName({ grpc: { containerPort: 8080 } }) } }) },
          },
        }),
      );
      expect(ingester(out).ports).toEqual([
        { name: 'http-metrics', containerPort: 8080 },
        { name: 'grpc', containerPort: 8080 },
      ]);
    });

    it('appends an add(…) item, giving it the entry name', () => {
      const out = merge(
        tree(),
        containers({
          template: { spec: { containers: byName({ ingester: { env: byName({ DEBUG: add({ value: '1' }) }) } }) } },
        }),
      );
      expect(ingester(out).env).toEqual([
        { name: 'GOMAXPROCS', value: '4' },
        { name: 'JAEGER_AGENT_HOST', value: 'alloy' },
        { name: 'DEBUG', value: '1' },
      ]);
    });

    it('removes an item with DELETE', () => {
      const out = merge(
        tree(),
        containers({
          template: { spec: { containers: byName({ ingester: { env: byName({ GOMAXPROCS: DELETE }) } }) } },
        }),
      );
      expect(ingester(out).env).toEqual([{ name: 'JAEGER_AGENT_HOST', value: 'alloy' }]);
    });

    it('rejects an unknown name with a did-you-mean suggestion', () => {
      const problems = problemsOf(() =>
        merge(tree(), containers({ template: { spec: { containers: byName({ ingestor: { image: 'x' } }) } } }), {
          path: 'overrides',
        }),
      );
      expect(problems).toHaveLength(1);
      expect(problems[0].path).toBe(
        'overrides.mimir.ingester.statefulSet.spec.template.spec.containers[name=ingestor]',
      );
      expect(problems[0].hint).toContain('did you mean `ingester`?');
    });

    it('merges by another key such as mountPath', () => {
      const out = merge(
        tree(),
        containers({
          template: {
            spec: {
              containers: byName({
                ingester: {
                  volumeMounts: byName({ '/data': { readOnly: add(true) }, '/tmp': add({ name: 'tmp' }) }, 'mountPath'),
                },
              }),
            },
          },
        }),
      );
      expect(ingester(out).volumeMounts).toEqual([
        { name: 'config', mountPath: '/etc/mimir' },
        { name: 'data', mountPath: '/data', readOnly: true },
        { mountPath: '/tmp', name: 'tmp' },
      ]);
      const problems = problemsOf(() =>
        merge(ingester(tree()), { volumeMounts: byName({ '/dta': { readOnly: add(true) } }, 'mountPath') }),
      );
      expect(problems[0].hint).toContain('did you mean `/data`?');
    });
  });

  describe('DELETE', () => {
    it('removes a key', () => {
      const out = merge(tree(), { mimir: { ingester: { statefulSet: { metadata: { labels: DELETE } } } } });
      expect(out.mimir.ingester.statefulSet.metadata).toEqual({ name: 'ingester' });
      expect('labels' in out.mimir.ingester.statefulSet.metadata!).toBe(false);
    });

    it('removes a whole object or component', () => {
      const out = merge(tree(), { mimir: { distributor: DELETE, ingester: { service: DELETE } } });
      expect(Object.keys(out.mimir)).toEqual(['ingester']);
      expect(Object.keys(out.mimir.ingester)).toEqual(['statefulSet']);
    });

    it('is an error on a key the base does not have', () => {
      const problems = problemsOf(() => merge(tree(), { mimir: { distributer: DELETE } } as Override<Tree>));
      expect(problems).toMatchObject([
        { path: 'mimir.distributer', hint: expect.stringContaining('did you mean `distributor`?') },
      ]);
    });
  });

  it('rejects a key the base does not have, with did-you-mean, path and source', () => {
    const problems = problemsOf(() =>
      merge(tree(), { mimir: { ingestor: { service: {} } } } as Override<Tree>, {
        path: 'overrides',
        source: 'environments/local/main.ts',
      }),
    );
    expect(problems).toEqual([
      expect.objectContaining({
        source: 'environments/local/main.ts',
        path: 'overrides.mimir.ingestor',
        hint: expect.stringContaining('did you mean `ingester`?'),
      }),
    ]);
  });

  it('add(…) creates a new key, and is an error on a key that exists', () => {
    const out = merge(tree(), {
      mimir: { ingester: { statefulSet: { metadata: { annotations: add({ team: 'obs' }) } } } },
    });
    expect(out.mimir.ingester.statefulSet.metadata!.annotations).toEqual({ team: 'obs' });
    const problems = problemsOf(() =>
      merge(tree(), { mimir: { ingester: { statefulSet: { metadata: { name: add('x') } } } } }),
    );
    expect(problems).toMatchObject([
      { path: 'mimir.ingester.statefulSet.metadata.name', message: expect.stringContaining('already has') },
    ]);
  });

  it('allowNew lets a config partial add keys, list items and markers onto nothing', () => {
    type Config = { server: Record<string, unknown>; ports: { name: string; port?: number }[]; gone?: string };
    const base: Config = { server: { http_listen_port: 8080 }, ports: [{ name: 'http' }] };
    const out = merge(
      base,
      {
        server: { grpc_listen_port: 9095, tags: append(['a']) },
        ports: byName({ grpc: { port: 9095 } }),
        gone: DELETE,
      },
      { allowNew: true },
    );
    expect(out).toEqual({
      server: { http_listen_port: 8080, grpc_listen_port: 9095, tags: ['a'] },
      ports: [{ name: 'http' }, { name: 'grpc', port: 9095 }],
    });
    expect(() => merge(base, { server: { grpc_listen_port: 9095 } })).toThrow(BuildError);
  });

  it('rejects raw null and undefined (which a plain deep merge would keep), pointing at DELETE', () => {
    const problems = problemsOf(() =>
      merge(tree(), {
        mimir: { ingester: { statefulSet: { spec: { replicas: undefined, serviceName: null as unknown as string } } } },
      }),
    );
    expect(problems.map((p) => [p.path, p.found])).toEqual([
      ['mimir.ingester.statefulSet.spec.replicas', 'undefined'],
      ['mimir.ingester.statefulSet.spec.serviceName', 'null'],
    ]);
    expect(problems.every((p) => p.hint?.includes('DELETE'))).toBe(true);
  });

  it('rejects non-plain objects in an override', () => {
    class Labels {
      app = 'x';
    }
    const problems = problemsOf(() =>
      merge({ a: {}, b: {}, c: {} } as Record<string, unknown>, { a: new Date(0), b: new Map(), c: new Labels() }),
    );
    expect(problems.map((p) => [p.path, p.found])).toEqual([
      ['a', 'Date'],
      ['b', 'Map'],
      ['c', 'Labels'],
    ]);
  });

  it('never mutates its inputs and shares nothing mutable with them', () => {
    const base = deepFreeze(tree());
    const annotations = { team: 'obs' };
    const extraPort = { name: 'extra', containerPort: 1 };
    const override: Override<Tree> = deepFreeze({
      mimir: {
        ingester: {
          statefulSet: {
            metadata: { annotations: add(annotations) },
            spec: {
              template: {
                spec: {
                  containers: byName({
                    ingester: { args: ['-x'], env: byName({ GOMAXPROCS: DELETE }), ports: append([extraPort]) },
                  }),
                },
              },
            },
          },
        },
      },
    });
    const out = merge(base, override);
    expect(base).toEqual(tree());
    expect(Object.isFrozen(out.mimir.distributor.service)).toBe(false);
    expect(out.mimir.distributor.service).not.toBe(base.mimir.distributor.service);
    out.mimir.ingester.statefulSet.metadata!.annotations!.team = 'changed';
    ingester(out).args!.push('-y');
    ingester(out).ports![2].containerPort = 2;
    expect(annotations).toEqual({ team: 'obs' });
    expect(extraPort).toEqual({ name: 'extra', containerPort: 1 });
    expect(ingester(out).args).toEqual(['-x', '-y']);
  });

  it('reports every problem at once in one BuildError', () => {
    const problems = problemsOf(() =>
      merge(
        tree(),
        {
          mimir: {
            ingestor: {},
            ingester: {
              statefulSet: { spec: { replicas: null, template: { spec: { containers: byName({ sidecr: DELETE }) } } } },
            },
            distributor: { service: { metadata: { nmae: 'x' } } },
          },
        } as unknown as Override<Tree>,
        { path: 'overrides' },
      ),
    );
    expect(problems.map((p) => p.path)).toEqual([
      'overrides.mimir.ingestor',
      'overrides.mimir.ingester.statefulSet.spec.replicas',
      'overrides.mimir.ingester.statefulSet.spec.template.spec.containers[name=sidecr]',
      'overrides.mimir.distributor.service.metadata.nmae',
    ]);
  });

  it('never leaks markers or DELETE into the output', () => {
    const out = merge(tree(), {
      mimir: {
        ingester: {
          statefulSet: {
            metadata: { labels: DELETE, annotations: add({ a: 'b' }) },
            spec: {
              template: {
                spec: {
                  containers: byName({
                    ingester: { args: prepend(['-p']), ports: byName({ grpc: DELETE }) },
                    extra: add({ image: 'x', args: append(['-a']), env: byName({ X: add({ value: '1' }) }) }),
                  }),
                  initContainers: add([{ name: 'init', command: append(['sh']) as unknown as string[] }]),
                },
              },
            },
          },
        },
      },
    });
    assertPlainData(out);
    expect(out.mimir.ingester.statefulSet.spec!.template.spec!.containers[2]).toEqual({
      name: 'extra',
      image: 'x',
      args: ['-a'],
      env: [{ name: 'X', value: '1' }],
    });
    expect(out.mimir.ingester.statefulSet.spec!.template.spec!.initContainers).toEqual([
      { name: 'init', command: ['sh'] },
    ]);
  });

  it('mergeAll applies overrides in order and collects problems across them', () => {
    expect(mergeAll({ a: 1, b: [1] }, [{ a: 2 }, { b: append([2]) }])).toEqual({ a: 2, b: [1, 2] });
    const problems = problemsOf(() => mergeAll({ a: 1 }, [{ x: 1 }, { y: 2 }] as unknown as Override<{ a: number }>[]));
    expect(problems.map((p) => p.path)).toEqual(['x', 'y']);
  });

  it('type-checks overrides against the tree type (checked by tsc, which covers test/)', () => {
    const ok: Override<Tree> = {
      mimir: {
        ingester: {
          statefulSet: {
            spec: { template: { spec: { containers: byName({ ingester: { args: append(['-foo=bar']) } }) } } },
          },
        },
      },
    };
    const containers = (list: Override<IStatefulSet['spec']>) => list;
    containers({
      template: {
        spec: {
          containers: byName({
            // @ts-expect-error args holds strings
            ingester: { args: append([1]) },
            // @ts-expect-error a typo in a field name
            sidecar: { imagePullPolicy: 'Always', imag: 'x' },
            // @ts-expect-error a new volume mount needs its name; the entry supplies the mountPath
            extra: { volumeMounts: byName({ '/x': add({ readOnly: true }) }, 'mountPath') },
            other: { volumeMounts: byName({ '/y': add({ name: 'y' }), '/data': DELETE }, 'mountPath') },
          }),
        },
      },
    });
    // @ts-expect-error a misspelled component, also inside a merge() call
    expect(() => merge(tree(), { mimir: { ingestor: {} } })).toThrow(BuildError);
    expect(ok).toBeDefined();
  });
});

describe('the merge modes and their meaning of null', () => {
  it('config mode: objects merge, arrays replace, null is kept as a value, undefined changes nothing, inputs untouched', () => {
    const base = { a: { b: 1, c: [1, 2] }, flag: 'x' as string | null, keep: 'k' };
    const patch = { a: { c: [3] }, flag: null, keep: undefined };
    const out = mergeConfig(base, patch);
    expect(out).toEqual({ a: { b: 1, c: [3] }, flag: null, keep: 'k' });
    expect(base).toEqual({ a: { b: 1, c: [1, 2] }, flag: 'x', keep: 'k' });
    out.a.c.push(9);
    expect(patch.a.c).toEqual([3]);
  });

  it('config mode is what resolves an environment: a null flag is kept and removes the flag where it is rendered', () => {
    const c = resolveConfig({ config: { mimir: { ingester: { flags: { 'ingester.ring.heartbeat-period': null } } } } });
    expect(c.mimir.ingester.flags['ingester.ring.heartbeat-period']).toBeNull();
    expect(c.mimir.ingester.replicas).toBe(resolveConfig({}).mimir.ingester.replicas);
  });

  it('Mimir YAML mode: mappings merge, lists replace, null removes the key', () => {
    const base = {
      server: { http_listen_port: 8080, grpc_listen_port: 9095 },
      memberlist: { join_members: ['a', 'b'] },
    };
    expect(mergeYaml(base, { server: { grpc_listen_port: null }, memberlist: { join_members: ['c'] } })).toEqual({
      server: { http_listen_port: 8080 },
      memberlist: { join_members: ['c'] },
    });
    expect(base.server.grpc_listen_port).toBe(9095);
  });

  it('config mode: a scalar or null replaces a whole object, and a key patched with undefined is not created', () => {
    const base: { a: { b: number } | null; c: { d: number } | number; e?: string } = { a: { b: 1 }, c: { d: 1 } };
    const out = mergeConfig(base, { a: null, c: 5, e: undefined });
    expect(out).toStrictEqual({ a: null, c: 5 });
    expect(Object.keys(out)).toEqual(['a', 'c']);
  });

  it('Mimir YAML mode: a scalar or a list replaces a mapping, and a mapping replaces a scalar as given', () => {
    const base = { a: { b: 1 }, c: 1, d: { x: 1 } };
    expect(mergeYaml(base, { a: 5, c: { e: null, f: 1 }, d: ['y'] })).toEqual({ a: 5, c: { e: null, f: 1 }, d: ['y'] });
  });

  it('tree mode: a raw null is an error naming DELETE', () => {
    const problems = problemsOf(() => merge({ a: { b: 1 } }, { a: { b: null as unknown as number } }));
    expect(problems[0].hint ?? problems[0].message).toMatch(/DELETE/);
  });
});

describe('isMarker', () => {
  it('tells DELETE and every marker from data, including an object carrying an unknown brand', () => {
    expect([DELETE, append([1]), prepend([1]), byName({}), add(1)].map(isMarker)).toEqual([
      true,
      true,
      true,
      true,
      true,
    ]);
    const foreign = { [Symbol.for('mimir-kube.merge.marker')]: 'other' };
    expect([null, undefined, 1, 'x', {}, [], foreign].map(isMarker)).toEqual([
      false,
      false,
      false,
      false,
      false,
      false,
      false,
    ]);
  });
});
