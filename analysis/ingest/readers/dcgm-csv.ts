/**
 * Reads DCGM telemetry exported as CSV (RFC 4180; `,`, `;` or tab, detected from the header).
 * Two shapes, told apart by the header (names matched case-insensitively, with synonyms):
 *
 * - long: `timestamp,hostname,gpu,field,value` — one sample per row;
 * - wide: `timestamp,hostname,gpu,DCGM_FI_DEV_GPU_UTIL,DCGM_FI_DEV_FB_USED,…` — one sample per
 *   metric column; columns known to carry labels (UUID, modelName, pod, …) become labels.
 *
 * One data row is one record. Timestamps are ISO 8601 or epoch seconds / ms / µs / ns (told by
 * magnitude); without a time column, rows advance one interval each time a series repeats.
 */
import type { GpuSample, LineReader, Micros, ReaderLimits, RecordSink } from '../../core/records.js';
import { parseTimestampMicros, recordHead } from '../../core/records.js';
import { DEFAULT_SCRAPE_INTERVAL_US, IntervalClock, TS_INFERRED_LABEL, type DcgmReaderOptions } from './dcgm-clock.js';
import { detectDelimiter, OPEN_QUOTE, splitCsvRecord } from './dcgm-csv-record.js';
import { DMON_FIELD_NAMES, isSpecialFloatLiteral, parseDcgmValue } from './dcgm-fields.js';
import { SeriesLabels } from './dcgm-labels.js';

export function createDcgmCsvReader(sink: RecordSink, limits: ReaderLimits, opts: DcgmReaderOptions): LineReader {
  return new DcgmCsvReader(sink, limits, opts);
}

/** Header synonyms per role, most specific first. */
const TS_NAMES = ['timestamp', 'time', 'ts', 'datetime', 'date_time', '@timestamp', 'time_utc', 'epoch'];
const HOST_NAMES = ['hostname', 'host', 'node', 'nodename', 'node_name', 'instance'];
const GPU_NAMES = ['gpu', 'gpu_id', 'gpuid', 'gpu_index', 'device', 'entity', '#entity', '# entity'];
const FIELD_NAMES = ['field', 'metric', 'metric_name', 'field_name', 'name', '__name__'];
const VALUE_NAMES = ['value', 'val', 'metric_value'];

/**
 * Wide-shape columns that hold labels rather than measurements (lower-case): dcgm-exporter's
 * labels and its string-valued DCGM_FI_* attributes.
 */
const LABEL_COLUMNS: ReadonlySet<string> = new Set([
  'uuid', 'modelname', 'model', 'model_name', 'device', 'pci_bus_id', 'pci_busid', 'pod', 'namespace', 'container',
  'exported_pod', 'exported_namespace', 'exported_container', 'instance', 'job', 'cluster', 'driver_version',
  'serial', 'gpu_i_id', 'gpu_i_profile', 'mig_profile', 'entity', 'entity_group', 'entity_id', 'hostname', 'host',
  'dcgm_fi_driver_version', 'dcgm_fi_process_name', 'dcgm_fi_dev_name', 'dcgm_fi_dev_brand', 'dcgm_fi_dev_serial',
  'dcgm_fi_dev_vbios_version', 'dcgm_fi_nvml_version', 'dcgm_fi_dev_uuid', 'dcgm_fi_dev_pci_busid',
  'dcgm_fi_dev_minor_number', 'dcgm_fi_cuda_driver_version',
]);

/** A quoted cell may span at most this many physical lines before the record is given up. */
const MAX_RECORD_LINES = 8;

interface Columns {
  names: string[];
  ts: number;
  host: number;
  hostIsInstance: boolean;
  gpu: number;
  field: number;
  value: number;
  /** Label columns: index and label name as written. */
  labels: Array<[number, string]>;
  /** Wide shape: metric columns (empty in the long shape). */
  metrics: Array<[number, string]>;
}

interface PendingLine {
  text: string;
  lineNo: number;
  offset: number;
}

class DcgmCsvReader implements LineReader {
  private readonly sink: RecordSink;
  private readonly limits: ReaderLimits;
  private readonly clock: IntervalClock;
  private readonly collector = new SeriesLabels();
  private delimiter = ',';
  private headerText: string | null = null;
  private columns: Columns | null = null;
  /** Physical lines of a record whose quoted cell is still open. */
  private pending: PendingLine[] = [];

  constructor(sink: RecordSink, limits: ReaderLimits, opts: DcgmReaderOptions) {
    this.sink = sink;
    this.limits = limits;
    this.clock = new IntervalClock(opts.fallbackTs, opts.scrapeIntervalUs ?? DEFAULT_SCRAPE_INTERVAL_US);
  }

  line(text: string, lineNo: number, offset: number): void {
    if (this.pending.length > 0) {
      this.pending.push({ text, lineNo, offset });
      this.continueRecord();
      return;
    }
    if (text.length > this.limits.maxLineBytes || (text.length * 3 > this.limits.maxLineBytes && Buffer.byteLength(text) > this.limits.maxLineBytes)) {
      this.reject(text, lineNo, offset, `line longer than ${this.limits.maxLineBytes} bytes`);
      return;
    }
    if (this.columns === null) {
      if (offset === 0 && text.charCodeAt(0) === 0xfeff) text = text.slice(1);
      const t = text.trim();
      // `#Entity,GPUTL,…` is dmon output turned into CSV: a header, not a comment.
      if (t === '' || (t.charCodeAt(0) === 35 /* # */ && !/^#\s*entity\b/i.test(t))) return;
      this.delimiter = detectDelimiter(text);
    } else if (isBlankOrComment(text)) {
      return;
    }
    const cells = splitCsvRecord(text, this.delimiter);
    if (cells === OPEN_QUOTE) {
      this.pending.push({ text, lineNo, offset });
      return;
    }
    if (!Array.isArray(cells)) {
      this.reject(text, lineNo, offset, cells.error);
      return;
    }
    this.record(cells, text, lineNo, offset);
  }

  end(): void {
    while (this.pending.length > 0) this.giveUpPending('unterminated quoted field at end of input');
  }

  /** Joins the pending lines and tries again; gives up after MAX_RECORD_LINES or maxLineBytes. */
  private continueRecord(): void {
    const lines = this.pending;
    let joined = lines[0]!.text;
    for (let k = 1; k < lines.length; k++) joined += '\n' + lines[k]!.text;
    const cells = splitCsvRecord(joined, this.delimiter);
    if (cells !== OPEN_QUOTE) {
      this.pending = [];
      const first = lines[0]!;
      if (Array.isArray(cells)) this.record(cells, joined, first.lineNo, first.offset);
      else this.reject(joined, first.lineNo, first.offset, cells.error);
      return;
    }
    if (lines.length >= MAX_RECORD_LINES || joined.length > this.limits.maxLineBytes) {
      this.giveUpPending(`quoted field still open after ${lines.length} lines`);
    }
  }

  /** Quarantines the first pending line and reads the lines after it again as records of their own. */
  private giveUpPending(reason: string): void {
    const lines = this.pending;
    this.pending = [];
    const first = lines[0]!;
    this.reject(first.text, first.lineNo, first.offset, reason);
    for (let k = 1; k < lines.length; k++) this.line(lines[k]!.text, lines[k]!.lineNo, lines[k]!.offset);
  }

  private record(cells: string[], text: string, lineNo: number, offset: number): void {
    const cols = this.columns;
    if (cols === null) {
      this.headerText = text;
      this.columns = columnsOf(cells);
      return;
    }
    if (text === this.headerText) return; // a concatenated file repeats its header
    if (cells.length !== cols.names.length) {
      this.reject(text, lineNo, offset, `expected ${cols.names.length} columns, got ${cells.length}`);
      return;
    }
    if (cols.metrics.length === 0 && cols.value < 0) {
      this.reject(text, lineNo, offset, 'the header names no value or metric column');
      return;
    }
    const c = this.collector;
    c.reset();
    const host = cols.host >= 0 ? cells[cols.host]!.trim() : '';
    if (host !== '') c.add(cols.hostIsInstance ? 'instance' : 'Hostname', host);
    const gpu = cols.gpu >= 0 ? cells[cols.gpu]!.trim() : '';
    if (gpu !== '') c.add('gpu', gpu);
    for (const [idx, name] of cols.labels) {
      const v = cells[idx]!;
      if (v !== '') c.add(name, v);
    }
    const long = cols.value >= 0;
    let field = '';
    if (long) {
      field = cols.field >= 0 ? cells[cols.field]!.trim() : '';
      if (field === '') {
        this.reject(text, lineNo, offset, 'empty metric name');
        return;
      }
    }
    let ts: Micros;
    const inferred = cols.ts < 0;
    if (inferred) {
      ts = this.clock.tsFor(long ? `${host}\u0000${gpu}\u0000${field}` : `${host}\u0000${gpu}`);
    } else {
      const cell = cells[cols.ts]!.trim();
      const parsed = timestampMicros(cell);
      if (parsed === null) {
        this.reject(text, lineNo, offset, cell === '' ? 'missing timestamp' : `timestamp ${quote(cell)} is neither ISO 8601 nor epoch time`);
        return;
      }
      ts = parsed;
    }
    if (!(ts >= this.limits.minTs && ts <= this.limits.maxTs)) {
      this.reject(text, lineNo, offset, `${inferred ? 'inferred ' : ''}timestamp ${inferred ? `${ts} µs` : quote(cells[cols.ts]!.trim())} outside the accepted range`);
      return;
    }
    const id = inferred ? c.identity(TS_INFERRED_LABEL, '1') : c.identity();
    const samples: GpuSample[] = [];
    const metrics: Array<[number, string]> = long ? [[cols.value, field]] : cols.metrics;
    for (const [idx, name] of metrics) {
      const cell = cells[idx]!.trim();
      if (cell === '' && !long) continue; // a sparse wide row: no measurement in this column
      const value = cell === '' || cell === 'N/A' ? null : parseDcgmValue(cell);
      if (value === undefined) {
        this.reject(text, lineNo, offset, `value ${quote(cell)} in column ${quote(cols.names[idx]!)} is not a number`);
        return;
      }
      const labels = value === null && isSpecialFloatLiteral(cell) ? { ...id.labels, raw: cell } : id.labels;
      samples.push({ ts, node: id.node, gpu: id.gpu, job: id.job, field: name, value, labels });
    }
    this.sink.gpuRecord(samples, lineNo, offset);
  }

  private reject(text: string, line: number, offset: number, reason: string): void {
    this.sink.quarantine({ line, offset, reason: `csv: ${reason}`, head: recordHead(text) });
  }
}

/** Column roles from the header cells. */
function columnsOf(header: string[]): Columns {
  const names = header.map((h) => h.trim());
  const lower = names.map((h) => h.toLowerCase());
  const find = (synonyms: readonly string[], taken: ReadonlySet<number>): number => {
    for (const s of synonyms) {
      const i = lower.findIndex((h, k) => h === s && !taken.has(k));
      if (i >= 0) return i;
    }
    return -1;
  };
  const taken = new Set<number>();
  const claim = (i: number): number => {
    if (i >= 0) taken.add(i);
    return i;
  };
  const ts = claim(find(TS_NAMES, taken));
  const host = claim(find(HOST_NAMES, taken));
  const gpu = claim(find(GPU_NAMES, taken));
  const value = find(VALUE_NAMES, taken);
  const field = value >= 0 ? claim(find(FIELD_NAMES, taken)) : -1;
  const isLong = value >= 0 && field >= 0;
  if (isLong) taken.add(value);
  const labels: Array<[number, string]> = [];
  const metrics: Array<[number, string]> = [];
  for (let i = 0; i < names.length; i++) {
    if (taken.has(i) || names[i] === '') continue;
    if (isLong || LABEL_COLUMNS.has(lower[i]!)) labels.push([i, names[i]!]);
    else metrics.push([i, DMON_FIELD_NAMES.get(names[i]!) ?? names[i]!]); // dmon output turned into CSV
  }
  return {
    names,
    ts,
    host,
    hostIsInstance: host >= 0 && lower[host] === 'instance',
    gpu,
    field: isLong ? field : -1,
    value: isLong ? value : -1,
    labels,
    metrics,
  };
}

/** ISO 8601 (also `… UTC`), or epoch seconds / ms / µs / ns told apart by magnitude. */
function timestampMicros(cell: string): Micros | null {
  if (cell === '') return null;
  const n = parseDcgmValue(cell);
  if (typeof n === 'number') {
    const a = Math.abs(n);
    if (a < 1e11) return Math.round(n * 1e6);
    if (a < 1e14) return Math.round(n * 1e3);
    if (a < 1e17) return Math.round(n);
    return Math.round(n / 1e3);
  }
  if (n === null) return null;
  const iso = cell.endsWith(' UTC') ? `${cell.slice(0, -4)}Z` : cell;
  return parseTimestampMicros(iso);
}

function isBlankOrComment(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 32 || c === 9) continue;
    return c === 35 /* # */;
  }
  return true;
}

function quote(s: string): string {
  return JSON.stringify(s.length > 64 ? `${s.slice(0, 64)}…` : s);
}
