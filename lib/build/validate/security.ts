import type { Problem } from '../../core/problems.js';
import { allContainers, pods, problemAt, type Rule } from '../../core/checks/context.js';

/**
 * Pod Security Standards "restricted" (and "baseline" beneath it) for every pod, plus resource
 * requests and, for long-running containers, a readiness probe.
 */
export const securityRule: Rule = (ctx) => {
  const out: Problem[] = [];
  for (const pod of pods(ctx.entries)) {
    const at = (p: string) => `${pod.pointer}${p}`;
    const s = pod.spec;
    const psc = s.securityContext ?? {};
    if (s.hostNetwork || s.hostPID || s.hostIPC)
      out.push(
        problemAt(ctx, pod.entry, {
          pointer: at('/spec'),
          message: 'host namespaces are not allowed by Pod Security Standards "restricted"',
        }),
      );
    (s.volumes ?? []).forEach((v, i) => {
      const allowed = [
        'configMap',
        'secret',
        'emptyDir',
        'persistentVolumeClaim',
        'projected',
        'downwardAPI',
        'ephemeral',
        'csi',
      ];
      const kinds = Object.keys(v).filter((k) => k !== 'name');
      const bad = kinds.filter((k) => !allowed.includes(k));
      if (bad.length)
        out.push(
          problemAt(ctx, pod.entry, {
            pointer: at(`/spec/volumes/${i}`),
            message: `volume type ${bad.join(', ')} is not allowed by Pod Security Standards "restricted"`,
            expected: allowed.join(', '),
          }),
        );
    });
    const isJob = pod.entry.object.kind === 'Job';
    for (const { container: c, pointer } of allContainers(s)) {
      const cp = (p: string) => at(`${pointer}${p}`);
      const sc = c.securityContext ?? {};
      const runAsNonRoot = sc.runAsNonRoot ?? psc.runAsNonRoot;
      const seccomp = sc.seccompProfile?.type ?? psc.seccompProfile?.type;
      if (runAsNonRoot !== true)
        out.push(
          problemAt(ctx, pod.entry, {
            pointer: cp('/securityContext/runAsNonRoot'),
            message: 'runAsNonRoot must be true (Pod Security Standards "restricted")',
            found: String(runAsNonRoot),
          }),
        );
      if ((sc.runAsUser ?? psc.runAsUser) === 0)
        out.push(
          problemAt(ctx, pod.entry, {
            pointer: cp('/securityContext/runAsUser'),
            message: 'runAsUser 0 is not allowed (Pod Security Standards "restricted")',
          }),
        );
      if (seccomp !== 'RuntimeDefault' && seccomp !== 'Localhost')
        out.push(
          problemAt(ctx, pod.entry, {
            pointer: cp('/securityContext/seccompProfile/type'),
            message: 'seccompProfile must be RuntimeDefault or Localhost (Pod Security Standards "restricted")',
            found: String(seccomp),
          }),
        );
      if (sc.allowPrivilegeEscalation !== false)
        out.push(
          problemAt(ctx, pod.entry, {
            pointer: cp('/securityContext/allowPrivilegeEscalation'),
            message: 'allowPrivilegeEscalation must be false (Pod Security Standards "restricted")',
            found: String(sc.allowPrivilegeEscalation),
          }),
        );
      if (sc.privileged)
        out.push(
          problemAt(ctx, pod.entry, {
            pointer: cp('/securityContext/privileged'),
            message: 'privileged containers are not allowed',
          }),
        );
      if (!(sc.capabilities?.drop ?? []).includes('ALL'))
        out.push(
          problemAt(ctx, pod.entry, {
            pointer: cp('/securityContext/capabilities/drop'),
            message: 'capabilities must drop ALL (Pod Security Standards "restricted")',
          }),
        );
      const added = (sc.capabilities?.add ?? []).filter((a) => a !== 'NET_BIND_SERVICE');
      if (added.length)
        out.push(
          problemAt(ctx, pod.entry, {
            pointer: cp('/securityContext/capabilities/add'),
            message: `capabilities ${added.join(', ')} may not be added (only NET_BIND_SERVICE)`,
          }),
        );
      if (!c.resources?.requests?.cpu || !c.resources?.requests?.memory)
        out.push(
          problemAt(ctx, pod.entry, {
            pointer: cp('/resources/requests'),
            message: `container "${c.name}" has no CPU and memory requests`,
            hint: 'set config resources for the component',
          }),
        );
      if (!isJob && pointer.startsWith('/spec/containers') && !c.readinessProbe)
        out.push(
          problemAt(ctx, pod.entry, {
            pointer: cp('/readinessProbe'),
            message: `container "${c.name}" has no readiness probe`,
          }),
        );
    }
  }
  return out;
};
