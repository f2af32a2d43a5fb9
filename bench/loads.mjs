// Preload for the `deps` probe: records every module the process loads — what the ESM loader resolves
// (static imports, `import()`, CommonJS entry points imported from ESM) and every `require` — in
// `globalThis.benchLoaded` as file URLs.
import Module, { register } from 'node:module';
import { pathToFileURL } from 'node:url';
import { MessageChannel } from 'node:worker_threads';

const { port1, port2 } = new MessageChannel();
const loaded = new Set();
globalThis.benchLoaded = loaded;
port1.on('message', (url) => loaded.add(url));
port1.unref();
register('./loads-hooks.mjs', { parentURL: import.meta.url, data: { port: port2 }, transferList: [port2] });

const load = Module._load;
Module._load = function (request, parent, isMain) {
  try {
    loaded.add(pathToFileURL(Module._resolveFilename(request, parent, isMain)).href);
  } catch {
    // Unresolvable: the real load reports it.
  }
  return load.apply(this, arguments);
};
