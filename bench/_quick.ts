import { performance } from 'node:perf_hooks';
import { buildEnvironment } from '../lib/pipeline.js';
import { outputFiles } from '../lib/output.js';
import local from '../environments/local/main.js';
let t = performance.now();
let r = await buildEnvironment(local, 'x');
console.log('first', performance.now() - t, r.problems.length);
const times: number[] = [];
for (let i = 0; i < 20; i++) { t = performance.now(); r = await buildEnvironment(local, 'x'); times.push(performance.now() - t); }
times.sort((a, b) => a - b);
console.log('median', times[10], times[0], times[19]);
t = performance.now();
const f = outputFiles([r.built!]);
console.log('output', performance.now() - t, f.size);
