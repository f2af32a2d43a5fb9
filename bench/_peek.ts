import { extraObjects } from './scenarios.js';
const env = extraObjects(1) as any;
const sym = Object.getOwnPropertySymbols(env.overrides.bench);
const v = env.overrides.bench[sym[0]];
console.log(JSON.stringify(v['copy-0001'], null, 1).slice(0, 3000));
