import type { Problem } from '../../core/problems.js';
import { allContainers, pods, problemAt, type Rule } from '../../core/checks/context.js';

// The grammar of github.com/distribution/reference, which the kubelet and container runtimes use.
const alnum = '[a-z0-9]+';
const separator = '(?:[._]|__|[-]+)';
const pathComponent = `${alnum}(?:${separator}${alnum})*`;
const domainComponent = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const domain = `(?:${domainComponent}(?:\\.${domainComponent})*|\\[[a-fA-F0-9:]+\\])(?::[0-9]+)?`;
const tag = '[\\w][\\w.-]{0,127}';
const digest = '[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}';
const REFERENCE = new RegExp(
  `^((?:${domain}/)?${pathComponent}(?:/${pathComponent})*)(?::(${tag}))?(?:@(${digest}))?$`,
);

const expected =
  'an image reference with a tag or a digest, e.g. `grafana/mimir:3.0.2` or `registry.example.com/grafana/mimir@sha256:<64 hex digits>`';
const hint =
  'images are pinned in config.images (defaults in lib/core/versions.json); set the full reference there, or in the override that changed it';

/** Why `image` would not pull the intended image, or undefined when it names one exactly. */
export function imageProblem(image: unknown): string | undefined {
  if (typeof image !== 'string' || image === '') return 'the image is empty';
  // \s is the same set String.prototype.trim removes, so this also catches leading and trailing spaces.
  if (/\s/.test(image)) return 'the image contains spaces';
  const m = REFERENCE.exec(image);
  if (!m)
    return /[A-Z]/.test(image.split('@')[0].split(':')[0].split('/').slice(1).join('/') || image)
      ? 'the repository part must be lowercase'
      : 'not a valid image reference';
  if (m[1].length > 255) return 'the repository name is longer than 255 characters';
  if (m[2] === undefined && m[3] === undefined)
    return 'the image has neither a tag nor a digest, so every node pulls whatever `latest` is that day';
  return undefined;
}

/** Every container (and init container) names an image exactly: non-empty, well-formed, with a tag or digest. */
export const imagesRule: Rule = (ctx) => {
  const out: Problem[] = [];
  for (const pod of pods(ctx.entries)) {
    for (const { container, pointer } of allContainers(pod.spec)) {
      const problem = imageProblem(container.image);
      if (problem === undefined) continue;
      out.push(
        problemAt(ctx, pod.entry, {
          pointer: `${pod.pointer}${pointer}/image`,
          message: problem,
          expected,
          found: JSON.stringify(container.image ?? ''),
          hint,
        }),
      );
    }
  }
  return out;
};
