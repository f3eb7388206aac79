/**
 * Keras model configs: the v3 `.keras` zip (config.json, metadata.json, model.weights.h5, assets/)
 * and the JSON model config that legacy `.h5` files carry (keras-h5.ts extracts it). A config is
 * data, but loading it imports whatever `module` names and runs Lambda bytecode: Lambda layers
 * (marshalled Python in `function`), TFOpLambda, and `module` fields outside keras are reported.
 * Keras 2 configs have no `module` field, so custom classes there are only seen by their use.
 */
import type { ByteSource } from '../../core/byte-source.js';
import type { Finding } from '../finding.js';
import { FindingSink } from './finding-sink.js';
import { excerpt } from './suspicious-text.js';

/** Largest config.json / metadata.json read. */
export const MAX_KERAS_JSON = 64 * 1024 * 1024;
const MAX_WALK_NODES = 1_000_000;
const MAX_LISTED_LAYERS = 10_000;

/** Module roots Keras itself (and its official extensions) serialize. */
const KERAS_ROOTS = new Set(['keras', 'keras_hub', 'keras_nlp', 'keras_cv', 'keras_rs', 'tf_keras']);
const KERAS_PREFIXES = ['tensorflow.keras', 'tensorflow.python.keras'];
/** Roots whose import gives code execution (safe_mode bypasses such as CVE-2025-1550). */
const DANGEROUS_ROOTS = new Set([
  'os', 'posix', 'nt', 'subprocess', 'builtins', '__builtin__', 'sys', 'shutil', 'socket', 'importlib',
  'runpy', 'pickle', 'marshal', 'ctypes', 'pty', 'code', 'codeop', 'webbrowser', 'multiprocessing',
  'asyncio', 'pdb', 'timeit', 'platform', 'commands', 'popen2', 'tempfile', 'glob', 'io', 'requests', 'urllib',
]);

export interface KerasLayerRef {
  className: string;
  name: string;
  module: string | null;
}

export interface KerasConfigSummary {
  /** Top-level class (Functional, Sequential, Model, a custom model…). */
  className: string | null;
  /** Layers found anywhere in the config (first 10 000). */
  layers: KerasLayerRef[];
  lambdaCount: number;
}

export interface KerasResult {
  config: KerasConfigSummary | null;
  /** metadata.json `keras_version`, when present. */
  kerasVersion: string | null;
  findings: Finding[];
}

/**
 * Walks a parsed config (iteratively: the JSON may be hostile-deep) and records the findings under
 * `location` prefixes such as `config.json` or `model_config`.
 */
export function walkKerasConfig(root: unknown, where: string, sink: FindingSink): KerasConfigSummary {
  const summary: KerasConfigSummary = { className: null, layers: [], lambdaCount: 0 };
  if (isObject(root) && typeof root['class_name'] === 'string') summary.className = root['class_name'];
  const stack: WalkEntry[] = [{ v: root, parent: null, key: where, inLambda: false, isLayer: false }];
  let visited = 0;
  while (stack.length > 0) {
    const e = stack.pop()!;
    if (++visited > MAX_WALK_NODES) {
      sink.add('FORMAT_LIMIT_EXCEEDED', `config has more than ${MAX_WALK_NODES} objects and arrays; the rest was not examined`, where);
      break;
    }
    const v = e.v;
    if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) {
        const child: unknown = v[i];
        if (typeof child === 'object' && child !== null) stack.push({ v: child, parent: e, key: i, inLambda: e.inLambda, isLayer: e.isLayer });
      }
      continue;
    }
    if (!isObject(v)) continue;
    const lambda = inspectObject(v, e, summary, sink);
    for (const k in v) {
      const child = v[k];
      if (typeof child === 'object' && child !== null) {
        // Items of a `layers` list are layers (Sequential/Functional configs).
        stack.push({ v: child, parent: e, key: k, inLambda: e.inLambda || lambda, isLayer: k === 'layers' && Array.isArray(child) });
      }
    }
  }
  return summary;
}

interface WalkEntry {
  v: unknown;
  parent: WalkEntry | null;
  key: string | number;
  /** Inside a Lambda layer: its function's own fields are not reported again. */
  inLambda: boolean;
  /** An item of a `layers` list. */
  isLayer: boolean;
}

/** `config.json.config.layers[1]`: built only when a finding needs it. */
function pathOf(e: WalkEntry): string {
  const parts: string[] = [];
  for (let x: WalkEntry | null = e; x !== null; x = x.parent) parts.push(typeof x.key === 'number' ? `[${x.key}]` : x.parent === null ? x.key : `.${x.key}`);
  return parts.reverse().join('');
}

/** Checks one serialized object; returns true when it is a Lambda (its subtree is its function). */
function inspectObject(o: Record<string, unknown>, at: WalkEntry, summary: KerasConfigSummary, sink: FindingSink): boolean {
  const inLambda = at.inLambda;
  const className = typeof o['class_name'] === 'string' ? o['class_name'] : null;
  const config = isObject(o['config']) ? o['config'] : null;
  const module = typeof o['module'] === 'string' ? o['module'] : null;
  const layerName = config !== null && typeof config['name'] === 'string' ? config['name'] : '';
  if (at.isLayer && className !== null && summary.layers.length < MAX_LISTED_LAYERS) {
    summary.layers.push({ className, name: layerName, module });
  }
  const label = `${className ?? 'object'} ${JSON.stringify(excerpt(layerName, 80))}`;
  let lambda = false;
  if (className === 'Lambda' || (className === '__lambda__' && !inLambda)) {
    lambda = true;
    summary.lambdaCount++;
    sink.add('KERAS_LAMBDA_LAYER', `${label}: ${describeLambda(config)} runs when the model is loaded (Keras 3 refuses it in safe_mode)`, pathOf(at));
  } else if (className === 'TFOpLambda' || className === 'SlicingOpLambda') {
    const fn = config !== null && typeof config['function'] === 'string' ? config['function'] : '?';
    sink.add('KERAS_TFOP_LAMBDA', `${label} calls the TensorFlow op looked up by name ${JSON.stringify(excerpt(fn, 80))}`, pathOf(at));
  }
  if (module !== null) {
    const root = module.split('.')[0] ?? '';
    if (DANGEROUS_ROOTS.has(root)) {
      const attr = typeof o['config'] === 'string' ? `.${excerpt(o['config'], 60)}` : '';
      sink.add('KERAS_DANGEROUS_MODULE', `${label} imports module ${JSON.stringify(excerpt(module, 80))}${attr} on load`, pathOf(at));
    } else if (!inLambda && !KERAS_ROOTS.has(root) && !KERAS_PREFIXES.some((p) => module === p || module.startsWith(p + '.'))) {
      // Inside a Lambda the module is where its function came from: already reported with it.
      sink.add('KERAS_CUSTOM_OBJECT', `${label} comes from module ${JSON.stringify(excerpt(module, 80))}: its code is imported on load`, pathOf(at));
    }
  } else if (typeof o['registered_name'] === 'string' && o['registered_name'].includes('>')) {
    sink.add('KERAS_CUSTOM_OBJECT', `${label} is the registered custom object ${JSON.stringify(excerpt(o['registered_name'], 80))}`, pathOf(at));
  }
  return lambda;
}

/** What a Lambda's `function` holds: Keras 2 [base64 marshal, defaults, closure] or Keras 3 __lambda__. */
function describeLambda(config: Record<string, unknown> | null): string {
  const fn = config?.['function'] ?? config?.['code'];
  if (Array.isArray(fn) && typeof fn[0] === 'string') return `marshalled Python bytecode (${fn[0].length} base64 chars)`;
  if (typeof fn === 'string') return `marshalled Python bytecode (${fn.length} base64 chars)`;
  if (isObject(fn)) {
    const inner = isObject(fn['config']) ? fn['config']['code'] : undefined;
    if (typeof inner === 'string') return `marshalled Python bytecode (${inner.length} base64 chars)`;
    if (typeof fn['module'] === 'string') return `function ${excerpt(fn['module'], 60)}.${excerpt(String(fn['config'] ?? '?'), 60)}`;
  }
  return 'a Python function';
}

function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

async function readJson(src: ByteSource, sink: FindingSink, what: string): Promise<unknown> {
  if (src.size > MAX_KERAS_JSON) {
    sink.add('FORMAT_LIMIT_EXCEEDED', `${what} of ${src.size} bytes exceeds the ${MAX_KERAS_JSON}-byte bound`, what);
    return undefined;
  }
  try {
    return JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(await src.read(0, src.size)));
  } catch (e) {
    sink.add('KERAS_CONFIG_INVALID', `${what} is not UTF-8 JSON: ${e instanceof Error ? excerpt(e.message, 100) : ''}`, what);
    return undefined;
  }
}

/** A Keras JSON model config on its own (config.json, a legacy model.json). */
export async function readKerasConfig(src: ByteSource, where = 'config.json'): Promise<KerasResult> {
  const sink = new FindingSink();
  let config: KerasConfigSummary | null = null;
  try {
    const json = await readJson(src, sink, where);
    if (json !== undefined) {
      if (!isObject(json)) sink.add('KERAS_CONFIG_INVALID', `${where} is not a JSON object`, where);
      else config = walkKerasConfig(json, where, sink);
    }
  } catch (e) {
    sink.add('FORMAT_UNREADABLE', `keras: read failed: ${e instanceof Error ? e.message : String(e)}`, where);
  }
  return { config, kerasVersion: null, findings: sink.finish() };
}

export interface KerasEntry {
  /** Path inside the .keras zip. */
  name: string;
  source: ByteSource;
}

/** Layout of a Keras 3 `.keras` archive (keras/src/saving/saving_lib.py). */
function isExpectedEntry(name: string): boolean {
  return name === 'config.json' || name === 'metadata.json' || name === 'model.weights.h5' || name === 'model.weights.npz' || name.startsWith('assets/') || name.endsWith('/');
}

/** A `.keras` archive, given its entries (the caller opens the zip). */
export async function readKerasArchive(entries: KerasEntry[]): Promise<KerasResult> {
  const sink = new FindingSink();
  const result: KerasResult = { config: null, kerasVersion: null, findings: [] };
  try {
    for (const e of entries) {
      if (!isExpectedEntry(e.name)) sink.add('KERAS_UNEXPECTED_ENTRY', `entry ${JSON.stringify(excerpt(e.name))} is not part of the .keras layout; Keras ignores it, something else may not`, e.name);
    }
    const configEntry = entries.find((e) => e.name === 'config.json');
    if (configEntry === undefined) sink.add('KERAS_CONFIG_INVALID', 'archive has no config.json');
    else {
      const json = await readJson(configEntry.source, sink, 'config.json');
      if (json !== undefined) {
        if (isObject(json)) result.config = walkKerasConfig(json, 'config.json', sink);
        else sink.add('KERAS_CONFIG_INVALID', 'config.json is not a JSON object', 'config.json');
      }
    }
    const metaEntry = entries.find((e) => e.name === 'metadata.json');
    if (metaEntry !== undefined) {
      const meta = await readJson(metaEntry.source, sink, 'metadata.json');
      if (isObject(meta) && typeof meta['keras_version'] === 'string') result.kerasVersion = excerpt(meta['keras_version'], 40);
      else if (meta !== undefined) sink.add('KERAS_CONFIG_INVALID', 'metadata.json has no keras_version string', 'metadata.json');
    }
  } catch (e) {
    sink.add('FORMAT_UNREADABLE', `keras: read failed: ${e instanceof Error ? e.message : String(e)}`);
  }
  result.findings = sink.finish();
  return result;
}
