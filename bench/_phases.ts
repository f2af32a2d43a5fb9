import { performance } from 'node:perf_hooks';
const T = (label: string, t: number) => console.error(label.padEnd(20), (performance.now() - t).toFixed(1));
let t = performance.now();
const { checkEnvironmentSchema } = await import('../lib/config-schema.js');
const { resolveConfig, renderChecked } = await import('../lib/pipeline.js');
const { validateTree } = await import('../lib/validate/index.js');
const { schemaProblems } = await import('../lib/validate/schema.js');
const { moduleRules } = await import('../lib/rules.js');
const { flatten } = await import('../lib/tree.js');
const { kubernetesRules } = await import('../lib/validate/index.js');
T('imports', t);
t = performance.now();
const env = (await import('../environments/local/main.js')).default;
T('env import', t);
for (let round = 0; round < 3; round++) {
  console.error('round', round);
  t = performance.now(); await checkEnvironmentSchema(env, 's'); T('schema check', t);
  t = performance.now(); const c = resolveConfig(env); T('resolve', t);
  t = performance.now(); const { tree } = renderChecked(c, 's'); T('render', t);
  const ctx = { entries: flatten(tree), source: 's', existingSecrets: new Set<string>() };
  t = performance.now(); await schemaProblems(ctx); T('k8s schema', t);
  for (const r of kubernetesRules) { t = performance.now(); r(ctx); T(r.name, t); }
  for (const r of moduleRules(c)) { t = performance.now(); r(ctx); T(r.name || 'anon', t); }
}
