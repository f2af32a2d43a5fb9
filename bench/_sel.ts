import { kubernetesRules } from '../lib/validate/index.js';
import { resolveConfig, renderChecked } from '../lib/pipeline.js';
import { merge } from '../lib/merge.js';
import { flatten } from '../lib/tree.js';
import { extraObjects } from './scenarios.js';
for (const n of [300, 1000, 3000]) {
  const env = extraObjects(n);
  const c = resolveConfig(env);
  const tree = merge(renderChecked(c, 'x').tree, env.overrides as never);
  const ctx = { entries: flatten(tree), source: 's', existingSecrets: new Set<string>() };
  const row: string[] = [`n=${n}`];
  for (const r of kubernetesRules) { const ts: number[] = []; for (let i = 0; i < 5; i++) { const t = performance.now(); r(ctx); ts.push(performance.now() - t); } ts.sort((a, b) => a - b); row.push(`${r.name}=${ts[2].toFixed(1)}`); }
  console.log(row.join(' '));
}
