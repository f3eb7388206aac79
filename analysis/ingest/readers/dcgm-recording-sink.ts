/**
 * Test support for the DCGM readers: a RecordSink that keeps what it is given, and a feeder that
 * splits text into physical lines (`\n` or `\r\n`) with 1-based numbers and byte offsets, the way
 * the ingest driver calls a LineReader.
 */
import type { EventRecord, GpuSample, LineReader, QuarantineRecord, RecordSink } from '../../core/records.js';

export interface GpuRecordCall {
  samples: GpuSample[];
  line: number;
  offset: number;
}

export class RecordingSink implements RecordSink {
  readonly events: EventRecord[] = [];
  readonly records: GpuRecordCall[] = [];
  readonly quarantined: QuarantineRecord[] = [];

  event(e: EventRecord): void {
    this.events.push(e);
  }

  gpuRecord(samples: GpuSample[], line: number, offset: number): void {
    this.records.push({ samples, line, offset });
  }

  quarantine(q: QuarantineRecord): void {
    this.quarantined.push(q);
  }

  /** Records read: stored + quarantined (every input record ends in exactly one call). */
  get read(): number {
    return this.events.length + this.records.length + this.quarantined.length;
  }

  get samples(): GpuSample[] {
    return this.records.flatMap((r) => r.samples);
  }
}

/** Feeds `text` to `reader` line by line, then calls `end()`. */
export function feedLines(reader: LineReader, text: string): void {
  let offset = 0;
  let lineNo = 1;
  let start = 0;
  while (start < text.length) {
    let nl = text.indexOf('\n', start);
    const last = nl === -1;
    if (last) nl = text.length;
    let line = text.slice(start, nl);
    if (line.endsWith('\r')) line = line.slice(0, -1);
    reader.line(line, lineNo, offset);
    offset += Buffer.byteLength(text.slice(start, last ? nl : nl + 1));
    lineNo++;
    start = nl + 1;
  }
  reader.end();
}
