/**
 * The records every ingest reader produces. Readers are pure: they take lines or bytes and call a
 * RecordSink; the store decides how records land in SQLite. Every input record ends in exactly one
 * of `event`, `gpuRecord` or `quarantine`, so per source `read = stored + quarantined` holds by
 * construction (see DESIGN.md, "sources").
 */

/** Where an event came from (DESIGN.md data model `events.source`). */
export const EVENT_SOURCES = ['k8s_audit', 'app'] as const;
export type EventSource = (typeof EVENT_SOURCES)[number];

/** Microseconds since the Unix epoch, UTC. Number is exact for dates up to year 2255. */
export type Micros = number;

/** A unified event row (DESIGN.md `events`). */
export interface EventRecord {
  ts: Micros;
  source: EventSource;
  actor: string | null;
  /** Verb or application action, lower-case (`get`, `create`, `exec`, `checkpoint_save`, …). */
  action: string;
  resource: string | null;
  namespace: string | null;
  /** Trajectory key: the owning training job / workload, else `namespace/name`. */
  job: string | null;
  node: string | null;
  gpu: string | null;
  /** `success` | `failure` | `denied` | HTTP code as text | null. */
  outcome: string | null;
  /** Everything else worth keeping, JSON-serialisable. */
  attrs: Record<string, unknown>;
  /** 1-based physical line where the record starts in its source. */
  line: number;
  /** 0-based byte offset of that line in the (decompressed) source. */
  offset: number;
  /** Kubernetes audit only: the auditID, used to collapse stages of one request. */
  auditId?: string;
  /** Kubernetes audit only: RequestReceived=0, ResponseStarted=1, ResponseComplete=2, Panic=3. */
  stageRank?: number;
}

/** One DCGM sample (DESIGN.md `gpu_samples`). `value` null means the exporter's "blank" sentinel. */
export interface GpuSample {
  ts: Micros;
  node: string | null;
  gpu: string | null;
  job: string | null;
  field: string;
  value: number | null;
  /** Remaining labels (UUID, modelName, pod, namespace, container, MIG ids…). */
  labels?: Record<string, string>;
}

/** A record that could not be stored, with the reason and the first bytes of the raw record. */
export interface QuarantineRecord {
  line: number;
  offset: number;
  reason: string;
  /** First 200 bytes of the raw record (as text; invalid UTF-8 shown as U+FFFD). */
  head: string;
}

export interface RecordSink {
  /** One input record stored as one event. */
  event(e: EventRecord): void;
  /** One input record (a line, a row, a matrix point) stored as zero or more samples. */
  gpuRecord(samples: GpuSample[], line: number, offset: number): void;
  /** One input record refused. */
  quarantine(q: QuarantineRecord): void;
}

/**
 * A streaming reader over the text lines of one source. `line` receives each physical line
 * without its terminator (`\n` or `\r\n`). A reader that needs the whole document (a JSON array,
 * an EventList, a pretty-printed object) buffers, bounded by `ReaderLimits.maxDocumentBytes`.
 */
export interface LineReader {
  line(text: string, lineNo: number, offset: number): void;
  /** End of input: flush buffered documents. */
  end(): void;
}

export interface ReaderLimits {
  /** A single line longer than this is quarantined, not parsed. */
  maxLineBytes: number;
  /** A multi-line JSON document larger than this is quarantined. */
  maxDocumentBytes: number;
  /** Timestamps outside [minTs, maxTs] are quarantined as out of range. */
  minTs: Micros;
  maxTs: Micros;
}

export const DEFAULT_READER_LIMITS: ReaderLimits = {
  maxLineBytes: 1 << 20, // 1 MiB: a RequestResponse audit line can be large, not larger
  maxDocumentBytes: 256 << 20,
  minTs: Date.UTC(2000, 0, 1) * 1000,
  maxTs: Date.UTC(2100, 0, 1) * 1000,
};

/** First 200 bytes of a raw record, for quarantine rows. */
export function recordHead(text: string): string {
  const buf = Buffer.from(text.length > 400 ? text.slice(0, 400) : text, 'utf8');
  return buf.length <= 200 ? buf.toString('utf8') : buf.subarray(0, 200).toString('utf8');
}

/** Parses an RFC 3339 / ISO 8601 timestamp (with optional fractional seconds up to ns) to µs. */
export function parseTimestampMicros(s: string): Micros | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|z|[+-]\d{2}:?\d{2})?$/.exec(s);
  if (!m) return null;
  const [, y, mo, d, h, mi, se, frac, tz] = m;
  const ms = Date.UTC(+y!, +mo! - 1, +d!, +h!, +mi!, +se!);
  if (Number.isNaN(ms)) return null;
  // Reject rollovers such as 2023-02-31 that Date.UTC silently normalises.
  const check = new Date(ms);
  if (check.getUTCDate() !== +d! || check.getUTCMonth() !== +mo! - 1 || +h! > 23 || +mi! > 59 || +se! > 60) return null;
  let micros = ms * 1000;
  if (frac) micros += Math.floor(Number((frac + '000000').slice(0, 6)));
  if (tz && tz !== 'Z' && tz !== 'z') {
    const sign = tz[0] === '-' ? -1 : 1;
    const digits = tz.slice(1).replace(':', '');
    const offMin = Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4));
    micros -= sign * offMin * 60_000_000;
  }
  return micros;
}
