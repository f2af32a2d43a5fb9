import { expect } from 'vitest';
import type { Environment } from '../../lib/build/environment.js';
import { buildEnvironment } from '../../lib/build/pipeline.js';
import { formatProblems, type Problem } from '../../lib/core/problems.js';

/** The source every in-process case claims to come from; each problem must name it. */
export const source = 'environments/bad/main.ts';

/** What a laptop environment needs to build at all (the stack renders its own development Secrets). */
const working = {
  storage: { developmentCredentials: true },
  observability: { grafana: { developmentCredentials: true } },
};

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && Object.getPrototypeOf(v) === Object.prototype;
}

export function deepMerge(base: unknown, over: unknown): unknown {
  if (!isObject(base) || !isObject(over)) return over;
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) out[k] = k in base ? deepMerge(base[k], v) : v;
  return out;
}

/** A working environment with `config` merged in, and `overrides` as given. */
export function env(config: object = {}, overrides?: object, name = 'bad'): Environment {
  return {
    name,
    config: deepMerge(working, config) as Environment['config'],
    ...(overrides ? { overrides: overrides as Environment['overrides'] } : {}),
  };
}

export interface BadCase {
  /** What is wrong, as a user would put it. */
  name: string;
  env: Environment;
  /** Tree or config path the problem names (exact, or a pattern). */
  path: string | RegExp;
  message: RegExp;
  pointer?: string | RegExp;
  expected?: RegExp;
  hint?: RegExp;
  /** How many problems the whole build reports (one cause, one problem). */
  count?: number;
  /** Rules that point at the fix without an `expected` form (cross-component references). */
  noExpected?: true;
}

/** A stack frame line, as Node prints them. */
export const stackFrame = /^\s+at .*(?:\(.*:\d+:\d+\)|:\d+:\d+)$/m;

/** Builds `c.env` in process and checks the problem it must report: named source and path, expected form, hint, no stack. */
export async function expectRefused(c: BadCase): Promise<Problem> {
  const result = await buildEnvironment(c.env, source);
  const text = formatProblems(result.problems);
  expect(result.built, `${c.name}: built, but it must be refused`).toBeUndefined();
  const match = (value: string | undefined, want: string | RegExp) =>
    typeof want === 'string' ? value === want : want.test(value ?? '');
  const found = result.problems.find(
    (p) =>
      c.message.test(p.message) && match(p.path, c.path) && (c.pointer === undefined || match(p.pointer, c.pointer)),
  );
  expect(found, `${c.name}: no problem at ${String(c.path)} matching ${c.message}; got:\n${text}`).toBeDefined();
  const p = found as Problem;
  expect(p.source).toBe(source);
  if (!c.noExpected) expect(p.expected, `${c.name}: the expected form is stated`).toBeTruthy();
  expect(p.hint, `${c.name}: a hint is given`).toBeTruthy();
  if (c.expected) expect(p.expected).toMatch(c.expected);
  if (c.hint) expect(p.hint).toMatch(c.hint);
  if (c.count !== undefined) expect(result.problems, text).toHaveLength(c.count);
  expect(text).not.toMatch(stackFrame);
  return p;
}

/** Builds `e` in process and expects it to build. */
export async function expectBuilt(e: Environment) {
  const result = await buildEnvironment(e, source);
  expect(result.problems.map((p) => formatProblems([p])).join('\n')).toBe('');
  return result.built!;
}
