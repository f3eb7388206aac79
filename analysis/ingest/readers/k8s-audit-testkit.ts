/**
 * Test scaffolding for the audit and app-event reader tests: a sink that records every call, and a
 * line splitter with the same contract as the ingest splitter (1-based lines, byte offsets, `\n`
 * or `\r\n` terminators removed). Used by tests only.
 */
import type { EventRecord, GpuSample, LineReader, QuarantineRecord, RecordSink } from '../../core/records.js';
import { mulberry32 } from '../../core/mulberry32.js';

export class RecordingSink implements RecordSink {
  events: EventRecord[] = [];
  quarantined: QuarantineRecord[] = [];
  gpu = 0;
  get calls(): number {
    return this.events.length + this.quarantined.length + this.gpu;
  }
  event(e: EventRecord): void {
    this.events.push(e);
  }
  gpuRecord(_samples: GpuSample[], _line: number, _offset: number): void {
    this.gpu++;
  }
  quarantine(q: QuarantineRecord): void {
    this.quarantined.push(q);
  }
}

export interface SplitLine {
  text: string;
  lineNo: number;
  offset: number;
}

export function splitLines(bytes: Uint8Array): SplitLine[] {
  const out: SplitLine[] = [];
  let start = 0;
  let lineNo = 1;
  while (start < bytes.length) {
    let end = bytes.indexOf(0x0a, start);
    const next = end < 0 ? bytes.length : end + 1;
    if (end < 0) end = bytes.length;
    const stop = end > start && bytes[end - 1] === 0x0d ? end - 1 : end;
    out.push({ text: Buffer.from(bytes.subarray(start, stop)).toString('utf8'), lineNo, offset: start });
    start = next;
    lineNo++;
  }
  return out;
}

/** Feeds text or bytes through a reader, line by line, then ends it. */
export function feed(reader: LineReader, input: string | Uint8Array): void {
  const bytes = typeof input === 'string' ? Buffer.from(input, 'utf8') : input;
  for (const l of splitLines(bytes)) reader.line(l.text, l.lineNo, l.offset);
  reader.end();
}

/** Non-blank lines: what a JSONL reader must account for one by one. */
export function nonBlankLines(input: string | Uint8Array): number {
  const bytes = typeof input === 'string' ? Buffer.from(input, 'utf8') : input;
  return splitLines(bytes).filter((l) => !/^[ \t\r\uFEFF]*$/.test(l.text)).length;
}

export const seededRandom = mulberry32;
