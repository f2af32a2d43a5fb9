/**
 * The Alloy the tests run registers only the components listed in test/peers/alloy/components.txt
 * (test/peers/alloy/build.sh). This holds the list to exactly the components the committed
 * configurations use: a component the library starts to render and the list lacks would otherwise
 * surface as `alloy validate`'s "unrecognized component name" only where the binary is built, and an
 * entry no configuration uses would grow the build for nothing. Needs no binary.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const LIST = 'test/peers/alloy/components.txt';

function listedComponents(): string[] {
  return readFileSync(LIST, 'utf8')
    .split('\n')
    .map((line) => line.replace(/#.*/, '').trim())
    .filter(Boolean)
    .map((line) => line.split(/\s+/)[0]!)
    .sort();
}

function alloyFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.alloy'))
    .map((e) => join(e.parentPath, e.name))
    .sort();
}

/** Top-level labelled blocks with a dotted name: Alloy's component instances (`logging { … }` is not one). */
function componentsIn(text: string): string[] {
  return [...text.matchAll(/^([a-z_][a-z0-9_]*(?:\.[a-z_][a-z0-9_]*)+) "[^"]*" \{/gm)].map((m) => m[1]!);
}

describe('the components the test Alloy registers', () => {
  const files = alloyFiles('out');

  it('the committed output holds Alloy configurations', () => {
    expect(files.length).toBeGreaterThan(0);
  });

  it(`${LIST} lists exactly the components the committed configurations use`, () => {
    const used = [...new Set(files.flatMap((f) => componentsIn(readFileSync(f, 'utf8'))))].sort();
    expect(
      listedComponents(),
      `${LIST} (add what is missing with its package; test/peers/alloy/build.sh rebuilds)`,
    ).toEqual(used);
  });
});
