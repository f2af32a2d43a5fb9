/**
 * Writes lib/build/validate/k8s-fields.json: for every kind the library renders, the field names the
 * Kubernetes API accepts at each level, derived from the kubernetes-models type declarations. The
 * package's validators accept unknown fields; the API server (field validation "Strict", kubectl's
 * default) rejects them, so the build checks them itself.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { supportedModels } from '../lib/build/validate/models.js';

export const fieldsPath = fileURLToPath(new URL('../lib/build/validate/k8s-fields.json', import.meta.url));

/** A node: known property names → node id; `*` for map values; `[]` for array items; `{}` for free-form. */
type Node = Record<string, string>;

export function generateK8sFields(): string {
  const root = fileURLToPath(new URL('..', import.meta.url));
  const modules = Object.entries(supportedModels()).sort(([a], [b]) => a.localeCompare(b));
  const source =
    modules.map(([key, mod], i) => `import type { I${key.split('/').pop()} as T${i} } from '${mod}';`).join('\n') +
    '\n' +
    modules.map((_, i) => `export declare const v${i}: T${i};`).join('\n');
  const file = join(root, '.k8s-fields-probe.ts');
  const host = ts.createCompilerHost({});
  const options: ts.CompilerOptions = {
    strict: true,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    skipLibCheck: true,
    noEmit: true,
  };
  const originalRead = host.readFile;
  host.readFile = (f) => (f === file ? source : originalRead(f));
  const originalExists = host.fileExists;
  host.fileExists = (f) => f === file || originalExists(f);
  const program = ts.createProgram([file], options, host);
  const checker = program.getTypeChecker();
  const sf = program.getSourceFile(file)!;
  const nodes: Record<string, Node> = {};
  const ids = new Map<ts.Type, string>();
  const kinds: Record<string, string> = {};

  const visit = (type: ts.Type): string => {
    const t = checker.getNonNullableType(type);
    const known = ids.get(t);
    if (known) return known;
    if (t.isUnion()) {
      const objectParts = t.types.filter((p) => p.flags & ts.TypeFlags.Object);
      if (objectParts.length === 1) return visit(objectParts[0]);
      return 'any';
    }
    if (!(t.flags & ts.TypeFlags.Object)) return 'any';
    if (checker.isArrayType(t)) {
      const id = `#${ids.size}`;
      ids.set(t, id);
      nodes[id] = { '[]': visit(checker.getTypeArguments(t as ts.TypeReference)[0]) };
      return id;
    }
    const id = `#${ids.size}`;
    ids.set(t, id);
    const node: Node = {};
    nodes[id] = node;
    const index = checker.getIndexInfoOfType(t, ts.IndexKind.String);
    if (index) node['*'] = visit(index.type);
    for (const p of checker.getPropertiesOfType(t)) {
      node[p.name] = visit(checker.getTypeOfSymbolAtLocation(p, sf));
    }
    if (!index && Object.keys(node).length === 0) node['{}'] = 'any';
    return id;
  };
  for (const [i, [key]] of modules.entries()) {
    const symbol = checker.getExportsOfModule(checker.getSymbolAtLocation(sf)!).find((s) => s.name === `v${i}`)!;
    kinds[key] = visit(checker.getTypeOfSymbolAtLocation(symbol, sf));
  }
  const sortedNodes = Object.fromEntries(
    Object.keys(nodes)
      .sort((a, b) => Number(a.slice(1)) - Number(b.slice(1)))
      .map((k) => [k, Object.fromEntries(Object.entries(nodes[k]).sort(([a], [b]) => a.localeCompare(b)))]),
  );
  return `${JSON.stringify({ kinds, nodes: sortedNodes })}\n`;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  writeFileSync(fieldsPath, generateK8sFields());
  console.log(`wrote ${fieldsPath}`);
}
