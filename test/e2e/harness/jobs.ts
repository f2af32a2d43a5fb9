import { expandArgs, resolveEnv, type DataSources, type Workload } from './manifest.js';

/**
 * The bucket Job runs MinIO's client (`mc`), which has no peer here. Its script is read, not guessed:
 * `mc alias set <alias> "$ENDPOINT" "$KEY" "$SECRET"` names the environment variables, and
 * `for bucket in "$@"; do mc mb … "<alias>/$bucket"` says the buckets are the script's positional arguments
 * (`sh -c SCRIPT $0 BUCKET…`). The harness then does what `mc mb --ignore-existing` does, over S3.
 */
export interface BucketJobIntent {
  job: string;
  container: string;
  image: string;
  endpoint: string;
  accessKeyId: string;
  secretAccessKey: string;
  buckets: string[];
}

export function readBucketJob(w: Workload, sources: DataSources, namespace: string): BucketJobIntent {
  const containers = w.template.spec?.containers ?? [];
  if (containers.length !== 1) throw new Error(`Job ${w.name}: expected one container, found ${containers.length}`);
  const c = containers[0];
  const env = resolveEnv(c, sources, { name: `${w.name}-job`, namespace, ip: '' });
  const argv = expandArgs([...(c.command ?? []), ...(c.args ?? [])], env);
  const shell = argv.findIndex((a, i) => /(^|\/)(ba)?sh$/.test(a) && argv[i + 1] === '-c');
  if (shell < 0)
    throw new Error(
      `Job ${w.name}: not a "sh -c SCRIPT" container; the harness cannot tell what it does (${argv.join(' ')})`,
    );
  const script = argv[shell + 2] ?? '';
  const positional = argv.slice(shell + 4);
  const alias = /mc alias set (\S+) "\$\{?(\w+)\}?" "\$\{?(\w+)\}?" "\$\{?(\w+)\}?"/.exec(script);
  if (!alias) throw new Error(`Job ${w.name}: no "mc alias set ALIAS "$ENDPOINT" "$KEY" "$SECRET"" in its script`);
  const mb = /for (\w+) in "\$@"; do\s+mc mb[^\n]*"?\S*\$\{?(\w+)\}?"?/.exec(script);
  if (!mb || mb[1] !== mb[2]) throw new Error(`Job ${w.name}: no "for bucket in "$@"; do mc mb …" loop in its script`);
  const need = (name: string): string => {
    if (!(name in env)) throw new Error(`Job ${w.name}: its script uses $${name}, which its container does not set`);
    return env[name];
  };
  return {
    job: w.name,
    container: c.name,
    image: c.image ?? '',
    endpoint: need(alias[2]),
    accessKeyId: need(alias[3]),
    secretAccessKey: need(alias[4]),
    buckets: positional,
  };
}
