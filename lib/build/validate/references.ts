import type { Problem } from '../../core/problems.js';
import { didYouMean } from '../../core/suggest.js';
import { allContainers, namesIndex, pods, problemAt, type Rule } from '../../core/checks/context.js';

/** Every ConfigMap, Secret, PVC, ServiceAccount and Role a pod or binding names must exist. */
export const referencesRule: Rule = (ctx) => {
  const out: Problem[] = [];
  const namesOf = namesIndex(ctx.entries);
  const secretsIn = new Map<string, Set<string>>();
  for (const pod of pods(ctx.entries)) {
    const ns = pod.entry.object.metadata?.namespace ?? '';
    const configMaps = namesOf('ConfigMap', ns);
    let secrets = secretsIn.get(ns);
    if (!secrets) secretsIn.set(ns, (secrets = new Set([...namesOf('Secret', ns), ...ctx.existingSecrets])));
    const serviceAccounts = namesOf('ServiceAccount', ns);
    const claims = namesOf('PersistentVolumeClaim', ns);
    const templates = new Set(
      (
        (pod.entry.object.spec as { volumeClaimTemplates?: { metadata?: { name?: string } }[] }).volumeClaimTemplates ??
        []
      ).map((t) => t.metadata?.name ?? ''),
    );
    const check = (kind: string, name: string, known: Set<string>, pointer: string, optional?: boolean) => {
      if (optional || known.has(name)) return;
      const suggestion = didYouMean(name, known);
      out.push(
        problemAt(ctx, pod.entry, {
          pointer,
          message: `${kind} "${name}" does not exist in namespace ${ns}`,
          expected: `a ${kind} named "${name}" in namespace ${ns}${kind === 'Secret' ? ', rendered or listed in config.existingSecrets' : ''}`,
          hint:
            suggestion ??
            (kind === 'Secret'
              ? 'render it, or list it in config.existingSecrets if the cluster provides it'
              : `render a ${kind} named "${name}"`),
        }),
      );
    };
    const sa = pod.spec.serviceAccountName;
    if (sa && sa !== 'default') check('ServiceAccount', sa, serviceAccounts, `${pod.pointer}/spec/serviceAccountName`);
    const volumeNames = new Set<string>();
    (pod.spec.volumes ?? []).forEach((v, i) => {
      volumeNames.add(v.name);
      const at = `${pod.pointer}/spec/volumes/${i}`;
      if (v.configMap)
        check('ConfigMap', v.configMap.name ?? '', configMaps, `${at}/configMap/name`, v.configMap.optional);
      if (v.secret) check('Secret', v.secret.secretName ?? '', secrets, `${at}/secret/secretName`, v.secret.optional);
      if (v.persistentVolumeClaim)
        check(
          'PersistentVolumeClaim',
          v.persistentVolumeClaim.claimName,
          claims,
          `${at}/persistentVolumeClaim/claimName`,
        );
      for (const [j, s] of (v.projected?.sources ?? []).entries()) {
        if (s.configMap)
          check(
            'ConfigMap',
            s.configMap.name ?? '',
            configMaps,
            `${at}/projected/sources/${j}/configMap/name`,
            s.configMap.optional,
          );
        if (s.secret)
          check('Secret', s.secret.name ?? '', secrets, `${at}/projected/sources/${j}/secret/name`, s.secret.optional);
      }
    });
    for (const t of templates) volumeNames.add(t);
    for (const { container, pointer } of allContainers(pod.spec)) {
      const at = `${pod.pointer}${pointer}`;
      (container.env ?? []).forEach((v, i) => {
        const cm = v.valueFrom?.configMapKeyRef;
        const sec = v.valueFrom?.secretKeyRef;
        if (cm)
          check('ConfigMap', cm.name ?? '', configMaps, `${at}/env/${i}/valueFrom/configMapKeyRef/name`, cm.optional);
        if (sec) check('Secret', sec.name ?? '', secrets, `${at}/env/${i}/valueFrom/secretKeyRef/name`, sec.optional);
      });
      (container.envFrom ?? []).forEach((f, i) => {
        if (f.configMapRef)
          check(
            'ConfigMap',
            f.configMapRef.name ?? '',
            configMaps,
            `${at}/envFrom/${i}/configMapRef/name`,
            f.configMapRef.optional,
          );
        if (f.secretRef)
          check('Secret', f.secretRef.name ?? '', secrets, `${at}/envFrom/${i}/secretRef/name`, f.secretRef.optional);
      });
      (container.volumeMounts ?? []).forEach((m, i) => {
        if (!volumeNames.has(m.name))
          out.push(
            problemAt(ctx, pod.entry, {
              pointer: `${at}/volumeMounts/${i}/name`,
              message: `volume "${m.name}" is not defined in the pod`,
              hint: didYouMean(m.name, volumeNames),
            }),
          );
      });
    }
  }
  for (const e of ctx.entries) {
    if (e.object.kind !== 'RoleBinding' && e.object.kind !== 'ClusterRoleBinding') continue;
    const ref = e.object.roleRef as { kind: string; name: string };
    const known = namesOf(ref.kind, ref.kind === 'Role' ? e.object.metadata?.namespace : undefined);
    if (!known.has(ref.name))
      out.push(
        problemAt(ctx, e, {
          pointer: '/roleRef/name',
          message: `${ref.kind} "${ref.name}" does not exist`,
          hint: didYouMean(ref.name, known),
        }),
      );
    const subjects = (e.object.subjects as { kind: string; name: string; namespace?: string }[] | undefined) ?? [];
    subjects.forEach((s, i) => {
      if (s.kind !== 'ServiceAccount') return;
      const known = namesOf('ServiceAccount', s.namespace);
      if (!known.has(s.name))
        out.push(
          problemAt(ctx, e, {
            pointer: `/subjects/${i}/name`,
            message: `ServiceAccount "${s.name}" does not exist in namespace ${s.namespace}`,
            hint: didYouMean(s.name, known),
          }),
        );
    });
  }
  return out;
};
