import { readdirSync, statSync } from 'node:fs';
import Module, { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

let installed = false;

/**
 * kubernetes-models' validators load `ajv-i18n`, whose index requires the messages of all 23
 * languages up front — about 5 MiB and a tenth of a second — to translate the errors of a failed
 * validation into English. The build's own bundle of the validators (k8s-validators.generated.js)
 * holds only the English messages; code that loads the package itself (its generator, which reads the
 * package's formats) calls this first. Before the package loads, this puts in the module cache, under
 * that index's own file name, an object with the same keys whose values (each language's module, the
 * very module the index would have required) are required on first read. Errors read the same, the
 * languages nobody reads are never loaded. Where `ajv-i18n` is already loaded, or laid out otherwise,
 * nothing is done.
 */
export function loadAjvLocalesLazily(): void {
  if (installed) return;
  installed = true;
  const require = createRequire(import.meta.url);
  let index: string;
  try {
    index = createRequire(require.resolve('@kubernetes-models/validate')).resolve('ajv-i18n');
  } catch {
    return;
  }
  if (require.cache[index]) return;
  const dir = dirname(index);
  const locales: Record<string, unknown> = {};
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (!statSync(path).isDirectory()) continue;
    Object.defineProperty(locales, name, { enumerable: true, configurable: true, get: () => require(path) as unknown });
  }
  if (!('en' in locales)) return;
  const module = new Module(index);
  module.filename = index;
  module.loaded = true;
  module.exports = locales;
  require.cache[index] = module;
}
