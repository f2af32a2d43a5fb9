import { buildEnvironment } from '../lib/pipeline.js';
import { outputFiles } from '../lib/output.js';
import { extraObjects, objectCount, scaled, copies } from './scenarios.js';
for (const env of [extraObjects(0), extraObjects(10), scaled(300, 10000)]) {
  const t = performance.now();
  const r = await buildEnvironment(env, 'bench');
  console.log(env.name, (performance.now() - t).toFixed(0), r.problems.slice(0, 3), r.built && objectCount(r.built.tree));
  const t2 = performance.now();
  if (r.built) console.log('out', outputFiles([r.built]).size, (performance.now() - t2).toFixed(0));
}
