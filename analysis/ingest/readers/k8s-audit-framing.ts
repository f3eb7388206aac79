/**
 * Frames JSON records out of text lines: one value per line (JSONL), or multi-line documents (a
 * pretty-printed object, a JSON array, an EventList, a stream of pretty objects as `jq .` writes).
 * A line that does not parse alone but opens a `{` or `[` starts a document; the document is
 * buffered (bounded by maxDocumentBytes) and parsed once, when JsonStructureScanner sees it close.
 *
 * Accounting: every non-blank line ends in exactly one sink call, except the lines of a document
 * that parses, which become whatever `onValue` makes of the value. A document that breaks
 * (invalid, unterminated, too large) is quarantined line by line, so a truncated JSONL line costs
 * one quarantine row and the next line is read on its own again.
 */
import { recordHead, type EventRecord, type LineReader, type ReaderLimits, type RecordSink } from '../../core/records.js';
import { jsonTextForHead, MAX_JSON_DEPTH, mayNestDeeperThan } from './k8s-audit-json-bounds.js';
import { JsonStructureScanner } from './k8s-audit-json-scanner.js';

/** Where a parsed value came from. */
export interface RecordAt {
  line: number;
  offset: number;
  /** Raw text of the record (a line, or a document's start) for quarantine heads. */
  text: string;
  /**
   * Upper bound on the JSON length of any part of the value: the line's length for a line, +∞ for
   * a document (its parts are measured when it matters).
   */
  sizeHint: number;
  /** The value may nest deeper than MAX_JSON_DEPTH and must be pruned before it is kept. */
  deep: boolean;
}

/** Receives each framed value; must end it in sink calls (at least one). */
export type ValueHandler = (value: unknown, at: RecordAt) => void;

/**
 * Hands one framed record to the sink: the event, or the quarantine with its reason. An item of a
 * list shows its own JSON as head; a record alone, its line.
 */
export function deliverRecord(sink: RecordSink, result: EventRecord | string, value: unknown, at: RecordAt, item: number | undefined): void {
  if (typeof result !== 'string') {
    sink.event(result);
    return;
  }
  const head = item === undefined ? recordHead(at.text) : recordHead(jsonTextForHead(value));
  sink.quarantine({ line: at.line, offset: at.offset, reason: result, head });
}

const OPEN_BRACE = 0x7b;
const OPEN_BRACKET = 0x5b;

export function createJsonFraming(sink: RecordSink, limits: ReaderLimits, onValue: ValueHandler): LineReader {
  const scanner = new JsonStructureScanner();
  let docLines: string[] = [];
  let docLineNos: number[] = [];
  let docOffsets: number[] = [];
  let docBytes = 0;
  /** Lines of a document past maxDocumentBytes are quarantined as they come, until it closes. */
  let overflowing = false;
  let overflowReason = '';

  const inDocument = (): boolean => docLines.length > 0 || overflowing;

  function resetDocument(): void {
    docLines = [];
    docLineNos = [];
    docOffsets = [];
    docBytes = 0;
    overflowing = false;
    scanner.reset();
  }

  /** Quarantines every buffered line of a broken document with the same reason. */
  function quarantineDocument(reason: string): void {
    for (let i = 0; i < docLines.length; i++) {
      const text = docLines[i]!;
      if (isBlank(text)) continue;
      sink.quarantine({ line: docLineNos[i]!, offset: docOffsets[i]!, reason, head: recordHead(text) });
    }
  }

  function documentReason(error: string): string {
    const first = docLineNos[0] ?? 0;
    const last = docLineNos[docLineNos.length - 1] ?? first;
    return `invalid JSON document (lines ${first}-${last}): ${error}`;
  }

  function lineAlone(text: string, lineNo: number, offset: number): void {
    const first = firstNonBlank(text);
    if (first < 0) return; // blank lines are not records
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (err) {
      const c = text.charCodeAt(first);
      if (c === OPEN_BRACE || c === OPEN_BRACKET) {
        scanner.reset();
        if (scanner.feedLine(text, lineNo) === 'open') {
          startDocument(text, lineNo, offset);
          return;
        }
      }
      sink.quarantine({ line: lineNo, offset, reason: `invalid JSON: ${errorMessage(err)}`, head: recordHead(text) });
      return;
    }
    onValue(value, { line: lineNo, offset, text, sizeHint: text.length, deep: mayNestDeeperThan(text, MAX_JSON_DEPTH) });
  }

  function startDocument(text: string, lineNo: number, offset: number): void {
    docLines.push(text);
    docLineNos.push(lineNo);
    docOffsets.push(offset);
    docBytes = Buffer.byteLength(text) + 1;
    if (docBytes > limits.maxDocumentBytes) startOverflow();
  }

  function startOverflow(): void {
    overflowReason = `JSON document starting at line ${docLineNos[0] ?? 0} exceeds maxDocumentBytes (${limits.maxDocumentBytes} bytes)`;
    quarantineDocument(overflowReason);
    docLines = [];
    docLineNos = [];
    docOffsets = [];
    overflowing = true;
  }

  function lineInDocument(text: string, lineNo: number, offset: number): void {
    const state = scanner.feedLine(text, lineNo);
    if (state === 'error') {
      // This line can not continue the document: the document is broken before it, and the line
      // itself may be a good record (the usual case after a truncated JSONL line).
      if (overflowing) {
        resetDocument();
      } else {
        quarantineDocument(documentReason(scanner.error));
        resetDocument();
      }
      lineAlone(text, lineNo, offset);
      return;
    }
    if (overflowing) {
      if (!isBlank(text)) sink.quarantine({ line: lineNo, offset, reason: overflowReason, head: recordHead(text) });
      if (state === 'closed') resetDocument();
      return;
    }
    docLines.push(text);
    docLineNos.push(lineNo);
    docOffsets.push(offset);
    docBytes += Buffer.byteLength(text) + 1;
    if (docBytes > limits.maxDocumentBytes) {
      startOverflow();
      if (state === 'closed') resetDocument();
      return;
    }
    if (state === 'closed') finishDocument();
  }

  function finishDocument(): void {
    const joined = docLines.join('\n');
    let value: unknown;
    try {
      value = JSON.parse(joined);
    } catch (err) {
      quarantineDocument(documentReason(errorMessage(err)));
      resetDocument();
      return;
    }
    const at: RecordAt = {
      line: docLineNos[0]!,
      offset: docOffsets[0]!,
      text: joined.length > 400 ? joined.slice(0, 400) : joined,
      sizeHint: Number.POSITIVE_INFINITY,
      deep: scanner.maxDepth > MAX_JSON_DEPTH,
    };
    resetDocument();
    onValue(value, at);
  }

  return {
    line(text, lineNo, offset) {
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1); // a byte-order mark JSON.parse refuses
      if (inDocument()) lineInDocument(text, lineNo, offset);
      else lineAlone(text, lineNo, offset);
    },
    end() {
      if (!inDocument()) return;
      if (!overflowing) quarantineDocument(documentReason('unexpected end of input inside the document'));
      resetDocument();
    },
  };
}

function firstNonBlank(text: string): number {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c !== 0x20 && c !== 0x09 && c !== 0x0d && c !== 0xfeff) return i;
  }
  return -1;
}

function isBlank(text: string): boolean {
  return firstNonBlank(text) < 0;
}

function errorMessage(err: unknown): string {
  const msg = err instanceof Error ? err.message : String(err);
  return msg.length > 200 ? msg.slice(0, 200) + '…' : msg;
}
