/** The committed facts files are checked against their types when loaded, not asserted to be them. */
import { describe, expect, it } from 'vitest';
import facts30 from '../lib/mimir/reference/mimir-3.0.json' with { type: 'json' };
import defaults30 from '../lib/mimir/reference/mimir-3.0.defaults.json' with { type: 'json' };
import { assertDefaults, assertFacts } from '../lib/mimir/reference/facts-shape.js';
import { MIMIR_VERSIONS } from '../lib/mimir/reference/versions.js';

describe('the shape of the facts files', () => {
  it('every committed version passes', () => {
    expect(MIMIR_VERSIONS.map((v) => v.version)).toContain('3.0');
  });

  it('names the first node that does not fit', () => {
    const broken = structuredClone(facts30) as { config: Record<string, unknown> };
    broken.config.server = { ...(broken.config.server as object), log_level: ['list'] };
    expect(() => assertFacts(broken, 'mimir-3.0.json')).toThrow(
      /^mimir-3\.0\.json: config\.server\.log_level is not a \['list' \| 'map', node\]/,
    );
    expect(() => assertFacts({ ...facts30, flags: { a: { b: 3 } } }, 'f.json')).toThrow(/flags\.a\.b is not a tree/);
    expect(() => assertFacts({ ...facts30, mimirVersion: 3 }, 'f.json')).toThrow(/mimirVersion is not a string/);
    expect(() => assertDefaults({ ...defaults30, 'x.y': ['x', 1, 2] }, 'd.json')).toThrow(/x\.y is not a \[path/);
    expect(() => assertDefaults({ ...defaults30, 'x.y': [1, 2] }, 'd.json')).toThrow(/x\.y is not a \[path/);
  });
});
