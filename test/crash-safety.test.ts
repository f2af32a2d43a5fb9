/**
 * Crash safety: whatever can fail runs before the first write, and an exception nothing expected ends
 * the build with exit 2 and one line naming it — and saying that out/ is untouched, which these tests
 * check byte for byte. The stack trace is printed only with DEBUG=1.
 */
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { stringify } from 'yaml';
import { snapshot } from './support/files.js';
import { stackFrame } from './support/bad-input.js';

// A bug in the last step before writing: the requests summary. It used to run after the write (and
// threw there on `1Pi`), so a failure left a new out/<env> behind.
const fault = vi.hoisted(() => ({ on: false }));
vi.mock('../lib/build/summary.js', async (importOriginal) => {
  const actual = await importOriginal<typeof import('../lib/build/summary.js')>();
  return {
    ...actual,
    totalRequests: (...args: Parameters<typeof actual.totalRequests>) => {
      if (fault.on) throw new TypeError("Cannot read properties of undefined (reading 'cpu')");
      return actual.totalRequests(...args);
    },
  };
});
const { runCli } = await import('../lib/build/cli.js');

const tmp = mkdtempSync(join(tmpdir(), 'crash-safety-'));
const out = join(tmp, 'out');
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const working = {
  storage: { developmentCredentials: true },
  observability: { grafana: { developmentCredentials: true } },
};

function writeEnvironment(dir: string, file: string, content: string): string {
  mkdirSync(join(tmp, dir), { recursive: true });
  writeFileSync(join(tmp, dir, file), content);
  return join(tmp, dir);
}

// An environment module whose every property access throws: an exception the build does not expect.
const throwing = writeEnvironment(
  'throwing',
  'main.js',
  "export default new Proxy({}, { get(_t, key) { if (key === 'then') return undefined; throw new TypeError('boom while reading ' + String(key)); } });\n",
);
const fine = writeEnvironment('fine', 'environment.yaml', stringify({ name: 'fine', config: working }));
const huge = writeEnvironment(
  'huge',
  'environment.yaml',
  stringify({
    name: 'huge',
    config: {
      ...working,
      mimir: {
        ingester: { resources: { requests: { cpu: '1', memory: '1Pi' } } },
        querier: { resources: { requests: { cpu: '1', memory: '1e9' } } },
      },
    },
  }),
);

let before: Record<string, string>;
beforeAll(() => {
  cpSync('out', out, { recursive: true });
  before = snapshot(out);
});
beforeEach(() => {
  fault.on = false;
  delete process.env.DEBUG;
});

function io() {
  const lines = { log: [] as string[], error: [] as string[] };
  return {
    lines,
    io: { log: (l: string) => lines.log.push(l), error: (l: string) => lines.error.push(...l.split('\n')) },
  };
}

describe('an unexpected exception: exit 2, one line, out/ untouched', () => {
  it('names a bug in the library as one', async () => {
    const { unexpectedError } = await import('../lib/build/cli.js');
    const err = new RangeError('Invalid array length');
    err.stack = `RangeError: Invalid array length\n    at render (${process.cwd()}/lib/render.ts:42:7)\n    at main (${process.cwd()}/build.ts:4:1)`;
    expect(unexpectedError(err, { out: 'out', writing: false })).toBe(
      'error: unexpected RangeError: Invalid array length (at lib/render.ts:42) — a bug in mimir-kube; please report it. out/ is untouched: nothing was written; DEBUG=1 shows the stack trace',
    );
    expect(unexpectedError(err, { out: 'out', writing: true })).toMatch(
      /^error: writing out\/ failed: RangeError: Invalid array length \(at lib\/render\.ts:42\) — each output folder is swapped whole/,
    );
  });

  it('in the last step before writing (the summary): nothing is written', async () => {
    fault.on = true;
    const { lines, io: sink } = io();
    expect(await runCli([fine, '--out', out, '--no-typecheck'], sink)).toBe(2);
    expect(lines.error).toHaveLength(1);
    expect(lines.error[0]).toMatch(
      /^error: unexpected TypeError: Cannot read properties of undefined \(reading 'cpu'\) \(at test\/crash-safety\.test\.ts:\d+\)/,
    );
    // The fault is injected from this test file, so the line does not blame mimir-kube for it.
    expect(lines.error[0]).toContain('thrown by code the environment runs');
    expect(lines.error[0]).toContain(`${out}/ is untouched: nothing was written`);
    expect(lines.error[0]).toContain('DEBUG=1 shows the stack trace');
    expect(snapshot(out)).toEqual(before);
  });

  it('the same build without the fault writes (so the test above would see a write)', async () => {
    const scratch = join(tmp, 'scratch-out');
    cpSync(out, scratch, { recursive: true });
    const { lines, io: sink } = io();
    expect(await runCli([fine, '--out', scratch, '--no-typecheck'], sink)).toBe(0);
    expect(lines.log.join('\n')).toMatch(/fine: .* GiB memory requested/);
    expect(Object.keys(snapshot(scratch))).toContain('/fine/kustomization.yaml');
  });

  it('DEBUG=1 adds the stack trace', async () => {
    fault.on = true;
    process.env.DEBUG = '1';
    const { lines, io: sink } = io();
    expect(await runCli([fine, '--out', out, '--no-typecheck'], sink)).toBe(2);
    expect(lines.error[0]).toMatch(/^error: unexpected TypeError/);
    expect(lines.error.join('\n')).toMatch(stackFrame);
    expect(snapshot(out)).toEqual(before);
  });

  it('through the real CLI: exit 2, one line on stderr, no stack, out/ untouched', async () => {
    const r = await execa('npx', ['tsx', 'build.ts', throwing, '--out', out], { reject: false });
    expect(r.exitCode, r.stderr).toBe(2);
    const lines = r.stderr.split('\n').filter((l) => l.trim() !== '');
    expect(lines, r.stderr).toHaveLength(1);
    expect(lines[0]).toMatch(
      /^error: unexpected TypeError: boom while reading name \(at .*main\.js:1\) — thrown by code the environment runs, not by a check\. .* is untouched: nothing was written; DEBUG=1 shows the stack trace$/,
    );
    expect(r.stderr).not.toMatch(stackFrame);
    expect(snapshot(out)).toEqual(before);
  });
});

describe('quantities that used to crash after writing', () => {
  it('memory 1Pi and 1e9 build through the real CLI, and the summary counts them', async () => {
    const scratch = join(tmp, 'huge-out');
    const r = await execa('npx', ['tsx', 'build.ts', huge, '--out', scratch], { reject: false, all: true });
    expect(r.exitCode, r.all).toBe(0);
    expect(r.all).not.toMatch(stackFrame);
    // 1 PiB for the ingester alone: the summary is in GiB.
    const gib = Number(/huge: [\d.]+ CPU, ([\d.]+) GiB memory requested/.exec(r.all ?? '')?.[1]);
    expect(gib).toBeGreaterThan(2 ** 20);
  });
});
