/**
 * The evidence document the judge reads: one event, its trajectory window, and what Layers 1 and
 * 2 said, reduced to bounded, deterministic plain JSON. Every string in an event was written by
 * whoever made the request (DESIGN.md: audit data is attacker-written), so every size is bounded
 * here, before anything reaches the prompt, and the same input always gives the same document.
 */
import { createHash } from 'node:crypto';
import type { Severity } from '../../triage/severity.js';
import { isSeverity } from '../../triage/severity.js';
import type { AttackPhase, Decision, ThreatFamily } from '../taxonomy.js';
import { DECISIONS, isAttackPhase, isThreatFamily } from '../taxonomy.js';
import { canonicalJson, type JsonValue } from './canonical-json.js';
import { escapeForDataBlock } from './data-block-escape.js';

/** An `events` row as the cascade holds it (attrs as an object, or as the stored JSON text). */
export interface JudgeEvent {
  id?: number | null;
  ts: number;
  source: string;
  actor: string | null;
  action: string;
  resource: string | null;
  namespace: string | null;
  job: string | null;
  outcome: string | null;
  attrs: Record<string, unknown> | string | null;
  raw: string | null;
}

export interface JudgeLayer1Hit {
  ruleId: string;
  decision: Decision;
  severity: Severity;
  family: ThreatFamily;
  phase: AttackPhase | null;
}

export interface JudgeLayer2 {
  lstmScore: number | null;
  iforestScore?: number | null;
  /** The Layer-2 band that sent the event here (normally `uncertain`). */
  band: string;
}

export interface JudgeInput {
  event: JudgeEvent;
  /** Earlier events of the same trajectory, oldest first; only the last WINDOW_MAX_EVENTS are used. */
  window: readonly JudgeEvent[];
  layer1: readonly JudgeLayer1Hit[];
  layer2: JudgeLayer2 | null;
}

export const EVIDENCE_LIMITS = {
  /** `raw` per event, UTF-8 bytes. */
  rawBytes: 4096,
  /** `attrs` per event, UTF-8 bytes of its canonical JSON. */
  attrsBytes: 4096,
  /** Any other string (actor, resource, one attrs value …), UTF-16 code units. */
  fieldChars: 1024,
  windowEvents: 20,
  /** The whole window, UTF-8 bytes of its events' JSON as sent (after the data-block escapes). */
  windowBytes: 48 * 1024,
  layer1Hits: 32,
  /** attrs nesting, items per array, keys per object, nodes visited (a DAG can expand hugely). */
  attrsDepth: 8,
  attrsArrayItems: 32,
  attrsObjectKeys: 64,
  attrsNodes: 2000,
  /** attrs given as stored JSON text longer than this (UTF-16 units) is not parsed, only cut. */
  attrsParseChars: 1 << 20,
} as const;

/** Bounded, plain-JSON form of one event as the judge sees it. */
interface EvidenceEvent {
  [key: string]: JsonValue;
}

export interface EvidenceDocument {
  document: { [key: string]: JsonValue };
  /** Canonical JSON of `document`. */
  json: string;
}

/** Builds the evidence document for one judge call. Never throws on hostile field contents. */
export function buildEvidence(input: JudgeInput): EvidenceDocument {
  const all = input.window.length > EVIDENCE_LIMITS.windowEvents ? input.window.slice(-EVIDENCE_LIMITS.windowEvents) : input.window;
  const skipped = input.window.length - all.length;
  const window = boundWindow(all.map((e) => evidenceEvent(e)));
  const document: { [key: string]: JsonValue } = {
    event: evidenceEvent(input.event),
    trajectoryWindow: {
      order: 'oldest-first',
      events: window.events,
      omittedEvents: skipped + window.dropped,
      rawOmittedEvents: window.rawOmitted,
    },
    layer1Hits: input.layer1.slice(0, EVIDENCE_LIMITS.layer1Hits).map(layer1Hit),
    layer1HitsOmitted: Math.max(0, input.layer1.length - EVIDENCE_LIMITS.layer1Hits),
    layer2: layer2Scores(input.layer2),
  };
  return { document, json: canonicalJson(document) };
}

function evidenceEvent(e: JudgeEvent): EvidenceEvent {
  const truncated: string[] = [];
  const out: EvidenceEvent = {
    time: isoTime(e.ts),
    tsMicros: Number.isFinite(e.ts) ? e.ts : null,
    source: field(e.source, 'source', truncated),
    actor: field(e.actor, 'actor', truncated),
    action: field(e.action, 'action', truncated),
    resource: field(e.resource, 'resource', truncated),
    namespace: field(e.namespace, 'namespace', truncated),
    job: field(e.job, 'job', truncated),
    outcome: field(e.outcome, 'outcome', truncated),
  };
  const hasRaw = typeof e.raw === 'string';
  out.attrs = boundAttrs(e.attrs, hasRaw, truncated);
  if (hasRaw) {
    const raw = e.raw as string;
    const cut = utf8Prefix(raw, EVIDENCE_LIMITS.rawBytes);
    out.raw = cut.text;
    out.rawBytes = cut.totalBytes;
    if (cut.cut) truncated.push('raw');
  } else out.raw = null;
  out.truncated = truncated;
  return out;
}

/** A string field, cut to fieldChars; non-strings become null (hostile rows may carry anything). */
function field(v: unknown, name: string, truncated: string[]): string | null {
  if (typeof v !== 'string') return null;
  if (v.length <= EVIDENCE_LIMITS.fieldChars) return v;
  truncated.push(name);
  return cutString(v);
}

function cutString(v: string): string {
  return `${v.slice(0, EVIDENCE_LIMITS.fieldChars)}…[+${v.length - EVIDENCE_LIMITS.fieldChars} chars]`;
}

function isoTime(ts: number): string | null {
  if (!Number.isFinite(ts)) return null;
  const d = new Date(Math.floor(ts / 1000));
  if (Number.isNaN(d.getTime())) return null;
  const iso = d.toISOString(); // …sss Z; add the microseconds the store keeps
  const micros = String(((ts % 1000) + 1000) % 1000).padStart(3, '0');
  return `${iso.slice(0, -1)}${micros}Z`;
}

/**
 * attrs without `audit` when the raw record is present (the reader keeps the whole audit event
 * there; raw already carries it), bounded in depth, breadth, node count and bytes.
 */
function boundAttrs(attrs: JudgeEvent['attrs'], hasRaw: boolean, truncated: string[]): JsonValue {
  let value: unknown = attrs;
  if (typeof attrs === 'string') {
    if (attrs.length <= EVIDENCE_LIMITS.attrsParseChars) {
      try {
        value = JSON.parse(attrs);
      } catch {
        value = attrs;
      }
    }
  }
  if (hasRaw && value !== null && typeof value === 'object' && !Array.isArray(value) && 'audit' in value) {
    const { audit: _audit, ...rest } = value as Record<string, unknown>;
    value = rest;
  }
  const budget = { nodes: EVIDENCE_LIMITS.attrsNodes, cut: false };
  const bounded = boundValue(value, 0, budget);
  const json = canonicalJson(bounded);
  if (Buffer.byteLength(json) <= EVIDENCE_LIMITS.attrsBytes) {
    if (budget.cut) truncated.push('attrs');
    return bounded;
  }
  truncated.push('attrs');
  return { truncatedJson: utf8Prefix(json, EVIDENCE_LIMITS.attrsBytes).text };
}

function boundValue(v: unknown, depth: number, budget: { nodes: number; cut: boolean }): JsonValue {
  if (--budget.nodes < 0) {
    budget.cut = true;
    return '…[node budget exhausted]';
  }
  if (v === null || v === undefined) return null;
  switch (typeof v) {
    case 'string':
      if (v.length <= EVIDENCE_LIMITS.fieldChars) return v;
      budget.cut = true;
      return cutString(v);
    case 'number':
      return Number.isFinite(v) ? v : null;
    case 'boolean':
      return v;
    case 'bigint':
      return v.toString();
    case 'object':
      break;
    default:
      return null;
  }
  if (depth >= EVIDENCE_LIMITS.attrsDepth) {
    budget.cut = true;
    return '…[nested too deep]';
  }
  if (Array.isArray(v)) {
    const n = Math.min(v.length, EVIDENCE_LIMITS.attrsArrayItems);
    const out: JsonValue[] = [];
    for (let i = 0; i < n; i++) out.push(boundValue(v[i], depth + 1, budget));
    if (v.length > n) {
      budget.cut = true;
      out.push(`…[+${v.length - n} items]`);
    }
    return out;
  }
  const keys = Object.keys(v as object).sort();
  const n = Math.min(keys.length, EVIDENCE_LIMITS.attrsObjectKeys);
  // No prototype: a plain `{}` turns `out['__proto__'] = x` into a prototype change, so an
  // attacker's "__proto__" key (JSON.parse makes it an own property) vanished from the evidence
  // without a trace, and from the prompt hash.
  const out = Object.create(null) as { [key: string]: JsonValue };
  for (let i = 0; i < n; i++) {
    const k = keys[i]!;
    const item = (v as Record<string, unknown>)[k];
    if (item === undefined || typeof item === 'function' || typeof item === 'symbol') continue;
    const key = k.length <= 256 ? k : `${k.slice(0, 256)}…`;
    // Two long keys cut to the same prefix: the second would overwrite the first unmarked.
    if (Object.hasOwn(out, key)) {
      budget.cut = true;
      continue;
    }
    out[key] = boundValue(item, depth + 1, budget);
  }
  if (keys.length > n) {
    budget.cut = true;
    out['…omittedKeys'] = keys.length - n;
  }
  return out;
}

/**
 * Keeps the window under windowBytes: first drops `raw` from the oldest events (the structured
 * fields and attrs stay), then drops the oldest events. Newest evidence is kept longest.
 */
function boundWindow(events: EvidenceEvent[]): { events: EvidenceEvent[]; dropped: number; rawOmitted: number } {
  // Sized as sent (after the data-block escapes): measured before them, `<` counted 1 byte but is
  // sent as 6, so a window of `<` reached ~6× windowBytes.
  const sizes = events.map((e) => sentBytes(e));
  let total = sizes.reduce((a, b) => a + b, 0);
  let rawOmitted = 0;
  for (let i = 0; i < events.length && total > EVIDENCE_LIMITS.windowBytes; i++) {
    const e = events[i]!;
    if (e.raw === null) continue;
    const slim: EvidenceEvent = { ...e, raw: null, rawOmitted: true };
    const size = sentBytes(slim);
    total += size - sizes[i]!;
    sizes[i] = size;
    events[i] = slim;
    rawOmitted++;
  }
  let dropped = 0;
  while (total > EVIDENCE_LIMITS.windowBytes && dropped < events.length) total -= sizes[dropped++]!;
  return { events: events.slice(dropped), dropped, rawOmitted };
}

function sentBytes(e: EvidenceEvent): number {
  return Buffer.byteLength(escapeForDataBlock(canonicalJson(e)));
}

function layer1Hit(h: JudgeLayer1Hit): JsonValue {
  return {
    ruleId: typeof h.ruleId === 'string' ? h.ruleId.slice(0, 200) : null,
    decision: (DECISIONS as readonly string[]).includes(h.decision) ? h.decision : null,
    severity: isSeverity(h.severity) ? h.severity : null,
    family: isThreatFamily(h.family) ? h.family : null,
    phase: isAttackPhase(h.phase) ? h.phase : null,
  };
}

function layer2Scores(l2: JudgeLayer2 | null): JsonValue {
  if (!l2) return null;
  const num = (x: unknown): number | null => (typeof x === 'number' && Number.isFinite(x) ? x : null);
  return {
    lstmScore: num(l2.lstmScore),
    iforestScore: num(l2.iforestScore),
    band: typeof l2.band === 'string' ? l2.band.slice(0, 32) : null,
  };
}

/** The longest prefix of `s` whose UTF-8 encoding fits in `maxBytes`, cut on a code point. */
export function utf8Prefix(s: string, maxBytes: number): { text: string; totalBytes: number; cut: boolean } {
  // Fast path: even at 3 bytes per UTF-16 unit it fits.
  if (s.length * 3 <= maxBytes) return { text: s, totalBytes: Buffer.byteLength(s), cut: false };
  const totalBytes = Buffer.byteLength(s);
  if (totalBytes <= maxBytes) return { text: s, totalBytes, cut: false };
  const head = Buffer.from(s.slice(0, maxBytes), 'utf8');
  let end = Math.min(maxBytes, head.length);
  // Back off UTF-8 continuation bytes (10xxxxxx) so no code point is split.
  while (end > 0 && end < head.length && (head[end]! & 0xc0) === 0x80) end--;
  return { text: head.subarray(0, end).toString('utf8'), totalBytes, cut: true };
}

/** Hex SHA-256 of a string's UTF-8 bytes. */
export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}
