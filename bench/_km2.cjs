const list = ['v1/Namespace','v1/ConfigMap','v1/Secret','v1/Service','v1/ServiceAccount','v1/PersistentVolumeClaim','apps/v1/Deployment','apps/v1/StatefulSet','batch/v1/Job','policy/v1/PodDisruptionBudget','rbac.authorization.k8s.io/v1/Role','rbac.authorization.k8s.io/v1/RoleBinding'];
const t = performance.now();
for (const m of list) require('kubernetes-models/' + m);
console.log((performance.now() - t).toFixed(0), Object.keys(require.cache).length);
const by = {}; for (const k of Object.keys(require.cache)) { const m = k.match(/node_modules\/((@[^/]+\/)?[^/]+)/); by[m?.[1]] = (by[m?.[1]] ?? 0) + 1; } console.log(by);
