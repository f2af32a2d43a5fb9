import { buildEnvironment } from '../lib/pipeline.js';
import { kubernetesRules } from '../lib/validate/index.js';
import { moduleRules } from '../lib/rules.js';
import { resolveConfig, renderChecked } from '../lib/pipeline.js';
import { merge } from '../lib/merge.js';
import { flatten } from '../lib/tree.js';
import { extraObjects, local } from './scenarios.js';
await buildEnvironment(local, 'x');
for (const n of (process.argv[2] ?? '0,100,300,1000').split(',').map(Number)) {
  const env = extraObjects(n);
  const c = resolveConfig(env);
  const rendered = renderChecked(c, "x").tree; const tree = env.overrides ? merge(rendered, env.overrides as never) : rendered;
  const ctx = { entries: flatten(tree), source: 's', existingSecrets: new Set<string>() };
  const row: string[] = [`n=${n} objects=${ctx.entries.length}`];
  for (const r of [...kubernetesRules, ...moduleRules(c)]) { const t = performance.now(); r(ctx); const d = performance.now() - t; if (d > 2) row.push(`${r.name || 'anon'}=${d.toFixed(0)}`); }
  const t = performance.now(); const res = await buildEnvironment(env, 'x'); row.push(`build=${(performance.now() - t).toFixed(0)} problems=${res.problems.length}`);
  console.log(row.join(' '));
}
