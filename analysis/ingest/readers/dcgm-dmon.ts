/**
 * Reads `dcgmi dmon` output (dcgmi/DeviceMonitor.cpp):
 *
 *   #Entity   GPUTL  FBUSD  POWER
 *   ID                      W
 *   GPU 0     45     1024   61.234
 *   GPU-I 1   N/A    512    N/A
 *
 * The header (`#Entity` or `# Entity`, then field short names) and the units line (`ID …`) are
 * printed again every 14 intervals. Each row is one record with one sample per column; `N/A`
 * (what dmon prints for DCGM blanks) is a null value. dmon prints no timestamps: every time an
 * entity repeats a new interval starts (`fallbackTs + k * interval`, default interval 1 s, dmon's
 * `-d 1000`).
 */
import type { GpuSample, LineReader, Micros, ReaderLimits, RecordSink } from '../../core/records.js';
import { recordHead } from '../../core/records.js';
import { DMON_DEFAULT_INTERVAL_US, IntervalClock, TS_INFERRED_LABEL, type DcgmReaderOptions } from './dcgm-clock.js';
import { dmonFieldName, parseDcgmValue } from './dcgm-fields.js';

export function createDcgmDmonReader(sink: RecordSink, limits: ReaderLimits, opts: DcgmReaderOptions): LineReader {
  return new DmonReader(sink, limits, opts);
}

/** Entity group names as dmon prints them (`fmt::formatter<dcgm_field_entity_group_t>`), plus later groups. */
const ENTITY_GROUPS: ReadonlySet<string> = new Set(['GPU', 'vGPU', 'Switch', 'GPU-I', 'GPU-CI', 'Link', 'CPU', 'CPU-Core', 'ConnectX', 'UNKNOWN']);

/** The message dmon prints when stopped with Ctrl-C; not a record. */
const STOP_MESSAGE = 'dmon was stopped';

/** String cells (device names, versions) are kept as `labels.raw`, cut to this many characters. */
const MAX_RAW = 200;

class DmonReader implements LineReader {
  private readonly sink: RecordSink;
  private readonly limits: ReaderLimits;
  private readonly clock: IntervalClock;
  /** DCGM field names of the current header's columns, or null before the first header. */
  private fields: string[] | null = null;
  /** Character offset where each column starts in the header, for rows whose cells hold spaces. */
  private columnStarts: number[] = [];

  constructor(sink: RecordSink, limits: ReaderLimits, opts: DcgmReaderOptions) {
    this.sink = sink;
    this.limits = limits;
    this.clock = new IntervalClock(opts.fallbackTs, opts.scrapeIntervalUs ?? DMON_DEFAULT_INTERVAL_US);
  }

  line(text: string, lineNo: number, offset: number): void {
    if (text.length > this.limits.maxLineBytes || (text.length * 3 > this.limits.maxLineBytes && Buffer.byteLength(text) > this.limits.maxLineBytes)) {
      this.reject(text, lineNo, offset, `line longer than ${this.limits.maxLineBytes} bytes`);
      return;
    }
    const trimmed = text.trim();
    if (trimmed === '') return;
    if (trimmed.charCodeAt(0) === 35 /* # */) {
      this.header(text);
      return;
    }
    const tokens = trimmed.split(/[ \t]+/);
    const first = tokens[0]!;
    if (first === 'ID' || first === 'Id') return; // the units line under each header
    if (trimmed.startsWith(STOP_MESSAGE)) return;
    this.row(text, tokens, lineNo, offset);
  }

  end(): void {
    // Rows are complete on their own.
  }

  /** `#Entity GPUTL …` sets the columns; any other `#` line is a comment. */
  private header(text: string): void {
    const hash = text.indexOf('#');
    const body = text.slice(hash + 1);
    const m = /^[ \t]*Entity(?=[ \t]|$)/i.exec(body);
    if (m === null) return;
    const fields: string[] = [];
    const starts: number[] = [];
    const re = /\S+/g;
    re.lastIndex = m[0].length;
    for (let t = re.exec(body); t !== null; t = re.exec(body)) {
      fields.push(dmonFieldName(t[0]));
      starts.push(hash + 1 + t.index);
    }
    this.fields = fields;
    this.columnStarts = starts;
  }

  private row(text: string, tokens: string[], lineNo: number, offset: number): void {
    const fields = this.fields;
    if (fields === null) {
      this.reject(text, lineNo, offset, 'row before any "#Entity" header');
      return;
    }
    let group: string;
    let idText: string;
    let firstValue: number;
    if (ENTITY_GROUPS.has(tokens[0]!) && tokens.length > 1) {
      group = tokens[0]!;
      idText = tokens[1]!;
      firstValue = 2;
    } else {
      group = 'GPU'; // some wrappers print the entity id alone
      idText = tokens[0]!;
      firstValue = 1;
    }
    if (!/^\d{1,10}$/.test(idText)) {
      this.reject(text, lineNo, offset, `not a dmon row: expected "<entity group> <id>", got ${JSON.stringify(clip(tokens.slice(0, 2).join(' ')))}`);
      return;
    }
    let cells: string[] | null = tokens.length - firstValue === fields.length ? tokens.slice(firstValue) : null;
    if (cells === null && tokens.length - firstValue > fields.length) cells = this.cellsByPosition(text);
    if (cells === null) {
      this.reject(text, lineNo, offset, `expected ${fields.length} values, got ${tokens.length - firstValue}`);
      return;
    }
    const gpu = group === 'GPU' ? idText : `${group}:${idText}`;
    const ts: Micros = this.clock.tsFor(gpu);
    if (!(ts >= this.limits.minTs && ts <= this.limits.maxTs)) {
      this.reject(text, lineNo, offset, `inferred timestamp ${ts} µs outside the accepted range`);
      return;
    }
    const labels: Record<string, string> =
      group === 'GPU' ? { [TS_INFERRED_LABEL]: '1' } : { [TS_INFERRED_LABEL]: '1', entity_group: group, entity_id: idText };
    const samples: GpuSample[] = new Array<GpuSample>(fields.length);
    for (let c = 0; c < fields.length; c++) {
      const cell = cells[c]!;
      let value = cell === 'N/A' ? null : parseDcgmValue(cell);
      let sampleLabels = labels;
      if (value === undefined) {
        // String-typed fields (DVNAM, UUID#, DRVER …) print text.
        value = null;
        sampleLabels = { ...labels, raw: clip(cell, MAX_RAW) };
      }
      samples[c] = { ts, node: null, gpu, job: null, field: fields[c]!, value, labels: sampleLabels };
    }
    this.sink.gpuRecord(samples, lineNo, offset);
  }

  /**
   * dmon pads every column to the header's width, so a cell holding spaces (a device name) can
   * still be cut out by position. Only used when each column start falls after a blank.
   */
  private cellsByPosition(text: string): string[] | null {
    const starts = this.columnStarts;
    if (starts.length === 0 || text.length <= starts[starts.length - 1]!) return null;
    const cells: string[] = [];
    for (let c = 0; c < starts.length; c++) {
      const s = starts[c]!;
      const prev = text.charCodeAt(s - 1);
      if (prev !== 32 && prev !== 9) return null;
      const cell = text.slice(s, c + 1 < starts.length ? starts[c + 1]! : text.length).trim();
      if (cell === '') return null;
      cells.push(cell);
    }
    // The entity part must also end before the first column.
    if (text.slice(0, starts[0]!).trim().split(/[ \t]+/).length > 2) return null;
    return cells;
  }

  private reject(text: string, line: number, offset: number, reason: string): void {
    this.sink.quarantine({ line, offset, reason: `dcgmi dmon: ${reason}`, head: recordHead(text) });
  }
}

function clip(s: string, max = 64): string {
  return s.length > max ? `${s.slice(0, max)}…` : s;
}
