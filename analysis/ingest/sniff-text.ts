/**
 * Text formats by content: JSON documents and JSON lines (Kubernetes audit, manifest, Prometheus
 * query_range, app events), `dcgmi dmon` tables, Triton `config.pbtxt`, the Prometheus text
 * exposition format and DCGM CSV. JSON is classified on parsed top-level keys wherever the head
 * parses, so a key planted inside an attacker-written value cannot flip a log's kind.
 */
import type { SourceKind } from '../core/kinds.js';
import { DMON_FIELD_NAMES } from './readers/dcgm-fields.js';

/** A head shorter than this is taken to be the whole file. */
const HEAD_BYTES = 64 * 1024;
const MAX_LINES = 64;

export function sniffTextKind(head: Uint8Array, name: string): SourceKind | null {
  const probe = head.subarray(0, 8192);
  if (probe.indexOf(0) !== -1) return null; // binary (or UTF-16, which no supported format uses)
  let text = new TextDecoder('utf-8').decode(head);
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const complete = head.length < HEAD_BYTES;
  const first = text.trimStart()[0];
  if (first === '{' || first === '[') return sniffJson(text, complete);
  const lines = firstLines(text, complete);
  if (lines.length === 0) return null;
  if (lines[0]!.startsWith('#Entity') || lines[0]!.startsWith('# Entity')) return 'dcgm_dmon';
  if (isTritonConfig(text, complete, name)) return 'triton_config';
  if (isPrometheusText(lines)) return 'dcgm_prom';
  if (isDcgmCsv(lines)) return 'dcgm_csv';
  return null;
}

/** Non-empty lines (without `\r`), at most MAX_LINES; the cut last line of a partial head is dropped. */
function firstLines(text: string, complete: boolean): string[] {
  const out: string[] = [];
  let pos = 0;
  while (out.length < MAX_LINES && pos < text.length) {
    let nl = text.indexOf('\n', pos);
    if (nl === -1) {
      if (!complete) break;
      nl = text.length;
    }
    const line = text.slice(pos, nl).replace(/\r$/, '');
    if (line.trim() !== '') out.push(line);
    pos = nl + 1;
  }
  return out;
}

type Json = unknown;
type JsonObject = Record<string, unknown>;

function isObject(v: Json): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function tryParse(s: string): Json | undefined {
  try {
    return JSON.parse(s) as Json;
  } catch {
    return undefined;
  }
}

function sniffJson(text: string, complete: boolean): SourceKind | null {
  if (complete) {
    const whole = tryParse(text);
    if (whole !== undefined) {
      const k = classifyJson(whole, true);
      if (k) return k;
    }
  }
  // JSON lines: the first records decide.
  for (const line of firstLines(text, complete).slice(0, 3)) {
    const v = tryParse(line);
    if (v === undefined) continue;
    const k = classifyJson(v, false);
    if (k) return k;
  }
  return classifyJsonText(text);
}

/** Classifies one parsed JSON value by its keys; `whole` when it is the entire file. */
function classifyJson(value: Json, whole: boolean): SourceKind | null {
  let v = value;
  if (Array.isArray(v)) {
    v = v.find(isObject);
    whole = false;
  }
  if (!isObject(v)) return null;
  const apiVersion = typeof v.apiVersion === 'string' ? v.apiVersion : '';
  // audit.k8s.io/v1 Event (one per line) or EventList.
  if (typeof v.auditID === 'string' || (v.kind === 'Event' && apiVersion.startsWith('audit.k8s.io'))) return 'k8s_audit';
  if (v.kind === 'EventList' && (apiVersion.startsWith('audit.k8s.io') || (Array.isArray(v.items) && isObject(v.items[0]) && 'auditID' in v.items[0]))) {
    return 'k8s_audit';
  }
  if (whole && ('incident_id' in v || 'incidentId' in v)) return 'manifest';
  // Prometheus HTTP API: {"status":"success","data":{"resultType":"matrix","result":[…]}}
  const data = isObject(v.data) ? v.data : v;
  if (data.resultType === 'matrix' || data.resultType === 'vector') return 'dcgm_query_range';
  if ('action' in v && ('job_id' in v || 'ts' in v || 'timestamp' in v)) return 'app_events';
  // Log shippers wrap the event: {"log":"{\"auditID\":…}"} or one level of nesting.
  for (const inner of Object.values(v)) {
    if (isObject(inner) && typeof inner.auditID === 'string') return 'k8s_audit';
    if (typeof inner === 'string' && inner.includes('"auditID"') && inner.includes('audit.k8s.io')) return 'k8s_audit';
  }
  return null;
}

/** For heads that do not parse (a large pretty-printed document cut at 64 KiB). */
function classifyJsonText(text: string): SourceKind | null {
  const audit = /"auditID"\s*:/.test(text);
  if (audit && (text.includes('audit.k8s.io') || /"kind"\s*:\s*"Event(List)?"/.test(text))) return 'k8s_audit';
  if (text.includes('\\"auditID\\"') && text.includes('audit.k8s.io')) return 'k8s_audit';
  if (/"resultType"\s*:\s*"(matrix|vector)"/.test(text)) return 'dcgm_query_range';
  if (/"action"\s*:/.test(text) && /"(job_id|ts|timestamp)"\s*:/.test(text)) return 'app_events';
  if (/^\s*\{\s*"(incident_id|incidentId)"\s*:/.test(text)) return 'manifest';
  return null;
}

/** Top-level fields of Triton's ModelConfig message (model_config.proto). */
const TRITON_KEYS = new Set([
  'name', 'platform', 'backend', 'runtime', 'version_policy', 'max_batch_size', 'input', 'output', 'batch_input',
  'batch_output', 'optimization', 'dynamic_batching', 'sequence_batching', 'ensemble_scheduling', 'instance_group',
  'default_model_filename', 'cc_model_filenames', 'metric_tags', 'parameters', 'model_warmup', 'model_operations',
  'model_transaction_policy', 'model_repository_agents', 'response_cache',
]);

/**
 * Protobuf text format whose every top-level field is a ModelConfig field (`key: value`,
 * `key { … }`, `key [ … ]`), with at least one field other than `name`.
 */
function isTritonConfig(text: string, complete: boolean, fileName: string): boolean {
  let pos = 0;
  let keys = 0;
  let distinctive = 0;
  const n = text.length;
  const skipSpace = (): void => {
    for (;;) {
      while (pos < n && (text[pos] === ' ' || text[pos] === '\t' || text[pos] === '\n' || text[pos] === '\r' || text[pos] === ',' || text[pos] === ';')) pos++;
      if (text[pos] !== '#') return;
      while (pos < n && text[pos] !== '\n') pos++;
    }
  };
  for (;;) {
    skipSpace();
    if (pos >= n) break;
    const id = /^[A-Za-z_][A-Za-z0-9_]*/.exec(text.slice(pos, pos + 64));
    if (!id || !TRITON_KEYS.has(id[0])) return false;
    keys++;
    if (id[0] !== 'name') distinctive++;
    pos += id[0].length;
    skipSpace();
    let colon = false;
    if (text[pos] === ':') {
      colon = true;
      pos++;
      skipSpace();
    }
    const c = text[pos];
    if (c === '{' || c === '[' || c === '<') {
      const end = skipNested(text, pos);
      if (end === -1) return !complete && keys > 0 && distinctive > 0; // the head cut a block
      if (end === -2) return false;
      pos = end;
    } else if (colon) {
      const scalar = /^("(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'|[-+]?[A-Za-z0-9_.]+)/.exec(text.slice(pos, pos + 4096));
      if (!scalar) return false;
      pos += scalar[0].length;
    } else {
      return false;
    }
  }
  return keys > 0 && (distinctive > 0 || fileName.endsWith('.pbtxt'));
}

/** Index after the bracket block opening at `start`; -1 when the text ends first, -2 when unbalanced. */
function skipNested(text: string, start: number): number {
  const stack: string[] = [];
  const close: Record<string, string> = { '{': '}', '[': ']', '<': '>' };
  for (let i = start; i < text.length; i++) {
    const c = text[i]!;
    if (c === '"' || c === "'") {
      for (i++; i < text.length && text[i] !== c; i++) if (text[i] === '\\') i++;
      continue;
    }
    if (c === '#') {
      while (i < text.length && text[i] !== '\n') i++;
      continue;
    }
    if (c === '{' || c === '[' || c === '<') stack.push(close[c]!);
    else if (c === '}' || c === ']' || c === '>') {
      if (stack.pop() !== c) return -2;
      if (stack.length === 0) return i + 1;
    }
  }
  return -1;
}

// A name ending in ':' is legal but never written by exporters; rejecting it keeps YAML-ish `key: 1` out.
const SAMPLE = /^[a-zA-Z_:][a-zA-Z0-9_:]*(?<!:)(\{.*\})?[ \t]+(\S+)([ \t]+-?\d+)?[ \t]*$/;
const NUMBER = /^[+-]?((\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?|Inf|inf|Infinity)$|^NaN$/;

/** Prometheus text exposition format 0.0.4 (and OpenMetrics): `# HELP`/`# TYPE` lines and samples. */
function isPrometheusText(lines: readonly string[]): boolean {
  let samples = 0;
  let meta = 0;
  for (const line of lines) {
    if (line.startsWith('#')) {
      if (/^#\s*(HELP|TYPE)\s+[a-zA-Z_:]/.test(line)) meta++;
      continue;
    }
    const m = SAMPLE.exec(line);
    if (!m || !NUMBER.test(m[2]!)) return false;
    samples++;
  }
  return samples > 0 || meta > 0;
}

/** A CSV header naming DCGM fields (`DCGM_FI_*` or dmon short names), or `gpu` and time columns. */
function isDcgmCsv(lines: readonly string[]): boolean {
  const header = lines[0]!;
  if (!header.includes(',')) return false;
  const cols = header.split(',').map((c) => c.trim().replace(/^"(.*)"$/, '$1'));
  if (cols.length < 2 || !cols.every((c) => /^[A-Za-z0-9_ .#%()/[\]-]*$/.test(c))) return false;
  const lower = cols.map((c) => c.toLowerCase());
  if (cols.some((c) => c.toUpperCase().startsWith('DCGM_FI_') || DMON_FIELD_NAMES.has(c.toUpperCase()))) return true;
  const gpu = lower.some((c) => c === 'gpu' || c === 'gpu_id' || c === 'gpuid' || c === 'gpu_index' || c === 'gpu_uuid');
  const time = lower.some((c) => c === 'timestamp' || c === 'time' || c === 'ts');
  return gpu && time;
}
