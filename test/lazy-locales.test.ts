import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { expect, it } from 'vitest';
import { loadAjvLocalesLazily } from '../scripts/lazy-locales.js';

const require = createRequire(import.meta.url);
const index = createRequire(require.resolve('@kubernetes-models/validate')).resolve('ajv-i18n');
const localeFiles = () => Object.keys(require.cache).filter((p) => p.startsWith(dirname(index)) && p !== index);

it('schema errors read as ajv-i18n writes them, and only the English messages are loaded', () => {
  expect(require.cache[index], 'ajv-i18n was loaded before the test').toBeUndefined();
  loadAjvLocalesLazily();
  const locales = require.cache[index]?.exports as Record<string, unknown>;
  // The same languages as the real index, each the very module it requires.
  const real = [...readFileSync(index, 'utf8').matchAll(/^\s*"?([\w-]+)"?: require\("\.\/([\w-]+)"\)/gm)].map(
    (m) => m[1],
  );
  expect(real.length).toBeGreaterThan(20);
  expect(Object.keys(locales).sort()).toEqual(real.sort());
  expect(localeFiles()).toEqual([]);

  const { Deployment } = require('kubernetes-models/apps/v1/Deployment') as {
    Deployment: new (d: unknown) => { validate(): void };
  };
  const bad = new Deployment({ metadata: { name: 'x' }, spec: { replicas: 'three', selector: {}, template: {} } });
  expect(() => bad.validate()).toThrow('data/spec/replicas must be integer');
  expect(locales.en).toBe(require(join(dirname(index), 'en')));
  expect(localeFiles().every((p) => p.startsWith(join(dirname(index), 'en')))).toBe(true);
  expect(localeFiles().length).toBeGreaterThan(0);
});
