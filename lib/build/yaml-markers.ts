/**
 * The merge markers in YAML and JSON-less environment files, as local tags:
 *
 *   overrides:
 *     mimir:
 *       overridesExporter: !DELETE                 # DELETE
 *       ingester:
 *         statefulSet:
 *           spec: { template: { spec: {
 *             nodeSelector: !add { node-pool: mimir },                  # add({...})
 *             tolerations: !append [ { key: dedicated, operator: Exists } ],   # append([...]); !prepend too
 *             containers: !byName { ingester: { env: !byName { GOMAXPROCS: { value: "4" } } } },
 *           } } }
 *
 * `!byMountPath` is `byName({...}, 'mountPath')` for volume mounts.
 */
import { parse, YAMLMap, YAMLSeq, type CollectionTag, type ScalarTag } from 'yaml';
import { DELETE, add, append, byName, prepend } from '../core/merge.js';

type Wrap = (value: unknown) => unknown;
type ToJSContext = Parameters<YAMLMap['toJSON']>[1];

// The nodes' declared toJSON types are plain data; a tagged node deliberately becomes a marker instead,
// which is what the merge reads. The casts say so once here.
function mapTag(tag: string, wrap: Wrap): CollectionTag {
  class Tagged extends YAMLMap {
    override toJSON(_?: unknown, ctx?: ToJSContext): ReturnType<YAMLMap['toJSON']> {
      return wrap(super.toJSON(_, ctx)) as ReturnType<YAMLMap['toJSON']>;
    }
  }
  return {
    tag,
    collection: 'map',
    nodeClass: Tagged,
    resolve: (map) => Object.assign(new Tagged(), map),
  } as CollectionTag;
}

function seqTag(tag: string, wrap: Wrap): CollectionTag {
  class Tagged extends YAMLSeq {
    override toJSON(_?: unknown, ctx?: ToJSContext): unknown[] {
      return wrap(super.toJSON(_, ctx)) as unknown[];
    }
  }
  return {
    tag,
    collection: 'seq',
    nodeClass: Tagged,
    resolve: (seq) => Object.assign(new Tagged(), seq),
  } as CollectionTag;
}

const deleteTag: ScalarTag = { tag: '!DELETE', identify: (v) => v === DELETE, resolve: () => DELETE };
// `readOnly: !add true`: a tagged scalar is resolved as the plain scalar it would be untagged.
const addScalarTag: ScalarTag = { tag: '!add', resolve: (text) => add(parse(text) as never) };

export const markerTags: (CollectionTag | ScalarTag)[] = [
  deleteTag,
  addScalarTag,
  mapTag('!add', (v) => add(v as never)),
  seqTag('!add', (v) => add(v as never)),
  seqTag('!append', (v) => append(v as never)),
  seqTag('!prepend', (v) => prepend(v as never)),
  mapTag('!byName', (v) => byName(v as never)),
  mapTag('!byMountPath', (v) => byName(v as never, 'mountPath')),
];
