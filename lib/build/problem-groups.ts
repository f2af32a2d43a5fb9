import type { Problem, ProblemPlace } from '../core/problems.js';

/**
 * One problem per cause: problems that say exactly the same thing (message, expected, found, hint) about
 * different places — one missing Secret referenced by sixteen env vars, one bad value copied into every
 * pod — become one problem listing every place, in the order they were found.
 */
export function groupByCause(problems: readonly Problem[]): Problem[] {
  const groups = new Map<string, { first: Problem; places: ProblemPlace[] }>();
  for (const p of problems) {
    const key = JSON.stringify([p.source ?? '', p.message, p.expected ?? '', p.found ?? '', p.hint ?? '']);
    const place: ProblemPlace = {
      path: p.path,
      ...(p.object !== undefined ? { object: p.object } : {}),
      ...(p.pointer !== undefined ? { pointer: p.pointer } : {}),
    };
    const group = groups.get(key);
    if (!group) groups.set(key, { first: p, places: [place, ...(p.also ?? [])] });
    else {
      const seen = group.places.some(
        (q) => q.path === place.path && q.object === place.object && q.pointer === place.pointer,
      );
      if (!seen) group.places.push(place);
      for (const q of p.also ?? [])
        if (!group.places.some((r) => r.path === q.path && r.object === q.object && r.pointer === q.pointer))
          group.places.push(q);
    }
  }
  return [...groups.values()].map(({ first, places }) => {
    if (places.length === 1) return first;
    const { also: _also, ...rest } = first;
    return { ...rest, also: places.slice(1) };
  });
}
