/**
 * Reads Prometheus HTTP API responses (`/api/v1/query_range` and `/api/v1/query`) holding DCGM
 * series: `{"status":"success","data":{"resultType":"matrix","result":[{"metric":{…},
 * "values":[[<unix seconds>,"<value>"],…]}]}}`, also `vector` (`value`) and `scalar`.
 *
 * The document is buffered whole (bounded by `maxDocumentBytes`) and parsed at `end()`. Each
 * point is one record, reported at the document's first line. A file of one response per line
 * (JSON Lines) is read as one document per line.
 */
import type { GpuSample, LineReader, Micros, ReaderLimits, RecordSink } from '../../core/records.js';
import { recordHead } from '../../core/records.js';
import type { DcgmReaderOptions } from './dcgm-clock.js';
import { isSpecialFloatLiteral, parseDcgmValue } from './dcgm-fields.js';
import { SeriesLabels, type SeriesIdentity } from './dcgm-labels.js';

export function createDcgmQueryRangeReader(sink: RecordSink, limits: ReaderLimits, _opts: DcgmReaderOptions): LineReader {
  return new QueryRangeReader(sink, limits);
}

/** Field name for series without `__name__` (the result of `rate(...)` and other functions). */
export const UNNAMED_FIELD = '(unnamed)';
/** Field name for a `scalar` result. */
export const SCALAR_FIELD = '(scalar)';

type Json = unknown;

class QueryRangeReader implements LineReader {
  private readonly sink: RecordSink;
  private readonly limits: ReaderLimits;
  private readonly lines: string[] = [];
  private readonly lineNos: number[] = [];
  private readonly offsets: number[] = [];
  private bytes = 0;
  private overflow = false;
  private startLine = 0;
  private startOffset = 0;
  private head = '';

  constructor(sink: RecordSink, limits: ReaderLimits) {
    this.sink = sink;
    this.limits = limits;
  }

  line(text: string, lineNo: number, offset: number): void {
    if (this.overflow) return;
    if (this.lines.length === 0) {
      if (text.trim() === '') return;
      this.startLine = lineNo;
      this.startOffset = offset;
      this.head = recordHead(text);
    }
    this.bytes += Buffer.byteLength(text) + 1;
    if (this.bytes > this.limits.maxDocumentBytes) {
      this.overflow = true;
      this.lines.length = this.lineNos.length = this.offsets.length = 0;
      return;
    }
    this.lines.push(text);
    this.lineNos.push(lineNo);
    this.offsets.push(offset);
  }

  end(): void {
    if (this.overflow) {
      this.overflow = false;
      this.quarantine(this.startLine, this.startOffset, `document larger than ${this.limits.maxDocumentBytes} bytes`, this.head);
      return;
    }
    if (this.lines.length === 0) return;
    const lines = this.lines.splice(0);
    const lineNos = this.lineNos.splice(0);
    const offsets = this.offsets.splice(0);
    this.bytes = 0;
    let doc: Json;
    try {
      doc = JSON.parse(lines.join('\n'));
    } catch (err) {
      if (!this.readJsonLines(lines, lineNos, offsets)) {
        this.quarantine(this.startLine, this.startOffset, `invalid JSON: ${errorText(err)}`, this.head);
      }
      return;
    }
    this.readResponse(doc, this.startLine, this.startOffset, this.head);
  }

  /** One response per line; false (nothing emitted) when the first non-blank line is not a JSON object. */
  private readJsonLines(lines: string[], lineNos: number[], offsets: number[]): boolean {
    let first = true;
    for (let k = 0; k < lines.length; k++) {
      const text = lines[k]!;
      if (text.trim() === '') continue;
      let doc: Json;
      try {
        doc = JSON.parse(text);
      } catch (err) {
        if (first) return false;
        this.quarantine(lineNos[k]!, offsets[k]!, `invalid JSON: ${errorText(err)}`, recordHead(text));
        continue;
      }
      if (first && !isObject(doc)) return false;
      first = false;
      this.readResponse(doc, lineNos[k]!, offsets[k]!, recordHead(text));
    }
    return !first;
  }

  private readResponse(doc: Json, line: number, offset: number, head: string): void {
    if (!isObject(doc)) {
      this.quarantine(line, offset, 'not a Prometheus API response (not a JSON object)', head);
      return;
    }
    if (doc['status'] === 'error') {
      const type = typeof doc['errorType'] === 'string' ? ` (${clip(doc['errorType'])})` : '';
      const text = typeof doc['error'] === 'string' ? clip(doc['error'], 500) : 'no error text';
      this.quarantine(line, offset, `Prometheus API error${type}: ${text}`, head);
      return;
    }
    const data = doc['data'];
    if (!isObject(data) || typeof data['resultType'] !== 'string') {
      this.quarantine(line, offset, 'not a Prometheus API response (no data.resultType)', head);
      return;
    }
    const type = data['resultType'];
    const result = data['result'];
    if (type === 'scalar') {
      const id: SeriesIdentity = { node: null, gpu: null, job: null, labels: undefined };
      const reason = this.point(SCALAR_FIELD, id, result, line, offset);
      if (reason !== null) this.quarantine(line, offset, reason, recordHead(safeStringify(result)));
      return;
    }
    if (type !== 'matrix' && type !== 'vector') {
      this.quarantine(line, offset, `resultType ${JSON.stringify(clip(type))} carries no samples`, head);
      return;
    }
    if (!Array.isArray(result)) {
      this.quarantine(line, offset, 'data.result is not an array', head);
      return;
    }
    for (let s = 0; s < result.length; s++) this.series(type, result[s], s, line, offset);
  }

  private series(type: 'matrix' | 'vector', series: Json, index: number, line: number, offset: number): void {
    if (!isObject(series)) {
      this.quarantine(line, offset, `result[${index}] is not an object`, recordHead(safeStringify(series)));
      return;
    }
    const metric = series['metric'] ?? {};
    let field = UNNAMED_FIELD;
    let id: SeriesIdentity | string;
    if (!isObject(metric)) {
      id = `result[${index}].metric is not an object`;
    } else {
      const name = metric['__name__'];
      if (typeof name === 'string' && name !== '') field = name;
      id = seriesIdentity(metric);
    }
    const points = type === 'matrix' ? series['values'] : series['value'] === undefined ? undefined : [series['value']];
    if (!Array.isArray(points)) {
      // `histograms` / `histogram` hold native histograms, which DCGM never produces.
      const what =
        series['histograms'] !== undefined || series['histogram'] !== undefined
          ? 'native histogram points are not supported'
          : type === 'matrix'
            ? 'no values array'
            : 'no value';
      this.quarantine(line, offset, `result[${index}]: ${what}`, pointHead(metric, undefined));
      return;
    }
    for (let p = 0; p < points.length; p++) {
      const reason = typeof id === 'string' ? id : this.point(field, id, points[p], line, offset);
      if (reason !== null) this.quarantine(line, offset, reason, pointHead(metric, points[p]));
    }
  }

  /** One `[<unix seconds>, "<value>"]` pair → one stored record; returns the reason when it cannot be stored. */
  private point(field: string, id: SeriesIdentity, point: Json, line: number, offset: number): string | null {
    if (!Array.isArray(point) || point.length !== 2) return `${clip(field)}: point is not a [timestamp, value] pair`;
    const rawTs: Json = point[0];
    const rawValue: Json = point[1];
    const secs = typeof rawTs === 'number' ? rawTs : typeof rawTs === 'string' ? parseDcgmValue(rawTs) : undefined;
    if (typeof secs !== 'number' || !Number.isFinite(secs)) {
      return `${clip(field)}: timestamp ${clip(safeStringify(rawTs))} is not a number`;
    }
    const ts: Micros = Math.round(secs * 1e6);
    if (!(ts >= this.limits.minTs && ts <= this.limits.maxTs)) {
      return `${clip(field)}: timestamp ${clip(safeStringify(rawTs))} outside the accepted range`;
    }
    let value: number | null | undefined;
    let raw: string | null = null;
    if (typeof rawValue === 'string') {
      value = parseDcgmValue(rawValue);
      if (value === null && isSpecialFloatLiteral(rawValue)) raw = rawValue;
    } else if (typeof rawValue === 'number' && Number.isFinite(rawValue)) {
      value = rawValue; // not the API's encoding (values are strings), but unambiguous
    }
    if (value === undefined) return `${clip(field)}: value ${clip(safeStringify(rawValue))} is not a number`;
    const labels = raw === null ? id.labels : { ...id.labels, raw };
    const sample: GpuSample = { ts, node: id.node, gpu: id.gpu, job: id.job, field, value, labels };
    this.sink.gpuRecord([sample], line, offset);
    return null;
  }

  private quarantine(line: number, offset: number, reason: string, head: string): void {
    this.sink.quarantine({ line, offset, reason: `prometheus api: ${reason}`, head });
  }
}

/** Identity of a series from its `metric` object, or the reason it cannot be used. */
function seriesIdentity(metric: Record<string, Json>): SeriesIdentity | string {
  const collector = new SeriesLabels();
  for (const key of Object.keys(metric)) {
    if (key === '__name__') continue;
    const v = metric[key];
    if (typeof v !== 'string') return `label ${JSON.stringify(clip(key))} is not a string`;
    collector.add(key, v); // JSON object keys are unique after parsing
  }
  return collector.identity();
}

/** A quarantine head for a point: the series' labels, then the point. */
function pointHead(metric: Json, point: Json): string {
  return recordHead(point === undefined ? safeStringify(metric) : `${safeStringify(metric)} ${safeStringify(point)}`);
}

function isObject(v: Json): v is Record<string, Json> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function safeStringify(v: Json): string {
  try {
    const s = JSON.stringify(v);
    return s === undefined ? String(v) : s;
  } catch {
    return String(v);
  }
}

function clip(s: string, max = 64): string {
  return s.length > max ? `${s.slice(0, max)}…` : s;
}

function errorText(err: unknown): string {
  return clip(err instanceof Error ? err.message : String(err), 200);
}
