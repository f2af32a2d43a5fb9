import { checkEnvironmentSchema } from '../lib/config-schema.js';
const inputs: unknown[] = [
  { name: 'x', config: { namespace: 'a', storage: { insecure: false } } },
  { name: 'x', config: { storage: { bucket: {} }, defaultTenant: 3 }, extra: 1 },
  { name: 'Local Env' }, {}, { name: 'a', config: { mimir: { ingester: { replicas: -1.5, flags: { a: {} } }, tenants: { t: 3 } } } },
  { name: 'a', overrides: { mimir: { x: 3 } } }, 'str', null, [],
];
const t = performance.now();
const out = [];
for (const i of inputs) out.push(await checkEnvironmentSchema(i, 's'));
console.error('ms', (performance.now() - t).toFixed(1));
console.log(JSON.stringify(out));
