import { parseAllDocuments, stringify } from 'yaml';
import deepmerge from 'deepmerge';
import { toYaml } from '../lib/yaml.js';
import { defaultConfig } from '../lib/config.js';
import { isPlainObject } from '../lib/merge.js';
import { tenants, scaled } from './scenarios.js';
const T = (label: string, t: number) => console.log(label.padEnd(28), (performance.now() - t).toFixed(1));
for (const n of [1000, 10000]) {
  const doc = { overrides: tenants(n) };
  let t = performance.now(); const text = toYaml(doc); T(`toYaml ${n}`, t);
  t = performance.now(); JSON.stringify(doc); T(`JSON ${n}`, t);
  t = performance.now(); parseAllDocuments(text); T(`parse ${n}`, t);
  t = performance.now(); const d = parseAllDocuments(text, { uniqueKeys: false }); T(`parse noUnique ${n}`, t);
  t = performance.now(); (d as any)[0].toJS(); T(`toJS ${n}`, t);
  const env = scaled(300, n);
  for (let k = 0; k < 3; k++) { t = performance.now(); deepmerge(defaultConfig(), env.config as never, { arrayMerge: (_b, o) => o, isMergeableObject: isPlainObject }); T(`deepmerge ${n}`, t); }
}
