/**
 * The parsing half of ingesting one record source: the line splitter feeding the reader for the
 * source's kind. Runs in the parse worker (parse-worker.ts), or in the ingesting thread when no
 * worker can start; either way the records reach a sink that knows the line being read, which
 * an event keeps as its `raw` text (store/record-columns.ts `eventRawText`).
 */
import type { RecordSink } from '../core/records.js';
import type { SourceKind } from '../core/kinds.js';
import { createLineSplitter } from './lines.js';
import { readerForKind, type ReaderContext } from './reader-for-kind.js';

/** A RecordSink told which line the reader is reading (null while the reader flushes at the end). */
export interface LineAwareSink extends RecordSink {
  currentRaw: string | null;
  /** The line `currentRaw` is; a record that starts elsewhere (a multi-line document) is not it. */
  currentLine: number;
  /**
   * Where `currentRaw`'s UTF-8 bytes are, during the same call (`lines.ts` onLine): a sink that
   * stores the line copies them instead of encoding the text again. Optional for sinks that don't.
   */
  lineBytes?(bytes: Buffer, start: number, end: number): void;
}

export interface SourceParser {
  /** Feeds decompressed bytes of the source, in order. May throw what the reader throws. */
  push(chunk: Uint8Array): void;
  /** End of the source: the last line without a newline, then the reader's buffered documents. */
  end(): void;
}

export function createSourceParser(kind: SourceKind, sink: LineAwareSink, ctx: ReaderContext): SourceParser {
  const reader = readerForKind(kind, sink, ctx);
  if (!reader) throw new Error(`no reader for ${kind}`);
  const splitter = createLineSplitter({
    maxLineBytes: ctx.limits.maxLineBytes,
    onLine(text, lineNo, offset, bytes, start, end) {
      sink.currentRaw = text;
      sink.currentLine = lineNo;
      sink.lineBytes?.(bytes, start, end);
      reader.line(text, lineNo, offset);
      sink.currentRaw = null;
    },
    onBadLine(reason, head, lineNo, offset) {
      sink.quarantine({ line: lineNo, offset, reason, head });
    },
  });
  return {
    push: (chunk) => splitter.push(chunk),
    end() {
      splitter.end();
      reader.end();
    },
  };
}
