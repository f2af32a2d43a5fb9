/**
 * Every environment example in README.md builds exactly as printed: each fenced `ts` block with a
 * `defineEnvironment(` and each `yaml` block with a top-level `name:` is written to a folder at the
 * depth of `environments/<name>` (so its `../../lib/index.js` import resolves), type-checked when it is
 * TypeScript, and built through the pipeline.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadEnvironment, typeCheckEnvironments } from '../lib/build/load.js';
import { buildEnvironment } from '../lib/build/pipeline.js';
import { formatProblems } from '../lib/core/problems.js';

interface Example {
  lang: 'ts' | 'yaml';
  line: number;
  code: string;
}

/** Fenced blocks, list-indented ones included (their indentation removed). */
export function fencedBlocks(markdown: string): Example[] {
  const out: Example[] = [];
  const lines = markdown.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)```(\w+)\s*$/.exec(lines[i]);
    if (!open) continue;
    const indent = open[1].length;
    const body: string[] = [];
    let j = i + 1;
    for (; j < lines.length && !/^\s*```\s*$/.test(lines[j]); j++)
      body.push(lines[j].slice(Math.min(indent, lines[j].length - lines[j].trimStart().length)));
    if (open[2] === 'ts' || open[2] === 'yaml') out.push({ lang: open[2], line: i + 1, code: `${body.join('\n')}\n` });
    i = j;
  }
  return out;
}

const readme = readFileSync('README.md', 'utf8');
const examples = fencedBlocks(readme).filter((e) =>
  e.lang === 'ts' ? e.code.includes('defineEnvironment(') : /^name:/m.test(e.code),
);

// Inside the repository, two levels below its root, like environments/<name>. A fixed folder, so the
// type-check of an unchanged example is cached between runs like any environment's.
const root = join(process.cwd(), '.readme-examples');
rmSync(root, { recursive: true, force: true });
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('README environment examples build as printed', () => {
  it('finds the TypeScript and the YAML example, the zones example and the ingest-storage example', () => {
    expect(examples.map((e) => e.lang).sort()).toEqual(['ts', 'ts', 'ts', 'yaml']);
  });

  it.each(examples)(
    'README.md line $line ($lang)',
    async (example) => {
      const dir = join(root, `line-${example.line}`);
      mkdirSync(dir, { recursive: true });
      const file = join(dir, example.lang === 'ts' ? 'main.ts' : 'environment.yaml');
      writeFileSync(file, example.code);
      if (example.lang === 'ts') {
        const typeProblems = await typeCheckEnvironments([relative(process.cwd(), file)]);
        expect(formatProblems(typeProblems), 'the example type-checks').not.toMatch(/TypeScript error/);
      }
      const { loaded, problems } = await loadEnvironment(dir, { typeCheck: false });
      expect(problems).toEqual([]);
      const result = await buildEnvironment(loaded!.environment, loaded!.source);
      expect(
        result.problems.length ? formatProblems(result.problems) : '',
        `README.md line ${example.line} must build as printed`,
      ).toBe('');
      expect(['staging', 'zoned', 'ingest-external']).toContain(result.built?.name);
    },
    120_000,
  );
});
