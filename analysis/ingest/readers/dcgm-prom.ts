/**
 * Reads dcgm-exporter `/metrics` dumps: the Prometheus text exposition format 0.0.4
 * (`name{label="value",...} value [timestamp_ms]`) and its OpenMetrics 1.0 variant (`# EOF`,
 * timestamps in seconds, exemplars after ` # `). One sample line is one record; comments,
 * `# HELP` / `# TYPE` / `# UNIT` / `# EOF` and blank lines are not records.
 *
 * Several scrapes may be concatenated. Without timestamps, a new scrape starts when a series
 * appears again or a metric's `# HELP` repeats, and scrape k gets `fallbackTs + k * interval`.
 */
import type { GpuSample, LineReader, Micros, ReaderLimits, RecordSink } from '../../core/records.js';
import { recordHead } from '../../core/records.js';
import { DEFAULT_SCRAPE_INTERVAL_US, IntervalClock, TS_INFERRED_LABEL, type DcgmReaderOptions } from './dcgm-clock.js';
import { isSpecialFloatLiteral, parseDcgmValue } from './dcgm-fields.js';
import { SeriesLabels, type SeriesIdentity } from './dcgm-labels.js';

export function createDcgmPromReader(sink: RecordSink, limits: ReaderLimits, opts: DcgmReaderOptions): LineReader {
  return new PromTextReader(sink, limits, opts);
}

const BACKSLASH = 92;
const QUOTE = 34;
const HASH = 35;

/** Timestamps below this are seconds (OpenMetrics); at or above it, milliseconds (Prometheus 0.0.4). */
const SECONDS_BELOW = 1e11;

/**
 * A parsed label set, memoised by its exact text: dcgm-exporter repeats the same `{gpu=…,UUID=…}`
 * on every metric of a GPU and in every scrape, so most lines skip label parsing. Identities are
 * shared by every sample of the series (read-only for the sink).
 */
interface LabelSetEntry {
  /** The label set's text, `{` to `}`. */
  text: string;
  /** Short key standing for the label text in the interval clock. */
  key: string;
  read: SeriesIdentity;
  /** The identity with `ts_inferred`, made on first use (files with timestamps never need it). */
  inferred: SeriesIdentity | null;
}

/** Bound on memoised label sets; once full, new label sets are parsed every time. */
const MAX_LABEL_SETS = 20_000;

/**
 * Recently used label sets, checked by length and direct comparison before the map: a scrape
 * cycles through its GPUs' label sets, so this mostly avoids hashing the label text.
 */
const RECENT = 16;

function entryOf(text: string, id: SeriesIdentity, key: string): LabelSetEntry {
  return { text, key, read: id, inferred: null };
}

function inferredIdentity(entry: LabelSetEntry): SeriesIdentity {
  const id = entry.read;
  return (entry.inferred ??= { ...id, labels: { ...id.labels, [TS_INFERRED_LABEL]: '1' } });
}

const NO_LABELS = entryOf('', { node: null, gpu: null, job: null, labels: undefined }, '');

class PromTextReader implements LineReader {
  private readonly sink: RecordSink;
  private readonly limits: ReaderLimits;
  private readonly clock: IntervalClock;
  private readonly collector = new SeriesLabels();
  private readonly labelSets = new Map<string, LabelSetEntry>();
  private readonly recent: LabelSetEntry[] = [];
  private recentNext = 0;
  /** Metrics whose `# HELP` was seen in the current scrape, and the scrape that set refers to. */
  private readonly helpSeen = new Set<string>();
  private helpInterval = 0;

  // Per-line tokenizer results (fields rather than a result object: this is the hot path).
  private name: string | null = null;
  /** The line's label set when memoised (or NO_LABELS), else null: identity comes from the collector. */
  private entry: LabelSetEntry | null = null;
  private seriesStart = 0;
  private seriesEnd = 0;
  private valueText = '';
  private tsText: string | null = null;
  private quoted = '';
  private backslashAt = -1;
  private error = '';

  constructor(sink: RecordSink, limits: ReaderLimits, opts: DcgmReaderOptions) {
    this.sink = sink;
    this.limits = limits;
    this.clock = new IntervalClock(opts.fallbackTs, opts.scrapeIntervalUs ?? DEFAULT_SCRAPE_INTERVAL_US);
  }

  line(text: string, lineNo: number, offset: number): void {
    const n = text.length;
    if (n > this.limits.maxLineBytes || (n * 3 > this.limits.maxLineBytes && Buffer.byteLength(text) > this.limits.maxLineBytes)) {
      this.reject(text, lineNo, offset, `line longer than ${this.limits.maxLineBytes} bytes`);
      return;
    }
    const start = skipBlanks(text, 0);
    if (start === n) return;
    if (text.charCodeAt(start) === HASH) {
      this.comment(text, start);
      return;
    }
    if (!this.tokenize(text, start)) {
      this.reject(text, lineNo, offset, this.error);
      return;
    }
    const valueText = this.valueText;
    const value = parseDcgmValue(valueText);
    if (value === undefined) {
      this.reject(text, lineNo, offset, `value ${quoteForReason(valueText)} is not a number`);
      return;
    }
    let ts: Micros;
    const tsText = this.tsText;
    const entry = this.entry;
    const field = this.name!;
    if (tsText !== null) {
      const t = parseDcgmValue(tsText);
      if (typeof t !== 'number') {
        this.reject(text, lineNo, offset, `timestamp ${quoteForReason(tsText)} is not a number`);
        return;
      }
      ts = Math.abs(t) < SECONDS_BELOW ? Math.round(t * 1e6) : Math.round(t * 1000);
    } else {
      // The raw series text cannot contain NUL right after the name, so the two key forms never collide.
      ts = this.clock.tsFor(entry !== null ? `${field}\u0000${entry.key}` : text.slice(this.seriesStart, this.seriesEnd));
    }
    if (!(ts >= this.limits.minTs && ts <= this.limits.maxTs)) {
      const what = tsText === null ? `inferred timestamp ${ts} µs` : `timestamp ${quoteForReason(tsText)}`;
      this.reject(text, lineNo, offset, `${what} outside the accepted range`);
      return;
    }
    let id: SeriesIdentity;
    if (entry !== null) id = tsText === null ? inferredIdentity(entry) : entry.read;
    else id = tsText === null ? this.collector.identity(TS_INFERRED_LABEL, '1') : this.collector.identity();
    let labels = id.labels;
    if (value === null && isSpecialFloatLiteral(valueText)) labels = { ...labels, raw: valueText };
    const sample: GpuSample = { ts, node: id.node, gpu: id.gpu, job: id.job, field, value, labels };
    this.sink.gpuRecord([sample], lineNo, offset);
  }

  end(): void {
    // Nothing is buffered: every line is complete on its own.
  }

  private reject(text: string, line: number, offset: number, reason: string): void {
    this.sink.quarantine({ line, offset, reason: `prometheus text: ${reason}`, head: recordHead(text) });
  }

  /** `# HELP name …` for a metric already described in this scrape, or `# EOF`, ends the scrape. */
  private comment(text: string, i: number): void {
    i = skipBlanks(text, i + 1);
    if (text.startsWith('EOF', i) && skipBlanks(text, i + 3) === text.length) {
      this.clock.boundary();
      return;
    }
    if (!text.startsWith('HELP', i)) return;
    const nameStart = skipBlanks(text, i + 4);
    if (nameStart === i + 4) return;
    let nameEnd = nameStart;
    while (nameEnd < text.length && !isBlank(text.charCodeAt(nameEnd))) nameEnd++;
    if (nameEnd === nameStart) return;
    const name = text.slice(nameStart, nameEnd);
    if (this.helpInterval !== this.clock.index) {
      this.helpSeen.clear();
      this.helpInterval = this.clock.index;
    }
    if (this.helpSeen.has(name)) {
      this.clock.boundary();
      this.helpSeen.clear();
      this.helpInterval = this.clock.index;
    }
    this.helpSeen.add(name);
  }

  /**
   * Splits a sample line into name, labels (into the collector), value and timestamp.
   * Grammar (exposition format 0.0.4, with Prometheus 3's quoted names):
   *   line   = name [blank] ["{" [label {"," label} [","]] "}"] blank value [blank timestamp] [blank "#" exemplar]
   *   label  = (lname | quoted) [blank] "=" [blank] quoted        (or a lone quoted metric name)
   *   quoted = '"' { char | "\\\\" | "\\\"" | "\\n" } '"'
   */
  private tokenize(line: string, i: number): boolean {
    const n = line.length;
    this.collector.reset();
    this.name = null;
    this.tsText = null;
    this.backslashAt = line.indexOf('\\', i);
    this.seriesStart = i;
    if (line.charCodeAt(i) !== 123 /* { */) {
      if (!isMetricNameStart(line.charCodeAt(i))) return this.fail(`expected a metric name at column ${i + 1}`);
      const s = i;
      i++;
      while (i < n && isMetricNameChar(line.charCodeAt(i))) i++;
      this.name = line.slice(s, i);
      const brace = skipBlanks(line, i);
      if (brace < n && line.charCodeAt(brace) === 123) i = brace;
    }
    this.entry = NO_LABELS;
    if (i < n && line.charCodeAt(i) === 123) {
      i = this.labels(line, i);
      if (i < 0) return false;
    }
    if (this.name === null) return this.fail('missing metric name');
    this.seriesEnd = i;
    if (i >= n) return this.fail('missing value');
    if (!isBlank(line.charCodeAt(i))) return this.fail(`expected a space before the value at column ${i + 1}`);
    i = skipBlanks(line, i);
    let e = i;
    while (e < n && !isBlank(line.charCodeAt(e))) e++;
    this.valueText = line.slice(i, e);
    i = skipBlanks(line, e);
    if (i >= n || line.charCodeAt(i) === HASH) return true;
    e = i;
    while (e < n && !isBlank(line.charCodeAt(e))) e++;
    this.tsText = line.slice(i, e);
    i = skipBlanks(line, e);
    if (i >= n || line.charCodeAt(i) === HASH) return true;
    return this.fail(`unexpected text after the timestamp at column ${i + 1}`);
  }

  /**
   * The label set opening at `brace`: memoised when its text (up to the line's last `}`) was seen
   * before, parsed otherwise. Returns the index after `}` or -1.
   */
  private labels(line: string, brace: number): number {
    const close = line.lastIndexOf('}');
    let text: string | null = null;
    if (close > brace && this.name !== null) {
      text = line.slice(brace, close + 1);
      const len = text.length;
      const recent = this.recent;
      for (let k = 0; k < recent.length; k++) {
        const e = recent[k]!;
        // `===` on strings compares content with memcmp-like speed; startsWith(…, pos) does not.
        if (e.text.length === len && e.text === text) {
          this.entry = e;
          return close + 1;
        }
      }
      const hit = this.labelSets.get(text);
      if (hit !== undefined) {
        this.remember(hit);
        this.entry = hit;
        return close + 1;
      }
    }
    const end = this.labelSet(line, brace + 1);
    if (end < 0) return -1;
    this.entry = null;
    // Only a label set that ends at the line's last `}` (no exemplar after it) and does not hold the
    // metric name (text is null then) can be reused.
    if (text !== null && end === close + 1 && this.labelSets.size < MAX_LABEL_SETS) {
      const entry = entryOf(text, this.collector.identity(), String(this.labelSets.size + 1));
      this.labelSets.set(text, entry);
      this.remember(entry);
      this.entry = entry;
    }
    return end;
  }

  private remember(entry: LabelSetEntry): void {
    if (this.recent.length < RECENT) this.recent.push(entry);
    else this.recent[this.recentNext] = entry;
    this.recentNext = (this.recentNext + 1) % RECENT;
  }

  /** Parses labels after `{`; returns the index after `}` or -1. */
  private labelSet(line: string, i: number): number {
    const n = line.length;
    let first = true;
    i = skipBlanks(line, i);
    if (i < n && line.charCodeAt(i) === 125 /* } */) return i + 1;
    for (;;) {
      if (i >= n) return this.failAt('unterminated label set');
      let c = line.charCodeAt(i);
      let lname: string;
      let wasQuoted = false;
      if (c === QUOTE) {
        i = this.quotedString(line, i + 1);
        if (i < 0) return -1;
        lname = this.quoted;
        wasQuoted = true;
        if (lname.length === 0) return this.failAt('empty quoted label name');
      } else if (isLabelNameStart(c)) {
        const s = i;
        i++;
        while (i < n && isLabelNameChar(line.charCodeAt(i))) i++;
        lname = line.slice(s, i);
      } else {
        return this.failAt(`expected a label name at column ${i + 1}`);
      }
      i = skipBlanks(line, i);
      c = i < n ? line.charCodeAt(i) : -1;
      if (c === 61 /* = */) {
        i = skipBlanks(line, i + 1);
        if (i >= n || line.charCodeAt(i) !== QUOTE) {
          return this.failAt(`expected '"' to open the value of label "${clip(lname)}" at column ${i + 1}`);
        }
        i = this.quotedString(line, i + 1);
        if (i < 0) return -1;
        if (!this.collector.add(lname, this.quoted)) return this.failAt(`duplicate label "${clip(lname)}"`);
        i = skipBlanks(line, i);
        c = i < n ? line.charCodeAt(i) : -1;
      } else if (wasQuoted && first && this.name === null && (c === 44 || c === 125)) {
        this.name = lname; // Prometheus 3: `{"metric.name", label="v"}`
      } else {
        return this.failAt(`expected '=' after label name "${clip(lname)}" at column ${i + 1}`);
      }
      first = false;
      if (c === 44 /* , */) {
        i = skipBlanks(line, i + 1);
        if (i < n && line.charCodeAt(i) === 125) return i + 1;
        continue;
      }
      if (c === 125 /* } */) return i + 1;
      return this.failAt(i >= n ? 'unterminated label set' : `expected ',' or '}' at column ${i + 1}`);
    }
  }

  /** Reads a quoted string whose opening quote precedes `i` into `this.quoted`; returns the index after the closing quote or -1. */
  private quotedString(line: string, i: number): number {
    const close = line.indexOf('"', i);
    if (close < 0) return this.failAt(`unterminated quoted string starting at column ${i}`);
    let bs = this.backslashAt;
    if (bs !== -1 && bs < i) bs = this.backslashAt = line.indexOf('\\', i);
    if (bs === -1 || bs > close) {
      this.quoted = line.slice(i, close);
      return close + 1;
    }
    // Escapes (exposition format: only \\, \" and \n are defined).
    const n = line.length;
    let out = '';
    let start = i;
    while (i < n) {
      const c = line.charCodeAt(i);
      if (c === BACKSLASH) {
        out += line.slice(start, i);
        const e = i + 1 < n ? line.charCodeAt(i + 1) : -1;
        if (e === BACKSLASH) out += '\\';
        else if (e === QUOTE) out += '"';
        else if (e === 110 /* n */) out += '\n';
        else return this.failAt(e < 0 ? 'unterminated quoted string' : `invalid escape '\\${String.fromCharCode(e)}' at column ${i + 1}`);
        i += 2;
        start = i;
      } else if (c === QUOTE) {
        this.quoted = out + line.slice(start, i);
        this.backslashAt = line.indexOf('\\', i + 1);
        return i + 1;
      } else {
        i++;
      }
    }
    return this.failAt('unterminated quoted string');
  }

  private fail(reason: string): false {
    this.error = reason;
    return false;
  }

  private failAt(reason: string): -1 {
    this.error = reason;
    return -1;
  }
}

function skipBlanks(s: string, i: number): number {
  const n = s.length;
  while (i < n) {
    const c = s.charCodeAt(i);
    if (c !== 32 && c !== 9) break;
    i++;
  }
  return i;
}

function isBlank(c: number): boolean {
  return c === 32 || c === 9;
}

function isLabelNameStart(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95;
}

function isLabelNameChar(c: number): boolean {
  return isLabelNameStart(c) || (c >= 48 && c <= 57);
}

function isMetricNameStart(c: number): boolean {
  return isLabelNameStart(c) || c === 58 /* : */;
}

function isMetricNameChar(c: number): boolean {
  return isLabelNameChar(c) || c === 58;
}

function clip(s: string): string {
  return s.length > 64 ? `${s.slice(0, 64)}…` : s;
}

function quoteForReason(s: string): string {
  return JSON.stringify(clip(s));
}
