import { createRequire } from 'node:module';
const mode = process.argv[2];
const list = ['v1/Namespace','v1/ConfigMap','v1/Secret','v1/Service','v1/ServiceAccount','v1/PersistentVolumeClaim','apps/v1/Deployment','apps/v1/StatefulSet','batch/v1/Job','policy/v1/PodDisruptionBudget','rbac.authorization.k8s.io/v1/Role','rbac.authorization.k8s.io/v1/RoleBinding'];
const t = performance.now();
const require = createRequire('/work/main/lib/x.js');
if (mode === 'import') { for (const m of list) await import('kubernetes-models/' + m); }
else if (mode === 'pimport') { await Promise.all(list.map((m) => import('kubernetes-models/' + m))); }
else { for (const m of list) require('kubernetes-models/' + m); }
console.log(mode, (performance.now() - t).toFixed(0));
