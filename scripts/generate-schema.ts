/**
 * Writes schema/environment.schema.json: the JSON Schema of an environment file, generated from the
 * `EnvironmentFile` type so that YAML/JSON environments and editors get the same checks as TypeScript.
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const schemaPath = fileURLToPath(new URL('../schema/environment.schema.json', import.meta.url));

export async function generateEnvironmentSchema(): Promise<string> {
  const TJS = await import('typescript-json-schema');
  const tjs = (TJS as unknown as { default?: typeof TJS }).default ?? TJS;
  const program = tjs.getProgramFromFiles([fileURLToPath(new URL('../lib/build/environment.ts', import.meta.url))], {
    strict: true,
    resolveJsonModule: true,
    esModuleInterop: true,
    skipLibCheck: true,
    module: 'NodeNext',
    moduleResolution: 'NodeNext',
    target: 'ES2022',
  } as never);
  const schema = tjs.generateSchema(program, 'EnvironmentFile', {
    required: true,
    noExtraProps: true,
    strictNullChecks: true,
    ref: false,
    aliasRef: false,
    titles: false,
    defaultProps: false,
    ignoreErrors: false,
  });
  if (!schema) throw new Error('typescript-json-schema produced no schema for EnvironmentFile');
  const withId = {
    $id: 'https://mimir-kube.dev/schema/environment.schema.json',
    title: 'mimir-kube environment',
    ...schema,
  };
  return `${JSON.stringify(withId, null, 2)}\n`;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  writeFileSync(schemaPath, await generateEnvironmentSchema());
  console.log(`wrote ${schemaPath}`);
}
