import { checkEnvironmentSchema } from '../lib/config-schema.js';
import { resolveConfig, renderChecked } from '../lib/pipeline.js';
import { validateTree, kubernetesRules } from '../lib/validate/index.js';
import { schemaProblems } from '../lib/validate/schema.js';
import { moduleRules } from '../lib/rules.js';
import { flatten } from '../lib/tree.js';
import { scaled, local } from './scenarios.js';
const T = (label: string, t: number) => console.error(label.padEnd(24), (performance.now() - t).toFixed(1));
const { buildEnvironment } = await import('../lib/pipeline.js');
await buildEnvironment(local, 'x');
const env = scaled(Number(process.argv[2] ?? 300), Number(process.argv[3] ?? 10000));
let t = performance.now(); await checkEnvironmentSchema(env, 's'); T('schema check', t);
t = performance.now(); const c = resolveConfig(env); T('resolve', t);
t = performance.now(); const { tree } = renderChecked(c, 's'); T('render', t);
const ctx = { entries: flatten(tree), source: 's', existingSecrets: new Set<string>() };
t = performance.now(); await schemaProblems(ctx); T('k8s schema', t);
for (const r of kubernetesRules) { t = performance.now(); r(ctx); T(r.name, t); }
let i = 0;
for (const r of moduleRules(c)) { t = performance.now(); r(ctx); T(`${i++} ${r.name || 'anon'}`, t); }
