import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import type { Container } from '../../../lib/core/k8s/types.js';
import { http, poll } from './http.js';
import type { DataSources, Workload } from './manifest.js';
import type { Change } from './plan.js';

/**
 * A Job running `grafana/mimirtool` (the self-monitoring rules Job) has no peer here: mimirtool 3.0.2 does
 * not build from the vendored Mimir source in ../shared (its `config` command imports
 * `tools/doc-generator`, which the tarball leaves out). Its command lines are read, not guessed — each
 * container runs one of the two commands below with `--address=URL --id=TENANT [--namespaces=NS] FILE`, the
 * file from a ConfigMap volume — and the harness makes the HTTP calls mimirtool 3.0.2 makes for them
 * (`pkg/mimirtool/client`), to the same address (resolved through the cluster DNS), as the same tenant:
 *
 * - `rules sync`: for each group of the file, `POST /prometheus/config/v1/rules/<namespace>` (the group as
 *   YAML); a group the ruler holds in that namespace but the file does not is deleted
 *   (`DELETE /prometheus/config/v1/rules/<namespace>/<group>`).
 * - `alertmanager load`: `POST /api/v1/alerts` with `alertmanager_config: <file>` and no templates.
 *
 * Each call is retried until it succeeds or the budget runs out, as the Job's pod would be restarted.
 */
export interface MimirtoolCall {
  container: string;
  command: string;
  tenant: string;
  address: string;
  /** What was uploaded: rule groups by namespace, or the Alertmanager configuration. */
  uploaded: string[];
}

export function isMimirtoolJob(w: Workload): boolean {
  const containers = w.template.spec?.containers ?? [];
  return containers.length > 0 && containers.every((c) => /(^|\/)grafana\/mimirtool(:|@|$)/.test(c.image ?? ''));
}

interface Parsed {
  command: string;
  flags: Record<string, string>;
  files: string[];
}

function parseArgs(c: Container): Parsed {
  const args = [...(c.command ?? []).filter((a) => !/(^|\/)mimirtool$/.test(a)), ...(c.args ?? [])];
  const words = args.filter((a) => !a.startsWith('-'));
  const flags: Record<string, string> = {};
  for (const a of args.filter((x) => x.startsWith('--'))) {
    const eq = a.indexOf('=');
    if (eq < 0) throw new Error(`container ${c.name}: flag ${a} without "=value": the harness reads only --flag=value`);
    flags[a.slice(2, eq)] = a.slice(eq + 1);
  }
  return { command: words.slice(0, 2).join(' '), flags, files: words.slice(2) };
}

/** The content of a file the container reads from one of its ConfigMap volumes. */
function fileOf(w: Workload, c: Container, path: string, sources: DataSources): string {
  for (const m of c.volumeMounts ?? []) {
    if (!path.startsWith(`${m.mountPath}/`)) continue;
    const v = (w.template.spec?.volumes ?? []).find((x) => x.name === m.name);
    const cm = v?.configMap?.name;
    const data = cm ? sources.configMaps.get(cm) : undefined;
    const key = path.slice(m.mountPath.length + 1);
    if (data?.[key] !== undefined) return data[key];
    throw new Error(`container ${c.name}: ${path} is not a key of the ConfigMap volume ${m.name} (${cm ?? 'none'})`);
  }
  throw new Error(`container ${c.name}: ${path} is on no ConfigMap volume of the pod`);
}

/** One container of the Job, read: the command, where it goes, as whom, and the files it uploads. */
export interface MimirtoolIntent {
  container: string;
  image: string;
  command: 'rules sync' | 'alertmanager load';
  address: string;
  tenant: string;
  /** `rules sync --namespaces`: the only rule namespaces it touches. */
  namespaces?: string[];
  files: { path: string; content: string }[];
}

export function readMimirtoolJob(w: Workload, sources: DataSources): MimirtoolIntent[] {
  return (w.template.spec?.containers ?? []).map((c) => {
    const { command, flags, files } = parseArgs(c);
    if (command !== 'rules sync' && command !== 'alertmanager load')
      throw new Error(`Job ${w.name}/${c.name}: mimirtool ${command} is not one the harness can do`);
    if (!flags.address || !flags.id)
      throw new Error(`Job ${w.name}/${c.name}: mimirtool ${command} without --address or --id`);
    if (command === 'alertmanager load' && files.length !== 1)
      throw new Error(`Job ${w.name}/${c.name}: alertmanager load expects one file (no templates)`);
    return {
      container: c.name,
      image: c.image ?? '',
      command,
      address: flags.address,
      tenant: flags.id,
      namespaces: flags.namespaces?.split(','),
      files: files.map((f) => ({ path: f, content: fileOf(w, c, f, sources) })),
    };
  });
}

export async function runMimirtoolJob(
  w: Workload,
  sources: DataSources,
  resolve: (host: string) => Promise<string>,
  budgetMs: number,
): Promise<{ calls: MimirtoolCall[]; changes: Change[] }> {
  const calls: MimirtoolCall[] = [];
  const changes: Change[] = [];
  for (const intent of readMimirtoolJob(w, sources)) {
    const { command, tenant, address } = intent;
    const url = new URL(address);
    const base = `${url.protocol}//${await resolve(url.hostname)}:${url.port || 80}`;
    const headers = { 'X-Scope-OrgID': tenant, 'Content-Type': 'application/yaml' };
    const uploaded: string[] = [];
    const who = `${w.name}/${intent.container}`;
    if (command === 'rules sync') {
      for (const f of intent.files) {
        const file = parseYaml(f.content) as { namespace: string; groups: { name: string }[] };
        if (intent.namespaces && !intent.namespaces.includes(file.namespace)) continue;
        const path = `/prometheus/config/v1/rules/${encodeURIComponent(file.namespace)}`;
        for (const g of file.groups) {
          await poll(`${who}: POST ${path} (group ${g.name})`, budgetMs, async () => {
            const r = await http(`${base}${path}`, { method: 'POST', headers, body: stringifyYaml(g) });
            if (r.status !== 202) throw new Error(`${r.status}: ${r.body.slice(0, 200)}`);
            return r;
          });
          uploaded.push(`${file.namespace}/${g.name}`);
        }
        const held = await http(`${base}${path}`, { headers });
        if (held.status === 200) {
          const now = parseYaml(held.body) as Record<string, { name: string }[]> | null;
          for (const g of now?.[file.namespace] ?? [])
            if (!file.groups.some((x) => x.name === g.name))
              await http(`${base}${path}/${encodeURIComponent(g.name)}`, { method: 'DELETE', headers });
        }
      }
    } else {
      const config = intent.files[0].content;
      await poll(`${who}: POST /api/v1/alerts`, budgetMs, async () => {
        const r = await http(`${base}/api/v1/alerts`, {
          method: 'POST',
          headers,
          body: stringifyYaml({ template_files: {}, alertmanager_config: config }),
        });
        if (r.status !== 201) throw new Error(`${r.status}: ${r.body.slice(0, 200)}`);
        return r;
      });
      uploaded.push('alertmanager configuration');
    }
    calls.push({ container: intent.container, command, tenant, address, uploaded });
    changes.push({
      pod: `Job ${w.name}`,
      container: intent.container,
      what: 'job',
      where: 'whole container',
      from: `${intent.image}: mimirtool ${command} --address=${address} --id=${tenant} ${intent.files.map((f) => f.path).join(' ')}`,
      to: `the harness: the HTTP calls mimirtool ${command} makes, to ${base} (${url.hostname} through the cluster DNS) as tenant ${tenant}: ${uploaded.join(', ')}`,
    });
  }
  return { calls, changes };
}
