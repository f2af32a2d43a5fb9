/**
 * Derives the committed facts file `lib/mimir/reference/mimir-<version>.json` from Mimir's configuration
 * reference (config-descriptor.json, hidden-fields.txt, extra-flags.txt). Only names and types are kept:
 * Mimir's descriptions are AGPL prose, and the checker needs nothing else.
 *
 *   npx tsx scripts/generate-mimir-reference.ts [reference-dir] [--version V]
 *       (default: ../shared/reference/mimir, the version MIMIR_REFERENCE_VERSION)
 *
 * Beside the facts it writes `mimir-<version>.defaults.json`: every flag's default, which only the
 * upgrade check reads (the build's checks never need it, so the facts the build imports stay small).
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

import {
  MIMIR_REFERENCE_VERSION,
  mimirFactsUrl,
  type ConfigBlock,
  type ConfigNode,
  type FieldType,
  type FlagTree,
  type MimirFacts,
} from '../lib/mimir/reference/index.js';

const PROJECT_ROOT = fileURLToPath(new URL('..', import.meta.url));

/** Resolved from the project root rather than the working directory, so the script runs from anywhere. */
export const DEFAULT_REFERENCE_DIR = path.resolve(PROJECT_ROOT, '../shared/reference/mimir');

/** The name of the top-level block whose fields also apply per tenant in the runtime file. */
const LIMITS_BLOCK = 'limits';

/**
 * The runtime configuration file's root, from `runtimeConfigValues` in Mimir's pkg/mimir/runtime_config.go
 * and `kv.MultiRuntimeConfig` in dskit, which the descriptor does not cover. Refs point into the descriptor,
 * so a renamed block fails the generator instead of silently accepting anything.
 */
const RUNTIME_CONFIG: ConfigBlock = {
  overrides: ['map', ['ref', LIMITS_BLOCK]],
  multi_kv_config: { primary: 'string', mirror_enabled: 'boolean' },
  ingester_stream_chunks_when_using_blocks: 'boolean',
  ingester_limits: ['ref', 'ingester.instance_limits'],
  distributor_limits: ['ref', 'distributor.instance_limits'],
};

/**
 * Types of the flags in extra-flags.txt, which lists names only. Read from cmd/mimir/main.go (the binary's
 * own flags) and from the RegisterFlags calls of the hidden fields. A name missing here gets `unknown`,
 * which the checker accepts with or without a value.
 */
const EXTRA_FLAG_TYPES: Readonly<Record<string, FieldType>> = {
  'config.file': 'string',
  'config.expand-env': 'boolean',
  'print.config': 'boolean',
  'debug.block-profile-rate': 'int',
  'debug.mutex-profile-fraction': 'int',
  h: 'boolean',
  help: 'boolean',
  'help-all': 'boolean',
  'log.rate-limit-enabled': 'boolean',
  'log.rate-limit-logs-burst-size': 'int',
  'mem-ballast-size-bytes': 'int',
  modules: 'boolean',
  version: 'boolean',
  'blocks-storage.tsdb.block-ranges-period': 'list of durations',
  'distributor.influx-endpoint-enabled': 'boolean',
  'distributor.otel-start-time-quiet-zero': 'boolean',
  'ingester.push-grpc-method-enabled': 'boolean',
  'compactor.in-memory-tenant-meta-cache-size': 'int',
  'distributor.ingestion-artificial-delay': 'duration',
};

/**
 * Flags of Mimir's continuous test (`-target=continuous-test`): the binary registers them
 * (`pkg/continuoustest`), but they configure no YAML field, so neither config-descriptor.json nor
 * extra-flags.txt lists them. Names and types as Mimir 3.0.2's `mimir -help-all` prints them; a test
 * compares this list with the e2e peer's `-help-all` (test/continuous-test.test.ts).
 */
export const CONTINUOUS_TEST_FLAGS: Readonly<Record<string, FieldType>> = {
  'tests.basic-auth-password': 'string',
  'tests.basic-auth-user': 'string',
  'tests.bearer-token': 'string',
  'tests.client.cluster-validation.label': 'string',
  'tests.client.user-agent': 'string',
  'tests.ingest-storage-record.consumer-group': 'string',
  'tests.ingest-storage-record.enabled': 'boolean',
  'tests.ingest-storage-record.max-jump-size': 'int',
  'tests.ingest-storage-record.max-records-per-run': 'int',
  'tests.ingest-storage-record.records-processed-percent': 'int',
  'tests.read-endpoint': 'string',
  'tests.read-timeout': 'duration',
  'tests.run-interval': 'duration',
  'tests.send-chunks-debugging-header': 'boolean',
  'tests.smoke-test': 'boolean',
  'tests.tenant-id': 'string',
  'tests.write-batch-size': 'int',
  'tests.write-endpoint': 'string',
  'tests.write-protocol': 'string',
  'tests.write-read-series-test.float-samples-enabled': 'boolean',
  'tests.write-read-series-test.histogram-samples-enabled': 'boolean',
  'tests.write-read-series-test.max-query-age': 'duration',
  'tests.write-read-series-test.num-series': 'int',
  'tests.write-timeout': 'duration',
};

/**
 * Flags of the block-builder and block-builder-scheduler (`block_builder`, `block_builder_scheduler` in
 * hidden-fields.txt): Mimir 3.0.2 registers them (`pkg/blockbuilder/config.go`, `pkg/blockbuilder/scheduler/config.go`)
 * but hides them from the descriptor, extra-flags.txt and `-help-all`. Names and types from those RegisterFlags
 * calls; test/block-builder.test.ts hands every one, with a value of its type, to the pinned binary.
 */
export const BLOCK_BUILDER_FLAGS: Readonly<Record<string, FieldType>> = {
  'block-builder.instance-id': 'string',
  'block-builder.data-dir': 'string',
  'block-builder.apply-max-global-series-per-user-below': 'int',
  'block-builder.scheduler.address': 'string',
  'block-builder.scheduler.update-interval': 'duration',
  'block-builder.scheduler.max-update-age': 'duration',
  'block-builder-scheduler.consumer-group': 'string',
  'block-builder-scheduler.scheduling-interval': 'duration',
  'block-builder-scheduler.job-size': 'duration',
  'block-builder-scheduler.startup-observe-time': 'duration',
  'block-builder-scheduler.job-lease-expiry': 'duration',
  'block-builder-scheduler.lookback-on-no-commit': 'duration',
  'block-builder-scheduler.max-scan-age': 'duration',
  'block-builder-scheduler.max-jobs-per-partition': 'int',
  'block-builder-scheduler.enqueue-interval': 'duration',
  'block-builder-scheduler.job-failures-allowed': 'int',
};

/**
 * The block-builder's gRPC client to its scheduler is dskit's grpcclient.Config registered under this prefix;
 * the query-frontend's client is the same type, so its flags (in the descriptor) give the names and types.
 */
export const BLOCK_BUILDER_GRPC_CLIENT = {
  prefix: 'block-builder.scheduler.grpc-client-config.',
  sameTypeAs: 'query-frontend.grpc-client-config.',
};

interface DescriptorEntry {
  kind: string;
  name: string;
  desc?: string;
  fieldDefaultValue?: unknown;
  fieldType?: string;
  fieldFlag?: string;
  blockEntries?: DescriptorEntry[];
  fieldElement?: DescriptorEntry;
}

function fail(message: string): never {
  throw new Error(`generate-mimir-reference: ${message}`);
}

/** Allowed values of string fields whose description lists them, by flag and by YAML path (reset per run). */
let enumFlags = new Map<string, string[]>();
let enumPaths = new Map<string, string[]>();

/**
 * The closed set of values a string field accepts, when its description states one on a single line
 * ("Valid levels: [debug, info, warn, error]", "Supported values are: a, b, c."). Only the values are
 * kept, never the prose. A list with anything but plain tokens (multi-line cipher-suite lists, values
 * with spaces) is left out: then the field stays a free string, as before.
 */
export function enumValues(desc: string | undefined, fallback: unknown): string[] | undefined {
  if (desc === undefined || desc.includes('\n')) return undefined;
  const m =
    /Valid (?:levels|formats|values): \[([^\]]+)\]/.exec(desc) ??
    /(?:Supported|Allowed) (?:values|options|backends)(?: are)?:? (.+?)(?:\.(?:\s|$)|$)/.exec(desc);
  if (m === null) return undefined;
  const values: string[] = [];
  for (const raw of m[1].split(/\s*,\s*|\s+or\s+|\s+and\s+/)) {
    const token = raw.replace(/\s*\([^)]*\)$/, '').trim();
    const quoted = /^(['"])(.*)\1$/.exec(token);
    const value = quoted ? quoted[2] : token;
    if (!/^[A-Za-z0-9_.-]*$/.test(value) || (value === '' && !quoted)) return undefined;
    if (!values.includes(value)) values.push(value);
  }
  // The default is always accepted (an empty default means "unset").
  if (typeof fallback === 'string' && !values.includes(fallback)) values.push(fallback);
  return values.length > 1 ? values : undefined;
}

function convertBlock(entries: DescriptorEntry[], at: string, flags: Map<string, FieldType>): ConfigBlock {
  const block: ConfigBlock = {};
  for (const entry of entries) {
    const where = at === '' ? entry.name : `${at}.${entry.name}`;
    if (entry.name === '' || Object.prototype.hasOwnProperty.call(block, entry.name)) {
      fail(`empty or duplicate key at \`${where}\``);
    }
    block[entry.name] = convertEntry(entry, where, flags);
  }
  return block;
}

function convertEntry(entry: DescriptorEntry, at: string, flags: Map<string, FieldType>): ConfigNode {
  switch (entry.kind) {
    case 'block':
      // flagext.Secret comes out as a block with no entries (e.g. ruler.alertmanager_client.basic_auth_password);
      // it unmarshals from a plain string, and the same setting under `limits` is listed as `string`.
      if (entry.blockEntries === undefined) return 'string';
      return convertBlock(entry.blockEntries, at, flags);
    case 'field': {
      const type = entry.fieldType ?? fail(`field without fieldType at \`${at}\``);
      if (entry.fieldFlag) addFlag(flags, entry.fieldFlag, type, at);
      const values = type === 'string' ? enumValues(entry.desc, entry.fieldDefaultValue) : undefined;
      if (values !== undefined) {
        if (entry.fieldFlag) enumFlags.set(entry.fieldFlag, values);
        if (!at.includes('[]') && !at.includes('.*')) enumPaths.set(at, values);
      }
      if (entry.fieldElement === undefined) return type;
      if (type !== 'slice') fail(`field \`${at}\` of type \`${type}\` has an element description`);
      return ['list', convertElement(entry.fieldElement, `${at}[]`, flags)];
    }
    case 'map':
      if (entry.fieldElement === undefined) fail(`map without element at \`${at}\``);
      return ['map', convertElement(entry.fieldElement, `${at}.*`, flags)];
    default:
      return fail(`unknown descriptor kind \`${entry.kind}\` at \`${at}\``);
  }
}

function convertElement(element: DescriptorEntry, at: string, flags: Map<string, FieldType>): ConfigNode {
  if (element.kind !== 'block' || element.blockEntries === undefined) fail(`unexpected element at \`${at}\``);
  return convertBlock(element.blockEntries, at, flags);
}

function addFlag(flags: Map<string, FieldType>, name: string, type: FieldType, at: string): void {
  const known = flags.get(name);
  if (known !== undefined && known !== type)
    fail(`flag -${name} has types \`${known}\` and \`${type}\` (at \`${at}\`)`);
  flags.set(name, type);
}

function readList(file: string): string[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
}

/** Marks a hidden path as valid with any value; a hidden block (e.g. `block_builder`) accepts anything below. */
function addHidden(root: ConfigBlock, dotted: string): void {
  const keys = dotted.split('.');
  let block = root;
  for (const [i, key] of keys.entries()) {
    const last = i === keys.length - 1;
    const existing = Object.prototype.hasOwnProperty.call(block, key) ? block[key] : undefined;
    if (last) {
      // A path the descriptor does list keeps its precise type.
      if (existing === undefined) block[key] = 'any';
      return;
    }
    if (existing === 'any') return;
    if (existing === undefined || typeof existing !== 'object' || Array.isArray(existing)) {
      fail(`hidden field \`${dotted}\`: \`${keys.slice(0, i + 1).join('.')}\` is not a block in the descriptor`);
    }
    block = existing as ConfigBlock;
  }
}

function checkRefs(config: ConfigBlock, node: ConfigNode, at: string): void {
  if (typeof node === 'string') return;
  if (Array.isArray(node)) {
    const [kind, inner] = node;
    if (kind === 'ref') {
      let target: ConfigNode = config;
      for (const key of (inner as string).split('.')) {
        if (typeof target !== 'object' || Array.isArray(target) || !Object.prototype.hasOwnProperty.call(target, key)) {
          fail(`runtime config \`${at}\` refers to \`${inner as string}\`, which the descriptor does not have`);
        }
        target = (target as ConfigBlock)[key];
      }
      return;
    }
    checkRefs(config, inner as ConfigNode, at);
    return;
  }
  for (const [key, child] of Object.entries(node as ConfigBlock)) checkRefs(config, child, `${at}.${key}`);
}

function nestFlags(flags: Map<string, FieldType>): FlagTree {
  const root: FlagTree = {};
  for (const [name, type] of flags) {
    const segments = name.split('.');
    let tree = root;
    for (const [i, segment] of segments.entries()) {
      const existing = Object.prototype.hasOwnProperty.call(tree, segment) ? tree[segment] : undefined;
      if (i === segments.length - 1) {
        if (existing !== undefined) fail(`flag -${name} is also a prefix of another flag`);
        tree[segment] = type;
      } else {
        if (typeof existing === 'string')
          fail(`flag -${segments.slice(0, i + 1).join('.')} is also a prefix of -${name}`);
        tree = (existing as FlagTree | undefined) ?? (tree[segment] = {});
      }
    }
  }
  return root;
}

/**
 * Every flag's YAML path and default as the descriptor states it (durations in nanoseconds), sorted by
 * flag: `{"flag": ["yaml.path", default]}`.
 */
export function generateMimirDefaults(referenceDir: string = DEFAULT_REFERENCE_DIR): Record<string, [string, unknown]> {
  const descriptor = JSON.parse(
    readFileSync(path.join(referenceDir, 'config-descriptor.json'), 'utf8'),
  ) as DescriptorEntry;
  const out = new Map<string, [string, unknown]>();
  const visit = (e: DescriptorEntry, at: string): void => {
    if (e.kind === 'field' && e.fieldFlag && e.fieldDefaultValue !== undefined)
      out.set(e.fieldFlag, [at, e.fieldDefaultValue]);
    for (const child of e.blockEntries ?? []) visit(child, at === '' ? child.name : `${at}.${child.name}`);
  };
  visit(descriptor, '');
  return Object.fromEntries([...out.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** The defaults file's exact text: one flag per line, so an upgrade's diff reads flag by flag. */
export function renderMimirDefaults(referenceDir: string = DEFAULT_REFERENCE_DIR): string {
  return `${stableJson(generateMimirDefaults(referenceDir), 1)}\n`;
}

/** Builds the facts from a reference folder, without writing anything. */
export function generateMimirFacts(
  referenceDir: string = DEFAULT_REFERENCE_DIR,
  version: string = MIMIR_REFERENCE_VERSION,
): MimirFacts {
  const descriptor = JSON.parse(
    readFileSync(path.join(referenceDir, 'config-descriptor.json'), 'utf8'),
  ) as DescriptorEntry;
  if (descriptor.kind !== 'block' || descriptor.blockEntries === undefined) fail('descriptor root is not a block');

  const flags = new Map<string, FieldType>();
  enumFlags = new Map();
  enumPaths = new Map();
  const config = convertBlock(descriptor.blockEntries, '', flags);
  const limits = config[LIMITS_BLOCK];
  if (limits === undefined || typeof limits !== 'object' || Array.isArray(limits)) {
    fail(`the descriptor has no top-level \`${LIMITS_BLOCK}\` block`);
  }

  for (const hidden of readList(path.join(referenceDir, 'hidden-fields.txt'))) addHidden(config, hidden);
  for (const name of readList(path.join(referenceDir, 'extra-flags.txt'))) {
    if (!flags.has(name)) flags.set(name, EXTRA_FLAG_TYPES[name] ?? 'unknown');
  }
  for (const [name, type] of Object.entries(CONTINUOUS_TEST_FLAGS)) if (!flags.has(name)) flags.set(name, type);
  for (const [name, type] of Object.entries(BLOCK_BUILDER_FLAGS)) if (!flags.has(name)) flags.set(name, type);
  const { prefix, sameTypeAs } = BLOCK_BUILDER_GRPC_CLIENT;
  const grpcClient = [...flags].filter(([name]) => name.startsWith(sameTypeAs));
  if (grpcClient.length === 0) fail(`no -${sameTypeAs}* flags in the descriptor for the block-builder's gRPC client`);
  for (const [name, type] of grpcClient) flags.set(prefix + name.slice(sameTypeAs.length), type);
  checkRefs(config, RUNTIME_CONFIG, 'runtime');

  return {
    mimirVersion: version,
    limitsBlock: LIMITS_BLOCK,
    config,
    runtimeConfig: RUNTIME_CONFIG,
    flags: nestFlags(flags),
    enums: { flags: Object.fromEntries(enumFlags), config: Object.fromEntries(enumPaths) },
  };
}

const PRETTY_DEPTH = 3;

/**
 * JSON with keys sorted at every level, so regenerating is byte-for-byte stable. The top levels are indented
 * (2 spaces) and each block below them sits on one compact line: fully indented, the file is ~150 KB, this
 * way ~115 KB, and a diff or a grep still lands on one named block.
 */
function stableJson(value: unknown, depth: number, indent = ''): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  const items: Array<[string | undefined, unknown]> = Array.isArray(value)
    ? value.map((v): [undefined, unknown] => [undefined, v])
    : Object.keys(value)
        .sort()
        .map((k): [string, unknown] => [k, (value as Record<string, unknown>)[k]]);
  const [open, close] = Array.isArray(value) ? ['[', ']'] : ['{', '}'];
  if (items.length === 0) return open + close;
  if (depth <= 0) {
    return (
      open +
      items.map(([k, v]) => (k === undefined ? '' : `${JSON.stringify(k)}:`) + stableJson(v, 0)).join(',') +
      close
    );
  }
  const inner = `${indent}  `;
  const lines = items.map(
    ([k, v]) => inner + (k === undefined ? '' : `${JSON.stringify(k)}: `) + stableJson(v, depth - 1, inner),
  );
  return `${open}\n${lines.join(',\n')}\n${indent}${close}`;
}

/** The facts file's exact text, as committed. */
export function renderMimirFacts(
  referenceDir: string = DEFAULT_REFERENCE_DIR,
  version: string = MIMIR_REFERENCE_VERSION,
): string {
  return `${stableJson(generateMimirFacts(referenceDir, version), PRETTY_DEPTH)}\n`;
}

function main(argv: string[]): void {
  const at = argv.indexOf('--version');
  const version = at >= 0 ? argv[at + 1] : MIMIR_REFERENCE_VERSION;
  if (!version || !/^[0-9][0-9A-Za-z.-]*$/.test(version)) {
    console.error('generate-mimir-reference: --version needs a version such as 3.1');
    process.exit(1);
  }
  const rest = at >= 0 ? [...argv.slice(0, at), ...argv.slice(at + 2)] : argv;
  const referenceDir = path.resolve(rest[0] ?? DEFAULT_REFERENCE_DIR);
  if (!existsSync(path.join(referenceDir, 'config-descriptor.json'))) {
    console.error(`generate-mimir-reference: no config-descriptor.json in ${referenceDir}`);
    process.exit(1);
  }
  const text = renderMimirFacts(referenceDir, version);
  const out = fileURLToPath(mimirFactsUrl(version));
  writeFileSync(out, text);
  const defaults = renderMimirDefaults(referenceDir);
  const defaultsOut = out.replace(/\.json$/, '.defaults.json');
  writeFileSync(defaultsOut, defaults);
  console.log(`wrote ${path.relative(process.cwd(), out)} (${Buffer.byteLength(text)} bytes) from ${referenceDir}`);
  console.log(`wrote ${path.relative(process.cwd(), defaultsOut)} (${Buffer.byteLength(defaults)} bytes)`);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  main(process.argv.slice(2));
}
