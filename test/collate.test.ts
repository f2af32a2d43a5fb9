/**
 * The build sorts file paths, patch paths and kinds with `compareText`, which orders plain ASCII names
 * without loading a collator. Its order must be the English collator's, on every string.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compareText } from '../lib/core/collate.js';
import { supportedKinds } from '../lib/build/validate/models.js';

const english = new Intl.Collator('en');
const sign = (n: number) => Math.sign(n);

/** Every file path under out/, as the writer sorts them. */
function paths(dir: string, at = ''): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) =>
    d.isDirectory() ? paths(join(dir, d.name), `${at}${d.name}/`) : [`${at}${d.name}`],
  );
}

/** A deterministic pseudo-random sequence, so a failure can be run again. */
function random(seed: number): () => number {
  let s = seed;
  return () => (s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
}

function strings(alphabet: string, count: number, next: () => number): string[] {
  return Array.from({ length: count }, () =>
    Array.from({ length: Math.floor(next() * 6) }, () => alphabet[Math.floor(next() * alphabet.length)]).join(''),
  );
}

describe('compareText', () => {
  it("orders the build's paths and kinds as the English collator does", () => {
    const names = [...paths('out'), ...supportedKinds, ...supportedKinds.map((k) => k.split('/').pop()!)];
    expect(names.length).toBeGreaterThan(100);
    expect([...names].sort(compareText)).toEqual([...names].sort(english.compare));
  });

  it('agrees with the English collator on every pair of short strings, plain or not', () => {
    const next = random(7);
    // Letters that differ only in case, the three punctuation marks, digits; then characters the plain order leaves to the collator.
    const plain = strings('aAbBzZ09-./', 400, next);
    const other = strings('aB-_ é~Å', 150, next);
    for (const list of [plain, [...plain.slice(0, 150), ...other]])
      for (const a of list)
        for (const b of list)
          if (sign(compareText(a, b)) !== sign(english.compare(a, b)))
            expect({ a, b, order: sign(compareText(a, b)) }).toEqual({ a, b, order: sign(english.compare(a, b)) });
  });
});
